import XCTest
@testable import TraceInput

/// `mmaudit dump` against the real `trace-cmd report` on every fixture.
final class ReportParityTests: XCTestCase {
    func testDumpMatchesTraceCmdReportN() throws {
        for path in Fixtures.traceDatFiles() {
            assertSameReport(try Fixtures.dump(path), try Fixtures.reference(["-N"], path), "report -N \(path)")
        }
    }

    func testRawDumpMatchesTraceCmdReportR() throws {
        for path in Fixtures.traceDatFiles() {
            assertSameReport(try Fixtures.dump(path, options: DumpOptions(raw: true)),
                             try Fixtures.reference(["-N", "-R"], path), "report -N -R \(path)")
        }
    }

    /// No uncompressed v7 capture is committed (it would carry ~2 MB of
    /// kallsyms uncompressed): trace-cmd converts one from a capture here.
    func testUncompressedV7MatchesTraceCmdReportN() throws {
        let source = try Fixtures.smallest { $0.fileVersion == 7 && $0.compression == "zstd" && !$0.isLatencyTrace }
        let path = try Fixtures.temporaryFile([], name: "v7-none-converted.dat")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["trace-cmd", "convert", "--file-version", "7", "--compression", "none",
                       "-i", source, "-o", path]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "trace-cmd convert \(source)")
        let file = try TraceDatFile(path: path)
        XCTAssertEqual(file.fileVersion, 7)
        XCTAssertEqual(file.compression, "none")
        assertSameReport(try Fixtures.dump(path), try Fixtures.reference(["-N"], path), "report -N \(path)")
        assertSameReport(try Fixtures.dump(path, options: DumpOptions(raw: true)),
                         try Fixtures.reference(["-N", "-R"], path), "report -N -R \(path)")
    }

    func testCPUFilterMatchesTraceCmd() throws {
        let path = try Fixtures.smallest { $0.cpuCount > 1 && !$0.isLatencyTrace }
        assertSameReport(try Fixtures.dump(path, options: DumpOptions(cpus: [1])),
                         try Fixtures.reference(["-N", "--cpu", "1"], path), "report -N --cpu 1 \(path)")
    }

    /// stats counts what dump prints: one line per event.
    func testStatsCountsEveryPrintedEvent() throws {
        for path in Fixtures.traceDatFiles() {
            let file = try TraceDatFile(path: path)
            guard !file.isLatencyTrace else { continue }
            let stats = try TraceStatistics.collect(file)
            let report = try Fixtures.dump(path)
            let lines = report.split(separator: 0x0a)
            let eventLines = lines.count - 1 - lines.filter { $0.starts(with: Array("CPU:".utf8)) }.count
            XCTAssertEqual(stats.events, eventLines, path)
            XCTAssertEqual(stats.perCPU.values.reduce(0, +), stats.events, path)
            XCTAssertEqual(stats.perEvent.values.reduce(0, +) + stats.unknownEvents, stats.events, path)
            XCTAssertEqual(stats.unreadablePages, 0, path)
        }
    }

    /// The TraceReader stream: the same records, in the same order, as dump.
    func testReaderYieldsEventsInReportOrder() throws {
        let path = try Fixtures.smallest { !$0.isLatencyTrace && $0.instanceNames.isEmpty }
        let reader = try TraceDatReader(path: path)
        var events = 0, last: UInt64 = 0, sawField = false
        while let item = try reader.next() {
            guard case .event(let e) = item else { continue }
            XCTAssertGreaterThanOrEqual(e.timestamp, last)
            last = e.timestamp
            events += 1
            if e.system == "sched", e.name == "sched_switch" {
                XCTAssertNotNil(e.fields.string("prev_comm"))
                XCTAssertNotNil(e.fields.int("next_pid"))
                sawField = true
            }
        }
        XCTAssertEqual(events, try TraceStatistics.collect(TraceDatFile(path: path)).events)
        XCTAssertTrue(sawField || events > 0)
    }
}
