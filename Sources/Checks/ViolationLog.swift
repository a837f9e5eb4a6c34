/// A check's findings: the first `keptPerSignature` occurrences of each
/// signature in full, with their evidence, and the rest folded into one
/// `FoldedViolations` per signature (count, first and last timestamp). The
/// signature is what `diff` matches on, so folding never merges findings a
/// diff would tell apart, and counts per signature stay exact.
public struct ViolationLog: Sendable {
    /// Occurrences of one signature reported in full. The fixtures' largest
    /// repeat is 18 (one spinlock bug hit by every loop of the workload), so
    /// real captures of a few bugs are never folded; a trace of thousands
    /// of copies is.
    public static let keptPerSignature = 32

    public private(set) var kept: [Violation] = []
    private var keptBySignature: [String: Int] = [:]
    private var foldedBySignature: [String: FoldedViolations] = [:]
    /// Signatures in the order they were first folded (stable reports).
    private var foldOrder: [String] = []

    public init() {}

    /// Folded occurrences, one entry per signature, ordered by rule then signature.
    public var folded: [FoldedViolations] {
        foldOrder.compactMap { foldedBySignature[$0] }.sorted { ($0.rule, $0.signature) < ($1.rule, $1.signature) }
    }

    /// Records `v`: kept in full while its signature has fewer than
    /// `keptPerSignature` kept, else folded.
    public mutating func add(_ v: Violation) {
        add(rule: v.rule, severity: v.severity, signature: v.signature, timestamp: v.timestamp) { v }
    }

    /// Records an occurrence, making its violation (message, evidence) only
    /// if it is kept in full: a check that finds the same thing thousands of
    /// times builds 32 messages, not thousands.
    public mutating func add(rule: String, severity: Severity, signature: String, timestamp: UInt64,
                             _ make: () -> Violation) {
        let n = keptBySignature[signature, default: 0]
        if n < Self.keptPerSignature {
            keptBySignature[signature] = n + 1
            kept.append(make())
        } else {
            fold(FoldedViolations(rule: rule, severity: severity, signature: signature, timestamp: timestamp))
        }
    }

    /// Records occurrences known only by their summary (their evidence was
    /// never kept).
    public mutating func fold(_ f: FoldedViolations) {
        if foldedBySignature[f.signature] == nil {
            foldedBySignature[f.signature] = f
            foldOrder.append(f.signature)
        } else {
            foldedBySignature[f.signature]!.merge(f)
        }
    }

    /// Everything `other` recorded, as if added here after this log's own.
    public mutating func add(contentsOf other: ViolationLog) {
        for v in other.kept { add(v) }
        for f in other.folded { fold(f) }
    }
}
