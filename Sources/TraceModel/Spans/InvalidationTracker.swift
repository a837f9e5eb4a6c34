import TraceInput

/// mmu_notifier invalidations, invalidate.begin .. invalidate.end, per task
/// (include/linux/mmu_notifier.h: a range begins and ends in one task).
final class InvalidationTracker {
    private let bus: HappeningBus

    init(bus: HappeningBus) { self.bus = bus }

    func begin(_ task: TaskState, channel: String, _ a: RoleArguments, evidence: EvidenceEvent) {
        if task.openRanges.count >= InvalidateRange.nestingLimit {
            let same = task.openRanges.indices.filter { task.openRanges[$0].channel == channel }
            if same.count >= InvalidateRange.nestingLimit {
                let oldest = task.openRanges[same[0]].id
                abandon(task, cause: .outnumbered) { $0.id == oldest }
            }
        }
        let r = InvalidateRange(pid: task.pid, comm: evidence.comm, channel: channel, mm: a.mm, start: a.start,
                                end: a.end, notifierEvent: a.notifierEvent, blockable: a.blockable,
                                begin: evidence, finish: nil)
        task.openRanges.append(r)
        bus.tell(.invalidationBegan(r))
    }

    /// Ranges nest: splitting a huge PMD inside a zap (mm/huge_memory.c
    /// __split_huge_pmd) opens a range of its own while the zap's is open.
    /// So an end closes the most recent open begin of its channel with the
    /// same range; without range fields (function tracer), the most recent.
    func end(_ task: TaskState, channel: String, _ a: RoleArguments, evidence end: EvidenceEvent) {
        let seen = task.closedChannels.contains(channel)
        if !seen { task.closedChannels.append(channel) }
        // The most recent open begin of the channel (and mm), and the most
        // recent one with the same range, found from the end.
        var latest: Int?, exact: Int?
        do {
            // Scoped: the array must be released before the removal below,
            // or removing copies it.
            let open = task.openRanges
            for i in open.indices.reversed()
                where open[i].channel == channel && (a.mm == nil || open[i].mm == nil || open[i].mm == a.mm) {
                if latest == nil { latest = i }
                if a.start == nil || a.end == nil || (open[i].start == a.start && open[i].end == a.end) {
                    exact = i
                    break
                }
            }
        }
        guard let i = exact ?? latest else {
            bus.tell(.invalidationWithoutBegin(end: end, mm: a.mm, channel: channel, seenBefore: seen))
            return
        }
        var r = task.openRanges.remove(at: i)
        r.finish = end
        if exact == nil {
            bus.tell(.invalidationMismatched(open: r, end: end, endStart: a.start, endEnd: a.end))
        } else {
            bus.tell(.invalidationEnded(r))
        }
        if r.startFailed { bus.tell(.invalidationStartFailed(r, ended: true)) }
    }

    /// What the start of the most recent open range of the channel (with
    /// the same range, when the event says) returned.
    func result(_ task: TaskState, channel: String, _ a: RoleArguments, evidence: EvidenceEvent) {
        guard let ret = a.ret, let i = task.openRanges.lastIndex(where: {
            $0.channel == channel && (a.start == nil || $0.start == nil || ($0.start == a.start && $0.end == a.end))
        }) else { return }
        task.openRanges[i].startResult = ret
        task.openRanges[i].result = evidence
    }

    /// Open ranges of `task` for which `given` holds will not end: told as
    /// abandoned, with why.
    func abandon(_ task: TaskState, cause: AbandonCause, where given: (InvalidateRange) -> Bool) {
        guard task.openRanges.contains(where: given) else { return }
        let gone = task.openRanges.filter(given)
        task.openRanges.removeAll(where: given)
        for r in gone {
            bus.tell(.invalidationAbandoned(r, cause: cause))
            if r.startFailed { bus.tell(.invalidationStartFailed(r, ended: false)) }
        }
    }
}
