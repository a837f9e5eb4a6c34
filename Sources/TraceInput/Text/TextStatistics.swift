/// `mmaudit stats` for text: the same counts as for a trace.dat, made by
/// reading every line (text has no record headers to skim), so the JSON
/// of a trace.dat and of its report text can be compared directly.
extension TraceStatistics {
    public static func collect(text reader: TextTraceReader) throws -> TraceStatistics {
        try collect(text: reader, parts: nil)
    }

    /// `parts` forces the number of parts a plain file is counted in (tests).
    static func collect(text reader: TextTraceReader, parts: Int?) throws -> TraceStatistics {
        var stats = TraceStatistics(path: reader.info.path, format: reader.info.format.rawValue,
                                    fileVersion: 0, compression: reader.info.compression,
                                    cpus: 0, instances: [])
        let tally = try reader.tallyEvents(parts: parts)
        stats.events = tally.events
        stats.lostEvents = tally.lost
        stats.lostUnknownCount = tally.lostUnknown
        stats.perEvent = tally.byName
        for (cpu, n) in tally.byCPU.enumerated() where n > 0 { stats.perCPU[cpu] = n }
        if stats.events > 0 {
            stats.firstTimestamp = tally.first
            stats.lastTimestamp = tally.last
        }
        stats.cpus = reader.info.cpus
        stats.format = reader.info.format.rawValue
        stats.note(reader.damage)
        return stats
    }
}
