/// Timestamps as trace-cmd prints them ("483.837848"), so a user can find an
/// evidence line in `trace-cmd report` output.
public enum TimeFormat {
    public static func seconds(_ ns: UInt64) -> String {
        let us = (ns + 500) / 1000
        let frac = String(us % 1_000_000)
        return "\(us / 1_000_000)." + String(repeating: "0", count: 6 - frac.count) + frac
    }

    /// A duration in the unit that reads best.
    public static func duration(_ ns: UInt64) -> String {
        if ns >= 1_000_000_000 { return String(format1(Double(ns) / 1e9)) + " s" }
        if ns >= 1_000_000 { return String(format1(Double(ns) / 1e6)) + " ms" }
        if ns >= 1_000 { return String(format1(Double(ns) / 1e3)) + " µs" }
        return "\(ns) ns"
    }

    private static func format1(_ x: Double) -> String {
        let scaled = (x * 10).rounded() / 10
        return scaled == scaled.rounded() ? String(Int(scaled)) : String(scaled)
    }
}
