import Foundation
import XCTest
import TestSupport

/// A rules file is checked against the trace's own event formats: a field
/// the bound event lacks is bad input, named with its line and the event's
/// real fields, not a binding that silently never fills its argument.
final class RulesFieldTests: XCTestCase {
    static let trace = "fixtures/traces/events-bug1/trace.dat"
    static let rules = "fixtures/rules/mmaudit_demo.rules"

    /// The demo rules with `start=start` on the invalidate_start binding
    /// misspelt as `start=begin`; returns the file and the binding's line.
    func misspeltRules() throws -> (path: String, line: Int) {
        let text = try String(contentsOf: ExternalTools.packageRoot.appendingPathComponent(Self.rules), encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        let i = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("bind mmaudit_demo:invalidate_start ") && $0.contains("start=start") })
        lines[i] = lines[i].replacingOccurrences(of: "start=start", with: "start=begin")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("misspelt-\(getpid()).rules").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (path, i + 1)
    }

    func testAMisspeltFieldIsBadInputNamingTheEventsFields() throws {
        let (path, line) = try misspeltRules()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try ExternalTools.mmaudit(["analyze", Self.trace, "--rules", path])
        XCTAssertEqual(r.status, 2, r.stdout)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("mmaudit: \(path):\(line): mmaudit_demo:invalidate_start has no field 'begin'"), r.stderr)
        // The event's real fields, from the trace's format of it.
        for field in ["mm", "start", "end", "blockable"] {
            XCTAssertTrue(r.stderr.contains(field), "\(field) missing from: \(r.stderr)")
        }
        // The same rules without the typo analyse the trace.
        XCTAssertNotEqual(try ExternalTools.mmaudit(["analyze", Self.trace, "--rules", Self.rules]).status, 2)
    }

    func json(_ arguments: [String]) throws -> [String: Any] {
        let r = try ExternalTools.mmaudit(["analyze", "--format", "json"] + arguments)
        XCTAssertNotEqual(r.status, 2, r.stderr)
        return try XCTUnwrap(try ExternalTools.parseJSON(r.stdout) as? [String: Any])
    }

    /// events-bug1 was recorded without the kretprobe the demo rules bind
    /// (line 20): said, with its line, instead of a quiet "skipped"; the
    /// events it does hold are not listed.
    func testABoundEventTheTraceNeverHasIsSaid() throws {
        let doc = try json([Self.trace, "--rules", Self.rules])
        XCTAssertEqual(doc["unseen_bindings"] as? [String], ["\(Self.rules):20 mmaudit_demo:invalidate_start_ret"])
        let text = try ExternalTools.mmaudit(["analyze", Self.trace, "--rules", Self.rules]).stdout
        XCTAssertTrue(text.contains("never occurs: \(Self.rules):20 mmaudit_demo:invalidate_start_ret"), text)
        XCTAssertNil(try json([Self.trace])["unseen_bindings"], "no rules file, nothing to say")
    }

    /// Without the rules, the driver's own events are what a rules file
    /// would bind: a skipped check names them (trace.dat and text alike).
    func testASkippedCheckNamesTheTracesCandidateEvents() throws {
        for (trace, unmap) in [(Self.trace, "mmaudit_demo:unmap"), ("fixtures/traces/events-bug1/report.txt", "unmap")] {
            let checks = try XCTUnwrap(try json([trace])["checks"] as? [[String: Any]])
            let missing = try XCTUnwrap(checks.first { $0["rule"] as? String == "missing-invalidation" })
            XCTAssertEqual(missing["status"] as? String, "skipped")
            let reason = try XCTUnwrap(missing["reason"] as? String)
            XCTAssertTrue(reason.contains("a rules file could bind: ") && reason.contains(unmap), reason)
            // With the rules bound, those events are no longer offered.
            let bound = try XCTUnwrap(try json([trace, "--rules", Self.rules])["checks"] as? [[String: Any]])
            for c in bound { XCTAssertFalse((c["reason"] as? String ?? "").contains(unmap), "\(c)") }
        }
    }
}
