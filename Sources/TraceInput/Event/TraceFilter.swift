/// What a user asked to see of a trace (`--cpu`, `--pid`, `--comm`,
/// `--from`, `--to`), the same for every command. It chooses what is shown
/// (findings, lanes, exported and dumped events), never what is read: the
/// model still consumes every event, since a window that starts mid-trace
/// needs the tasks, locks and preempt state opened before it.
public struct TraceFilter: Sendable, Equatable {
    /// CPUs by number; nil = every CPU.
    public var cpus: Set<Int>?
    /// Tasks by pid; with `comms`, a task chosen by either is shown.
    public var pids: Set<Int32>?
    /// Tasks by name, as the trace names them (sched_switch, the comm column).
    public var comms: Set<String>?
    /// The window, in trace nanoseconds (inclusive); nil = open.
    public var from: UInt64?
    public var to: UInt64?

    public init(cpus: Set<Int>? = nil, pids: Set<Int32>? = nil, comms: Set<String>? = nil,
                from: UInt64? = nil, to: UInt64? = nil) {
        self.cpus = cpus
        self.pids = pids
        self.comms = comms
        self.from = from
        self.to = to
    }

    /// Nothing chosen: everything is shown.
    public var isEmpty: Bool { cpus == nil && pids == nil && comms == nil && from == nil && to == nil }
    /// Tasks are chosen (by pid or name).
    public var choosesTasks: Bool { pids != nil || comms != nil }

    public func includes(cpu: Int) -> Bool { cpus?.contains(cpu) ?? true }

    public func includes(time t: UInt64) -> Bool { t >= (from ?? 0) && t <= (to ?? .max) }

    /// Whether [a, b] meets the window.
    public func overlaps(_ a: UInt64, _ b: UInt64) -> Bool { b >= (from ?? 0) && a <= (to ?? .max) }

    /// `comm` nil: a task known by pid only (a span), chosen by pid alone.
    public func includes(pid: Int32, comm: String?) -> Bool {
        guard choosesTasks else { return true }
        if pids?.contains(pid) == true { return true }
        if let comm, comms?.contains(comm) == true { return true }
        return false
    }

    /// One event (or record) at `timestamp` on `cpu` of the task `pid`/`comm`.
    public func includes(timestamp: UInt64, cpu: Int, pid: Int32, comm: @autoclosure () -> String?) -> Bool {
        includes(time: timestamp) && includes(cpu: cpu) && (!choosesTasks || includes(pid: pid, comm: comm()))
    }

    /// `comms` turned into pids too, by the tasks a first pass saw, for
    /// what is known by pid only (spans, marks).
    public func resolvingComms(with extent: TraceExtent) -> TraceFilter {
        guard let comms else { return self }
        var f = self
        let named = extent.tasks.filter { comms.contains($0.value) }.map(\.key)
        f.pids = (pids ?? []).union(named)
        return f
    }

    /// What the filter asks for that the trace does not have, in the
    /// order the options are listed; empty when every value is in the trace.
    public func problems(against extent: TraceExtent) -> [Problem] {
        var out: [Problem] = []
        if let cpus, let bad = cpus.sorted().first(where: { $0 < 0 || $0 >= extent.cpuCount }) {
            out.append(.cpu(bad, count: extent.cpuCount))
        }
        let knownPids = Set(extent.tasks.keys)
        if let pids, let bad = pids.sorted().first(where: { !knownPids.contains($0) }) {
            out.append(.pid(bad, known: knownPids.sorted()))
        }
        let knownComms = Set(extent.tasks.values)
        if let comms, let bad = comms.sorted().first(where: { !knownComms.contains($0) }) {
            out.append(.comm(bad, known: knownComms.sorted()))
        }
        if from != nil || to != nil {
            guard let span = extent.span else { return out + [.window(from: from, to: to, span: nil)] }
            if !overlaps(span.lowerBound, span.upperBound) { out.append(.window(from: from, to: to, span: span)) }
        }
        return out
    }

    /// A value the trace does not have.
    public enum Problem: Sendable, Equatable {
        case cpu(Int, count: Int)
        case pid(Int32, known: [Int32])
        case comm(String, known: [String])
        /// The window misses the trace's span (nil: a trace without events).
        case window(from: UInt64?, to: UInt64?, span: ClosedRange<UInt64>?)
    }
}

/// What a trace holds, for checking a filter against it: its CPUs, the
/// span of its timestamps and its tasks (pid → name). A class, filled in
/// as a pass reads the trace (`dump`) or from the model after one.
public final class TraceExtent: @unchecked Sendable {
    public var cpuCount: Int
    public private(set) var span: ClosedRange<UInt64>?
    /// pid → the name the trace last gave it.
    public var tasks: [Int32: String] = [:]
    /// The events the trace has ("system:name"), where a pass collects them.
    public var events: Set<String> = []

    public init(cpuCount: Int, span: ClosedRange<UInt64>? = nil, tasks: [Int32: String] = [:]) {
        self.cpuCount = cpuCount
        self.span = span
        self.tasks = tasks
    }

    public func see(timestamp t: UInt64) {
        span = span.map { min($0.lowerBound, t)...max($0.upperBound, t) } ?? t...t
    }
}
