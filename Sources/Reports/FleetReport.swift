import TraceInput
import Checks

/// One trace of many analysed at once: its result, or why it could not be read.
public struct FleetEntry: Sendable {
    public var path: String
    public var result: AnalysisResult?
    /// The one-line error (as a single-trace run prints it), when unreadable.
    public var error: String?

    public init(path: String, result: AnalysisResult? = nil, error: String? = nil) {
        self.path = path
        self.result = result
        self.error = error
    }

    /// "violations", "ok", "ok, 2 skipped" or "unreadable".
    public var verdict: String {
        guard let r = result else { return "unreadable" }
        if r.summary.values.contains(where: { $0 > 0 }) { return "violations" }
        let skipped = r.checks.filter { !$0.ran }.count
        return skipped == 0 ? "ok" : "ok, \(skipped) skipped"
    }
}

/// `analyze` of many traces: the table that ends the text report (a row
/// per trace: events, violations per rule, verdict), and JSON Lines (one
/// `analyze --format json` document a line) for kernel CI fleets.
public enum FleetReport {
    public static func table(_ entries: [FleetEntry], style: TerminalStyle = .plain) -> String {
        let rules = CheckCatalog.all.map { $0.info.id }
        var t = TextTable(header: ["trace", "events"] + rules + ["verdict"])
        t.rightAligned = Set(1...(rules.count + 1))
        for e in entries {
            guard let r = e.result else {
                t.rows.append([e.path, "-"] + rules.map { _ in "-" } + [style.red("unreadable")])
                continue
            }
            let counts = r.summary
            let cells = rules.map { rule in
                r.checks.first { $0.rule == rule }?.ran == true ? String(counts[rule] ?? 0) : "-"
            }
            let verdict = e.verdict
            t.rows.append([e.path, String(r.events)] + cells
                          + [verdict == "violations" ? style.red(verdict) : style.green(verdict)])
        }
        let bad = entries.filter { $0.result == nil }.count
        let failing = entries.filter { $0.verdict == "violations" }.count
        return style.bold("\(entries.count) traces: \(failing) with violations, \(bad) unreadable") + "\n"
            + t.render(style: style) + "('-': the check was skipped, or the trace could not be read)\n"
    }

    /// One line: the `analyze --format json` document, or
    /// {"trace":{"path":…},"error":…} for a trace that could not be read.
    public static func jsonLine(_ entry: FleetEntry) -> String {
        guard let r = entry.result else {
            return JSONValue.object([("error", .string(entry.error ?? "unreadable")),
                                     ("trace", .object([("path", .string(entry.path))]))]).serialized() + "\n"
        }
        return AnalysisJSON.document(r).serialized() + "\n"
    }
}
