import NativeBindings

/// What `mmaudit dump` prints and for which records.
public struct DumpOptions: Sendable {
    /// CPUs to show, by report's global CPU index (see CPUStream.globalIndex);
    /// nil = all.
    public var cpus: Set<Int>?
    /// "system:name" or "name" patterns of events to show; nil = all.
    public var events: [String]?
    /// Print the raw fields (INFO_RAW) like `report -R`.
    public var raw = false
    /// Show one buffer only ("" = top); nil = every buffer, like report.
    public var instance: String?

    public init(cpus: Set<Int>? = nil, events: [String]? = nil, raw: Bool = false, instance: String? = nil) {
        self.cpus = cpus
        self.events = events
        self.raw = raw
        self.instance = instance
    }
}

/// Prints a trace.dat like `trace-cmd report -N` (3.1.6) prints it
/// (read_data_info, process_record, print_handle_file and trace_show_data
/// in tracecmd/trace-read.c): "cpus=N", then one line per record in merged
/// order, with an instance column when the file has instances.
public enum DumpReport {
    public static func write(_ file: TraceDatFile, options: DumpOptions = DumpOptions(), to out: OutputBuffer) throws {
        out.append("cpus=\(file.cpuCount)\n")
        if let text = try file.latencyText() {
            out.append(text)
            out.append("\n")
            return
        }
        let chosen: [Int]
        if let name = options.instance {
            guard let i = file.bufferIndex(named: name) else {
                throw TraceInputError(path: file.path, section: "buffers", message: "no instance named \"\(name)\"")
            }
            chosen = [i]
        } else {
            chosen = Array(file.buffers.indices)
        }
        let prefixes = instancePrefixes(file, shown: options.instance == nil)
        let allowed = options.events.map { allowedEventIDs(file, patterns: $0) }
        let printer = ReportLinePrinter(tep: file.tep,
                                        timeColumn: file.timestampsAreNanoseconds ? .microseconds : .raw,
                                        rawFields: options.raw)
        let merge = CPUMerge(file.makeStreams(buffers: chosen))
        let typeSlot = file.commonLayout.type
        while let s = merge.nextStream() {
            defer { s.step() }
            if let cpus = options.cpus, !cpus.contains(s.globalIndex) { continue }
            if let allowed, !allowed.contains(Int(s.page.unsigned(at: typeSlot.offset, size: typeSlot.size))) { continue }
            printer.appendLine(for: s.page, timestamp: s.timestamp, cpu: s.cpu, missedEvents: s.missedEvents,
                               prefix: prefixes?[s.bufferIndex], to: out)
        }
        try out.flush()
    }

    /// print_handle_file: names right-aligned to the longest instance name
    /// plus ": ", the top buffer as blanks plus two spaces; nothing when the
    /// file has no instances.
    static func instancePrefixes(_ file: TraceDatFile, shown: Bool) -> [[UInt8]]? {
        guard shown, !file.instanceNames.isEmpty else { return nil }
        let width = file.instanceNames.map(\.utf8.count).max() ?? 0
        return file.buffers.map { b in
            let pad = [UInt8](repeating: 0x20, count: max(0, width - b.name.utf8.count))
            return b.name.isEmpty ? pad + [0x20, 0x20] : pad + Array(b.name.utf8) + Array(": ".utf8)
        }
    }

    /// Event ids matching "system:name" or "name" ("*" matches all names of a
    /// system: "sched:*").
    static func allowedEventIDs(_ file: TraceDatFile, patterns: [String]) -> Set<Int> {
        var ids: Set<Int> = []
        for format in file.tep.allFormats {
            for p in patterns {
                let parts = p.split(separator: ":", maxSplits: 1).map(String.init)
                let (system, name) = parts.count == 2 ? (parts[0], parts[1]) : (nil, parts[0])
                if (system == nil || system == format.system) && (name == "*" || name == format.name) {
                    ids.insert(format.id)
                }
            }
        }
        return ids
    }
}

/// stats and dump of a trace.dat: record headers counted on every core;
/// records printed by libtraceevent, as report prints them.
extension TraceDatFile: TraceFileReader {
    public func statistics(instance: String?) throws -> (statistics: TraceStatistics, skipped: String?) {
        // Unreadable pages are in the statistics themselves; a truncated
        // file is also said on stderr, with what was lost.
        let stats = try TraceStatistics.collect(self, instance: instance)
        return (stats, stats.truncated ? damage.skippedNote(damage.unreadablePages, "unreadable page(s)") : nil)
    }

    public func dump(options: DumpOptions, to out: OutputBuffer) throws -> String? {
        try DumpReport.write(self, options: options, to: out)
        let damage = self.damage
        return damage.isEmpty ? nil : damage.skippedNote(damage.unreadablePages, "unreadable page(s)")
    }
}
