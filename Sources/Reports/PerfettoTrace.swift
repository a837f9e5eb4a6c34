import TraceInput
import TraceModel
import Checks

/// The Chrome trace-event JSON that ui.perfetto.dev and chrome://tracing
/// open, written as it goes (nothing of the trace is kept): one process per
/// CPU with a thread for its task slices, one per span kind and one for the
/// raw events; violations are global instant markers. Times are
/// microseconds, as the format wants, with nanosecond decimals.
public final class PerfettoTrace {
    private let write: (String) -> Void
    private var first = true
    private var cpus: Set<Int> = []

    /// Thread ids within a CPU's process.
    static let tasksThread = 1
    static func spanThread(_ k: SpanKind) -> Int { 2 + SpanKind.allCases.firstIndex(of: k)! }
    static let eventsThread = 2 + SpanKind.allCases.count

    public init(write: @escaping (String) -> Void) {
        self.write = write
        write("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n")
    }

    public func event(_ e: TraceEvent, functions: FunctionNames) {
        let ev = EvidenceEvent(e, functions: functions)
        emit(.object([("name", .string(ev.event)), ("cat", "event"), ("ph", "i"), ("s", "t"),
                      ("ts", ts(e.timestamp)), ("pid", .int(Int64(e.cpu))), ("tid", .int(Int64(Self.eventsThread))),
                      ("args", .object([("task", .string("\(e.comm)-\(e.pid)")), ("fields", .string(ev.text))]))]),
             cpu: e.cpu)
    }

    public func item(_ item: TimelineItem) {
        switch item {
        case .slice(let s):
            guard !s.isIdle else { return }
            emit(complete(name: "\(s.comm)-\(s.pid)", cat: "task", start: s.start, end: s.end, cpu: s.cpu,
                          tid: Self.tasksThread, args: [("pid", .int(Int64(s.pid))), ("comm", .string(s.comm))]), cpu: s.cpu)
        case .span(let s):
            emit(complete(name: s.label, cat: s.kind.rawValue, start: s.start, end: s.end, cpu: s.cpu,
                          tid: Self.spanThread(s.kind),
                          args: [("pid", .int(Int64(s.pid))), ("open_at_end", .bool(s.openAtEnd))]), cpu: s.cpu)
        case .mark(let m):
            emit(.object([("name", .string(m.label)), ("cat", "sleep"), ("ph", "i"), ("s", "t"), ("ts", ts(m.timestamp)),
                          ("pid", .int(Int64(m.cpu))), ("tid", .int(Int64(Self.tasksThread)))]), cpu: m.cpu)
        }
    }

    public func violation(_ v: Violation) {
        emit(.object([("name", .string("\(v.rule): \(v.message)")), ("cat", "violation"), ("ph", "i"), ("s", "g"),
                      ("ts", ts(v.timestamp)), ("pid", .int(Int64(v.cpu))), ("tid", .int(Int64(Self.tasksThread))),
                      ("args", .object([("rule", .string(v.rule)), ("severity", .string(v.severity.rawValue)),
                                        ("signature", .string(v.signature)), ("task", .string("\(v.comm)-\(v.pid)"))]))]),
             cpu: v.cpu)
    }

    /// Names the processes and threads, closes the document.
    public func finish() {
        for cpu in cpus.sorted() {
            emit(meta("process_name", cpu: cpu, tid: 0, name: "CPU \(cpu)"), cpu: cpu)
            emit(.object([("name", "process_sort_index"), ("ph", "M"), ("pid", .int(Int64(cpu))), ("tid", 0),
                          ("args", .object([("sort_index", .int(Int64(cpu)))]))]), cpu: cpu)
            emit(meta("thread_name", cpu: cpu, tid: Self.tasksThread, name: "tasks"), cpu: cpu)
            for k in SpanKind.allCases { emit(meta("thread_name", cpu: cpu, tid: Self.spanThread(k), name: k.rawValue), cpu: cpu) }
            emit(meta("thread_name", cpu: cpu, tid: Self.eventsThread, name: "events"), cpu: cpu)
        }
        write("\n]}\n")
    }

    private func meta(_ kind: String, cpu: Int, tid: Int, name: String) -> JSONValue {
        .object([("name", .string(kind)), ("ph", "M"), ("pid", .int(Int64(cpu))), ("tid", .int(Int64(tid))),
                 ("args", .object([("name", .string(name))]))])
    }

    private func complete(name: String, cat: String, start: UInt64, end: UInt64, cpu: Int, tid: Int,
                          args: [(String, JSONValue)]) -> JSONValue {
        .object([("name", .string(name)), ("cat", .string(cat)), ("ph", "X"), ("ts", ts(start)),
                 ("dur", ts(max(start, end) - start)), ("pid", .int(Int64(cpu))), ("tid", .int(Int64(tid))),
                 ("args", .object(args))])
    }

    /// Nanoseconds as microseconds with three decimals, exactly.
    private func ts(_ ns: UInt64) -> JSONValue {
        let frac = String(ns % 1000)
        return .double(Double("\(ns / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)")!)
    }

    private func emit(_ v: JSONValue, cpu: Int) {
        cpus.insert(cpu)
        write((first ? "" : ",\n") + v.serialized())
        first = false
    }
}
