import ArgumentParser
import Foundation
import TraceInput
import TraceModel
import Checks
import Reports

/// `mmaudit timeline FILE`: per-CPU lanes in the terminal.
struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Draw per-CPU lanes of tasks and spans in the terminal for a window of time.",
        discussion: """
        The same picture as the HTML report's, one character a column: each CPU's row shows \
        a letter per task (the legend names them, '.' is idle), the rows under it the spans \
        open on that CPU (inval: invalidate ranges, tlb: tlb gathers, lock: lock holds, \
        wait: lock waits), the row above it 'v' where a task went to sleep and '!' where a \
        check found a violation. Times are trace-cmd's (seconds since boot), as in \
        `trace-cmd report`. Without --from/--to the window is the first violation's, or the \
        whole trace if it has none.

        FILTERS
          --cpu draws only those CPUs' lanes; --pid / --comm only those tasks' slices, spans
          and violations (other tasks' time is left blank); --from / --to set the window.
          The whole trace is still read, so state opened before the window is known. A
          value the trace does not have is an error (exit 2), not an empty picture.

        EXIT STATUS
          0  drawn;  2  bad input or usage

        EXAMPLES
          mmaudit timeline trace.dat
          mmaudit timeline trace.dat --cpu 0,2 --from 483.8370 --to 483.8420
          mmaudit timeline trace.dat --rules demo.rules --width 160
        """
    )

    @Argument(help: "A trace.dat file or ftrace / trace-cmd report text.")
    var file: String

    @OptionGroup var filterOptions: FilterOptions

    @Option(help: "Columns to use (default: the terminal's width, or 100).")
    var width: Int?

    @OptionGroup var rulesOption: RulesOption

    @OptionGroup var colourOption: ColourOption

    func run() throws {
        let out = ReportOutput(path: nil, colour: colourOption.color.mode)
        var input = AnalysisInput(path: file, rulesPath: rulesOption.rules, filter: try filterOptions.filter)
        let all = try input.analyze()
        let filter = input.filter
        let result = all.filtered(by: filter)
        guard let span = result.timeSpan else {
            try out.write("\(file): no events\n")
            return
        }
        let window: ClosedRange<UInt64>
        if filter.from != nil || filter.to != nil {
            window = max(filter.from ?? span.lowerBound, span.lowerBound)...min(filter.to ?? span.upperBound, span.upperBound)
        } else {
            window = TimelineWindows.around(result.violations).first ?? span
        }
        let recorder = TimelineRecorder(windows: [window], itemLimit: 50_000)
        try input.replay(observers: [recorder])
        let columns = width ?? Self.terminalColumns() ?? 100
        try out.write(TimelineTerminal.render(recorder.windows[0].chosen(by: filter), violations: result.violations,
                                              cpus: filter.cpus, columns: columns, style: out.style))
    }

    static func terminalColumns() -> Int? {
        guard isatty(1) == 1 else { return nil }
        var size = winsize()
        return ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : nil
    }
}
