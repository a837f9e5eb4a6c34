import TraceInput
import TraceModel

/// Whether a check ran, and if not, why.
public struct CheckOutcome: Sendable, Codable, Hashable {
    public var rule: String
    public var ran: Bool
    public var reason: String?
    public var violations: Int
}

/// Everything `analyze` found in one trace.
public struct AnalysisResult: Sendable {
    public var info: TraceInfo
    public var events: Int
    public var lostEvents: Int
    public var damage: DamageCount
    public var checks: [CheckOutcome]
    /// In timestamp order.
    public var violations: [Violation]

    /// Violations per rule (errors and warnings; notes are counted apart).
    public var summary: [String: Int] {
        var counts: [String: Int] = [:]
        for c in checks { counts[c.rule] = 0 }
        for v in violations where v.severity != .note { counts[v.rule, default: 0] += 1 }
        return counts
    }
}

/// The checks, in report order.
public enum CheckCatalog {
    public static let all: [any Check.Type] = [AtomicSleep.self, UnbalancedInvalidation.self,
                                               MissingInvalidation.self]
    public static func make() -> [any Check] {
        [AtomicSleep(), UnbalancedInvalidation(), MissingInvalidation()]
    }
}

/// Runs every check over a trace in one streaming pass.
public enum Analysis {
    public static func run(_ reader: any TraceReader, bindings: BindingTable,
                           functions: FunctionNames) throws -> AnalysisResult {
        let model = TraceModel(bindings: bindings, functions: functions)
        let checks = CheckCatalog.make()
        for c in checks { model.addObserver(c) }
        var events = 0
        while let item = try reader.next() {
            if case .event = item { events += 1 }
            model.consume(item)
        }
        model.finish()
        var outcomes: [CheckOutcome] = []
        var violations: [Violation] = []
        for c in checks {
            let id = type(of: c).info.id
            if let reason = c.skipReason(model: model) {
                outcomes.append(CheckOutcome(rule: id, ran: false, reason: reason, violations: 0))
            } else {
                outcomes.append(CheckOutcome(rule: id, ran: true, reason: nil,
                                             violations: c.violations.filter { $0.severity != .note }.count))
                violations += c.violations
            }
        }
        violations.sort { ($0.timestamp, $0.cpu, $0.rule) < ($1.timestamp, $1.cpu, $1.rule) }
        return AnalysisResult(info: reader.info, events: events, lostEvents: model.lostEvents,
                              damage: reader.damage, checks: outcomes, violations: violations)
    }
}
