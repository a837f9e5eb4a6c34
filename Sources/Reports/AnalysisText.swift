import TraceInput
import TraceModel
import Checks

/// The terminal report of `analyze`: a summary table per rule, then each
/// violation with the context open at that moment (locks held, ranges open,
/// preempt depth) and the events that prove it.
public enum AnalysisText {
    public static func render(_ r: AnalysisResult, style: TerminalStyle = .plain) -> String {
        var out = style.bold(traceLine(r)) + "\n"
        if !r.damage.isEmpty {
            out += style.yellow("  unreadable: \(r.damage.unreadablePages) pages, \(r.damage.unparsedLines) lines")
                + "\n"
        }
        out += "\n" + summaryTable(r, style: style).render(style: style)
        for c in r.checks where !c.ran {
            out += "\n  " + style.yellow("\(c.rule) skipped:") + " \(c.reason ?? "")\n"
        }
        for (i, v) in r.violations.enumerated() {
            out += "\n" + style.severity("[\(i + 1)] \(v.severity.rawValue)", v.severity.rawValue)
                + " " + style.bold(v.rule) + " at \(TimeFormat.seconds(v.timestamp)) "
                + "cpu \(v.cpu) \(v.comm)-\(v.pid)\n    \(v.message)\n"
            if !v.openContext.isEmpty {
                out += "    " + style.dim("open then:") + " " + v.openContext.joined(separator: "; ") + "\n"
            }
            out += "    " + style.dim("evidence:") + "\n"
            for e in v.evidence { out += "      " + evidenceLine(e) + "\n" }
        }
        if !r.folded.isEmpty {
            out += "\n" + style.bold(foldedHeadline(r)) + "\n"
            for f in r.folded { out += "  " + foldedLine(f) + "\n" }
        }
        if r.violations.isEmpty { out += "\n  " + style.green("no violations") + "\n" }
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
