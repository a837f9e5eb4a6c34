import Foundation
@testable import TraceInput

/// Walks a trace.dat stream and a text stream of the same capture side by
/// side and collects every difference an analysis could see.
struct StreamComparison {
    enum Variant: String, CaseIterable {
        case report = ""          // trace-cmd report
        case raw = "-N"           // no plugins: the kernel's print formats
        case latency = "-l"       // latency flags
        case nanoseconds = "-t"   // ns timestamps

        var flags: [String] { self == .report ? [] : [rawValue] }
    }

    let variant: Variant
    private(set) var events = 0
    private(set) var lost = 0
    private(set) var mismatches = 0
    private(set) var samples: [String] = []
    private(set) var fieldsCompared = 0

    init(variant: Variant) { self.variant = variant }

    mutating func run(dat: TraceDatReader, text: TextTraceReader) throws {
        while true {
            let a = try dat.next()
            let b = try text.next()
            switch (a, b) {
            case (nil, nil):
                return
            case (.event(let x)?, .event(let y)?):
                events += 1
                compare(x, y, dat)
            case (.lost(let x)?, .lost(let y)?):
                lost += 1
                if x.cpu != y.cpu || x.count != y.count || !sameTime(x.timestamp, y.timestamp) {
                    note("lost \(x) vs \(y)")
                }
            default:
                note("stream shape: dat \(describe(a)) vs text \(describe(b))")
                return
            }
        }
    }

    private func describe(_ item: TraceItem?) -> String {
        switch item {
        case nil: return "end"
        case .event(let e)?: return "event \(e.name)@\(e.timestamp) cpu\(e.cpu)"
        case .lost(let l)?: return "lost cpu\(l.cpu) \(String(describing: l.count))"
        }
    }

    /// Text timestamps are µs rounded from ns (trace-cmd adds 500 ns before
    /// dividing), or exact ns with -t.
    func sameTime(_ ns: UInt64, _ text: UInt64) -> Bool {
        variant == .nanoseconds ? ns == text : (ns + 500) / 1000 == text / 1000
    }

    private mutating func note(_ s: String) {
        mismatches += 1
        if samples.count < 8 { samples.append(s) }
    }

    private mutating func compare(_ d: TraceEvent, _ t: TraceEvent, _ dat: TraceDatReader) {
        let at = "event \(events) (\(d.name) @\(d.timestamp))"
        if !sameTime(d.timestamp, t.timestamp) { note("\(at): timestamp text \(t.timestamp)") }
        if d.cpu != t.cpu { note("\(at): cpu \(d.cpu) vs \(t.cpu)") }
        if d.pid != t.pid { note("\(at): pid \(d.pid) vs \(t.pid)") }
        if d.name != t.name { note("\(at): name vs \(t.name)"); return }
        if !t.system.isEmpty && d.system != t.system { note("\(at): system \(d.system) vs \(t.system)") }
        // -l prints the comm as "%8.8s".
        let comm = variant == .latency ? String(d.comm.prefix(8)) : d.comm
        if comm != t.comm && t.comm != "<...>" { note("\(at): comm \(comm) vs \(t.comm)") }
        if variant == .latency {
            // Text shows only the flags with a letter (0x01...0x40); the
            // capture has records with 0x80 set too, which prints nothing.
            let shown = ContextFlags(rawValue: 0x7f)
            if d.context.flags.intersection(shown) != t.context.flags
                || d.context.preemptCount != t.context.preemptCount {
                note("\(at): context \(d.context) vs \(t.context)")
            }
        } else if t.context.isKnown {
            note("\(at): text without latency columns claims a context")
        }
        for name in t.fields.names where !name.hasSuffix("_sym") {
            fieldsCompared += 1
            guard let tv = t.fields[name] else { note("\(at): text lists \(name) but has no value"); continue }
            guard let dv = d.fields[name] else { note("\(at): dat has no field \(name)"); continue }
            if !sameValue(name: name, event: d.name, dat: dv, text: tv, reader: dat) {
                note("\(at): \(name) dat \(dv) vs text \(tv)")
            }
        }
    }

    private func sameValue(name: String, event: String, dat: FieldValue, text: FieldValue,
                           reader: TraceDatReader) -> Bool {
        switch (dat, text) {
        case (.string(let a), .string(let b)):
            return a == b
        case (_, .string(let sym)):
            // Text shows a symbol where trace.dat has the address.
            guard let addr = dat.uint64, let s = reader.symbolize(addr) else { return false }
            return FunctionFields.symbol(s) == sym
        default:
            guard var a = dat.int64, let b = text.int64 else { return false }
            // The default report's sched_switch plugin prints only the low
            // 8 state bits (no "+" for a preempted task).
            if variant != .raw && event == "sched_switch" && name == "prev_state" { a &= 0xff }
            return a == b
        }
    }
}
