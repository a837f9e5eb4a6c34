import Foundation
import TraceInput
import Reports

/// A progress line on stderr while a long trace is read: only when stderr is
/// a terminal, so pipes, files and CI logs stay clean, and only once the
/// work has taken `delay` (a trace read in a second needs none: the line
/// would flash and vanish). The readers stream and cannot say how much is
/// left, so the bar moves back and forth while the count of events and the
/// trace time go up.
final class ProgressDisplay {
    /// How long work runs before the line appears.
    static let delay: Duration = .milliseconds(1500)

    private let label: String
    private let enabled: Bool
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var shown = false
    private var tick = 0

    init(label: String, enabled: Bool = true) {
        self.label = label
        self.enabled = enabled && isatty(2) == 1
        start = clock.now
    }

    func update(_ events: Int, _ latest: TraceEvent) {
        guard enabled, shown || clock.now - start >= Self.delay else { return }
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
