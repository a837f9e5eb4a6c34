import TraceModel
import Checks

/// `diff --format json`. Durations in nanoseconds.
public enum DiffJSON {
    public static func render(_ d: TraceDiff) -> String { document(d).serialized(pretty: true) + "\n" }

    public static func document(_ d: TraceDiff) -> JSONValue {
        func trace(_ r: AnalysisResult) -> JSONValue {
            .object([("path", .string(r.info.path)), ("events", .int(Int64(r.events))),
                     ("violations", .int(Int64(r.summary.values.reduce(0, +))))])
        }
        func summary(_ s: LatencyChange.Summary?) -> JSONValue {
            guard let s else { return .null }
            return .object([("count", .int(Int64(s.count))), ("p50_ns", .uint(s.p50)), ("p90_ns", .uint(s.p90)),
                            ("p99_ns", .uint(s.p99)), ("max_ns", .uint(s.max))])
        }
        return .object([
            ("before", trace(d.before)),
            ("after", trace(d.after)),
            ("has_new", .bool(d.hasNew)),
            ("rules", .array(d.rules.map { r in
                .object([("rule", .string(r.rule)), ("comparable", .bool(r.comparable)),
                         ("before", .int(Int64(r.before))), ("after", .int(Int64(r.after))),
                         ("new", .int(Int64(r.new))), ("fixed", .int(Int64(r.fixed))),
                         ("persisting", .int(Int64(r.persisting)))])
            })),
            ("findings", .array(d.findings.map { f in
                .object([("status", .string(f.status.rawValue)), ("rule", .string(f.rule)),
                         ("signature", .string(f.signature)), ("before", .int(Int64(f.beforeCount))),
                         ("after", .int(Int64(f.afterCount))), ("message", .string(f.example.message)),
                         ("ts_ns", .uint(f.example.timestamp))])
            })),
            ("latencies", .array(d.latencies.map { l in
                .object([("span", .string(l.key.family.rawValue)), ("group", .string(l.key.name)),
                         ("before", summary(l.before)), ("after", summary(l.after)),
                         ("caveat", .optional(l.caveat))])
            })),
        ])
    }
}
