import XCTest
import TraceInput
import TraceModel
@testable import Checks

final class ModelLogicTests: XCTestCase {
    let mm: UInt64 = 0xffff_8880_0123_4000
    let huge: UInt64 = 0x7f00_0020_0000

    func testHugeEntryDroppedOnlyIn4KiBSurvivesTheEnd() throws {
        var t = SyntheticTrace()
        t.demo("map", pid: 10, mm: mm, start: huge, end: huge + 0x20_0000)
        t.demo("invalidate_start", pid: 10, mm: mm, start: huge, end: huge + 0x20_0000)
        t.demo("unmap", pid: 10, mm: mm, start: huge, end: huge + 0x1000)
        t.demo("invalidate_end", pid: 10, mm: mm, start: huge, end: huge + 0x20_0000)
        let v = try t.analyze().filter { $0.rule == "missing-invalidation" }
        XCTAssertEqual(v.count, 1)
        XCTAssertTrue(v[0].message.contains("2 MiB"), v[0].message)
        XCTAssertTrue(v[0].message.contains("only 4 KiB"), v[0].message)
        XCTAssertEqual(v[0].evidence.count, 4)
    }

    func testFullyDroppedEntryIsNotReported() throws {
        var t = SyntheticTrace()
        t.demo("map", pid: 10, mm: mm, start: huge, end: huge + 0x20_0000)
        t.demo("invalidate_start", pid: 10, mm: mm, start: huge + 0x1000, end: huge + 0x2000)
        t.demo("unmap", pid: 10, mm: mm, start: huge, end: huge + 0x20_0000)
        t.demo("invalidate_end", pid: 10, mm: mm, start: huge + 0x1000, end: huge + 0x2000)
        XCTAssertTrue(try t.analyze().isEmpty)
    }

    func testSleepHoldingATracedSpinlockIsOneViolationPerEpisode() throws {
        var t = SyntheticTrace()
        t.switchOut(pid: 10, state: 1, to: 0)          // a normal sleep: sets the baseline
        t.add("demo", "lock", pid: 10, depth: 1, [("lock", .unsigned(0xffff_0000_1000))])
        t.add("ftrace", "function", pid: 10, depth: 2, [("ip", .string("msleep")), ("parent_ip", .string("x"))])
        t.add("ftrace", "function", pid: 10, depth: 2, [("ip", .string("schedule")), ("parent_ip", .string("x"))])
        t.switchOut(pid: 10, state: 2, to: 0)
        t.add("demo", "unlock", pid: 10, depth: 1, [("lock", .unsigned(0xffff_0000_1000))])
        let v = try t.analyze().filter { $0.rule == "atomic-sleep" }
        XCTAssertEqual(v.count, 1, v.map(\.message).joined(separator: "\n"))
        XCTAssertTrue(v[0].message.contains("spinlock"), v[0].message)
        XCTAssertEqual(v[0].evidence.first?.event, "demo:lock")
        XCTAssertFalse(v[0].signature.contains("10"), v[0].signature)
    }

    func testPreemptDepthIsJudgedAgainstTheKindsOwnBaseline() throws {
        var t = SyntheticTrace()
        // The function tracer's events carry its own preempt_disable: depth 1 is normal.
        t.add("ftrace", "function", pid: 11, depth: 1, [("ip", .string("msleep")), ("parent_ip", .string("x"))])
        t.switchOut(pid: 11, state: 2, to: 0)
        XCTAssertTrue(try t.analyze().isEmpty)
        t.add("ftrace", "function", pid: 11, depth: 2, [("ip", .string("msleep")), ("parent_ip", .string("x"))])
        t.switchOut(pid: 11, state: 2, to: 0)
        let v = try t.analyze()
        XCTAssertEqual(v.map(\.rule), ["atomic-sleep"])
        XCTAssertTrue(v[0].message.contains("preempt depth 2 above the baseline 1"), v[0].message)
    }

    func testNonBlockableRangeMakesASleepAtomic() throws {
        var t = SyntheticTrace()
        t.demo("invalidate_start", pid: 12, mm: mm, start: huge, end: huge + 0x1000, blockable: 0)
        t.switchOut(pid: 12, state: 2, to: 0)
        t.demo("invalidate_end", pid: 12, mm: mm, start: huge, end: huge + 0x1000, blockable: 0)
        let v = try t.analyze()
        XCTAssertEqual(v.map(\.rule), ["atomic-sleep"])
        XCTAssertTrue(v[0].message.contains("non-blockable"), v[0].message)
    }

    func testUnbalancedInvalidations() throws {
        var t = SyntheticTrace()
        t.demo("invalidate_end", pid: 13, mm: mm, start: 0x1000, end: 0x2000)    // begun before the trace
        t.demo("invalidate_start", pid: 13, mm: mm, start: 0x5000, end: 0x6000)
        t.demo("invalidate_end", pid: 13, mm: mm, start: 0x5000, end: 0x6000)
        t.demo("invalidate_end", pid: 13, mm: mm, start: 0x1000, end: 0x2000)    // no begin, seen before
        t.demo("invalidate_start", pid: 13, mm: mm, start: 0x3000, end: 0x4000)  // still open at the end
        t.demo("invalidate_start", pid: 13, mm: mm, start: 0x7000, end: 0x8000)  // nested
        t.demo("invalidate_end", pid: 13, mm: mm, start: 0x7000, end: 0x9000)    // mismatched
        t.demo("invalidate_start", pid: 14, mm: mm, start: 0xa000, end: 0xb000)  // the task dies with it
        t.switchOut(pid: 14, state: 0x10, to: 0)
        let v = try t.analyze().filter { $0.rule == "unbalanced-invalidation" }
        let kinds = v.map { "\($0.severity.rawValue):\($0.signature.split(separator: "|")[1])" }.sorted()
        XCTAssertEqual(kinds, ["error:begin-without-end", "error:end-without-begin", "error:mismatched-range",
                               "note:begun-before-trace", "note:open-at-trace-end"])
    }

    func testNestedRangesOfOneTaskCloseInnermostFirst() throws {
        // mm/huge_memory.c __split_huge_pmd opens a range inside a zap's range (real: events-bug0).
        var t = SyntheticTrace()
        t.demo("invalidate_start", pid: 15, mm: mm, start: huge + 0x3000, end: huge + 0x4000)
        t.demo("invalidate_start", pid: 15, mm: mm, start: huge, end: huge + 0x20_0000)
        t.demo("invalidate_end", pid: 15, mm: mm, start: huge, end: huge + 0x20_0000)
        t.demo("invalidate_end", pid: 15, mm: mm, start: huge + 0x3000, end: huge + 0x4000)
        XCTAssertTrue(try t.analyze().isEmpty)
    }

    func testAFailedNonBlockingStartIsANoteAndNoReasonToSleep() throws {
        var t = SyntheticTrace()
        // mm/oom_kill.c __oom_reap_task_mm: gather, start_nonblock fails, finish the gather.
        t.add("ftrace", "function", pid: 30, comm: "oom_reaper", [("ip", .string("tlb_gather_mmu"))])
        t.demo("invalidate_start", pid: 30, mm: mm, start: huge, end: huge + 0x20_0000, blockable: 0)
        t.add("ftrace", "function", pid: 30, comm: "oom_reaper", [("ip", .string("tlb_finish_mmu"))])
        t.switchOut(pid: 30, state: 0x80, to: 0)     // the reaper idles: not inside any range
        // The channel's ends are in the trace (else it would not be judged at all).
        t.demo("invalidate_start", pid: 31, mm: mm, start: 0x1000, end: 0x2000)
        t.demo("invalidate_end", pid: 31, mm: mm, start: 0x1000, end: 0x2000)
        let v = try t.analyze()
        XCTAssertEqual(v.map(\.rule), ["unbalanced-invalidation"])
        XCTAssertEqual(v.first?.severity, .note)
        XCTAssertTrue(v.first?.signature.contains("failed-nonblocking-start") ?? false)
    }
}
