/// Timestamps as ftrace text prints them, converted to nanoseconds exactly.
///
/// The kernel prints `%5lu.%06lu` (µs, rounded from ns: ns2usecs adds 500),
/// trace-cmd report `%6.1000d` (µs, also rounded) or with -t `%9.1d` (ns);
/// non-nanosecond clocks (counter, x86-tsc) print the raw count with no
/// dot. No floating point: seconds * 10^9 + fraction * 10^(9 - digits).
enum TextTimestamp {
    /// `timestampDigits` of tracefs latency-format lines: µs since the
    /// buffer's start, not since boot.
    static let relativeMicroseconds = -2

    private static let scale: [UInt64] = [
        1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000,
        10_000, 1_000, 100, 10, 1,
    ]

    /// Parses `from..<to` ("1234.567890", "1234.567890123", "987654321").
    /// Returns the nanoseconds and how many fraction digits the text had.
    static func parse(_ b: [UInt8], _ from: Int, _ to: Int) -> (ns: UInt64, digits: Int)? {
        // Every line has one: the arithmetic below is unchecked (&*, &+)
        // where the guards already rule overflow out.
        var i = from
        var secs: UInt64 = 0
        while i < to {
            let d = b[i] &- ASCII.zero
            if d >= 10 { break }
            // secs < max / 10, so secs * 10 + 9 still fits.
            guard secs < UInt64.max / 10 else { return nil }
            secs = secs &* 10 &+ UInt64(d)
            i += 1
        }
        guard i > from else { return nil }
        if i == to { return (secs, -1) }    // raw clock count: no unit known
        guard b[i] == ASCII.dot else { return nil }
        i += 1
        let fracStart = i
        var frac: UInt64 = 0
        while i < to {
            let d = b[i] &- ASCII.zero
            if d >= 10 { break }
            // Ten or more fraction digits is no timestamp, and would
            // overflow `frac` (found by fuzzing).
            guard i - fracStart < 9 else { return nil }
            frac = frac &* 10 &+ UInt64(d)
            i += 1
        }
        let digits = i - fracStart
        guard i == to, digits >= 1, digits <= 9 else { return nil }
        let (s, o1) = secs.multipliedReportingOverflow(by: 1_000_000_000)
        let (t, o2) = s.addingReportingOverflow(frac * scale[digits])
        guard !o1 && !o2 else { return nil }
        return (t, digits)
    }
}
