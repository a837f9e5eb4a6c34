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

    mutating func lookup(_ b: [UInt8], _ from: Int, _ to: Int, probeLike: Bool) -> Entry {
        let mask = slots.count - 1
        var slot = Self.hash(b, from, to) & mask
        while slots[slot] != 0 {
            let e = entries[Int(slots[slot]) - 1]
            if e.bytes.count == to - from {
                var same = true
                var j = from
                for x in e.bytes {
                    if x != b[j] { same = false; break }
                    j += 1
                }
                if same { return e }
            }
            slot = (slot + 1) & mask
        }
        let name = b.string(from, to)
        let known = WellKnownEvent.kind(forName: name)
        let e = Entry(bytes: Array(b[from..<to]), name: name,
                      system: WellKnownEvent.system(forName: name, payloadLooksLikeProbe: probeLike),
                      kind: probeLike && known == .generic ? .kprobe : known)
        entries.append(e)
        slots[slot] = Int32(entries.count)
        if entries.count * 2 > slots.count { grow() }
        return e
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
