import Foundation
import XCTest
@testable import TraceInput

/// `mmaudit stats` on text counts most lines from their bytes
/// (TextCountingPass) instead of reading items: its numbers, CPU count and
/// damage (with line numbers) must be those of a full read, on every kind
/// of text the reader takes.
final class TextCountingTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("mmaudit-text-count-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func testCountingPassEqualsAFullRead() throws {
        let paths = try TextCountInputs.all(scratch: scratch)
        XCTAssertGreaterThan(paths.count, 20)
        var sawDamage = false, sawLost = false
        for path in paths {
            let expected = try ItemCounts(reading: path)
            let reader = try TextTraceReader(path: path)
            let stats = try TraceStatistics.collect(text: reader)
            XCTAssertEqual(ItemCounts(stats, damage: reader.damage), expected, path)
            XCTAssertEqual(stats.damageSamples, expected.damage.samples, path)
            sawDamage = sawDamage || expected.damage.unparsedLines > 0
            sawLost = sawLost || expected.lost > 0 && expected.lostUnknown > 0
        }
        XCTAssertTrue(sawDamage && sawLost, "the inputs include damage and drops")
    }
}
