import XCTest
@testable import TraceInput

/// A trace.dat cut short (copied while trace-cmd was still writing it): every
/// whole page (compressed: every whole chunk) before the cut is read, the
/// loss is reported, and nothing else changes. The reference is trace-cmd:
/// it refuses a cut file, so it reads the whole file edited to hold only
/// those pages (each CPU's size, or chunk count, lowered to what the cut
/// leaves), which is exactly what the cut file should yield.
final class TruncatedFileTests: XCTestCase {
    /// CPU → where its size is written (found once per file).
    private var sizeFields: [Int: Int] = [:]

    private func sizeField(of e: CPUDataExtent, in bytes: [UInt8]) throws -> Int {
        if let known = sizeFields[e.cpu] { return known }
        let at = try XCTUnwrap(TraceDatEdits.sizeField(of: e, in: bytes), "cpu \(e.cpu)'s (offset, size) pair")
        sizeFields[e.cpu] = at
        return at
    }

    private func chunks(_ e: CPUDataExtent, _ b: [UInt8]) -> [Range<Int>] { TraceDatEdits.chunks(e, b) }

    private func put(_ v: UInt64, _ width: Int, at: Int, in bytes: inout [UInt8]) {
        TraceDatEdits.put(v, width, at: at, in: &bytes)
    }

    /// The whole file, edited to hold what a cut at `cut` leaves: pages
    /// (uncompressed) or chunks (compressed) that end at or before it.
    private func trimmed(_ bytes: [UInt8], _ file: TraceDatFile, cut: Int) throws -> [UInt8] {
        var out = bytes
        let buffer = file.buffers[0]
        for e in buffer.cpus where e.size > 0 {
            if buffer.compressed {
                let whole = chunks(e, bytes).filter { $0.upperBound <= cut }.count
                put(UInt64(whole), 4, at: e.offset, in: &out)
            } else {
                let pages = max(0, min(e.size, cut - e.offset)) / buffer.pageSize
                put(UInt64(pages * buffer.pageSize), 8, at: try sizeField(of: e, in: bytes), in: &out)
            }
        }
        return out
    }

    /// Cuts at page or chunk boundaries of every CPU and inside pages and
    /// chunks: dump of the cut file == trace-cmd report -N of the trimmed
    /// whole file, and the loss is counted.
    private func checkCuts(_ path: String, cuts: (TraceDatFile, [UInt8]) -> [Int], viaTraceCmd: Bool) throws {
        let bytes = try Fixtures.bytes(path)
        let file = try TraceDatFile(path: path)
        let wholeEvents = try TraceStatistics.collect(file).events
        for cut in cuts(file, bytes) {
            let cutPath = try Fixtures.temporaryFile(Array(bytes.prefix(cut)), name: "cut-\(cut).dat")
            let cutFile = try TraceDatFile(path: cutPath)
            let trimmedPath = try Fixtures.temporaryFile(try trimmed(bytes, file, cut: cut), name: "trimmed-\(cut).dat")
            let reference = viaTraceCmd ? try Fixtures.traceCmdReport(["-N"], trimmedPath) : try Fixtures.dump(trimmedPath)
            assertSameReport(try Fixtures.dump(cutPath), reference, "\(path) cut at \(cut)")
            let stats = try TraceStatistics.collect(cutFile)
            XCTAssertTrue(stats.truncated && stats.lostData, "\(path) cut at \(cut): loss not reported")
            XCTAssertLessThanOrEqual(stats.events, wholeEvents, "\(path) cut at \(cut)")
        }
    }

    func testV6CutAtPageBoundariesKeepsTheirPages() throws {
        let path = try Fixtures.smallest { $0.fileVersion == 6 && !$0.isLatencyTrace && $0.cpuCount > 1 }
        try checkCuts(path, cuts: { file, _ in
            let b = file.buffers[0]
            return b.cpus.filter { $0.size > 0 }.flatMap { e -> [Int] in
                let pages = e.size / b.pageSize
                let boundaries = Set([0, 1, pages / 2, pages - 1]).map { e.offset + $0 * b.pageSize }
                return boundaries + boundaries.map { $0 + 100 }
            }
        }, viaTraceCmd: true)
    }

    func testV7CutAtChunkBoundariesKeepsTheirChunks() throws {
        let path = try Fixtures.smallest { $0.fileVersion == 7 && $0.compression == "zstd" && !$0.isLatencyTrace && $0.cpuCount > 1 }
        try checkCuts(path, cuts: { file, bytes in
            file.buffers[0].cpus.filter { $0.size > 0 }.flatMap { e -> [Int] in
                let c = chunks(e, bytes)
                let picked = [c.first!, c[c.count / 2], c.last!]
                return picked.flatMap { [$0.upperBound, $0.lowerBound + 100] } + [e.offset + 2]
            }
        }, viaTraceCmd: true)
    }

    /// Every chunk boundary of every CPU, against our own reading of the
    /// trimmed file (the trace-cmd test above covers a sample of them).
    func testV7EveryChunkBoundary() throws {
        for predicate in [{ (f: TraceDatFile) in f.compression == "zstd" }, { $0.compression == "zlib" }] {
            let path = try Fixtures.smallest { $0.fileVersion == 7 && !$0.isLatencyTrace && $0.cpuCount > 1 && predicate($0) }
            try checkCuts(path, cuts: { file, bytes in
                file.buffers[0].cpus.filter { $0.size > 0 }.flatMap { chunks($0, bytes).map(\.upperBound) }
                    .filter { $0 < bytes.count }
            }, viaTraceCmd: false)
        }
    }

    /// A v6 cut reports the missing bytes and pages of each CPU.
    func testV6LossIsCountedInBytesAndPages() throws {
        let path = try Fixtures.smallest { $0.fileVersion == 6 && !$0.isLatencyTrace && $0.cpuCount > 1 }
        let bytes = try Fixtures.bytes(path)
        let file = try TraceDatFile(path: path)
        let b = file.buffers[0]
        let last = try XCTUnwrap(b.cpus.last { $0.size > b.pageSize })
        let cut = last.offset + b.pageSize + 100
        let cutFile = try TraceDatFile(path: try Fixtures.temporaryFile(Array(bytes.prefix(cut)), name: "v6cut.dat"))
        let stats = try TraceStatistics.collect(cutFile)
        XCTAssertEqual(stats.missingBytes, last.size - b.pageSize)
        XCTAssertEqual(stats.unreadablePages, (last.size + b.pageSize - 1) / b.pageSize - 1)
        XCTAssertTrue(stats.json.contains("\"truncated\": true"))
        XCTAssertTrue(stats.damageSamples.contains { $0.contains("cpu \(last.cpu) data") && $0.contains("truncated") },
                      "\(stats.damageSamples)")
    }
}
