import TraceInput
import TraceModel

/// What makes one sleep point atomic: the rule's knowledge of the kernel,
/// apart from the bookkeeping of episodes (AtomicSleep.swift).
///
/// A sleep is judged by what the task holds and by the context in which it
/// gives up the CPU: a sleeping function's entry (the function tracers) or
/// the switch itself, each kind of event against its own normal context
/// (ContextBaselines, learned from the trace). Not by the context of a lock
/// wait's contention_begin: the lock's own slow path sets that (the mutex
/// emits it at depth 1 before and depth 2 under its wait_lock, the rwsem
/// with irqs off under raw_spin_lock_irq; kernel/locking/mutex.c, rwsem.c)
/// and undoes it before schedule(), so it says nothing of the caller. What
/// the task holds while it waits still counts.
enum SleepJudgement {
    /// What the task holds that makes any sleep atomic: a spinlock, or a
    /// span the rules file declares atomic. On PREEMPT_RT a spinlock_t is an
    /// rtmutex: waiting for another while holding one is the normal nesting
    /// of spinlock_t's there (TASK_RTLOCK_WAIT), not an atomic sleep.
    static func heldReasons(locks: [LockHold], gathers: [TLBGather], ranges: [InvalidateRange],
                            rtLockWait: Bool, model: TraceModel) -> [AtomicReason] {
        var reasons: [AtomicReason] = []
        if !(rtLockWait && model.preemptRT) {
            for lock in locks where lock.kind == .spin {
                reasons.append(.spinlockHeld(lock.label ?? lock.lock.map { "0x" + String($0, radix: 16) } ?? "?"))
            }
        }
        guard model.declaresAtomicSpans else { return reasons }
        let atomic = model.bindings.atomicSpans
        if atomic.contains(.tlbGather), !gathers.isEmpty { reasons.append(.atomicSpan("a tlb gather")) }
        if atomic.contains(.invalidate), let r = ranges.last { reasons.append(.atomicSpan("invalidation \(r.rangeText)")) }
        if atomic.contains(.lock), let l = locks.last { reasons.append(.atomicSpan("lock \(l.label ?? "?")")) }
        return reasons
    }

    static func heldReasons(_ p: SleepPoint, model: TraceModel) -> [AtomicReason] {
        heldReasons(locks: p.heldLocks, gathers: p.openGathers, ranges: p.openRanges, rtLockWait: p.isRTLockWait,
                    model: model)
    }

    /// Whether `context` of an event of kind slot `slot` is more atomic than
    /// the kind's floor (as far as known now: floors only go down). Cheap:
    /// asked of every switch-out.
    static func exceeds(_ context: ExecutionContext, slot: Int, rtLockWait: Bool, model: TraceModel) -> Bool {
        // An rtlock wait on PREEMPT_RT is a sleep in the lock's own context
        // (TASK_RTLOCK_WAIT), legal from any task context (softirq threads).
        if rtLockWait && model.preemptRT { return false }
        guard let floor = model.floor(slot: slot) else { return false }
        return floor.isExceeded(by: context)
            || (model.preemptRT && !rtLockWait && context.migrationDepth > floor.migrationDepth)
    }

    /// The ways a point's context is more atomic than its kind's final floor.
    /// Whether a point's context is judged at all (see above: a lock
    /// wait's is not).
    static func judgesContext(_ how: SleepKind) -> Bool {
        if case .sleepingLock = how { return false }
        return true
    }

    static func contextReasons(_ p: SleepPoint, model: TraceModel) -> [AtomicReason] {
        guard judgesContext(p.how) else { return [] }
        if p.isRTLockWait && model.preemptRT { return [] }
        guard let floor = model.baselines.floor(p.eventKey) else { return [] }
        var reasons = floor.excess(of: p.context)
        if model.preemptRT, !p.isRTLockWait, p.context.migrationDepth > floor.migrationDepth {
            reasons.append(.migrationDisabled(depth: p.context.migrationDepth))
        }
        return reasons
    }

    /// A context no running task can have: every hard and soft irq bit set
    /// with the preempt depth saturated is what ftrace prints for a
    /// preempt_count that went below zero (e.g. a spin_unlock after the
    /// kernel reset the count on "BUG: scheduling while atomic",
    /// kernel/sched/core.c schedule_debug). A sleep seen in it says the
    /// count is wrong, not that this task did wrong.
    static func isCorrupt(_ c: ExecutionContext) -> Bool {
        c.isKnown && c.preemptDepth == 0xf && c.flags.contains(.hardirq) && c.flags.contains(.softirq)
    }
}
