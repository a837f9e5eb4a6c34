import Foundation
import XCTest
@testable import TraceInput

/// `mmaudit stats` on text counts most lines from their bytes
/// (TextCountingPass) instead of reading items: its numbers, CPU count and
/// damage (with line numbers) must be those of a full read, on every kind
/// of text the reader takes.
final class TextCountingTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try Scratch.make("text-count") }
    override func tearDown() { Scratch.remove(scratch) }

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

/// A plain file counted in parts on all cores (TextParts) gives the
/// numbers, CPU count and damage (renumbered to the whole file's lines) of
/// one pass, or is counted in one pass when it holds lines that need one
/// (function_graph, over-long lines) or is gzip'd.
final class TextPartsTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try Scratch.make("text-parts") }
    override func tearDown() { Scratch.remove(scratch) }

    func testPartsCountLikeOnePass() throws {
        var split = 0, onePass = 0
        for path in try TextCountInputs.all(scratch: scratch) {
            let oneReader = try TextTraceReader(path: path)
            let one = try TraceStatistics.collect(text: oneReader, parts: 1)
            let expected = ItemCounts(one, damage: oneReader.damage)
            for parts in [2, 3, 7] {
                let reader = try TextTraceReader(path: path)
                let stats = try TraceStatistics.collect(text: reader, parts: parts)
                XCTAssertEqual(ItemCounts(stats, damage: reader.damage), expected, "\(path) in \(parts) parts")
                XCTAssertEqual(stats.damageSamples, one.damageSamples, "\(path) in \(parts) parts")
                XCTAssertEqual(stats.format, one.format, path)
            }
            if try TextTraceReader(path: path).tallyInParts(3) != nil { split += 1 } else { onePass += 1 }
        }
        XCTAssertGreaterThan(split, 10, "plain texts are split")
        XCTAssertGreaterThan(onePass, 3, "gzip'd and graph texts are not")
    }

    func testWhatNeedsOnePassIsNotSplit() throws {
        let inputs = try TextCountInputs.all(scratch: scratch)
        for path in inputs where path.hasSuffix(".gz") || path.hasSuffix("huge-line.txt") || path.contains("graph") {
            let reader = try TextTraceReader(path: path)
            XCTAssertNil(try reader.tallyInParts(3), path)
            // Nothing was read: the one pass after it counts everything.
            XCTAssertEqual(ItemCounts(try TraceStatistics.collect(text: reader, parts: 1), damage: reader.damage),
                           try ItemCounts(reading: path), path)
        }
        let graph = inputs.filter { $0.contains("graph") && !$0.hasSuffix(".gz") }
        XCTAssertFalse(graph.isEmpty, "a plain function_graph text")
    }

    func testDamageInLaterPartsKeepsItsLineNumber() throws {
        let damaged = try XCTUnwrap(try TextCountInputs.all(scratch: scratch).first { $0.hasSuffix("damaged.txt") })
        let reader = try TextTraceReader(path: damaged)
        let stats = try TraceStatistics.collect(text: reader, parts: 7)
        // Line numbers in the samples are the file's (1-based).
        let lines = try String(contentsOfFile: damaged, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(stats.damageSamples.count, TextReaderCore.maxDamageSamples)
        for sample in stats.damageSamples {
            let number = try XCTUnwrap(Int(sample.dropFirst(5).prefix { $0 != ":" }), sample)
            let shown = sample.components(separatedBy: "cannot parse: ").last ?? ""
            XCTAssertTrue(lines[number - 1].hasPrefix(shown), "\(sample) vs \(lines[number - 1])")
        }
    }
}
