/// `mmaudit stats` for text: the same counts, made by reading every line
/// through TextTraceReader (text has no record headers to skim), so the
/// JSON of a trace.dat and of its report text can be compared directly.
extension TraceStatistics {
    public static func collect(text reader: TextTraceReader) throws -> TraceStatistics {
        var stats = TraceStatistics(path: reader.info.path, format: reader.info.format.rawValue,
                                    fileVersion: 0, compression: reader.info.compression,
                                    cpus: 0, instances: [])
        reader.countsOnly = true
        defer { reader.countsOnly = false }
        var byCPU: [Int] = []
        // Names are few: a short list searched from the last hit is cheaper
        // per event than hashing the name into a dictionary.
        var names: [String] = []
        var counts: [Int] = []
        var last = 0
        var first = UInt64.max, lastTs = UInt64.min
        while let item = try reader.next() {
            switch item {
            case .event(let e):
                stats.events += 1
                if e.cpu >= byCPU.count { byCPU += [Int](repeating: 0, count: e.cpu + 1 - byCPU.count) }
                byCPU[e.cpu] &+= 1
                if e.timestamp < first { first = e.timestamp }
                if e.timestamp > lastTs { lastTs = e.timestamp }
                if last >= names.count || names[last] != e.name {
                    if let i = names.firstIndex(of: e.name) {
                        last = i
                    } else {
                        names.append(e.name)
                        counts.append(0)
                        last = names.count - 1
                    }
                }
                counts[last] += 1
            case .lost(let l):
                if let n = l.count { stats.lostEvents += n } else { stats.lostUnknownCount += 1 }
            }
        }
        for (name, n) in zip(names, counts) { stats.perEvent[name, default: 0] += n }
        for (cpu, n) in byCPU.enumerated() where n > 0 { stats.perCPU[cpu] = n }
        if stats.events > 0 {
            stats.firstTimestamp = first
            stats.lastTimestamp = lastTs
        }
        stats.cpus = reader.info.cpus
        stats.format = reader.info.format.rawValue
        stats.unreadablePages = reader.damage.unreadablePages
        stats.damageSamples = reader.damage.samples
        return stats
    }
}
