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

    private var buckets: [Int: [Entry]] = [:]

    mutating func lookup(_ b: [UInt8], _ from: Int, _ to: Int, probeLike: Bool) -> Entry {
        // FNV-1a over the name's bytes; names are short.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in from..<to { h = (h ^ UInt64(b[i])) &* 0x100_0000_01b3 }
        let key = Int(truncatingIfNeeded: h)
        if let list = buckets[key] {
            for e in list where e.bytes.count == to - from {
                var same = true
                var j = from
                for x in e.bytes {
                    if x != b[j] { same = false; break }
                    j += 1
                }
                if same { return e }
            }
        }
        let name = b.string(from, to)
        let kind: WellKnownEvent = probeLike && WellKnownEvent.kind(forName: name) == .generic
            ? .kprobe : WellKnownEvent.kind(forName: name)
        let e = Entry(bytes: Array(b[from..<to]), name: name,
                      system: WellKnownEvent.system(forName: name, payloadLooksLikeProbe: probeLike),
                      kind: kind)
        buckets[key, default: []].append(e)
        return e
    }
}
