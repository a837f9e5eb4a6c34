import Foundation
import XCTest
import FuzzSupport
import NativeBindings
import TraceModel

/// Every input the fuzzers once failed on (FuzzRegressions/<target>/, see
/// docs/robustness.md), replayed the way its fuzz target reads it and the
/// way `mmaudit analyze` does. Under scripts/sanitize this also catches the
/// memory errors that only a sanitizer sees.
final class FuzzRegressionTests: XCTestCase {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("FuzzRegressions")

    private func inputs(_ target: String) throws -> [URL] {
        let dir = Self.folder.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .sorted { $0.path < $1.path }
    }

    func testFindingsStayFixed() throws {
        for (target, read) in [("tracedat", FuzzSupport.readTraceDat), ("text", FuzzSupport.readText)] {
            let files = try inputs(target)
            XCTAssertFalse(files.isEmpty, target)
            for url in files {
                XCTAssertNoThrow(try read(url.path), url.lastPathComponent)
                Harness.check(url.lastPathComponent, path: url.path)
            }
        }
    }

    /// printk format lines that made libtraceevent read outside the text
    /// (ASan: heap-buffer-overflow in tep_parse_printk_formats and
    /// tep_register_print_string): a last line without ':', one ending at
    /// its ':', formats shorter than 3 bytes, text after a NUL. Those lines
    /// are dropped (and the process survives, under ASan too); the well-formed
    /// lines beside them still reach libtraceevent.
    func testMalformedPrintkFormats() {
        let cases: [(text: String, taken: Int)] = [
            ("0xffffffff81000000 : \"a\"\n0xfff", 0), ("0xffffffff81000000 :", 0), ("ffff", 0), ("", 0),
            (":::", 0), ("0x1 : \"x\"", 0), ("0x1 : \"", 0), ("0x1 :\n", 0),
            // "ab\"" once the quote is dropped: 3 bytes, enough.
            ("0x1 : \"ab\"\n0x2 : \"abc\"\n", 2),
            // C sees up to the NUL: the first line only.
            ("0xffffffff81000000 : \"abc\"\n0xfff\0\n0xffffffff81000000 : \"b\"\n", 1),
        ]
        for (text, taken) in cases {
            let tep = TEPHandle(fileIsBigEndian: false, longSize: 8)
            XCTAssertEqual(tep.parsePrintkFormats(Array(text.utf8)), taken, text.debugDescription)
        }
    }

    /// A format cut inside a field's brackets (or with a NUL or another
    /// control character there) made tep_parse_event call strcmp on NULL
    /// (SEGV); __print_symbolic of a
    /// field the format lacks made it dereference NULL. Neither is parsed.
    func testMalformedFormats() {
        let head = "name: branch\nID: 9\nformat:\n\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
        for tail in ["\tfield:char func[", "\tfield:char func[\0\0", "\tfield:char func[\016];\toffset:8;\tsize:16;\tsigned:0;\n",
                     // A control character in the brackets (format-control-char.dat: SEGV).
                     "\tfield:char comm[\u{11}6];\toffset:8;\tsize:16;\tsigned:1;\n\nprint fmt: \"%s\", REC->comm\n",
                     "\tfield:int line;\toffset:8", "\tfield:char func[16;\toffset:8;\tsize:16;\n"] {
            let tep = TEPHandle(fileIsBigEndian: false, longSize: 8)
            XCTAssertFalse(tep.parseEvent(Array((head + tail).utf8), system: "ftrace"), tail)
        }
        // No fields at all, or a print fmt naming a field there is not (SEGV).
        let pages = "\tfield:unsigned long pages;\toffset:16;\tsize:8;\tsigned:0;\n"
        for (fields, format) in [("", "__print_symbolic(REC->r)"), (pages, "__print_symbolic(REC->r)"),
                                 (pages, "REC->pages\n\tfield:int r;\toffset:8;\tsize:4;\tsigned:0;\nprint fmt: REC->r"),
                                 (pages, "REC->pages#"), (pages, "REC->pages.()pages"), (pages, "(REC->pages]"), (pages, "REC->pages;"),
                                 (pages, "__print_symbolic(REC->pages, { 0, \"a\" }")] {
            let text = "name: tlb_flush\nID: 609\nformat:\n\(fields)\nprint fmt: \"%d %s\", REC->pages, \(format)"
            XCTAssertFalse(TEPHandle(fileIsBigEndian: false, longSize: 8).parseEvent(Array(text.utf8), system: "tlb"))
        }
        let tep = TEPHandle(fileIsBigEndian: false, longSize: 8)
        XCTAssertTrue(tep.parseEvent(Array((head + "\tfield:char func[16];\toffset:8;\tsize:16;\tsigned:0;\n\nprint fmt: \"%s\", REC->func\n").utf8),
                                     system: "ftrace"))
    }

    /// A compressed metadata section claiming 4 GiB (section-size-oom.dat)
    /// was allocated before decompressing; a size the block cannot decode to
    /// is now refused first. The bound must not refuse what the libraries
    /// really write: 4 MiB of zeros, the most compressible input, decode
    /// through it with zstd and zlib, and claiming one byte more than the
    /// bound allows is refused.
    func testClaimedSectionSizeIsBoundedByWhatTheBlockCanHold() throws {
        let zeros = [UInt8](repeating: 0, count: 4 << 20)
        for algorithm in [CompressionAlgorithm.zstd, .zlib] {
            let packed = BlockCompressor.compress(zeros, with: algorithm)
            let region = MemoryRegion(bytes: packed)
            let out = try BlockDecompressor(algorithm).decompress(region, at: 0, count: packed.count, expectedSize: zeros.count)
            XCTAssertEqual(out.count, zeros.count, "\(algorithm)")
            let bound = BlockDecompressor.largestOutput(algorithm, compressedCount: packed.count)
            XCTAssertThrowsError(try BlockDecompressor(algorithm).decompress(region, at: 0, count: packed.count,
                                                                             expectedSize: bound + 1), "\(algorithm)")
        }
    }

    /// A timestamp with 20 fraction digits overflowed the parser; it is a
    /// damaged line.
    func testLongTimestampFraction() throws {
        let report = try Harness.bytes(try Harness.fixture("events-bug0/report.txt"))
        var text = String(decoding: report, as: UTF8.self)
        let stamp = try XCTUnwrap(text.range(of: #"\d+\.\d{6}:"#, options: .regularExpression))
        text.replaceSubrange(stamp, with: String(text[stamp].dropLast()) + "12345678901234567890:")
        let dir = try Harness.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("fraction.txt")
        try Harness.write(Array(text.utf8), to: url)
        let s = try XCTUnwrap(Harness.check("long fraction", path: url.path)?.summary)
        XCTAssertEqual(s.damage.unparsedLines, 1)
    }

    /// Text whose events go back in time: the analysis' time span is still
    /// earliest...latest (it trapped building first...last).
    func testTextGoingBackInTime() throws {
        let report = try Harness.bytes(try Harness.fixture("events-bug0/report.txt"))
        var lines = report.split(separator: 0x0a, omittingEmptySubsequences: false)
        let events = lines.indices.filter { lines[$0].contains(UInt8(ascii: ":")) && lines[$0].first == UInt8(ascii: " ") }
        let (first, last) = (try XCTUnwrap(events.first), try XCTUnwrap(events.last))
        lines.swapAt(first, last)
        let dir = try Harness.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("backwards.txt")
        try Harness.write(Array(lines.joined(separator: [0x0a])), to: url)
        let healthy = try XCTUnwrap(Harness.check("as is", path: try Harness.fixture("events-bug0/report.txt").path)?.summary)
        let s = try XCTUnwrap(Harness.check("backwards", path: url.path)?.summary)
        XCTAssertEqual(s.events, healthy.events)
    }
}
