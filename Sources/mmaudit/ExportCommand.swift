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

        The raw events are most of the file (about 150 bytes each: 1.3 GB for 6 million). \
        --events keeps those named (system:name, name or system:*, comma-separated, as \
        dump takes them); --events none keeps none: slices, spans and violations only.

        EXIT STATUS
          0  written;  2  bad input, an unwritable output, or usage

        EXAMPLES
          mmaudit export trace.dat --perfetto trace.json   # open it in ui.perfetto.dev
          mmaudit export trace.dat --rules demo.rules --perfetto trace.json
          mmaudit export trace.dat --cpu 1 --from 483.80 --to 483.90 --perfetto window.json
          mmaudit export big.dat --events none --perfetto spans.json
          mmaudit export trace.dat --events sched:*,mmaudit_demo:* --perfetto some.json
        """
    )

    @Argument(help: "A trace.dat file or ftrace / trace-cmd report text.")
    var file: String

    @Option(help: ArgumentHelp("The JSON file to write (- for standard output).", valueName: "out.json"))
    var perfetto: String

    @OptionGroup var rulesOption: RulesOption

    @OptionGroup var filterOptions: FilterOptions

    @Option(help: ArgumentHelp("Raw events to write as instants (system:name, name or system:*, comma-separated), or none.",
                               valueName: "list"))
    var events: String?

    func run() throws {
        // nil: every event; []: none.
        let names = events.map { $0 == "none" ? [] : $0.split(separator: ",").map(String.init) }
        let patterns = names?.map(EventPattern.init)
        var input = AnalysisInput(path: file, rulesPath: rulesOption.rules, filter: try filterOptions.filter)
        let all = try input.analyze()
        // What is written is chosen here, before PerfettoTrace sees it: the
        // model of the second pass still reads every event.
        let filter = input.filter
        let result = all.filtered(by: filter)
        try ReportOutput(path: perfetto).withBuffer { out in
            let trace = PerfettoTrace { out.append($0) }
            let recorder = TimelineRecorder(sink: { if $0.isChosen(by: filter) { trace.item($0) } })
            // No raw events: the replay's fast path, which never makes them.
            let none = patterns?.isEmpty ?? false
            try input.replay(observers: [recorder], onEvent: none ? nil : { e, functions in
                if let patterns, !patterns.contains(where: { $0.matches(system: e.system, name: e.name) }) { return }
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
        // As dump: a name the trace never shows is an error (the file is
        // written). The analysis pass counted every kind the trace holds.
        let known = Set(all.eventCounts.keys.map(\.shownName))
        for name in names ?? [] where !DumpCommand.matchesAny(name, known) {
            throw UnknownEventError(path: file, pattern: name, known: known.sorted())
        }
    }
}
