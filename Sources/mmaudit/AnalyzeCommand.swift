import ArgumentParser
import Foundation
import TraceInput
import TraceModel
import Checks
import Reports

/// `mmaudit analyze FILE`: rebuild the trace and run every check.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Find memory-management rule violations in a trace, with the events that prove them.",
        discussion: """
            Rebuilds what every CPU and task was doing (running task, preempt depth, irq context, \
            open invalidations, tlb gathers and locks) and runs the checks: atomic-sleep, \
            unbalanced-invalidation, missing-invalidation (see docs/rules.md). A check that lacks \
            the events it needs is reported as skipped, with the reason.

            Events of drivers and probes that the built-in bindings do not know are bound to \
            roles with --rules (syntax in docs/rules.md).

            EXAMPLES:
              mmaudit analyze trace.dat
              mmaudit analyze trace.dat --rules fixtures/rules/mmaudit_demo.rules --format json
              trace-cmd report -N trace.dat > report.txt; mmaudit analyze report.txt

            EXIT STATUS: 0 whether or not violations are found; 2 for bad input or usage.
            """
    )

    enum OutputFormat: String, ExpressibleByArgument { case text, json }

    @Argument(help: "A trace.dat file (version 6 or 7), or ftrace / trace-cmd report text (also .gz).")
    var file: String

    @Option(help: "A rules file binding more events to roles (docs/rules.md).")
    var rules: String?

    @Option(help: "text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let bindings = try RulesOption.bindings(rulesPath: rules)
        try CommandErrors.exitOnInputError {
            let reader = try openTrace(path: file)
            let functions = FunctionNames(symbolize: { [reader] in reader.symbolize($0) })
            let result = try Analysis.run(reader, bindings: bindings, functions: functions)
            switch format {
            case .text: print(AnalysisText.render(result), terminator: "")
            case .json: print(try AnalysisJSON.render(result), terminator: "")
            }
        }
    }
}

/// The built-in bindings plus those of `--rules FILE`.
enum RulesOption {
    static func bindings(rulesPath: String?) throws -> BindingTable {
        var table = BuiltinBindings.table
        guard let rulesPath else { return table }
        do {
            let text = try String(contentsOfFile: rulesPath, encoding: .utf8)
            table.merge(try RulesFile.parse(text, path: rulesPath))
        } catch let e as RulesFile.ParseError {
            CommandErrors.printToStandardError("mmaudit: \(e.description)\n")
            throw ExitCode(2)
        } catch {
            CommandErrors.printToStandardError("mmaudit: \(rulesPath): cannot read the rules file\n")
            throw ExitCode(2)
        }
        return table
    }
}
