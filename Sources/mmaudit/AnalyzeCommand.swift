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

        Given several traces (or a directory: the *.dat files under it), analyzes each, \
        several at a time (at most one per core), prints each report and ends with one \
        table: trace, events, violations per rule, verdict. --format jsonl writes one JSON \
        document per trace, a line each, for fleets of traces (kernel CI). The exit status \
        is the worst of them all.

        FILTERS
          --cpu, --pid / --comm and --from / --to keep the findings whose moment is in the
          window and that (or one of whose evidence events) is on a chosen CPU and of a
          chosen task; the per-rule counts are of those. The whole trace is still read, so
          a window that starts mid-trace knows the locks, ranges and preempt state opened
          before it. A value the trace does not have is an error (exit 2).

        FORMATS
          text       a summary table per rule, then one entry per kind of finding: how
                     often, which tasks and CPUs, when, where to look, and its first
                     occurrence with the context open then (locks held, ranges open,
                     preempt depth) and its evidence events (--all: every finding);
                     findings that follow from another are shown under it; one
                     summary line at the end (--quiet: only that line); coloured on a
                     terminal unless NO_COLOR is set (--color always|never overrides)
          json       the same, as a JSON document (field names are stable)
          jsonl      that document on one line; one line per trace when given several
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
          mmaudit analyze trace.dat --comm kworker/1:2 --from 483.80 --to 483.90
          mmaudit analyze fleet/ --format jsonl -o results.jsonl
          trace-cmd report -N trace.dat > trace.txt && mmaudit analyze trace.txt
        """
    )

    enum Format: String, Choice { case text, json, jsonl, sarif, markdown, html }
    enum Gate: String, Choice { case error }

    @Argument(help: "trace.dat files or ftrace / trace-cmd report text (gzip'd, zstd'd, systrace or atrace too), directories of *.dat, or - (standard input).")
    var files: [String]

    @Option(help: "text, json, jsonl, sarif, markdown or html.")
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

    @Option(name: .customLong("color"), help: ColourOption.help)
    var color: ColourChoice = .auto

    @Flag(help: "Text and markdown: list every finding kept in full, not one example per kind of finding.")
    var all = false

    @Flag(name: .shortAndLong, help: "Text: print only the one-line summary (the exit status is unchanged).")
    var quiet = false

    @OptionGroup var filterOptions: FilterOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("Missing expected argument '<files> ...'") }
    }

    @Flag(help: StrictOption.help)
    var strict = false

    func run() throws {
        let report = ReportOutput(path: output, colour: color.mode)
        let paths = FleetAnalysis.expand(files)
        guard paths.count == 1, paths == files else { return try runMany(paths, report: report) }
        var input = AnalysisInput(path: paths[0], rulesPath: rules, filter: try filterOptions.filter)
        // HTML: the whole trace's overview is drawn in the analysis pass;
        // the windows around findings need a second one (they are known only
        // at the end), which stops once every window is complete.
        let overview = format == .html ? TimelineRecorder() : nil
        let all = try input.analyze(observers: overview.map { [$0] } ?? [])
        let result = all.filtered(by: input.filter)
        switch format {
        case .text where quiet: try report.write(AnalysisText.summaryLine(result, style: report.style) + "\n")
        case .text:
            try report.write(AnalysisText.render(result, style: report.style, all: self.all)
                             + filterOptions.note(result, of: all))
        case .json: try report.write(AnalysisJSON.render(result))
        case .jsonl: try report.write(FleetReport.jsonLine(FleetEntry(path: paths[0], result: result)))
        case .sarif: try report.write(AnalysisSARIF.render(result))
        case .markdown: try report.write(AnalysisMarkdown.render(result, all: self.all))
        case .html:
            let recorder = TimelineRecorder(windows: TimelineWindows.around(result.violations), recordsOverview: false)
            try input.replay(observers: [recorder], done: recorder.windowsAreComplete)
            recorder.overview = overview!.overview
            try report.write(AnalysisHTML.render(result, recording: recorder))
        }
        if let warning = result.damage.truncationWarning { CommandErrors.printToStandardError(warning) }
        try StrictOption.check(strict: strict, paths[0], lost: !result.damage.isEmpty)
        if failOn == .error && result.violations.contains(where: { $0.severity == .error }) { throw GateFailed() }
    }

    /// Several traces: each report, then the table (text), or a line each
    /// (jsonl); the exit status is the worst of them.
    private func runMany(_ paths: [String], report: ReportOutput) throws {
        guard format == .text || format == .jsonl else {
            throw ValidationError("--format \(format.rawValue) takes one trace; use text or jsonl for several")
        }
        let entries = try FleetAnalysis(paths: paths, rulesPath: rules, filter: filterOptions.filter).run()
        var text = ""
        for e in entries {
            if format == .jsonl { text += FleetReport.jsonLine(e); continue }
            guard let r = e.result else { continue }
            text += quiet ? "\(e.path): " + AnalysisText.summaryLine(r, style: report.style) + "\n"
                : AnalysisText.render(r, style: report.style, all: all) + filterOptions.note(r, of: nil) + "\n"
        }
        if format == .text && !quiet { text += FleetReport.table(entries, style: report.style) }
        try report.write(text)
        for e in entries {
            if let message = e.error { CommandErrors.printToStandardError(message + "\n") }
            if let warning = e.result?.damage.truncationWarning { CommandErrors.printToStandardError(warning) }
        }
        let lost = entries.contains { $0.result.map { !$0.damage.isEmpty } ?? false }
        if entries.contains(where: { $0.result == nil }) || (strict && lost) { throw WorstStatus(status: 2) }
        let failed = entries.contains { $0.result?.violations.contains { $0.severity == .error } == true }
        if failOn == .error && failed { throw GateFailed() }
    }
}
