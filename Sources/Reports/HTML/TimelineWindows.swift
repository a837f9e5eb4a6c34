import TraceModel
import Checks

/// Which violations get a timeline picture, and the window around each: the
/// evidence from first to last event, padded by a quarter of its length on
/// each side (at least 200 µs), so what led up to the violation shows.
public enum TimelineWindows {
    /// At most this many pictures per report: each costs a window of items.
    public static let limit = 50

    /// The violations pictured: errors and warnings, in order, up to `limit`.
    public static func pictured(_ violations: [Violation]) -> [Violation] {
        Array(violations.filter { $0.severity != .note }.prefix(limit))
    }

    public static func around(_ violations: [Violation]) -> [ClosedRange<UInt64>] {
        pictured(violations).map(around)
    }

    public static func around(_ v: Violation) -> ClosedRange<UInt64> {
        let times = v.evidence.map(\.timestamp) + [v.timestamp]
        let lo = times.min()!, hi = times.max()!
        let pad = max((hi - lo) / 4, 200_000)
        return (lo > pad ? lo - pad : 0)...(hi + pad)
    }
}
