import TraceModel
import Checks

/// `diff --format text`.
public enum DiffText {
    public static func render(_ d: TraceDiff, style: TerminalStyle = .plain) -> String {
        var out = style.bold("before: ") + AnalysisText.traceLine(d.before) + "\n"
            + style.bold("after:  ") + AnalysisText.traceLine(d.after) + "\n\n"
        out += (d.hasNew ? style.red(style.bold(DiffTables.headline(d))) : style.green(DiffTables.headline(d))) + "\n\n"
        out += TextTable(header: DiffTables.ruleHeader, rows: DiffTables.ruleRows(d), rightAligned: [1, 2, 3, 4])
            .render(style: style)
        for status in TraceDiff.Status.allCases {
            let fs = d.findings(status)
            guard !fs.isEmpty else { continue }
            let title = status.rawValue.uppercased()
            out += "\n" + (status == .new ? style.red(style.bold(title)) : status == .fixed ? style.green(title) : style.bold(title)) + "\n"
            for f in fs {
                out += "  \(f.rule)  before \(f.beforeCount), after \(f.afterCount)  \(style.dim(f.signature))\n"
                    + "    \(f.example.message)\n"
                if let e = f.example.evidence.last { out += "    " + style.dim(AnalysisText.evidenceLine(e)) + "\n" }
            }
        }
        if !d.latencies.isEmpty {
            out += "\n" + style.bold("LATENCIES") + "\n"
            out += TextTable(header: DiffTables.latencyHeader, rows: DiffTables.latencyRows(d)).render(style: style)
        }
        return out
    }
}
