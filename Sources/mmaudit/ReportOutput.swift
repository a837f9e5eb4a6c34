import ArgumentParser
import Foundation
import NativeBindings
import Reports

/// Where a report goes: a file with -o, else standard output. Colour only
/// on a terminal and only if NO_COLOR is unset (no-color.org).
struct ReportOutput {
    var path: String?

    var style: TerminalStyle {
        TerminalStyle(colour: path == nil && isatty(1) == 1
                      && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty)
    }

    func write(_ text: String) throws {
        guard let path else {
            try StandardOutput.write { $0.append(text) }
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw OutputError(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}

/// Standard output through one buffer: a plain write(2) through
/// NativeBindings, not FileHandle or print() (start-up costs count on small
/// traces). A failed write is an OutputError.
enum StandardOutput {
    static func write(_ body: (OutputBuffer) throws -> Void) throws {
        let out = OutputBuffer(fileDescriptor: 1)
        try OutputError.naming("standard output") {
            try body(out)
            try out.flush()
        }
    }
}
