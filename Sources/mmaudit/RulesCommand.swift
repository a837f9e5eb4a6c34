import ArgumentParser
import TraceInput
import TraceModel
import Checks
import Reports

/// `mmaudit rules`: every check, what it flags, the events it needs.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List every check: what it flags, the kernel rule behind it, the events it needs.",
        discussion: """
        For each rule: its id (as used in JSON, SARIF and diffs), what it flags and why \
        the kernel forbids it, the roles it reads (docs/rules.md) and the concrete events \
        that play them with the built-in bindings and any --rules file.

        EXIT STATUS
          0  listed;  2  bad usage or an unreadable rules file

        EXAMPLES
          mmaudit rules
          mmaudit rules --rules fixtures/rules/mmaudit_demo.rules
        """
    )

    @OptionGroup var rulesOption: RulesOption

    func run() throws {
        let table = try RulesOption.bindings(rulesPath: rulesOption.rules)
        var out = ""
        for check in CheckCatalog.all {
            let info = check.info
            out += "\(info.id): \(info.title)\n"
            out += wrap(info.rationale, indent: "    ") + "\n"
            out += "  needs: " + wrap(info.needs, indent: "    ").dropFirst(4) + "\n"
            guard let needs = RuleNeeds.of(info.id) else { continue }
            let plan = RecordingPlan.wanted(bindings: table, rules: [needs])
            let events = plan.tracepoints.map(\.description) + plan.systems.map { "\($0):*" }
                + plan.kprobes.map(\.what)
            if !events.isEmpty { out += "  events: " + events.joined(separator: ", ") + "\n" }
            if !plan.functions.isEmpty {
                out += "  function tracer on: " + plan.functions.joined(separator: " ") + "\n"
            }
            if !plan.unboundRoles.isEmpty {
                out += "  unbound roles: " + plan.unboundRoles.map(\.rawValue).joined(separator: ", ")
                    + " (bind a driver's events with --rules)\n"
            }
            out += "\n"
        }
        print(out, terminator: "")
    }

    /// Wraps prose at 88 columns for a terminal.
    private func wrap(_ text: String, indent: String) -> String {
        var lines: [String] = [], line = indent
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > 88 && line != indent { lines.append(line); line = indent }
            line += (line == indent ? "" : " ") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
