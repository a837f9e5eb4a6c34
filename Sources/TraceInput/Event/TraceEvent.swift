/// One trace event, in the form every reader produces: a trace.dat ring-buffer
/// record and a line of ftrace text become the same value, so no analysis can
/// tell (or needs to know) where an event came from.
public struct TraceEvent: Sendable {
    /// Nanoseconds on the trace clock, after the file's corrections
    /// (TSC2NSEC, time offset), exactly as `trace-cmd report -t` shows them.
    public var timestamp: UInt64
    /// The CPU whose ring buffer held the event.
    public var cpu: Int
    /// `common_pid`: the task that was current when the event fired.
    public var pid: Int32
    /// The task name as the source shows it (trace.dat: the saved_cmdlines
    /// table, like trace-cmd; text: the name printed on the line).
    public var comm: String
    /// irqs-off / need-resched / hardirq / softirq flags and preempt depth.
    public var context: ExecutionContext
    /// Event system ("sched", "ftrace", "kprobes", a module's name).
    public var system: String
    /// Event name without the system ("sched_switch").
    public var name: String
    /// The event's own (non-common) fields, decoded on access.
    public var fields: EventFields
    /// A number the reader gives every event of one kind (system and name)
    /// and no other kind, so consumers can index per-kind state without
    /// hashing names: the event id in a trace.dat; -1 when the reader gives
    /// none (text, synthetic events). Events with one id also share one
    /// field layout (`fields.names` in the same order), so a consumer may
    /// find a field's index once per id (`EventFields.index(of:)`).
    public var kindID: Int32

    public init(timestamp: UInt64, cpu: Int, pid: Int32, comm: String,
                context: ExecutionContext, system: String, name: String,
                fields: EventFields, kindID: Int32 = -1) {
        self.kindID = kindID
        self.timestamp = timestamp
        self.cpu = cpu
        self.pid = pid
        self.comm = comm
        self.context = context
        self.system = system
        self.name = name
        self.fields = fields
    }
}
