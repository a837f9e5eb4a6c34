import ArgumentParser
import Foundation
import TraceInput
import TraceModel
import Reports
import Checks

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

/// `--cpu`, `--pid`, `--comm`, `--from`, `--to`: the same options with the
/// same meaning on analyze, timeline, export and dump. They choose what is
/// shown, never what is read (TraceFilter).
struct FilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Show only these CPUs: \"0,2-3\".", valueName: "list"))
    var cpu: String?

    @Option(help: ArgumentHelp("Show only these tasks, by pid: \"412,413\".", valueName: "pids"))
    var pid: String?

    @Option(help: ArgumentHelp("Show only tasks of these names: \"kworker/0:1,workload\" (with --pid: either).",
                               valueName: "names"))
    var comm: String?

    @Option(help: ArgumentHelp("Start of the window: seconds as trace-cmd prints them (483.837848).", valueName: "t"))
    var from: String?

    @Option(help: ArgumentHelp("End of the window, in seconds.", valueName: "t"))
    var to: String?

    /// For each command's help: what the filter does to its output.
    static let meaning = """
        --cpu, --pid / --comm and --from / --to choose what is shown; the whole trace is \
        still read, so a window that starts mid-trace knows the locks, ranges and preempt \
        state opened before it. A value the trace does not have (a CPU, pid or name it \
        never shows, a window outside its span) is an error, exit status 2.
        """

    func validate() throws { _ = try filter }

    var filter: TraceFilter {
        get throws {
            var f = TraceFilter()
            f.cpus = try cpu.map(CPUList.parse)
            f.pids = try pid.map { text in
                Set(try text.split(separator: ",").map { part in
                    guard let n = Int32(part.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                        throw ValidationError("--pid: '\(part)' is not a pid")
                    }
                    return n
                })
            }
            f.comms = comm.map { Set($0.split(separator: ",").map(String.init)) }
            f.from = try from.map { try Self.seconds($0, option: "--from") }
            f.to = try to.map { try Self.seconds($0, option: "--to") }
            if let a = f.from, let b = f.to, b <= a { throw ValidationError("--to must be after --from") }
            return f
        }
    }

    /// The line under a filtered text report, so a clean-looking page is not
    /// taken for a clean trace: which options chose it, and how many of the
    /// whole trace's findings it shows (`all` nil: not known here). "" when
    /// nothing is filtered.
    func note(_ shown: AnalysisResult, of all: AnalysisResult?) -> String {
        let given = [("--cpu", cpu), ("--pid", pid), ("--comm", comm), ("--from", from), ("--to", to)]
            .compactMap { name, value in value.map { "\(name) \($0)" } }
        guard !given.isEmpty else { return "" }
        let count = { (r: AnalysisResult) in r.summary.values.reduce(0, +) }
        let of = all.map { " of the trace's \(count($0))" } ?? ""
        return "\nfiltered by \(given.joined(separator: " ")): \(count(shown))\(of) findings shown "
            + "(the whole trace was read)\n"
    }

    private static func seconds(_ text: String, option: String) throws -> UInt64 {
        guard let ns = TraceTime.nanoseconds(text) else {
            throw ValidationError("\(option): '\(text)' is not a time in seconds (e.g. 483.837848)")
        }
        return ns
    }
}

/// Times as trace-cmd prints them.
enum TraceTime {
    /// "483.837848" (also with report's trailing ':') → ns.
    static func nanoseconds(_ text: String) -> UInt64? {
        let text = text.hasSuffix(":") ? String(text.dropLast()) : text
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts[0].allSatisfy(\.isASCII), let whole = UInt64(parts[0]) else { return nil }
        var frac: UInt64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            frac = (UInt64(digits) ?? 0) * [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
                                             100_000_000, 1_000_000_000][9 - digits.count]
        }
        let (ns, overflow) = whole.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? nil : ns + frac
    }
}

/// ColourMode as an option value (Choice's fast defaults).
enum ColourChoice: String, Choice {
    case auto, always, never
    var mode: ColourMode { ColourMode(rawValue: rawValue) ?? .auto }
}

/// `--color auto|always|never`, for commands that print for a terminal.
struct ColourOption: ParsableArguments {
    static let help = ArgumentHelp("auto (on a terminal, unless NO_COLOR is set), always or never.", valueName: "when")

    @Option(name: .customLong("color"), help: help)
    var color: ColourChoice = .auto
}
