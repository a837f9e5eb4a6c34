import TraceInput

extension TimelineItem {
    /// Whether `filter` chooses the item: it meets the window, on a chosen
    /// CPU, of a chosen task (spans and marks are known by pid only: a
    /// filter by name must have its names resolved to pids first,
    /// TraceFilter.resolvingComms).
    public func isChosen(by filter: TraceFilter) -> Bool {
        switch self {
        case .slice(let s):
            return filter.overlaps(s.start, s.end) && filter.includes(cpu: s.cpu)
                && filter.includes(pid: s.pid, comm: s.comm)
        case .span(let s):
            return filter.overlaps(s.start, s.end) && filter.includes(cpu: s.cpu) && filter.includes(pid: s.pid, comm: nil)
        case .mark(let m):
            return filter.includes(time: m.timestamp) && filter.includes(cpu: m.cpu) && filter.includes(pid: m.pid, comm: nil)
        }
    }
}

extension TimelineWindow {
    /// The slices, spans and marks `filter` chooses (the range stays).
    public func chosen(by filter: TraceFilter) -> TimelineWindow {
        guard filter.cpus != nil || filter.choosesTasks else { return self }
        var w = self
        w.slices = slices.filter { TimelineItem.slice($0).isChosen(by: filter) }
        w.spans = spans.filter { TimelineItem.span($0).isChosen(by: filter) }
        w.marks = marks.filter { TimelineItem.mark($0).isChosen(by: filter) }
        return w
    }
}
