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

    @Option(help: ArgumentHelp("CPUs to draw: \"0,2-3\" (default: every CPU in the window).", valueName: "list"))
    var cpu: String?

    @Option(help: ArgumentHelp("Start of the window, in seconds as trace-cmd prints them.", valueName: "t"))
    var from: String?

    @Option(help: ArgumentHelp("End of the window, in seconds.", valueName: "t"))
    var to: String?

    @Option(help: "Columns to use (default: the terminal's width, or 100).")
    var width: Int?

    @OptionGroup var rulesOption: RulesOption

    func validate() throws {
        for t in [from, to].compactMap({ $0 }) where Self.nanoseconds(t) == nil {
            throw ValidationError("'\(t)' is not a time in seconds (e.g. 483.837848)")
        }
        if let a = from.flatMap(Self.nanoseconds), let b = to.flatMap(Self.nanoseconds), b <= a {
            throw ValidationError("--to must be after --from")
        }
    }

    func run() throws {
        let out = ReportOutput(path: nil)
        let cpus = try cpu.map(CPUList.parse)
        let input = AnalysisInput(path: file, rulesPath: rulesOption.rules)
        let result = try input.analyze()
        guard let span = result.timeSpan else {
            try out.write("\(file): no events\n")
            return
        }
        let lo = from.flatMap(Self.nanoseconds), hi = to.flatMap(Self.nanoseconds)
        let window: ClosedRange<UInt64>
        if lo != nil || hi != nil {
            window = (lo ?? span.lowerBound)...(hi ?? span.upperBound)
        } else {
            window = TimelineWindows.around(result.violations).first ?? span
        }
        let recorder = TimelineRecorder(windows: [window], itemLimit: 50_000)
        try input.replay(observers: [recorder])
        let columns = width ?? Self.terminalColumns() ?? 100
        try out.write(TimelineTerminal.render(recorder.windows[0], violations: result.violations, cpus: cpus,
                                              columns: columns, style: out.style))
    }

    /// "483.837848" → ns.
    static func nanoseconds(_ text: String) -> UInt64? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = UInt64(parts[0]) else { return nil }
        var frac: UInt64 = 0
        if parts.count == 2 {
            let digits = parts[1].prefix(9)
            guard digits.allSatisfy(\.isNumber), let f = UInt64(digits.isEmpty ? "0" : String(digits)) else { return nil }
            frac = f * UInt64(pow(10, Double(9 - digits.count)))
        }
        return whole * 1_000_000_000 + frac
    }

    static func terminalColumns() -> Int? {
        guard isatty(1) == 1 else { return nil }
        var size = winsize()
        return ioctl(1, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : nil
    }
}
