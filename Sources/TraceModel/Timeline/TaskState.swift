/// What one task has open, following it across CPUs when it migrates:
/// invalidations, tlb gathers, locks (include/linux/mmu_notifier.h and
/// mm/mmu_gather.c spans are task-context: they begin and end in one task).
///
/// A class: the model reads and changes a task's state on most bound events,
/// and a struct held in the task table was copied out (every array and
/// string retained, then released) on each read. Like the model that owns
/// it, it is changed from one thread only: @exclusivity(unchecked) drops the
/// runtime access checks (swift_beginAccess) on every property access.
public final class TaskState {
    public let pid: Int32
    @exclusivity(unchecked) public internal(set) var comm: String
    @exclusivity(unchecked) public internal(set) var openRanges: [InvalidateRange] = []
    @exclusivity(unchecked) public internal(set) var openGathers: [TLBGather] = []
    @exclusivity(unchecked) public internal(set) var heldLocks: [LockHold] = []
    /// The lock the task waits for, if any (lock.contend.begin .. end).
    @exclusivity(unchecked) public internal(set) var contending: EvidenceEvent?
    /// The LCB_F_* flags of that wait, where the event has them.
    @exclusivity(unchecked) public internal(set) var contendingFlags: UInt64?
    /// CPU of the task's latest event the model read one by one (switches,
    /// bound events; not records a reader tallied, see `TraceModel.absorb`).
    @exclusivity(unchecked) public internal(set) var cpu: Int?
    /// Channels ("kprobes", a driver's system) in which this task has closed
    /// at least one invalidation: an end without begin in a channel seen
    /// before is an error; the first end of a task may have begun before the
    /// trace did.
    /// A list, not a set: a task uses a channel or two, and comparing their
    /// names costs less than hashing one on every end.
    @exclusivity(unchecked) public internal(set) var closedChannels: [String] = []

    public init(pid: Int32, comm: String) {
        self.pid = pid
        self.comm = comm
    }

    public var holdsSpinlock: Bool { heldLocks.contains { $0.kind == .spin } }
}

/// Which task each CPU runs, from sched_switch (kernel/sched/core.c
/// __schedule: the event fires as `prev` hands the CPU to `next`).
public struct CPUTimeline: Sendable {
    public var cpu: Int
    public var currentPid: Int32?
    /// Kept only when an observer reads switch-outs (a timeline): the
    /// name is decoded from every switch for nothing else.
    public var currentComm: String?
    /// When the current task was switched in.
    public var since: UInt64?
    public var switches = 0

    public init(cpu: Int) { self.cpu = cpu }
}
