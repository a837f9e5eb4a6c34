import Foundation
import XCTest
@testable import TraceInput

/// The texts the counting tests run over: every fixture text the reader
/// opens (report, report -N, tracefs, gzip'd or not), report -l / -t / -R
/// text generated from each capture, and damaged copies of a report (cut
/// and binary lines, an over-long line, CRLF line ends, drop lines), all
/// made from real captures.
enum TextCountInputs {
    static func all(scratch: URL) throws -> [String] {
        var paths: [String] = []
        for url in Fixtures.allFiles() where url.lastPathComponent.hasSuffix(".txt")
            || url.lastPathComponent.hasSuffix(".txt.gz") {
            guard (try? detectFormat(path: url.path)) != .traceDat,
                  (try? TextTraceReader(path: url.path)) != nil else { continue }
            paths.append(url.path)
        }
        for dir in Fixtures.captureDirectories() {
            let dat = dir.appendingPathComponent("trace.dat")
            for flags in [["-l"], ["-t"], ["-R"]] {
                paths.append(try ReportText.make(from: dat, flags: flags).path)
            }
        }
        paths += try damaged(scratch: scratch)
        return paths
    }

    /// Damaged copies of the largest report.txt.
    private static func damaged(scratch: URL) throws -> [String] {
        let reports = Fixtures.texts(named: "report.txt").filter { $0.pathExtension == "txt" }
        let source = try XCTUnwrap(reports.max { size($0) < size($1) }, "no report.txt fixture")
        let text = try String(contentsOf: source, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var out: [String] = []
        func write(_ name: String, _ bytes: [UInt8]) throws {
            let url = scratch.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            out.append(url.path)
        }
        try write("crlf.txt", Array(lines.joined(separator: "\r\n").utf8))
        try write("no-final-newline.txt", Array(text.utf8.dropLast()))
        // Cut lines and binary bytes spread over the file.
        for i in stride(from: 20, to: lines.count, by: max(1, lines.count / 9)) {
            lines[i] = String(lines[i].prefix(12))
        }
        lines[lines.count / 2] = "\u{1}\u{2}\u{3}" + lines[lines.count / 2].dropFirst(40)
        // Drops: counted, uncounted and tracefs' form, mid-file and last.
        lines.insert("CPU:1 [364 EVENTS DROPPED]", at: lines.count / 3)
        lines.insert("CPU:0 [EVENTS DROPPED]", at: lines.count / 4)
        lines.insert("CPU:0 [LOST 7 EVENTS]", at: 2 * lines.count / 3)
        lines.append("CPU:1 [12 EVENTS DROPPED]")
        try write("damaged.txt", Array(lines.joined(separator: "\n").utf8))
        // 3 MB without a newline in the middle of the text.
        var bytes = Array(text.utf8)
        let middle = bytes[(bytes.count / 2)...].firstIndex(of: 0x0a)! + 1
        bytes.insert(contentsOf: [UInt8](repeating: 0x41, count: 3 << 20), at: middle)
        try write("huge-line.txt", bytes)
        return out
    }

    private static func size(_ url: URL) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    }
}

/// The stats of a text counted the slow way: every item through next(), as
/// `mmaudit stats` did before the counting pass.
struct ItemCounts: Equatable {
    var events = 0
    var perCPU: [Int: Int] = [:]
    var perEvent: [String: Int] = [:]
    var first: UInt64?
    var last: UInt64?
    var lost = 0
    var lostUnknown = 0
    var cpus = 0
    var damage = DamageCount()

    init(reading path: String) throws {
        let reader = try TextTraceReader(path: path)
        while let item = try reader.next() {
            switch item {
            case .event(let e):
                events += 1
                perCPU[e.cpu, default: 0] += 1
                perEvent[e.name, default: 0] += 1
                first = min(first ?? e.timestamp, e.timestamp)
                last = max(last ?? e.timestamp, e.timestamp)
            case .lost(let l):
                if let n = l.count { lost += n } else { lostUnknown += 1 }
            }
        }
        cpus = reader.info.cpus
        damage = reader.damage
    }

    init(_ stats: TraceStatistics, damage: DamageCount) {
        events = stats.events
        perCPU = stats.perCPU
        perEvent = stats.perEvent
        first = stats.firstTimestamp
        last = stats.lastTimestamp
        lost = stats.lostEvents
        lostUnknown = stats.lostUnknownCount
        cpus = stats.cpus
        self.damage = damage
    }
}
