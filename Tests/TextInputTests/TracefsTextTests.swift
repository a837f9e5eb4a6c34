import Foundation
import XCTest
@testable import TraceInput

/// tracefs `trace` text (default columns, and options/latency-format): the
/// flags and preempt depth of every event, rendered back the way the kernel
/// prints them, equal the text's own columns; CPU, pid, name and time equal
/// the line's; the counts equal the file's lines. Against the capture's
/// trace.dat (the same buffer saved with trace-cmd extract), the default
/// text gives the same events.
final class TracefsTextTests: XCTestCase {
    /// What an independent, regex-based reading of one line says.
    struct Line {
        var pid: Int32
        var cpu: Int
        var flags: String
        var time: UInt64      // ns as printed (µs * 1000)
        var name: String
    }

    // "  <idle>-0       [000] d.h1.   149.027939: tlb_flush: ..."
    static let defaultLine = try! NSRegularExpression(
        pattern: #"^.*-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d+)\]\s+(\S{4,5})\s+(\d+)\.(\d{6}):\s+(\w+):"#)
    // "  <idle>-0         0d.h1. 39125us+: tlb_flush: ..."
    static let latencyLine = try! NSRegularExpression(
        pattern: #"^.*-(\d+)\s+(\d+)(\S{4,5})\s+(\d+)us.:\s+(\w+):"#)

    static func parse(_ line: String) -> Line? {
        let ns = line as NSString
        let range = NSRange(location: 0, length: ns.length)
        func g(_ m: NSTextCheckingResult, _ i: Int) -> String { ns.substring(with: m.range(at: i)) }
        if let m = defaultLine.firstMatch(in: line, range: range) {
            return Line(pid: Int32(g(m, 1))!, cpu: Int(g(m, 2))!, flags: g(m, 3),
                        time: UInt64(g(m, 4))! * 1_000_000_000 + UInt64(g(m, 5))! * 1000, name: g(m, 6))
        }
        if let m = latencyLine.firstMatch(in: line, range: range) {
            return Line(pid: Int32(g(m, 1))!, cpu: Int(g(m, 2))!, flags: g(m, 3),
                        time: UInt64(g(m, 4))! * 1000, name: g(m, 5))
        }
        return nil
    }

    /// The kernel's trace_print_lat_fmt (Linux 6.1), as a reference.
    static func render(_ c: ExecutionContext, width: Int) -> String {
        let f = c.flags
        let irq: Character = f.contains(.irqsOff) && f.contains(.bhOff) ? "D"
            : f.contains(.irqsOff) ? "d" : f.contains(.bhOff) ? "b" : "."
        let resched: Character = f.isSuperset(of: [.needResched, .preemptResched]) ? "N"
            : f.contains(.needResched) ? "n" : f.contains(.preemptResched) ? "p" : "."
        let hs: Character = f.isSuperset(of: [.nmi, .hardirq]) ? "Z" : f.contains(.nmi) ? "z"
            : f.isSuperset(of: [.hardirq, .softirq]) ? "H" : f.contains(.hardirq) ? "h"
            : f.contains(.softirq) ? "s" : "."
        func nib(_ v: UInt8) -> String { v == 0 ? "." : String(v, radix: 16) }
        var s = "\(irq)\(resched)\(hs)" + nib(c.preemptCount & 0xf)
        if width == 5 { s += nib(c.preemptCount >> 4) }
        return s
    }

    private func tracefsFiles() -> [URL] {
        let files = Fixtures.texts(named: "trace.txt") + Fixtures.texts(named: "trace-latency.txt")
        if files.isEmpty { XCTFail("no tracefs text fixtures (trace.txt / trace-latency.txt)") }
        return files
    }

    func testFlagsDepthAndCountsMatchTheText() throws {
        var checked = 0
        for url in tracefsFiles() {
            let reader = try TextTraceReader(path: url.path)
            XCTAssertEqual(reader.info.format, .ftraceText, url.path)
            let text = try String(contentsOf: url, encoding: .utf8)
            let contentLines = text.split(separator: "\n", omittingEmptySubsequences: true)
                .map(String.init).filter { !$0.hasPrefix("#") }
            var index = 0
            var perName: [String: Int] = [:]
            while let item = try reader.next() {
                guard case .event(let e) = item else { continue }
                guard index < contentLines.count else { XCTFail("\(url.path): more events than lines"); break }
                let raw = contentLines[index]
                index += 1
                guard let line = Self.parse(raw) else { XCTFail("\(url.path): reference regex failed: \(raw)"); continue }
                perName[e.name, default: 0] += 1
                XCTAssertTrue(e.context.isKnown, raw)
                XCTAssertEqual(Self.render(e.context, width: line.flags.count), line.flags, raw)
                XCTAssertEqual(e.context.preemptDepth, Int(String(line.flags[line.flags.index(line.flags.startIndex, offsetBy: 3)]), radix: 16) ?? 0, raw)
                XCTAssertEqual(e.pid, line.pid, raw)
                XCTAssertEqual(e.cpu, line.cpu, raw)
                XCTAssertEqual(e.name, line.name, raw)
                XCTAssertEqual(e.timestamp, line.time, raw)
                checked += 1
            }
            XCTAssertEqual(index, contentLines.count, "\(url.path): events vs lines")
            XCTAssertTrue(reader.damage.isEmpty, "\(url.path): \(reader.damage.samples)")
            // "# entries-in-buffer/entries-written: 4064/4064" and the
            // latency header's "#4064/4064" say how many entries there are.
            if let n = Self.entriesInBuffer(text) {
                XCTAssertEqual(perName.values.reduce(0, +), n, "\(url.path): entries-in-buffer")
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    static func entriesInBuffer(_ text: String) -> Int? {
        let re = try! NSRegularExpression(pattern: #"^# (?:entries-in-buffer/entries-written: |latency: .*, #)(\d+)/\d+"#,
                                          options: .anchorsMatchLines)
        let ns = text as NSString
        guard let m = re.firstMatch(in: text, range: NSRange(location: 0, length: min(ns.length, 4096))) else { return nil }
        return Int(ns.substring(with: m.range(at: 1)))
    }

    /// trace.txt and the capture's trace.dat hold the same buffer.
    func testDefaultTextMatchesTraceDat() throws {
        var compared = 0
        for url in Fixtures.texts(named: "trace.txt") {
            let dat = url.deletingLastPathComponent().appendingPathComponent("trace.dat")
            guard FileManager.default.fileExists(atPath: dat.path) else { continue }
            let datReader = try TraceDatReader(path: dat.path)
            let textReader = try TextTraceReader(path: url.path)
            var cmp = StreamComparison(variant: .tracefs)
            try cmp.run(dat: datReader, text: textReader)
            XCTAssertGreaterThan(cmp.events, 0, url.path)
            XCTAssertEqual(cmp.mismatches, 0, "\(url.path): \(cmp.samples.joined(separator: "\n"))")
            compared += 1
        }
        XCTAssertGreaterThan(compared, 0, "no tracefs trace.txt next to a trace.dat")
    }
}
