/// A distribution of durations in bounded memory. Up to `exactLimit`
/// samples are kept as they are, so the percentiles of a small trace are
/// exact; past that, log-linear buckets (64 per power of two, under 1.6 %
/// error) keep memory constant however long the trace is.
public struct LatencyHistogram: Sendable, Hashable {
    public private(set) var count = 0
    public private(set) var min: UInt64 = .max
    public private(set) var max: UInt64 = 0
    public private(set) var total: UInt64 = 0
    private var exact: [UInt64] = []
    /// Samples per bucket, by bucket number, up to the highest bucket used:
    /// at most 3,776 counts (`bucket(of: .max)`), and an index is cheaper
    /// than hashing on every sample.
    private var buckets: [Int] = []

    public static let exactLimit = 2048
    static let subBits = 6

    public init() {}

    public init<S: Sequence>(_ samples: S) where S.Element == UInt64 {
        for s in samples { add(s) }
    }

    public mutating func add(_ ns: UInt64) {
        count += 1
        min = Swift.min(min, ns)
        max = Swift.max(max, ns)
        total &+= ns
        let b = Self.bucket(of: ns)
        if b >= buckets.count { buckets += repeatElement(0, count: b + 1 - buckets.count) }
        buckets[b] += 1
        if count <= Self.exactLimit { exact.append(ns) } else if !exact.isEmpty { exact = [] }
    }

    /// The smallest sample with at least `q` of all samples at or below it
    /// (nearest rank); nil for an empty distribution.
    public func quantile(_ q: Double) -> UInt64? {
        guard count > 0 else { return nil }
        let rank = Swift.max(1, Int((q * Double(count)).rounded(.up)))
        if !exact.isEmpty { return exact.sorted()[rank - 1] }
        var seen = 0
        for (key, n) in buckets.enumerated() where n > 0 {
            seen += n
            if seen >= rank { return Swift.min(Swift.max(Self.lowerBound(of: key), min), max) }
        }
        return max
    }

    public var mean: UInt64? { count > 0 ? total / UInt64(count) : nil }

    static func bucket(of v: UInt64) -> Int {
        if v < 1 << subBits { return Int(v) }
        let exponent = 63 - v.leadingZeroBitCount
        let sub = Int((v >> UInt64(exponent - subBits)) & ((1 << subBits) - 1))
        return (exponent - subBits + 1) << subBits | sub
    }

    static func lowerBound(of key: Int) -> UInt64 {
        let group = key >> subBits, sub = UInt64(key & ((1 << subBits) - 1))
        if group == 0 { return sub }
        let exponent = group + subBits - 1
        return (1 << UInt64(exponent)) | (sub << UInt64(exponent - subBits))
    }
}
