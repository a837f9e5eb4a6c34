/// An event as `dump --events` and `export --events` name it: "system:name",
/// "name" (in any system) or "system:*" (every event of a system). A text
/// trace may give an event without its system (trace-cmd report prints only
/// names): such an event is matched by name alone.
public struct EventPattern: Sendable, Hashable {
    public let system: String?
    public let name: String

    public init(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        (system, name) = parts.count == 2 ? (parts[0], parts[1]) : (nil, parts[0])
    }

    public func matches(system eventSystem: String, name eventName: String) -> Bool {
        guard let system, !eventSystem.isEmpty else { return name == eventName }
        return system == eventSystem && (name == "*" || name == eventName)
    }

    /// An event's name as patterns are matched against it and errors list
    /// it: "system:name", or "name" alone when the trace gives no system.
    public static func shownName(system: String, name: String) -> String {
        system.isEmpty ? name : system + ":" + name
    }

    /// Against an event named "system:name", or "name" alone.
    public func matches(_ qualified: String) -> Bool {
        let other = EventPattern(qualified)
        return matches(system: other.system ?? "", name: other.name)
    }
}
