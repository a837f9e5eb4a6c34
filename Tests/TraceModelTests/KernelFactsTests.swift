import Foundation
import XCTest
import TestSupport
import TraceInput
@testable import TraceModel

/// What the model learns of the traced kernel from the trace itself: the
/// prev_state letters of its own sched_switch format, and PREEMPT_RT.
final class KernelFactsTests: XCTestCase {
    static let fixtures = FixtureFiles.directory

    /// The sched_switch formats the capture guests saved (6.1 generic and
    /// RT, 6.12): each trace's own table, read from its print fmt.
    func testEverySavedSchedSwitchFormatGivesItsOwnTable() throws {
        let kernels = Self.fixtures.appendingPathComponent("kernels")
        let dirs = try FileManager.default.contentsOfDirectory(atPath: kernels.path).sorted()
        var parsed = 0
        for dir in dirs {
            let path = kernels.appendingPathComponent(dir).appendingPathComponent("sched_switch-format.txt").path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("print fmt:") }, dir)
            let states = try XCTUnwrap(TaskStateLetters(printFormat: String(line)), "\(dir): no table found")
            XCTAssertEqual(states.table.map(\.letter), ["S", "D", "T", "t", "X", "Z", "P", "I"], dir)
            XCTAssertEqual(states.table.map(\.bit), [0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80], dir)
            XCTAssertEqual(states.exitBits, 0x30, dir)
            XCTAssertTrue(states.sleeps(0x2) && !states.sleeps(0x100) && !states.sleeps(0), dir)
            parsed += 1
        }
        XCTAssertGreaterThanOrEqual(parsed, 20)
    }

    /// A trace.dat hands the model its own sched_switch print fmt, and its
    /// uname says whether the kernel is PREEMPT_RT.
    func testTraceDatSaysItsKernel() throws {
        let cases: [(String, Bool)] = [("kernels/rt61-events-bug0/trace.dat", true),
                                       ("kernels/k612-events-bug0/trace.dat", false),
                                       ("kernels/c61-events-bug0/trace.dat", false),
                                       ("traces/events-bug0/trace.dat", false)]
        for (file, rt) in cases {
            let reader = try openTrace(path: Self.fixtures.appendingPathComponent(file).path)
            let facts = KernelFacts(reader.info)
            XCTAssertEqual(facts.preemptRT, rt, "\(file): \(reader.info.uname ?? "no uname")")
            XCTAssertNotNil(reader.info.schedSwitchPrintFormat, file)
            XCTAssertEqual(facts.taskStates, .linux61, file)
        }
    }

    /// The letters decide the meaning, not the bit: kernels before 4.14
    /// print 0x40 as "x" (dead), 6.1 as "P" (parked).
    func testAnExitLetterIsAnExitWhateverItsBit() {
        let old = TaskStateLetters([(0x1, "S"), (0x2, "D"), (0x4, "T"), (0x8, "t"), (0x10, "Z"), (0x20, "X"),
                                    (0x40, "x"), (0x80, "K"), (0x100, "W"), (0x200, "P"), (0x400, "N")])
        XCTAssertTrue(old.exits(0x40))
        XCTAssertFalse(old.sleeps(0x40))
        XCTAssertTrue(TaskStateLetters.linux61.sleeps(0x40))
        XCTAssertEqual(old.letters(of: 0x42), "Dx")
    }

    func testReleasesThatNamePreemptRT() {
        XCTAssertTrue(KernelFacts.namesPreemptRT("Linux (none) 6.1.0-57-rt-amd64 x86_64"))
        XCTAssertTrue(KernelFacts.namesPreemptRT("Linux host 6.1.59-rt16 aarch64"))
        XCTAssertTrue(KernelFacts.namesPreemptRT("Linux host 6.6.0 #1 SMP PREEMPT_RT x86_64"))
        XCTAssertFalse(KernelFacts.namesPreemptRT("Linux (none) 6.12.118+deb12-amd64 x86_64"))
        XCTAssertFalse(KernelFacts.namesPreemptRT("Linux rtbox-3 6.1.0-57-amd64 x86_64"))
    }
}
