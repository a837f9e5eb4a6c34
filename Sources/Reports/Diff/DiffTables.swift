import TraceModel
import Checks

/// The rows every rendering of a diff shows, so text, Markdown and HTML say
/// the same thing.
enum DiffTables {
    static let ruleHeader = ["rule", "before", "after", "new", "fixed", "persisting"]

    static func ruleRows(_ d: TraceDiff) -> [[String]] {
        d.rules.map { r in
            [r.rule, String(r.before), String(r.after)]
                + (r.comparable ? [String(r.new), String(r.fixed), String(r.persisting)]
                                : ["-", "-", "- (skipped on one side)"])
        }
    }

    static let latencyHeader = ["span", "group", "count", "p50", "p90", "p99", "max", "note"]

    /// Two rows a series: before, then after with the change beside each value.
    static func latencyRows(_ d: TraceDiff) -> [[String]] {
        var rows: [[String]] = []
        for l in d.latencies {
            func cells(_ s: LatencyChange.Summary?, against b: LatencyChange.Summary?) -> [String] {
                guard let s else { return ["0", "", "", "", ""] }
                func v(_ x: UInt64, _ y: UInt64?) -> String {
                    let c = b == nil ? "" : LatencyChange.change(y, x)
                    return TimeFormat.duration(x) + (c.isEmpty ? "" : " (\(c))")
                }
                return [String(s.count) + (b.map { " (\(LatencyChange.change(UInt64($0.count), UInt64(s.count))))" } ?? ""),
                        v(s.p50, b?.p50), v(s.p90, b?.p90), v(s.p99, b?.p99), v(s.max, b?.max)]
            }
            rows.append([l.key.family.rawValue, "\(l.key.name) before"] + cells(l.before, against: nil) + [l.caveat ?? ""])
            rows.append(["", "after"] + cells(l.after, against: l.before) + [""])
        }
        return rows
    }

    static func headline(_ d: TraceDiff) -> String {
        let n = d.findings(.new).reduce(0) { $0 + $1.afterCount }
        let f = d.findings(.fixed).reduce(0) { $0 + $1.beforeCount }
        let p = d.findings(.persisting).reduce(0) { $0 + $1.afterCount }
        return "\(n) new, \(f) fixed, \(p) persisting"
    }
}
