import TraceInput
import TraceModel
import Checks

/// A reader over events made in the test.
final class ListReader: TraceReader {
    let info: TraceInfo
    var damage = DamageCount()
    private var items: [TraceItem]

    init(path: String, events: [TraceEvent], cpus: Int = 2) {
        info = TraceInfo(path: path, format: .traceDat, fileVersion: 7, compression: "none", cpus: cpus)
        items = events.map { .event($0) }.reversed()
    }

    func next() throws -> TraceItem? { items.popLast() }
}

/// Small workloads in the shape of the demo module's captures: a task that
/// maps a secondary range, invalidates it, and (with a bug) sleeps under a
/// spinlock or drops only part of a 2 MiB entry. Only for unit tests of the
/// reports; what real kernels do is asserted on the fixtures.
struct Scenario {
    enum Bug { case none, sleepUnderSpinlock, partialDrop }

    private(set) var events: [TraceEvent] = []
    private var clock: UInt64 = 5_000_000_000
    let mm: UInt64 = 0xffff_8880_0400_0000
    let base: UInt64 = 0x7f12_3440_0000

    static let rules = """
        bind demo:map secondary.map mm=mm start=start end=end
        bind demo:unmap secondary.unmap mm=mm start=start end=end
        bind demo:inv_start invalidate.begin mm=mm start=start end=end event=event
        bind demo:inv_end invalidate.end mm=mm start=start end=end event=event
        bind demo:spin_lock lock.acquire lock=lock kind=spin label=name
        bind demo:spin_unlock lock.release lock=lock kind=spin label=name
        """

    init(_ bug: Bug, rounds: Int = 3) {
        switch_(cpu: 0, from: 0, to: 100, state: 0)
        switch_(cpu: 1, from: 0, to: 200, comm: "kworker/1:2", state: 0)
        for round in 0..<rounds {
            let start = base + UInt64(round) * 0x20_0000, end = start + 0x20_0000
            demo("map", start, end)
            demo("inv_start", start, end)
            lockWait(cpu: 0, pid: 100, ns: 3_000 + UInt64(round) * 1_000)
            if bug == .sleepUnderSpinlock && round == 1 {
                event("demo", "spin_lock", pid: 100, depth: 1, [("lock", .unsigned(0xffff_ffff_8260_0000)), ("name", .string("demo_lock"))])
                event("ftrace", "function", pid: 100, depth: 2, [("ip", .string("msleep")), ("parent_ip", .string("demo_invalidate_range_start"))])
                switch_(cpu: 0, from: 100, to: 0, state: 2, depth: 2)
                tick(5_000_000)
                switch_(cpu: 0, from: 0, to: 100, state: 0)
                event("demo", "spin_unlock", pid: 100, depth: 1, [("lock", .unsigned(0xffff_ffff_8260_0000)), ("name", .string("demo_lock"))])
            }
            demo("unmap", start, bug == .partialDrop && round == 2 ? start + 0x1000 : end)
            demo("inv_end", start, end)
            // A normal sleep between rounds: the baseline for sched_switch.
            switch_(cpu: 0, from: 100, to: 0, state: 1)
            tick(100_000)
            switch_(cpu: 0, from: 0, to: 100, state: 0)
        }
    }

    mutating func tick(_ ns: UInt64) { clock += ns }

    mutating func event(_ system: String, _ name: String, pid: Int32, cpu: Int = 0, comm: String = "workload",
                        depth: UInt8 = 0, flags: ContextFlags = [], _ fields: [(String, FieldValue)]) {
        tick(1_000)
        events.append(TraceEvent(timestamp: clock, cpu: cpu, pid: pid, comm: comm,
                                 context: ExecutionContext(flags: flags, preemptCount: depth),
                                 system: system, name: name, fields: EventFields(fields)))
    }

    mutating func switch_(cpu: Int, from: Int32, to: Int32, comm: String = "workload", state: UInt64, depth: UInt8 = 1) {
        var names: [Int32: String] = [to: comm]
        names[0] = "swapper/\(cpu)"
        event("sched", "sched_switch", pid: from, cpu: cpu, comm: names[from] ?? "workload", depth: depth, flags: [.irqsOff],
              [("prev_comm", .string(names[from] ?? "workload")), ("prev_pid", .signed(Int64(from))),
               ("prev_prio", .signed(120)), ("prev_state", .unsigned(state)),
               ("next_comm", .string(names[to] ?? comm)), ("next_pid", .signed(Int64(to))), ("next_prio", .signed(120))])
    }

    mutating func demo(_ name: String, _ start: UInt64, _ end: UInt64) {
        event("demo", name, pid: 100, [("mm", .unsigned(mm)), ("start", .unsigned(start)), ("end", .unsigned(end)),
                                       ("event", .signed(1))])
    }

    mutating func lockWait(cpu: Int, pid: Int32, ns: UInt64) {
        event("lock", "contention_begin", pid: pid, cpu: cpu, [("lock_addr", .unsigned(0xffff_8880_0aa0_0040)), ("flags", .unsigned(1))])
        tick(ns)
        event("lock", "contention_end", pid: pid, cpu: cpu, [("lock_addr", .unsigned(0xffff_8880_0aa0_0040)), ("ret", .signed(0))])
    }

    func analyze(path: String = "scenario.dat", observers: [ModelObserver] = []) throws -> AnalysisResult {
        var table = BuiltinBindings.table
        table.merge(try RulesFile.parse(Self.rules, path: "scenario.rules"))
        return try Analysis.run(ListReader(path: path, events: events), bindings: table,
                                functions: FunctionNames(symbolize: nil), observers: observers)
    }

    func replay(_ observers: [ModelObserver]) throws {
        var table = BuiltinBindings.table
        table.merge(try RulesFile.parse(Self.rules, path: "scenario.rules"))
        let model = TraceModel(bindings: table, functions: FunctionNames(symbolize: nil))
        for o in observers { model.addObserver(o) }
        for e in events { model.consume(e) }
        model.finish()
    }
}
