import ArgumentParser
import NativeBindings
import TraceInput
import TraceModel
import Reports
#if canImport(Glibc)
import Glibc
#endif

/// A file a command was told to write (`-o`, `--perfetto`, standard output)
/// that cannot be written: names it and says why. Not an input error.
struct OutputError: Error, CustomStringConvertible {
    var path: String
    /// "cannot create: Permission denied", "write failed: No space left on device", …
    var reason: String
    /// The C error code, when the failure came from a system call.
    var code: NativeError.Code?

    init(path: String, reason: String, code: NativeError.Code? = nil) {
        self.path = path
        self.reason = reason
        self.code = code
    }

    init(path: String, _ error: NativeError) {
        self.init(path: path, reason: error.message, code: error.code)
    }

    var description: String { "\(path): \(reason)" }

    /// Runs `body`, a NativeError from it (only writes throw those here:
    /// readers turn theirs into TraceInputErrors) as an OutputError naming
    /// `path`.
    static func naming<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as NativeError {
            throw OutputError(path: path, e)
        }
    }
}

/// A gate the user asked for failed (`analyze --fail-on error`, `diff
/// --fail-on new`): exit 1, with `message` on stderr when there is one.
struct GateFailed: Error {
    var message: String?
}

/// The exit status of a run whose errors were already printed (several
/// traces analysed, some unreadable): the worst of them.
struct WorstStatus: Error {
    var status: Int32
}

/// The one place that turns what a command throws into what the user sees:
/// one line on stderr and the exit status (0 ok, 1 a gate failed, 2 bad
/// input, output or usage). Commands only throw.
enum CommandErrors {
    /// The line for stderr (without its newline; nil = none) and the exit
    /// status for `error`, or nil for errors ArgumentParser reports itself
    /// (help, version, an exit code a command chose).
    static func outcome(of error: Error) -> (message: String?, status: Int32)? {
        switch error {
        case let e as TraceInputError: return ("mmaudit: \(e.description)", 2)
        case let e as RulesFile.ParseError: return ("mmaudit: \(e.description)", 2)
        case let e as OutputError: return ("mmaudit: \(e.description)", 2)
        case let e as FilterError: return ("mmaudit: \(e.description)", 2)
        case let e as UnknownEventError: return ("mmaudit: \(e.description)", 2)
        case let e as GateFailed: return (e.message.map { "mmaudit: \($0)" }, 1)
        case let e as WorstStatus: return (nil, e.status)
        default:
            // ArgumentParser exits 64 on a usage error; mmaudit promises 2
            // for bad usage as for bad input, so scripts need test only 0, 1
            // and 2.
            guard Mmaudit.exitCode(for: error) == .validationFailure else { return nil }
            let message = Mmaudit.fullMessage(for: error)
            return (message.isEmpty ? nil : message, 2)
        }
    }

    static func printToStandardError(_ text: String) {
        fputs(text, stderr)
    }
}

/// A filter value the trace does not have (TraceFilter.Problem): the
/// option, the value and what the trace does have, in one line.
struct FilterError: Error, CustomStringConvertible {
    var path: String
    var problem: TraceFilter.Problem

    var description: String {
        switch problem {
        case .cpu(let cpu, let count):
            return "\(path): --cpu \(cpu): the trace has " + (count == 1 ? "CPU 0 only" : "CPUs 0-\(count - 1)")
        case .pid(let pid, let known):
            let near = known.sorted { abs(Int($0) - Int(pid)) < abs(Int($1) - Int(pid)) }.prefix(5).sorted()
            guard let lo = known.min(), let hi = known.max() else { return "\(path): --pid \(pid): the trace has no tasks" }
            return "\(path): --pid \(pid): no task has that pid in the trace (\(known.count) tasks, pids \(lo)-\(hi); "
                + "nearest: " + near.map(String.init).joined(separator: ", ") + ")"
        case .comm(let name, let known):
            return "\(path): --comm \(name): no task of that name in the trace (\(known.count) names"
                + Suggestions.phrase(for: name, among: known) + ")"
        case .window(let from, let to, let span):
            let asked = [from.map { "--from \(TimeFormat.seconds($0))" }, to.map { "--to \(TimeFormat.seconds($0))" }]
                .compactMap { $0 }.joined(separator: " ")
            guard let span else { return "\(path): \(asked): the trace has no events" }
            return "\(path): \(asked): outside the trace, which spans "
                + "\(TimeFormat.seconds(span.lowerBound)) .. \(TimeFormat.seconds(span.upperBound))"
        }
    }

    /// Throws for the first value of `filter` that `extent` lacks.
    static func check(_ filter: TraceFilter, against extent: TraceExtent, path: String) throws {
        if let first = filter.problems(against: extent).first { throw FilterError(path: path, problem: first) }
    }
}

/// `dump --events` naming an event the trace has no format for.
struct UnknownEventError: Error, CustomStringConvertible {
    var path: String
    var pattern: String
    var known: [String]

    var description: String {
        // "name" alone is compared with the names, "system:name" with both.
        let bare = !pattern.contains(":")
        let byName = Dictionary(grouping: known) { bare ? String($0.split(separator: ":").last ?? "") : $0 }
        let near = Suggestions.closest(to: pattern, among: Array(byName.keys)).flatMap { byName[$0] ?? [] }
        return "\(path): --events \(pattern): no such event in the trace (\(known.count) event names known)"
            + (near.isEmpty ? "" : "; did you mean " + near.joined(separator: ", ") + "?")
    }
}
