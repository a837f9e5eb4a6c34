import TraceModel

public enum Severity: String, Sendable, Codable, Comparable {
    case error, warning, note

    var rank: Int { self == .error ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// One finding, with the events that prove it.
public struct Violation: Sendable, Codable, Hashable {
    public var rule: String
    public var severity: Severity
    /// The moment of the violation (the sleep, the end of the range).
    public var timestamp: UInt64
    public var cpu: Int
    public var pid: Int32
    public var comm: String
    public var message: String
    /// Stable across runs and traces (no timestamps, pids or addresses), so
    /// a diff of two traces can match violations.
    public var signature: String
    public var evidence: [EvidenceEvent]
    /// What was open in the task then: locks, ranges, preempt depth.
    public var openContext: [String]
    /// The finding this one follows from (a corrupted preempt count after
    /// an atomic sleep), so reports show it under that root, not as a peer.
    public var consequenceOf: FindingReference?

    public init(rule: String, severity: Severity, timestamp: UInt64, cpu: Int, pid: Int32, comm: String,
                message: String, signature: String, evidence: [EvidenceEvent], openContext: [String] = []) {
        self.rule = rule
        self.severity = severity
        self.timestamp = timestamp
        self.cpu = cpu
        self.pid = pid
        self.comm = comm
        self.message = message
        self.signature = signature
        self.evidence = evidence
        self.openContext = openContext
    }

    /// This finding's identity for `consequenceOf`.
    public var reference: FindingReference {
        FindingReference(rule: rule, signature: signature, timestamp: timestamp, cpu: cpu, pid: pid)
    }

    /// A task name without its instance numbers ("kworker/1:2" → "kworker/N:N"),
    /// for signatures that must match across runs.
    public static func stableComm(_ comm: String) -> String {
        // Task names are nearly always ASCII, where only 0-9 are numbers:
        // bytes, not Characters (grapheme breaking costs per character).
        if comm.utf8.allSatisfy({ $0 < 0x80 }) {
            var out: [UInt8] = []
            out.reserveCapacity(comm.utf8.count)
            var inDigits = false
            for b in comm.utf8 {
                let digit = b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
                if !digit { out.append(b) } else if !inDigits { out.append(UInt8(ascii: "N")) }
                inDigits = digit
            }
            return String(decoding: out, as: UTF8.self)
        }
        var out = "", inDigits = false
        for c in comm {
            if c.isNumber { if !inDigits { out.append("N") }; inDigits = true } else { out.append(c); inDigits = false }
        }
        return out
    }
}

/// Names one finding of a trace: its rule and signature (the group it is
/// in) and its moment, CPU and task (which one of the group).
public struct FindingReference: Sendable, Codable, Hashable {
    public var rule: String
    public var signature: String
    public var timestamp: UInt64
    public var cpu: Int
    public var pid: Int32
}

extension Check {
    public func limits(model: TraceModel) -> String? { nil }
}

/// What a rule is, for reports, SARIF and `mmaudit rules`.
public struct RuleInfo: Sendable, Codable, Hashable {
    public var id: String
    public var title: String
    /// The kernel rule behind it.
    public var rationale: String
    /// The roles / events it needs.
    public var needs: String
}

/// A rule over the rebuilt trace. It watches the model as events arrive and
/// says at the end what it found, or why it could not run.
/// A rule. Adding one is one file that conforms to this plus its entry in
/// `CheckCatalog.all`: its needs (for `rules` and `record`) and how it is
/// made (for `analyze`) come from the type.
public protocol Check: ModelObserver {
    static var info: RuleInfo { get }
    /// What it reads: events by name and the roles some binding must play.
    static var needs: RuleNeeds { get }
    init()
    /// nil when the check ran; otherwise why it could not (the events the
    /// trace lacks and how to record them).
    func skipReason(model: TraceModel) -> String?
    /// For a check that ran: what it could not judge in this trace and
    /// why (a clean result is then not the whole answer), else nil.
    func limits(model: TraceModel) -> String?
    /// Reported in full (the first `ViolationLog.keptPerSignature` of each signature).
    var violations: [Violation] { get }
    /// The occurrences beyond those, counted per signature.
    var folded: [FoldedViolations] { get }
}
