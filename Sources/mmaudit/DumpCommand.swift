import ArgumentParser
import TraceInput

/// `mmaudit dump FILE`: the same standard output as `trace-cmd report -N FILE`.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print every event of a trace.dat exactly like `trace-cmd report -N`."
    )

    @Argument(help: "A trace.dat file (version 6 or 7), gzip'd, zstd'd or - (standard input) too.")
    var file: String

    @Option(name: .customLong("cpu"), help: "CPUs to show, like report --cpu: \"0,2-3\".")
    var cpuList: String?

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
        if let cpuList { options.cpus = try CPUList.parse(cpuList) }
        if let events { options.events = events.split(separator: ",").map(String.init) }
        var skipped: String?
        try StandardOutput.write { skipped = try trace.dump(options: options, to: $0) }
        // Damage goes to stderr so stdout stays what trace-cmd prints.
        if let skipped { CommandErrors.printToStandardError(skipped) }
        try strictness.check(file, lost: skipped != nil)
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
