import Foundation
import XCTest
import TestSupport

/// The text report's grouping (issue 19, Findings), through the built
/// binary on real captures: one entry per signature, `--all` a block per
/// finding, a last summary line whose numbers are JSON's, `--quiet` only
/// that line with the same exit status, and a consequence under its root.
final class GroupedFindingsTests: XCTestCase {
    static let rules = "fixtures/rules/mmaudit_demo.rules"
    static let traces = ["fixtures/traces/function-bug1/trace.dat", "fixtures/traces/graph-bug3/trace.dat",
                         "fixtures/traces/function-bug2/trace.dat", "fixtures/kernels/c61-function-bug5/trace.dat",
                         "fixtures/kernels/c61-function-bug4/trace.dat", "fixtures/traces/events-bug0/trace.dat"]

    func run(_ path: String, _ extra: [String] = []) throws -> ExternalTools.Result {
        let r = try ExternalTools.mmaudit(["analyze", path, "--rules", Self.rules] + extra)
        return r
    }

    func json(_ path: String) throws -> [String: Any] {
        let r = try run(path, ["--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return try XCTUnwrap(try ExternalTools.parseJSON(r.stdout) as? [String: Any])
    }

    static func findings(_ doc: [String: Any]) -> [[String: Any]] {
        (doc["violations"] as? [[String: Any]] ?? []) + (doc["notes"] as? [[String: Any]] ?? [])
    }

    static func lines(_ text: String, matching pattern: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern)
        return text.split(separator: "\n").map(String.init).filter {
            re.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil
        }
    }

    func testOneGroupPerSignatureAndABlockPerFindingWithAll() throws {
        for path in Self.traces {
            let doc = try json(path)
            let signatures = Set(Self.findings(doc).compactMap { $0["signature"] as? String }
                                 + (doc["folded"] as? [[String: Any]] ?? []).compactMap { $0["signature"] as? String })
            let text = try run(path).stdout
            XCTAssertEqual(Self.lines(text, matching: #"^\s*\[[0-9.]+\] (error|warning|note) "#).count, signatures.count,
                           "\(path): one entry per signature\n\(text)")
            XCTAssertFalse(signatures.contains { text.contains($0) }, "\(path): no raw signature in the prose")
            let all = try run(path, ["--all"]).stdout
            XCTAssertEqual(Self.lines(all, matching: #"^\s+#[0-9]+: "#).count, Self.findings(doc).count,
                           "\(path): --all shows each finding kept in full")
        }
        XCTAssertLessThan(try run(Self.traces[0]).stdout.split(separator: "\n").count, 40,
                          "18 sleeps of one bug are one entry")
    }

    func testSummaryLineIsJSONsNumbersAndQuietPrintsOnlyIt() throws {
        for path in Self.traces {
            let doc = try json(path)
            let totals = try XCTUnwrap(doc["totals"] as? [String: Any])
            let summed = (doc["summary"] as? [String: Int] ?? [:]).values.reduce(0, +)
            XCTAssertEqual(totals["violations"] as? Int, summed, path)
            let notes = (doc["notes"] as? [Any] ?? []).count
                + (doc["folded"] as? [[String: Any]] ?? []).filter { $0["severity"] as? String == "note" }
                    .reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
            XCTAssertEqual(totals["notes"] as? Int, notes, path)
            let line = try XCTUnwrap(totals["line"] as? String)
            XCTAssertTrue(line.hasPrefix("\(summed > 0 ? "FAIL" : "ok"): \(summed) violation"), line)
            let text = try run(path)
            XCTAssertEqual(text.stdout.split(separator: "\n").last.map(String.init), line, path)
            let quiet = try run(path, ["--quiet"])
            XCTAssertEqual(quiet.stdout, line + "\n", path)
            XCTAssertEqual(quiet.status, text.status)
            let gated = try run(path, ["--quiet", "--fail-on", "error"])
            XCTAssertEqual(gated.status, summed > 0 ? 1 : 0, "\(path): --quiet keeps the exit status")
            XCTAssertEqual(gated.stdout, line + "\n")
        }
    }

    /// Bug mode 5 corrupts CPU 0's preempt count: the note about it names
    /// the atomic sleep as its root (JSON) and sits under it (text).
    func testTheCorruptPreemptCountIsShownUnderItsRoot() throws {
        let path = "fixtures/kernels/c61-function-bug5/trace.dat"
        let doc = try json(path)
        let note = try XCTUnwrap((doc["notes"] as? [[String: Any]])?.first {
            ($0["signature"] as? String)?.hasSuffix("corrupt-preempt-count") == true
        })
        let root = try XCTUnwrap(note["consequence_of"] as? [String: Any])
        let rootFinding = try XCTUnwrap((doc["violations"] as? [[String: Any]])?.first {
            $0["ts_ns"] as? Int == root["ts_ns"] as? Int && $0["cpu"] as? Int == root["cpu"] as? Int
        })
        XCTAssertEqual(rootFinding["signature"] as? String, root["signature"] as? String)
        let text = try run(path).stdout
        XCTAssertEqual(Self.lines(text, matching: #"^\[[0-9]+\] "#).count, 1, text)
        XCTAssertEqual(Self.lines(text, matching: #"^    \[1\.1\] note atomic-sleep: the CPU's preempt count was corrupt"#).count,
                       1, text)
    }

    /// Where to look names the driver callback that called the sleeping
    /// function (function tracer's parent_ip), not only the raw evidence.
    func testWhereToLookNamesTheCallbackThatSlept() throws {
        let doc = try json("fixtures/traces/function-bug1/trace.dat")
        let places = Set((doc["violations"] as? [[String: Any]] ?? []).compactMap { $0["where"] as? String })
        XCTAssertEqual(places, ["demo_invalidate_range_start (it calls msleep)"])
        XCTAssertTrue(try run("fixtures/traces/function-bug1/trace.dat").stdout
            .contains("where to look: demo_invalidate_range_start (it calls msleep)"))
    }

    /// Text without latency columns cannot show preempt depth or irqs-off:
    /// the report says what it cannot judge (text and JSON), the trace.dat
    /// and tracefs text with irq-info do not.
    func testTextWithoutLatencyColumnsSaysWhatItCannotJudge() throws {
        let blind = ["fixtures/traces/events-bug1/report-N.txt", "fixtures/traces/tracefs-function-bug0/trace-noirqinfo.txt.gz"]
        let seeing = ["fixtures/traces/events-bug1/trace.dat", "fixtures/traces/tracefs-function-bug0/trace.txt.gz"]
        for path in blind + seeing {
            let r = try ExternalTools.mmaudit(["analyze", path, "--format", "json"])
            let doc = try XCTUnwrap(try ExternalTools.parseJSON(r.stdout) as? [String: Any], r.stderr)
            let check = (doc["checks"] as? [[String: Any]])?.first { $0["rule"] as? String == "atomic-sleep" }
            let limits = check?["limits"] as? String
            XCTAssertEqual(limits != nil, blind.contains(path), path)
            if blind.contains(path) {
                XCTAssertTrue(limits?.contains("trace-cmd report -l") == true, path)
                XCTAssertTrue(try ExternalTools.mmaudit(["analyze", path]).stdout.contains("atomic-sleep cannot judge everything"))
            }
        }
    }
}
