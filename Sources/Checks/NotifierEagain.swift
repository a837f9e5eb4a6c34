import TraceInput
import TraceModel

/// `notifier-eagain`: a notifier's invalidate_range_start failed. It may
/// return -EAGAIN only when the range is not blockable (the OOM reaper,
/// include/linux/mmu_notifier.h), and then only if it has no
/// invalidate_range_end: Linux cannot tell its failed start from a good one,
/// so it warns ("callback failed with -11 in non-blockable context",
/// WARN_ON(ops->invalidate_range_end), mm/mmu_notifier.c) and calls the end
/// anyway. A notifier with an end must drop its mappings without sleeping
/// instead, as KVM does. One finding per failed start.
public final class NotifierEagain: Check {
    public static let info = RuleInfo(
        id: "notifier-eagain",
        title: "mmu_notifier start failed",
        rationale: "invalidate_range_start may fail (-EAGAIN) only in a non-blockable range, and only for "
            + "a notifier without invalidate_range_end (mm/mmu_notifier.c warns otherwise).",
        needs: "invalidate.result carrying the start's return value (a kretprobe on "
            + "__mmu_notifier_invalidate_range_start with ret=$retval, or a driver's event), with "
            + "invalidate.begin/end")
    public static let needs = RuleNeeds(rule: info.id, events: [],
                                        requiredRoles: [.invalidateResult, .invalidateBegin], optionalRoles: [.invalidateEnd])

    @exclusivity(unchecked) private var log = ViolationLog()
    public var violations: [Violation] { log.kept }
    public var folded: [FoldedViolations] { log.folded }

    public init() {}

    public var observedHappenings: HappeningKinds { [.invalidationStartFailed] }

    public func skipReason(model: TraceModel) -> String? {
        model.roleCounts[.invalidateResult, default: 0] > 0 ? nil
            : "no event in the trace plays invalidate.result, so a failed start cannot be seen "
              + "(record a kretprobe: r:kprobes/mmaudit_inv_start_ret __mmu_notifier_invalidate_range_start "
              + "ret=$retval:s32, as `mmaudit record` does; the built-in bindings read it)"
    }

    public func observe(_ happening: Happening, model: TraceModel) {
        guard case .invalidationStartFailed(let range, let ended) = happening,
              let ret = range.startResult, let result = range.result else { return }
        let errno = ret == -11 ? "-EAGAIN (-11)" : "\(ret)"
        let rule: String
        if range.blockable == true {
            rule = "a blockable range must not fail (only non-blockable ones may return -EAGAIN)"
        } else if ended {
            rule = "its invalidate_range_end was still called, so the notifier has one, and a notifier with "
                + "invalidate_range_end must not fail a non-blockable start (mm/mmu_notifier.c warns: it cannot "
                + "tell the failed start from a good one); drop the mappings without sleeping instead"
        } else {
            rule = "legal only for a notifier without invalidate_range_end"
        }
        let severity: Severity = range.blockable == false && !ended ? .note : .error
        log.add(Violation(
            rule: Self.info.id, severity: severity, timestamp: result.timestamp, cpu: result.cpu, pid: range.pid,
            comm: range.comm,
            message: "invalidate_range_start of \(range.rangeText) (\(InvalidateRange.eventName(range.notifierEvent)), "
                + (range.blockable == false ? "not blockable" : range.blockable == true ? "blockable" : "blockable unknown")
                + ") returned \(errno): " + rule,
            signature: [Self.info.id, Violation.stableComm(range.comm), ended ? "ended" : "abandoned",
                        range.blockable.map { $0 ? "blockable" : "nonblockable" } ?? "unknown", range.channel]
                .joined(separator: "|"),
            evidence: [range.begin, result] + (range.finish.map { [$0] } ?? []),
            openContext: []))
    }

    public func finish(model: TraceModel) {}
}
