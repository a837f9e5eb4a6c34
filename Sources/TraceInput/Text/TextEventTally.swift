/// What `mmaudit stats` counts in a text trace: events by CPU and by name,
/// the first and last time, and the drops. Kept as plain integers per
/// line (names by their EventNames number) so that counting a line costs
/// no String and no TraceEvent; tallies of parts of a file add up.
struct TextEventTally {
    var events = 0
    /// CPU number → events.
    var byCPU: [Int] = []
    /// EventNames number → events, while a pass runs.
    var byNameIndex: [Int] = []
    /// Event name → events: what came as items (graph lines), and after
    /// `resolveNames` everything.
    var byName: [String: Int] = [:]
    var first = UInt64.max
    var last = UInt64.min
    /// Sum of the drop counts the text printed.
    var lost = 0
    /// Drops printed without a count ("[EVENTS DROPPED]").
    var lostUnknown = 0

    @inline(__always)
    mutating func count(timestamp: UInt64, cpu: Int, nameIndex: Int) {
        countTimeAndCPU(timestamp, cpu)
        if nameIndex >= byNameIndex.count {
            byNameIndex += [Int](repeating: 0, count: nameIndex + 1 - byNameIndex.count)
        }
        byNameIndex[nameIndex] &+= 1
    }

    /// An item the reader built (lines the counting pass leaves to it).
    mutating func count(_ item: TraceItem) {
        switch item {
        case .event(let e):
            countTimeAndCPU(e.timestamp, e.cpu)
            byName[e.name, default: 0] += 1
        case .lost(let l):
            if let n = l.count { lost += n } else { lostUnknown += 1 }
        }
    }

    @inline(__always)
    private mutating func countTimeAndCPU(_ timestamp: UInt64, _ cpu: Int) {
        events &+= 1
        if cpu >= byCPU.count { byCPU += [Int](repeating: 0, count: cpu + 1 - byCPU.count) }
        byCPU[cpu] &+= 1
        if timestamp < first { first = timestamp }
        if timestamp > last { last = timestamp }
    }

    /// Moves the counts by name number into `byName`, naming them through
    /// the reader's table (numbers mean nothing outside one reader).
    mutating func resolveNames(_ names: EventNames) {
        for (i, n) in byNameIndex.enumerated() where n > 0 { byName[names[i].name, default: 0] += n }
        byNameIndex = []
    }

    /// Adds a tally of another part of the same trace (names resolved).
    mutating func add(_ other: TextEventTally) {
        precondition(byNameIndex.isEmpty && other.byNameIndex.isEmpty, "add tallies after resolveNames")
        events += other.events
        if other.byCPU.count > byCPU.count { byCPU += [Int](repeating: 0, count: other.byCPU.count - byCPU.count) }
        for (cpu, n) in other.byCPU.enumerated() { byCPU[cpu] += n }
        for (name, n) in other.byName { byName[name, default: 0] += n }
        first = min(first, other.first)
        last = max(last, other.last)
        lost += other.lost
        lostUnknown += other.lostUnknown
    }
}
