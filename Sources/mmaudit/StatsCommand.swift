import ArgumentParser
import TraceInput

/// `mmaudit stats FILE`: counts without printing events.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "File version, compression, CPUs, time span, events per CPU and per event, lost events."
    )

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    @Argument(help: "A trace.dat file (version 6 or 7).")
    var file: String

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @Option(name: .customLong("instance"), help: "Count only this buffer instance (\"\" = the top buffer).")
    var instance: String?

    func run() throws {
        try CommandErrors.exitOnInputError {
            let stats = try TraceStatistics.collect(TraceDatFile(path: file), instance: instance)
            print(format == .json ? stats.json : stats.text, terminator: "")
        }
    }
}
