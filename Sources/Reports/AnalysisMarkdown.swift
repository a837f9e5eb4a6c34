import TraceInput
import TraceModel
import Checks

/// `analyze --format markdown`: for pasting into a mailing-list reply or a
/// merge request: the trace, a table per rule, then each kind of finding
/// with one worked example (open context and evidence), and the totals.
public enum AnalysisMarkdown {
    public static func render(_ r: AnalysisResult, all: Bool = false) -> String {
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
        let groups = FindingGroups.of(r)
        let errors = groups.filter { $0.severity != .note }
        let notes = groups.filter { $0.severity == .note }
        if !errors.isEmpty { out += "\n#### Violations\n" + list(errors, all: all) }
        if !notes.isEmpty { out += "\n#### Notes\n" + list(notes, all: all) }
        if !r.folded.isEmpty {
            out += "\n" + AnalysisText.foldedHeadline(r).prefix(1).uppercased() + AnalysisText.foldedHeadline(r).dropFirst() + ".\n"
        }
        out += "\n**" + FindingTotals(r).line + "**\n"
        return out
    }

    /// Each kind of finding: what, how often, who, when, where to look,
    /// then its first occurrence (with `all`, each kept) and what followed.
    static func list(_ groups: [FindingGroup], all: Bool, depth: Int = 0) -> String {
        var out = ""
        let pad = String(repeating: "   ", count: depth)
        for (i, g) in groups.enumerated() {
            out += "\n" + pad + "\(i + 1). **\(g.rule)** (\(g.severity.rawValue)): \(FindingWording.headline(g)). "
                + (g.count == 1 ? "Once" : "\(g.count) times") + ", tasks " + g.tasks.map(Markdown.code).joined(separator: ", ")
                + ", CPU " + g.cpus.map(String.init).joined(separator: ", ") + ", "
                + TimeFormat.seconds(g.firstTimestamp) + (g.count == 1 ? "" : " to " + TimeFormat.seconds(g.lastTimestamp))
                + (g.folded.map { " (\($0.count) folded: counted, not kept)" } ?? "") + ".\n"
            if let place = g.example.flatMap(FindingWording.whereToLook) { out += pad + "   Where to look: \(place).\n" }
            for v in all ? g.shown : Array(g.shown.prefix(1)) { out += finding(v, pad: pad + "   ") }
            if !g.consequences.isEmpty {
                out += "\n" + pad + "   What followed from it:\n" + list(g.consequences, all: all, depth: depth + 1)
            }
        }
        return out
    }

    static func finding(_ v: Violation, pad: String) -> String {
        var out = "\n" + pad + "At \(TimeFormat.seconds(v.timestamp)), CPU \(v.cpu), \(Markdown.code("\(v.comm)-\(v.pid)")): \(v.message)\n"
        if !v.openContext.isEmpty {
            out += pad + "Open then: " + v.openContext.map(Markdown.code).joined(separator: ", ") + "\n"
        }
        out += "\n" + Markdown.fence(v.evidence.map(AnalysisText.evidenceLine))
            .split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }
            .joined(separator: "\n")
        return out
    }
}
