import XCTest
import TraceInput
@testable import TraceModel

/// Model state without a trace: the secondary MMU's live mappings, and the
/// rules files that bind events to roles.
final class SecondaryAndRulesTests: XCTestCase {
    let mm: UInt64 = 0xffff_8880_0123_4000
    let huge: UInt64 = 0x7f00_0020_0000

    func testPartialUnmapOfAHugeEntryLeavesTheRestLive() {
        var s = SecondaryMMU()
        let ev = EvidenceEvent(timestamp: 1, cpu: 0, pid: 1, comm: "w", event: "demo:map", text: "")
        s.map(mm: mm, start: huge, end: huge + 0x20_0000, evidence: ev)
        s.unmap(mm: mm, start: huge, end: huge + 0x1000, evidence: ev)
        let live = s.overlapping(mm: mm, start: huge, end: huge + 0x20_0000)
        XCTAssertEqual(live.count, 1)
        XCTAssertEqual(live.first?.start, huge + 0x1000)
        XCTAssertEqual(live.first?.mappedSize, 0x20_0000)
        XCTAssertEqual(live.first?.partialUnmaps.count, 1)
        XCTAssertTrue(s.overlapping(mm: mm + 1, start: huge, end: huge + 0x20_0000).isEmpty)
    }

    func testRulesFileErrorsSayWhere() {
        XCTAssertThrowsError(try RulesFile.parse("bind demo:map secondary.mop mm=mm", path: "r")) {
            XCTAssertTrue("\($0)".hasPrefix("r:1: unknown role 'secondary.mop'"), "\($0)")
        }
        XCTAssertThrowsError(try RulesFile.parse("# ok\natomic tlb.gathers", path: "r")) {
            XCTAssertTrue("\($0)".hasPrefix("r:2: "), "\($0)")
        }
        XCTAssertEqual(try RulesFile.parse("atomic tlb.gather # the 4.x gather", path: "r").atomicSpans,
                       [.tlbGather])
    }
}
