import TraceInput

/// An event as a role sees it: the event, the role it plays and the
/// arguments its binding extracted.
public struct BoundEvent: Sendable {
    public var event: TraceEvent
    public var role: Role
    public var arguments: RoleArguments
    public var binding: RoleBinding
}

/// All bindings in force, indexed for the per-event lookup.
public struct BindingTable: Sendable {
    private var byKey: [EventKey: [RoleBinding]] = [:]
    /// By event name alone, for sources that do not say the system:
    /// `trace-cmd report` text prints "invalidate_start:", not its system.
    private var byName: [String: [RoleBinding]] = [:]
    /// Spans the rules declare atomic (see RulesFile).
    public private(set) var atomicSpans: Set<AtomicSpan> = []
    public private(set) var bindings: [RoleBinding] = []

    public init(_ bindings: [RoleBinding] = [], atomicSpans: Set<AtomicSpan> = []) {
        for b in bindings { add(b) }
        self.atomicSpans = atomicSpans
    }

    public mutating func add(_ binding: RoleBinding) {
        byKey[binding.event, default: []].append(binding)
        byName[binding.event.name, default: []].append(binding)
        bindings.append(binding)
    }

    public mutating func merge(_ other: BindingTable) {
        for b in other.bindings { add(b) }
        atomicSpans.formUnion(other.atomicSpans)
    }

    /// Whether any binding concerns events of this key (cheap pre-filter).
    public func binds(_ key: EventKey) -> Bool {
        if key.system.isEmpty { return byName[key.name] != nil }
        return byKey[key] != nil || byKey[EventKey(key.system, "*")] != nil
    }

    /// The bindings that may apply to events of `key`, in the order `bind`
    /// tries them: "system:*" bindings (kprobes, named freely) apply to every
    /// event of the system, after the exact ones.
    public func candidates(for key: EventKey) -> [RoleBinding] {
        if key.system.isEmpty { return byName[key.name] ?? [] }
        return (byKey[key] ?? []) + (byKey[EventKey(key.system, "*")] ?? [])
    }

    /// The roles `event` plays. Function-named bindings match only when the
    /// event names that function.
    public func bind(_ event: TraceEvent, key: EventKey, functions: FunctionNames) -> [BoundEvent] {
        bind(event, key: key, candidates: candidates(for: key)) { functions.function(of: event, key: key) }
    }

    /// `bind` over candidates looked up once per kind (`candidates(for:)`);
    /// `function` names the event's function, asked at most once.
    public func bind(_ event: TraceEvent, key: EventKey, candidates: [RoleBinding],
                     function resolve: () -> String?) -> [BoundEvent] {
        var result: [BoundEvent] = []
        forEachMatch(event, candidates: candidates, function: resolve) { binding, args in
            var named = event
            if named.system.isEmpty { named.system = binding.event.system }  // known from the binding
            result.append(BoundEvent(event: named, role: binding.role, arguments: args, binding: binding))
        }
        return result
    }

    /// Calls `body` with each candidate binding `event` matches and the
    /// arguments it extracts, in candidate order: `bind` without building
    /// an array of events (the model's per-event path). `namesFunction`:
    /// the candidates were picked by the event's function already (the
    /// model's index by function), so their function is not compared again.
    @inline(__always)
    public func forEachMatch(_ event: TraceEvent, candidates: [RoleBinding], namesFunction: Bool = false,
                             function resolve: () -> String?, _ body: (RoleBinding, RoleArguments) -> Void) {
        var function: String??  // resolved at most once
        for binding in candidates {
            if !namesFunction, let wanted = binding.function {
                if function == nil { function = .some(resolve()) }
                guard function! == wanted else { continue }
            }
            var args = Self.arguments(of: event, binding: binding)
            if args.label == nil, let f = binding.function { args.label = f }
            body(binding, args)
        }
    }

    static func arguments(of event: TraceEvent, binding: RoleBinding) -> RoleArguments {
        var args = RoleArguments()
        for (name, source) in binding.arguments {
            switch source {
            case .constant(let text):
                switch name {
                case .kind: args.lockFlags = text == LockKind.spin.rawValue ? LockFlags.spin : LockFlags.mutex
                case .label: args.label = text
                case .blockable: args.blockable = text != "0" && text != "false"
                default: args.set(name, UInt64(text, radix: text.hasPrefix("0x") ? 16 : 10))
                }
            case .field(let field, let mask):
                guard let value = event.fields[field] else { continue }
                if name == .label, let s = value.string { args.label = s; continue }
                guard var v = value.uint64 else { continue }
                if let mask { v &= mask }
                args.set(name, v)
            }
        }
        return args
    }
}

extension RoleArguments {
    mutating func set(_ name: ArgumentName, _ value: UInt64?) {
        guard let value else { return }
        switch name {
        case .mm: mm = value
        case .start: start = value
        case .end: end = value
        case .event: notifierEvent = Int64(bitPattern: value)
        case .blockable: blockable = value != 0
        case .lock: lock = value
        case .flags, .kind: lockFlags = value
        case .ret: ret = Int64(truncatingIfNeeded: Int32(truncatingIfNeeded: value))
        case .label: label = String(value)
        }
    }
}

/// lock:contention_begin flag bits (include/trace/events/lock.h, LCB_F_*).
public enum LockFlags {
    public static let spin: UInt64 = 1 << 0
    public static let read: UInt64 = 1 << 1
    public static let write: UInt64 = 1 << 2
    public static let rt: UInt64 = 1 << 3
    public static let percpu: UInt64 = 1 << 4
    public static let mutex: UInt64 = 1 << 5

    /// A contended lock whose waiter sleeps: everything but a plain spinning
    /// lock (a spinning rwlock's waiter spins too: LCB_F_SPIN set; so does a
    /// mutex's optimistic spin, SPIN|MUTEX, before its wait under wait_lock).
    public static func sleeps(_ flags: UInt64) -> Bool { flags & spin == 0 }

    /// An rtmutex-based wait (PREEMPT_RT's spinlock_t / rwlock_t, rt_mutex):
    /// the waiter sleeps in TASK_RTLOCK_WAIT, legal even while it holds
    /// other spinlock_t's (kernel/locking/rtmutex.c rtlock_slowlock_locked).
    public static func isRTWait(_ flags: UInt64) -> Bool { flags & rt != 0 }

    /// The flags as lock.h's __print_flags prints them ("WRITE", "SPIN|MUTEX").
    public static func describe(_ flags: UInt64) -> String {
        let names: [(UInt64, String)] = [(spin, "SPIN"), (read, "READ"), (write, "WRITE"), (rt, "RT"),
                                         (percpu, "PERCPU"), (mutex, "MUTEX")]
        let set = names.filter { flags & $0.0 != 0 }.map(\.1)
        let rest = flags & ~((1 << 6) - 1)
        return (set + (rest != 0 ? ["0x" + String(rest, radix: 16)] : [])).joined(separator: "|")
    }
}

/// Spans a rules file can declare atomic: while one is open in a task, the
/// task must not sleep (e.g. the tlb gather of kernels where tlb_gather_mmu
/// disabled preemption).
public enum AtomicSpan: String, Sendable, Hashable, CaseIterable {
    case tlbGather = "tlb.gather"
    case invalidate = "invalidate"
    case lock = "lock"
}
