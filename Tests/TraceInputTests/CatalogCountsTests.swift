import Foundation
import XCTest
@testable import TraceInput
import NativeBindings
import TestSupport

/// The foundation's proof that the C wiring works on real files: every
/// trace.dat fixture's event formats load through libtraceevent, and the
/// per-event counts fixtures/catalog.json states agree with what the real
/// `trace-cmd report` prints and with `mmaudit stats`.
final class CatalogCountsTests: XCTestCase {
    struct Catalog: Decodable {
        struct File: Decodable {
            var path: String
            var kind: String
            var event_counts: [String: Int]?
            var total_events: Int?
        }
        var files: [File]
    }

    func testCatalogCountsMatchTraceCmdAndStats() throws {
        let catalog = try JSONDecoder().decode(Catalog.self, from: FixtureFiles.catalogData())
        let traces = catalog.files.filter { $0.kind == "tracedat" }
        XCTAssertGreaterThan(traces.count, 8, "the catalog lists too few trace.dat files")
        for entry in traces {
            let path = FixtureFiles.directory.appendingPathComponent(entry.path).path
            let expected = try XCTUnwrap(entry.event_counts, entry.path)
            let file = try TraceDatFile(path: path)

            // libtraceevent parsed every format the file carries, and knows
            // each event the catalog counts.
            XCTAssertEqual(file.tep.formatFailures, 0, entry.path)
            let names = Set(file.tep.allFormats.map(\.name))
            for name in expected.keys { XCTAssertTrue(names.contains(name), "\(entry.path): no format for \(name)") }

            // trace-cmd's own lines, counted per event name.
            let report = try Fixtures.reference(["-N"], path)
            XCTAssertEqual(Self.countPerEvent(report), expected, "\(entry.path): trace-cmd report -N")
            XCTAssertEqual(expected.values.reduce(0, +), entry.total_events, entry.path)

            let stats = try TraceStatistics.collect(file)
            XCTAssertEqual(stats.perEvent, expected, "\(entry.path): mmaudit stats")
        }
    }

    /// "   comm-pid [cpu]  ts: name:   ..." → name, for every event line.
    static func countPerEvent(_ report: [UInt8]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for line in String(decoding: report, as: UTF8.self).split(separator: "\n") {
            guard let close = line.range(of: "]") else { continue }   // cpus=N, CPU:N [...] drops
            let rest = line[close.upperBound...].drop(while: { $0 == " " })
            guard let tsEnd = rest.firstIndex(of: ":") else { continue }
            let afterTime = rest[rest.index(after: tsEnd)...].drop(while: { $0 == " " })
            guard let nameEnd = afterTime.firstIndex(of: ":") else { continue }
            counts[String(afterTime[..<nameEnd]), default: 0] += 1
        }
        return counts
    }
}
