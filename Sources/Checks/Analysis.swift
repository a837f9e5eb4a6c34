import TraceInput
import TraceModel

/// Whether a check ran, and if not, why.
public struct CheckOutcome: Sendable, Codable, Hashable {
    public var rule: String
    public var ran: Bool
    public var reason: String?
    public var violations: Int
    /// What a check that ran could not judge in this trace, and why.
    public var limits: String?
}

/// Everything `analyze` found in one trace.
public struct AnalysisResult: Sendable {
    public var info: TraceInfo
    public var events: Int
    public var lostEvents: Int
    public var damage: DamageCount
    public var checks: [CheckOutcome]
    /// In timestamp order: the first `ViolationLog.keptPerSignature` of
    /// each signature, with their evidence.
    public var violations: [Violation]
    /// The occurrences beyond those, one entry per signature (empty unless
    /// a signature repeats more often than that).
    public var folded: [FoldedViolations] = []
    /// Span durations (invalidations, lock waits, tlb gathers), for diffs.
    public var latencies: [LatencyKey: LatencyHistogram] = [:]
    /// Rules-file bindings whose event never occurs in the trace ("FILE:LINE
    /// SYSTEM:EVENT"): a misspelt or unrecorded event binds nothing, and the
    /// checks that needed it say "ok" for want of it.
    public var unseenBindings: [String] = []
    /// Events per kind in the whole trace (filters choose what is shown,
    /// not what is read).
    public var eventCounts: [EventKey: Int] = [:]
    /// The first and last event's timestamps (nil for an empty trace).
    public var timeSpan: ClosedRange<UInt64>?

    /// Violations per rule (errors and warnings; notes are counted apart).
    public var summary: [String: Int] {
        var counts: [String: Int] = [:]
        for c in checks { counts[c.rule] = 0 }
        for v in violations where v.severity != .note { counts[v.rule, default: 0] += 1 }
        for f in folded where f.severity != .note { counts[f.rule, default: 0] += f.count }
        return counts
    }

    /// Occurrences of `rule` with severity `note`, shown or folded.
    public func notes(of rule: String) -> Int {
        violations.filter { $0.rule == rule && $0.severity == .note }.count
            + folded.filter { $0.rule == rule && $0.severity == .note }.reduce(0) { $0 + $1.count }
    }

    /// Occurrences folded in all, and of how many signatures.
    public var foldedCount: Int { folded.reduce(0) { $0 + $1.count } }
}

/// The checks, in report order: the one list of them. Their needs
/// (`RuleNeeds.all`) and instances (`make()`) are derived from it.
public enum CheckCatalog {
    public static let all: [any Check.Type] = [AtomicSleep.self, UnbalancedInvalidation.self,
                                               MissingInvalidation.self,
                                               NotifierEagain.self]
    public static func make() -> [any Check] { all.map { $0.init() } }
}

/// Runs every check over a trace in one streaming pass.
public enum Analysis {
    /// `observers` watch the same pass (timelines, exports); `progress` is
    /// called every `progressInterval` events with the count so far and the
    /// latest event, for a progress display.
    public static func run(_ reader: any TraceReader, bindings: BindingTable,
                           functions: FunctionNames, observers: [ModelObserver] = [],
                           progress: ((Int, TraceEvent) -> Void)? = nil,
                           progressInterval: Int = 1 << 16) throws -> AnalysisResult {
        let model = TraceModel(bindings: bindings, functions: functions, kernel: KernelFacts(reader.info))
        let checks = CheckCatalog.make()
        for c in checks { model.addObserver(c) }
        let latencies = LatencyRecorder()
        model.addObserver(latencies)
        for o in observers { model.addObserver(o) }
        // Events no check reads the fields of are only counted: the reader
        // need not copy their payloads.
        // Weak: the model's function names may hold the reader, and a cycle
        // would keep every analysed trace (its mapping, its tep) alive.
        reader.decodeFields(only: { [weak model] in model?.readsFields(system: $0, name: $1) ?? true })
        // Events the model only counts may be summed up by the reader (on
        // trace.dat's decode threads) instead of merged one by one.
        reader.tally(only: { [weak model] in model?.onlyCounts(system: $0, name: $1) ?? false })
        var events = 0
        // A countdown, not `events % progressInterval`: a division per event.
        var untilProgress = max(1, progressInterval)
        /// Counts an event; `latest` is made only when progress is shown.
        func count(_ latest: @autoclosure () -> TraceEvent) {
            events += 1
            untilProgress -= 1
            if untilProgress == 0 {
                untilProgress = max(1, progressInterval)
                progress?(events + reader.talliedCount, latest())
            }
        }
        while let item = try reader.nextRecord() {
            // One switch, so the event is not copied out of the item twice.
            switch consume item {
            case .record(let r):
                count(r.event())
                model.consume(r)
            case .event(let e):
                count(e)
                model.consume(e)
            case .lost(let lost):
                model.consume(.lost(lost))
            }
        }
        if let tally = reader.tally {
            model.absorb(tally)
            events += tally.count
        }
        model.finish()
        if let unknown = model.unknownBindingFields.first { throw RulesFile.ParseError(unknown) }
        var outcomes: [CheckOutcome] = []
        var violations: [Violation] = []
        var folded: [FoldedViolations] = []
        for c in checks {
            let id = type(of: c).info.id
            if var reason = c.skipReason(model: model) {
                let look = BindingCoverage.candidates(for: type(of: c).needs, model: model)
                if !look.isEmpty { reason += "; events of this trace a rules file could bind: " + look.joined(separator: ", ") }
                outcomes.append(CheckOutcome(rule: id, ran: false, reason: reason, violations: 0))
            } else {
                let foldedErrors = c.folded.filter { $0.severity != .note }.reduce(0) { $0 + $1.count }
                outcomes.append(CheckOutcome(rule: id, ran: true, reason: nil,
                                             violations: c.violations.filter { $0.severity != .note }.count
                                                 + foldedErrors, limits: c.limits(model: model)))
                violations += c.violations
                folded += c.folded
            }
        }
        violations.sort { ($0.timestamp, $0.cpu, $0.rule) < ($1.timestamp, $1.cpu, $1.rule) }
        var result = AnalysisResult(info: reader.info, events: events, lostEvents: model.lostEvents,
                                    damage: reader.damage, checks: outcomes, violations: violations)
        result.folded = folded
        result.latencies = latencies.series
        result.eventCounts = model.eventCounts
        result.unseenBindings = BindingCoverage.unseen(bindings, counts: result.eventCounts)
        if let first = model.firstTimestamp, let last = model.lastTimestamp { result.timeSpan = first...last }
        return result
    }
}
