import ArgumentParser
import NativeBindings
import TraceInput
import TraceModel
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
        case let e as GateFailed: return (e.message.map { "mmaudit: \($0)" }, 1)
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
