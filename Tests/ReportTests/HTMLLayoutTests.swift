import Foundation
import XCTest

/// The HTML reports of real captures, laid out by headless Chromium and
/// measured (LayoutCheck): labelled lanes, violation markers that do not
/// collide, nothing clipped or wider than the page, task colours in the
/// legend, the address picture of each missing invalidation. Screenshots
/// of each go to .build/screenshots/ for a human to look at.
final class HTMLLayoutTests: XCTestCase {
    static let rules = FixtureReportTests.rules
    static let shots = ExternalTools.packageRoot.appendingPathComponent(".build/screenshots")

    func check(_ html: String, name: String, file: StaticString = #filePath, line: UInt = #line) throws -> LayoutCheck.Facts? {
        try FileManager.default.createDirectory(at: Self.shots, withIntermediateDirectories: true)
        var wide: LayoutCheck.Facts?
        // The page at a desktop width and at a narrow one (pictures scale
        // down, tables must still fit).
        for width in [1150, 760] {
            let shot = width == 1150 ? Self.shots.appendingPathComponent(name + ".png").path : nil
            guard let facts = try LayoutCheck.run(html, width: width, screenshot: shot) else { return nil }
            XCTAssertEqual(facts.problems, [], "\(name) at \(width) px", file: file, line: line)
            if width == 1150 { wide = facts }
        }
        return wide
    }

    func analyze(_ capture: String) throws -> (html: String, errors: Int, missing: Int) {
        let trace = "fixtures/traces/\(capture)/trace.dat"
        let out = ExternalTools.temporaryFile("\(capture).html")
        let r = try ExternalTools.mmaudit(["analyze", trace, "--rules", Self.rules, "--format", "html", "-o", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try ExternalTools.mmaudit(["analyze", trace, "--rules", Self.rules, "--format", "json"])
        let doc = try XCTUnwrap(try ExternalTools.parseJSON(json.stdout) as? [String: Any])
        let vs = (doc["violations"] as? [[String: Any]]) ?? []
        return (out, vs.count, vs.filter { $0["rule"] as? String == "missing-invalidation" }.count)
    }

    func testReportsOfTheBugCapturesLayOutCleanly() throws {
        for capture in ["function-bug1", "function-bug2", "function-bug3", "events-bug1", "graph-bug3", "tracefs-bug2",
                        "function-bug0"] {
            let (html, errors, missing) = try analyze(capture)
            guard let facts = try check(html, name: capture) else { continue }
            XCTAssertGreaterThan(facts.lanes, 0, capture)
            XCTAssertGreaterThan(facts.taskColours, 1, "\(capture): tasks in different colours")
            XCTAssertEqual(facts.rangePictures, min(missing, 50), "\(capture): an address picture per missing invalidation")
            // Markers: clusters whose counts add up to every violation drawn.
            let text = try String(contentsOfFile: html, encoding: .utf8)
            let counts = text.components(separatedBy: "class=\"vcluster\" data-count=\"").dropFirst()
                .compactMap { Int($0.prefix { $0.isNumber }) }
            XCTAssertEqual(counts.reduce(0, +), errors, capture)
            XCTAssertEqual(counts.count, facts.markers, capture)
            if errors > 1 { XCTAssertLessThan(facts.markers, errors, "\(capture): a burst shares a marker") }
        }
    }

    /// The 2 MiB mapping of which 4 KiB was dropped, to scale: the stale
    /// part is 511/512 of the mapping's width, the dropped part 2 px.
    func testMissingInvalidationDrawsTheMappingAgainstTheInvalidatedRange() throws {
        let (html, _, missing) = try analyze("function-bug2")
        XCTAssertEqual(missing, 7)
        let text = try String(contentsOfFile: html, encoding: .utf8)
        let picture = try XCTUnwrap(text.components(separatedBy: "aria-label=\"address ranges\"").dropFirst().first)
        func width(_ cls: String) throws -> Double {
            let rect = try XCTUnwrap(picture.components(separatedBy: "class=\"range \(cls)\"").dropFirst().first)
            let w = try XCTUnwrap(rect.components(separatedBy: "width=\"").dropFirst().first?.prefix { $0 != "\"" })
            return try XCTUnwrap(Double(w))
        }
        let map = try width("map"), stale = try width("stale")
        XCTAssertEqual(stale / map, 511.0 / 512.0, accuracy: 0.002)
        XCTAssertEqual(try width("dropped"), 2)
        XCTAssertTrue(picture.contains("2 MiB secondary mapping [0x7f6cf2e00000, 0x7f6cf3000000)"))
        XCTAssertTrue(picture.contains("dropped 4 KiB at 0x7f6cf2e00000"))
        XCTAssertTrue(picture.contains("2044 KiB still mapped when invalidate_range_end returned"))
    }

    func testDiffTablesFitThePage() throws {
        for (before, after) in [("function-bug0", "function-bug2"), ("function-bug0", "function-bug1")] {
            let out = ExternalTools.temporaryFile("diff-\(before)-\(after).html")
            let r = try ExternalTools.mmaudit(["diff", "fixtures/traces/\(before)/trace.dat", "fixtures/traces/\(after)/trace.dat",
                                               "--rules", Self.rules, "--format", "html", "-o", out])
            XCTAssertEqual(r.status, 0, r.stderr)
            _ = try check(out, name: "diff-\(before)-\(after)")
        }
    }
}
