import ArgumentParser
import Foundation
import NativeBindings
import Reports

/// Where a report goes: a file with -o, else (or with `-o -`) standard
/// output; coloured as `--color` says (TerminalStyle).
struct ReportOutput {
    var path: String?
    var colour: ColourMode = .auto

    var isStandardOutput: Bool { path == nil || path == "-" }

    /// The destination as error lines name it.
    var name: String { isStandardOutput ? "standard output" : path! }

    var style: TerminalStyle {
        TerminalStyle(mode: colour, toTerminal: isStandardOutput && isatty(1) == 1,
                      environment: ProcessInfo.processInfo.environment)
    }

    func write(_ text: String) throws {
        try withBuffer { $0.append(text) }
    }

    /// Writes through one buffer (write(2) through NativeBindings); a file
    /// that cannot be created or written is an OutputError naming it and
    /// the system's reason ("cannot create: Permission denied").
    func withBuffer(_ body: (OutputBuffer) throws -> Void) throws {
        try OutputError.naming(name) {
            let out = isStandardOutput ? OutputBuffer(fileDescriptor: 1) : try OutputBuffer(creating: path!)
            try body(out)
            try out.flush()
        }
    }
}

/// Standard output through one buffer: a plain write(2), not FileHandle or
/// print() (start-up costs count on small traces). A failed write is an
/// OutputError.
enum StandardOutput {
    static func write(_ body: (OutputBuffer) throws -> Void) throws {
        try ReportOutput(path: nil).withBuffer(body)
    }
}
