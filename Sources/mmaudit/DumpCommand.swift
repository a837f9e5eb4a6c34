import ArgumentParser
import TraceInput

/// `mmaudit dump FILE`: the same standard output as `trace-cmd report -N FILE`.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print every event of a trace.dat exactly like `trace-cmd report -N`.",
        discussion: """
        --cpu, --pid / --comm and --from / --to choose the events printed (a task by pid or \
        by the name in the comm column). A value the trace does not have (a CPU, pid or name \
        it never shows, a window outside its span, an event it has no format for) is an \
        error, exit status 2, after what was chosen is printed.

        EXIT STATUS
          0  printed;  2  bad input or usage

        EXAMPLES
          mmaudit dump trace.dat --events sched:sched_switch --cpu 1
          mmaudit dump trace.dat --comm workload --from 7.9 --to 8.0
        """
    )

    @Argument(help: "A trace.dat file (version 6 or 7), gzip'd, zstd'd or - (standard input) too.")
    var file: String

    @OptionGroup var filterOptions: FilterOptions

    @Option(name: .customLong("events"), help: "Events to show: SYSTEM:NAME,... (NAME alone matches any system).")
    var events: String?

    @Flag(name: .customLong("raw"), help: "Print the raw field values, like report -R.")
    var raw = false

    @Option(name: .customLong("instance"), help: "Show only this buffer instance (\"\" = the top buffer).")
    var instance: String?

    @OptionGroup var strictness: StrictOption

    func run() throws {
        let trace = try openTraceFile(path: file)
        var options = DumpOptions(raw: raw, instance: instance)
        options.filter = try filterOptions.filter
        if let events { options.events = events.split(separator: ",").map(String.init) }
        let extent = TraceExtent(cpuCount: 0)
        let checks = !options.filter.isEmpty || options.events != nil
        if checks { options.extent = extent }
        var skipped: String?
        try StandardOutput.write { skipped = try trace.dump(options: options, to: $0) }
        // Damage goes to stderr so stdout stays what trace-cmd prints.
        if let skipped { CommandErrors.printToStandardError(skipped) }
        try strictness.check(file, lost: skipped != nil)
        guard checks else { return }
        try FilterError.check(options.filter, against: extent, path: file)
        for pattern in options.events ?? [] where !Self.matchesAny(pattern, extent.events) {
            throw UnknownEventError(path: file, pattern: pattern, known: extent.events.sorted())
        }
    }

    /// "system:name", "name" or "system:*" against the trace's events
    /// ("system:name", or "name" where the trace names no system).
    static func matchesAny(_ pattern: String, _ known: Set<String>) -> Bool {
        let p = EventPattern(pattern)
        return known.contains { p.matches($0) }
    }
}

/// report's --cpu syntax: numbers and ranges separated by ',' or ':'.
enum CPUList {
    static func parse(_ text: String) throws -> Set<Int> {
        var cpus: Set<Int> = []
        for part in text.split(whereSeparator: { $0 == "," || $0 == ":" }) {
            let bounds = part.split(separator: "-", maxSplits: 1).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let a = bounds.first ?? nil, let b = bounds.count == 2 ? bounds[1] : a, a <= b, a >= 0 else {
                throw ValidationError("invalid CPU list \"\(text)\"")
            }
            cpus.formUnion(a...b)
        }
        return cpus
    }
}
