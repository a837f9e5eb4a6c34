import TraceInput

/// The context each kind of event normally fires in, learned from the trace
/// itself. The kernel does not record the same preempt count for every
/// event: a tracepoint's count is corrected for the tracepoint's own
/// preempt_disable (kernel/trace/trace.h tracing_gen_ctx_dec), the function
/// tracer's is not (its recursion guard disables preemption), sched_switch
/// fires under the runqueue lock with interrupts off. So "preempt depth above
/// normal" must be judged per event kind: the floor is the lowest depth, and
/// irqs-off / irq context count only if the kind was also seen without them.
public struct ContextFloor: Sendable, Hashable {
    public var preemptDepth: Int
    /// The lowest migrate-disable depth (ExecutionContext.migrationDepth).
    public var migrationDepth: Int
    public var alwaysIrqsOff: Bool
    public var alwaysHardirq: Bool
    public var alwaysSoftirq: Bool
    public var samples: Int

    init(_ c: ExecutionContext, times: Int = 1) {
        preemptDepth = c.preemptDepth
        migrationDepth = c.migrationDepth
        alwaysIrqsOff = c.flags.contains(.irqsOff)
        alwaysHardirq = c.flags.contains(.hardirq)
        alwaysSoftirq = c.flags.contains(.softirq)
        samples = times
    }

    mutating func add(_ c: ExecutionContext, times: Int = 1) {
        preemptDepth = min(preemptDepth, c.preemptDepth)
        migrationDepth = min(migrationDepth, c.migrationDepth)
        alwaysIrqsOff = alwaysIrqsOff && c.flags.contains(.irqsOff)
        alwaysHardirq = alwaysHardirq && c.flags.contains(.hardirq)
        alwaysSoftirq = alwaysSoftirq && c.flags.contains(.softirq)
        samples += times
    }

    /// Whether `c` is more atomic than this kind's normal context in any way
    /// (`excess(of:)` is not empty), asked of every sleep: without building
    /// the reasons.
    public func isExceeded(by c: ExecutionContext) -> Bool {
        c.preemptDepth > preemptDepth || (c.flags.contains(.irqsOff) && !alwaysIrqsOff)
            || (c.flags.contains(.hardirq) && !alwaysHardirq) || (c.flags.contains(.softirq) && !alwaysSoftirq)
    }

    /// Ways `c` is more atomic than this kind's normal context.
    public func excess(of c: ExecutionContext) -> [AtomicReason] {
        var reasons: [AtomicReason] = []
        if c.preemptDepth > preemptDepth {
            reasons.append(.preemptDepth(depth: c.preemptDepth, baseline: preemptDepth))
        }
        if c.flags.contains(.irqsOff) && !alwaysIrqsOff { reasons.append(.irqsOff) }
        if c.flags.contains(.hardirq) && !alwaysHardirq { reasons.append(.hardirq) }
        if c.flags.contains(.softirq) && !alwaysSoftirq { reasons.append(.softirq) }
        return reasons
    }
}

/// Why a context is atomic. The description is what a report says.
public enum AtomicReason: Sendable, Hashable, CustomStringConvertible {
    case preemptDepth(depth: Int, baseline: Int)
    case irqsOff
    case hardirq
    case softirq
    case spinlockHeld(String)
    case nonBlockableInvalidation(String)
    case atomicSpan(String)
    /// PREEMPT_RT: migration disabled at a voluntary sleep that is no rtlock
    /// wait: a spinlock_t / rwlock_t / local_lock is held, which implies an
    /// RCU read-side section (kernel/locking/spinlock_rt.c), where a
    /// voluntary sleep is the bug RCU warns of ("Voluntary context switch
    /// within RCU read-side critical section").
    case migrationDisabled(depth: Int)

    public var description: String {
        switch self {
        case .preemptDepth(let d, let b): return "preempt depth \(d) above the baseline \(b)"
        case .irqsOff: return "irqs off"
        case .hardirq: return "in hard irq context"
        case .softirq: return "in softirq context"
        case .spinlockHeld(let l): return "spinlock \(l) held"
        case .nonBlockableInvalidation(let r): return "inside a non-blockable mmu_notifier invalidation \(r)"
        case .atomicSpan(let s): return "inside \(s), which the rules declare atomic"
        case .migrationDisabled(let d):
            return "migration disabled (depth \(d)) outside any rtlock wait: a spinlock_t held on PREEMPT_RT"
        }
    }

    /// Known from events (locks, spans) rather than the context flags.
    public var isFromEvents: Bool {
        switch self {
        case .spinlockHeld, .nonBlockableInvalidation, .atomicSpan: return true
        case .preemptDepth, .irqsOff, .hardirq, .softirq, .migrationDisabled: return false
        }
    }

    /// A stable word for signatures (no numbers, no addresses).
    public var kind: String {
        switch self {
        case .preemptDepth: return "preempt-depth"
        case .irqsOff: return "irqs-off"
        case .hardirq: return "hardirq"
        case .softirq: return "softirq"
        case .spinlockHeld: return "spinlock-held"
        case .nonBlockableInvalidation: return "non-blockable-invalidation"
        case .atomicSpan: return "atomic-span"
        case .migrationDisabled: return "migrate-disabled"
        }
    }
}

/// Floors for every event kind seen so far. Each kind has a slot (`slot(for:)`,
/// looked up once per kind by the model), so observing an event costs no
/// hashing of its key.
public struct ContextBaselines: Sendable {
    private var slots: [EventKey: Int] = [:]
    private var floors: [ContextFloor?] = []

    public init() {}

    mutating func slot(for key: EventKey) -> Int {
        if let i = slots[key] { return i }
        slots[key] = floors.count
        floors.append(nil)
        return floors.count - 1
    }

    mutating func observe(_ key: EventKey, _ c: ExecutionContext) {
        observe(slot: slot(for: key), c)
    }

    @inline(__always)
    mutating func observe(slot: Int, _ c: ExecutionContext, times: Int = 1) {
        guard c.isKnown else { return }
        if floors[slot] == nil { floors[slot] = ContextFloor(c, times: times) } else { floors[slot]!.add(c, times: times) }
    }

    public func floor(_ key: EventKey) -> ContextFloor? { slots[key].flatMap { floors[$0] } }
    /// The floor of the kind with `slot` (a SleepPoint's `baselineSlot`), without hashing its key.
    public func floor(slot: Int) -> ContextFloor? { slot >= 0 && slot < floors.count ? floors[slot] : nil }
}
