import TraceInput
import TraceModel
import Checks

/// The `analyze --format json` document. Field names are part of the
/// interface (issue: checks and violations in JSON); every object's keys
/// come in sorted order and absent values are left out, so the document
/// reads the same as it did when JSONEncoder (sorted keys) wrote it.
///
/// Built as a JSONValue rather than encoded: JSONEncoder's first use in a
/// process (its Codable machinery resolved at run time) cost about 0.3 ms,
/// a tenth of a small trace's whole analysis.
public enum AnalysisJSON {
    public static func render(_ result: AnalysisResult) -> String {
        document(result).serialized(pretty: true) + "\n"
    }

    static func document(_ r: AnalysisResult) -> JSONValue {
        let findings = r.violations.map { ($0.severity, finding($0)) }
        var top: [(String, JSONValue?)] = [
            ("trace", sorted([
                ("path", .string(r.info.path)),
                ("format", .string(r.info.format.rawValue)),
                ("file_version", r.info.fileVersion.map { .int(Int64($0)) }),
                ("compression", .string(r.info.compression)),
                ("cpus", int(r.info.cpus)),
                ("events", int(r.events)),
                ("lost_events", int(r.lostEvents)),
                ("unreadable_pages", int(r.damage.unreadablePages)),
                ("unparsed_lines", int(r.damage.unparsedLines)),
            ])),
            ("checks", .array(r.checks.map { c in
                sorted([
                    ("rule", .string(c.rule)),
                    ("status", .string(c.ran ? "ran" : "skipped")),
                    ("reason", c.reason.map { .string($0) }),
                    ("limits", c.limits.map { .string($0) }),
                    ("violations", int(c.violations)),
                ])
            })),
            ("violations", .array(findings.filter { $0.0 != .note }.map(\.1))),
            ("notes", .array(findings.filter { $0.0 == .note }.map(\.1))),
            ("summary", sorted(r.summary.map { ($0.key, int($0.value)) })),
            ("totals", totals(FindingTotals(r))),
        ]
        if !r.unseenBindings.isEmpty {
            top.append(("unseen_bindings", .array(r.unseenBindings.map { .string($0) })))
        }
        if !r.folded.isEmpty {
            top.append(("folded", .array(r.folded.map { f in
                sorted([
                    ("rule", .string(f.rule)),
                    ("severity", .string(f.severity.rawValue)),
                    ("signature", .string(f.signature)),
                    ("count", int(f.count)),
                    ("first_ts_ns", .uint(f.firstTimestamp)),
                    ("last_ts_ns", .uint(f.lastTimestamp)),
                    ("sample_ts_ns", .array(f.sampleTimestamps.map { .uint($0) })),
                ])
            })))
            top.append(("folded_note", .string(AnalysisText.foldedHeadline(r))))
        }
        return sorted(top)
    }

    static func finding(_ v: Violation) -> JSONValue {
        sorted([
            ("rule", .string(v.rule)),
            ("severity", .string(v.severity.rawValue)),
            ("ts_ns", .uint(v.timestamp)),
            ("cpu", int(v.cpu)),
            ("pid", int(Int(v.pid))),
            ("comm", .string(v.comm)),
            ("message", .string(v.message)),
            ("signature", .string(v.signature)),
            ("evidence", .array(v.evidence.map { e in
                sorted([
                    ("ts_ns", .uint(e.timestamp)),
                    ("cpu", int(e.cpu)),
                    ("pid", int(Int(e.pid))),
                    ("comm", .string(e.comm)),
                    ("event", .string(e.event)),
                    ("text", .string(e.text)),
                ])
            })),
            ("open_context", .array(v.openContext.map { .string($0) })),
            ("where", FindingWording.whereToLook(v).map { .string($0) }),
            ("consequence_of", v.consequenceOf.map { c in
                sorted([("rule", .string(c.rule)), ("signature", .string(c.signature)), ("ts_ns", .uint(c.timestamp)),
                        ("cpu", int(c.cpu)), ("pid", int(Int(c.pid)))])
            }),
        ])
    }

    /// What the text report's last line says, as numbers.
    static func totals(_ t: FindingTotals) -> JSONValue {
        sorted([("verdict", .string(t.verdict)), ("violations", int(t.violations)), ("notes", int(t.notes)),
                ("kinds", int(t.kinds)), ("checks_run", int(t.checksRun)), ("checks", int(t.checks)),
                ("line", .string(t.line))])
    }

    /// An object of the present pairs, keys in order.
    private static func sorted(_ pairs: [(String, JSONValue?)]) -> JSONValue {
        .object(pairs.compactMap { k, v in v.map { (k, $0) } }.sorted { $0.0 < $1.0 })
    }

    private static func int(_ n: Int) -> JSONValue { .int(Int64(n)) }
}
