import TraceInput
import TraceModel
import Checks

/// The terminal report of `analyze`: a summary table per rule, then one
/// entry per kind of finding (signature) with its count, tasks, CPUs, time
/// span, where to look and one worked example: the context open at that
/// moment (locks held, ranges open, preempt depth) and the events that
/// prove it; findings that follow from another sit under it. It ends with
/// one summary line.
public enum AnalysisText {
    /// `all`: every finding kept in full, not one example per signature.
    public static func render(_ r: AnalysisResult, style: TerminalStyle = .plain, all: Bool = false) -> String {
        var out = style.bold(traceLine(r)) + "\n"
        if !r.damage.isEmpty {
            out += style.yellow("  unreadable: \(r.damage.unreadablePages) pages, \(r.damage.unparsedLines) lines")
                + "\n"
        }
        out += "\n" + summaryTable(r, style: style).render(style: style)
        for c in r.checks where !c.ran {
            out += "\n  " + style.yellow("\(c.rule) skipped:") + " \(c.reason ?? "")\n"
        }
        for c in r.checks where c.ran {
            if let limits = c.limits { out += "\n  " + style.yellow("\(c.rule) cannot judge everything:") + " \(limits)\n" }
        }
        for b in r.unseenBindings {
            out += "\n  " + style.yellow("never occurs:") + " \(b) is bound by the rules file but not in the trace\n"
        }
        let groups = FindingGroups.of(r)
        for (i, g) in groups.enumerated() {
            out += "\n" + group(g, label: "[\(i + 1)]", indent: "", all: all, style: style)
        }
        if !all && groups.contains(where: { $0.count > 1 || !$0.consequences.isEmpty }) {
            out += "\n" + style.dim("(one example per kind of finding; --all lists each)") + "\n"
        }
        out += "\n" + summaryLine(r, style: style) + "\n"
        return out
    }

    /// The report's last line, also all that `--quiet` prints.
    public static func summaryLine(_ r: AnalysisResult, style: TerminalStyle = .plain) -> String {
        let totals = FindingTotals(r)
        let line = totals.line
        return totals.violations > 0 ? style.red(style.bold(line)) : style.green(line)
    }

    /// One kind of finding: what it is, how often, who, where, when; then
    /// its first occurrence worked through (or, with `all`, every one kept),
    /// and the findings that follow from it.
    static func group(_ g: FindingGroup, label: String, indent: String, all: Bool, style: TerminalStyle) -> String {
        var out = indent + style.severity("\(label) \(g.severity.rawValue)", g.severity.rawValue) + " "
            + style.bold(g.rule) + ": " + FindingWording.headline(g) + "\n"
        let pad = indent + "    "
        let times = g.count == 1 ? "once" : "\(g.count) times"
        let span = g.count == 1 ? "at \(TimeFormat.seconds(g.firstTimestamp))"
            : "from \(TimeFormat.seconds(g.firstTimestamp)) to \(TimeFormat.seconds(g.lastTimestamp))"
        let tasks = g.tasks
        out += pad + "\(times), \(span); task\(tasks.count == 1 ? "" : "s") " + tasks.prefix(4).joined(separator: ", ")
            + (tasks.count > 4 ? " and \(tasks.count - 4) more" : "")
            + "; CPU\(g.cpus.count == 1 ? "" : "s") " + g.cpus.map(String.init).joined(separator: ", ") + "\n"
        if let folded = g.folded {
            out += pad + style.dim("\(folded.count) of them folded (counted, evidence not kept: the first "
                                   + "\(ViolationLog.keptPerSignature) are kept)") + "\n"
        }
        if let example = g.example, let place = FindingWording.whereToLook(example) {
            out += pad + style.dim("where to look:") + " " + place + "\n"
        }
        let listed = all ? g.shown : Array(g.shown.prefix(1))
        for (i, v) in listed.enumerated() {
            let which = all ? "#\(i + 1)" : (g.count == 1 ? "the finding" : "first")
            out += pad + style.dim("\(which): \(TimeFormat.seconds(v.timestamp)) cpu \(v.cpu) \(v.comm)-\(v.pid)") + "\n"
            out += finding(v, indent: pad + "  ", style: style)
        }
        for (i, c) in g.consequences.enumerated() {
            out += pad + style.dim("what followed from it:") + "\n"
            out += group(c, label: "\(label.dropLast()).\(i + 1)]", indent: pad, all: all, style: style)
        }
        return out
    }

    /// One finding: its message, what was open then, its evidence.
    static func finding(_ v: Violation, indent: String, style: TerminalStyle) -> String {
        var out = indent + v.message + "\n"
        if !v.openContext.isEmpty {
            out += indent + style.dim("open then:") + " " + v.openContext.joined(separator: "; ") + "\n"
        }
        out += indent + style.dim("evidence:") + "\n"
        for e in v.evidence { out += indent + "  " + evidenceLine(e) + "\n" }
        return out
    }

    /// "folded: 63,424 more occurrences of 18 signatures ...": every report
    /// format says how many occurrences it does not show in full.
    public static func foldedHeadline(_ r: AnalysisResult) -> String {
        "folded: \(r.foldedCount) more occurrences of \(r.folded.count) signature"
            + (r.folded.count == 1 ? "" : "s") + " (the first \(ViolationLog.keptPerSignature) of each "
            + "signature are shown in full; the counts above include all)"
    }

    /// One signature's folded occurrences: how many, when, and the signature.
    public static func foldedLine(_ f: FoldedViolations) -> String {
        var line = "\(f.rule) \(f.severity.rawValue): \(f.count) more from \(TimeFormat.seconds(f.firstTimestamp))"
            + " to \(TimeFormat.seconds(f.lastTimestamp))"
        if f.count > 1 {
            line += " (first at " + f.sampleTimestamps.map(TimeFormat.seconds).joined(separator: ", ")
                + (f.count > f.sampleTimestamps.count ? ", …" : "") + ")"
        }
        return line + "  " + f.signature
    }

    /// "PATH: trace.dat v7, zstd, 4 CPUs, 1234 events, 0 lost".
    public static func traceLine(_ r: AnalysisResult) -> String {
        let version = r.info.fileVersion.map { " v\($0)" } ?? ""
        var line = "\(r.info.path): \(r.info.format.rawValue)\(version), \(r.info.compressionWording), "
            + "\(r.info.cpus) CPUs, \(r.events) events"
        if r.lostEvents > 0 { line += ", \(r.lostEvents) lost" }
        return line
    }

    /// An evidence event as `trace-cmd report` shows it, so it can be found there.
    public static func evidenceLine(_ e: EvidenceEvent) -> String {
        "\(TimeFormat.seconds(e.timestamp)) [\(e.cpu)] \(e.comm)-\(e.pid) \(e.event) \(e.text)"
    }

    static func summaryTable(_ r: AnalysisResult, style: TerminalStyle) -> TextTable {
        var table = TextTable(header: ["rule", "status", "errors", "notes", "what it flags"], rightAligned: [2, 3])
        for c in r.checks {
            let notes = r.notes(of: c.rule)
            let title = CheckCatalog.all.first { $0.info.id == c.rule }?.info.title ?? ""
            let status = c.ran ? (c.violations > 0 ? style.red("FAIL") : style.green("ok")) : style.yellow("skipped")
            table.rows.append([c.rule, status, c.ran ? String(c.violations) : "-", c.ran ? String(notes) : "-", title])
        }
        return table
    }
}
