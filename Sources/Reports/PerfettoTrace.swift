import TraceInput
import TraceModel
import Checks

/// The Chrome trace-event JSON that ui.perfetto.dev and chrome://tracing
/// open (the "Trace Event Format" document), written line by line as the
/// trace is read: nothing of the trace is kept, no document is built.
///
/// One process per CPU. Its thread 1 holds the task slices: complete ("X")
/// events that follow each other (sched_switch ends one as it starts the
/// next), so they cannot overlap. Spans (invalidate ranges, tlb gathers,
/// lock holds and waits) may partly overlap on one CPU (a lock released
/// before the one taken after it, a task preempted inside a range), which
/// complete events on one thread cannot say: each is an async slice ("b" /
/// "e") with an id of its own, which the viewer lays out on as many rows as
/// needed. Raw events are instants on thread `eventsThread`; violations are
/// global instants named by their rule, the details in `args`. Times are
/// microseconds, as the format wants, with nanosecond decimals.
public final class PerfettoTrace {
    private let write: (String) -> Void
    private var cpus: Set<Int> = []
    private var first = true
    private var nextID: UInt64 = 1
    /// Where each CPU's last task slice ended: a slice never starts before.
    private var taskEnd: [Int: UInt64] = [:]
    /// Event names made once per kind ("system:name", quoted).
    private var names: [EventKey: String] = [:]

    static let tasksThread = 1
    static let eventsThread = 2

    public init(write: @escaping (String) -> Void) {
        self.write = write
        write("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n")
    }

    public func event(_ e: TraceEvent, functions: FunctionNames) {
        let key = EventKey(e.system, e.name)
        let name = names[key] ?? {
            var q = ""
            JSONValue.quote(e.system + ":" + e.name, into: &q)
            names[key] = q
            return q
        }()
        var line = "{\"name\":" + name + ",\"ph\":\"i\",\"ts\":" + Self.ts(e.timestamp)
        line += ",\"pid\":\(e.cpu),\"tid\":\(Self.eventsThread),\"args\":{\"task\":"
        JSONValue.quote("\(e.comm)-\(e.pid)", into: &line)
        line += ",\"fields\":"
        JSONValue.quote(EvidenceEvent(e, functions: functions).text, into: &line)
        emit(line + "}}", cpu: e.cpu)
    }

    public func item(_ item: TimelineItem) {
        switch item {
        case .slice(let s):
            guard !s.isIdle else { return }
            // Valid by construction: never before the CPU's previous slice ended.
            let start = max(s.start, taskEnd[s.cpu] ?? 0), end = max(start, s.end)
            taskEnd[s.cpu] = end
            var line = "{\"name\":"
            JSONValue.quote("\(s.comm)-\(s.pid)", into: &line)
            line += ",\"cat\":\"task\",\"ph\":\"X\",\"ts\":" + Self.ts(start) + ",\"dur\":" + Self.ts(end - start)
                + ",\"pid\":\(s.cpu),\"tid\":\(Self.tasksThread),\"args\":{\"pid\":\(s.pid),\"comm\":"
            JSONValue.quote(s.comm, into: &line)
            emit(line + "}}", cpu: s.cpu)
        case .span(let s):
            var args = "{\"label\":"
            JSONValue.quote(s.label, into: &args)
            args += ",\"pid\":\(s.pid),\"open_at_end\":\(s.openAtEnd)}"
            asyncSlice(name: s.kind.rawValue, cat: Self.category(s.kind), start: s.start, end: s.end, cpu: s.cpu,
                       args: args)
        case .mark(let m):
            var line = "{\"name\":\"sleep\",\"cat\":\"sleep\",\"ph\":\"i\",\"ts\":" + Self.ts(m.timestamp)
                + ",\"pid\":\(m.cpu),\"tid\":\(Self.tasksThread),\"args\":{\"what\":"
            JSONValue.quote(m.label, into: &line)
            emit(line + "}}", cpu: m.cpu)
        }
    }

    /// A violation reported in full: its rule as the name, the rest in args.
    public func violation(_ v: Violation) {
        var args = "{\"severity\":\"\(v.severity.rawValue)\",\"message\":"
        JSONValue.quote(v.message, into: &args)
        args += ",\"task\":"
        JSONValue.quote("\(v.comm)-\(v.pid)", into: &args)
        args += ",\"signature\":"
        JSONValue.quote(v.signature, into: &args)
        args += ",\"evidence\":"
        JSONValue.quote(v.evidence.map { "\($0.timestamp) \($0.event) \($0.text)" }.joined(separator: "\n"), into: &args)
        globalInstant(rule: v.rule, at: v.timestamp, cpu: v.cpu, args: args + "}")
    }

    /// Occurrences folded into a count: the analysis keeps the earliest
    /// timestamps (`FoldedViolations.sampleLimit`) and the last; each is an
    /// instant, and a slice from the first to the last says how many there
    /// were in all. `cpu` places them (the CPU of an example kept in full).
    public func folded(_ f: FoldedViolations, cpu: Int) {
        var args = "{\"severity\":\"\(f.severity.rawValue)\",\"folded\":true,\"occurrences\":\(f.count),\"signature\":"
        JSONValue.quote(f.signature, into: &args)
        args += "}"
        var times = f.sampleTimestamps
        if !times.contains(f.lastTimestamp) { times.append(f.lastTimestamp) }
        for t in times { globalInstant(rule: f.rule, at: t, cpu: cpu, args: args) }
        asyncSlice(name: "\(f.rule) ×\(f.count) (folded)", cat: "violation", start: f.firstTimestamp,
                   end: f.lastTimestamp, cpu: cpu, args: args)
    }

    /// Names the processes and threads, closes the document.
    public func finish() {
        for cpu in cpus.sorted() {
            emit(meta("process_name", cpu: cpu, tid: 0, args: "{\"name\":\"CPU \(cpu)\"}"), cpu: cpu)
            emit(meta("process_sort_index", cpu: cpu, tid: 0, args: "{\"sort_index\":\(cpu)}"), cpu: cpu)
            emit(meta("thread_name", cpu: cpu, tid: Self.tasksThread, args: "{\"name\":\"tasks\"}"), cpu: cpu)
            emit(meta("thread_name", cpu: cpu, tid: Self.eventsThread, args: "{\"name\":\"events\"}"), cpu: cpu)
        }
        write("\n]}\n")
    }

    /// The short category of a span kind (its name is the kind's words).
    static func category(_ k: SpanKind) -> String {
        switch k {
        case .invalidation: return "invalidate"
        case .tlbGather: return "tlb"
        case .lockHold: return "lock"
        case .lockWait: return "lockwait"
        }
    }

    private func asyncSlice(name: String, cat: String, start: UInt64, end: UInt64, cpu: Int, args: String) {
        let id = nextID
        nextID += 1
        var head = "{\"name\":"
        JSONValue.quote(name, into: &head)
        head += ",\"cat\":\"\(cat)\",\"id\":\"0x\(String(id, radix: 16))\",\"pid\":\(cpu),\"tid\":\(Self.tasksThread)"
        emit(head + ",\"ph\":\"b\",\"ts\":" + Self.ts(start) + ",\"args\":" + args + "},\n"
             + head + ",\"ph\":\"e\",\"ts\":" + Self.ts(max(start, end)) + "}", cpu: cpu)
    }

    private func globalInstant(rule: String, at t: UInt64, cpu: Int, args: String) {
        var line = "{\"name\":"
        JSONValue.quote(rule, into: &line)
        line += ",\"cat\":\"violation\",\"ph\":\"i\",\"s\":\"g\",\"ts\":" + Self.ts(t)
            + ",\"pid\":\(cpu),\"tid\":\(Self.tasksThread),\"args\":" + args
        emit(line + "}", cpu: cpu)
    }

    private func meta(_ kind: String, cpu: Int, tid: Int, args: String) -> String {
        "{\"name\":\"\(kind)\",\"ph\":\"M\",\"pid\":\(cpu),\"tid\":\(tid),\"args\":\(args)}"
    }

    /// Nanoseconds as microseconds with three decimals, exactly (no
    /// floating point on the way: a Double would round late timestamps).
    static func ts(_ ns: UInt64) -> String {
        let frac = ns % 1000
        let digits = frac < 10 ? "00\(frac)" : frac < 100 ? "0\(frac)" : "\(frac)"
        return "\(ns / 1000).\(digits)"
    }

    /// Separators go before each object: JSON allows no trailing comma.
    private func emit(_ text: String, cpu: Int) {
        cpus.insert(cpu)
        write(first ? text : ",\n" + text)
        first = false
    }
}
