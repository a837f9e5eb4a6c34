import XCTest
@testable import TraceInput
import NativeBindings

/// Damaged files: a one-line error naming file, section and byte offset for
/// anything outside the data pages; inside them, the page is skipped and
/// counted. Never a crash or a hang.
final class BadInputTests: XCTestCase {
    private func v6Fixture() throws -> String { try Fixtures.smallest { $0.fileVersion == 6 && !$0.isLatencyTrace } }
    private func zstdFixture() throws -> String { try Fixtures.smallest { $0.compression == "zstd" } }

    private func expectOpenError(_ bytes: [UInt8], name: String, section: String? = nil,
                                 file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try Fixtures.temporaryFile(bytes, name: name)
        do {
            let f = try TraceDatFile(path: path)
            XCTFail("opened a bad file (\(f.fileVersion))", file: file, line: line)
        } catch let e as TraceInputError {
            let text = e.description
            XCTAssertFalse(text.contains("\n"), file: file, line: line)
            XCTAssertTrue(text.hasPrefix(path), text, file: file, line: line)
            XCTAssertTrue(text.contains("byte offset"), text, file: file, line: line)
            if let section { XCTAssertTrue(text.contains(section), text, file: file, line: line) }
        }
    }

    func testWrongMagic() throws {
        var b = try Fixtures.bytes(try v6Fixture())
        b[4] = UInt8(ascii: "X")
        try expectOpenError(b, name: "magic.dat", section: "header")
    }

    func testUnknownVersion() throws {
        var b = try Fixtures.bytes(try v6Fixture())
        b[10] = UInt8(ascii: "9")
        try expectOpenError(b, name: "version.dat", section: "header")
    }

    func testSectionSizePastTheEnd() throws {
        let path = try Fixtures.smallest { $0.fileVersion == 7 }
        let f = try TraceDatFile(path: path)
        let kallsyms = try XCTUnwrap(f.options.sectionOffsets[.kallsyms])
        var b = try Fixtures.bytes(path)
        for i in 0..<8 { b[kallsyms + 8 + i] = 0x7f }
        try expectOpenError(b, name: "section.dat", section: "kallsyms")
    }

    /// CPU data past the end is a truncated file, read up to its last
    /// whole page (TruncatedFileTests), not refused.
    func testCPUDataPastTheEndIsATruncatedFile() throws {
        let path = try v6Fixture()
        let b = try Fixtures.bytes(path)
        let f = try TraceDatFile(path: path)
        let end = f.buffers[0].cpus.map { $0.offset + $0.size }.max()!
        let short = try TraceDatFile(path: try Fixtures.temporaryFile(Array(b.prefix(end - 1)), name: "short.dat"))
        short.forEachRecordHeader { _ in }
        XCTAssertTrue(short.damage.truncated)
        XCTAssertEqual(short.damage.missingBytes, f.buffers[0].pageSize)
        XCTAssertEqual(short.damage.unreadablePages, 1)
    }

    /// A v7 copy cut before its first options section has nothing readable
    /// (that section places the formats and the CPU data): refused, and the
    /// error says the file is cut short rather than only naming an offset.
    func testV7CutBeforeItsOptionsIsRefusedAsCutShort() throws {
        let path = try zstdFixture()
        let b = try Fixtures.bytes(path)
        let options = try TraceDatFile(path: path).header.firstOptionsOffset
        let cut = Array(b.prefix(options))
        try expectOpenError(cut, name: "before-options.dat", section: "compression header")
        do {
            _ = try TraceDatFile(path: try Fixtures.temporaryFile(cut, name: "before-options.dat"))
        } catch let e as TraceInputError {
            XCTAssertTrue(e.description.contains("options offset \(options)"), e.description)
            XCTAssertTrue(e.description.contains("(\(options) bytes): cut short"), e.description)
        }
    }

    /// Truncated at every offset of the metadata's first 4 KiB and at
    /// offsets spread over the whole file: an error or a readable prefix.
    func testTruncatedAnywhere() throws {
        for path in [try v6Fixture(), try zstdFixture()] {
            let b = try Fixtures.bytes(path)
            var cuts = Array(stride(from: 0, to: min(4096, b.count), by: 1))
            cuts += stride(from: 4096, to: b.count, by: max(1, b.count / 40))
            for cut in cuts {
                let p = try Fixtures.temporaryFile(Array(b.prefix(cut)), name: "cut.dat")
                do {
                    let f = try TraceDatFile(path: p)
                    f.forEachRecordHeader { _ in }
                } catch let e as TraceInputError {
                    XCTAssertFalse(e.description.contains("\n"))
                    XCTAssertNotNil(e.offset ?? (e.section == "file" ? 0 : nil), "\(cut): \(e)")
                }
            }
        }
    }

    func testCorruptCompressedChunkIsSkippedAndCounted() throws {
        let path = try zstdFixture()
        let f = try TraceDatFile(path: path)
        let cpu = try XCTUnwrap(f.buffers[0].cpus.first { $0.size > 0 })
        var b = try Fixtures.bytes(path)
        // First chunk: u32 count at the CPU offset, then u32 csize, u32 usize.
        let data = cpu.offset + 4 + 8
        for i in 0..<16 { b[data + 20 + i] ^= 0xa5 }
        let p = try Fixtures.temporaryFile(b, name: "chunk.dat")
        let damaged = try TraceDatFile(path: p)
        let stats = try TraceStatistics.collect(damaged)
        XCTAssertGreaterThan(stats.unreadablePages, 0)
        XCTAssertGreaterThan(stats.events, 0, "the other chunks are still read")
        XCTAssertTrue(stats.damageSamples.first?.contains("compressed chunk") ?? false)
    }

    func testImpossibleCommitSizeSkipsThePage() throws {
        let path = try v6Fixture()
        let f = try TraceDatFile(path: path)
        let cpu = try XCTUnwrap(f.buffers[0].cpus.first { $0.size > f.header.pageSize })
        let healthy = try TraceStatistics.collect(f)
        var b = try Fixtures.bytes(path)
        // The page header's commit word follows the u64 timestamp.
        b[cpu.offset + 8] = 0xff
        b[cpu.offset + 9] = 0xff
        b[cpu.offset + 10] = 0x7f
        let p = try Fixtures.temporaryFile(b, name: "commit.dat")
        let stats = try TraceStatistics.collect(TraceDatFile(path: p))
        XCTAssertEqual(stats.unreadablePages, 1)
        XCTAssertGreaterThan(stats.events, 0)
        XCTAssertLessThan(stats.events, healthy.events)
    }

    /// A padding event whose length points backwards would make kbuffer loop
    /// forever; the page is refused and counted instead.
    func testBackwardPaddingLengthDoesNotHang() throws {
        let path = try v6Fixture()
        let f = try TraceDatFile(path: path)
        let cpu = try XCTUnwrap(f.buffers[0].cpus.first { $0.size > 0 })
        var b = try Fixtures.bytes(path)
        let first = cpu.offset + 8 + f.kernelLongSize
        // Little-endian header word: type_len 29 (padding) in the low 5 bits.
        b.replaceSubrange(first..<first + 8, with: [29, 0, 0, 0, 0xf0, 0xff, 0xff, 0xff])
        let p = try Fixtures.temporaryFile(b, name: "padding.dat")
        let stats = try TraceStatistics.collect(TraceDatFile(path: p))
        XCTAssertEqual(stats.unreadablePages, 1)
        XCTAssertTrue(stats.damageSamples.first?.contains("impossible length") ?? false)
        XCTAssertFalse(try Fixtures.dump(p).isEmpty)
    }

    /// An event id with no format: report prints "[UNKNOWN EVENT]" columns;
    /// dump prints the same, stats counts it.
    func testEventIDWithoutFormatMatchesTraceCmd() throws {
        let path = try v6Fixture()
        let f = try TraceDatFile(path: path)
        let cpu = try XCTUnwrap(f.buffers[0].cpus.first { $0.size > 0 })
        var b = try Fixtures.bytes(path)
        // The first event of the page: find its payload with kbuffer.
        let page = KBuffer(kernelLongSize: f.kernelLongSize, bigEndian: false, oldFormat: false)
        let region = MemoryRegion(capacity: f.header.pageSize + 16)
        region.fill(from: f.region, at: cpu.offset, count: f.header.pageSize)
        _ = page.load(region, at: 0, pageSize: f.header.pageSize)
        var raw: UInt64 = 0
        XCTAssertEqual(page.readEvent(rawTimestamp: &raw), .event)
        let type = cpu.offset + page.payloadOffsetInPage + f.commonLayout.type.offset
        b[type] = 0xfe
        b[type + 1] = 0xfe
        let p = try Fixtures.temporaryFile(b, name: "unknown.dat")
        let ours = try Fixtures.dump(p)
        assertSameReport(ours, try Fixtures.traceCmdReport(["-N"], p), "unknown event id")
        XCTAssertTrue(String(decoding: ours, as: UTF8.self).contains("[UNKNOWN EVENT]"))
        XCTAssertEqual(try TraceStatistics.collect(TraceDatFile(path: p)).unknownEvents, 1)
    }
}
