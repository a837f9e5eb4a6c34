/// What `mmaudit stats` reports about a trace.dat, counted through the fast
/// record-header path (no event values, no payload copies, no merge).
public struct TraceStatistics: Sendable {
    public var path: String
    public var format: String
    public var fileVersion: Int
    public var compression: String
    public var cpus: Int
    public var instances: [String]
    public var events = 0
    /// Sum of the drop counts the ring buffer stored.
    public var lostEvents = 0
    /// Drops whose count the kernel did not store ("[EVENTS DROPPED]").
    public var lostUnknownCount = 0
    public var unknownEvents = 0
    public var unreadablePages = 0
    /// The file ends before its data does: whole pages were read, these
    /// bytes of data were not (truncated trace.dat).
    public var truncated = false
    public var missingBytes = 0
    /// Serial-console lines skipped (text: boot log, kernel messages).
    public var consoleLines = 0
    public var damageSamples: [String] = []
    /// Anything the reader could not read (pages, lines, a truncated end):
    /// what `--strict` refuses.
    public var lostData = false
    public var firstTimestamp: UInt64?
    public var lastTimestamp: UInt64?
    /// CPU number → events.
    public var perCPU: [Int: Int] = [:]
    /// Event name (without the system, as report prints it) → events.
    public var perEvent: [String: Int] = [:]
    /// Event name → its system, where the trace says (a trace.dat's
    /// formats; report text names no systems): the text report names
    /// events as `secmmu:map`, since a bare `map` could be anyone's.
    public var systems: [String: String] = [:]

    /// Counts every record of every buffer of `file` (or only `instance`).
    public static func collect(_ file: TraceDatFile, instance: String? = nil) throws -> TraceStatistics {
        var stats = TraceStatistics(path: file.path, format: TraceFormat.traceDat.rawValue,
                                    fileVersion: file.fileVersion, compression: file.describedCompression,
                                    cpus: file.cpuCount, instances: file.instanceNames)
        var chosen: [Int]? = nil
        if let instance {
            guard let i = file.bufferIndex(named: instance) else {
                throw TraceInputError(path: file.path, section: "buffers", message: "no instance named \"\(instance)\"")
            }
            chosen = [i]
        }
        let counts = file.countRecords(buffers: chosen)
        let byID = counts.byID, byCPU = counts.byCPU
        let first = counts.first, last = counts.last
        let lost = counts.lost, lostUnknown = counts.lostUnknown, outOfRange = counts.outOfRange
        stats.unknownEvents = outOfRange
        for (id, n) in byID.enumerated() where n > 0 {
            stats.events += n
            if let format = file.tep.format(id: id) {
                stats.perEvent[format.name, default: 0] += n
                stats.systems[format.name] = format.system
            } else {
                stats.unknownEvents += n
            }
        }
        stats.events += outOfRange
        for (cpu, n) in byCPU.enumerated() where n > 0 { stats.perCPU[cpu] = n }
        stats.lostEvents = lost
        stats.lostUnknownCount = lostUnknown
        if stats.events > 0 {
            stats.firstTimestamp = first
            stats.lastTimestamp = last
        }
        stats.note(file.damage)
        return stats
    }

    /// What the reader skipped, into the statistics.
    mutating func note(_ damage: DamageCount) {
        unreadablePages = damage.unreadablePages
        truncated = damage.truncated
        missingBytes = damage.missingBytes
        consoleLines = damage.consoleLines
        damageSamples = damage.samples
        lostData = !damage.isEmpty
    }

    public var text: String {
        var lines: [String] = []
        lines.append("file:            \(path)")
        let packing = compression == "none" ? Self.compressionWording(compression) : "compression \(compression)"
        lines.append("format:          \(format)" + (fileVersion > 0 ? " version \(fileVersion)" : "") + ", \(packing)")
        lines.append("cpus:            \(cpus)")
        if !instances.isEmpty { lines.append("instances:       \(instances.joined(separator: ", "))") }
        lines.append("events:          \(events)")
        if let f = firstTimestamp, let l = lastTimestamp {
            lines.append("time span:       \(Self.seconds(f)) .. \(Self.seconds(l)) (\(Self.seconds(l - f)) s)")
        }
        lines.append("lost events:     \(lostEvents)" + (lostUnknownCount > 0 ? " (+\(lostUnknownCount) drops of unknown size)" : ""))
        lines.append("unknown events:  \(unknownEvents)")
        lines.append("unreadable pages: \(unreadablePages)")
        if truncated { lines.append("truncated:       yes, \(missingBytes) bytes of data missing") }
        if consoleLines > 0 { lines.append("console lines:   \(consoleLines) (serial console output, not trace)") }
        lines.append("per cpu:")
        for cpu in perCPU.keys.sorted() { lines.append("  cpu \(cpu): \(perCPU[cpu]!)") }
        lines.append("per event:")
        for (name, n) in perEvent.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
            lines.append("  \(systems[name].map { $0 + ":" } ?? "")\(name): \(n)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: String {
        func str(_ s: String) -> String {
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default:
                    if u.value < 0x20 { out += String(format6(u.value)) } else { out.unicodeScalars.append(u) }
                }
            }
            return out + "\""
        }
        func format6(_ v: UInt32) -> String {
            let hex = String(v, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
        func object(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\(str($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        }
        let nullable: (UInt64?) -> String = { $0.map { String($0) } ?? "null" }
        return object([
            ("path", str(path)),
            ("format", str(format)),
            ("file_version", String(fileVersion)),
            ("compression", str(compression)),
            ("cpus", String(cpus)),
            ("instances", "[" + instances.map(str).joined(separator: ", ") + "]"),
            ("events", String(events)),
            ("lost_events", String(lostEvents)),
            ("lost_unknown_count", String(lostUnknownCount)),
            ("unknown_events", String(unknownEvents)),
            ("unreadable_pages", String(unreadablePages)),
            ("truncated", truncated ? "true" : "false"),
            ("missing_bytes", String(missingBytes)),
            ("console_lines", String(consoleLines)),
            ("first_ts_ns", nullable(firstTimestamp)),
            ("last_ts_ns", nullable(lastTimestamp)),
            ("per_cpu", object(perCPU.keys.sorted().map { (String($0), String(perCPU[$0]!)) })),
            ("per_event", object(perEvent.keys.sorted().map { ($0, String(perEvent[$0]!)) })),
        ]) + "\n"
    }

    /// "uncompressed" for "none", else the codec's name: what text headers
    /// print (JSON keeps the field's value, "none").
    public static func compressionWording(_ compression: String) -> String {
        compression == "none" ? "uncompressed" : compression
    }

    static func seconds(_ ns: UInt64) -> String {
        let us = (ns + 500) / 1000
        let frac = String(us % 1_000_000)
        return "\(us / 1_000_000)." + String(repeating: "0", count: 6 - frac.count) + frac
    }
}

extension TraceInfo {
    /// `TraceStatistics.compressionWording` of this trace.
    public var compressionWording: String { TraceStatistics.compressionWording(compression) }
}
