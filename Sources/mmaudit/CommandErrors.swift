import ArgumentParser
import TraceInput
#if canImport(Glibc)
import Glibc
#endif

/// How every command reports unreadable input: one line on stderr, exit 2.
enum CommandErrors {
    static func exitOnInputError(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as TraceInputError {
            printToStandardError("mmaudit: \(e.description)\n")
            throw ExitCode(2)
        }
    }

    static func printToStandardError(_ text: String) {
        fputs(text, stderr)
    }
}
