import Foundation
import XCTest
@testable import TraceInput

/// For every capture that exists as trace.dat and as `trace-cmd report`
/// text (the fixtures' report.txt and report-N.txt, plus -l and -t text
/// generated here from its trace.dat), TextTraceReader gives the events
/// the trace.dat reader gives: timestamp to the text's precision, CPU, pid,
/// comm, name, parsed fields, and with -l the flags and preempt count.
final class ReportTextMatchesTraceDatTests: XCTestCase {
    /// Capture directories holding a trace.dat.
    private func captures() -> [URL] {
        let dirs = Fixtures.traceDats()
            .filter { $0.lastPathComponent == "trace.dat" }
            .map { $0.deletingLastPathComponent() }
        if dirs.isEmpty { XCTFail("no capture directory with a trace.dat under \(Fixtures.root.path)") }
        return dirs
    }

    private func compare(dat: URL, text: URL, variant: StreamComparison.Variant) throws {
        let datReader = try TraceDatReader(path: dat.path)
        let textReader = try TextTraceReader(path: text.path)
        XCTAssertEqual(textReader.info.format, .traceCmdReport, text.path)
        XCTAssertEqual(textReader.info.cpus, datReader.info.cpus, text.path)
        var cmp = StreamComparison(variant: variant)
        try cmp.run(dat: datReader, text: textReader)
        XCTAssertGreaterThan(cmp.events, 0, text.path)
        XCTAssertGreaterThan(cmp.fieldsCompared, cmp.events, text.path)
        XCTAssertEqual(cmp.mismatches, 0, "\(text.path): \(cmp.samples.joined(separator: "\n"))")
        XCTAssertTrue(textReader.damage.isEmpty, "\(text.path): \(textReader.damage.samples)")
    }

    /// The fixtures' own report text files.
    private func checkFixtureText(_ name: String, _ variant: StreamComparison.Variant) throws {
        var compared = 0
        for dir in captures() {
            let text = dir.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: text.path) else { continue }
            try compare(dat: dir.appendingPathComponent("trace.dat"), text: text, variant: variant)
            compared += 1
        }
        XCTAssertGreaterThan(compared, 0, "no capture has \(name)")
    }

    /// Text generated with trace-cmd from each capture's trace.dat.
    private func checkGenerated(_ variant: StreamComparison.Variant) throws {
        for dir in captures() {
            let dat = dir.appendingPathComponent("trace.dat")
            try compare(dat: dat, text: try ReportText.make(from: dat, flags: variant.flags), variant: variant)
        }
    }

    /// trace-cmd's "CPU:0 [364 EVENTS DROPPED]" lines (drops-bug0: an 8 KB
    /// buffer overwritten, then saved with trace-cmd extract): one lost item
    /// each, with trace.dat's CPU, count and time.
    func testDroppedEventLinesMatchTraceDat() throws {
        var seen = 0
        for dir in captures() {
            for (name, variant) in [("report.txt", StreamComparison.Variant.report), ("report-N.txt", .raw)] {
                let text = dir.appendingPathComponent(name)
                guard let content = try? String(contentsOf: text, encoding: .utf8) else { continue }
                let drops = content.split(separator: "\n").filter { $0.hasPrefix("CPU:") && $0.hasSuffix(" EVENTS DROPPED]") }
                guard !drops.isEmpty else { continue }
                var cmp = StreamComparison(variant: variant)
                try cmp.run(dat: TraceDatReader(path: dir.appendingPathComponent("trace.dat").path),
                            text: TextTraceReader(path: text.path))
                XCTAssertEqual(cmp.lost, drops.count, text.path)
                XCTAssertEqual(cmp.mismatches, 0, "\(text.path): \(cmp.samples.joined(separator: "\n"))")
                // The counts are the ring buffer's overruns (the capture
                // saved per_cpu/cpuN/stats before trace-cmd extract read it).
                if let stats = try? String(contentsOf: dir.appendingPathComponent("cpu-stats.txt"), encoding: .utf8) {
                    var dropped: [Int: Int] = [:]
                    for line in drops {
                        let parts = line.dropFirst(4).split(separator: " ")
                        dropped[Int(parts[0])!, default: 0] += Int(parts[1].dropFirst())!
                    }
                    XCTAssertEqual(dropped, TracefsTextTests.overruns(stats).filter { $0.value > 0 }, text.path)
                }
                seen += 1
            }
        }
        XCTAssertGreaterThan(seen, 0, "no report text with dropped events")
    }

    func testDefaultReport() throws { try checkFixtureText("report.txt", .report) }
    func testReportWithoutPlugins() throws { try checkFixtureText("report-N.txt", .raw) }
    func testReportLatencyFlags() throws { try checkGenerated(.latency) }
    func testReportNanoseconds() throws { try checkGenerated(.nanoseconds) }
}
