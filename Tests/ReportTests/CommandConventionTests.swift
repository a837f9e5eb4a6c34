import Foundation
import XCTest
import TestSupport

/// The command line's conventions through the built binary on real
/// captures: many traces at once, --version, --color, -o, stats' names,
/// progress only where a person watches.
final class CommandConventionTests: XCTestCase {
    static let rules = "fixtures/rules/mmaudit_demo.rules"
    static let clean = "fixtures/traces/events-bug0/trace.dat"
    static let bug1 = "fixtures/traces/events-bug1/trace.dat"

    func mmaudit(_ arguments: [String]) throws -> ExternalTools.Result { try ExternalTools.mmaudit(arguments) }

    /// The atomic-sleep count of one trace analysed alone.
    func atomicSleeps(_ path: String) throws -> Int {
        let r = try mmaudit(["analyze", path, "--rules", Self.rules, "--format", "json"])
        let doc = try XCTUnwrap(try ExternalTools.parseJSON(r.stdout) as? [String: Any])
        let check = (doc["checks"] as? [[String: Any]])?.first { $0["rule"] as? String == "atomic-sleep" }
        return try XCTUnwrap(check?["violations"] as? Int)
    }

    func testManyTracesEndWithOneTable() throws {
        let dir = "fixtures/traces/events-bug0/"
        let inDir = try FileManager.default.contentsOfDirectory(atPath: ExternalTools.packageRoot.appendingPathComponent(dir).path)
            .filter { $0.hasSuffix(".dat") }.sorted().map { dir + $0 }
        XCTAssertGreaterThanOrEqual(inDir.count, 3, "events-bug0 has its trace.dat in several file versions")
        let r = try mmaudit(["analyze", Self.bug1, dir, "--rules", Self.rules])
        XCTAssertEqual(r.status, 0, r.stderr)
        let table = try XCTUnwrap(r.stdout.components(separatedBy: "\(1 + inDir.count) traces: 1 with violations").last)
        let rows = table.split(separator: "\n").filter { $0.hasPrefix("  fixtures/") }
        XCTAssertEqual(rows.map { String($0.split(separator: " ")[0]) }, [Self.bug1] + inDir)
        for row in rows {
            let cells = row.split(separator: " ").map(String.init)
            XCTAssertEqual(Int(cells[2]), try atomicSleeps(cells[0]), String(row))
            XCTAssertEqual(cells.last == "violations", cells[0] == Self.bug1, String(row))
        }
        // Each trace's own report comes first, as a single-trace run prints it.
        let alone = try mmaudit(["analyze", Self.bug1, "--rules", Self.rules])
        XCTAssertTrue(r.stdout.hasPrefix(alone.stdout), "the first report differs from the single-trace one")
        XCTAssertFalse(alone.stdout.contains("traces: "), "a single trace's output has no fleet table")
    }

    func testJSONLinesHasADocumentPerTraceAndTheWorstStatusWins() throws {
        let r = try mmaudit(["analyze", Self.clean, Self.bug1, "fixtures/nonexistent.dat", "--rules", Self.rules,
                             "--format", "jsonl"])
        XCTAssertEqual(r.status, 2, "an unreadable trace among them: bad input")
        XCTAssertEqual(r.stderr, "mmaudit: fixtures/nonexistent.dat: file: cannot open: No such file or directory\n")
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        let docs = try lines.map { try XCTUnwrap(try ExternalTools.parseJSON(String($0)) as? [String: Any]) }
        XCTAssertEqual(docs.map { ($0["trace"] as? [String: Any])?["path"] as? String },
                       [Self.clean, Self.bug1, "fixtures/nonexistent.dat"])
        XCTAssertEqual((docs[1]["violations"] as? [Any])?.count, try atomicSleeps(Self.bug1))
        XCTAssertNotNil(docs[2]["error"] as? String)
        // The document of one trace is the same as --format json's.
        let single = try mmaudit(["analyze", Self.bug1, "--rules", Self.rules, "--format", "json"])
        let singleDoc = try XCTUnwrap(try ExternalTools.parseJSON(single.stdout) as? NSDictionary)
        XCTAssertEqual(docs[1] as NSDictionary, singleDoc)
        let gate = try mmaudit(["analyze", Self.clean, Self.bug1, "--rules", Self.rules, "--fail-on", "error"])
        XCTAssertEqual(gate.status, 1, "a trace with errors and --fail-on error")
        XCTAssertEqual(try mmaudit(["analyze", Self.clean, Self.clean, "--rules", Self.rules, "--fail-on", "error"]).status, 0)
        let html = try mmaudit(["analyze", Self.clean, Self.bug1, "--format", "html"])
        XCTAssertEqual(html.status, 2)
        XCTAssertTrue(html.stderr.contains("--format html takes one trace"), html.stderr)
    }

    func testVersionColourAndOutputPaths() throws {
        let v = try mmaudit(["--version"])
        XCTAssertEqual(v.status, 0)
        XCTAssertTrue(v.stdout.hasPrefix("mmaudit "), v.stdout)
        // Pipes get no colour unless asked; --color always beats NO_COLOR
        // (set by ExternalTools), as no-color.org allows an explicit flag to.
        for (mode, coloured) in [("auto", false), ("never", false), ("always", true)] {
            for command in [["analyze", Self.bug1, "--rules", Self.rules],
                            ["diff", Self.clean, Self.bug1, "--rules", Self.rules],
                            ["timeline", Self.bug1, "--rules", Self.rules]] {
                let r = try mmaudit(command + ["--color", mode])
                XCTAssertEqual(r.status, 0, r.stderr)
                XCTAssertEqual(r.stdout.contains("\u{1B}["), coloured, "\(command) --color \(mode)")
            }
        }
        XCTAssertEqual(try mmaudit(["analyze", Self.bug1, "--color", "sometimes"]).status, 2)
        let bad = "/nonexistent-dir/report.txt"
        for command in [["analyze", Self.bug1, "-o", bad], ["export", Self.bug1, "--perfetto", bad],
                        ["diff", Self.clean, Self.bug1, "-o", bad]] {
            let r = try mmaudit(command)
            XCTAssertEqual(r.status, 2, "\(command)")
            XCTAssertEqual(r.stderr, "mmaudit: \(bad): cannot create: No such file or directory\n", "\(command)")
        }
        let toStdout = try mmaudit(["analyze", Self.bug1, "--rules", Self.rules, "-o", "-"])
        XCTAssertEqual(toStdout.status, 0)
        XCTAssertEqual(toStdout.stdout, try mmaudit(["analyze", Self.bug1, "--rules", Self.rules]).stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ExternalTools.packageRoot.appendingPathComponent("-").path))
    }

    func testStatsNamesEventsWithTheirSystemAndSaysUncompressed() throws {
        let r = try mmaudit(["stats", Self.bug1])
        XCTAssertEqual(r.status, 0)
        let json = try XCTUnwrap(try ExternalTools.parseJSON(try mmaudit(["stats", Self.bug1, "--format", "json"]).stdout)
                                 as? [String: Any])
        let perEvent = try XCTUnwrap(json["per_event"] as? [String: Int])
        let listed = r.stdout.components(separatedBy: "per event:\n").last?.split(separator: "\n") ?? []
        XCTAssertEqual(listed.count, perEvent.count)
        for line in listed {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: ":").map(String.init)
            XCTAssertEqual(parts.count, 3, "system:name: count, got \(line)")
            XCTAssertEqual(perEvent[parts[1]], Int(parts[2].trimmingCharacters(in: .whitespaces)), String(line))
        }
        XCTAssertTrue(r.stdout.contains("  mmaudit_demo:map: 38\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("  sched:sched_switch: "), r.stdout)
        // No uncompressed v7 capture is committed: trace-cmd converts one.
        let converted = ExternalTools.temporaryFile("stats-none.dat")
        let c = try ExternalTools.run("trace-cmd", ["convert", "--file-version", "7", "--compression", "none",
                                                    "-i", Self.bug1, "-o", converted])
        XCTAssertEqual(c.status, 0, c.stderr)
        let none = try mmaudit(["stats", converted])
        XCTAssertTrue(none.stdout.contains("format:          trace.dat version 7, uncompressed\n"), none.stdout)
        XCTAssertTrue(try mmaudit(["stats", Self.bug1]).stdout.contains("version 7, compression zstd\n"))
        // analyze's header line too, for the converted file and for text.
        XCTAssertTrue(try mmaudit(["analyze", converted]).stdout.hasPrefix("\(converted): trace.dat v7, uncompressed, 2 CPUs"))
        let text = "fixtures/traces/events-bug1/report.txt"
        XCTAssertTrue(try mmaudit(["analyze", text]).stdout.hasPrefix("\(text): trace-cmd-report, uncompressed, 2 CPUs"))
    }

    /// On a terminal (a pseudo-terminal from script(1)) a trace read in
    /// well under a second shows no progress line; in a pipe nothing ever.
    func testNoProgressForShortWorkOrPipes() throws {
        let piped = try mmaudit(["analyze", Self.bug1, "--rules", Self.rules])
        XCTAssertEqual(piped.stderr, "")
        let command = "\(ExternalTools.mmaudit) analyze \(Self.bug1) --rules \(Self.rules) >/dev/null"
        let tty = try ExternalTools.run("script", ["-qec", command, "/dev/null"])
        XCTAssertEqual(tty.status, 0, tty.stderr)
        XCTAssertFalse(tty.stdout.contains("events, at"), tty.stdout)
    }
}
