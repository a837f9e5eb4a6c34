import Foundation
import XCTest
import TraceInput
import TraceModel
@testable import Checks

/// `analyze` on every real capture finds exactly what the catalog says the
/// module did and the kernel reported: no more, no less.
final class FixtureAnalysisTests: XCTestCase {
    func testEveryTraceHasExactlyTheCatalogsViolations() throws {
        let catalog = try Catalog.load()
        var checked = 0
        for f in catalog.traces {
            guard let expected = f.expected_violations else { continue }
            let result = try Catalog.analyze(catalog.path(f))
            for rule in CheckCatalog.all.map({ $0.info.id }) {
                let found = result.violations.filter { $0.rule == rule && $0.severity != .note }
                XCTAssertEqual(found.count, expected[rule] ?? 0,
                               "\(f.path): \(rule): " + found.prefix(3).map(\.message).joined(separator: " | "))
            }
            for c in result.checks where c.rule != MissingInvalidation.info.id || f.capture_kind != "function" {
                // These 6.1.0-56 captures predate the driver's
                // invalidate_start_ret event: only the kprobe capture's
                // kretprobe (built-in binding) records a start's result,
                // in its trace.dat (`trace-cmd report` text does not say
                // an event's system, and kprobes are bound as kprobes:*);
                // elsewhere notifier-eagain must say it cannot run.
                let result = f.capture_kind == "kprobe" && f.kind == "tracedat"
                XCTAssertEqual(c.ran, c.rule != NotifierEagain.info.id || result,
                               "\(f.path): \(c.rule): \(c.reason ?? "ran")")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 10)
    }

    /// graph-bug3 traces __mmu_notifier_invalidate_range_start with
    /// function_graph but not _end (the driver's events give the ranges'
    /// ends): each invalidation left one more open range in the task, and the
    /// OOM reaper's sleep listed eleven of them as open. A task now holds at
    /// most InvalidateRange.nestingLimit of one channel, the report says the
    /// alike ones once, and since that channel never ends in the trace, the
    /// ranges given up on are no finding of their own.
    func testAChannelWithoutTracedEndsStaysBounded() throws {
        let catalog = try Catalog.load()
        let f = try XCTUnwrap(catalog.traces.first { $0.path.hasSuffix("graph-bug3/trace.dat") })
        let result = try Catalog.analyze(catalog.path(f))
        let sleep = try XCTUnwrap(result.violations.first { $0.rule == AtomicSleep.info.id && $0.comm == "oom_reaper" })
        let starts = sleep.openContext.filter { $0.contains("func=__mmu_notifier_invalidate_range_start") }
        XCTAssertEqual(starts.count, 1, sleep.openContext.joined(separator: "; "))
        XCTAssertTrue(sleep.openContext.contains("\(InvalidateRange.nestingLimit - 1) more alike, begun earlier"),
                      sleep.openContext.joined(separator: "; "))
        XCTAssertEqual(sleep.evidence.filter { $0.text.contains("func=__mmu_notifier_invalidate_range_start") }.count, 1)
        XCTAssertEqual(result.violations.filter { $0.rule == UnbalancedInvalidation.info.id }.count, 0)
    }

    /// The model reads trace.dat records in place (counting most without
    /// making events); it must find exactly what it finds from the same
    /// records made into events: violations with their evidence, counts,
    /// latencies.
    func testRecordsAndEventsGiveTheSameAnalysis() throws {
        let catalog = try Catalog.load()
        var compared = 0
        for f in catalog.files where f.kind == "tracedat" {
            let records = try Catalog.analyze(catalog.path(f))
            let events = try Catalog.analyze(catalog.path(f), eventsOnly: true)
            XCTAssertEqual(records.events, events.events, f.path)
            XCTAssertEqual(records.lostEvents, events.lostEvents, f.path)
            XCTAssertEqual(records.checks, events.checks, f.path)
            XCTAssertEqual(records.violations.map(Self.full), events.violations.map(Self.full), f.path)
            XCTAssertEqual(records.folded, events.folded, f.path)
            XCTAssertEqual(records.latencies, events.latencies, f.path)
            XCTAssertEqual(records.timeSpan, events.timeSpan, f.path)
            compared += 1
        }
        XCTAssertGreaterThan(compared, 10)
    }

    private static func full(_ v: Violation) -> String {
        "\(v.rule) \(v.severity) \(v.timestamp) \(v.cpu) \(v.pid) \(v.comm) \(v.message) \(v.signature) "
            + v.evidence.map { "[\($0.timestamp) \($0.cpu) \($0.pid) \($0.comm) \($0.event) \($0.text)]" }.joined()
    }

    /// Each "BUG: scheduling while atomic: COMM/PID/0x…" the kernel printed
    /// has an atomic-sleep violation of the same task.
    func testEveryKernelBugReportHasAnAtomicSleepOfTheSameTask() throws {
        let catalog = try Catalog.load()
        var bugs = 0
        for dmesg in catalog.files where dmesg.kind == "dmesg" && !(dmesg.bug_lines ?? []).isEmpty {
            let tasks = (dmesg.bug_lines ?? []).compactMap(Self.task(inBugLine:))
            XCTAssertEqual(tasks.count, dmesg.bug_lines?.count, "unparsed BUG lines in \(dmesg.path)")
            for trace in catalog.files where trace.capture == dmesg.capture && trace.kind == "tracedat" {
                let result = try Catalog.analyze(catalog.path(trace))
                var sleeps = result.violations.filter { $0.rule == AtomicSleep.info.id }
                for (comm, pid) in tasks {
                    let i = sleeps.firstIndex { $0.comm == comm && $0.pid == pid }
                    XCTAssertNotNil(i, "\(trace.path): no atomic-sleep for \(comm)/\(pid)")
                    if let i { sleeps.remove(at: i) }
                    bugs += 1
                }
            }
        }
        XCTAssertGreaterThan(bugs, 0, "no capture with a kernel BUG report")
    }

    /// trace.dat and the text forms of one capture give the same violations.
    func testTraceDatAndTextGiveTheSameViolations() throws {
        let catalog = try Catalog.load()
        var compared = 0
        for dat in catalog.files where dat.kind == "tracedat" && dat.path.hasSuffix("/trace.dat") {
            let reference = try Catalog.analyze(catalog.path(dat)).violations.map(Self.identity)
            for text in catalog.files where text.kind == "text" && text.capture == dat.capture
                && text.format?.hasPrefix("trace-cmd-report") == true {
                let found = try Catalog.analyze(catalog.path(text)).violations.map(Self.identity)
                XCTAssertEqual(found, reference, "\(text.path) vs \(dat.path)")
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 4)
    }

    func testWithoutSchedSwitchAtomicSleepSaysItWasSkipped() throws {
        let catalog = try Catalog.load()
        guard let text = catalog.files.first(where: { $0.format == "trace-cmd-report-N" && $0.bug_mode == 1 }) else {
            return XCTFail("no bug-mode-1 report text")
        }
        // The same real capture with its sched_switch lines taken out.
        let lines = try String(contentsOfFile: catalog.path(text), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains(" sched_switch: ") }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("mmaudit-no-switch-\(getpid()).txt").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try Catalog.analyze(path)
        let atomic = try XCTUnwrap(result.checks.first { $0.rule == AtomicSleep.info.id })
        XCTAssertFalse(atomic.ran)
        XCTAssertTrue(atomic.reason?.contains("sched_switch") ?? false, atomic.reason ?? "")
        XCTAssertTrue(result.violations.filter { $0.rule == AtomicSleep.info.id }.isEmpty)
    }

    /// "BUG: scheduling while atomic: workload/146/0x00000002" → (workload, 146).
    static func task(inBugLine line: String) -> (String, Int32)? {
        guard let r = line.range(of: "scheduling while atomic: ") else { return nil }
        let parts = line[r.upperBound...].split(separator: "/")
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { return nil }
        return (parts[0..<(parts.count - 2)].joined(separator: "/"), pid)
    }

    /// What must agree between sources: rule, task, the microsecond (text
    /// has µs precision), signature.
    static func identity(_ v: Violation) -> String {
        "\(v.rule) \(v.comm)-\(v.pid) cpu\(v.cpu) \((v.timestamp + 500) / 1000) \(v.signature)"
    }
}
