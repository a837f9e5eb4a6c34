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

        \(FilterOptions.meaning) Only the chosen events, slices, spans and violations \
        are written.

        EXIT STATUS
          0  written;  2  bad input, an unwritable output, or usage

        EXAMPLES
          mmaudit export trace.dat --perfetto trace.json   # open it in ui.perfetto.dev
          mmaudit export trace.dat --rules demo.rules --perfetto trace.json
          mmaudit export trace.dat --cpu 1 --from 483.80 --to 483.90 --perfetto window.json
        """
    )

    @Argument(help: "A trace.dat file or ftrace / trace-cmd report text.")
    var file: String

    @Option(help: ArgumentHelp("The JSON file to write (- for standard output).", valueName: "out.json"))
    var perfetto: String

    @OptionGroup var rulesOption: RulesOption

    @OptionGroup var filterOptions: FilterOptions

    func run() throws {
        var input = AnalysisInput(path: file, rulesPath: rulesOption.rules, filter: try filterOptions.filter)
        let all = try input.analyze()
        // What is written is chosen here, before PerfettoTrace sees it: the
        // model of the second pass still reads every event.
        let filter = input.filter
        let result = all.filtered(by: filter)
        try ReportOutput(path: perfetto).withBuffer { out in
            let trace = PerfettoTrace { out.append($0) }
            let recorder = TimelineRecorder(sink: { if $0.isChosen(by: filter) { trace.item($0) } })
            try input.replay(observers: [recorder], onEvent: { e, functions in
                if filter.includes(timestamp: e.timestamp, cpu: e.cpu, pid: e.pid, comm: e.comm) {
                    trace.event(e, functions: functions)
                }
            })
            for v in result.violations { trace.violation(v) }
            for f in result.folded {
                trace.folded(f, cpu: result.violations.first { $0.signature == f.signature }?.cpu ?? 0)
            }
            trace.finish()
        }
    }
}
