import Foundation
import XCTest
import TestSupport

/// `diff` of two captures of the same kernel and workload made in different
/// boots (fixtures/kernels, catalog.json → kernel_captures → boot_plan):
/// heap lock addresses differ from boot to boot, so lock-wait series must be
/// keyed by something stable for the two sides to meet.
final class DiffAcrossBootsTests: XCTestCase {
    /// fixtures/kernels/CAPTURE/trace.dat and its catalog entry.
    func kernelCapture(_ name: String) throws -> (path: String, entry: [String: Any]) {
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: FixtureFiles.catalogData()) as? [String: Any])
        let captures = try XCTUnwrap(doc["kernel_captures"] as? [[String: Any]])
        let entry = try XCTUnwrap(captures.first { $0["capture"] as? String == name }, "\(name) not in the catalog")
        return ("fixtures/kernels/\(name)/trace.dat", entry)
    }

    func testLockWaitRowsMatchAcrossBoots() throws {
        let (before, b) = try kernelCapture("rt61-events-bug0")
        let (after, a) = try kernelCapture("rt61-function-bug1")
        let plan = { (e: [String: Any]) in (e["kernel"] as? [String: Any])?["boot_plan"] as? String }
        XCTAssertNotNil(plan(b))
        XCTAssertNotEqual(plan(b), plan(a), "the two captures must come from different boots")
        // Both boots contended on rtmutexes (LCB_F_RT) and the percpu rwsem
        // (WRITE|PERCPU), by trace-cmd's own count of the flags.
        for e in [b, a] {
            let flags = try XCTUnwrap(e["contention_begin_flags"] as? [String: Int])
            XCTAssertGreaterThan(flags["RT"] ?? 0, 0)
            XCTAssertGreaterThan(flags["WRITE|PERCPU"] ?? 0, 0)
        }
        let r = try ExternalTools.mmaudit(["diff", before, after, "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let doc = try XCTUnwrap(try ExternalTools.parseJSON(r.stdout) as? [String: Any])
        let rows = try XCTUnwrap(doc["latencies"] as? [[String: Any]]).filter { $0["span"] as? String == "lock contention" }
        let groups = rows.compactMap { $0["group"] as? String }
        XCTAssertFalse(groups.contains { $0.hasPrefix("0x") }, "a lock keyed by its address: \(groups)")
        for group in ["rtmutex, heap", "percpu-rwsem write, static"] {
            let row = try XCTUnwrap(rows.first { $0["group"] as? String == group }, "no \(group) row in \(groups)")
            XCTAssertNotNil(row["before"] as? [String: Any], group)
            XCTAssertNotNil(row["after"] as? [String: Any], group)
        }
        // Every sample of the heap rtmutexes of the first boot lands in one
        // row: trace-cmd counts 613 RT waits begun; the model's series holds
        // those that ended (a begin cut off by the trace's end cannot).
        let heap = try XCTUnwrap(rows.first { $0["group"] as? String == "rtmutex, heap" }?["before"] as? [String: Any])
        let begun = try XCTUnwrap((b["contention_begin_flags"] as? [String: Int])?["RT"])
        XCTAssertLessThanOrEqual(heap["count"] as? Int ?? 0, begun)
        XCTAssertGreaterThan(heap["count"] as? Int ?? 0, begun * 9 / 10)
    }
}
