import Foundation
import XCTest
@testable import TraceInput

/// The function_graph tracer's own tracefs text (tracefs-graph-bug0):
/// `trace-graph.txt` with the default columns (CPU, duration, `=>` task
/// switches) and `trace-graph-proc.txt.gz` with funcgraph-proc,
/// funcgraph-abstime and latency-format. Both are read back into the
/// records trace-cmd extract saved from the same buffer (trace.dat).
final class TracefsGraphTests: XCTestCase {
    struct Pair {
        var text: URL
        var dat: URL
    }

    private func pairs(_ name: String) -> [Pair] {
        let found = Fixtures.texts(named: name).compactMap { url -> Pair? in
            let dat = url.deletingLastPathComponent().appendingPathComponent("trace.dat")
            return FileManager.default.fileExists(atPath: dat.path) ? Pair(text: url, dat: dat) : nil
        }
        if found.isEmpty { XCTFail("no \(name) next to a trace.dat") }
        return found
    }

    /// Records per CPU, in order.
    private func perCPU(_ reader: TraceReader) throws -> [Int: [TraceEvent]] {
        var out: [Int: [TraceEvent]] = [:]
        while let item = try reader.next() {
            if case .event(let e) = item { out[e.cpu, default: []].append(e) }
        }
        return out
    }

    private func function(_ e: TraceEvent, _ dat: TraceDatReader) -> String? {
        guard let v = e.fields["func"] else { return nil }
        if case .string(let s) = v { return s }
        return v.uint64.flatMap { dat.symbolize($0) }.map { FunctionFields.symbol($0) }
    }

    /// Same records, CPU by CPU: entry/exit, function, depth; and what the
    /// columns show (task, time, flags) where the file has them.
    private func compare(_ pair: Pair, proc: Bool) throws -> (events: Int, knownTasks: Int) {
        let dat = try TraceDatReader(path: pair.dat.path)
        let text = try TextTraceReader(path: pair.text.path)
        let d = try perCPU(dat), t = try perCPU(text)
        XCTAssertTrue(text.damage.isEmpty, "\(pair.text.path): \(text.damage.samples)")
        XCTAssertEqual(Set(d.keys), Set(t.keys), pair.text.path)
        var events = 0, knownTasks = 0, failures = 0
        for (cpu, records) in d {
            let lines = t[cpu] ?? []
            XCTAssertEqual(records.count, lines.count, "\(pair.text.path) cpu \(cpu)")
            for (r, e) in zip(records, lines) where failures < 10 {
                events += 1
                let at = "\(pair.text.path) cpu \(cpu) record \(r.name)@\(r.timestamp)"
                func check(_ ok: Bool, _ what: String) {
                    if !ok { failures += 1; XCTFail("\(at): \(what)") }
                }
                check(r.name == e.name, "name \(e.name)")
                check(r.fields["depth"]?.int64 == e.fields["depth"]?.int64, "depth \(String(describing: e.fields["depth"]))")
                if let f = function(e, dat) { check(function(r, dat) == f, "func \(f)") }
                // A leaf line ("func();") folds the exit record: its time
                // and flags were not printed.
                let folded = e.name == "funcgraph_exit" && !e.context.isKnown
                if e.pid >= 0 {
                    knownTasks += 1
                    check(r.pid == e.pid, "pid \(e.pid)")
                    // print_graph_proc cuts the comm to 7 characters.
                    check(String(r.comm.prefix(7)) == e.comm, "comm \(e.comm)")
                }
                if proc && !folded {
                    // funcgraph-abstime prints the time cut (not rounded) to µs.
                    check(r.timestamp / 1000 == e.timestamp / 1000, "time \(e.timestamp)")
                    check(e.context.isKnown && r.context.preemptDepth == e.context.preemptDepth
                          && r.context.flags.intersection(Self.shown) == e.context.flags, "context \(e.context)")
                }
            }
        }
        return (events, knownTasks)
    }

    /// The flags the kernel's latency columns show (trace_print_lat_fmt).
    static let shown: ContextFlags = [.irqsOff, .bhOff, .needResched, .preemptResched, .hardirq, .softirq, .nmi]

    func testDefaultColumnsMatchTraceDat() throws {
        for pair in pairs("trace-graph.txt") {
            let (events, knownTasks) = try compare(pair, proc: false)
            XCTAssertGreaterThan(events, 0)
            // Without funcgraph-proc only the "=>" task-switch markers say
            // who runs: from the first marker on a CPU on, every line has a task.
            XCTAssertGreaterThan(knownTasks, 0, pair.text.path)
            XCTAssertLessThan(knownTasks, events, pair.text.path)
        }
    }

    func testProcAbstimeLatencyColumnsMatchTraceDat() throws {
        for pair in pairs("trace-graph-proc.txt") {
            let (events, knownTasks) = try compare(pair, proc: true)
            XCTAssertGreaterThan(events, 0)
            XCTAssertEqual(knownTasks, events, "funcgraph-proc names the task of every line")
        }
    }

    /// One " N)  comm-pid  =>  comm-pid" marker per task change on a CPU
    /// (verif_pid in kernel/trace/trace_functions_graph.c), and the
    /// latency header's "#N/N" counts the records.
    func testTaskSwitchMarkersAndEntryCount() throws {
        for name in ["trace-graph.txt", "trace-graph-proc.txt"] {
            for pair in pairs(name) {
                let text = try Fixtures.contents(pair.text)
                let markers = text.split(separator: "\n").filter { $0.contains(" => ") && !$0.hasPrefix("#") }
                let d = try perCPU(TraceDatReader(path: pair.dat.path))
                var changes = 0
                for records in d.values {
                    changes += zip(records, records.dropFirst()).filter { $0.pid != $1.pid }.count
                }
                XCTAssertEqual(markers.count, changes, pair.text.path)
                XCTAssertGreaterThan(markers.count, 0, pair.text.path)
                if let n = TracefsTextTests.entriesInBuffer(text) {
                    XCTAssertEqual(n, d.values.map(\.count).reduce(0, +), pair.text.path)
                }
            }
        }
    }
}
