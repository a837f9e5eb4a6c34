import TraceInput
import TraceModel
import Checks

/// SARIF 2.1.0 (OASIS) for code-scanning tools: one result per violation,
/// the rules' metadata from RuleInfo, evidence events as related locations,
/// the signature as a partial fingerprint so a scanner tracks a finding
/// across runs the way `mmaudit diff` does. A trace has no source lines, so
/// every location is the trace file itself; the evidence says where in it.
public enum AnalysisSARIF {
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

    public static func render(_ r: AnalysisResult, toolVersion: String = MmauditVersion.current) -> String {
        document(r, toolVersion: toolVersion).serialized(pretty: true) + "\n"
    }

    public static func document(_ r: AnalysisResult, toolVersion: String) -> JSONValue {
        let rules = CheckCatalog.all.map { $0.info }
        let artifact = location(r.info.path)
        let results: [JSONValue] = r.violations.map { v in
            let ruleIndex = rules.firstIndex { $0.id == v.rule } ?? -1
            var result: [(String, JSONValue)] = [
                ("ruleId", .string(v.rule)),
                ("level", .string(level(v.severity))),
                ("message", ["text": v.message].json),
                ("locations", [.object([("physicalLocation", artifact)])]),
                ("partialFingerprints", .object([("mmauditSignature/v1", .string(v.signature))])),
                ("relatedLocations", .array(v.evidence.enumerated().map { i, e in
                    .object([("id", .int(Int64(i))),
                             ("message", ["text": AnalysisText.evidenceLine(e)].json),
                             ("physicalLocation", artifact)])
                })),
                ("properties", .object([
                    ("timestamp_ns", .uint(v.timestamp)), ("time", .string(TimeFormat.seconds(v.timestamp))),
                    ("cpu", .int(Int64(v.cpu))), ("pid", .int(Int64(v.pid))), ("comm", .string(v.comm)),
                    ("open_context", .array(v.openContext.map { .string($0) })),
                ])),
            ]
            if ruleIndex >= 0 { result.insert(("ruleIndex", .int(Int64(ruleIndex))), at: 1) }
            return .object(result)
        }
        let skipped: [JSONValue] = r.checks.filter { !$0.ran }.map { c in
            .object([("level", "warning"),
                     ("message", ["text": "\(c.rule) skipped: \(c.reason ?? "")"].json),
                     ("descriptor", .object([("id", .string(c.rule))]))])
        }
        var invocation: [(String, JSONValue)] = [("executionSuccessful", true)]
        if !skipped.isEmpty { invocation.append(("toolExecutionNotifications", .array(skipped))) }
        let run: JSONValue = .object([
            ("tool", .object([("driver", .object([
                ("name", "mmaudit"),
                ("version", .string(toolVersion)),
                ("semanticVersion", .string(toolVersion)),
                ("rules", .array(rules.map(ruleDescriptor))),
            ]))])),
            ("invocations", [.object(invocation)]),
            ("artifacts", [.object([("location", .object([("uri", .string(uri(r.info.path)))])),
                                    ("mimeType", "application/octet-stream")])]),
            ("results", .array(results)),
            ("properties", .object([
                ("trace_format", .string(r.info.format.rawValue)), ("cpus", .int(Int64(r.info.cpus))),
                ("events", .int(Int64(r.events))), ("lost_events", .int(Int64(r.lostEvents))),
            ] + folded(r))),
        ])
        return .object([("$schema", .string(schemaURI)), ("version", "2.1.0"), ("runs", [run])])
    }

    /// Occurrences not given a result of their own (beyond the first
    /// `ViolationLog.keptPerSignature` of a signature), counted per signature.
    static func folded(_ r: AnalysisResult) -> [(String, JSONValue)] {
        guard !r.folded.isEmpty else { return [] }
        return [("folded_note", .string(AnalysisText.foldedHeadline(r))),
                ("folded", .array(r.folded.map { f in
                    .object([("ruleId", .string(f.rule)), ("level", .string(level(f.severity))),
                             ("signature", .string(f.signature)), ("count", .int(Int64(f.count))),
                             ("first_timestamp_ns", .uint(f.firstTimestamp)),
                             ("last_timestamp_ns", .uint(f.lastTimestamp)),
                             ("sample_timestamps_ns", .array(f.sampleTimestamps.map { .uint($0) }))])
                }))]
    }

    static func ruleDescriptor(_ info: RuleInfo) -> JSONValue {
        let needs = RuleNeeds.of(info.id)
        return .object([
            ("id", .string(info.id)),
            ("name", .string(camelCase(info.id))),
            ("shortDescription", ["text": info.title].json),
            ("fullDescription", ["text": info.rationale].json),
            ("help", .object([("text", .string("\(info.rationale)\nEvents it needs: \(info.needs)")),
                              ("markdown", .string("\(info.rationale)\n\n**Events it needs:** \(info.needs)"))])),
            ("defaultConfiguration", .object([("level", "error")])),
            ("properties", .object([
                ("tags", ["linux-kernel", "mm", "mmu_notifier"]),
                ("roles", .array((needs?.roles ?? []).map { .string($0.rawValue) })),
            ])),
        ])
    }

    static func location(_ path: String) -> JSONValue {
        .object([("artifactLocation", .object([("uri", .string(uri(path))), ("index", 0)]))])
    }

    static func level(_ s: Severity) -> String {
        switch s {
        case .error: return "error"
        case .warning: return "warning"
        case .note: return "note"
        }
    }

    /// SARIF wants rule names in PascalCase ("AtomicSleep").
    static func camelCase(_ id: String) -> String {
        id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// A path as a URI reference: unreserved characters and '/' stay, the
    /// rest is percent-encoded (RFC 3986).
    static func uri(_ path: String) -> String {
        var out = ""
        for b in path.utf8 {
            let c = Character(UnicodeScalar(b))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~/".contains(c)) {
                out.append(c)
            } else {
                let hex = String(b, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}

extension Dictionary where Key == String, Value == String {
    /// A one-pair object such as SARIF's `{"text": …}` message.
    var json: JSONValue { .object(sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }) }
}

/// The version reports name as their tool's.
public enum MmauditVersion {
    public static let current = "0.1.0"
}
