import Foundation
import XCTest
@testable import TraceInput

/// tracefs `trace` and trace_pipe text (nop and function tracers; default
/// columns, options/latency-format, the TGID column, irq-info off; plain
/// and gzip'd): the flags and preempt depth of every event, rendered back
/// the way the kernel prints them, equal the text's own columns; CPU, pid,
/// TGID, name, time and the function tracer's func/parent equal the line's;
/// the counts equal the file's lines, its entries-in-buffer header and its
/// LOST lines. Against the capture's trace.dat (the same buffer saved with
/// trace-cmd extract) the text gives the same events.
final class TracefsTextTests: XCTestCase {
    /// What an independent, regex-based reading of one line says.
    struct Line {
        var pid: Int32
        /// The TGID column: a number, "-------" (not recorded), or absent.
        var tgid: String?
        var cpu: Int
        /// nil with options/irq-info off.
        var flags: String?
        var time: UInt64      // ns as printed (µs * 1000)
        var name: String
        /// The function tracer's "func <-parent".
        var function: (String, String)?
    }

    // "  <idle>-0       [000] d.h1.   149.027939: tlb_flush: ..."
    // "  init-1    (      1) [001] .....    15.936542: copy_page_range <-dup_mmap"
    // "  init-1       [001]     15.936542: copy_page_range <-dup_mmap" (irq-info off)
    static let defaultLine = try! NSRegularExpression(
        pattern: #"^.*-(\d+)\s+(?:\(\s*([-\d]+)\)\s+)?\[(\d+)\]\s+(?:(\S{4,5}|\S{7})\s+)?(\d+)\.(\d{6}):\s+(?:(\w+):|(\S+) <-(\S+)$)"#)
    // "  <idle>-0         0d.h1. 39125us+: tlb_flush: ..."
    static let latencyLine = try! NSRegularExpression(
        pattern: #"^.*-(\d+)\s+(\d+)(\S{4,5}|\S{7})\s+(\d+)us.:\s+(\w+):"#)
    // "CPU:0 [LOST 232 EVENTS]"
    static let lostLine = try! NSRegularExpression(pattern: #"^CPU:(\d+) \[LOST (\d+) EVENTS\]$"#)

    static func parse(_ line: String) -> Line? {
        let ns = line as NSString
        let range = NSRange(location: 0, length: ns.length)
        func g(_ m: NSTextCheckingResult, _ i: Int) -> String? {
            m.range(at: i).location == NSNotFound ? nil : ns.substring(with: m.range(at: i))
        }
        if let m = defaultLine.firstMatch(in: line, range: range) {
            let function = g(m, 8).map { ($0, g(m, 9)!) }
            return Line(pid: Int32(g(m, 1)!)!, tgid: g(m, 2), cpu: Int(g(m, 3)!)!, flags: g(m, 4),
                        time: UInt64(g(m, 5)!)! * 1_000_000_000 + UInt64(g(m, 6)!)! * 1000,
                        name: g(m, 7) ?? "function", function: function)
        }
        if let m = latencyLine.firstMatch(in: line, range: range) {
            return Line(pid: Int32(g(m, 1)!)!, cpu: Int(g(m, 2)!)!, flags: g(m, 3),
                        time: UInt64(g(m, 4)!)! * 1000, name: g(m, 5)!)
        }
        return nil
    }

    static func lost(_ line: String) -> EventsLost? {
        let ns = line as NSString
        guard let m = lostLine.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) else { return nil }
        return EventsLost(cpu: Int(ns.substring(with: m.range(at: 1)))!, timestamp: 0,
                          count: Int(ns.substring(with: m.range(at: 2)))!)
    }

    /// The kernel's trace_print_lat_fmt (Linux 6.1), as a reference.
    /// `printed`: the line's own columns, for the one the context does not
    /// hold (PREEMPT_RT's preempt-lazy depth).
    static func render(_ c: ExecutionContext, width: Int, printed: String = "") -> String {
        let f = c.flags
        func nib(_ v: UInt8) -> String { v == 0 ? "." : String(v, radix: 16) }
        if width == 7 {
            // 6.1-rt: irqs, need-resched, need-resched-lazy (bit 0x20 there),
            // hard/soft irq, depth, lazy depth, migrate-disable.
            let irq = f.contains(.irqsOff) && f.contains(.bhOff) ? "D" : f.contains(.irqsOff) ? "d"
                : f.contains(.bhOff) ? "b" : "."
            let hs = f.isSuperset(of: [.hardirq, .softirq]) ? "H" : f.contains(.hardirq) ? "h"
                : f.contains(.softirq) ? "s" : "."
            let lazyDepth = printed.count == 7 ? String(Array(printed)[5]) : "."
            return irq + (f.contains(.needResched) ? "n" : ".") + (f.contains(.preemptResched) ? "L" : ".") + hs
                + nib(c.preemptCount & 0xf) + lazyDepth + nib(c.preemptCount >> 4)
        }
        let irq: Character = f.contains(.irqsOff) && f.contains(.bhOff) ? "D"
            : f.contains(.irqsOff) ? "d" : f.contains(.bhOff) ? "b" : "."
        let resched: Character = f.isSuperset(of: [.needResched, .preemptResched]) ? "N"
            : f.contains(.needResched) ? "n" : f.contains(.preemptResched) ? "p" : "."
        let hs: Character = f.isSuperset(of: [.nmi, .hardirq]) ? "Z" : f.contains(.nmi) ? "z"
            : f.isSuperset(of: [.hardirq, .softirq]) ? "H" : f.contains(.hardirq) ? "h"
            : f.contains(.softirq) ? "s" : "."
        var s = "\(irq)\(resched)\(hs)" + nib(c.preemptCount & 0xf)
        if width == 5 { s += nib(c.preemptCount >> 4) }
        return s
    }

    private func tracefsFiles() -> [URL] {
        let files = Fixtures.tracefsEventTexts.flatMap { Fixtures.texts(named: $0) }
        if files.isEmpty { XCTFail("no tracefs text fixtures (\(Fixtures.tracefsEventTexts))") }
        return files
    }

    func testFlagsDepthAndCountsMatchTheText() throws {
        var checked = 0
        var shapes = Set<String>()
        for url in tracefsFiles() {
            let reader = try TextTraceReader(path: url.path)
            XCTAssertEqual(reader.info.format, .ftraceText, url.path)
            XCTAssertEqual(reader.info.compression, url.pathExtension == "gz" ? "gzip" : "none", url.path)
            let text = try Fixtures.contents(url)
            var contentLines: [String] = [], lostLines: [EventsLost] = []
            for l in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            where !l.hasPrefix("#") {
                if let lost = Self.lost(l) { lostLines.append(lost) } else { contentLines.append(l) }
            }
            var index = 0
            var perName: [String: Int] = [:]
            var lostItems: [EventsLost] = []
            while let item = try reader.next() {
                guard case .event(let e) = item else {
                    if case .lost(let l) = item { lostItems.append(l) }
                    continue
                }
                guard index < contentLines.count else { XCTFail("\(url.path): more events than lines"); break }
                let raw = contentLines[index]
                index += 1
                guard let line = Self.parse(raw) else { XCTFail("\(url.path): reference regex failed: \(raw)"); continue }
                perName[e.name, default: 0] += 1
                if let flags = line.flags {
                    XCTAssertTrue(e.context.isKnown, raw)
                    XCTAssertEqual(Self.render(e.context, width: flags.count, printed: flags), flags, raw)
                    XCTAssertEqual(e.context.preemptDepth,
                                   Int(String(flags[flags.index(flags.startIndex, offsetBy: flags.count == 7 ? 4 : 3)]),
                                       radix: 16) ?? 0, raw)
                    shapes.insert("flags\(flags.count)")
                } else {
                    XCTAssertFalse(e.context.isKnown, "no latency columns, yet a context: \(raw)")
                    shapes.insert("no flags")
                }
                if let tgid = line.tgid {
                    let b = Array(raw.utf8)
                    let head = try XCTUnwrap(EventLine.parseHead(b, 0..<b.count), raw)
                    XCTAssertEqual(head.tgid, Int32(tgid), raw)
                    shapes.insert(Int32(tgid) == nil ? "tgid unknown" : "tgid")
                }
                if let (function, parent) = line.function {
                    XCTAssertEqual(e.system, "ftrace", raw)
                    XCTAssertEqual(e.fields["ip"], .string(function), raw)
                    XCTAssertEqual(e.fields["parent_ip"], .string(parent), raw)
                    shapes.insert("function")
                }
                XCTAssertEqual(e.pid, line.pid, raw)
                XCTAssertEqual(e.cpu, line.cpu, raw)
                XCTAssertEqual(e.name, line.name, raw)
                XCTAssertEqual(e.timestamp, line.time, raw)
                checked += 1
            }
            XCTAssertEqual(index, contentLines.count, "\(url.path): events vs lines")
            XCTAssertTrue(reader.damage.isEmpty, "\(url.path): \(reader.damage.samples)")
            // "CPU:0 [LOST 232 EVENTS]": one lost item each, its CPU and count.
            XCTAssertEqual(lostItems.map { [$0.cpu, $0.count ?? -1] }, lostLines.map { [$0.cpu, $0.count ?? -1] },
                           url.path)
            if !lostLines.isEmpty { shapes.insert("lost") }
            // "# entries-in-buffer/entries-written: 4064/4064" and the
            // latency header's "#4064/4064" say how many entries there are.
            if let n = Self.entriesInBuffer(text) {
                XCTAssertEqual(perName.values.reduce(0, +), n, "\(url.path): entries-in-buffer")
                shapes.insert("entries header")
            }
        }
        XCTAssertGreaterThan(checked, 0)
        // Every variant the captures are there for was seen.
        XCTAssertEqual(shapes, ["flags5", "flags7", "no flags", "tgid", "tgid unknown", "function", "lost",
                                "entries header"])
    }

    static func entriesInBuffer(_ text: String) -> Int? {
        let re = try! NSRegularExpression(pattern: #"^# (?:entries-in-buffer/entries-written: |latency: .*, #)(\d+)/\d+"#,
                                          options: .anchorsMatchLines)
        let ns = text as NSString
        guard let m = re.firstMatch(in: text, range: NSRange(location: 0, length: min(ns.length, 4096))) else { return nil }
        return Int(ns.substring(with: m.range(at: 1)))
    }

    /// trace.txt (also with the TGID column, or irq-info off) and the
    /// capture's trace.dat hold the same buffer. (trace-latency.txt prints
    /// times relative to an unprinted start, so it is not compared.)
    func testTextMatchesTraceDat() throws {
        var compared: Set<String> = []
        for name in ["trace.txt", "trace-tgid.txt", "trace-noirqinfo.txt"] {
            for url in Fixtures.texts(named: name) {
                let dat = url.deletingLastPathComponent().appendingPathComponent("trace.dat")
                guard FileManager.default.fileExists(atPath: dat.path) else { continue }
                let datReader = try TraceDatReader(path: dat.path)
                let textReader = try TextTraceReader(path: url.path)
                var cmp = StreamComparison(variant: name == "trace-noirqinfo.txt" ? .tracefsNoIrqInfo : .tracefs)
                try cmp.run(dat: datReader, text: textReader)
                XCTAssertGreaterThan(cmp.events, 0, url.path)
                XCTAssertGreaterThan(cmp.fieldsCompared, cmp.events, url.path)
                XCTAssertEqual(cmp.mismatches, 0, "\(url.path): \(cmp.samples.joined(separator: "\n"))")
                compared.insert(name)
            }
        }
        XCTAssertEqual(compared.count, 3, "tracefs text next to a trace.dat: only \(compared)")
    }

    /// trace_pipe consumed the buffer `trace` had just shown (tracefs-lost):
    /// the same events, and the LOST lines account for every overwritten
    /// entry: entries-written minus entries-in-buffer of trace.txt, and the
    /// ring buffer's own per-CPU overrun counter (cpu-stats.txt).
    func testTracePipeIsTheTraceFileWithItsLostEvents() throws {
        let pipes = Fixtures.texts(named: "trace-pipe.txt")
        XCTAssertFalse(pipes.isEmpty, "no trace-pipe.txt fixture")
        for pipe in pipes {
            let dir = pipe.deletingLastPathComponent()
            let traceURL = dir.appendingPathComponent("trace.txt")
            let pipeReader = try TextTraceReader(path: pipe.path)
            let traceReader = try TextTraceReader(path: traceURL.path)
            var lost: [Int: Int] = [:]
            var events = 0
            while let p = try pipeReader.next() {
                if case .lost(let l) = p {
                    lost[l.cpu, default: 0] += l.count ?? 0
                    continue
                }
                guard case .event(let e) = p else { continue }
                var t = try traceReader.next()
                while case .lost? = t { t = try traceReader.next() }
                guard case .event(let f)? = t else { XCTFail("\(pipe.path): trace.txt ends first"); break }
                XCTAssertEqual([e.timestamp, UInt64(e.cpu), UInt64(e.pid)], [f.timestamp, UInt64(f.cpu), UInt64(f.pid)])
                XCTAssertEqual(e.name, f.name)
                XCTAssertEqual(e.context, f.context)
                XCTAssertEqual(e.fields.names, f.fields.names)
                events += 1
            }
            XCTAssertNil(try traceReader.next(), "\(pipe.path): trace.txt has more events")
            XCTAssertGreaterThan(events, 0)
            let header = try Fixtures.contents(traceURL)
            let inBuffer = try XCTUnwrap(Self.entriesInBuffer(header))
            let written = try XCTUnwrap(Self.entriesWritten(header))
            XCTAssertEqual(events, inBuffer, pipe.path)
            XCTAssertGreaterThan(written, inBuffer, "\(traceURL.path): nothing was overwritten")
            XCTAssertEqual(lost.values.reduce(0, +), written - inBuffer, pipe.path)
            let stats = try String(contentsOf: dir.appendingPathComponent("cpu-stats.txt"), encoding: .utf8)
            XCTAssertEqual(lost.filter { $0.value > 0 }, Self.overruns(stats).filter { $0.value > 0 }, pipe.path)
        }
    }

    static func entriesWritten(_ text: String) -> Int? {
        guard let r = text.range(of: #"(?m)^# entries-in-buffer/entries-written: \d+/(\d+)"#, options: .regularExpression)
        else { return nil }
        return Int(text[r].split(separator: "/").last!)
    }

    /// per_cpu/cpuN/stats as the guest saved them: "cpu0:" then "overrun: 235".
    static func overruns(_ stats: String) -> [Int: Int] {
        var out: [Int: Int] = [:], cpu: Int?
        for line in stats.split(separator: "\n") {
            if line.hasPrefix("cpu"), line.hasSuffix(":") { cpu = Int(line.dropFirst(3).dropLast()) }
            if let c = cpu, line.hasPrefix("overrun: ") { out[c] = Int(line.dropFirst(9)) }
        }
        return out
    }
}
