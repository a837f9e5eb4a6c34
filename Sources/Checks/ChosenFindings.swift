import TraceInput
import TraceModel

extension Violation {
    /// Whether `filter` chooses this finding: its moment is in the window,
    /// and it or one of its evidence events is on a chosen CPU and of a
    /// chosen task (a sleep on CPU 1 whose range was opened on CPU 0 is
    /// shown for either CPU).
    public func isChosen(by filter: TraceFilter) -> Bool {
        guard filter.includes(time: timestamp) else { return false }
        return (filter.includes(cpu: cpu) || evidence.contains { filter.includes(cpu: $0.cpu) })
            && (filter.includes(pid: pid, comm: comm) || evidence.contains { filter.includes(pid: $0.pid, comm: $0.comm) })
    }
}

extension AnalysisResult {
    /// The findings `filter` chooses, with the per-rule counts of those.
    /// Folded occurrences keep only their first and last times, so a
    /// signature's are kept when one of its occurrences in full is chosen
    /// and their first..last meets the window.
    public func filtered(by filter: TraceFilter) -> AnalysisResult {
        guard !filter.isEmpty else { return self }
        var r = self
        r.violations = violations.filter { $0.isChosen(by: filter) }
        let shown = Set(r.violations.map(\.signature))
        r.folded = folded.filter { shown.contains($0.signature) && filter.overlaps($0.firstTimestamp, $0.lastTimestamp) }
        let counts = r.summary
        r.checks = checks.map { c in
            var c = c
            if c.ran { c.violations = counts[c.rule] ?? 0 }
            return c
        }
        return r
    }
}
