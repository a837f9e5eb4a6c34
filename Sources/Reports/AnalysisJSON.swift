import Foundation
import TraceInput
import TraceModel
import Checks

/// The `analyze --format json` document. Field names are part of the
/// interface (issue: checks and violations in JSON).
struct AnalysisDocument: Encodable {
    struct Trace: Encodable {
        var path: String
        var format: String
        var file_version: Int?
        var compression: String
        var cpus: Int
        var events: Int
        var lost_events: Int
        var unreadable_pages: Int
        var unparsed_lines: Int
    }
    struct CheckEntry: Encodable {
        var rule: String
        var status: String
        var reason: String?
        var violations: Int
    }
    struct Evidence: Encodable {
        var ts_ns: UInt64
        var cpu: Int
        var pid: Int32
        var comm: String
        var event: String
        var text: String
    }
    struct Finding: Encodable {
        var rule: String
        var severity: String
        var ts_ns: UInt64
        var cpu: Int
        var pid: Int32
        var comm: String
        var message: String
        var signature: String
        var evidence: [Evidence]
        var open_context: [String]
    }
    var trace: Trace
    var checks: [CheckEntry]
    /// Occurrences beyond the first `ViolationLog.keptPerSignature` of a
    /// signature, counted (absent when nothing was folded).
    struct Folded: Encodable {
        var rule: String
        var severity: String
        var signature: String
        var count: Int
        var first_ts_ns: UInt64
        var last_ts_ns: UInt64
        var sample_ts_ns: [UInt64]
    }
    var violations: [Finding]
    var notes: [Finding]
    var summary: [String: Int]
    var folded: [Folded]?
    var folded_note: String?

    init(_ r: AnalysisResult) {
        trace = Trace(path: r.info.path, format: r.info.format.rawValue, file_version: r.info.fileVersion,
                      compression: r.info.compression, cpus: r.info.cpus, events: r.events,
                      lost_events: r.lostEvents, unreadable_pages: r.damage.unreadablePages,
                      unparsed_lines: r.damage.unparsedLines)
        checks = r.checks.map {
            CheckEntry(rule: $0.rule, status: $0.ran ? "ran" : "skipped", reason: $0.reason,
                       violations: $0.violations)
        }
        let findings = r.violations.map(Self.finding)
        violations = findings.filter { $0.severity != Severity.note.rawValue }
        notes = findings.filter { $0.severity == Severity.note.rawValue }
        summary = r.summary
        if !r.folded.isEmpty {
            folded = r.folded.map {
                Folded(rule: $0.rule, severity: $0.severity.rawValue, signature: $0.signature, count: $0.count,
                       first_ts_ns: $0.firstTimestamp, last_ts_ns: $0.lastTimestamp, sample_ts_ns: $0.sampleTimestamps)
            }
            folded_note = AnalysisText.foldedHeadline(r)
        }
    }

    static func finding(_ v: Violation) -> Finding {
        Finding(rule: v.rule, severity: v.severity.rawValue, ts_ns: v.timestamp, cpu: v.cpu, pid: v.pid,
                comm: v.comm, message: v.message, signature: v.signature,
                evidence: v.evidence.map {
                    Evidence(ts_ns: $0.timestamp, cpu: $0.cpu, pid: $0.pid, comm: $0.comm,
                             event: $0.event, text: $0.text)
                },
                open_context: v.openContext)
    }
}

public enum AnalysisJSON {
    public static func render(_ result: AnalysisResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(AnalysisDocument(result)), as: UTF8.self) + "\n"
    }
}
