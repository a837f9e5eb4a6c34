import TraceInput
import TraceModel
import Checks

/// The terminal report of `analyze`: a summary per rule, then each violation
/// with its evidence and the context that was open.
public enum AnalysisText {
    public static func render(_ r: AnalysisResult) -> String {
        var out = ""
        let version = r.info.fileVersion.map { " v\($0)" } ?? ""
        out += "\(r.info.path): \(r.info.format.rawValue)\(version), \(r.info.compression), "
            + "\(r.info.cpus) CPUs, \(r.events) events"
        if r.lostEvents > 0 { out += ", \(r.lostEvents) lost" }
        out += "\n"
        if !r.damage.isEmpty {
            out += "  unreadable: \(r.damage.unreadablePages) pages, \(r.damage.unparsedLines) lines\n"
        }
        out += "\n"
        let width = r.checks.map(\.rule.count).max() ?? 0
        for c in r.checks {
            let pad = String(repeating: " ", count: width - c.rule.count)
            if c.ran {
                let notes = r.violations.filter { $0.rule == c.rule && $0.severity == .note }.count
                out += "  \(c.rule)\(pad)  \(c.violations) violation\(c.violations == 1 ? "" : "s")"
                    + (notes > 0 ? ", \(notes) note\(notes == 1 ? "" : "s")" : "") + "\n"
            } else {
                out += "  \(c.rule)\(pad)  skipped: \(c.reason ?? "")\n"
            }
        }
        for (i, v) in r.violations.enumerated() {
            out += "\n[\(i + 1)] \(v.severity.rawValue) \(v.rule) at \(TimeFormat.seconds(v.timestamp)) "
                + "cpu \(v.cpu) \(v.comm)-\(v.pid)\n    \(v.message)\n"
            if !v.openContext.isEmpty {
                out += "    open: " + v.openContext.joined(separator: "; ") + "\n"
            }
            for e in v.evidence {
                out += "    \(TimeFormat.seconds(e.timestamp)) [\(e.cpu)] \(e.comm)-\(e.pid) \(e.event) \(e.text)\n"
            }
        }
        return out
    }
}
