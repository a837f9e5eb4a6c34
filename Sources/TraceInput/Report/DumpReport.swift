import NativeBindings

/// What `mmaudit dump` prints and for which records.
public struct DumpOptions: Sendable {
    /// The records to show (CPUs by report's global CPU index, see
    /// CPUStream.globalIndex; tasks; a window).
    public var filter = TraceFilter()
    /// CPUs to show; nil = all (the filter's).
    public var cpus: Set<Int>? {
        get { filter.cpus }
        set { filter.cpus = newValue }
    }
    /// "system:name" or "name" patterns of events to show; nil = all.
    public var events: [String]?
    /// Print the raw fields (INFO_RAW) like `report -R`.
    public var raw = false
    /// Show one buffer only ("" = top); nil = every buffer, like report.
    public var instance: String?

    /// Filled in while dumping, when given: the CPUs, time span and tasks
    /// of the records read, for checking the filter against afterwards.
    public var extent: TraceExtent?

    public init(cpus: Set<Int>? = nil, events: [String]? = nil, raw: Bool = false, instance: String? = nil) {
        self.filter.cpus = cpus
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
    /// Returns how many records were printed without their fields because
    /// their format does not fit them (ReportLinePrinter.unprintableRecords).
    @discardableResult
    public static func write(_ file: TraceDatFile, options: DumpOptions = DumpOptions(), to out: OutputBuffer) throws -> Int {
        out.append("cpus=\(file.cpuCount)\n")
        if let text = try file.latencyText() {
            out.append(text)
            out.append("\n")
            return 0
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
        let pidSlot = file.commonLayout.pid
        let filter = options.filter, extent = options.extent
        extent?.cpuCount = file.cpuCount
        extent?.events = Set(file.tep.allFormats.map { $0.system + ":" + $0.name })
        // The comm column is the saved cmdlines' name (tep_data_comm_from_pid).
        var chosenPid: [Int32: Bool] = [:]
        while let s = merge.nextStream() {
            defer { s.step() }
            if !filter.isEmpty || extent != nil {
                let pid = pidSlot.map { Int32(truncatingIfNeeded: s.page.unsigned(at: $0.offset, size: $0.size)) } ?? 0
                if let extent {
                    extent.see(timestamp: s.timestamp)
                    // --cpu counts every buffer's CPUs (report's global index).
                    extent.cpuCount = max(extent.cpuCount, s.globalIndex + 1)
                    if filter.choosesTasks, extent.tasks[pid] == nil { extent.tasks[pid] = file.tep.comm(pid: pid) }
                }
                guard filter.includes(time: s.timestamp), filter.includes(cpu: s.globalIndex) else { continue }
                if filter.choosesTasks {
                    let chosen = chosenPid[pid] ?? filter.includes(pid: pid, comm: file.tep.comm(pid: pid))
                    chosenPid[pid] = chosen
                    guard chosen else { continue }
                }
            }
            if let allowed, !allowed.contains(Int(s.page.unsigned(at: typeSlot.offset, size: typeSlot.size))) { continue }
            printer.appendLine(for: s.page, timestamp: s.timestamp, cpu: s.cpu, missedEvents: s.missedEvents,
                               prefix: prefixes?[s.bufferIndex], to: out)
        }
        try out.flush()
        return printer.unprintableRecords
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

    /// Event ids matching any of `patterns` (EventPattern).
    static func allowedEventIDs(_ file: TraceDatFile, patterns: [String]) -> Set<Int> {
        let patterns = patterns.map(EventPattern.init)
        return Set(file.tep.allFormats.filter { f in patterns.contains { $0.matches(system: f.system, name: f.name) } }
            .map(\.id))
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
        let misfits = try DumpReport.write(self, options: options, to: out)
        let damage = self.damage
        var note = damage.isEmpty ? "" : damage.skippedNote(damage.unreadablePages, "unreadable page(s)")
        if misfits > 0 {
            note += "mmaudit: \(misfits) record(s) shorter than their event's format printed without their fields\n"
        }
        return note.isEmpty ? nil : note
    }
}
