import Foundation
import XCTest
import TraceInput
import TraceModel
import Checks
@testable import Reports

/// The report formats on small synthetic workloads (the fixture tests check
/// them on real captures).
final class ReportFormatTests: XCTestCase {
    func testJSONParsesAndCountsTheViolation() throws {
        let r = try Scenario(.sleepUnderSpinlock).analyze()
        let doc = try XCTUnwrap(try ExternalTools.parseJSON(AnalysisJSON.render(r)) as? [String: Any])
        let vs = try XCTUnwrap(doc["violations"] as? [[String: Any]])
        XCTAssertEqual(vs.map { $0["rule"] as? String }, ["atomic-sleep"])
        XCTAssertEqual((doc["summary"] as? [String: Int])?["atomic-sleep"], 1)
    }

    func testSARIFIsSchemaValidWithOneResultPerViolation() throws {
        let r = try Scenario(.partialDrop).analyze(path: "dir with space/scenario.dat")
        let text = AnalysisSARIF.render(r)
        let path = ExternalTools.temporaryFile("scenario.sarif")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNil(try ExternalTools.sarifSchemaErrors(path))
        let doc = try XCTUnwrap(try ExternalTools.parseJSON(text) as? [String: Any])
        let run = try XCTUnwrap((doc["runs"] as? [[String: Any]])?.first)
        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, r.violations.count)
        XCTAssertEqual(results.first?["ruleId"] as? String, "missing-invalidation")
        let rules = try XCTUnwrap(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        XCTAssertEqual(rules.compactMap { $0["id"] as? String }, CheckCatalog.all.map { $0.info.id })
        XCTAssertTrue(text.contains("dir%20with%20space/scenario.dat"))
    }

    func testTextHasTableContextAndColourOnlyWhenAsked() throws {
        let r = try Scenario(.sleepUnderSpinlock).analyze()
        let plain = AnalysisText.render(r)
        XCTAssertFalse(plain.contains("\u{1B}["))
        XCTAssertTrue(plain.contains("atomic-sleep"))
        XCTAssertTrue(plain.contains("FAIL"))
        XCTAssertTrue(plain.contains("open then:"), plain)
        XCTAssertTrue(plain.contains("demo:spin_lock"), plain)
        XCTAssertTrue(AnalysisText.render(r, style: TerminalStyle(colour: true)).contains("\u{1B}[31m"))
    }

    func testMarkdownHasTheSummaryTableAndFencedEvidence() throws {
        let md = AnalysisMarkdown.render(try Scenario(.sleepUnderSpinlock).analyze())
        XCTAssertTrue(md.contains("| rule | status | errors | notes | what it flags |"), md)
        XCTAssertTrue(md.contains("| `atomic-sleep` | **FAIL** | 1 |"), md)
        XCTAssertTrue(md.contains("   ```\n"), md)
    }

    func testLatencyPercentilesAreExactForSmallSamplesAndCloseForLarge() {
        let h = LatencyHistogram((1...100).map { UInt64($0) * 1000 })
        XCTAssertEqual(h.quantile(0.5), 50_000)
        XCTAssertEqual(h.quantile(0.99), 99_000)
        XCTAssertEqual(h.max, 100_000)
        let big = LatencyHistogram((1...100_000).map { UInt64($0) * 7 })
        let p90 = Double(big.quantile(0.9)!)
        XCTAssertEqual(p90, 630_000, accuracy: 630_000 * 0.02)
    }

    func testDiffCallsTheBugNewOneWayAndFixedTheOther() throws {
        let good = try Scenario(.none).analyze(path: "good.dat")
        let bad = try Scenario(.sleepUnderSpinlock).analyze(path: "bad.dat")
        let forward = TraceDiff(before: good, after: bad)
        XCTAssertTrue(forward.hasNew)
        XCTAssertEqual(forward.findings(.new).map(\.rule), ["atomic-sleep"])
        XCTAssertEqual(forward.rules.first { $0.rule == "atomic-sleep" }?.new, 1)
        let backward = TraceDiff(before: bad, after: good)
        XCTAssertFalse(backward.hasNew)
        XCTAssertEqual(backward.findings(.fixed).map(\.rule), ["atomic-sleep"])
        XCTAssertTrue(TraceDiff(before: bad, after: bad).findings.allSatisfy { $0.status == .persisting })
    }

    func testDiffComparesLatenciesAndDistrustsSmallSamples() throws {
        let d = TraceDiff(before: try Scenario(.none).analyze(), after: try Scenario(.none, rounds: 5).analyze())
        let wait = try XCTUnwrap(d.latencies.first { $0.key.family == .lockContention })
        XCTAssertEqual(wait.before?.count, 3)
        XCTAssertEqual(wait.after?.count, 5)
        XCTAssertEqual(wait.before?.max, 5_000 + 1_000)  // the wait plus the end event's own tick
        XCTAssertNotNil(wait.caveat?.contains("too few samples"))
        let doc = try XCTUnwrap(try ExternalTools.parseJSON(DiffJSON.render(d)) as? [String: Any])
        XCTAssertEqual(doc["has_new"] as? Bool, false)
        XCTAssertTrue(DiffText.render(d).contains("LATENCIES"))
        XCTAssertTrue(DiffMarkdown.render(d).contains("#### Latencies"))
    }

    func testRecorderKeepsOnlyItsWindowsAndABoundedOverview() throws {
        let s = Scenario(.sleepUnderSpinlock, rounds: 40)
        let r = try s.analyze()
        let v = try XCTUnwrap(r.violations.first)
        let recorder = TimelineRecorder(windows: [TimelineWindows.around(v)], itemLimit: 50, overviewBuckets: 16)
        try s.replay([recorder])
        let w = recorder.windows[0]
        XCTAssertFalse(w.slices.isEmpty)
        XCTAssertTrue(w.spans.contains { $0.kind == .lockHold })
        XCTAssertTrue(w.slices.allSatisfy { w.range.overlaps($0.start...$0.end) })
        XCTAssertLessThanOrEqual(w.slices.count + w.spans.count + w.marks.count, 50)
        XCTAssertLessThanOrEqual(recorder.overview.usedBuckets, 16)
        XCTAssertEqual(recorder.overview.cpus[0]?.count, 16)
    }

    func testHTMLIsSelfContainedAndDrawsTheViolation() throws {
        let s = Scenario(.sleepUnderSpinlock)
        let r = try s.analyze()
        let recorder = TimelineRecorder(windows: TimelineWindows.around(r.violations))
        try s.replay([recorder])
        let html = AnalysisHTML.render(r, recording: recorder)
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 1 + r.violations.filter { $0.severity != .note }.count)
        XCTAssertTrue(html.contains("class=\"vmark\""))
        for external in ["<script", "http://", "https://", "@import", "url("] where external != "http://" {
            XCTAssertFalse(html.contains(external), external)
        }
        let path = ExternalTools.temporaryFile("scenario.html")
        try html.write(toFile: path, atomically: true, encoding: .utf8)
        let page = try XCTUnwrap(try HeadlessChromium.load(path))
        XCTAssertEqual(page.consoleErrors, [])
        XCTAssertTrue(page.dom.contains("<svg"), page.dom.prefix(500).description)
        // The only http:// is the SVG namespace name, which is not fetched.
        XCTAssertEqual(html.components(separatedBy: "http://").count - 1,
                       html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1)
    }

    func testTerminalTimelineMarksTheViolation() throws {
        let s = Scenario(.sleepUnderSpinlock)
        let r = try s.analyze()
        let recorder = TimelineRecorder(windows: TimelineWindows.around(r.violations))
        try s.replay([recorder])
        let text = TimelineTerminal.render(recorder.windows[0], violations: r.violations, columns: 80)
        XCTAssertTrue(text.contains("CPU 0"), text)
        XCTAssertTrue(text.contains("!"), text)
        XCTAssertTrue(text.contains("lock "), text)
        XCTAssertTrue(text.contains("=workload"), text)
    }
}
