/// What an event means to the checks, independent of which tracepoint,
/// function-tracer hit or kprobe carried it. Checks speak only of roles; the
/// bindings (built in, or from a rules file) say which concrete events play
/// them. The names are part of the rules-file syntax (docs/rules.md).
public enum Role: String, CaseIterable, Sendable, Hashable {
    /// An mmu_notifier invalidation starts (include/linux/mmu_notifier.h,
    /// mmu_notifier_invalidate_range_start): the secondary MMU must drop its
    /// mappings of the range before `invalidate.end`.
    case invalidateBegin = "invalidate.begin"
    case invalidateEnd = "invalidate.end"
    /// What a notifier's invalidate_range_start returned (`ret`): a kretprobe
    /// on __mmu_notifier_invalidate_range_start ($retval), or a driver's
    /// event. A failed start (-EAGAIN, only allowed when the range is not
    /// blockable) makes the caller skip the unmap (mm/oom_kill.c).
    case invalidateResult = "invalidate.result"
    /// A secondary MMU (KVM, an IOMMU, a device TLB) maps / drops a range.
    case secondaryMap = "secondary.map"
    case secondaryUnmap = "secondary.unmap"
    /// tlb_gather_mmu .. tlb_finish_mmu (mm/mmu_gather.c).
    case tlbGatherBegin = "tlb.gather.begin"
    case tlbGatherEnd = "tlb.gather.end"
    case tlbFlush = "tlb.flush"
    /// A lock taken / released (its address in `lock`).
    case lockAcquire = "lock.acquire"
    case lockRelease = "lock.release"
    /// Waiting for a lock (lock:contention_begin/end, Linux 5.19+).
    case lockContendBegin = "lock.contend.begin"
    case lockContendEnd = "lock.contend.end"
    case pageFree = "page.free"
    /// The task enters a function that may sleep (msleep, mutex_lock, …).
    case sleep = "sleep"
}

/// Values a binding extracts from an event for its role.
public struct RoleArguments: Sendable, Hashable {
    /// The mm_struct address the event concerns.
    public var mm: UInt64?
    /// Virtual address range [start, end).
    public var start: UInt64?
    public var end: UInt64?
    /// enum mmu_notifier_event (MMU_NOTIFY_UNMAP = 0, …).
    public var notifierEvent: Int64?
    /// mmu_notifier_range_blockable(); nil when the event does not say.
    public var blockable: Bool?
    /// Lock address, for the lock roles.
    public var lock: UInt64?
    /// lock:contention_begin flags (LCB_F_*), or a rules file's kind.
    public var lockFlags: UInt64?
    /// What the event names: a function (function tracer), a lock symbol.
    public var label: String?
    /// A return value (invalidate.result: 0, or -errno).
    public var ret: Int64?

    public init() {}

    /// The range length, when both ends are known.
    public var length: UInt64? {
        guard let start, let end, end >= start else { return nil }
        return end - start
    }
}
