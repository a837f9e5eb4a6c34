import Foundation
import TraceInput
import Reports

/// A progress line on stderr while a long trace is read: only when stderr is
/// a terminal, so pipes, files and CI logs stay clean. The readers stream and
/// cannot say how much is left, so the bar moves back and forth while the
/// count of events and the trace time go up.
final class ProgressDisplay {
    private let label: String
    private let enabled: Bool
    private var shown = false
    private var tick = 0

    init(label: String) {
        self.label = label
        enabled = isatty(2) == 1
    }

    func update(_ events: Int, _ latest: TraceEvent) {
        guard enabled else { return }
        tick += 1
        let width = 20, pos = tick % (2 * width - 2)
        let at = pos < width ? pos : 2 * width - 2 - pos
        let bar = String(repeating: " ", count: at) + "###" + String(repeating: " ", count: width - at)
        let text = "\r\(label) [\(bar)] \(events) events, at \(TimeFormat.seconds(latest.timestamp))"
        fputs(text, stderr)
        shown = true
    }

    func finish() {
        guard shown else { return }
        fputs("\r\u{1B}[K", stderr)  // erase the line
        shown = false
    }
}
