/// Records a consumer only counts, summed instead of handed out one by one
/// (`TraceReader.tally(only:)`): how many of each kind, their first and last
/// timestamps, and how often each execution context occurred per kind.
/// Counting needs no order, so a trace.dat reader's decode threads do it
/// and the merge never sees those records.
public struct RecordTally: Sendable {
    /// One kind's records.
    public struct Kind: Sendable {
        public var system: String
        public var name: String
        public var count = 0
        /// Each distinct context and how many records had it, in first-seen
        /// order: a kind's records share a handful of contexts.
        public var contexts: [(context: ExecutionContext, count: Int)] = []

        /// `times` more records with `context`.
        @inline(__always)
        mutating func add(_ context: ExecutionContext, times: Int = 1) {
            count += times
            // Linear from the end: few distinct contexts, the last mostly repeats.
            var i = contexts.count - 1
            while i >= 0 {
                if contexts[i].context == context {
                    contexts[i].count += times
                    return
                }
                i -= 1
            }
            contexts.append((context, times))
        }

        mutating func add(_ other: Kind) {
            for (c, n) in other.contexts { add(c, times: n) }
        }
    }

    /// By event id (nil: none tallied).
    public private(set) var kinds: [Kind?] = []
    public var first: UInt64? { count > 0 ? earliest : nil }
    public var last: UInt64? { count > 0 ? latest : nil }
    private var earliest = UInt64.max
    private var latest = UInt64.min
    /// Records tallied in all.
    public private(set) var count = 0

    public init() {}

    @inline(__always)
    mutating func add(id: Int, system: @autoclosure () -> String, name: @autoclosure () -> String,
                      timestamp: UInt64, context: ExecutionContext) {
        if id >= kinds.count { kinds += repeatElement(nil, count: id + 1 - kinds.count) }
        if kinds[id] == nil { kinds[id] = Kind(system: system(), name: name()) }
        kinds[id]!.add(context)
        count += 1
        earliest = min(earliest, timestamp)
        latest = max(latest, timestamp)
    }

    public mutating func add(_ other: RecordTally) {
        if other.kinds.count > kinds.count { kinds += repeatElement(nil, count: other.kinds.count - kinds.count) }
        for (id, k) in other.kinds.enumerated() {
            guard let k else { continue }
            if kinds[id] == nil { kinds[id] = k } else { kinds[id]!.add(k) }
        }
        count += other.count
        earliest = min(earliest, other.earliest)
        latest = max(latest, other.latest)
    }
}
