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

    public init(rule: String, events: [EventKey], requiredRoles: [Role], optionalRoles: [Role]) {
        self.rule = rule
        self.events = events
        self.requiredRoles = requiredRoles
        self.optionalRoles = optionalRoles
    }

    /// Every check's, in report order.
    public static var all: [RuleNeeds] { CheckCatalog.all.map { $0.needs } }

    public static func of(_ rule: String) -> RuleNeeds? { all.first { $0.rule == rule } }
}
