import TraceInput

/// Tasks and CPUs, from sched_switch (kernel/sched/core.c __schedule: the
/// event fires as `prev` hands the CPU to `next`): which task runs where,
/// every task seen, and how a switch's fields read.
///
/// Changed from the model's one thread only: @exclusivity(unchecked) drops
/// the runtime access checks (swift_beginAccess in perf).
final class SchedTracker {
    static let schedSwitch = EventKey("sched", "sched_switch")
    /// CPU numbers kept in per-CPU arrays (`cpuTimelines`, `taskOnCPU`); a
    /// damaged line's larger number is left out of them.
    static let cpuLimit = 1 << 12

    /// By CPU number: a switch finds its CPU by index, not by hashing.
    @exclusivity(unchecked) private(set) var cpuTimelines: [CPUTimeline?] = []
    @exclusivity(unchecked) private(set) var taskTable = PidTable<TaskState>()
    /// prev_state's letters and meaning: the trace's own table.
    let states: TaskStateLetters
    /// prev_state letters by state, built once per value of the low 8 bits
    /// (an array, not a dictionary hashing the state on every sleep).
    @exclusivity(unchecked) private var letterCache = [String?](repeating: nil, count: 256)

    /// sched_switch's fields, read from every switch.
    @exclusivity(unchecked) private var switchFields = KindFields(["prev_pid", "next_pid", "prev_state",
                                                                   "prev_comm", "next_comm"])
    /// `switchFields`' indices in records of one id (`RecordRef.fieldIndex(of:)`).
    @exclusivity(unchecked) private var switchRecordFields: (id: Int32, indices: [Int?]) = (-1, [])

    init(states: TaskStateLetters) { self.states = states }

    /// A switch's pids and state. Its names are read apart (`prevComm`,
    /// `nextComm`), only when needed: a timeline, a task first seen.
    struct Switch {
        var prevPid: Int32
        var nextPid: Int32
        var state: UInt64
    }

    func read(_ e: TraceEvent) -> Switch {
        Switch(prevPid: Int32(truncatingIfNeeded: switchFields.value(0, of: e)?.int64 ?? Int64(e.pid)),
               nextPid: Int32(truncatingIfNeeded: switchFields.value(1, of: e)?.int64 ?? -1),
               state: switchFields.value(2, of: e)?.uint64 ?? 0)
    }

    func prevComm(_ e: TraceEvent) -> String { switchFields.value(3, of: e)?.string ?? e.comm }
    func nextComm(_ e: TraceEvent) -> String? { switchFields.value(4, of: e)?.string }

    @inline(__always)
    func read(_ r: RecordRef) -> Switch {
        if switchRecordFields.id != r.kindID {
            switchRecordFields = (r.kindID, switchFields.names.map { r.fieldIndex(of: $0) })
        }
        let index = switchRecordFields.indices
        func integer(_ i: Int) -> Int64? { index[i].flatMap { r.integerField(at: $0) } }
        return Switch(prevPid: Int32(truncatingIfNeeded: integer(0) ?? Int64(r.pid)),
                      nextPid: Int32(truncatingIfNeeded: integer(1) ?? -1),
                      state: integer(2).map { UInt64(bitPattern: $0) } ?? 0)
    }

    /// The names of a record's switch (after `read(_:)` of that record).
    func prevComm(_ r: RecordRef) -> String {
        switchRecordFields.indices[3].flatMap { r.field(at: $0) }?.string ?? r.comm
    }
    func nextComm(_ r: RecordRef) -> String? { switchRecordFields.indices[4].flatMap { r.field(at: $0) }?.string }

    /// `pid`'s task, made with `comm` if it is new.
    @inline(__always)
    func task(_ pid: Int32, comm: @autoclosure () -> String) -> TaskState {
        if let known = taskTable[pid] { return known }
        let task = TaskState(pid: pid, comm: comm())
        taskTable[pid] = task
        return task
    }

    subscript(pid: Int32) -> TaskState? {
        @inline(__always) get { taskTable[pid] }
    }

    /// `next` runs on `cpu` from `timestamp` (its task is placed there by
    /// the model, which keeps the per-CPU fast path).
    func switchIn(_ next: Int32, comm: String?, cpu: Int, at timestamp: UInt64) {
        guard cpu >= 0 && cpu < Self.cpuLimit else { return }
        if cpu >= cpuTimelines.count { cpuTimelines += repeatElement(nil, count: cpu + 1 - cpuTimelines.count) }
        if cpuTimelines[cpu] == nil { cpuTimelines[cpu] = CPUTimeline(cpu: cpu) }
        Self.switchTo(&cpuTimelines[cpu]!, pid: next, comm: comm, at: timestamp)
    }

    /// One access to the CPU's entry, not a copy out and back.
    private static func switchTo(_ cpu: inout CPUTimeline, pid: Int32, comm: String?, at timestamp: UInt64) {
        cpu.currentPid = pid
        cpu.currentComm = comm
        cpu.since = timestamp
        cpu.switches += 1
    }

    func letters(of state: UInt64) -> String {
        guard state < 256 else { return states.letters(of: state) }
        let bits = Int(state)
        if let known = letterCache[bits] { return known }
        let letters = states.letters(of: state)
        letterCache[bits] = letters
        return letters
    }
}
