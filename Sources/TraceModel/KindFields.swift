import TraceInput

/// Where some named fields sit in the events of one kind, found on the
/// kind's first event and reused: the model reads sched_switch's pids, state
/// and comms, and the function tracer's address, from every such event, and
/// a lookup by name costs a search through the format for each.
///
/// Only events with a reader's kind id share a layout (one trace.dat format
/// per id); others (text, synthetic events) are read by name.
struct KindFields {
    let names: [String]
    private var id: Int32 = -1
    private var indices: [Int?] = []

    init(_ names: [String]) { self.names = names }

    /// The value of `names[i]` in `e`.
    @inline(__always)
    mutating func value(_ i: Int, of e: TraceEvent) -> FieldValue? {
        guard e.kindID >= 0 else { return e.fields[names[i]] }
        if e.kindID != id {
            indices = names.map { e.fields.index(of: $0) }
            id = e.kindID
        }
        return indices[i].flatMap { e.fields[index: $0] }
    }
}
