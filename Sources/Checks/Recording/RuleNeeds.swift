import TraceInput
import TraceModel

/// What each rule reads, in structured form: events it reads directly and
/// the roles it needs some binding to play. `mmaudit rules` lists it and
/// `mmaudit record` turns it into a trace-cmd command line.
public struct RuleNeeds: Sendable {
    public var rule: String
    /// Events read by name, whatever the bindings (sched_switch).
    public var events: [EventKey]
    /// Without these the rule is skipped.
    public var requiredRoles: [Role]
    /// These add evidence or precision.
    public var optionalRoles: [Role]

    public var roles: [Role] { requiredRoles + optionalRoles }

    public static let all: [RuleNeeds] = [
        RuleNeeds(rule: AtomicSleep.info.id, events: [EventKey("sched", "sched_switch")], requiredRoles: [],
                  optionalRoles: [.sleep, .lockContendBegin, .lockContendEnd, .lockAcquire, .lockRelease,
                                  .invalidateBegin, .invalidateEnd, .tlbGatherBegin, .tlbGatherEnd]),
        RuleNeeds(rule: UnbalancedInvalidation.info.id, events: [],
                  requiredRoles: [.invalidateBegin, .invalidateEnd], optionalRoles: []),
        RuleNeeds(rule: MissingInvalidation.info.id, events: [],
                  requiredRoles: [.secondaryMap, .secondaryUnmap, .invalidateBegin, .invalidateEnd],
                  optionalRoles: []),
    ]

    public static func of(_ rule: String) -> RuleNeeds? { all.first { $0.rule == rule } }
}
