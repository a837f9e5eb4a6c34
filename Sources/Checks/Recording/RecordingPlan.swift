import TraceInput
import TraceModel

/// A kprobe definition for tracefs `kprobe_events`.
public struct KprobeDefinition: Sendable, Hashable {
    /// Event name in the `kprobes` system (the built-in bindings match
    /// `kprobes:*` by the probed function, so any name works there).
    public var name: String
    public var function: String
    /// `NAME=FETCHARG` pairs.
    public var fetchArguments: [String]

    public var event: EventKey { EventKey("kprobes", name) }
    public var line: String { (["p:kprobes/\(name)", function] + fetchArguments).joined(separator: " ") }
}

/// What to record so that every check can run: the tracepoints, the function
/// tracer's filters and the kprobes the bindings read, derived from the
/// binding table itself so recording and analysis cannot drift apart.
public struct RecordingPlan: Sendable {
    public var tracepoints: [EventKey] = []
    /// Whole systems (a rules file's `SYSTEM:*`).
    public var systems: [String] = []
    /// Filters for `-p function -l NAME`.
    public var functions: [String] = []
    public var kprobes: [KprobeDefinition] = []
    /// Roles no binding supplies (a driver's events, bound with --rules).
    public var unboundRoles: [Role] = []
    /// What was left out because this kernel lacks it.
    public var absent: [String] = []

    /// struct mmu_notifier_range in Linux 6.1 (include/linux/mmu_notifier.h),
    /// x86-64: vma@0, mm@8, start@16, end@24, unsigned flags@32, enum
    /// mmu_notifier_event event@36, owner@40. Both notifier entry points take
    /// the range as their first argument (%di). The field names are the ones
    /// the built-in kprobe bindings read.
    public static let rangeFetchArguments: [(field: String, fetch: String)] = [
        ("mm", "+8(%di):x64"), ("start", "+16(%di):x64"), ("end", "+24(%di):x64"),
        ("flags", "+32(%di):u32"), ("event", "+36(%di):s32"),
    ]

    /// Everything the checks could use, from the bindings in force.
    public static func wanted(bindings: BindingTable, rules: [RuleNeeds] = RuleNeeds.all) -> RecordingPlan {
        var plan = RecordingPlan()
        let roles = Set(rules.flatMap(\.roles))
        for key in rules.flatMap(\.events) where !plan.tracepoints.contains(key) { plan.tracepoints.append(key) }
        for b in bindings.bindings where roles.contains(b.role) {
            switch (b.event.system, b.event.name) {
            case ("ftrace", "function"):
                if let f = b.function, !plan.functions.contains(f) { plan.functions.append(f) }
            case ("ftrace", _):
                break  // function_graph binds the same functions; one tracer is enough
            case (_, "*"):
                if b.event.system == "kprobes", let f = b.function {
                    if !plan.kprobes.contains(where: { $0.function == f }) { plan.kprobes.append(kprobe(for: b, function: f)) }
                } else if !plan.systems.contains(b.event.system) {
                    plan.systems.append(b.event.system)
                }
            default:
                if !plan.tracepoints.contains(b.event) { plan.tracepoints.append(b.event) }
            }
        }
        let bound = Set(bindings.bindings.map(\.role))
        plan.unboundRoles = Role.allCases.filter { roles.contains($0) && !bound.contains($0) }
        return plan
    }

    static func kprobe(for binding: RoleBinding, function: String) -> KprobeDefinition {
        let fields = Set(binding.arguments.values.compactMap { source -> String? in
            if case .field(let f, _) = source { return f }
            return nil
        })
        let name = function.hasSuffix("_start") ? "mmaudit_inv_start"
            : function.hasSuffix("_end") ? "mmaudit_inv_end" : "mmaudit_" + function
        return KprobeDefinition(name: name, function: function,
                                fetchArguments: rangeFetchArguments.filter { fields.contains($0.field) }
                                    .map { "\($0.field)=\($0.fetch)" })
    }

    /// The plan less what this kernel lacks: `events` are tracefs
    /// available_events lines ("system:name"), `functions` the names in
    /// available_filter_functions (kprobes need their function there too).
    public func restricted(toEvents events: Set<String>, functions available: Set<String>) -> RecordingPlan {
        var plan = self
        plan.tracepoints = tracepoints.filter { events.contains($0.description) }
        plan.systems = systems.filter { s in events.contains { $0.hasPrefix(s + ":") } }
        plan.functions = functions.filter { available.contains($0) }
        plan.kprobes = kprobes.filter { available.contains($0.function) }
        plan.absent = tracepoints.filter { !events.contains($0.description) }.map { "event \($0)" }
            + systems.filter { !plan.systems.contains($0) }.map { "event system \($0)" }
            + functions.filter { !available.contains($0) }.map { "function \($0)" }
            + kprobes.filter { !available.contains($0.function) }.map { "kprobe on \($0.function)" }
        return plan
    }

    /// `trace-cmd record` arguments (without the program name).
    public func traceCmdArguments(output: String, command: [String]) -> [String] {
        var args = ["record", "-o", output]
        for t in tracepoints { args += ["-e", t.description] }
        for s in systems { args += ["-e", s] }
        for k in kprobes { args += ["-e", k.event.description] }
        if !functions.isEmpty {
            args += ["-p", "function"]
            for f in functions { args += ["-l", f] }
        }
        return args + command
    }

    /// A shell script to run as root on the machine to trace: defines the
    /// kprobes, records, removes the kprobes.
    public func shellScript(output: String, command: [String], tracefs: String) -> String {
        var lines: [String] = []
        for k in kprobes { lines.append("echo \(shellQuote(k.line)) >> \(tracefs)/kprobe_events") }
        lines.append((["trace-cmd"] + traceCmdArguments(output: output, command: command)).map(shellQuote)
            .joined(separator: " "))
        for k in kprobes { lines.append("echo \(shellQuote("-:kprobes/\(k.name)")) >> \(tracefs)/kprobe_events") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Quotes a word for a POSIX shell only when it needs it.
public func shellQuote(_ word: String) -> String {
    let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=+,%@".contains($0) }
    if plain && !word.isEmpty { return word }
    return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}
