/// Interns event names: a trace has a few dozen distinct events but
/// millions of lines, so each line looks its name's bytes up here instead
/// of building a String (and resolving the system) every time.
struct EventNames {
    struct Entry {
        let bytes: [UInt8]
        let name: String
        let system: String
        let kind: WellKnownEvent
    }

    /// Open addressing over a power-of-two table of entry indices (+1; 0 =
    /// empty): cheaper per line than a Dictionary, which hashes again.
    private var slots = [Int32](repeating: 0, count: 256)
    private var entries: [Entry] = []

    /// The entry's number (0, 1, ... in order of first sight): counting
    /// passes tally by number and never copy the entry out. `probeLike` is
    /// asked only for a name not seen before.
    mutating func index(_ b: [UInt8], _ from: Int, _ to: Int, probeLike: @autoclosure () -> Bool) -> Int {
        let mask = slots.count - 1
        var slot = Self.hash(b, from, to) & mask
        while slots[slot] != 0 {
            let i = Int(slots[slot]) - 1
            if Self.same(entries[i].bytes, b, from, to) { return i }
            slot = (slot + 1) & mask
        }
        let probeLike = probeLike()
        let name = b.string(from, to)
        let known = WellKnownEvent.kind(forName: name)
        let system = WellKnownEvent.system(forName: name, payloadLooksLikeProbe: probeLike)
        let e = Entry(bytes: Array(b[from..<to]), name: name, system: system,
                      kind: probeLike && known == .generic ? .kprobe : known)
        entries.append(e)
        isGraph.append(system == "ftrace" && (name == "funcgraph_entry" || name == "funcgraph_exit"))
        slots[slot] = Int32(entries.count)
        if entries.count * 2 > slots.count { grow() }
        return entries.count - 1
    }

    subscript(index: Int) -> Entry { entries[index] }

    /// The entry last seen starting with the same few bytes, by `recentKey`:
    /// a trace repeats a few dozen names, so checking that one candidate
    /// in place (its bytes, then ": " or ":" at the end) is cheaper per
    /// line than finding where the name ends and hashing it.
    private var recent = [Int32](repeating: -1, count: 256)

    /// The entry whose name starts "name:" at `from`, if it is the one
    /// last remembered for these first bytes; and where its ':' is.
    /// Entries' names hold no ':' or blank, so a hit is the name the full
    /// scan (TextReaderCore.eventName) would find.
    @inline(__always)
    func recentIndex(_ b: [UInt8], _ from: Int, _ end: Int) -> (index: Int, colon: Int)? {
        guard let key = Self.recentKey(b, from, end) else { return nil }
        let i = Int(recent[key])
        guard i >= 0 else { return nil }
        let colon = from + entries[i].bytes.count
        guard colon < end, b[colon] == ASCII.colon, colon + 1 == end || ASCII.isSpace(b[colon + 1]),
              Self.same(entries[i].bytes, b, from, colon) else { return nil }
        return (i, colon)
    }

    /// Makes entry `index` the candidate for names starting like the text
    /// at `from`.
    mutating func remember(_ index: Int, _ b: [UInt8], _ from: Int, _ end: Int) {
        if let key = Self.recentKey(b, from, end) { recent[key] = Int32(index) }
    }

    /// Bytes 0, 6 and 11 from `from`: enough to tell apart the names that
    /// share a prefix (sched_switch / sched_wakeup / sched_waking,
    /// contention_begin / contention_end); past a short name they are its
    /// padding or payload, which only costs a miss.
    @inline(__always)
    private static func recentKey(_ b: [UInt8], _ from: Int, _ end: Int) -> Int? {
        guard from + 11 < end else { return nil }
        return Int((b[from] &* 7 &+ b[from + 6] &* 3 &+ b[from + 11]) & 0xff)
    }

    /// Whether entry `index` is a function_graph entry or exit, whose lines
    /// need the graph parser (a leaf line stands for two events).
    private(set) var isGraph: [Bool] = []

    @inline(__always)
    private static func same(_ name: [UInt8], _ b: [UInt8], _ from: Int, _ to: Int) -> Bool {
        guard name.count == to - from else { return false }
        var j = from
        for x in name {
            if x != b[j] { return false }
            j += 1
        }
        return true
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (i, e) in entries.enumerated() {
            var slot = Self.hash(e.bytes, 0, e.bytes.count) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(i + 1)
        }
    }

    /// Length and four sampled bytes: enough to spread a trace's few dozen
    /// names ("sched_wakeup"/"sched_waking" differ in the last byte), and
    /// the full comparison settles collisions.
    @inline(__always)
    private static func hash(_ b: [UInt8], _ from: Int, _ to: Int) -> Int {
        let n = to - from
        guard n > 0 else { return 0 }
        var h = UInt64(n) &* 0x9e37_79b9_7f4a_7c15
        h ^= UInt64(b[from]) | UInt64(b[from + n / 2]) << 8
            | UInt64(b[to - 1]) << 16 | UInt64(b[max(from, to - 5)]) << 24
        h = h &* 0xff51_afd7_ed55_8ccd
        return Int(truncatingIfNeeded: h >> 40)
    }
}
