/// Occurrences of one violation signature beyond the ones reported in full:
/// a trace that repeats one bug 64,000 times reports its first
/// `ViolationLog.keptPerSignature` occurrences with their evidence and
/// counts the rest here, so memory and reports follow the distinct problems,
/// not the trace's length, while every count stays the true total.
public struct FoldedViolations: Sendable, Codable, Hashable {
    /// How many folded timestamps a summary keeps (the earliest ones).
    public static let sampleLimit = 8

    public var rule: String
    public var severity: Severity
    public var signature: String
    /// Occurrences folded (not in `AnalysisResult.violations`).
    public var count: Int
    public var firstTimestamp: UInt64
    public var lastTimestamp: UInt64
    /// The earliest folded occurrences' timestamps, at most `sampleLimit`.
    public var sampleTimestamps: [UInt64]

    public init(rule: String, severity: Severity, signature: String, timestamp: UInt64) {
        self.rule = rule
        self.severity = severity
        self.signature = signature
        count = 1
        firstTimestamp = timestamp
        lastTimestamp = timestamp
        sampleTimestamps = [timestamp]
    }

    /// Adds `other`'s occurrences (same signature).
    public mutating func merge(_ other: FoldedViolations) {
        count += other.count
        firstTimestamp = min(firstTimestamp, other.firstTimestamp)
        lastTimestamp = max(lastTimestamp, other.lastTimestamp)
        sampleTimestamps = Array((sampleTimestamps + other.sampleTimestamps).sorted().prefix(Self.sampleLimit))
    }

    /// One more occurrence at `timestamp`.
    public mutating func add(timestamp: UInt64) {
        count += 1
        firstTimestamp = min(firstTimestamp, timestamp)
        lastTimestamp = max(lastTimestamp, timestamp)
        // `merge` of one occurrence, without building one: the samples
        // change only while fewer than the limit or if it is earlier than one.
        if sampleTimestamps.count < Self.sampleLimit || sampleTimestamps.contains(where: { $0 > timestamp }) {
            sampleTimestamps = Array((sampleTimestamps + [timestamp]).sorted().prefix(Self.sampleLimit))
        }
    }
}
