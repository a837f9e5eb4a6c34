import ArgumentParser
import Foundation
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
            FileHandle.standardOutput.write(Data(text.utf8))
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
