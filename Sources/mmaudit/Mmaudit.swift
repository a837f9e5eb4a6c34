import ArgumentParser
import Foundation

@main
struct Mmaudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mmaudit",
        abstract: "Audit Linux kernel traces for memory-management bugs.",
        discussion: """
        EXIT STATUS
          0  success
          1  a gate failed (analyze --fail-on error, diff --fail-on new)
          2  bad input or usage
        """,
        subcommands: [AnalyzeCommand.self, DiffCommand.self, RulesCommand.self, RecordCommand.self,
                      TimelineCommand.self, ExportCommand.self, DumpCommand.self, StatsCommand.self]
    )

    /// ArgumentParser exits 64 on a usage error; mmaudit promises 2 for bad
    /// usage as for bad input, so scripts need test only 0, 1 and 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = fullMessage(for: error)
                if !message.isEmpty { CommandErrors.printToStandardError(message + "\n") }
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
