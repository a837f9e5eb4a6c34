import TraceInput

/// An event's identity: system and name, as trace-cmd shows them.
public struct EventKey: Hashable, Sendable, CustomStringConvertible {
    public var system: String
    public var name: String

    public init(_ system: String, _ name: String) {
        self.system = system
        self.name = name
    }

    /// Parses "system:name".
    public init?(parsing text: Substring) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let system = text[..<colon], name = text[text.index(after: colon)...]
        guard !system.isEmpty, !name.isEmpty else { return nil }
        self.init(String(system), String(name))
    }

    public var description: String { "\(system):\(name)" }
    /// "system:name", or "name" for a text trace's event without a system.
    public var shownName: String { EventPattern.shownName(system: system, name: name) }
}

/// Where a role argument comes from in the event.
public enum ArgumentSource: Sendable, Hashable {
    /// A field's integer value, optionally masked (`flags&1`).
    case field(String, mask: UInt64?)
    /// A constant the binding states (`kind=spin`).
    case constant(String)
}

/// The arguments a binding can fill; the names are rules-file syntax.
public enum ArgumentName: String, CaseIterable, Sendable {
    case mm, start, end, event, blockable, lock, flags, kind, label, ret
}

/// Binds one concrete event to a role, saying which of its fields carry the
/// role's arguments. A binding may require the event to name a function
/// (function tracer `ip`, function_graph `func`, a kprobe's probed address),
/// so one event kind can play several roles.
public struct RoleBinding: Sendable {
    public var event: EventKey
    public var role: Role
    /// The function the event must name (nil: any event of this key).
    public var function: String?
    public var arguments: [ArgumentName: ArgumentSource]
    /// "built-in" or "FILE:LINE", for the report and `mmaudit rules`.
    public var origin: String

    public init(event: EventKey, role: Role, function: String? = nil,
                arguments: [ArgumentName: ArgumentSource] = [:], origin: String) {
        self.event = event
        self.role = role
        self.function = function
        self.arguments = arguments
        self.origin = origin
    }
}

/// Lock kinds, as far as sleeping is concerned.
public enum LockKind: String, Sendable {
    /// Spinning: holding one makes the context atomic.
    case spin
    /// Sleeping (mutex, rwsem, rt_mutex): contending on one sleeps.
    case sleeping
}
