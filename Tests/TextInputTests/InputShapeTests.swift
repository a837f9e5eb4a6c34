import Foundation
import XCTest
@testable import TraceInput
import NativeBindings
import TestSupport

/// The containers traces come in (fixtures/shapes, fixtures/README.md):
/// each is read with every event of the text it holds, the same events in
/// the same order as the text read on its own, and as many as that text
/// has event lines (counted here without the reader).
final class InputShapeTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try Scratch.make("input-shapes") }
    override func tearDown() { Scratch.remove(scratch) }

    private struct Seen: Equatable {
        var timestamp: UInt64, cpu: Int, pid: Int32, name: String
    }

    private func events(_ reader: any TraceReader) throws -> [Seen] {
        var out: [Seen] = []
        while let item = try reader.next() {
            if case .event(let e) = item { out.append(Seen(timestamp: e.timestamp, cpu: e.cpu, pid: e.pid, name: e.name)) }
        }
        return out
    }

    private func shape(_ path: String) -> URL { Fixtures.root.appendingPathComponent("shapes").appendingPathComponent(path) }

    /// Event lines of tracefs `trace` text: every line but the "#" header
    /// and blank ones (these captures have no other lines).
    private func eventLines(_ url: URL) throws -> Int {
        try Fixtures.contents(url).split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }.count
    }

    func testAndroidContainersHoldEveryEventOfTheirText() throws {
        let source = Fixtures.root.appendingPathComponent("traces/tracefs-lost-bug0/trace.txt")
        let expected = try events(try openTrace(path: source.path))
        XCTAssertEqual(expected.count, try eventLines(source))
        let shapes = ["systrace.html": "systrace", "systrace-legacy.html.gz": "gzip+systrace",
                      "atrace-z.out": "atrace+zlib", "atrace.out.gz": "gzip+atrace"]
        for (name, layers) in shapes {
            let path = shape("android-tracefs-lost-bug0/\(name)").path
            let reader = try openTrace(path: path)
            XCTAssertEqual(reader.info.compression, layers, name)
            XCTAssertEqual(reader.info.cpus, 2, name)
            XCTAssertEqual(try events(reader), expected, name)
            XCTAssertTrue(reader.damage.isEmpty, "\(name): \(reader.damage.samples)")
        }
    }

    /// The serial console's log: boot lines before the header and kernel
    /// messages in the middle are skipped and counted, every event is read.
    func testSerialConsoleCaptureHoldsEveryEventOfTheTraceFile() throws {
        let reference = shape("serial-k612-bug0/trace.txt.gz")
        let expected = try events(try openTrace(path: reference.path))
        XCTAssertEqual(expected.count, try eventLines(reference))
        let console = try openTrace(path: shape("serial-k612-bug0/console.log.gz").path)
        XCTAssertEqual(try events(console), expected)
        // The kernel's "[  13.498333] mmaudit-guest: console noise 1" lines
        // and the boot lines before the header.
        XCTAssertGreaterThan(console.damage.consoleLines, 3)
        // What follows the trace is the guest's own status lines: unparsed,
        // and said so.
        XCTAssertEqual(console.damage.unparsedLines, 5, "\(console.damage.samples)")

        // "\r\r\n" line ends (a terminal program that adds its own \r).
        var text = Array(try Fixtures.contents(shape("serial-k612-bug0/console.log.gz")).utf8)
        XCTAssertTrue(text.contains(0x0d), "the console log has \\r\\n line ends")
        text = text.flatMap { $0 == 0x0d ? [0x0d, 0x0d] : [$0] }
        let doubled = scratch.appendingPathComponent("console-crcrlf.log")
        try Data(text).write(to: doubled)
        XCTAssertEqual(try events(try openTrace(path: doubled.path)), expected)
    }

    /// Text compressed with zstd (by magic: the name says nothing), in two
    /// frames one after the other.
    func testZstdTextByMagic() throws {
        let source = shape("serial-k612-bug0/trace.txt.gz")
        let expected = try events(try openTrace(path: source.path))
        let text = Array(try Fixtures.contents(source).utf8)
        let half = text.count / 2
        let frames = BlockCompressor.compress(Array(text[..<half]), with: .zstd)
            + BlockCompressor.compress(Array(text[half...]), with: .zstd)
        let path = scratch.appendingPathComponent("trace-text.bin")
        try Data(frames).write(to: path)
        let reader = try openTrace(path: path.path)
        XCTAssertEqual(reader.info.compression, "zstd")
        XCTAssertEqual(try events(reader), expected)
    }

    /// A zstd stream cut short is an error naming the file, not a silent end.
    func testTruncatedZstdTextIsAnError() throws {
        let text = Array(try Fixtures.contents(shape("serial-k612-bug0/trace.txt.gz")).utf8)
        let frame = BlockCompressor.compress(text, with: .zstd)
        let path = scratch.appendingPathComponent("cut.zst")
        try Data(frame.prefix(frame.count - 100)).write(to: path)
        XCTAssertThrowsError(try events(try openTrace(path: path.path))) { error in
            XCTAssertTrue("\(error)".hasPrefix(path.path) && "\(error)".contains("zstd"), "\(error)")
        }
    }

    /// `... | mmaudit stats -`: text from a pipe, the serial log here, read
    /// as the file is.
    func testTextThroughAPipe() throws {
        guard let mmaudit = FixtureFiles.mmaudit else { throw XCTSkip("mmaudit is not built next to the tests") }
        let console = shape("serial-k612-bug0/console.log.gz").path
        let r = try CommandRun.run("/bin/sh", ["-c", "/bin/gzip -dc '\(console)' | \"$M\" stats --format json -"],
                                     environment: ["M": mmaudit])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout)) as? [String: Any])
        let expected = try events(try openTrace(path: shape("serial-k612-bug0/trace.txt.gz").path)).count
        XCTAssertEqual(json["events"] as? Int, expected)
        XCTAssertEqual(json["path"] as? String, "-")
        XCTAssertGreaterThan(json["console_lines"] as? Int ?? 0, 0)
    }
}
