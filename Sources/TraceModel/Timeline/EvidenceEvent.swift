import Foundation
import TraceInput

/// An event kept as evidence for a finding: enough to show and to find it
/// again in `trace-cmd report`, without holding the reader's buffers.
///
/// The model keeps evidence for every span it opens and every sleep it sees,
/// and almost all of it is dropped unread when the span closes cleanly; so
/// `text` is rendered from the event's (copied) fields when first read, not
/// when the evidence is made.
public struct EvidenceEvent: Sendable, Hashable, Codable {
    public var timestamp: UInt64 { storage.timestamp }
    public var cpu: Int { storage.cpu }
    public var pid: Int32 { storage.pid }
    public var comm: String { storage.comm }
    /// "system:name".
    public var event: String { storage.event }
    /// The event's fields, rendered the same way whatever the source.
    public var text: String { storage.text }

    /// Everything in one object: evidence is copied into every span, sleep
    /// and happening that carries it, and a copy is then one reference
    /// (three when the names and the text were held apart).
    private let storage: Storage

    public init(timestamp: UInt64, cpu: Int, pid: Int32, comm: String, event: String, text: String) {
        storage = Storage(timestamp: timestamp, cpu: cpu, pid: pid, comm: comm, event: event, state: .rendered(text))
    }

    public init(_ e: TraceEvent, functions: FunctionNames) {
        self.init(e, eventName: e.system + ":" + e.name, functions: functions)
    }

    /// With `event` ("system:name") made once per kind by the caller.
    init(_ e: TraceEvent, eventName: String, functions: FunctionNames) {
        storage = Storage(timestamp: e.timestamp, cpu: e.cpu, pid: e.pid, comm: e.comm, event: eventName,
                          state: .pending(e, functions))
    }

    enum CodingKeys: String, CodingKey { case timestamp, cpu, pid, comm, event, text }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(timestamp: try c.decode(UInt64.self, forKey: .timestamp), cpu: try c.decode(Int.self, forKey: .cpu),
                  pid: try c.decode(Int32.self, forKey: .pid), comm: try c.decode(String.self, forKey: .comm),
                  event: try c.decode(String.self, forKey: .event), text: try c.decode(String.self, forKey: .text))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encode(cpu, forKey: .cpu)
        try c.encode(pid, forKey: .pid)
        try c.encode(comm, forKey: .comm)
        try c.encode(event, forKey: .event)
        try c.encode(text, forKey: .text)
    }

    public static func == (a: EvidenceEvent, b: EvidenceEvent) -> Bool {
        a.storage === b.storage
            || (a.timestamp == b.timestamp && a.cpu == b.cpu && a.pid == b.pid && a.comm == b.comm
                && a.event == b.event && a.text == b.text)
    }

    public func hash(into h: inout Hasher) {
        h.combine(timestamp)
        h.combine(cpu)
        h.combine(pid)
        h.combine(comm)
        h.combine(event)
        h.combine(text)
    }

    /// The evidence, its fields rendered from the event on first read
    /// (once, under a lock: evidence may be read from any thread; NSLock is
    /// pthreads, which thread sanitizers see). One lock serves all evidence:
    /// the model makes evidence for every sleep and span and almost all of
    /// it is never read, so a lock each (an object and a mutex to allocate
    /// and initialize) cost more than the rare renderings ever wait.
    private final class Storage: @unchecked Sendable {
        enum State {
            case rendered(String)
            case pending(TraceEvent, FunctionNames)
        }
        let timestamp: UInt64
        let cpu: Int
        let pid: Int32
        let comm: String
        let event: String
        private static let lock = NSLock()
        // Guarded by `lock`.
        private var state: State

        init(timestamp: UInt64, cpu: Int, pid: Int32, comm: String, event: String, state: State) {
            self.timestamp = timestamp
            self.cpu = cpu
            self.pid = pid
            self.comm = comm
            self.event = event
            self.state = state
        }

        var text: String {
            let lock = Self.lock
            lock.lock()
            defer { lock.unlock() }
            switch state {
            case .rendered(let text):
                return text
            case .pending(let e, let functions):
                let text = EvidenceEvent.render(e, functions: functions)
                state = .rendered(text)
                return text
            }
        }
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
