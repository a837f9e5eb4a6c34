import TraceModel
import Checks

/// `diff --format markdown`: a before/after summary for a merge request or
/// a patch review on a mailing list.
public enum DiffMarkdown {
    public static func render(_ d: TraceDiff) -> String {
        var out = "### mmaudit diff: \(DiffTables.headline(d))\n\n"
        out += "- before: \(Markdown.code(d.before.info.path)) (\(d.before.events) events)\n"
        out += "- after: \(Markdown.code(d.after.info.path)) (\(d.after.events) events)\n\n"
        out += Markdown.table(DiffTables.ruleHeader, DiffTables.ruleRows(d).map { [Markdown.code($0[0])] + $0.dropFirst() },
                              rightAligned: [1, 2, 3, 4])
        for status in TraceDiff.Status.allCases {
            let fs = d.findings(status)
            guard !fs.isEmpty else { continue }
            out += "\n#### \(status.rawValue.prefix(1).uppercased() + status.rawValue.dropFirst())\n\n"
            for f in fs {
                out += "- **\(f.rule)** (before \(f.beforeCount), after \(f.afterCount)): \(f.example.message)\n"
                    + "  signature \(Markdown.code(f.signature))\n"
            }
        }
        if !d.latencies.isEmpty {
            out += "\n#### Latencies\n\n" + Markdown.table(DiffTables.latencyHeader, DiffTables.latencyRows(d))
        }
        return out
    }
}
