import TraceInput

/// How a task went to sleep.
public enum SleepKind: Sendable, Hashable {
    /// sched_switch with a sleeping prev_state ("S", "D", …).
    case switchedOut(state: String)
    /// Entered a function that sleeps (the sleep role).
    case sleepingFunction(String)
    /// Contended on a sleeping lock (lock:contention_begin without LCB_F_SPIN),
    /// with the event's LCB_F_* flags where it has them.
    case sleepingLock(String, flags: UInt64?)

    public var description: String {
        switch self {
        case .switchedOut(let s): return "switched out in state \(s)"
        case .sleepingFunction(let f): return "called \(f)"
        case .sleepingLock(let l, let flags?): return "waited for the sleeping lock \(l) (\(LockFlags.describe(flags)))"
        case .sleepingLock(let l, nil): return "waited for the sleeping lock \(l)"
        }
    }

    /// Stable words for signatures.
    public var kind: String {
        switch self {
        case .switchedOut(let s): return "switch-\(s)"
        case .sleepingFunction(let f): return "call-\(f)"
        case .sleepingLock: return "sleeping-lock"
        }
    }
}

/// A moment a task sleeps, with what it had open right then: whether that
/// made the sleep atomic is the check's judgement (Checks/AtomicSleep.swift).
///
/// A class: a point goes to every observer and into the check's episodes,
/// and each copy of a struct this size retained its strings and arrays.
public final class SleepPoint: Sendable {
    public let pid: Int32
    public let comm: String
    public let how: SleepKind
    public let eventKey: EventKey
    /// `eventKey`'s slot in the model's ContextBaselines (`floor(slot:)`).
    public let baselineSlot: Int
    public let context: ExecutionContext
    public let evidence: EvidenceEvent
    /// What the task had open then, as the task held it: arrays shared, not
    /// copied, since a task may hold many (a channel whose ends are not
    /// traced) and nearly every sleep is dropped unread.
    public let openRanges: [InvalidateRange]
    public let openGathers: [TLBGather]
    public let heldLocks: [LockHold]
    /// The LCB_F_* flags of the lock wait the task was in, if any
    /// (lock.contend.begin, not ended).
    public let contendingFlags: UInt64?

    public init(pid: Int32, comm: String, how: SleepKind, eventKey: EventKey, baselineSlot: Int,
                context: ExecutionContext, evidence: EvidenceEvent, openRanges: [InvalidateRange],
                openGathers: [TLBGather], heldLocks: [LockHold], contendingFlags: UInt64? = nil) {
        self.pid = pid
        self.comm = comm
        self.how = how
        self.eventKey = eventKey
        self.baselineSlot = baselineSlot
        self.context = context
        self.evidence = evidence
        self.openRanges = openRanges
        self.openGathers = openGathers
        self.heldLocks = heldLocks
        self.contendingFlags = contendingFlags
    }

    /// Non-blockable invalidations open in the task. They make the sleep
    /// atomic only if they really started: a failed start_nonblock (-EAGAIN)
    /// never ends, so the check counts the ones that ended.
    public var openNonBlockable: [InvalidateRange] { openRanges.filter { $0.blockable == false } }
    public var hasOpenNonBlockable: Bool { openRanges.contains { $0.blockable == false } }
    /// The task was waiting for an rtmutex-based lock (LCB_F_RT): on
    /// PREEMPT_RT a legal sleep, whatever spinlock_t's it holds.
    public var isRTLockWait: Bool {
        if case .sleepingLock(_, let flags?) = how, LockFlags.isRTWait(flags) { return true }
        return contendingFlags.map(LockFlags.isRTWait) ?? false
    }
    /// The spans open in the task then (for the report's open context).
    public var openSpans: [EvidenceEvent] {
        openRanges.map(\.begin) + openGathers.map(\.begin) + heldLocks.map(\.begin)
    }
}

/// A task switching out asleep, as an observer is asked about it before
/// a SleepPoint is made: what the task holds, read by the model (an
/// observer in another module reading TaskState's fields one by one paid a
/// dynamic exclusivity check for each, on every switch).
public struct SwitchOut {
    public let pid: Int32
    public let context: ExecutionContext
    /// The sched_switch kind's slot in the model's ContextBaselines.
    public let baselineSlot: Int
    public let heldLocks: [LockHold]
    public let openGathers: [TLBGather]
    public let openRanges: [InvalidateRange]
    public let contendingFlags: UInt64?
}

/// What the model tells the checks as it rebuilds the trace.
public enum Happening: Sendable {
    case sleep(SleepPoint)
    /// `pid` leaves `cpu` (sleeping or preempted): what ran there until now,
    /// which a timeline needs for the stretch before a CPU's first switch.
    case switchedOut(pid: Int32, comm: String, cpu: Int, timestamp: UInt64)
    /// `pid` runs again on `cpu` (ends a sleep).
    case switchedIn(pid: Int32, cpu: Int, timestamp: UInt64)
    case invalidationBegan(InvalidateRange)
    /// A begin closed by its end (`finish` set).
    case invalidationEnded(InvalidateRange)
    /// An open begin given up on: its end will not come.
    case invalidationAbandoned(InvalidateRange, cause: AbandonCause)
    /// A range whose start failed (`startFailed`), once it ended (`ended`:
    /// its end came, so the notifier has one) or was given up on; told
    /// besides the ended/abandoned happening, to those that read only these.
    case invalidationStartFailed(InvalidateRange, ended: Bool)
    /// An end whose range is not the open begin's.
    case invalidationMismatched(open: InvalidateRange, end: EvidenceEvent, endStart: UInt64?, endEnd: UInt64?)
    /// An end with no open begin in its task. `seenBefore`: the task already
    /// closed a range in that channel, so the begin cannot predate the trace.
    case invalidationWithoutBegin(end: EvidenceEvent, mm: UInt64?, channel: String, seenBefore: Bool)
    /// tlb_gather_mmu .. tlb_finish_mmu closed (for timelines and latencies).
    case tlbGatherEnded(TLBGather, end: EvidenceEvent)
    /// A held lock released (lock.acquire .. lock.release).
    case lockReleased(LockHold, release: EvidenceEvent)
    /// A wait for a lock ended (lock.contend.begin .. end); `lock` is its
    /// address, `flags` the begin's LCB_F_* flags (the lock's type).
    case lockContentionEnded(begin: EvidenceEvent, end: EvidenceEvent, lock: UInt64?, flags: UInt64?)
}

extension Happening {
    /// Its case, as the kinds an observer reads are named.
    public var kind: HappeningKinds {
        switch self {
        case .sleep: return .sleep
        case .switchedOut: return .switchedOut
        case .switchedIn: return .switchedIn
        case .invalidationBegan: return .invalidationBegan
        case .invalidationEnded: return .invalidationEnded
        case .invalidationAbandoned: return .invalidationAbandoned
        case .invalidationStartFailed: return .invalidationStartFailed
        case .invalidationMismatched: return .invalidationMismatched
        case .invalidationWithoutBegin: return .invalidationWithoutBegin
        case .tlbGatherEnded: return .tlbGatherEnded
        case .lockReleased: return .lockReleased
        case .lockContentionEnded: return .lockContentionEnded
        }
    }
}

/// Which happenings an observer reads: the model tells each happening only
/// to the observers that read its kind (every observer called for every
/// happening copied it into each, and most return at once).
public struct HappeningKinds: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let sleep = HappeningKinds(rawValue: 1 << 0)
    public static let switchedOut = HappeningKinds(rawValue: 1 << 1)
    public static let switchedIn = HappeningKinds(rawValue: 1 << 2)
    public static let invalidationBegan = HappeningKinds(rawValue: 1 << 3)
    public static let invalidationEnded = HappeningKinds(rawValue: 1 << 4)
    public static let invalidationAbandoned = HappeningKinds(rawValue: 1 << 5)
    public static let invalidationMismatched = HappeningKinds(rawValue: 1 << 6)
    public static let invalidationWithoutBegin = HappeningKinds(rawValue: 1 << 7)
    public static let tlbGatherEnded = HappeningKinds(rawValue: 1 << 8)
    public static let lockReleased = HappeningKinds(rawValue: 1 << 9)
    public static let lockContentionEnded = HappeningKinds(rawValue: 1 << 10)
    public static let invalidationStartFailed = HappeningKinds(rawValue: 1 << 11)
    public static let all = HappeningKinds(rawValue: (1 << 12) - 1)
    /// How many kinds there are (bits of `all`).
    static let count = 12
    /// A single kind's bit number (the model's index of its observers).
    var position: Int { rawValue.trailingZeroBitCount }
}

/// Checks watch the model through this.
public protocol ModelObserver: AnyObject {
    func observe(_ happening: Happening, model: TraceModel)
    /// After the last event: open spans, final baselines.
    func finish(model: TraceModel)
    /// The happenings it reads (all unless it says otherwise); it is told
    /// no others. When no observer reads `.switchedOut`, the model also skips
    /// decoding both tasks' names on every sched_switch (CPUTimeline.currentComm).
    var observedHappenings: HappeningKinds { get }
    /// Whether it needs to hear of `task` switching out asleep in
    /// `context` (a sched_switch of kind slot `baselineSlot`): true unless
    /// it says otherwise. Most switch-outs are plain sleeps; when no
    /// observer of sleeps needs one, the model makes no SleepPoint. Asked at
    /// the moment of the switch-out, which an observer answering false may
    /// act on as if told (the model tells it nothing more of it, unless
    /// another observer needs the sleep).
    func needsSwitchOut(_ s: SwitchOut, model: TraceModel) -> Bool
    /// Whether it needs to hear that `pid` runs again (`.switchedIn`), for an
    /// observer that reads switch-ins: true unless it says otherwise. One
    /// that answers false must have had nothing to do with it.
    func needsSwitchIn(of pid: Int32) -> Bool
}

extension ModelObserver {
    public var observedHappenings: HappeningKinds { .all }
    public func needsSwitchOut(_ s: SwitchOut, model: TraceModel) -> Bool { true }
    public func needsSwitchIn(of pid: Int32) -> Bool { true }
}
