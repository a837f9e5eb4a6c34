import Foundation
import XCTest
import TestSupport

/// A few matrix cases through the built `mmaudit` binary: a refusal is exit
/// status 2 and exactly one line on stderr; damage that was skipped shows in
/// the report. Skipped when the binary was not built next to the tests (the
/// in-process matrix always runs).
final class CommandLineSampleTests: MatrixTestCase {
    private var mmaudit: String {
        get throws {
            guard let built = FixtureFiles.mmaudit else { throw XCTSkip("mmaudit is not built next to the tests") }
            return built
        }
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try mmaudit)
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, "\(arguments) ended by a signal")
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    private func damaged(_ relative: String, _ name: String, _ edit: (inout [UInt8]) -> Void) throws -> String {
        var bytes = try Harness.bytes(try Harness.fixture(relative))
        edit(&bytes)
        let url = scratch.appendingPathComponent(name)
        try Harness.write(bytes, to: url)
        return url.path
    }

    func testRefusedInputIsOneLineAndExitStatus2() throws {
        let cases = [
            try damaged("events-bug0/trace-v6.dat", "magic.dat") { $0[5] ^= 0x20 },
            try damaged("events-bug0/trace-v6.dat", "cut-in-formats.dat") { $0.removeSubrange(3000...) },
            try damaged("events-bug0/trace.dat", "cut-in-options.dat") { $0.removeSubrange(($0.count - 200)...) },
            try damaged("events-bug0/trace-v7-none.dat", "cut-in-data.dat") { $0.removeLast(4096) },
            try damaged("events-bug0/report.txt", "garbage.txt") { b in
                var rng = SeededRandom(seed: 2)
                b = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &rng) }
            },
            try damaged("events-bug0/report.txt", "empty.txt") { $0 = [] },
        ]
        for path in cases {
            guard case .refused(let expected)? = Harness.check(path, path: path) else {
                XCTFail("\(path): the library read it; this sample wants refusals")
                continue
            }
            for command in ["analyze", "stats", "dump"] {
                let r = try run([command, path])
                XCTAssertEqual(r.status, 2, "\(command) \(path): \(r.stderr)")
                let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
                XCTAssertEqual(lines.count, 2, "\(command) \(path): one line and its newline: \(r.stderr)")
                XCTAssertEqual(lines.first.map(String.init), "mmaudit: " + expected, "\(command) \(path)")
            }
        }
    }

    func testSkippedPagesAreReported() throws {
        let path = try damaged("events-bug0/trace-v6.dat", "commit.dat") { b in
            // The commit word of a page in the middle of CPU 0's data.
            let map = try! TraceDatMap(b)
            let page = map.pages[map.pages.count / 2]
            for (i, v) in [UInt8(0xf0), 0xff, 0xff, 0x07].enumerated() { b[page + 8 + i] = v }
        }
        let r = try run(["analyze", path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("unreadable: 1 pages"), r.stdout)
    }

    /// An output that cannot be written is an output error, not an input
    /// error: exit status 2, one line naming the output and why.
    func testUnwritableOutputIsOneLineNamingIt() throws {
        let trace = try Harness.fixture("events-bug0/trace.dat").path
        let missing = scratch.appendingPathComponent("no-such-dir/out").path
        for arguments in [["export", trace, "--perfetto", missing], ["analyze", trace, "-o", missing]] {
            let r = try run(arguments)
            XCTAssertEqual(r.status, 2, "\(arguments): \(r.stderr)")
            let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            XCTAssertEqual(lines.count, 2, "\(arguments): one line and its newline: \(r.stderr)")
            XCTAssertTrue(r.stderr.hasPrefix("mmaudit: \(missing): "), "\(arguments): \(r.stderr)")
        }
        XCTAssertTrue(try run(["export", trace, "--perfetto", missing]).stderr.hasSuffix(": No such file or directory\n"))
    }

    /// A record shorter than its event's format (a fuzzer's "print" record
    /// of 12 bytes whose format puts `buf` at offset 16): libtraceevent's
    /// printer took the field's length as 12 - 16 and asked for 4 GiB
    /// (trace-cmd report dies on it). dump prints the record's columns with
    /// a note for its fields, says on stderr how many such records there
    /// were, and --strict fails on them.
    func testRecordShorterThanItsFormatIsPrintedWithoutFields() throws {
        let input = FuzzRegressionTests.folder.appendingPathComponent("tracedat/print-field-past-record.dat").path
        let r = try run(["dump", input])
        XCTAssertEqual(r.status, 0, r.stderr)
        let noted = r.stdout.split(separator: "\n").filter { $0.contains("record does not hold field") }
        XCTAssertEqual(noted.count, 1, r.stdout)
        XCTAssertTrue(noted.first?.hasSuffix(" print:                [12-byte record does not hold field buf (offset 16, size 0) of its format]") ?? false,
                      String(noted.first ?? ""))
        XCTAssertTrue(r.stderr.contains("mmaudit: 1 record(s) shorter than their event's format printed without their fields\n"), r.stderr)
        XCTAssertNotEqual(try run(["dump", "--strict", input]).status, 0)
    }
}
