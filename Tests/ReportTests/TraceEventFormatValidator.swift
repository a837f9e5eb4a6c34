import Foundation

/// A checker of Chrome's JSON trace-event format (the "Trace Event Format"
/// document that chrome://tracing and ui.perfetto.dev read), written from
/// that document because Perfetto's trace_processor is not installable here:
/// what a viewer needs to draw a trace without guessing.
///
/// - the document is an array of events or an object with `traceEvents`;
///   `displayTimeUnit`, if present, is "ms" or "ns";
/// - every event has a known phase `ph`, a `name`, integer `pid` and `tid`,
///   and a number `ts` >= 0 (metadata events need none);
/// - duration events: B and E balance per thread, each E ends the latest
///   open B (same name when it gives one); complete events (X) have a
///   `dur` >= 0 and, on one thread, nest (one inside the other or apart,
///   never partly overlapping, which viewers draw wrongly);
/// - instants (i, I): scope `s`, if present, is g, p or t;
/// - async events (b, n, e and the legacy S, T, p, F) carry `cat` and `id`
///   (or `id2`); an end matches an open begin of the same category and id,
///   and every begin ends;
/// - counters (C) have numeric args; metadata (M) is one of the five
///   documented names with the argument it names.
enum TraceEventFormat {
    static let phases: Set<String> = ["B", "E", "X", "i", "I", "C", "b", "n", "e", "S", "T", "p", "F",
                                      "s", "t", "f", "P", "N", "O", "D", "M", "V", "v", "R", "c"]

    /// Problems found, at most `limit` of them (empty when the trace is valid).
    static func validate(_ json: Any, limit: Int = 20) -> [String] {
        var problems: [String] = []
        func fail(_ s: String) { if problems.count < limit { problems.append(s) } }
        let events: [Any]
        if let array = json as? [Any] {
            events = array
        } else if let doc = json as? [String: Any] {
            guard let list = doc["traceEvents"] as? [Any] else { return ["an object document without traceEvents"] }
            if let unit = doc["displayTimeUnit"], !["ms", "ns"].contains(unit as? String ?? "") {
                fail("displayTimeUnit \(unit) is neither ms nor ns")
            }
            events = list
        } else {
            return ["the document is neither an array nor an object"]
        }

        struct Slice { var ts: Double; var dur: Double; var name: String; var index: Int }
        var complete: [String: [Slice]] = [:]
        var durations: [String: [(ts: Double, order: Int, begin: Bool, name: String?)]] = [:]
        var async: [String: [(ts: Double, order: Int, ph: String, name: String?)]] = [:]

        for (i, any) in events.enumerated() {
            guard let e = any as? [String: Any] else { fail("event \(i) is not an object"); continue }
            guard let ph = e["ph"] as? String, phases.contains(ph) else {
                fail("event \(i): unknown or missing ph \(String(describing: e["ph"]))")
                continue
            }
            guard let name = e["name"] as? String else { fail("event \(i) (\(ph)): no name"); continue }
            guard let pid = integer(e["pid"]), let tid = integer(e["tid"]) else {
                fail("event \(i) (\(ph) \(name)): pid and tid must be integers")
                continue
            }
            let thread = "\(pid)/\(tid)"
            if ph == "M" {
                checkMetadata(name, e["args"], index: i, fail: fail)
                continue
            }
            guard let ts = number(e["ts"]), ts >= 0 else { fail("event \(i) (\(ph) \(name)): ts must be a number >= 0"); continue }
            switch ph {
            case "X":
                guard let dur = number(e["dur"]), dur >= 0 else { fail("event \(i) X \(name): dur must be a number >= 0"); continue }
                complete[thread, default: []].append(Slice(ts: ts, dur: dur, name: name, index: i))
            case "B", "E":
                durations[thread, default: []].append((ts, i, ph == "B", e["name"] as? String))
            case "i", "I":
                if let s = e["s"], !["g", "p", "t"].contains(s as? String ?? "") {
                    fail("event \(i) instant \(name): scope s=\(s) is not g, p or t")
                }
            case "b", "n", "e", "S", "T", "p", "F":
                guard let cat = e["cat"] as? String else { fail("event \(i) async \(name): no cat"); continue }
                guard let id = e["id"] ?? e["id2"] else { fail("event \(i) async \(name): no id"); continue }
                async["\(cat)|\(id)", default: []].append((ts, i, ph, name))
            case "C":
                let args = e["args"] as? [String: Any] ?? [:]
                if args.isEmpty || !args.values.allSatisfy({ number($0) != nil }) {
                    fail("event \(i) counter \(name): args must be numbers")
                }
            default:
                break
            }
        }

        // Complete events on one thread nest: sorted by start (longest first
        // on a tie), each starts after its parent ends or ends inside it.
        // A tolerance of 1 ns (timestamps are microseconds with 3 decimals).
        let eps = 0.0015
        for (thread, slices) in complete {
            var stack: [Slice] = []
            for s in slices.sorted(by: { ($0.ts, -$0.dur, $0.index) < ($1.ts, -$1.dur, $1.index) }) {
                while let top = stack.last, s.ts >= top.ts + top.dur - eps { stack.removeLast() }
                if let top = stack.last, s.ts + s.dur > top.ts + top.dur + eps {
                    fail("thread \(thread): X \(s.name) at \(s.ts) (event \(s.index)) partly overlaps "
                         + "\(top.name) at \(top.ts)+\(top.dur) (event \(top.index))")
                }
                stack.append(s)
            }
        }
        // B/E balance per thread, in time order (file order on a tie).
        for (thread, list) in durations {
            var open: [String?] = []
            for d in list.sorted(by: { ($0.ts, $0.order) < ($1.ts, $1.order) }) {
                if d.begin { open.append(d.name); continue }
                guard let top = open.popLast() else { fail("thread \(thread): E at \(d.ts) without a B"); continue }
                if let n = d.name, let t = top, n != t { fail("thread \(thread): E \(n) at \(d.ts) ends B \(t)") }
            }
            if !open.isEmpty { fail("thread \(thread): \(open.count) B events never end") }
        }
        // Async: per category and id, begins and ends pair up in time order.
        for (key, list) in async {
            var open: [String?] = []
            for a in list.sorted(by: { ($0.ts, $0.order) < ($1.ts, $1.order) }) {
                switch a.ph {
                case "b", "S": open.append(a.name)
                case "e", "F":
                    guard let top = open.popLast() else { fail("async \(key): end at \(a.ts) without a begin"); continue }
                    if a.ph == "e", let n = a.name, let t = top, n != t {
                        fail("async \(key): e \(n) at \(a.ts) ends b \(t)")
                    }
                default:
                    if open.isEmpty { fail("async \(key): \(a.ph) at \(a.ts) outside any begin") }
                }
            }
            if !open.isEmpty { fail("async \(key): \(open.count) begin(s) never end") }
        }
        return problems
    }

    static func checkMetadata(_ name: String, _ args: Any?, index: Int, fail: (String) -> Void) {
        let a = args as? [String: Any] ?? [:]
        switch name {
        case "process_name", "thread_name":
            if !(a["name"] is String) { fail("event \(index) M \(name): args.name must be a string") }
        case "process_sort_index", "thread_sort_index":
            if integer(a["sort_index"]) == nil { fail("event \(index) M \(name): args.sort_index must be an integer") }
        case "process_labels":
            if !(a["labels"] is String) { fail("event \(index) M \(name): args.labels must be a string") }
        default:
            fail("event \(index): unknown metadata \(name)")
        }
    }

    static func number(_ v: Any?) -> Double? {
        // JSONSerialization gives NSNumber for numbers (and for true/false,
        // which no field checked here may hold in a valid trace anyway).
        (v as? NSNumber)?.doubleValue
    }

    static func integer(_ v: Any?) -> Int? {
        guard let d = number(v), d == d.rounded() else { return nil }
        return Int(d)
    }
}
