import Checks

/// The findings of one signature, shown as one entry: a bug hit 18 times
/// (or 64,000) is one problem, told once with a worked example, the count,
/// the tasks, the CPUs and the time span of its occurrences (issue 19:
/// one group per signature rather than a block per occurrence).
public struct FindingGroup: Sendable {
    public var rule: String
    public var severity: Severity
    public var signature: String
    /// The occurrences kept in full, in time order (the first is the example).
    public var shown: [Violation]
    /// The occurrences beyond those (only counted).
    public var folded: FoldedViolations?
    /// Groups whose findings follow from this group's (shown under it).
    public var consequences: [FindingGroup] = []

    public var count: Int { shown.count + (folded?.count ?? 0) }
    public var example: Violation? { shown.first }

    /// "comm-pid" of the occurrences kept in full, in order of first seen.
    public var tasks: [String] {
        var out: [String] = []
        for v in shown where !out.contains("\(v.comm)-\(v.pid)") { out.append("\(v.comm)-\(v.pid)") }
        return out
    }

    /// CPUs of the occurrences kept in full and of their evidence.
    public var cpus: [Int] {
        Array(Set(shown.flatMap { [$0.cpu] + $0.evidence.map(\.cpu) })).sorted()
    }

    public var firstTimestamp: UInt64 {
        min(shown.map(\.timestamp).min() ?? .max, folded?.firstTimestamp ?? .max)
    }

    public var lastTimestamp: UInt64 {
        max(shown.map(\.timestamp).max() ?? 0, folded?.lastTimestamp ?? 0)
    }
}

public enum FindingGroups {
    /// One group per signature of `r`'s findings, most severe first, then in
    /// order of first occurrence; a group whose every finding names a root
    /// (`Violation.consequenceOf`) in another group is put under that group.
    public static func of(_ r: AnalysisResult) -> [FindingGroup] {
        var order: [String] = []
        var bySignature: [String: FindingGroup] = [:]
        for v in r.violations {
            if bySignature[v.signature] == nil {
                order.append(v.signature)
                bySignature[v.signature] = FindingGroup(rule: v.rule, severity: v.severity, signature: v.signature,
                                                        shown: [], folded: nil)
            }
            bySignature[v.signature]!.shown.append(v)
        }
        for f in r.folded {
            if bySignature[f.signature] == nil {
                order.append(f.signature)
                bySignature[f.signature] = FindingGroup(rule: f.rule, severity: f.severity, signature: f.signature,
                                                        shown: [], folded: nil)
            }
            bySignature[f.signature]!.folded = f
        }
        var top: [FindingGroup] = []
        var children: [String: [FindingGroup]] = [:]
        for signature in order {
            let g = bySignature[signature]!
            let roots = Set(g.shown.compactMap(\.consequenceOf?.signature))
            if g.folded == nil, !g.shown.isEmpty, g.shown.allSatisfy({ $0.consequenceOf != nil }), roots.count == 1,
               let root = roots.first, root != signature, bySignature[root] != nil {
                children[root, default: []].append(g)
            } else {
                top.append(g)
            }
        }
        for i in top.indices { top[i].consequences = children[top[i].signature] ?? [] }
        return top.sorted { ($0.severity, $0.firstTimestamp) < ($1.severity, $1.firstTimestamp) }
    }

    /// Every group with the groups under it, in report order.
    public static func flattened(_ groups: [FindingGroup]) -> [FindingGroup] {
        groups.flatMap { [$0] + flattened($0.consequences) }
    }
}

/// The counts a report ends with, the same in every format: what the
/// one-line summary says and JSON's `findings_summary` holds.
public struct FindingTotals: Sendable, Equatable {
    /// Errors and warnings, shown and folded (the per-rule counts' sum).
    public var violations: Int
    public var notes: Int
    /// Distinct signatures (groups, counting those shown under a root).
    public var kinds: Int
    public var checksRun: Int
    public var checks: Int

    public init(_ r: AnalysisResult) {
        violations = r.summary.values.reduce(0, +)
        notes = r.checks.reduce(0) { $0 + r.notes(of: $1.rule) }
        kinds = Set(r.violations.map(\.signature) + r.folded.map(\.signature)).count
        checksRun = r.checks.filter(\.ran).count
        checks = r.checks.count
    }

    public var verdict: String { violations > 0 ? "FAIL" : "ok" }

    /// "FAIL: 18 violations, 1 note (2 kinds of finding); 4 of 4 checks ran".
    public var line: String {
        func n(_ k: Int, _ word: String) -> String { "\(k) \(word)\(k == 1 ? "" : "s")" }
        var line = "\(verdict): \(n(violations, "violation")), \(n(notes, "note"))"
        if kinds > 0 { line += " (\(n(kinds, "kind")) of finding)" }
        return line + "; \(checksRun) of \(checks) checks ran"
    }
}
