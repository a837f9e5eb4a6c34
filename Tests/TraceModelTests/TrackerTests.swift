import Foundation
import XCTest
import TraceInput
@testable import TraceModel

/// The trackers over real captures, watched through the happenings they tell.
final class TrackerTests: XCTestCase {
    final class Recorder: ModelObserver {
        var ended: [InvalidateRange] = []
        var sleeps: [SleepPoint] = []
        func observe(_ h: Happening, model: TraceModel) {
            switch h {
            case .invalidationEnded(let r): ended.append(r)
            case .sleep(let p): sleeps.append(p)
            default: break
            }
        }
        func finish(model: TraceModel) {}
    }

    func run(_ file: String) throws -> Recorder {
        let path = KernelFactsTests.fixtures.appendingPathComponent(file).path
        let rules = KernelFactsTests.fixtures.appendingPathComponent("rules/mmaudit_demo.rules").path
        var bindings = BuiltinBindings.table
        bindings.merge(try RulesFile.parse(String(contentsOfFile: rules, encoding: .utf8), path: rules))
        let reader = try openTrace(path: path)
        let model = TraceModel(bindings: bindings, functions: FunctionNames(symbolize: { reader.symbolize($0) }),
                               kernel: KernelFacts(reader.info))
        let recorder = Recorder()
        model.addObserver(recorder)
        while let item = try reader.next() { model.consume(item) }
        model.finish()
        return recorder
    }

    /// Bug mode 4: the driver's start failed 20 times (dmesg: "callback
    /// failed with -11"); each range carries its -EAGAIN to its end.
    func testAFailedStartIsCarriedToItsEnd() throws {
        let r = try run("kernels/c61-events-bug4/trace.dat")
        let failed = r.ended.filter(\.startFailed)
        XCTAssertEqual(failed.count, 20)
        XCTAssertTrue(failed.allSatisfy { $0.startResult == -11 && $0.blockable == false && $0.comm == "oom_reaper" })
        XCTAssertFalse(r.ended.filter { !$0.startFailed }.isEmpty)
    }

    /// PREEMPT_RT: waits for rtmutex-based locks (LCB_F_RT) reach the
    /// checks as such, with the flags of the wait the task is in.
    func testRTLockWaitsCarryTheirFlags() throws {
        let r = try run("kernels/rt61-events-bug0/trace.dat")
        let waits = r.sleeps.filter(\.isRTLockWait)
        XCTAssertFalse(waits.isEmpty)
        XCTAssertTrue(waits.contains { if case .sleepingLock(_, let f?) = $0.how { return f & LockFlags.rt != 0 }; return false })
        // 6.1 generic has no rtlock waits: its contention flags never carry RT.
        XCTAssertTrue(try run("kernels/c61-events-bug0/trace.dat").sleeps.allSatisfy { !$0.isRTLockWait })
    }
}
