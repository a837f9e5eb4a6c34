/// One mmu_notifier invalidation, invalidate.begin .. invalidate.end
/// (include/linux/mmu_notifier.h: between the two, the secondary MMU must
/// not hold, nor create, mappings of [start, end) of `mm`).
public struct InvalidateRange: Sendable, Hashable {
    public var pid: Int32
    public var comm: String
    /// Where the events came from (the event system: "kprobes", "ftrace", a
    /// driver's): an end closes the open begin of the same channel.
    public var channel: String
    public var mm: UInt64?
    public var start: UInt64?
    public var end: UInt64?
    public var notifierEvent: Int64?
    /// nil when the events do not say (function tracer).
    public var blockable: Bool?
    public var begin: EvidenceEvent
    public var finish: EvidenceEvent?
    /// What the notifier's invalidate_range_start returned, where the trace
    /// records it (invalidate.result), and the event that says so.
    public var startResult: Int64?
    public var result: EvidenceEvent?
    /// The start failed: the caller skipped its unmap, so nothing of the
    /// range went stale (mm/mmu_notifier.c still calls the notifiers' ends).
    public var startFailed: Bool { (startResult ?? 0) != 0 }

    /// Identifies the range while it is open and after.
    public var id: ID { ID(pid: pid, channel: channel, begin: begin.timestamp) }

    /// Open ranges of one channel a task may hold. The kernel nests them
    /// one or two deep (a huge PMD split inside a zap, InvalidationTracker);
    /// a trace that shows every __mmu_notifier_invalidate_range_start but no
    /// _end would otherwise pile up one open range per invalidation for as
    /// long as the task lives: memory growing with the trace, and every
    /// sleep's report listing each of them as open.
    public static let nestingLimit = 8

    public struct ID: Sendable, Hashable {
        public var pid: Int32
        public var channel: String
        public var begin: UInt64
    }

    public var duration: UInt64? {
        guard let finish, finish.timestamp >= begin.timestamp else { return nil }
        return finish.timestamp - begin.timestamp
    }

    /// enum mmu_notifier_event names (include/linux/mmu_notifier.h, 6.1).
    public static func eventName(_ value: Int64?) -> String {
        let names = ["MMU_NOTIFY_UNMAP", "MMU_NOTIFY_CLEAR", "MMU_NOTIFY_PROTECTION_VMA",
                     "MMU_NOTIFY_PROTECTION_PAGE", "MMU_NOTIFY_SOFT_DIRTY", "MMU_NOTIFY_RELEASE",
                     "MMU_NOTIFY_MIGRATE", "MMU_NOTIFY_EXCLUSIVE"]
        guard let value else { return "unknown" }
        return value >= 0 && value < names.count ? names[Int(value)] : "event \(value)"
    }

    public var rangeText: String {
        guard let start, let end else { return "range unknown" }
        return "[0x\(String(start, radix: 16)), 0x\(String(end, radix: 16)))"
    }
}

/// Why an open begin was given up on without an end.
public enum AbandonCause: Sendable, Hashable {
    /// The tlb gather that enclosed it ended first: the kernel's own abort
    /// after a failed mmu_notifier_invalidate_range_start_nonblock()
    /// (mm/oom_kill.c __oom_reap_task_mm: tlb_finish_mmu, no range end).
    case enclosingGatherEnded
    /// The task exited (switched out dead) with the range open.
    case taskExited
    /// More ranges of its channel began in the task, none of them ending,
    /// than the kernel ever nests (InvalidateRange.nestingLimit): a
    /// channel whose ends are not traced, or begins without ends.
    case outnumbered
}

/// tlb_gather_mmu .. tlb_finish_mmu in one task.
public struct TLBGather: Sendable, Hashable {
    public var pid: Int32
    public var begin: EvidenceEvent
}

/// A lock the task holds (from lock.acquire .. lock.release).
public struct LockHold: Sendable, Hashable {
    public var lock: UInt64?
    public var kind: LockKind
    public var label: String?
    public var begin: EvidenceEvent
}

extension LockKind: Codable {}
