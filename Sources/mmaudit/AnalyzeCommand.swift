import ArgumentParser
import TraceInput
import TraceModel
import Checks
import Reports

/// `mmaudit analyze FILE`: rebuild the trace and run every check.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Run every check over a trace and report the violations with their evidence.",
        discussion: """
        Reads a trace-cmd trace.dat (v6 or v7) or ftrace text, rebuilds what every CPU and \
        task was doing, and runs the checks listed by `mmaudit rules`. A check that lacks \
        the events it needs is reported as skipped, with how to record them.

        FORMATS
          text       a summary table per rule, then each violation with the context
                     open at that moment (locks held, ranges open, preempt depth) and
                     its evidence events; coloured on a terminal unless NO_COLOR is set
          json       the same, as a JSON document (field names are stable)
          sarif      SARIF 2.1.0 for code-scanning tools: one result per violation
          markdown   for a mailing-list reply or a merge request
          html       one self-contained page: summary, per-rule tables and, for each
                     violation, a per-CPU timeline picture around it, plus an overview
                     of the whole trace (reads the trace twice)

        EXIT STATUS
          0  the analysis ran (violations or not, unless --fail-on error)
          1  --fail-on error was given and the trace has violations
          2  bad input or usage: unreadable trace or rules file, unknown option

        EXAMPLES
          mmaudit analyze trace.dat
          mmaudit analyze trace.dat --rules fixtures/rules/mmaudit_demo.rules
          mmaudit analyze trace.dat --format sarif -o mmaudit.sarif
          mmaudit analyze trace.dat --format html -o report.html
          trace-cmd report -N trace.dat > trace.txt && mmaudit analyze trace.txt
        """
    )

    enum Format: String, Choice { case text, json, sarif, markdown, html }
    enum Gate: String, Choice { case error }

    @Argument(help: "A trace.dat file or ftrace / trace-cmd report text; gzip'd, zstd'd, systrace, atrace or - (standard input) too.")
    var file: String

    @Option(help: "text, json, sarif, markdown or html.")
    var format: Format = .text

    // OutputOption's and RulesOption's options, declared here rather than
    // as option groups: ArgumentParser reflects each group's type again on
    // every parse, and analyze is the command whose start-up counts most
    // (about 0.2 ms of a run that is often 10 ms in all).
    @Option(name: .shortAndLong, help: OutputOption.help)
    var output: String?

    @Option(help: RulesOption.help)
    var rules: String?

    @Option(name: .customLong("fail-on"), help: "error: exit 1 when any check reports an error.")
    var failOn: Gate?

    @Flag(help: StrictOption.help)
    var strict = false

    func run() throws {
        let report = ReportOutput(path: output)
        let input = AnalysisInput(path: file, rulesPath: rules)
        let result = try input.analyze()
        switch format {
        case .text: try report.write(AnalysisText.render(result, style: report.style))
        case .json: try report.write(AnalysisJSON.render(result))
        case .sarif: try report.write(AnalysisSARIF.render(result))
        case .markdown: try report.write(AnalysisMarkdown.render(result))
        case .html:
            let recorder = TimelineRecorder(windows: TimelineWindows.around(result.violations))
            try input.replay(observers: [recorder])
            try report.write(AnalysisHTML.render(result, recording: recorder))
        }
        if let warning = result.damage.truncationWarning { CommandErrors.printToStandardError(warning) }
        try StrictOption.check(strict: strict, file, lost: !result.damage.isEmpty)
        if failOn == .error && result.violations.contains(where: { $0.severity == .error }) { throw GateFailed() }
    }
}
