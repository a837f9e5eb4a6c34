/// What one task has open, following it across CPUs when it migrates:
/// invalidations, tlb gathers, locks (include/linux/mmu_notifier.h and
/// mm/mmu_gather.c spans are task-context: they begin and end in one task).
public struct TaskState: Sendable {
    public var pid: Int32
    public var comm: String
    public var openRanges: [InvalidateRange] = []
    public var openGathers: [TLBGather] = []
    public var heldLocks: [LockHold] = []
    /// The lock the task waits for, if any (lock.contend.begin .. end).
    public var contending: EvidenceEvent?
    /// CPU the task last ran on.
    public var cpu: Int?
    /// Channels ("kprobes", a driver's system) in which this task has closed
    /// at least one invalidation: an end without begin in a channel seen
    /// before is an error; the first end of a task may have begun before the
    /// trace did.
    public var closedChannels: Set<String> = []

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
    public var currentComm: String?
    /// When the current task was switched in.
    public var since: UInt64?
    public var switches = 0

    public init(cpu: Int) { self.cpu = cpu }
}
