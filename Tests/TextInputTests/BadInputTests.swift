import Foundation
import XCTest
@testable import TraceInput

/// Input that is not ftrace text is refused with one line; damaged text is
/// read with the bad lines counted and reported by line number; gzip text
/// reads like the plain file. The damaged inputs are made from a real
/// fixture file, never written by hand.
final class BadInputTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws { scratch = try Scratch.make("text-bad") }
    override func tearDown() { Scratch.remove(scratch) }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = scratch.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    private func reportText() throws -> URL {
        let files = Fixtures.texts(named: "report.txt")
        return try XCTUnwrap(files.first, "no report.txt fixture")
    }

    private func assertRefused(_ path: String, contains phrase: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try openTrace(path: path), file: file, line: line) { error in
            guard let e = error as? TraceInputError else {
                return XCTFail("not a TraceInputError: \(error)", file: file, line: line)
            }
            XCTAssertFalse(e.description.contains("\n"), file: file, line: line)
            XCTAssertTrue(e.description.contains(phrase), e.description, file: file, line: line)
            XCTAssertTrue(e.description.hasPrefix(path), e.description, file: file, line: line)
        }
    }

    func testEmptyFileIsRefused() throws {
        assertRefused(try write("empty", []), contains: "empty file")
        XCTAssertThrowsError(try TextTraceReader(path: try write("empty2", [])))
    }

    func testBinaryGarbageIsRefused() throws {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<65536).map { _ in UInt8.random(in: 0...255, using: &rng) }
        assertRefused(try write("garbage.bin", bytes), contains: "not a trace")
    }

    func testTextThatIsNotATraceIsRefused() throws {
        // A kernel log from the fixtures: text, but no trace line in it.
        let dmesg = try XCTUnwrap(Fixtures.texts(named: "dmesg.txt").first, "no dmesg.txt fixture")
        assertRefused(dmesg.path, contains: "not a trace")
    }

    func testGzipOfGarbageIsRefused() throws {
        let junk = try write("junk", Array("this is not a trace at all\n".utf8))
        let gz = try gzip(junk)
        XCTAssertThrowsError(try openTrace(path: gz)) { error in
            XCTAssertTrue(error is TraceInputError, "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    func testDamagedLinesAreCountedAndSkipped() throws {
        let original = try reportText()
        var lines = try String(contentsOf: original, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertGreaterThan(lines.count, 200)
        // Cut three event lines short and put binary bytes in one.
        let damaged = [20, 21, 150]
        for i in damaged { lines[i] = String(lines[i].prefix(12)) }
        lines[100] = "\u{1}\u{2}\u{3}" + lines[100].dropFirst(40)
        let path = try write("damaged.txt", Array(lines.joined(separator: "\n").utf8))
        let plain = try count(original.path)
        let reader = try TextTraceReader(path: path)
        var events = 0
        while let item = try reader.next() { if case .event = item { events += 1 } }
        XCTAssertEqual(reader.damage.unparsedLines, 4)
        XCTAssertEqual(events, plain - 4)
        // Line numbers are 1-based; the first samples name lines 21 and 22.
        XCTAssertTrue(reader.damage.samples.first?.hasPrefix("line 21:") ?? false, "\(reader.damage.samples)")
        XCTAssertTrue(reader.damage.samples.contains { $0.hasPrefix("line 101:") }, "\(reader.damage.samples)")
    }

    func testHugeLineDoesNotHangOrGrow() throws {
        let original = try reportText()
        var bytes = Array(try Data(contentsOf: original))
        // 3 MB without a newline spliced in after the first line.
        let firstNewline = bytes.firstIndex(of: 0x0a)!
        bytes.insert(contentsOf: [UInt8](repeating: 0x41, count: 3 << 20), at: firstNewline + 1)
        let path = try write("huge.txt", bytes)
        let reader = try TextTraceReader(path: path)
        var events = 0
        while let item = try reader.next() { if case .event = item { events += 1 } }
        XCTAssertEqual(reader.damage.unparsedLines, 1)
        // The huge line swallowed the one event line it was glued to.
        XCTAssertEqual(events, try count(original.path) - 1)
    }

    func testGzipTextReadsLikeThePlainFile() throws {
        let original = try reportText()
        let gz = try gzip(original.path)
        let plain = try TextTraceReader(path: original.path)
        let zipped = try XCTUnwrap(try openTrace(path: gz) as? TextTraceReader)
        XCTAssertEqual(zipped.info.compression, "gzip")
        var n = 0
        while true {
            let a = try plain.next(), b = try zipped.next()
            if case .lost(let x)? = a, case .lost(let y)? = b {
                XCTAssertEqual(x, y)
                continue
            }
            guard case .event(let x)? = a, case .event(let y)? = b else {
                XCTAssertTrue(a == nil && b == nil, "streams end together")
                break
            }
            XCTAssertEqual(x.timestamp, y.timestamp)
            XCTAssertEqual(x.name, y.name)
            XCTAssertEqual(x.fields.names, y.fields.names)
            n += 1
        }
        XCTAssertGreaterThan(n, 0)
    }

    func testTruncatedGzipIsAnError() throws {
        let original = try reportText()
        let gz = try gzip(original.path)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: gz)))
        bytes.removeLast(bytes.count / 3)
        let cut = try write("cut.txt.gz", bytes)
        XCTAssertThrowsError(try { () throws -> Void in
            let r = try TextTraceReader(path: cut)
            while try r.next() != nil {}
        }()) { error in
            XCTAssertTrue("\(error)".contains("truncated") || "\(error)".contains("corrupt"), "\(error)")
        }
    }

    private func count(_ path: String) throws -> Int {
        let r = try TextTraceReader(path: path)
        var n = 0
        while let item = try r.next() { if case .event = item { n += 1 } }
        return n
    }

    private func gzip(_ path: String) throws -> String {
        let out = scratch.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent + ".gz")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-c", path]
        p.standardOutput = try FileHandle(forWritingTo: out)
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return out.path
    }
}
