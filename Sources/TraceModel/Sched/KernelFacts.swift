import TraceInput

/// What a trace says about the kernel that wrote it, where the rules'
/// meaning depends on it.
public struct KernelFacts: Sendable, Hashable {
    /// `uname -a` of the traced machine (trace.dat's UNAME option), if known.
    public var uname: String?
    /// PREEMPT_RT: spinlock_t and rwlock_t are sleeping rtmutex locks
    /// (kernel/locking/spinlock_rt.c), and their waits are legal sleeps.
    public var preemptRT: Bool
    /// prev_state's letters, from the trace's own sched_switch print fmt.
    public var taskStates: TaskStateLetters

    public init(uname: String? = nil, preemptRT: Bool = false, taskStates: TaskStateLetters = .linux61) {
        self.uname = uname
        self.preemptRT = preemptRT
        self.taskStates = taskStates
    }

    /// The facts a reader found in the trace's headers.
    public init(_ info: TraceInfo) {
        let rt = info.uname.map { $0.contains("PREEMPT_RT") } ?? false
        self.init(uname: info.uname, preemptRT: rt,
                  taskStates: info.schedSwitchPrintFormat.flatMap(TaskStateLetters.init(printFormat:)) ?? .linux61)
    }
}
