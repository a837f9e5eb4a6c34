import ArgumentParser
import TraceInput

/// `--strict`: any data the reader could not read (unreadable pages or
/// lines, a truncated file's missing end) makes the command fail with exit
/// status 2 once its output is written, instead of the default: read what
/// can be read, say what was lost on stderr, exit 0.
struct StrictOption: ParsableArguments {
    static let help = ArgumentHelp("Exit with status 2 when any of the trace could not be read (damaged pages or lines, a truncated file).")

    @Flag(help: help)
    var strict = false

    func check(_ path: String, lost: Bool) throws { try Self.check(strict: strict, path, lost: lost) }

    /// Throws when `--strict` was given and `lost` is true.
    static func check(strict: Bool, _ path: String, lost: Bool) throws {
        guard strict, lost else { return }
        throw TraceInputError(path: path, message: "--strict: part of the trace could not be read (see above)")
    }
}
