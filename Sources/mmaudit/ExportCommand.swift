import ArgumentParser
import NativeBindings
import TraceInput
import TraceModel
import Checks
import Reports

/// `mmaudit export FILE --perfetto OUT.json`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the trace as Chrome trace-event JSON for ui.perfetto.dev or chrome://tracing.",
        discussion: """
        One process per CPU, with a thread for its task slices (from sched_switch) and one \
        for every raw event as an instant. Spans (invalidate ranges, tlb gathers, lock holds, lock \
        waits) are async slices, one id each, so partly overlapping spans are drawn \
        right. Each violation is a global instant named after its rule, its message and \
        evidence in the args; folded repeats are there too (their kept timestamps, and \
        a slice from the first to the last with their count). Written as it is read: \
        memory does not grow with the trace (it is read twice, once to find the \
        violations). Progress shows on stderr when it is a terminal.

        EXIT STATUS
          0  written;  2  bad input, an unwritable output, or usage

        EXAMPLES
          mmaudit export trace.dat --perfetto trace.json   # open it in ui.perfetto.dev
          mmaudit export trace.dat --rules demo.rules --perfetto trace.json
        """
    )

    @Argument(help: "A trace.dat file or ftrace / trace-cmd report text.")
    var file: String

    @Option(help: ArgumentHelp("The JSON file to write.", valueName: "out.json"))
    var perfetto: String

    @OptionGroup var rulesOption: RulesOption

    func run() throws {
        let input = AnalysisInput(path: file, rulesPath: rulesOption.rules)
        let result = try input.analyze()
        try OutputError.naming(perfetto) {
            let out = try OutputBuffer(creating: perfetto)
            let trace = PerfettoTrace { out.append($0) }
            let recorder = TimelineRecorder(sink: { trace.item($0) })
            try input.replay(observers: [recorder]) { e, functions in trace.event(e, functions: functions) }
            for v in result.violations { trace.violation(v) }
            for f in result.folded {
                trace.folded(f, cpu: result.violations.first { $0.signature == f.signature }?.cpu ?? 0)
            }
            trace.finish()
            try out.flush()
        }
    }
}
