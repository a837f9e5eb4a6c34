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
            // Not FileHandle: a plain write(2) through NativeBindings, as
            // stats does (start-up costs count on small traces).
            let out = OutputBuffer(fileDescriptor: 1)
            out.append(text)
            try out.flush()
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            CommandErrors.printToStandardError("mmaudit: \(path): cannot write: \(error.localizedDescription)\n")
            throw ExitCode(2)
        }
    }
}
