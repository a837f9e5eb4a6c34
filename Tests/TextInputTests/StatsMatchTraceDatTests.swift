import Foundation
import XCTest
@testable import TraceInput

/// `mmaudit stats --format json` of every text file of a capture (report,
/// report -N, the tracefs texts, plain or gzip'd) gives the trace.dat's
/// events, per_cpu and per_event.
final class StatsMatchTraceDatTests: XCTestCase {
    private func summary(_ json: String) throws -> [String: AnyHashable] {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let d = try XCTUnwrap(object)
        return ["events": d["events"] as? Int,
                "per_cpu": d["per_cpu"] as? [String: Int],
                "per_event": d["per_event"] as? [String: Int]] as [String: AnyHashable]
    }

    func testTextStatsEqualTraceDatStats() throws {
        var compared = 0
        for dir in Fixtures.captureDirectories() {
            let dat = try TraceStatistics.collect(TraceDatFile(path: dir.appendingPathComponent("trace.dat").path))
            let expected = try summary(dat.json)
            let names = ["report.txt", "report-N.txt", "trace.txt", "trace-latency.txt", "trace-tgid.txt",
                         "trace-noirqinfo.txt", "trace-graph.txt", "trace-graph-proc.txt"]
            for name in names.flatMap({ [$0, $0 + ".gz"] }) {
                let path = dir.appendingPathComponent(name).path
                guard FileManager.default.fileExists(atPath: path) else { continue }
                // The same detection step the command uses.
                XCTAssertNotEqual(try detectFormat(path: path), .traceDat)
                let reader = try XCTUnwrap(try openTrace(path: path) as? TextTraceReader)
                let text = try TraceStatistics.collect(text: reader)
                XCTAssertEqual(try summary(text.json), expected, path)
                XCTAssertEqual(text.cpus, dat.cpus, path)
                compared += 1
            }
        }
        XCTAssertGreaterThan(compared, 0, "no capture has both trace.dat and text")
    }
}
