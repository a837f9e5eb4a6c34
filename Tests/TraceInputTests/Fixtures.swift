import Foundation
import XCTest
@testable import TraceInput
import NativeBindings
import TestSupport

/// The real captures under fixtures/traces (TestSupport finds them), and
/// the reference reader.
enum Fixtures {
    /// Every trace.dat fixture, sorted; fails the calling test when there is none.
    static func traceDatFiles(file: StaticString = #filePath, line: UInt = #line) -> [String] {
        FixtureFiles.traceDatFiles(file: file, line: line)
    }

    /// The smallest fixture of a kind (for tests that rewrite files).
    static func smallest(where predicate: (TraceDatFile) -> Bool, file: StaticString = #filePath,
                         line: UInt = #line) throws -> String {
        let candidates = traceDatFiles(file: file, line: line).compactMap { path -> (String, Int)? in
            guard let f = try? TraceDatFile(path: path), predicate(f) else { return nil }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return (path, size)
        }
        guard let best = candidates.min(by: { $0.1 < $1.1 }) else {
            XCTFail("no fixture of the wanted kind", file: file, line: line)
            throw XCTSkip("no fixture")
        }
        return best.0
    }

    /// What trace-cmd prints for `path`: for zlib files, which Debian's
    /// trace-cmd 3.1.6 cannot read (fixtures/capture/tools/zlibify made them
    /// from the zstd trace.dat beside them), the report of that original.
    static func reference(_ args: [String], _ path: String) throws -> [UInt8] {
        if try TraceDatFile(path: path).compression == "zlib" {
            let original = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("trace.dat").path
            return try traceCmdReport(args, original)
        }
        return try traceCmdReport(args, path)
    }

    /// `trace-cmd report <args> path`'s standard output.
    static func traceCmdReport(_ args: [String], _ path: String) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["trace-cmd", "report"] + args + [path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return [UInt8](data)
    }

    /// What `mmaudit dump` prints for `path`, produced in-process.
    static func dump(_ path: String, options: DumpOptions = DumpOptions()) throws -> [UInt8] {
        let out = OutputBuffer()
        try DumpReport.write(TraceDatFile(path: path), options: options, to: out)
        return out.bytes
    }

    /// A scratch file with `bytes`, removed at process exit by the OS tmp cleaner.
    static func temporaryFile(_ bytes: [UInt8], name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mmaudit-reader-tests-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        try FixtureFiles.bytes(URL(fileURLWithPath: path))
    }
}

/// Fails with the first differing line instead of two huge byte arrays.
func assertSameReport(_ ours: [UInt8], _ reference: [UInt8], _ what: String,
                      file: StaticString = #filePath, line: UInt = #line) {
    if ours == reference { return }
    let a = ours.split(separator: 0x0a, omittingEmptySubsequences: false)
    let b = reference.split(separator: 0x0a, omittingEmptySubsequences: false)
    for i in 0..<max(a.count, b.count) {
        let x = i < a.count ? String(decoding: a[i], as: UTF8.self) : "<end>"
        let y = i < b.count ? String(decoding: b[i], as: UTF8.self) : "<end>"
        if x != y {
            XCTFail("\(what): line \(i + 1) differs\n ours: \(x)\n trace-cmd: \(y)\n(\(a.count) vs \(b.count) lines)",
                    file: file, line: line)
            return
        }
    }
    XCTFail("\(what): outputs differ", file: file, line: line)
}
