import TraceInput

/// An event kept as evidence for a finding: enough to show and to find it
/// again in `trace-cmd report`, without holding the reader's buffers.
public struct EvidenceEvent: Sendable, Hashable, Codable {
    public var timestamp: UInt64
    public var cpu: Int
    public var pid: Int32
    public var comm: String
    /// "system:name".
    public var event: String
    /// The event's fields, rendered the same way whatever the source.
    public var text: String

    public init(timestamp: UInt64, cpu: Int, pid: Int32, comm: String, event: String, text: String) {
        self.timestamp = timestamp
        self.cpu = cpu
        self.pid = pid
        self.comm = comm
        self.event = event
        self.text = text
    }

    public init(_ e: TraceEvent, functions: FunctionNames) {
        self.init(timestamp: e.timestamp, cpu: e.cpu, pid: e.pid, comm: e.comm,
                  event: "\(e.system):\(e.name)", text: Self.render(e, functions: functions))
    }

    /// `field=value` pairs in format order. Function-naming fields show the
    /// symbol; integers show in hex from 0x10000 up (addresses) and in
    /// decimal below, so trace.dat and text sources render alike.
    static func render(_ e: TraceEvent, functions: FunctionNames) -> String {
        let key = EventKey(e.system, e.name)
        let functionField = FunctionNames.functionField(of: key)
        var parts: [String] = []
        for name in e.fields.names where !name.hasPrefix("common_") {
            guard let value = e.fields[name] else { continue }
            if name == functionField, let f = functions.function(of: e, key: key) {
                parts.append("\(name)=\(f)")
                continue
            }
            // The caller of a traced function, resolved like the function.
            if name == "parent_ip", let address = value.uint64, let f = functions.symbol(at: address) {
                parts.append("\(name)=\(FunctionNames.bare(f))")
                continue
            }
            parts.append("\(name)=\(Self.format(value))")
        }
        return parts.joined(separator: " ")
    }

    static func format(_ value: FieldValue) -> String {
        switch value {
        case .unsigned(let v): return v >= 0x10000 ? "0x" + String(v, radix: 16) : String(v)
        case .signed(let v): return v >= 0x10000 ? "0x" + String(v, radix: 16) : String(v)
        case .string(let s): return s
        case .bytes(let b): return b.map { String($0, radix: 16) }.joined(separator: ",")
        }
    }
}
