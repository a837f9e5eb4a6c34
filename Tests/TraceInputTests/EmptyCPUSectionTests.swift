import XCTest
@testable import TraceInput

/// A CPU whose data section has size 0 and an offset past the end of the
/// file (what a writer that never got to that CPU's data leaves): trace-cmd
/// reads it as an empty CPU, prints cpus=N and the other CPUs' events, and so
/// does mmaudit. The case is made from a real capture by that one edit.
final class EmptyCPUSectionTests: XCTestCase {
    private func check(_ path: String) throws {
        var bytes = try Fixtures.bytes(path)
        let file = try TraceDatFile(path: path)
        let cpu = try XCTUnwrap(file.buffers[0].cpus.last { $0.size > 0 })
        let sizeAt = try XCTUnwrap(TraceDatEdits.sizeField(of: cpu, in: bytes), "\(path): cpu \(cpu.cpu)'s entry")
        TraceDatEdits.put(UInt64(bytes.count + (1 << 20)), 8, at: sizeAt - 8, in: &bytes)
        TraceDatEdits.put(0, 8, at: sizeAt, in: &bytes)
        let edited = try Fixtures.temporaryFile(bytes, name: "empty-cpu\(cpu.cpu).dat")

        let reference = try Fixtures.traceCmdReport(["-N"], edited)
        XCTAssertTrue(reference.starts(with: Array("cpus=\(file.cpuCount)\n".utf8)), "trace-cmd refused \(edited)")
        assertSameReport(try Fixtures.dump(edited), reference, "report -N \(edited)")
        let stats = try TraceStatistics.collect(try TraceDatFile(path: edited))
        XCTAssertNil(stats.perCPU[cpu.cpu])
        XCTAssertFalse(stats.lostData, "an empty CPU is not a loss")
        XCTAssertGreaterThan(stats.events, 0)
    }

    func testV6EmptyCPUPastTheEnd() throws {
        try check(try Fixtures.smallest { $0.fileVersion == 6 && !$0.isLatencyTrace && $0.cpuCount > 1 })
    }

    func testV7EmptyCPUPastTheEnd() throws {
        try check(try Fixtures.smallest { $0.fileVersion == 7 && $0.compression == "zstd" && !$0.isLatencyTrace && $0.cpuCount > 1 })
    }
}
