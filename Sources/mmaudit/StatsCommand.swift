import ArgumentParser
import NativeBindings
import TraceInput

/// `mmaudit stats FILE`: counts without printing events.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "File version, compression, CPUs, time span, events per CPU and per event, lost events."
    )

    enum OutputFormat: String, Choice { case text, json }

    @Argument(help: "A trace.dat file (version 6 or 7), or ftrace / trace-cmd report text (also .gz).")
    var file: String

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    @Option(name: .customLong("instance"), help: "Count only this buffer instance (\"\" = the top buffer).")
    var instance: String?

    func run() throws {
        try CommandErrors.exitOnInputError {
            if try detectFormat(path: file) != .traceDat {
                // ftrace / trace-cmd report text (TextTraceReader).
                let reader = try TextTraceReader(path: file)
                try write(TraceStatistics.collect(text: reader))
                Self.reportUnparsedLines(reader.damage)
                return
            }
            try write(TraceStatistics.collect(TraceDatFile(path: file), instance: instance))
        }
    }

    /// A plain write: print()'s dynamic casts cost a scan of every protocol
    /// conformance in the binary, a noticeable part of a stats run on a
    /// small trace.
    private func write(_ stats: TraceStatistics) throws {
        let out = OutputBuffer(fileDescriptor: 1)
        out.append(format == .json ? stats.json : stats.text)
        try out.flush()
    }

    /// Text lines that could not be parsed were skipped: say so on stderr.
    static func reportUnparsedLines(_ damage: DamageCount) {
        guard damage.unparsedLines > 0 else { return }
        var text = "mmaudit: \(damage.unparsedLines) unparsed line(s) skipped\n"
        for s in damage.samples { text += "  \(s)\n" }
        CommandErrors.printToStandardError(text)
    }
}
