import Foundation
import XCTest
import Checks
import TraceInput
import TraceModel

/// The trace.dat corruption matrix: real captures of every file kind, cut
/// short at every section boundary and at seeded random offsets, with bytes
/// flipped in each part, a page with an impossible commit size, compressed
/// chunks cut short. Each case ends in a one-line error or in events with
/// the skipped pages counted, within seconds and bounded memory.
final class TraceDatMatrixTests: MatrixTestCase {
    /// One fixture of each kind the reader takes (fixtures/README.md).
    static let kinds = [
        "events-bug0/trace.dat",            // v7 zstd
        "events-bug0/trace-v7-zlib.dat",    // v7 zlib
        "events-bug0/trace-v7-none.dat",    // v7 uncompressed
        "events-bug0/trace-v6.dat",         // v6
        "graph-bug3/trace-v6.dat",          // v6, function_graph: kallsyms in use
    ]
    static let randomCuts = 60
    static let flipsPerPart = 12

    func testMatrix() throws {
        let tally = try eachFixture(Self.kinds, seed: 0x6d6d_6175_6469_7400, matrix: "trace.dat") { fixture, rng in
            let (relative, bytes, healthy, damage) = (fixture.name, fixture.bytes, fixture.healthy, fixture.damage)
            let map = try TraceDatMap(bytes)

            // Truncation: at and next to every boundary between parts (a
            // few pages of each CPU stand for the rest), and at random.
            var cuts = Set(map.boundaries.flatMap { [$0 - 1, $0, $0 + 1] })
            cuts.formUnion(map.pages.prefix(4).flatMap { [$0, $0 + 100] })
            cuts.formUnion((0..<Self.randomCuts).map { _ in Int.random(in: 0..<bytes.count, using: &rng) })
            for cut in cuts.sorted() where cut >= 0 && cut < bytes.count {
                let o = try damage.run("cut at \(cut)", Array(bytes.prefix(cut)))
                if let s = o?.summary {
                    // A cut file holds no more than the whole, and what it
                    // lost is counted, never silently dropped.
                    XCTAssertLessThanOrEqual(s.events, healthy.events, "\(relative) cut at \(cut)")
                    if s.events < healthy.events {
                        XCTAssertFalse(s.damage.isEmpty, "\(relative) cut at \(cut): \(healthy.events - s.events) events lost without a word")
                    }
                }
            }

            // Flipped bytes in each part of the file.
            for part in TraceDatMap.Part.allCases {
                let ranges = map.ranges(of: part)
                guard !ranges.isEmpty else { continue }
                for _ in 0..<Self.flipsPerPart {
                    var damaged = bytes
                    var offsets: [Int] = []
                    let range = ranges.randomElement(using: &rng)!
                    for _ in 0..<Int.random(in: 1...4, using: &rng) {
                        let at = Int.random(in: range, using: &rng)
                        damaged[at] ^= UInt8.random(in: 1...255, using: &rng)
                        offsets.append(at)
                    }
                    try damage.run("\(part) bytes flipped at \(offsets)", damaged)
                }
            }

            // A page whose commit size cannot fit in it: skipped and counted.
            if let page = map.pages.dropFirst(map.pages.count / 2).first {
                var damaged = bytes
                // The commit word follows the page's u64 timestamp.
                for (i, b) in [UInt8(0xf0), 0xff, 0xff, 0x07].enumerated() { damaged[page + 8 + i] = b }
                let s = try XCTUnwrap(try damage.run("impossible commit size at \(page)", damaged)?.summary,
                                      "\(relative): a bad page refused the whole file")
                XCTAssertGreaterThanOrEqual(s.damage.unreadablePages, 1)
                XCTAssertLessThan(s.events, healthy.events)
                XCTAssertGreaterThan(s.events, 0)
            }

            // Compressed chunks cut short: the compressed size says less
            // than was written (the next chunk header then lands inside
            // this chunk's data), the file ends inside a chunk, and a chunk
            // claims an absurd uncompressed size.
            if let chunk = map.chunks.dropFirst(map.chunks.count / 2).first {
                var shorter = bytes
                put32(&shorter, at: chunk.offset, UInt32(chunk.compressedSize / 2), little: map.littleEndian)
                let s = try XCTUnwrap(try damage.run("chunk at \(chunk.offset) cut short", shorter)?.summary)
                XCTAssertGreaterThanOrEqual(s.damage.unreadablePages, 1)
                XCTAssertLessThan(s.events, healthy.events)

                let last = map.chunks.max { $0.offset < $1.offset }!
                let o = try damage.run("file ends inside the last chunk", Array(bytes.prefix(last.offset + 8 + last.compressedSize / 2)))
                if let s = o?.summary { XCTAssertGreaterThanOrEqual(s.damage.unreadablePages, 1) }

                var huge = bytes
                put32(&huge, at: chunk.offset + 4, 0xffff_fff0, little: map.littleEndian)
                let h = try XCTUnwrap(try damage.run("chunk at \(chunk.offset) claims 4 GiB", huge)?.summary)
                XCTAssertGreaterThanOrEqual(h.damage.unreadablePages, 1)
            }
        }
        XCTAssertGreaterThan(tally.cases, 500)
    }

    /// The analysis pass lets go of the reader: a reference cycle through
    /// the field-decoding hint kept every trace analysed (found by the
    /// matrix's RSS bound: 0.6 MiB per case).
    func testAnalysisReleasesTheReader() throws {
        weak var released: TraceDatReader?
        func analyze() throws {
            let reader = try TraceDatReader(path: try Harness.fixture(Self.kinds[0]).path)
            released = reader
            _ = try Analysis.run(reader, bindings: BuiltinBindings.table,
                                 functions: FunctionNames(symbolize: { [reader] in reader.symbolize($0) }))
        }
        try analyze()
        XCTAssertNil(released, "the reader outlived its analysis")
    }

    private func put32(_ b: inout [UInt8], at offset: Int, _ v: UInt32, little: Bool) {
        for i in 0..<4 {
            let shift = little ? 8 * i : 8 * (3 - i)
            b[offset + i] = UInt8(truncatingIfNeeded: v >> UInt32(shift))
        }
    }
}
