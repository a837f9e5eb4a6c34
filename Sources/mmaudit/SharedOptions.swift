import ArgumentParser
import Foundation
import TraceModel

/// `--rules FILE`, the same for every command that binds events.
struct RulesOption: ParsableArguments {
    @Option(help: ArgumentHelp("A rules file binding more events to roles (docs/rules.md).", valueName: "file"))
    var rules: String?

    /// The built-in bindings plus those of `--rules FILE`; a rules file that
    /// cannot be read or parsed is bad input (exit 2).
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

/// `-o OUT`, for commands that write a report.
struct OutputOption: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to this file instead of standard output.",
                                                   valueName: "out"))
    var output: String?
}
