import Foundation
import XCTest
import TestSupport

/// `--cpu`, `--pid` / `--comm`, `--from` / `--to` on analyze, timeline,
/// export and dump, through the built binary on real captures: they choose
/// what is shown with one meaning everywhere, the model still reads the
/// whole trace, and a value the trace lacks is one line and exit status 2.
final class FilterOptionTests: XCTestCase {
    static let rules = "fixtures/rules/mmaudit_demo.rules"
    /// Demo module bug 1 (msleep under its spinlock), 2 CPUs: 18 atomic
    /// sleeps of workload-118, 17 on CPU 0 and one on CPU 1.
    static let bug1 = "fixtures/traces/events-bug1/trace.dat"

    func mmaudit(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> ExternalTools.Result {
        try ExternalTools.mmaudit(arguments)
    }

    func analyzeJSON(_ extra: [String] = []) throws -> [String: Any] {
        let r = try mmaudit(["analyze", Self.bug1, "--rules", Self.rules, "--format", "json"] + extra)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try XCTUnwrap(try ExternalTools.parseJSON(r.stdout) as? [String: Any])
    }

    static func violations(_ doc: [String: Any]) -> [[String: Any]] { doc["violations"] as? [[String: Any]] ?? [] }

    /// ns → "s.nnnnnnnnn", a time the options accept exactly.
    static func seconds(_ ns: Int) -> String {
        let frac = String(ns % 1_000_000_000)
        return "\(ns / 1_000_000_000)." + String(repeating: "0", count: 9 - frac.count) + frac
    }

    func testFindingsShownAreTheWholeTracesFindingsThatMatch() throws {
        let all = Self.violations(try analyzeJSON())
        XCTAssertEqual(all.count, 18, "the capture's 18 atomic sleeps (catalog: expected_violations)")
        let times = all.compactMap { $0["ts_ns"] as? Int }
        let (lo, hi) = (times[4], times[9])
        func onCPU(_ v: [String: Any], _ cpu: Int) -> Bool {
            v["cpu"] as? Int == cpu || (v["evidence"] as? [[String: Any]] ?? []).contains { $0["cpu"] as? Int == cpu }
        }
        let cases: [([String], ([String: Any]) -> Bool)] = [
            (["--cpu", "1"], { onCPU($0, 1) }),
            (["--cpu", "0"], { onCPU($0, 0) }),
            (["--from", Self.seconds(lo), "--to", Self.seconds(hi)], { ($0["ts_ns"] as? Int).map { lo...hi ~= $0 } ?? false }),
            (["--pid", "118"], { $0["pid"] as? Int == 118 }),
            (["--comm", "workload"], { $0["comm"] as? String == "workload" }),
            (["--comm", "kworker/0:1"], { _ in false }),
        ]
        for (options, chosen) in cases {
            let doc = try analyzeJSON(options)
            let shown = Self.violations(doc).compactMap { $0["ts_ns"] as? Int }
            XCTAssertEqual(shown, all.filter(chosen).compactMap { $0["ts_ns"] as? Int }, "\(options)")
            let check = (doc["checks"] as? [[String: Any]])?.first { $0["rule"] as? String == "atomic-sleep" }
            XCTAssertEqual(check?["violations"] as? Int, shown.count, "\(options): the count is of those shown")
        }
        XCTAssertEqual(Self.violations(try analyzeJSON(["--cpu", "1"])).count, 1)
        XCTAssertEqual(Self.violations(try analyzeJSON(["--from", Self.seconds(lo), "--to", Self.seconds(hi)])).count, 6)
    }

    /// A filtered text report says so, with how many of the trace's
    /// findings it shows: a page without findings is not a clean trace.
    func testFilteredTextSaysWhatItLeftOut() throws {
        let r = try mmaudit(["analyze", Self.bug1, "--rules", Self.rules, "--cpu", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasSuffix("\nfiltered by --cpu 1: 1 of the trace's 18 findings shown (the whole trace was read)\n"),
                      r.stdout)
        let plain = try mmaudit(["analyze", Self.bug1, "--rules", Self.rules])
        XCTAssertFalse(plain.stdout.contains("filtered by"))
    }

    /// A window that starts after a finding's lock was taken still shows
    /// the finding: the model read the events before the window.
    func testAWindowStartingMidTraceKeepsStateOpenedBeforeIt() throws {
        let all = Self.violations(try analyzeJSON())
        let first = try XCTUnwrap(all.first)
        let evidence = try XCTUnwrap(first["evidence"] as? [[String: Any]])
        let lock = try XCTUnwrap(evidence.first { $0["event"] as? String == "mmaudit_demo:stlb_lock" }?["ts_ns"] as? Int)
        let sleep = try XCTUnwrap(first["ts_ns"] as? Int)
        XCTAssertLessThan(lock, sleep)
        let windowed = Self.violations(try analyzeJSON(["--from", Self.seconds(lock + 1), "--to", Self.seconds(sleep)]))
        XCTAssertEqual(windowed.count, 1)
        XCTAssertEqual(windowed.first?["message"] as? String, first["message"] as? String)
        XCTAssertEqual((windowed.first?["evidence"] as? [[String: Any]])?.count, evidence.count)
    }

    func testValuesTheTraceDoesNotHaveAreOneLineAndExitStatus2() throws {
        let stats = try XCTUnwrap(try ExternalTools.parseJSON(try mmaudit(["stats", Self.bug1, "--format", "json"]).stdout)
                                  as? [String: Any])
        let first = try XCTUnwrap(stats["first_ts_ns"] as? Int), last = try XCTUnwrap(stats["last_ts_ns"] as? Int)
        XCTAssertEqual(stats["cpus"] as? Int, 2)
        func micro(_ ns: Int) -> String { // as trace-cmd prints
            let us = (ns + 500) / 1000
            let frac = String(us % 1_000_000)
            return "\(us / 1_000_000)." + String(repeating: "0", count: 6 - frac.count) + frac
        }
        let cases: [([String], [String])] = [
            (["timeline", Self.bug1, "--cpu", "5"], ["--cpu 5", "CPUs 0-1"]),
            (["analyze", Self.bug1, "--cpu", "0,2"], ["--cpu 2", "CPUs 0-1"]),
            (["export", Self.bug1, "--perfetto", "-", "--pid", "99999"], ["--pid 99999", "no task has that pid", "tasks, pids 0-", "nearest: "]),
            (["analyze", Self.bug1, "--comm", "workloda"], ["--comm workloda", "did you mean workload?"]),
            (["dump", Self.bug1, "--comm", "nobody"], ["--comm nobody", "no task of that name"]),
            (["analyze", Self.bug1, "--from", "900", "--to", "901"],
             ["--from 900.000000 --to 901.000000", "outside the trace, which spans \(micro(first)) .. \(micro(last))"]),
            (["dump", Self.bug1, "--to", "1.5"], ["--to 1.500000", "outside the trace"]),
            (["dump", Self.bug1, "--events", "nosuch"], ["--events nosuch: no such event in the trace"]),
            (["dump", Self.bug1, "--events", "sched_swich"], ["did you mean sched:sched_switch?"]),
            (["timeline", Self.bug1, "--from", "7.2", "--to", "7.1"], ["--to must be after --from"]),
            (["analyze", Self.bug1, "--from", "7,2"], ["'7,2' is not a time in seconds"]),
        ]
        for (arguments, phrases) in cases {
            let r = try mmaudit(arguments)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
            if arguments.contains("--to") && arguments.contains("7.1") || arguments.contains("7,2") {
                XCTAssertTrue(r.stderr.contains(phrases[0]), "\(arguments): \(r.stderr)")
                continue  // usage errors: ArgumentParser adds its usage lines
            }
            XCTAssertEqual(lines.count, 1, "\(arguments): \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("mmaudit: \(Self.bug1): "), "\(arguments): \(r.stderr)")
            for p in phrases { XCTAssertTrue(r.stderr.contains(p), "\(arguments): '\(p)' not in \(r.stderr)") }
        }
    }

    /// Text traces: the same checks, from what the pass read.
    func testTextTracesRefuseTheSameValues() throws {
        let text = "fixtures/traces/events-bug1/report.txt"
        for (arguments, phrase) in [(["dump", text, "--events", "sched_swich"], "did you mean sched:sched_switch?"),
                                    (["dump", text, "--cpu", "7"], "--cpu 7: the trace has CPUs 0-1"),
                                    (["analyze", text, "--comm", "workloda"], "did you mean workload?")] {
            let r = try mmaudit(arguments)
            XCTAssertEqual(r.status, 2, "\(arguments)")
            XCTAssertTrue(r.stderr.hasPrefix("mmaudit: \(text): ") && r.stderr.contains(phrase), "\(arguments): \(r.stderr)")
            XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1, r.stderr)
        }
        let r = try mmaudit(["dump", text, "--events", "sched:sched_switch,stlb_lock", "--comm", "workload"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n").dropFirst()
        XCTAssertGreaterThan(lines.count, 100)
        XCTAssertTrue(lines.allSatisfy { $0.contains("workload-") && ($0.contains(" sched_switch:") || $0.contains(" stlb_lock:")) })
    }

    /// dump's filter chooses exactly the lines of the unfiltered dump that
    /// match (task, CPU, window), as the report prints them.
    func testDumpChoosesTheLinesThatMatch() throws {
        let full = try mmaudit(["dump", Self.bug1])
        XCTAssertEqual(full.status, 0)
        struct Line { var text: String; var comm: String; var pid: Int; var cpu: Int; var micros: Int }
        func parse(_ text: String) -> [Line] {
            text.split(separator: "\n").dropFirst().compactMap { l in
                let s = String(l)
                guard let open = s.firstIndex(of: "["), let close = s.firstIndex(of: "]") else { return nil }
                let task = s[..<open].trimmingCharacters(in: .whitespaces)
                guard let dash = task.lastIndex(of: "-"), let pid = Int(task[task.index(after: dash)...]),
                      let cpu = Int(s[s.index(after: open)..<close]) else { return nil }
                let ts = s[s.index(after: close)...].split(separator: ":")[0].trimmingCharacters(in: .whitespaces)
                let parts = ts.split(separator: ".")
                guard parts.count == 2, let whole = Int(parts[0]), let frac = Int(parts[1]) else { return nil }
                return Line(text: s, comm: String(task[..<dash]), pid: pid, cpu: cpu, micros: whole * 1_000_000 + frac)
            }
        }
        let lines = parse(full.stdout)
        XCTAssertEqual(lines.count, 4336, "stats' event count of the capture")
        let a = lines[1000].micros, b = lines[3000].micros
        // Half a microsecond past a printed time: a line is inside exactly
        // when its printed (rounded) time is (TimeFormat rounds to µs).
        let from = Self.seconds(a * 1000 + 500), to = Self.seconds(b * 1000 + 499)
        let r = try mmaudit(["dump", Self.bug1, "--comm", "workload", "--cpu", "1", "--from", from, "--to", to])
        XCTAssertEqual(r.status, 0, r.stderr)
        let expected = lines.filter { $0.comm == "workload" && $0.cpu == 1 && $0.micros > a && $0.micros <= b }
        XCTAssertGreaterThan(expected.count, 100)
        XCTAssertEqual(parse(r.stdout).map(\.text), expected.map(\.text))
        let byPid = try mmaudit(["dump", Self.bug1, "--pid", "118", "--events", "mmaudit_demo:stlb_lock"])
        XCTAssertEqual(parse(byPid.stdout).map(\.text),
                       lines.filter { $0.pid == 118 && $0.text.contains(" stlb_lock:") }.map(\.text))
    }

    func testTimelineAndExportDrawOnlyWhatIsChosen() throws {
        let both = try mmaudit(["timeline", Self.bug1, "--rules", Self.rules, "--width", "100"])
        XCTAssertEqual(both.status, 0, both.stderr)
        XCTAssertTrue(both.stdout.contains("CPU 0") && both.stdout.contains("CPU 1"), both.stdout)
        let one = try mmaudit(["timeline", Self.bug1, "--rules", Self.rules, "--width", "100", "--cpu", "1",
                               "--from", "7.0", "--to", "7.3"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("CPU 1") && !one.stdout.contains("CPU 0"), one.stdout)
        // The one violation on CPU 1 (by its sleep or its evidence) and no other.
        XCTAssertEqual(one.stdout.split(separator: "\n").filter { $0.hasPrefix("! ") }.count, 1, one.stdout)

        func traceEvents(_ extra: [String]) throws -> [[String: Any]] {
            let r = try mmaudit(["export", Self.bug1, "--rules", Self.rules, "--perfetto", "-"] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            let doc = try XCTUnwrap(try ExternalTools.parseJSON(r.stdout) as? [String: Any])
            return try XCTUnwrap(doc["traceEvents"] as? [[String: Any]])
        }
        let everything = try traceEvents([])
        let window = try traceEvents(["--from", "7.0", "--to", "7.1"])
        XCTAssertLessThan(window.count, everything.count / 4)
        // Timestamps in Chrome JSON are microseconds.
        // A slice that began in the window ends where it ends: its "e" may
        // come after --to, as an "X" slice's duration did.
        let times = window.filter { $0["ph"] as? String != "e" }.compactMap { $0["ts"] as? Double }
        XCTAssertFalse(times.isEmpty)
        XCTAssertTrue(times.allSatisfy { $0 <= 7_100_000 + 1 }, "an item after --to: \(times.max() ?? 0)")
    }
}
