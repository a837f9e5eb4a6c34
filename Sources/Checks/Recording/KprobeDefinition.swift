import TraceModel

/// A kprobe or kretprobe definition for tracefs `kprobe_events`
/// (Documentation/trace/kprobetrace.rst).
public struct KprobeDefinition: Sendable, Hashable {
    /// Event name in the `kprobes` system, which a kretprobe shares (the
    /// built-in bindings match `kprobes:*` by the probed function, so any
    /// name works there).
    public var name: String
    public var function: String
    /// A kretprobe (`r:`): fires when `function` returns.
    public var isReturn = false
    /// `NAME=FETCHARG` pairs.
    public var fetchArguments: [String]

    public var event: EventKey { EventKey("kprobes", name) }
    public var line: String {
        ([(isReturn ? "r" : "p") + ":kprobes/\(name)", function] + fetchArguments).joined(separator: " ")
    }
    public var removal: String { "-:kprobes/\(name)" }
    /// How `mmaudit record`'s notes name it.
    public var what: String { (isReturn ? "kretprobe on " : "kprobe on ") + function }
}
