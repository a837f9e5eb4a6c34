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
          2  bad input or usage, or an output that cannot be written
        """,
        version: Mmaudit.version,
        subcommands: [AnalyzeCommand.self, DiffCommand.self, RulesCommand.self, RecordCommand.self,
                      TimelineCommand.self, ExportCommand.self, DumpCommand.self, StatsCommand.self]
    )

    /// What `mmaudit --version` prints.
    static let version = "mmaudit 0.1.0"

    /// Every error ends here, mapped to its message and exit status by
    /// CommandErrors.outcome.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard let (message, status) = CommandErrors.outcome(of: error) else { exit(withError: error) }
            if let message { CommandErrors.printToStandardError(message + "\n") }
            Foundation.exit(status)
        }
    }
}
