import ArgumentParser
import TraceInput
import TraceModel
import Checks
import Reports

/// `mmaudit diff BEFORE AFTER`: what a change fixed, what it broke.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two traces of the same workload: new, fixed and persisting violations, latencies.",
        discussion: """
        Analyzes BEFORE and AFTER (same rules) and matches their violations by signature, \
        which names the rule, the kind of finding and the task without its pid or instance \
        numbers, never a timestamp or an address. A violation is NEW when only AFTER has \
        its signature, FIXED when only BEFORE has it, PERSISTING when both do. A rule that \
        was skipped in either trace is not compared.

        Latencies are compared per series: invalidate-range durations by enum \
        mmu_notifier_event, lock-contention waits by the lock's symbol when the trace's \
        kallsyms names it, else by its type from lock:contention_begin's flags and whether it \
        is static or on the heap ("rwsem write, heap"; never by address: addresses change \
        between boots), tlb gather durations. Each shows count, p50, p90, p99 and \
        max before and after with the change; series with fewer than 30 samples on a side \
        are marked as too small to trust.

        EXIT STATUS
          0  compared (with --fail-on new: and AFTER has nothing BEFORE did not)
          1  --fail-on new was given and AFTER has violations BEFORE did not
          2  bad input or usage: unreadable trace or rules file, unknown option

        EXAMPLES
          mmaudit diff before.dat after.dat
          mmaudit diff before.dat after.dat --fail-on new        # a CI gate
          mmaudit diff base.dat patched.dat --format markdown --rules my-driver.rules
          mmaudit diff base.dat patched.dat --format html -o diff.html
        """
    )

    enum Format: String, Choice { case text, json, markdown, html }
    enum Gate: String, Choice { case new }

    @Argument(help: "The trace before the change.")
    var before: String

    @Argument(help: "The trace after the change.")
    var after: String

    @Option(help: "text, json, markdown or html.")
    var format: Format = .text

    @OptionGroup var out: OutputOption

    @OptionGroup var rulesOption: RulesOption

    @OptionGroup var colourOption: ColourOption

    @Option(name: .customLong("fail-on"), help: "new: exit 1 when AFTER has violations BEFORE did not.")
    var failOn: Gate?

    func run() throws {
        let report = ReportOutput(path: out.output, colour: colourOption.color.mode)
        var beforeInput = AnalysisInput(path: before, rulesPath: rulesOption.rules)
        var afterInput = AnalysisInput(path: after, rulesPath: rulesOption.rules)
        let b = try beforeInput.analyze(), a = try afterInput.analyze()
        let diff = TraceDiff(before: b, after: a)
        switch format {
        case .text: try report.write(DiffText.render(diff, style: report.style))
        case .json: try report.write(DiffJSON.render(diff))
        case .markdown: try report.write(DiffMarkdown.render(diff))
        case .html: try report.write(DiffHTML.render(diff))
        }
        if failOn == .new && diff.hasNew { throw GateFailed(message: "AFTER has violations BEFORE did not (--fail-on new)") }
    }
}
