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
        case tracefs = "tracefs"  // the kernel's own `trace` file
        case tracefsNoIrqInfo = "tracefs-noirqinfo"  // the same with options/irq-info off

        var flags: [String] { self == .report || isTracefs ? [] : [rawValue] }
        var isTracefs: Bool { self == .tracefs || self == .tracefsNoIrqInfo }
        /// Printed through the kernel's print formats (not plugins).
        var kernelFormats: Bool { self == .raw || isTracefs }
    }

    let variant: Variant
    private(set) var events = 0
    private(set) var lost = 0
    private(set) var mismatches = 0
    private(set) var samples: [String] = []
    private(set) var fieldsCompared = 0
    private var lastTextTime: [Int: UInt64] = [:]
    /// A folded exit stamped past its record, per CPU, until the CPU's
    /// next event shows it was not the last.
    private var lateExit: [Int: String] = [:]

    init(variant: Variant) { self.variant = variant }

    /// Compares CPU by CPU: within a CPU both streams are in record order,
    /// while across CPUs the text may order an exit folded into a leaf line
    /// (whose own time the printer dropped) differently.
    mutating func run(dat: TraceDatReader, text: TextTraceReader) throws {
        var datQueue: [Int: [TraceEvent]] = [:], textQueue: [Int: [TraceEvent]] = [:]
        var datLost: [EventsLost] = [], textLost: [EventsLost] = []
        var datDone = false, textDone = false
        while !datDone || !textDone {
            if !datDone {
                switch try dat.next() {
                case nil: datDone = true
                case .event(let e)?: datQueue[e.cpu, default: []].append(e)
                case .lost(let l)?: datLost.append(l)
                }
            }
            if !textDone {
                switch try text.next() {
                case nil: textDone = true
                case .event(let e)?: textQueue[e.cpu, default: []].append(e)
                case .lost(let l)?: textLost.append(l)
                }
            }
            for cpu in Array(datQueue.keys) {
                var a = datQueue[cpu]!, b = textQueue[cpu] ?? []
                let n = min(a.count, b.count)
                for i in 0..<n {
                    events += 1
                    compare(a[i], b[i], dat)
                }
                a.removeFirst(n)
                b.removeFirst(n)
                datQueue[cpu] = a
                textQueue[cpu] = b
            }
        }
        for (cpu, rest) in datQueue where !rest.isEmpty {
            note("cpu \(cpu): \(rest.count) trace.dat events the text lacks, first \(rest[0].name)@\(rest[0].timestamp)")
        }
        for (cpu, rest) in textQueue where !rest.isEmpty {
            note("cpu \(cpu): \(rest.count) text events trace.dat lacks, first \(rest[0].name)@\(rest[0].timestamp)")
        }
        lost = datLost.count
        if datLost.count != textLost.count { note("lost items: dat \(datLost.count) vs text \(textLost.count)") }
        for (x, y) in zip(datLost, textLost)
        where x.cpu != y.cpu || x.count != y.count || !sameTime(x.timestamp, y.timestamp) {
            note("lost \(x) vs \(y)")
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
        if let late = lateExit.removeValue(forKey: d.cpu) { note(late) }
        if !variant.kernelFormats && d.name == "funcgraph_exit" {
            // A leaf line ("func();") folds the exit record into the entry's
            // line and drops its time: the reader stamps entry + duration
            // (clamped to the CPU's next event). The duration is rettime -
            // calltime, not the distance between the records' stamps (in
            // graph-bug3 an irq's records share one stamp and the exit's
            // comes 1.9 ms later), so the text can only place the exit
            // after its entry and before the record that followed it.
            // The reader clamps the estimate to the CPU's next event; the
            // CPU's last exit has none (tracefs-graph-bug0: a leaf 23 µs
            // long whose exit record is stamped 0.2 µs after its entry), so
            // a late estimate is a mismatch only once another event follows.
            let prev = lastTextTime[d.cpu] ?? 0
            if t.timestamp < prev {
                note("\(at): exit time estimate \(t.timestamp) before \(prev)")
            } else if t.timestamp > d.timestamp + 10_000 {
                lateExit[d.cpu] = "\(at): exit time estimate \(t.timestamp) later than record + 10 µs"
            }
        } else if !sameTime(d.timestamp, t.timestamp) {
            note("\(at): timestamp text \(t.timestamp)")
        }
        lastTextTime[t.cpu] = t.timestamp
        if d.cpu != t.cpu { note("\(at): cpu \(d.cpu) vs \(t.cpu)") }
        if d.pid != t.pid { note("\(at): pid \(d.pid) vs \(t.pid)") }
        if d.name != t.name { note("\(at): name vs \(t.name)"); return }
        if !t.system.isEmpty && d.system != t.system { note("\(at): system \(d.system) vs \(t.system)") }
        // -l prints the comm as "%8.8s".
        let comm = variant == .latency ? String(d.comm.prefix(8)) : d.comm
        if comm != t.comm && t.comm != "<...>" { note("\(at): comm \(comm) vs \(t.comm)") }
        if (variant == .latency || variant == .tracefs) && !(d.name == "funcgraph_exit" && !t.context.isKnown) {
            if shownFlags(d.context.flags) != t.context.flags
                || d.context.preemptCount != t.context.preemptCount {
                note("\(at): context \(d.context) vs \(t.context)")
            }
        } else if t.context.isKnown {
            note("\(at): text without latency columns claims a context")
        }
        for name in t.fields.names where !name.hasSuffix("_sym") {
            // tracefs prints %p hashed (no_hash_pointers is off): the text
            // cannot hold the address trace.dat has.
            if variant.isTracefs && name == "lock_addr" { continue }
            fieldsCompared += 1
            guard let tv = t.fields[name] else { note("\(at): text lists \(name) but has no value"); continue }
            guard let dv = d.fields[name] else { note("\(at): dat has no field \(name)"); continue }
            if !sameValue(name: name, event: d.name, dat: dv, text: tv, reader: dat) {
                note("\(at): \(name) dat \(dv) vs text \(tv)")
            }
        }
    }

    /// The part of common_flags the text's letters can show: libtraceevent
    /// (report -l) prints d/X, N for NEED_RESCHED, H/h/s; the kernel
    /// (tracefs) D/d/b/X, N/n/p, Z/z/H/h/s. Other bits (0x20 in -l) print
    /// nothing.
    func shownFlags(_ f: ContextFlags) -> ContextFlags {
        var shown: ContextFlags
        if variant == .latency {
            shown = f.intersection([.irqsOff, .needResched, .hardirq, .softirq])
            if f.contains(.irqsNoSupport) && !f.contains(.irqsOff) { shown.insert(.irqsNoSupport) }
        } else {
            shown = f.intersection([.irqsOff, .bhOff, .needResched, .preemptResched, .hardirq, .softirq, .nmi])
            if f.contains(.irqsNoSupport) && !f.contains(.irqsOff) && !f.contains(.bhOff) {
                shown.insert(.irqsNoSupport)
            }
        }
        return shown
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
            if !variant.kernelFormats && event == "sched_switch" && name == "prev_state" { a &= 0xff }
            return a == b
        }
    }
}
