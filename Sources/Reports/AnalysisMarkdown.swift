import TraceInput
import TraceModel
import Checks

/// `analyze --format markdown`: for pasting into a mailing-list reply or a
/// merge request: the trace, a table per rule, then each violation with its
/// open context and evidence.
public enum AnalysisMarkdown {
    public static func render(_ r: AnalysisResult) -> String {
        var out = "### mmaudit: \(Markdown.code(r.info.path))\n\n"
        out += AnalysisText.traceLine(r).dropFirst(r.info.path.count + 2).description + "."
        if !r.damage.isEmpty {
            out += " Unreadable: \(r.damage.unreadablePages) pages, \(r.damage.unparsedLines) lines."
        }
        out += "\n\n"
        let rows: [[String]] = r.checks.map { c in
            let notes = r.notes(of: c.rule)
            let title = CheckCatalog.all.first { $0.info.id == c.rule }?.info.title ?? ""
            return [Markdown.code(c.rule), c.ran ? (c.violations > 0 ? "**FAIL**" : "ok") : "skipped: \(c.reason ?? "")",
                    c.ran ? String(c.violations) : "-", c.ran ? String(notes) : "-", title]
        }
        out += Markdown.table(["rule", "status", "errors", "notes", "what it flags"], rows, rightAligned: [2, 3])
        let errors = r.violations.filter { $0.severity != .note }
        let notes = r.violations.filter { $0.severity == .note }
        if !errors.isEmpty { out += "\n#### Violations\n" + list(errors) }
        if !notes.isEmpty { out += "\n#### Notes\n" + list(notes) }
        if !r.folded.isEmpty {
            out += "\n#### Folded\n\n" + AnalysisText.foldedHeadline(r).prefix(1).uppercased()
                + AnalysisText.foldedHeadline(r).dropFirst() + ".\n\n"
                + r.folded.map { "- " + Markdown.code(AnalysisText.foldedLine($0)) }.joined(separator: "\n") + "\n"
        }
        if errors.isEmpty { out += "\nNo violations.\n" }
        return out
    }

    static func list(_ vs: [Violation]) -> String {
        var out = ""
        for (i, v) in vs.enumerated() {
            out += "\n\(i + 1). **\(v.rule)** (\(v.severity.rawValue)) at \(TimeFormat.seconds(v.timestamp)), "
                + "CPU \(v.cpu), \(Markdown.code("\(v.comm)-\(v.pid)")): \(v.message)\n"
            if !v.openContext.isEmpty {
                out += "   Open then: " + v.openContext.map(Markdown.code).joined(separator: ", ") + "\n"
            }
            out += "\n" + Markdown.fence(v.evidence.map(AnalysisText.evidenceLine))
                .split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "   " + $0 }
                .joined(separator: "\n")
        }
        return out
    }
}
