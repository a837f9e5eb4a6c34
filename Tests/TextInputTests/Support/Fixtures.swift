import Foundation
import XCTest
import TestSupport

/// The real captures under fixtures/ (never hand-written traces). Tests
/// find them by walking the directory, so new captures are picked up
/// without code changes, and fail when there are none.
enum Fixtures {
    static let root = FixtureFiles.directory

    /// Capture directories (holding trace.dat and the texts made from it).
    static func captureDirectories(file: StaticString = #filePath, line: UInt = #line) -> [URL] {
        let dirs = allFiles().filter { $0.lastPathComponent == "trace.dat" }
            .map { $0.deletingLastPathComponent() }
        if dirs.isEmpty { XCTFail("no capture with a trace.dat under \(root.path)", file: file, line: line) }
        return dirs
    }

    /// Every text file `name` of the captures (report.txt, trace.txt, …),
    /// plain or gzip'd (`name.gz`).
    static func texts(named name: String) -> [URL] {
        allFiles().filter { $0.lastPathComponent == name || $0.lastPathComponent == name + ".gz" }
    }

    /// tracefs `trace` / trace_pipe text with event or function-tracer
    /// lines (the function_graph tracer's text has other columns).
    static let tracefsEventTexts = ["trace.txt", "trace-latency.txt", "trace-tgid.txt",
                                    "trace-noirqinfo.txt", "trace-pipe.txt"]

    /// A fixture text's content; .gz files are inflated by gzip itself, so
    /// the reference side of a test does not use the reader's inflater.
    static func contents(_ url: URL) throws -> String {
        guard url.pathExtension == "gz" else { return try String(contentsOf: url, encoding: .utf8) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-dc", url.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "gzip", code: Int(p.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "gzip -dc \(url.path) failed"])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Every file under fixtures/ (the capture tool's cache excluded).
    static func allFiles() -> [URL] { FixtureFiles.allFiles() }

    /// trace.dat captures (any *.dat).
    static func traceDats(file: StaticString = #filePath, line: UInt = #line) -> [URL] {
        FixtureFiles.traceDatFiles(file: file, line: line).map { URL(fileURLWithPath: $0) }
    }

}

/// `trace-cmd report` text made from a trace.dat fixture, cached in the
/// temporary directory (generated, never committed).
enum ReportText {
    static let traceCmd = "/usr/bin/trace-cmd"

    static func make(from dat: URL, flags: [String]) throws -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("mmaudit-text-tests")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let attrs = try FileManager.default.attributesOfItem(atPath: dat.path)
        let size = (attrs[.size] as? NSNumber)?.intValue ?? 0
        let stamp = (attrs[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let key = dat.path.replacingOccurrences(of: "/", with: "_")
            + "-\(size)-\(Int(stamp))" + flags.joined()
        let out = dir.appendingPathComponent(key + ".txt")
        if FileManager.default.fileExists(atPath: out.path) { return out }
        let tmp = out.appendingPathExtension("tmp")
        _ = FileManager.default.createFile(atPath: tmp.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: traceCmd)
        p.arguments = ["report"] + flags + [dat.path]
        p.standardOutput = try FileHandle(forWritingTo: tmp)
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw NSError(domain: "trace-cmd", code: Int(p.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "trace-cmd report \(flags) \(dat.path) failed"])
        }
        try FileManager.default.moveItem(at: tmp, to: out)
        return out
    }
}
