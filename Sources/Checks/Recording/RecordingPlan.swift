import TraceInput
import TraceModel

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
    /// What was left out because this kernel lacks it, or because what it
    /// has is not known.
    public var absent: [String] = []
    /// The bindings the plan was made from (to say what a left-out part costs).
    let bindings: BindingTable
    let rules: [RuleNeeds]

    /// Tracepoints that exist only with a kernel option, each with the
    /// kernel function (a BTF FUNC) that is there exactly when they are:
    /// lockdep's events need CONFIG_LOCKDEP (kernel/locking/lockdep.c).
    public static let optionalEvents: [EventKey: String] = [
        EventKey("lock", "lock_acquire"): "lock_acquire",
        EventKey("lock", "lock_release"): "lock_acquire",
    ]

    /// Everything the checks could use, from the bindings in force. `range`:
    /// struct mmu_notifier_range of the target kernel (its BTF); without it
    /// the notifier kprobes fetch no field and only mark the spans.
    public static func wanted(bindings: BindingTable, rules: [RuleNeeds] = RuleNeeds.all,
                              range: StructLayout? = nil) -> RecordingPlan {
        var plan = RecordingPlan(bindings: bindings, rules: rules)
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
                    let k = kprobe(for: b, function: f, range: range, absent: &plan.absent)
                    if !plan.kprobes.contains(where: { $0.function == k.function && $0.isReturn == k.isReturn }) {
                        plan.kprobes.append(k)
                    }
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

    /// The probe a `kprobes:*` binding reads: a kretprobe for "FUNC%return"
    /// (its `ret`: the function returns int), else a kprobe fetching the
    /// range fields the binding reads at the offsets of `range`.
    static func kprobe(for binding: RoleBinding, function: String, range: StructLayout?,
                       absent: inout [String]) -> KprobeDefinition {
        let fields = Set(binding.arguments.values.compactMap { source -> String? in
            if case .field(let f, _) = source { return f }
            return nil
        })
        if function.hasSuffix(FunctionNames.returnSuffix) {
            let f = String(function.dropLast(FunctionNames.returnSuffix.count))
            // __mmu_notifier_invalidate_range_start returns int (0 or -errno).
            return KprobeDefinition(name: probeName(f) + "_ret", function: f, isReturn: true,
                                    fetchArguments: fields.contains("ret") ? ["ret=$retval:s32"] : [])
        }
        var arguments: [String] = []
        let wanted = fields.intersection(RangeFetch.fields)
        if let range {
            let fetched = RangeFetch.arguments(range, wanted: wanted)
            arguments = fetched.arguments
            if !fetched.missing.isEmpty {
                absent.append("fields \(fetched.missing.joined(separator: ", ")) of \(function)'s range: "
                              + "struct \(range.name) of this kernel has no such member to fetch")
            }
        } else if !wanted.isEmpty {
            let note = "the range fields (mm, start, end, flags, event) of the notifier kprobes: no BTF to read "
                + "struct \(RangeFetch.structName) from (--btf FILE, or /sys/kernel/btf/vmlinux on the target)"
            if !absent.contains(note) { absent.append(note) }
        }
        return KprobeDefinition(name: probeName(function), function: function, fetchArguments: arguments)
    }

    static func probeName(_ function: String) -> String {
        function.hasSuffix("_start") ? "mmaudit_inv_start"
            : function.hasSuffix("_end") ? "mmaudit_inv_end" : "mmaudit_" + function
    }

    /// The plan less what this kernel lacks: `events` are tracefs
    /// available_events lines ("system:name"), `functions` the names in
    /// available_filter_functions (kprobes need their function there too).
    public func restricted(toEvents events: Set<String>, functions available: Set<String>) -> RecordingPlan {
        restricted(event: { events.contains($0.description) },
                   system: { s in events.contains { $0.hasPrefix(s + ":") } },
                   function: { available.contains($0) }, reason: "absent on this kernel")
    }

    /// The plan less what a kernel's BTF says it lacks: functions (ftrace
    /// filters, probed functions) without a BTF FUNC, and the optional
    /// events whose kernel option it was built without. Other events are
    /// kept: BTF does not list tracepoints by name.
    public func restricted(toBTFFunctions available: Set<String>) -> RecordingPlan {
        restricted(event: { key in Self.optionalEvents[key].map(available.contains) ?? true }, system: { _ in true },
                   function: { available.contains($0) }, reason: "absent from the kernel's BTF")
    }

    /// The plan for a kernel nothing is known of: without the optional
    /// events (they exist only with a kernel option).
    public func withoutOptionalEvents() -> RecordingPlan {
        restricted(event: { Self.optionalEvents[$0] == nil }, system: { _ in true }, function: { _ in true },
                   reason: "not checked against a kernel, and only some kernels have it")
    }

    private func restricted(event: (EventKey) -> Bool, system: (String) -> Bool, function: (String) -> Bool,
                            reason: String) -> RecordingPlan {
        var plan = self
        plan.tracepoints = tracepoints.filter(event)
        plan.systems = systems.filter(system)
        plan.functions = functions.filter(function)
        plan.kprobes = kprobes.filter { function($0.function) }
        plan.absent += (tracepoints.filter { !event($0) }.map { "event \($0)" }
            + systems.filter { !system($0) }.map { "event system \($0)" }
            + functions.filter { !function($0) }.map { "function \($0)" }
            + kprobes.filter { !function($0.function) }.map(\.what)).map { "\(reason), left out: \($0)" }
        return plan
    }

    /// The plan with a kprobe on the secondary-TLB hook of a kernel whose
    /// functions are `available` (none when neither hook is there).
    public func withSecondaryTLBHook(available: Set<String>) -> RecordingPlan {
        var plan = self
        if let probe = SecondaryTLBHook.probe(available: available) {
            plan.kprobes.append(probe)
        } else {
            plan.absent.append("kprobe on the secondary-TLB hook: this kernel has neither "
                               + SecondaryTLBHook.functions.joined(separator: " nor "))
        }
        return plan
    }

    /// The roles some part of this plan supplies.
    public var suppliedRoles: Set<Role> {
        var roles: Set<Role> = []
        for b in bindings.bindings {
            let supplied: Bool
            switch (b.event.system, b.event.name) {
            case ("ftrace", _): supplied = b.function.map(functions.contains) ?? false
            case ("kprobes", "*"):
                supplied = kprobes.contains { k in
                    b.function == k.function + (k.isReturn ? FunctionNames.returnSuffix : "")
                        && (k.isReturn || !k.fetchArguments.isEmpty || b.arguments.isEmpty)
                }
            case (_, "*"): supplied = systems.contains(b.event.system)
            default: supplied = tracepoints.contains(b.event)
            }
            if supplied { roles.insert(b.role) }
        }
        return roles
    }

    /// What the checks lose with this plan: a rule whose required role
    /// (or event) nothing supplies is skipped; one without an optional
    /// role has less to go on.
    public var losses: [String] {
        let supplied = suppliedRoles
        var out: [String] = []
        for needs in rules {
            let lostEvents = needs.events.filter { !tracepoints.contains($0) }.map(\.description)
            let required = needs.requiredRoles.filter { !supplied.contains($0) }.map(\.rawValue)
            let optional = needs.optionalRoles.filter { !supplied.contains($0) }.map(\.rawValue)
            if !lostEvents.isEmpty || !required.isEmpty {
                out.append("\(needs.rule) cannot run: nothing recorded plays "
                           + (lostEvents + required).joined(separator: ", "))
            } else if !optional.isEmpty {
                out.append("\(needs.rule) runs without " + optional.joined(separator: ", "))
            }
        }
        return out
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
    /// kprobes, records, and removes the kprobes on any exit (a failing
    /// trace-cmd, an interrupt), not only after a good run.
    public func shellScript(output: String, command: [String], tracefs: String) -> String {
        var lines: [String] = []
        if !kprobes.isEmpty {
            lines.append("probes=\(shellQuote(tracefs + "/kprobe_events"))")
            lines.append("cleanup() {")
            for k in kprobes.reversed() { lines.append("\techo \(shellQuote(k.removal)) >> \"$probes\" 2>/dev/null || :") }
            lines.append("}")
            // EXIT alone does not run on a signal in every sh (dash, busybox).
            lines.append("trap cleanup EXIT")
            lines.append("trap 'exit 130' INT TERM HUP")
            for k in kprobes { lines.append("echo \(shellQuote(k.line)) >> \"$probes\"") }
        }
        lines.append((["trace-cmd"] + traceCmdArguments(output: output, command: command)).map(shellQuote)
            .joined(separator: " "))
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Quotes a word for a POSIX shell only when it needs it.
public func shellQuote(_ word: String) -> String {
    let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=+,%@".contains($0) }
    if plain && !word.isEmpty { return word }
    return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}
