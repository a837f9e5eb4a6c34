import TraceInput
import TraceModel

/// `unbalanced-invalidation`: every mmu_notifier_invalidate_range_start()
/// must be followed by mmu_notifier_invalidate_range_end() on the same range
/// (include/linux/mmu_notifier.h; the notifier's invalidate_range_end
/// callback releases what _start took, e.g. KVM's mmu_invalidate_in_progress
/// count in virt/kvm/kvm_main.c, which blocks faults until it drops to zero).
/// Matched per task and channel (the same probe or driver), and per mm when
/// the events carry it. A span cut by the trace's edges (still open at the
/// end, or closed before any begin was seen) is a note, not an error.
public final class UnbalancedInvalidation: Check {
    public static let info = RuleInfo(
        id: "unbalanced-invalidation",
        title: "Unbalanced mmu_notifier invalidation",
        rationale: "invalidate_range_start and invalidate_range_end come in pairs over the same "
            + "range (include/linux/mmu_notifier.h); a missing end leaves secondary MMUs blocked.",
        needs: "invalidate.begin and invalidate.end: kprobes or the function tracer on "
            + "__mmu_notifier_invalidate_range_start/_end, or a driver's events bound in a rules file")
    public static let needs = RuleNeeds(rule: info.id, events: [],
                                        requiredRoles: [.invalidateBegin, .invalidateEnd], optionalRoles: [])

    @exclusivity(unchecked) private var log = ViolationLog()
    public var violations: [Violation] { log.kept }
    public var folded: [FoldedViolations] { log.folded }
    /// Findings per channel, kept until the end: a channel whose ends are
    /// not in the trace at all (function_graph filtered on the _start
    /// function, a kprobe on _start only) cannot be judged. Each channel's
    /// log folds repeats as the final one does (signatures name the channel).
    @exclusivity(unchecked) private var pendingLogs: [String: ViolationLog] = [:]
    @exclusivity(unchecked) private var channelsWithEnds: Set<String> = []
    /// The channel of the last end, which is in `channelsWithEnds`.
    @exclusivity(unchecked) private var lastEndChannel = ""

    public init() {}

    public var observedHappenings: HappeningKinds { [.invalidationEnded, .invalidationMismatched, .invalidationAbandoned, .invalidationWithoutBegin] }

    public func skipReason(model: TraceModel) -> String? {
        let begins = model.roleCounts[.invalidateBegin, default: 0]
        let ends = model.roleCounts[.invalidateEnd, default: 0]
        guard begins + ends == 0 else { return nil }
        return "no event in the trace plays invalidate.begin or invalidate.end (record kprobes or the "
            + "function tracer on __mmu_notifier_invalidate_range_start/_end, or bind a driver's "
            + "events with --rules)"
    }

    public func observe(_ happening: Happening, model: TraceModel) {
        switch happening {
        case .invalidationEnded(let r):
            // Ends repeat a channel or two: hashed only when it is new.
            if !channelsWithEnds.isEmpty, lastEndChannel == r.channel { return }
            channelsWithEnds.insert(r.channel)
            lastEndChannel = r.channel
        case .invalidationMismatched(let open, let end, let s, let e):
            channelsWithEnds.insert(open.channel)
            let ended = (s.flatMap { s in e.map { "[0x\(String(s, radix: 16)), 0x\(String($0, radix: 16)))" } })
                ?? "another range"
            report(.error, at: end, comm: open.comm,
                   message: "invalidation of \(open.rangeText) began but the end names \(ended)",
                   kind: "mismatched-range", channel: open.channel, evidence: [open.begin, end])
        case .invalidationAbandoned(let r, let cause):
            if r.blockable == false || (cause == .enclosingGatherEnded && r.blockable == nil) {
                failedStart(r)
            } else {
                let why: String
                switch cause {
                case .taskExited: why = "the task exited with it open"
                case .enclosingGatherEnded: why = "its tlb gather finished first, and a blockable start cannot fail"
                case .outnumbered: why = "\(InvalidateRange.nestingLimit) more of its channel began in the task, none ending"
                }
                report(.error, at: r.begin, comm: r.comm,
                       message: "invalidation of \(r.rangeText) (\(InvalidateRange.eventName(r.notifierEvent))) "
                           + "never ended: \(why)",
                       kind: "begin-without-end", channel: r.channel, evidence: [r.begin])
            }
        case .invalidationWithoutBegin(let end, _, let channel, let seenBefore):
            channelsWithEnds.insert(channel)
            report(seenBefore ? .error : .note, at: end, comm: end.comm,
                   message: seenBefore
                       ? "invalidate end with no open begin in this task"
                       : "invalidate end with no begin: the range began before the trace did",
                   kind: seenBefore ? "end-without-begin" : "begun-before-trace", channel: channel,
                   evidence: [end])
        default:
            break
        }
    }

    public func finish(model: TraceModel) {
        for task in model.tasks.values.sorted(by: { $0.pid < $1.pid }) {
            for r in task.openRanges {
                if r.blockable == false {
                    failedStart(r)
                } else {
                    report(.note, at: r.begin, comm: r.comm,
                           message: "invalidation of \(r.rangeText) still open when the trace ends",
                           kind: "open-at-trace-end", channel: r.channel, evidence: [r.begin])
                }
            }
        }
        for (channel, pendingLog) in pendingLogs.sorted(by: { $0.key < $1.key })
            where channelsWithEnds.contains(channel) {
            log.add(contentsOf: pendingLog)
        }
    }

    /// mmu_notifier_invalidate_range_start_nonblock() may fail with -EAGAIN,
    /// and then the caller must not call _end (mm/mmu_notifier.c): a
    /// non-blockable begin without end is the API working, not a bug.
    private func failedStart(_ r: InvalidateRange) {
        report(.note, at: r.begin, comm: r.comm,
               message: "non-blockable invalidation of \(r.rangeText) had no end: its start failed "
                   + "(-EAGAIN), and no end is due",
               kind: "failed-nonblocking-start", channel: r.channel, evidence: [r.begin])
    }

    private func report(_ severity: Severity, at e: EvidenceEvent, comm: String, message: @autoclosure () -> String,
                        kind: String, channel: String, evidence: @autoclosure () -> [EvidenceEvent]) {
        let signature = signature(kind: kind, channel: channel, comm: comm)
        pendingLogs[channel, default: ViolationLog()].add(
            rule: Self.info.id, severity: severity, signature: signature, timestamp: e.timestamp) {
            Violation(rule: Self.info.id, severity: severity, timestamp: e.timestamp, cpu: e.cpu, pid: e.pid,
                      comm: comm, message: "\(comm)-\(e.pid): \(message())", signature: signature,
                      evidence: evidence())
        }
    }

    /// Signatures by kind, channel and comm, made once each: a task that
    /// exits with a hundred ranges open (a channel whose ends are not
    /// traced) reports the same signature a hundred times.
    @exclusivity(unchecked) private var signatures: [SignatureKey: String] = [:]
    private struct SignatureKey: Hashable {
        var kind: String
        var channel: String
        var comm: String
    }

    private func signature(kind: String, channel: String, comm: String) -> String {
        let key = SignatureKey(kind: kind, channel: channel, comm: comm)
        if let known = signatures[key] { return known }
        let signature = [Self.info.id, kind, channel, Violation.stableComm(comm)].joined(separator: "|")
        signatures[key] = signature
        return signature
    }
}
