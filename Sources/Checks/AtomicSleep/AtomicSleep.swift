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
    public static let needs = RuleNeeds(
        rule: info.id, events: [EventKey("sched", "sched_switch")], requiredRoles: [],
        optionalRoles: [.sleep, .lockContendBegin, .lockContendEnd, .lockAcquire, .lockRelease,
                        .invalidateBegin, .invalidateEnd, .tlbGatherBegin, .tlbGatherEnd])

    /// A sleep point with the reasons its task's open state gave right
    /// then (held spinlocks, spans the rules declare atomic).
    private struct Point {
        var sleep: SleepPoint
        var held: [AtomicReason]
    }

    private struct Episode {
        var points: [Point]
    }

    /// What decides an episode's judgement and signature, without what
    /// varies between repeats of one bug (pids, timestamps, addresses):
    /// every member of a class is judged alike at the end, so beyond the
    /// first `ViolationLog.keptPerSignature` only a count is kept.
    private struct EpisodeClass: Hashable {
        struct Point: Hashable {
            /// The kind's baseline slot: one per event kind, and an Int
            /// hashes where an EventKey hashed two strings.
            var baselineSlot: Int
            var context: ExecutionContext
            var rtLockWait: Bool
            var judgesContext: Bool
        }
        var comm: String
        var firstHow: String
        var lastHow: String
        var points: Set<Point>
        var heldKinds: Set<String>

        /// nil for an episode inside a non-blockable invalidation: whether
        /// that counts depends on the range (did its start succeed), so such
        /// episodes are always kept in full.
        init?(_ episode: Episode, stableComm: (String) -> String) {
            guard let first = episode.points.first?.sleep, let last = episode.points.last?.sleep,
                  !episode.points.contains(where: \.sleep.hasOpenNonBlockable) else { return nil }
            comm = stableComm(first.comm)
            firstHow = first.how.kind
            lastHow = last.how.kind
            points = Set(episode.points.map {
                Point(baselineSlot: $0.sleep.baselineSlot, context: $0.sleep.context, rtLockWait: $0.sleep.isRTLockWait,
                      judgesContext: SleepJudgement.judgesContext($0.sleep.how))
            })
            heldKinds = Set(episode.points.flatMap { $0.held.map(\.kind) })
        }
    }

    /// Occurrences of a class beyond those kept in full.
    private struct ClassTally {
        var kept = 0
        var rest: FoldedViolations?

        /// Counts one more ended episode of the class: true if it is kept
        /// in full, else it is folded (`started`: the first one folded).
        mutating func admit(timestamp: UInt64, started: inout Bool, fold: () -> FoldedViolations) -> Bool {
            if kept < ViolationLog.keptPerSignature {
                kept += 1
                return true
            }
            if rest == nil {
                rest = fold()
                started = true
            } else {
                rest!.add(timestamp: timestamp)
            }
            return false
        }
    }

    /// `Violation.stableComm` of the last name asked: episodes of one
    /// workload mostly share their task's name.
    @exclusivity(unchecked) private var lastComm = (comm: "", stable: "")
    private func stableComm(_ comm: String) -> String {
        if lastComm.comm != comm { lastComm = (comm, Violation.stableComm(comm)) }
        return lastComm.stable
    }

    // Checks observe the model on its one thread: @exclusivity(unchecked)
    // drops the runtime access checks (swift_beginAccess in perf).
    /// Episodes not yet ended, per task.
    @exclusivity(unchecked) private var open: [Int32: Episode] = [:]
    /// Ended episodes that may be violations (judged in finish), in full.
    @exclusivity(unchecked) private var candidates: [Episode] = []
    /// Ended candidate episodes per class; classes in order of first fold.
    @exclusivity(unchecked) private var classes: [EpisodeClass: ClassTally] = [:]
    @exclusivity(unchecked) private var foldedClasses: [EpisodeClass] = []
    @exclusivity(unchecked) private var log = ViolationLog()
    public var violations: [Violation] { log.kept }
    public var folded: [FoldedViolations] { log.folded }
    /// Non-blockable invalidations that really ran (their end came).
    @exclusivity(unchecked) private var startedNonBlockable: Set<InvalidateRange.ID> = []

    public init() {}

    public var observedHappenings: HappeningKinds { [.sleep, .switchedIn, .invalidationEnded] }

    /// A switch-in matters only as the end of an episode still open.
    public func needsSwitchIn(of pid: Int32) -> Bool { !open.isEmpty && open[pid] != nil }

    /// A switch-out matters if something held makes it atomic, if its
    /// context is above its kind's floor so far (floors only go down), or
    /// as the end of an episode already open that could be atomic (its
    /// evidence). Otherwise the point itself adds no reason: an episode it
    /// ends is dropped here, and the model makes no SleepPoint for it.
    public func needsSwitchOut(_ s: SwitchOut, model: TraceModel) -> Bool {
        let rtWait = s.contendingFlags.map(LockFlags.isRTWait) ?? false
        if (!s.heldLocks.isEmpty || model.declaresAtomicSpans)
            && !SleepJudgement.heldReasons(locks: s.heldLocks, gathers: s.openGathers, ranges: s.openRanges,
                                           rtLockWait: rtWait, model: model).isEmpty
            || s.openRanges.contains(where: { $0.blockable == false })
            || SleepJudgement.exceeds(s.context, slot: s.baselineSlot, rtLockWait: rtWait, model: model) {
            return true
        }
        guard !open.isEmpty, let episode = open[s.pid] else { return false }
        if mayBeAtomic(episode, model: model) { return true }
        open[s.pid] = nil
        return false
    }

    public func skipReason(model: TraceModel) -> String? {
        model.sawTaskSwitches ? nil
            : "the trace has no sched:sched_switch events, so no sleep can be seen "
              + "(record with: trace-cmd record -e sched:sched_switch ...)"
    }

    /// A trace whose switches carry no context (text without latency
    /// columns: `trace-cmd report -N`, tracefs with irq-info off) cannot
    /// show a sleep with preemption or interrupts disabled.
    public func limits(model: TraceModel) -> String? {
        guard model.sawTaskSwitches, model.baselines.floor(EventKey("sched", "sched_switch")) == nil else { return nil }
        return "the trace gives no preempt depth or irqs-off flags (text without latency columns, as "
            + "`trace-cmd report -N` or tracefs with irq-info off print), so sleeps with preemption or "
            + "interrupts disabled cannot be judged, only those under held locks or in non-blockable "
            + "invalidations (analyze the trace.dat, or `trace-cmd report -l` text)"
    }

    public func observe(_ happening: Happening, model: TraceModel) {
        switch happening {
        case .sleep(let sleep):
            let point = Point(sleep: sleep, held: SleepJudgement.heldReasons(sleep, model: model))
            if case .switchedOut = sleep.how {
                // A switch out ends the episode: the task is off the CPU.
                var episode = open.removeValue(forKey: sleep.pid) ?? Episode(points: [])
                episode.points.append(point)
                close(episode, model: model)
            } else {
                open[sleep.pid, default: Episode(points: [])].points.append(point)
            }
        case .switchedIn(let pid, _, _):
            // Nearly every switch in ends no episode: no hashing then.
            if !open.isEmpty, let episode = open.removeValue(forKey: pid) { close(episode, model: model) }
        case .invalidationEnded(let r) where r.blockable == false:
            startedNonBlockable.insert(r.id)
        default:
            break
        }
    }

    /// Something could make the episode atomic: a held reason now, or a
    /// context above the lowest seen so far (floors only go down).
    private func mayBeAtomic(_ episode: Episode, model: TraceModel) -> Bool {
        episode.points.contains { p in
            !p.held.isEmpty || p.sleep.hasOpenNonBlockable
                || SleepJudgement.judgesContext(p.sleep.how) && SleepJudgement.exceeds(p.sleep.context, slot: p.sleep.baselineSlot,
                                          rtLockWait: p.sleep.isRTLockWait, model: model)
        }
    }

    private func close(_ episode: Episode, model: TraceModel) {
        // Kept only if it may be atomic.
        guard mayBeAtomic(episode, model: model) else { return }
        guard let key = EpisodeClass(episode, stableComm: stableComm) else {
            candidates.append(episode)
            return
        }
        // One lookup of the class, updated in place.
        let timestamp = episode.points[0].sleep.evidence.timestamp
        var started = false
        let keep = classes[key, default: ClassTally()].admit(timestamp: timestamp, started: &started) {
            FoldedViolations(rule: Self.info.id, severity: .error,
                             signature: Self.signature(comm: key.comm, firstHow: key.firstHow,
                                                       lastHow: key.lastHow, reasonKinds: key.heldKinds),
                             timestamp: timestamp)
        }
        if keep { candidates.append(episode) }
        if started { foldedClasses.append(key) }
    }

    public func finish(model: TraceModel) {
        // In pid order: which episodes of a class are kept in full must not
        // depend on the dictionary's hash seed (random per process).
        for pid in open.keys.sorted() {
            if let episode = open.removeValue(forKey: pid) { close(episode, model: model) }
        }
        // Sleeps seen with a corrupt preempt count are consequences of the
        // violation that corrupted it, not findings of their own.
        var corrupt: [Episode] = []
        var judged: [Violation] = []
        for episode in candidates {
            if episode.points.contains(where: { SleepJudgement.isCorrupt($0.sleep.context) }) {
                corrupt.append(episode)
            } else if let v = judge(episode, model: model) {
                judged.append(v)
            }
        }
        for v in judged { log.add(v) }
        for v in CorruptPreemptCount.findings(corrupt.map { $0.points.map(\.sleep) }, roots: judged) { log.add(v) }
        // A class is a violation when its held locks or spans say so, or
        // when one of its contexts exceeds its kind's final floor.
        for key in foldedClasses {
            guard let rest = classes[key]?.rest else { continue }
            let atomic = !key.heldKinds.isEmpty || key.points.contains {
                $0.judgesContext && !SleepJudgement.isCorrupt($0.context)
                    && SleepJudgement.exceeds($0.context, slot: $0.baselineSlot, rtLockWait: $0.rtLockWait, model: model)
            }
            if atomic { log.fold(rest) }
        }
    }

    /// Only reasons that events show (locks, spans) go into the signature:
    /// the context flags are missing from some sources (report text without
    /// -l), and the same sleep must match across sources.
    private static func signature(comm: String, firstHow: String, lastHow: String, reasonKinds: Set<String>) -> String {
        ([info.id, comm, firstHow, lastHow] + reasonKinds.sorted()).joined(separator: "|")
    }

    /// Open spans with the same event and text said once: the latest
    /// begin, and how many alike began before it. A channel whose ends are
    /// not traced (function_graph on __mmu_notifier_invalidate_range_start
    /// alone) leaves up to InvalidateRange.nestingLimit such begins open.
    static func alike(_ spans: [EvidenceEvent]) -> [(begin: EvidenceEvent, earlier: Int)] {
        var out: [(begin: EvidenceEvent, earlier: Int)] = []
        for e in spans {
            if let i = out.firstIndex(where: { $0.begin.event == e.event && $0.begin.text == e.text }) {
                out[i] = (e.timestamp >= out[i].begin.timestamp ? e : out[i].begin, out[i].earlier + 1)
            } else {
                out.append((e, 0))
            }
        }
        return out
    }

    private func judge(_ episode: Episode, model: TraceModel) -> Violation? {
        var reasons: [AtomicReason] = []
        var nonBlockable: [InvalidateRange] = []
        for point in episode.points {
            let p = point.sleep
            let ranges = p.openNonBlockable.filter { startedNonBlockable.contains($0.id) }
            for r in ranges where !nonBlockable.contains(where: { $0.id == r.id }) { nonBlockable.append(r) }
            let context = SleepJudgement.contextReasons(p, model: model)
            for r in point.held + context where !reasons.contains(r) { reasons.append(r) }
        }
        guard !reasons.isEmpty || !nonBlockable.isEmpty,
              let first = episode.points.first?.sleep, let last = episode.points.last?.sleep else {
            return nil
        }
        let how = dedup(episode.points.map(\.sleep.how.description)).joined(separator: ", then ")
        let reasonKinds = Set((reasons.filter(\.isFromEvents) + nonBlockable.map { .nonBlockableInvalidation($0.rangeText) })
            .map(\.kind))
        let open = Self.alike(first.openSpans)
        let openContext = open.flatMap { o in
            ["\(o.begin.event) \(o.begin.text)"] + (o.earlier > 0 ? ["\(o.earlier) more alike, begun earlier"] : [])
        } + ["preempt depth \(last.context.preemptDepth)"]
        let who = "\(first.comm)-\(first.pid)"
        let message: String
        if let range = nonBlockable.first {
            // Say what it is: mmu_notifier callbacks of a !blockable range
            // must not sleep (include/linux/mmu_notifier.h,
            // mmu_notifier_range_blockable; the OOM reaper's ranges).
            let begun = range.pid == first.pid ? "" : ", begun by \(range.comm)-\(range.pid)"
            message = "\(who) slept inside a non-blockable mmu_notifier invalidation \(range.rangeText) "
                + "(\(InvalidateRange.eventName(range.notifierEvent))\(begun)): "
                + "callbacks of a range that is not blockable must not sleep (it \(how))"
                + (reasons.isEmpty ? "" : "; also " + reasons.map(\.description).joined(separator: ", "))
        } else {
            message = "\(who) slept while atomic: " + reasons.map(\.description).joined(separator: ", ")
                + " (it \(how))"
        }
        return Violation(
            rule: Self.info.id, severity: .error, timestamp: first.evidence.timestamp,
            cpu: first.evidence.cpu, pid: first.pid, comm: first.comm,
            message: message,
            signature: Self.signature(comm: Violation.stableComm(first.comm), firstHow: first.how.kind,
                                      lastHow: last.how.kind, reasonKinds: reasonKinds),
            evidence: (open.map(\.begin) + episode.points.map(\.sleep.evidence)).sorted { $0.timestamp < $1.timestamp },
            openContext: openContext)
    }

    private func dedup(_ items: [String]) -> [String] {
        var out: [String] = []
        for i in items where out.last != i { out.append(i) }
        return out
    }
}
