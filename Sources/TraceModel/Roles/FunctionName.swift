import TraceInput

/// Resolves the function an event names, whichever source it came from: a
/// trace.dat event holds an address that kallsyms resolves, a text line
/// already holds the name (maybe with "+0x1c/0x40").
public struct FunctionNames: Sendable {
    /// Address → "symbol+0xoff" (the trace.dat reader's kallsyms).
    public typealias Symbolizer = @Sendable (UInt64) -> String?
    private let symbolize: Symbolizer?

    public init(symbolize: Symbolizer?) { self.symbolize = symbolize }

    /// The field that names the function, per event kind: the function
    /// tracer's `ip`, function_graph's `func`, a kprobe's `__probe_ip`.
    public static func functionField(of key: EventKey) -> String? {
        switch (key.system, key.name) {
        case ("ftrace", "function"): return "ip"
        case ("ftrace", "funcgraph_entry"), ("ftrace", "funcgraph_exit"): return "func"
        case ("kprobes", _), ("kretprobes", _): return "__probe_ip"
        default: return nil
        }
    }

    /// A kretprobe's event (`r:kprobes/NAME FUNC`: system kprobes too) has
    /// no `__probe_ip`; it names the probed function in `__probe_func`
    /// (kernel/trace/trace_kprobe.c, kretprobe_event_define_fields).
    public static let returnProbeField = "__probe_func"
    /// Appended to a kretprobe's function, as kprobe_events spells a return
    /// probe (`FUNC%return`): bindings of the function's entry must not
    /// take its return for another entry.
    public static let returnSuffix = "%return"

    /// The bare function name (no offset) the event names, if any; a
    /// kretprobe's is "FUNC%return".
    public func function(of event: TraceEvent, key: EventKey) -> String? {
        guard let field = Self.functionField(of: key) else { return nil }
        if let value = event.fields[field] { return name(value) }
        guard field == "__probe_ip", let value = event.fields[Self.returnProbeField] else { return nil }
        return name(value).map { $0 + Self.returnSuffix }
    }

    private func name(_ value: FieldValue) -> String? {
        switch value {
        case .string(let s): return Self.bare(s)
        case .unsigned, .signed:
            guard let address = value.uint64, let name = symbolize?(address) else { return nil }
            return Self.bare(name)
        case .bytes: return nil
        }
    }

    /// The kernel symbol at `address` ("symbol+0xoff"), when the trace
    /// carries a symbol table: reports name locks by it.
    public func symbol(at address: UInt64) -> String? { symbolize?(address) }

    /// "msleep+0x0/0x40" → "msleep"; "0xffff…" stays as it is.
    static func bare(_ s: String) -> String {
        if let plus = s.firstIndex(of: "+") { return String(s[..<plus]) }
        return s
    }
}
