import ArgumentParser
import Foundation
import TraceInput
import TraceModel

/// `--rules FILE`, the same for every command that binds events.
struct RulesOption: ParsableArguments {
    static let help = ArgumentHelp("A rules file binding more events to roles (docs/rules.md).", valueName: "file")

    @Option(help: help)
    var rules: String?

    /// The built-in bindings plus those of `--rules FILE`; a rules file that
    /// cannot be read (TraceInputError) or parsed (RulesFile.ParseError) is
    /// bad input.
    static func bindings(rulesPath: String?) throws -> BindingTable {
        var table = BuiltinBindings.table
        guard let rulesPath else { return table }
        let text: String
        do {
            text = try String(contentsOfFile: rulesPath, encoding: .utf8)
        } catch {
            throw TraceInputError(path: rulesPath, message: "cannot read the rules file")
        }
        table.merge(try RulesFile.parse(text, path: rulesPath))
        return table
    }
}

/// `-o OUT`, for commands that write a report.
struct OutputOption: ParsableArguments {
    static let help = ArgumentHelp("Write the report to this file instead of standard output.", valueName: "out")

    @Option(name: .shortAndLong, help: help)
    var output: String?
}

/// An option whose values are an enum's raw names. ArgumentParser's own
/// defaults for such enums list the values through String(describing:) and
/// generic code, run for every option of every command on each parse; these
/// read the raw values directly (a fifth of a millisecond off every run of
/// analyze, which is often most of a small trace's analysis).
protocol Choice: ExpressibleByArgument, CaseIterable, RawRepresentable where RawValue == String {}

extension Choice {
    static var allValueStrings: [String] { allCases.map { $0.rawValue } }
    static var allValueDescriptions: [String: String] { [:] }
    static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
    var defaultValueDescription: String { rawValue }
}
