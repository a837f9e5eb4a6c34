import TraceModel
import Checks

/// Two analyses of the same workload, before and after a change: which
/// violations are new, fixed or persisting (matched by their signature,
/// which holds no timestamps, pids or addresses), and how the span latencies
/// moved. A rule skipped on either side is not compared: its violations are
/// neither new nor fixed, only "not comparable".
public struct TraceDiff: Sendable {
    public enum Status: String, Sendable, CaseIterable {
        case new, fixed, persisting
        case notComparable = "not comparable"
    }

    /// Violations sharing one signature.
    public struct Finding: Sendable {
        public var signature: String
        public var rule: String
        public var status: Status
        public var before: [Violation]
        public var after: [Violation]
        /// Occurrences on each side: those above plus the folded ones.
        public var beforeCount: Int
        public var afterCount: Int
        /// A representative: the first after, else the first before.
        public var example: Violation { after.first ?? before.first! }
    }

    public struct RuleCounts: Sendable, Hashable {
        public var rule: String
        public var before: Int
        public var after: Int
        public var new: Int
        public var fixed: Int
        public var persisting: Int
        public var comparable: Bool
    }

    public var before: AnalysisResult
    public var after: AnalysisResult
    /// new, then persisting, then fixed, then not comparable; by rule within.
    public var findings: [Finding]
    public var rules: [RuleCounts]
    public var latencies: [LatencyChange]

    /// AFTER has violations BEFORE did not: what `--fail-on new` gates on.
    public var hasNew: Bool { findings.contains { $0.status == .new } }

    public func findings(_ status: Status) -> [Finding] { findings.filter { $0.status == status } }

    public init(before: AnalysisResult, after: AnalysisResult) {
        self.before = before
        self.after = after
        let ran = { (r: AnalysisResult, rule: String) in r.checks.first { $0.rule == rule }?.ran ?? false }
        // Notes are facts about the trace's edges, not findings to track.
        let b = Dictionary(grouping: before.violations.filter { $0.severity != .note }, by: \.signature)
        let a = Dictionary(grouping: after.violations.filter { $0.severity != .note }, by: \.signature)
        // A folded signature always has its first occurrences in full, so
        // it is among the keys above.
        let foldedBefore = Dictionary(before.folded.map { ($0.signature, $0.count) }, uniquingKeysWith: +)
        let foldedAfter = Dictionary(after.folded.map { ($0.signature, $0.count) }, uniquingKeysWith: +)
        var findings: [Finding] = []
        for signature in Set(b.keys).union(a.keys) {
            let vb = b[signature] ?? [], va = a[signature] ?? []
            let rule = (va.first ?? vb.first)!.rule
            let status: Status = !(ran(before, rule) && ran(after, rule)) ? .notComparable
                : vb.isEmpty ? .new : va.isEmpty ? .fixed : .persisting
            findings.append(Finding(signature: signature, rule: rule, status: status, before: vb, after: va,
                                    beforeCount: vb.count + (vb.isEmpty ? 0 : foldedBefore[signature] ?? 0),
                                    afterCount: va.count + (va.isEmpty ? 0 : foldedAfter[signature] ?? 0)))
        }
        let order = Status.allCases
        findings.sort {
            ($0.status == $1.status) ? ($0.rule, $0.signature) < ($1.rule, $1.signature)
                : order.firstIndex(of: $0.status)! < order.firstIndex(of: $1.status)!
        }
        self.findings = findings
        let ruleIDs = CheckCatalog.all.map { $0.info.id }
        rules = ruleIDs.map { rule in
            let fs = findings.filter { $0.rule == rule }
            return RuleCounts(rule: rule, before: fs.reduce(0) { $0 + $1.beforeCount },
                              after: fs.reduce(0) { $0 + $1.afterCount },
                              new: fs.filter { $0.status == .new }.reduce(0) { $0 + $1.afterCount },
                              fixed: fs.filter { $0.status == .fixed }.reduce(0) { $0 + $1.beforeCount },
                              persisting: fs.filter { $0.status == .persisting }.reduce(0) { $0 + $1.afterCount },
                              comparable: ran(before, rule) && ran(after, rule))
        }
        let keys = Set(before.latencies.keys).union(after.latencies.keys).sorted()
        latencies = keys.map { LatencyChange(key: $0, before: before.latencies[$0], after: after.latencies[$0]) }
    }
}

/// One latency series before and after.
public struct LatencyChange: Sendable {
    public struct Summary: Sendable, Hashable {
        public var count: Int
        public var p50: UInt64
        public var p90: UInt64
        public var p99: UInt64
        public var max: UInt64

        init?(_ h: LatencyHistogram?) {
            guard let h, h.count > 0 else { return nil }
            count = h.count
            p50 = h.quantile(0.5)!
            p90 = h.quantile(0.9)!
            p99 = h.quantile(0.99)!
            max = h.max
        }
    }

    /// Below this many samples on either side, percentiles move by chance
    /// more than by change (a p99 needs 100 samples even to exist).
    public static let trustworthyCount = 30

    public var key: LatencyKey
    public var before: Summary?
    public var after: Summary?

    init(key: LatencyKey, before: LatencyHistogram?, after: LatencyHistogram?) {
        self.key = key
        self.before = Summary(before)
        self.after = Summary(after)
    }

    /// Why the numbers should not be trusted, if they should not.
    public var caveat: String? {
        let counts = [before?.count ?? 0, after?.count ?? 0]
        if counts.contains(0) { return "only on one side" }
        if let least = counts.min(), least < Self.trustworthyCount {
            return "too few samples to trust (\(least) < \(Self.trustworthyCount))"
        }
        if let least = counts.min(), least < 100 { return "p99 rests on fewer than 100 samples" }
        return nil
    }

    /// The relative change of a statistic, "+12%" / "-40%" / "=".
    public static func change(_ b: UInt64?, _ a: UInt64?) -> String {
        guard let b, let a else { return "" }
        if a == b { return "=" }
        guard b > 0 else { return "+∞" }
        let pct = (Double(a) - Double(b)) / Double(b) * 100
        let rounded = abs(pct) >= 10 ? String(Int(pct.rounded())) : String((pct * 10).rounded() / 10)
        return (pct > 0 ? "+" : "") + rounded + "%"
    }
}
