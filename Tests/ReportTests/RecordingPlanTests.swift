import XCTest
import TraceModel
import Checks

final class RecordingPlanTests: XCTestCase {
    func testPlanHasWhatTheBindingsRead() throws {
        let plan = RecordingPlan.wanted(bindings: BuiltinBindings.table)
        let events = plan.tracepoints.map(\.description)
        XCTAssertTrue(events.contains("sched:sched_switch"))
        XCTAssertTrue(events.contains("lock:contention_begin"))
        XCTAssertFalse(events.contains("tlb:tlb_flush"), "no check reads tlb.flush")
        XCTAssertTrue(plan.functions.contains("msleep"))
        XCTAssertTrue(plan.functions.contains("tlb_gather_mmu"))
        // Without a layout (no BTF) the range probes fetch nothing.
        let start = try XCTUnwrap(plan.kprobes.first { $0.function == "__mmu_notifier_invalidate_range_start" && !$0.isReturn })
        XCTAssertEqual(start.line, "p:kprobes/mmaudit_inv_start __mmu_notifier_invalidate_range_start")
        // The start's return value, for invalidate.result (a built-in
        // binding of the kretprobe).
        let ret = try XCTUnwrap(plan.kprobes.first { $0.isReturn })
        XCTAssertEqual(ret.line, "r:kprobes/mmaudit_inv_start_ret __mmu_notifier_invalidate_range_start ret=$retval:s32")
        XCTAssertEqual(plan.unboundRoles, [.secondaryMap, .secondaryUnmap])
        XCTAssertTrue(plan.suppliedRoles.contains(.invalidateResult))
    }

    func testAbsentEventsAndFunctionsAreLeftOutAndNamed() {
        let plan = RecordingPlan.wanted(bindings: BuiltinBindings.table)
            .restricted(toEvents: ["sched:sched_switch"], functions: ["msleep", "__mmu_notifier_invalidate_range_start"])
        XCTAssertEqual(plan.tracepoints.map(\.description), ["sched:sched_switch"])
        XCTAssertEqual(Set(plan.functions), ["msleep", "__mmu_notifier_invalidate_range_start"])
        XCTAssertEqual(plan.kprobes.map(\.line), ["p:kprobes/mmaudit_inv_start __mmu_notifier_invalidate_range_start",
                                                  "r:kprobes/mmaudit_inv_start_ret __mmu_notifier_invalidate_range_start ret=$retval:s32"])
        XCTAssertTrue(plan.absent.contains("absent on this kernel, left out: event lock:contention_begin"))
        XCTAssertTrue(plan.absent.contains("absent on this kernel, left out: kprobe on __mmu_notifier_invalidate_range_end"))
        // What that costs: no end, no balance; no tlb gather.
        XCTAssertTrue(plan.losses.contains("unbalanced-invalidation cannot run: nothing recorded plays invalidate.end"),
                      "\(plan.losses)")
    }
}
