import ArgumentParser
import TraceInput

/// `mmaudit stats FILE`: counts without printing events.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "File version, compression, CPUs, time span, events per CPU and per event, lost events."
    )

    enum OutputFormat: String, Choice { case text, json }

    @Argument(help: "A trace.dat file (version 6 or 7), or ftrace / trace-cmd report text; gzip'd, zstd'd, systrace, atrace or - (standard input) too.")
    var file: String

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @Option(name: .customLong("instance"), help: "Count only this buffer instance (\"\" = the top buffer).")
    var instance: String?

    @OptionGroup var strictness: StrictOption

    func run() throws {
        let (stats, skipped) = try openTraceFile(path: file).statistics(instance: instance)
        // Not print(): its dynamic casts cost a scan of every protocol
        // conformance in the binary, a noticeable part of a stats run on a
        // small trace.
        try StandardOutput.write { $0.append(format == .json ? stats.json : stats.text) }
        if let skipped { CommandErrors.printToStandardError(skipped) }
        try strictness.check(file, lost: stats.lostData)
    }
}
