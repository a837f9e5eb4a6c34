import ArgumentParser

@main
struct Mmaudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mmaudit",
        abstract: "Audit Linux kernel traces for memory-management bugs.",
        subcommands: [AnalyzeCommand.self, DumpCommand.self, StatsCommand.self]
    )
}
