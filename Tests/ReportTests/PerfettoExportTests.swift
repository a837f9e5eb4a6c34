import Foundation
import XCTest
import TestSupport

/// `mmaudit export --perfetto` on every capture of fixtures/traces: the
/// output passes the trace-event format checker (TraceEventFormatValidator),
/// and says what analyze found, every violation included.
final class PerfettoExportTests: XCTestCase {
    static let rules = FixtureReportTests.rules

    /// Every trace.dat of fixtures/traces, and the one capture that is text only.
    static func captures() throws -> [String] {
        let root = ExternalTools.packageRoot.appendingPathComponent("fixtures/traces")
        let dirs = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        var out: [String] = []
        for d in dirs {
            for file in ["trace.dat", "trace.txt"] where FileManager.default.fileExists(atPath: root.appendingPathComponent("\(d)/\(file)").path) {
                out.append("fixtures/traces/\(d)/\(file)")
                break
            }
        }
        return out
    }

    func export(_ path: String) throws -> [String: Any] {
        let out = ExternalTools.temporaryFile((path as NSString).lastPathComponent + ".json")
        let r = try ExternalTools.mmaudit(["export", path, "--rules", Self.rules, "--perfetto", out])
        XCTAssertEqual(r.status, 0, "\(path): \(r.stderr)")
        XCTAssertEqual(r.stderr, "", "no progress line when stderr is not a terminal")
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], path)
    }

    func testEveryCaptureExportsAValidTraceWithEveryViolation() throws {
        let captures = try Self.captures()
        XCTAssertGreaterThanOrEqual(captures.count, 12, "\(captures)")
        var folded = 0
        for path in captures {
            let doc = try export(path)
            XCTAssertEqual(TraceEventFormat.validate(doc), [], path)
            let events = try XCTUnwrap(doc["traceEvents"] as? [[String: Any]])
            let a = try XCTUnwrap(try ExternalTools.parseJSON(
                try ExternalTools.mmaudit(["analyze", path, "--rules", Self.rules, "--format", "json"]).stdout) as? [String: Any])
            let kept = ((a["violations"] as? [Any]) ?? []).count + ((a["notes"] as? [Any]) ?? []).count
            let foldedGroups = (a["folded"] as? [[String: Any]]) ?? []
            let instants = events.filter { $0["cat"] as? String == "violation" && $0["ph"] as? String == "i" }
            XCTAssertEqual(instants.filter { ($0["args"] as? [String: Any])?["folded"] == nil }.count, kept, path)
            // Folded repeats: their kept timestamps (and the last) as instants,
            // and one slice whose args give the full count.
            let foldedSlices = events.filter { $0["cat"] as? String == "violation" && $0["ph"] as? String == "b" }
            XCTAssertEqual(foldedSlices.count, foldedGroups.count, path)
            let occurrences = foldedSlices.compactMap { ($0["args"] as? [String: Any])?["occurrences"] as? Int }.reduce(0, +)
            XCTAssertEqual(occurrences, foldedGroups.compactMap { $0["count"] as? Int }.reduce(0, +), path)
            folded += foldedGroups.count
            for v in instants {
                let name = try XCTUnwrap(v["name"] as? String)
                XCTAssertLessThanOrEqual(name.count, 32, "short names, details in args: \(name)")
                XCTAssertNotNil((v["args"] as? [String: Any])?["signature"], path)
            }
            for e in events where e["ph"] as? String == "b" || e["ph"] as? String == "X" {
                XCTAssertLessThanOrEqual((e["name"] as? String ?? "").count, 40, "\(path): \(e)")
            }
            let info = try XCTUnwrap(a["trace"] as? [String: Any])
            XCTAssertEqual(events.filter { $0["tid"] as? Int == 2 && $0["ph"] as? String == "i" }.count,
                           info["events"] as? Int, "\(path): every trace event is an instant")
        }
        // Whether any capture folds depends on the captures; the check
        // above covers whichever do. Say so when none does.
        if folded == 0 { print("note: no capture of fixtures/traces folds a violation") }
    }

    /// --events: raw events are most of an export; `none` leaves them all
    /// out (slices, spans and every violation stay), a list keeps those it
    /// names, a name the trace lacks is exit 2.
    func testEventsOptionChoosesTheRawEvents() throws {
        let path = "fixtures/traces/function-bug1/trace.dat"
        func run(_ extra: [String]) throws -> (status: Int32, doc: [String: Any]?, size: Int) {
            let out = ExternalTools.temporaryFile("events-\(extra.joined().hashValue).json")
            let r = try ExternalTools.mmaudit(["export", path, "--rules", Self.rules, "--perfetto", out] + extra)
            let data = try Data(contentsOf: URL(fileURLWithPath: out))
            return (r.status, try JSONSerialization.jsonObject(with: data) as? [String: Any], data.count)
        }
        func raw(_ doc: [String: Any]?) -> [[String: Any]] {
            ((doc?["traceEvents"] as? [[String: Any]]) ?? []).filter { $0["tid"] as? Int == 2 && $0["ph"] as? String == "i" }
        }
        func violations(_ doc: [String: Any]?) -> Int {
            ((doc?["traceEvents"] as? [[String: Any]]) ?? []).filter { $0["cat"] as? String == "violation" }.count
        }
        let all = try run([])
        let none = try run(["--events", "none"])
        XCTAssertEqual(none.status, 0)
        XCTAssertEqual(TraceEventFormat.validate(try XCTUnwrap(none.doc)), [])
        XCTAssertEqual(raw(none.doc).count, 0)
        XCTAssertGreaterThan(raw(all.doc).count, 5_000)
        XCTAssertEqual(violations(none.doc), violations(all.doc))
        XCTAssertGreaterThan(violations(all.doc), 0)
        XCTAssertLessThan(none.size * 3, all.size, "the raw events are most of the bytes")
        let some = try run(["--events", "sched:*,stlb_lock"])
        XCTAssertEqual(some.status, 0)
        let names = Set(raw(some.doc).compactMap { $0["name"] as? String })
        XCTAssertEqual(names, ["sched:sched_switch", "sched:sched_waking", "sched:sched_wakeup", "mmaudit_demo:stlb_lock"])
        XCTAssertEqual(try run(["--events", "sched:nosuch"]).status, 2)
    }

    /// No capture repeats a bug often enough to fold: four copies of
    /// function-bug1 (scripts/bench-gen.c repeats its ring-buffer pages with
    /// shifted timestamps) hold 72 msleeps under the spinlock, of which the
    /// analysis keeps 32 in full and folds the rest. All 72 are in the export.
    func testFoldedViolationsAreExported() throws {
        let gen = ExternalTools.temporaryFile("bench-gen")
        let cc = ProcessInfo.processInfo.environment["CC"] ?? "cc"
        let built = try ExternalTools.run(cc, ["-O2", "-o", gen, "scripts/bench-gen.c"])
        XCTAssertEqual(built.status, 0, built.stderr)
        let trace = ExternalTools.temporaryFile("function-bug1-x4.dat")
        let made = try ExternalTools.run(gen, ["fixtures/traces/function-bug1/trace-v6.dat", "17000", trace])
        XCTAssertTrue(made.stdout.contains("copies=4"), made.stdout)
        let doc = try export(trace)
        XCTAssertEqual(TraceEventFormat.validate(doc), [])
        let events = try XCTUnwrap(doc["traceEvents"] as? [[String: Any]])
        let kept = events.filter { $0["cat"] as? String == "violation" && $0["ph"] as? String == "i"
            && ($0["args"] as? [String: Any])?["folded"] == nil }
        let slices = events.filter { $0["cat"] as? String == "violation" && $0["ph"] as? String == "b" }
        XCTAssertEqual(kept.count, 32)
        XCTAssertEqual(slices.count, 1)
        XCTAssertEqual((slices.first?["args"] as? [String: Any])?["occurrences"] as? Int, 72 - 32)
        XCTAssertEqual(slices.first?["name"] as? String, "atomic-sleep ×40 (folded)")
    }

    /// The checker itself fails what viewers draw wrongly: this is the kind
    /// of document the export wrote before (complete events of lock holds
    /// partly overlapping on one thread).
    func testTheCheckerRejectsPartlyOverlappingSlicesAndUnmatchedEnds() {
        func x(_ ts: Double, _ dur: Double) -> [String: Any] {
            ["name": "lock held", "ph": "X", "ts": ts, "dur": dur, "pid": 0, "tid": 3]
        }
        XCTAssertEqual(TraceEventFormat.validate(["traceEvents": [x(0, 10), x(2, 3), x(10, 1)]]), [])
        XCTAssertEqual(TraceEventFormat.validate(["traceEvents": [x(0, 10), x(5, 10)]]).count, 1)
        let e: [String: Any] = ["name": "a", "ph": "e", "cat": "lock", "id": "0x1", "ts": 1, "pid": 0, "tid": 1]
        XCTAssertEqual(TraceEventFormat.validate(["traceEvents": [e]]).count, 1, "an end without a begin")
        let i: [String: Any] = ["name": "v", "ph": "i", "s": "x", "ts": 1, "pid": 0, "tid": 1]
        XCTAssertEqual(TraceEventFormat.validate(["traceEvents": [i]]).count, 1, "a bad scope")
        let m: [String: Any] = ["name": "thread_label", "ph": "M", "pid": 0, "tid": 1, "args": ["name": "x"]]
        XCTAssertEqual(TraceEventFormat.validate(["traceEvents": [m]]).count, 1, "unknown metadata")
    }
}
