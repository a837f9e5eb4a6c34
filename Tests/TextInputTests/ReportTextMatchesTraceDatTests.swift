import Foundation
import XCTest
@testable import TraceInput

/// For every trace.dat capture, `trace-cmd report` text of it (default, -N,
/// -l, -t) read by TextTraceReader gives the events the trace.dat reader
/// gives: timestamp to the text's precision, CPU, pid, comm, name, parsed
/// fields, and with -l the flags and preempt count.
final class ReportTextMatchesTraceDatTests: XCTestCase {
    func check(_ variant: StreamComparison.Variant) throws {
        for dat in Fixtures.traceDats() {
            let text = try ReportText.make(from: dat, flags: variant.flags)
            let datReader = try TraceDatReader(path: dat.path)
            let textReader = try TextTraceReader(path: text.path)
            XCTAssertEqual(textReader.info.format, .traceCmdReport, dat.path)
            XCTAssertEqual(textReader.info.cpus, datReader.info.cpus, dat.path)
            var cmp = StreamComparison(variant: variant)
            try cmp.run(dat: datReader, text: textReader)
            XCTAssertGreaterThan(cmp.events, 0, dat.path)
            XCTAssertGreaterThan(cmp.fieldsCompared, cmp.events, dat.path)
            XCTAssertEqual(cmp.mismatches, 0,
                           "\(dat.path) report \(variant.flags): \(cmp.samples.joined(separator: "\n"))")
            XCTAssertTrue(textReader.damage.isEmpty,
                          "\(dat.path) \(variant.flags): \(textReader.damage.samples)")
        }
    }

    func testDefaultReport() throws { try check(.report) }
    func testReportWithoutPlugins() throws { try check(.raw) }
    func testReportLatencyFlags() throws { try check(.latency) }
    func testReportNanoseconds() throws { try check(.nanoseconds) }
}
