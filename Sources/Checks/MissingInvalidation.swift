import TraceInput
import TraceModel

/// `missing-invalidation`: when invalidate_range_end() returns, no secondary
/// MMU may still translate any page of the range (include/linux/mmu_notifier.h:
/// after _start the secondary must drop its mappings and not create new ones
/// until _end). A mapping that overlaps the range and survives its end is a
/// stale secondary TLB entry: the device or guest can still reach memory the
/// kernel has freed or remapped. This includes the huge-page case, where the
/// secondary drops only the first 4 KiB of a 2 MiB entry.
public final class MissingInvalidation: Check {
    public static let info = RuleInfo(
        id: "missing-invalidation",
        title: "Secondary mapping survives its invalidation",
        rationale: "A secondary MMU must drop every mapping of an invalidated range before "
            + "invalidate_range_end returns (include/linux/mmu_notifier.h).",
        needs: "secondary.map/secondary.unmap (a driver's events, bound in a rules file) and "
            + "invalidate.begin/end carrying mm, start and end")
    public static let needs = RuleNeeds(
        rule: info.id, events: [],
        requiredRoles: [.secondaryMap, .secondaryUnmap, .invalidateBegin, .invalidateEnd], optionalRoles: [])

    @exclusivity(unchecked) private var log = ViolationLog()
    public var violations: [Violation] { log.kept }
    public var folded: [FoldedViolations] { log.folded }
    /// Mappings already reported: one violation per stale mapping.
    @exclusivity(unchecked) private var reported: Set<Int> = []

    public init() {}

    public var observedHappenings: HappeningKinds { [.invalidationEnded] }

    public func skipReason(model: TraceModel) -> String? {
        if model.roleCounts[.secondaryMap, default: 0] == 0 {
            return "no event in the trace plays secondary.map, so no secondary mapping is known "
                + "(bind the driver's map/unmap events with --rules)"
        }
        if model.roleCounts[.invalidateEnd, default: 0] == 0 {
            return "no event in the trace plays invalidate.end"
        }
        return nil
    }

    public func observe(_ happening: Happening, model: TraceModel) {
        guard case .invalidationEnded(let r) = happening, let finish = r.finish,
              let start = r.start, let end = r.end else { return }
        // A failed start (-EAGAIN in a non-blockable range) makes its caller
        // skip the unmap (mm/oom_kill.c __oom_reap_task_mm), and Linux calls
        // the notifiers' ends anyway (mm/mmu_notifier.c): nothing of the
        // range went stale. notifier-eagain reports the failure itself.
        if r.startFailed { return }
        // Where the trace cannot say whether the start failed, say so.
        let unknownResult = r.blockable == false && model.roleCounts[.invalidateResult, default: 0] == 0
            ? "; whether its start failed is not in the trace (a notifier's -EAGAIN would leave this mapping "
              + "legitimately: record the start's return, e.g. a kretprobe ret=$retval:s32)"
            : ""
        for m in model.secondary.overlapping(mm: r.mm ?? 0, start: start, end: end)
            where !reported.contains(m.id) {
            reported.insert(m.id)
            let partial = m.partialUnmaps.isEmpty ? "" :
                " after only \(size(m.mappedSize - (m.end - m.start))) of it was dropped"
            log.add(Violation(
                rule: Self.info.id, severity: .error, timestamp: finish.timestamp, cpu: finish.cpu,
                pid: finish.pid, comm: r.comm,
                message: "\(size(m.mappedSize)) secondary mapping at 0x\(String(m.start, radix: 16))"
                    + "..0x\(String(m.end, radix: 16)) survives the end of the invalidation of "
                    + "\(r.rangeText) (\(InvalidateRange.eventName(r.notifierEvent)))\(partial)\(unknownResult)",
                signature: [Self.info.id, size(m.mappedSize), m.partialUnmaps.isEmpty ? "untouched" : "partial",
                            InvalidateRange.eventName(r.notifierEvent), r.channel].joined(separator: "|"),
                evidence: [m.mapped] + m.partialUnmaps + [r.begin, finish],
                openContext: ["live: [0x\(String(m.start, radix: 16)), 0x\(String(m.end, radix: 16)))"]))
        }
    }

    public func finish(model: TraceModel) {}

    private func size(_ bytes: UInt64) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB"
            : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? "\(bytes >> 10) KiB" : "\(bytes) B"
    }
}
