import Foundation
import XCTest

/// Where the test targets find the repository's real captures
/// (fixtures/), its catalog and the built `mmaudit`: one copy for every
/// test target. Helpers that fail the calling test when what they look for
/// is missing: a test over nothing must not pass.
public enum FixtureFiles {
    /// The repository's root, where Package.swift is.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// fixtures/
    public static let directory = repositoryRoot.appendingPathComponent("fixtures")
    /// fixtures/traces: one folder per capture.
    public static let traces = directory.appendingPathComponent("traces")
    /// fixtures/rules/mmaudit_demo.rules, binding the demo module's events.
    public static let demoRules = directory.appendingPathComponent("rules/mmaudit_demo.rules")

    /// Every regular file under `root` (default fixtures/), sorted by path;
    /// hidden files and the capture tool's cache left out.
    public static func allFiles(under root: URL = directory) -> [URL] {
        guard let walker = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey],
            options: [.skipsHiddenFiles]) else { return [] }
        var out: [URL] = []
        for case let url as URL in walker {
            if url.path.contains("/.cache/") { continue }
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                out.append(url)
            }
        }
        return out.sorted { $0.path < $1.path }
    }

    /// Every trace.dat capture (any *.dat under fixtures/traces, or under
    /// $MMAUDIT_TRACE_FIXTURES while fixtures/ is being regenerated), sorted.
    public static func traceDatFiles(file: StaticString = #filePath, line: UInt = #line) -> [String] {
        let dir = ProcessInfo.processInfo.environment["MMAUDIT_TRACE_FIXTURES"].map { URL(fileURLWithPath: $0) }
            ?? traces
        let found = allFiles(under: dir).filter { $0.pathExtension == "dat" }.map(\.path)
        if found.isEmpty { XCTFail("no trace.dat fixtures under \(dir.path)", file: file, line: line) }
        return found
    }

    /// fixtures/catalog.json (written by fixtures/capture/catalog from the
    /// demo module's own counts and the kernel's dmesg, not from mmaudit).
    public static func catalogData(file: StaticString = #filePath, line: UInt = #line) throws -> Data {
        let url = directory.appendingPathComponent("catalog.json")
        guard let data = try? Data(contentsOf: url) else {
            XCTFail("no fixtures catalog at \(url.path)", file: file, line: line)
            throw CocoaError(.fileNoSuchFile)
        }
        return data
    }

    /// The `mmaudit` built with the tests (beside the test bundle, else in
    /// .build/debug), or nil when there is none.
    public static var mmaudit: String? {
        let beside = Bundle.main.bundleURL.appendingPathComponent("mmaudit").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        let built = repositoryRoot.appendingPathComponent(".build/debug/mmaudit").path
        return FileManager.default.isExecutableFile(atPath: built) ? built : nil
    }

    public static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }
}
