import TraceInput
import TraceModel
import Checks

/// Builds small event sequences for unit tests of the model's logic. These
/// exercise state transitions only; what the checks find in real kernels is
/// asserted against the captured fixtures (FixtureAnalysisTests).
struct SyntheticTrace {
    var events: [TraceEvent] = []
    var now: UInt64 = 1_000_000

    mutating func add(_ system: String, _ name: String, pid: Int32, cpu: Int = 0, comm: String = "work",
                      depth: UInt8 = 0, flags: ContextFlags = [], _ fields: [(String, FieldValue)] = []) {
        now += 1_000
        events.append(TraceEvent(timestamp: now, cpu: cpu, pid: pid, comm: comm,
                                 context: ExecutionContext(flags: flags, preemptCount: depth),
                                 system: system, name: name, fields: EventFields(fields)))
    }

    mutating func switchOut(pid: Int32, state: UInt64, to next: Int32, cpu: Int = 0, depth: UInt8 = 1) {
        add("sched", "sched_switch", pid: pid, cpu: cpu, depth: depth, flags: [.irqsOff],
            [("prev_comm", .string("work")), ("prev_pid", .signed(Int64(pid))), ("prev_prio", .signed(120)),
             ("prev_state", .unsigned(state)), ("next_comm", .string("other")),
             ("next_pid", .signed(Int64(next))), ("next_prio", .signed(120))])
    }

    mutating func demo(_ name: String, pid: Int32, mm: UInt64, start: UInt64, end: UInt64,
                       blockable: Int64 = 1, depth: UInt8 = 0) {
        add("demo", name, pid: pid, depth: depth,
            [("mm", .unsigned(mm)), ("start", .unsigned(start)), ("end", .unsigned(end)),
             ("size", .unsigned(end - start)), ("event", .signed(1)), ("blockable", .signed(blockable))])
    }

    static let rules = """
        bind demo:map secondary.map mm=mm start=start end=end
        bind demo:unmap secondary.unmap mm=mm start=start end=end
        bind demo:invalidate_start invalidate.begin mm=mm start=start end=end event=event blockable=blockable
        bind demo:invalidate_end invalidate.end mm=mm start=start end=end
        bind demo:lock lock.acquire lock=lock kind=spin
        bind demo:unlock lock.release lock=lock kind=spin
        """

    func analyze(rules: String = SyntheticTrace.rules) throws -> [Violation] {
        var table = BuiltinBindings.table
        table.merge(try RulesFile.parse(rules, path: "test.rules"))
        let model = TraceModel(bindings: table, functions: FunctionNames(symbolize: nil))
        let checks = CheckCatalog.make()
        for c in checks { model.addObserver(c) }
        for e in events { model.consume(e) }
        model.finish()
        return checks.flatMap(\.violations)
    }
}
