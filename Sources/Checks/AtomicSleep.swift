import TraceInput
import TraceModel

/// `atomic-sleep`: a task sleeps while its context is atomic. The kernel's
/// own check is schedule_debug()/__schedule_bug() in kernel/sched/core.c
/// ("BUG: scheduling while atomic") and __might_resched() ("BUG: sleeping
/// function called from invalid context"). Sleeping with preemption or
/// interrupts disabled, in irq context, or holding a spinlock can deadlock
/// the CPU; mmu_notifier callbacks of non-blockable ranges must not sleep
/// at all (include/linux/mmu_notifier.h, mmu_notifier_range_blockable).
///
/// One violation per sleep episode: everything a task did from the first
/// sign of sleeping until it ran again (the call to msleep, the call to
/// schedule, the switch out) is one sleep, reported once with all of it as
/// evidence. Judged at the end of the trace, once the per-event-kind
/// baselines (ContextBaseline) are known.
public final class AtomicSleep: Check {
    public static let info = RuleInfo(
        id: "atomic-sleep",
        title: "Sleep in atomic context",
        rationale: "A task must not sleep with preemption or interrupts disabled, in irq context, "
            + "holding a spinlock, or inside a non-blockable mmu_notifier invalidation "
            + "(kernel/sched/core.c __schedule_bug, __might_resched; include/linux/mmu_notifier.h).",
        needs: "sched:sched_switch; more evidence from the function tracer on sleeping functions, "
            + "lock:contention_begin, and lock events bound in a rules file")

    private struct Episode {
        var points: [SleepPoint]
    }

    /// Episodes not yet ended, per task.
    private var open: [Int32: Episode] = [:]
    /// Ended episodes that may be violations (judged in finish).
    private var candidates: [Episode] = []
    public private(set) var violations: [Violation] = []
    /// Non-blockable invalidations that really ran (their end came).
    private var startedNonBlockable: Set<InvalidateRange.ID> = []

    public init() {}

    public func skipReason(model: TraceModel) -> String? {
        model.sawTaskSwitches ? nil
            : "the trace has no sched:sched_switch events, so no sleep can be seen "
              + "(record with: trace-cmd record -e sched:sched_switch ...)"
    }

    public func observe(_ happening: Happening, model: TraceModel) {
        switch happening {
        case .sleep(let point):
            open[point.pid, default: Episode(points: [])].points.append(point)
            // A switch out ends the episode: the task is off the CPU.
            if case .switchedOut = point.how { close(point.pid, model: model) }
        case .switchedIn(let pid, _, _):
            close(pid, model: model)
        case .invalidationEnded(let r) where r.blockable == false:
            startedNonBlockable.insert(r.id)
        default:
            break
        }
    }

    private func close(_ pid: Int32, model: TraceModel) {
        guard let episode = open.removeValue(forKey: pid) else { return }
        // Keep it only if something could make it atomic: a held reason now,
        // or a context above the lowest seen so far (floors only go down).
        let possible = episode.points.contains { p in
            !p.heldReasons.isEmpty || !p.openNonBlockable.isEmpty || !(model.baselines.floor(p.eventKey)?.excess(of: p.context).isEmpty ?? true)
        }
        if possible { candidates.append(episode) }
    }

    public func finish(model: TraceModel) {
        for pid in Array(open.keys) { close(pid, model: model) }
        for episode in candidates {
            if let v = judge(episode, model: model) { violations.append(v) }
        }
    }

    private func judge(_ episode: Episode, model: TraceModel) -> Violation? {
        var reasons: [AtomicReason] = []
        for p in episode.points {
            let excess = model.baselines.floor(p.eventKey)?.excess(of: p.context) ?? []
            let nonBlockable = p.openNonBlockable.filter { startedNonBlockable.contains($0.id) }
                .map { AtomicReason.nonBlockableInvalidation($0.rangeText) }
            for r in p.heldReasons + nonBlockable + excess where !reasons.contains(r) { reasons.append(r) }
        }
        guard !reasons.isEmpty, let first = episode.points.first, let last = episode.points.last else {
            return nil
        }
        let how = episode.points.map(\.how.description)
        // Only reasons that events show (locks, spans) go into the signature:
        // the context flags are missing from some sources (report text
        // without -l), and the same sleep must match across sources.
        let reasonKinds = Set(reasons.filter(\.isFromEvents).map(\.kind)).sorted()
        let openContext = first.openSpans.map { "\($0.event) \($0.text)" }
            + ["preempt depth \(last.context.preemptDepth)"]
        return Violation(
            rule: Self.info.id, severity: .error, timestamp: first.evidence.timestamp,
            cpu: first.evidence.cpu, pid: first.pid, comm: first.comm,
            message: "\(first.comm)-\(first.pid) slept while atomic: "
                + reasons.map(\.description).joined(separator: ", ")
                + " (it " + dedup(how).joined(separator: ", then ") + ")",
            signature: ([Self.info.id, Violation.stableComm(first.comm), first.how.kind, last.how.kind]
                        + reasonKinds).joined(separator: "|"),
            evidence: (first.openSpans + episode.points.map(\.evidence)).sorted { $0.timestamp < $1.timestamp },
            openContext: openContext)
    }

    private func dedup(_ items: [String]) -> [String] {
        var out: [String] = []
        for i in items where out.last != i { out.append(i) }
        return out
    }
}
