import Foundation
import XCTest
@testable import TraceInput
import NativeBindings
import TestSupport

/// A trace.dat compressed whole (gzip, zstd: found by magic, not name) or
/// coming through a pipe (`-`): copied to a temporary file (its reader
/// seeks), then read exactly like the file itself, which trace-cmd reads.
/// And `--strict` through the built binary.
final class WrappedTraceDatTests: XCTestCase {
    private func source() throws -> String {
        try Fixtures.smallest { $0.fileVersion == 7 && $0.compression == "zstd" && !$0.isLatencyTrace && $0.cpuCount > 1 }
    }

    private func gzip(_ path: String) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-c", path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return [UInt8](data)
    }

    func testCompressedTraceDatReadsLikeTheFile() throws {
        let path = try source()
        let reference = try Fixtures.traceCmdReport(["-N"], path)
        let wrapped = [
            "gz": try gzip(path),
            "zst": BlockCompressor.compress(try Fixtures.bytes(path), with: .zstd),
        ]
        for (kind, bytes) in wrapped {
            // Named .bin: the content decides.
            let wrappedPath = try Fixtures.temporaryFile(bytes, name: "trace-\(kind).bin")
            XCTAssertEqual(try detectFormat(path: wrappedPath), .traceDat, kind)
            let out = OutputBuffer()
            _ = try openTraceFile(path: wrappedPath).dump(options: DumpOptions(), to: out)
            assertSameReport(out.bytes, reference, "dump of \(kind)-compressed \(path)")
            let reader = try openTrace(path: wrappedPath)
            XCTAssertEqual(reader.info.path, wrappedPath, "messages name the file given, not the copy")
            // Reports name both compressions: the wrapping, then the chunks'.
            XCTAssertEqual(reader.info.compression, (kind == "gz" ? "gzip" : "zstd") + "+zstd")
            var n = 0
            while let item = try reader.next() { if case .event = item { n += 1 } }
            XCTAssertEqual(n, try TraceStatistics.collect(TraceDatFile(path: path)).events, kind)
        }
    }

    private var mmaudit: String {
        get throws {
            guard let built = FixtureFiles.mmaudit else { throw XCTSkip("mmaudit is not built next to the tests") }
            return built
        }
    }

    /// `sh -c script` with the binary as $M.
    private func shell(_ script: String) throws -> CommandRun.Result {
        try CommandRun.run("/bin/sh", ["-c", script], environment: ["M": try mmaudit, "NO_COLOR": "1"])
    }

    func testTraceDatThroughAPipe() throws {
        let path = try source()
        let r = try shell("cat '\(path)' | \"$M\" dump -")
        XCTAssertEqual(r.status, 0, r.stderr)
        assertSameReport(r.stdout, try Fixtures.traceCmdReport(["-N"], path), "cat \(path) | mmaudit dump -")
    }

    func testStrictMakesATruncatedFileExit2() throws {
        let path = try source()
        let bytes = try Fixtures.bytes(path)
        // Inside the last CPU's data (the metadata before it is whole).
        let last = try XCTUnwrap(try TraceDatFile(path: path).buffers[0].cpus.last { $0.size > 0 })
        let cut = try Fixtures.temporaryFile(Array(bytes.prefix(last.offset + last.size / 2)), name: "cut-half.dat")
        let lenient = try shell("\"$M\" stats '\(cut)'")
        XCTAssertEqual(lenient.status, 0, lenient.stderr)
        XCTAssertTrue(lenient.stderr.contains("truncated file"), lenient.stderr)
        XCTAssertTrue(String(decoding: lenient.stdout, as: UTF8.self).contains("truncated:"))
        for command in ["stats", "dump", "analyze"] {
            let strict = try shell("\"$M\" \(command) --strict '\(cut)' > /dev/null")
            XCTAssertEqual(strict.status, 2, "\(command) --strict: \(strict.stderr)")
            XCTAssertTrue(strict.stderr.contains("--strict"), strict.stderr)
        }
        let whole = try shell("\"$M\" stats --strict '\(path)'")
        XCTAssertEqual(whole.status, 0, whole.stderr)
    }
}
