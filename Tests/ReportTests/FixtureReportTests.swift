import Foundation
import XCTest
import TraceModel
import Checks
import TestSupport

/// Every command on the real captures of fixtures/ (catalog.json): the demo
/// module in correct mode (bug 0) and in each bug mode. These fail, never
/// skip, when the fixtures are missing.
final class FixtureReportTests: XCTestCase {
    static let rules = "fixtures/rules/mmaudit_demo.rules"
    /// The rule each bug mode of the demo module breaks (fixtures/README.md):
    /// 1 msleep under a spinlock, 2 drops only 4 KiB of a 2 MiB entry,
    /// 3 msleep in a non-blockable range (an atomic sleep too).
    static let bugRule = [1: "atomic-sleep", 2: "missing-invalidation", 3: "atomic-sleep"]

    /// fixtures/traces/CAPTURE/trace.dat, checked against the catalog.
    func trace(_ capture: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let data = try FixtureFiles.catalogData(file: file, line: line)
        guard let doc = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = doc["files"] as? [[String: Any]] else {
            XCTFail("fixtures/catalog.json is missing or unreadable", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        let path = "traces/\(capture)/trace.dat"
        guard files.contains(where: { $0["path"] as? String == path }),
              FileManager.default.fileExists(atPath: ExternalTools.packageRoot.appendingPathComponent("fixtures/" + path).path) else {
            XCTFail("fixture \(path) is not in the catalog or not on disk", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return "fixtures/" + path
    }

    func analyzeJSON(_ capture: String) throws -> [String: Any] {
        let r = try ExternalTools.mmaudit(["analyze", try trace(capture), "--rules", Self.rules, "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return try XCTUnwrap(try ExternalTools.parseJSON(r.stdout) as? [String: Any])
    }

    func testJSONOfEveryDemoCaptureNamesItsBug() throws {
        for bug in 0...3 {
            let doc = try analyzeJSON("function-bug\(bug)")
            let summary = try XCTUnwrap(doc["summary"] as? [String: Int])
            let violations = try XCTUnwrap(doc["violations"] as? [[String: Any]])
            XCTAssertEqual(violations.count, summary.values.reduce(0, +))
            XCTAssertTrue(violations.allSatisfy { !(($0["evidence"] as? [Any]) ?? []).isEmpty })
            if let rule = Self.bugRule[bug] {
                XCTAssertGreaterThan(summary[rule] ?? 0, 0, "bug \(bug): \(summary)")
            } else {
                XCTAssertEqual(summary["atomic-sleep"], 0, "the correct mode never sleeps while atomic")
            }
        }
    }

    func testSARIFOfEveryBugCaptureIsValidAgainstTheOfficialSchema() throws {
        for bug in 1...3 {
            let out = ExternalTools.temporaryFile("function-bug\(bug).sarif")
            let r = try ExternalTools.mmaudit(["analyze", try trace("function-bug\(bug)"), "--rules", Self.rules,
                                               "--format", "sarif", "-o", out])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertNil(try ExternalTools.sarifSchemaErrors(out), "function-bug\(bug)")
            let sarif = try XCTUnwrap(try ExternalTools.parseJSON(String(contentsOfFile: out, encoding: .utf8)) as? [String: Any])
            let results = try XCTUnwrap(((sarif["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]])
            let doc = try analyzeJSON("function-bug\(bug)")
            let all = ((doc["violations"] as? [Any]) ?? []).count + ((doc["notes"] as? [Any]) ?? []).count
            XCTAssertEqual(results.count, all, "one result per violation and note")
            XCTAssertTrue(results.contains { $0["ruleId"] as? String == Self.bugRule[bug] && $0["level"] as? String == "error" })
        }
    }

    func testTextAndMarkdownOfTheSpinlockBug() throws {
        let path = try trace("function-bug1")
        let text = try ExternalTools.mmaudit(["analyze", path, "--rules", Self.rules])
        XCTAssertEqual(text.status, 0)
        XCTAssertFalse(text.stdout.contains("\u{1B}["), "no colour off a terminal")
        XCTAssertTrue(text.stdout.contains("atomic-sleep"), text.stdout)
        XCTAssertTrue(text.stdout.contains("open then:"), text.stdout)
        XCTAssertTrue(text.stdout.contains("msleep"), text.stdout)
        let md = try ExternalTools.mmaudit(["analyze", path, "--rules", Self.rules, "--format", "markdown"])
        XCTAssertTrue(md.stdout.contains("| `atomic-sleep` | **FAIL** |"), md.stdout)
        XCTAssertTrue(md.stdout.contains("#### Violations"))
    }

    func testDiffCallsEachBugNewOneWayAndFixedTheOther() throws {
        let good = try trace("function-bug0")
        for bug in 1...3 {
            let bad = try trace("function-bug\(bug)"), rule = Self.bugRule[bug]!
            let forward = try ExternalTools.mmaudit(["diff", good, bad, "--rules", Self.rules, "--format", "json",
                                                     "--fail-on", "new"])
            XCTAssertEqual(forward.status, 1, "bug \(bug): AFTER has new violations: \(forward.stderr)")
            let f = try XCTUnwrap(try ExternalTools.parseJSON(forward.stdout) as? [String: Any])
            let newRules = Set(((f["findings"] as? [[String: Any]]) ?? []).filter { $0["status"] as? String == "new" }
                .compactMap { $0["rule"] as? String })
            // The correct-mode capture has no violation, so what is new is the bug and only it.
            XCTAssertEqual(newRules, [rule], "bug \(bug): new \(newRules)")

            let backward = try ExternalTools.mmaudit(["diff", bad, good, "--rules", Self.rules, "--format", "json",
                                                      "--fail-on", "new"])
            let b = try XCTUnwrap(try ExternalTools.parseJSON(backward.stdout) as? [String: Any])
            let fixedRules = Set(((b["findings"] as? [[String: Any]]) ?? []).filter { $0["status"] as? String == "fixed" }
                .compactMap { $0["rule"] as? String })
            XCTAssertEqual(fixedRules, [rule], "bug \(bug): fixed \(fixedRules)")
            let reverseNew = ((b["findings"] as? [[String: Any]]) ?? []).filter { $0["status"] as? String == "new" }
            XCTAssertEqual(backward.status, 0, "bug \(bug): fixing the bug adds nothing")
            XCTAssertTrue(reverseNew.isEmpty, "bug \(bug): \(reverseNew)")
            let latencies = try XCTUnwrap(f["latencies"] as? [[String: Any]])
            XCTAssertTrue(latencies.contains { $0["span"] as? String == "invalidate range" })
        }
    }

    func testDiffGateExitCodes() throws {
        let bad = try trace("function-bug1")
        XCTAssertEqual(try ExternalTools.mmaudit(["diff", bad, bad, "--rules", Self.rules, "--fail-on", "new"]).status, 0)
        XCTAssertEqual(try ExternalTools.mmaudit(["diff", bad, bad, "--rules", Self.rules]).status, 0)
        XCTAssertEqual(try ExternalTools.mmaudit(["diff", bad]).status, 2, "missing AFTER is a usage error")
        XCTAssertEqual(try ExternalTools.mmaudit(["diff", bad, "fixtures/nonexistent.dat"]).status, 2)
        XCTAssertEqual(try ExternalTools.mmaudit(["diff", bad, bad, "--fail-on", "worse"]).status, 2)
        XCTAssertEqual(try ExternalTools.mmaudit(["analyze", bad, "--rules", "Package.swift"]).status, 2, "a bad rules file")
        XCTAssertEqual(try ExternalTools.mmaudit(["analyze", bad, "--rules", Self.rules, "--fail-on", "error"]).status, 1)
        XCTAssertEqual(try ExternalTools.mmaudit(["analyze", bad, "--rules", Self.rules, "--format", "yaml"]).status, 2)
        for format in ["text", "markdown", "html"] {
            let r = try ExternalTools.mmaudit(["diff", try trace("function-bug0"), bad, "--rules", Self.rules, "--format", format])
            XCTAssertEqual(r.status, 0, "without --fail-on the diff itself succeeds")
            XCTAssertTrue(r.stdout.contains("atomic-sleep"), format)
        }
    }

    func testHTMLOfEveryBugCaptureShowsTheViolationTimelineInChromium() throws {
        let shots = ExternalTools.packageRoot.appendingPathComponent(".build/report-screenshots")
        try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
        for bug in 1...3 {
            let out = ExternalTools.temporaryFile("function-bug\(bug).html")
            let r = try ExternalTools.mmaudit(["analyze", try trace("function-bug\(bug)"), "--rules", Self.rules,
                                               "--format", "html", "-o", out])
            XCTAssertEqual(r.status, 0, r.stderr)
            let html = try String(contentsOfFile: out, encoding: .utf8)
            XCTAssertFalse(html.contains("<script") || html.contains("https://") || html.contains("<link"),
                           "self-contained")
            let page = try XCTUnwrap(try HeadlessChromium.load(out, screenshot: shots.appendingPathComponent("function-bug\(bug).png").path))
            XCTAssertEqual(page.consoleErrors, [], "bug \(bug)")
            XCTAssertTrue(page.dom.contains("aria-label=\"trace overview\""), "the overview")
            XCTAssertTrue(page.dom.contains("aria-label=\"per-CPU timeline\""), "a violation's timeline")
            XCTAssertTrue(page.dom.contains("class=\"vmark\""), "the violation marked")
            XCTAssertTrue(page.dom.contains("id=\"v1\""))
        }
    }

    func testRecordPrintAsksForEverythingTheChecksRead() throws {
        let btf = FixtureFiles.directory.appendingPathComponent("btf/6.1.0-57-amd64/vmlinux.btf.zst").path
        let r = try ExternalTools.mmaudit(["record", "--print", "--btf", btf, "--rules", Self.rules, "-o", "out.dat",
                                           "--", "/workload", "-o", "x"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let record = try XCTUnwrap(lines.first { $0.hasPrefix("trace-cmd record") })
        let words = record.split(separator: " ").map(String.init)
        var events: Set<String> = [], functions: Set<String> = []
        for (i, w) in words.enumerated() where i + 1 < words.count {
            if w == "-e" { events.insert(words[i + 1]) }
            if w == "-l" { functions.insert(words[i + 1]) }
        }
        XCTAssertTrue(record.hasSuffix("-- /workload -o x") || record.hasSuffix(" /workload -o x"), record)
        XCTAssertTrue(words.contains("-p") && words[words.firstIndex(of: "-p")! + 1] == "function")
        // What each rule reads, by the bindings: every tracepoint, function and kprobe.
        var table = BuiltinBindings.table
        table.merge(try RulesFile.parse(String(contentsOfFile: ExternalTools.packageRoot.appendingPathComponent(Self.rules).path,
                                               encoding: .utf8), path: Self.rules))
        for needs in RuleNeeds.all {
            for key in needs.events { XCTAssertTrue(events.contains(key.description), "\(needs.rule) needs \(key)") }
            for role in needs.roles {
                for b in table.bindings where b.role == role {
                    if b.event == EventKey("ftrace", "function"), let f = b.function {
                        XCTAssertTrue(functions.contains(f) || lines.contains("# absent from the kernel's BTF, left out: function \(f)"),
                                      "\(role.rawValue): -l \(f)")
                    } else if b.event.system != "ftrace" && b.event.system != "kprobes" {
                        XCTAssertTrue(events.contains(b.event.description)
                                      || lines.contains("# absent from the kernel's BTF, left out: event \(b.event)"),
                                      "\(role.rawValue): -e \(b.event)")
                    }
                }
            }
        }
        XCTAssertTrue(events.isSuperset(of: ["sched:sched_switch", "mmaudit_demo:map", "mmaudit_demo:unmap",
                                             "mmaudit_demo:invalidate_start", "mmaudit_demo:invalidate_end"]))
        // The kprobes fetch the fields the bindings read where 6.1's BTF
        // puts them in struct mmu_notifier_range (RecordBTFTests: pahole's).
        XCTAssertTrue(lines.contains("echo 'p:kprobes/mmaudit_inv_start __mmu_notifier_invalidate_range_start "
            + "mm=+8($arg1):x64 start=+16($arg1):x64 end=+24($arg1):x64 flags=+32($arg1):u32 event=+36($arg1):u32' "
            + ">> \"$probes\""), r.stdout)
        XCTAssertTrue(events.contains("kprobes:mmaudit_inv_start") && events.contains("kprobes:mmaudit_inv_end"))
        XCTAssertTrue(events.contains("kprobes:mmaudit_inv_start_ret"))
        // What 6.1's BTF says that kernel lacks (static inline ssleep, no
        // lockdep, no CONFIG_DEBUG_ATOMIC_SLEEP) is named, not asked for.
        XCTAssertFalse(events.contains("lock:lock_acquire") || functions.contains("ssleep"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("# not checked against a kernel") })
    }

    func testRecordPrintLeavesOutWhatAKernelLacksAndSaysSo() throws {
        let dir = ExternalTools.temporaryFile("fake-tracefs")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "sched:sched_switch\nsched:sched_wakeup\nmmaudit_demo:map\n".write(toFile: dir + "/available_events", atomically: true, encoding: .utf8)
        try "msleep\nschedule\n__mmu_notifier_invalidate_range_start\ntlb_gather_mmu [kernel]\n"
            .write(toFile: dir + "/available_filter_functions", atomically: true, encoding: .utf8)
        let r = try ExternalTools.mmaudit(["record", "--print", "--tracefs", dir, "--rules", Self.rules, "--", "true"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("-e sched:sched_switch -e mmaudit_demo:map"), r.stdout)
        XCTAssertFalse(r.stdout.contains("-e lock:contention_begin"))
        XCTAssertTrue(r.stdout.contains("# absent on this kernel, left out: event lock:contention_begin"), r.stdout)
        XCTAssertTrue(r.stdout.contains("# absent on this kernel, left out: kprobe on __mmu_notifier_invalidate_range_end"))
        XCTAssertTrue(r.stdout.contains("-l tlb_gather_mmu"), "module-annotated lines count")
        XCTAssertEqual(try ExternalTools.mmaudit(["record", "--print"]).status, 2, "no workload is a usage error")
    }

    func testPerfettoExportHoldsTheTrace() throws {
        let path = try trace("function-bug1")
        let out = ExternalTools.temporaryFile("function-bug1.json")
        let r = try ExternalTools.mmaudit(["export", path, "--rules", Self.rules, "--perfetto", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let events = try XCTUnwrap(doc["traceEvents"] as? [[String: Any]])
        let analysis = try analyzeJSON("function-bug1")
        let info = try XCTUnwrap(analysis["trace"] as? [String: Any])
        let cpus = try XCTUnwrap(info["cpus"] as? Int)
        for e in events {
            XCTAssertNotNil(e["ph"] as? String)
            XCTAssertNotNil(e["name"] as? String)
            let pid = try XCTUnwrap(e["pid"] as? Int)
            XCTAssertTrue((0..<cpus).contains(pid), "pid is the CPU")
            if e["ph"] as? String != "M" { XCTAssertNotNil(e["ts"] as? Double ?? (e["ts"] as? Int).map(Double.init)) }
            if e["ph"] as? String == "X" { XCTAssertGreaterThanOrEqual((e["dur"] as? Double) ?? 0, 0) }
        }
        func count(_ cat: String) -> Int { events.filter { $0["cat"] as? String == cat }.count }
        XCTAssertEqual(events.filter { $0["tid"] as? Int == 2 && $0["ph"] as? String == "i" }.count, info["events"] as? Int,
                       "every trace event is an instant")
        let violations = ((analysis["violations"] as? [Any]) ?? []).count + ((analysis["notes"] as? [Any]) ?? []).count
        XCTAssertEqual(count("violation"), violations, "function-bug1 folds nothing")
        XCTAssertGreaterThan(count("task"), 0, "task slices")
        XCTAssertGreaterThan(count("invalidate"), 0, "invalidation spans")
        XCTAssertTrue(events.contains { $0["ph"] as? String == "M" && $0["name"] as? String == "process_name" })
        // Slices of one CPU never overlap.
        for cpu in 0..<cpus {
            let slices = events.filter { $0["cat"] as? String == "task" && $0["pid"] as? Int == cpu }
                .map { (($0["ts"] as? Double) ?? 0, ($0["dur"] as? Double) ?? 0) }.sorted { $0.0 < $1.0 }
            for (a, b) in zip(slices, slices.dropFirst()) { XCTAssertLessThanOrEqual(a.0 + a.1, b.0 + 0.001) }
        }
    }

    func testTimelineDrawsTheViolationInTheTerminal() throws {
        let r = try ExternalTools.mmaudit(["timeline", try trace("function-bug1"), "--rules", Self.rules, "--width", "120"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("CPU 0") || r.stdout.contains("CPU 1"), r.stdout)
        XCTAssertTrue(r.stdout.contains("! "), r.stdout)
        XCTAssertTrue(r.stdout.contains("tasks: "), r.stdout)
        let window = try ExternalTools.mmaudit(["timeline", try trace("function-bug1"), "--cpu", "1", "--from", "1.5", "--to", "1.4"])
        XCTAssertEqual(window.status, 2, "--to before --from")
    }

    func testRulesListsEveryCheckAndItsEvents() throws {
        let r = try ExternalTools.mmaudit(["rules", "--rules", Self.rules])
        XCTAssertEqual(r.status, 0)
        for c in CheckCatalog.all { XCTAssertTrue(r.stdout.contains(c.info.id + ":"), c.info.id) }
        XCTAssertTrue(r.stdout.contains("sched:sched_switch"))
        XCTAssertTrue(r.stdout.contains("mmaudit_demo:map"))
    }

    func testEveryCommandsHelpHasExamples() throws {
        for command in ["analyze", "diff", "rules", "record", "timeline", "export"] {
            let r = try ExternalTools.mmaudit([command, "--help"])
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.stdout.contains("EXAMPLES"), command)
            XCTAssertTrue(r.stdout.contains("EXIT STATUS"), command)
        }
    }
}
