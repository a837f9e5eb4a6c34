/// The bindings for mainline Linux: tracepoints that exist upstream, the
/// function and function_graph tracers on the mmu-notifier, tlb-gather and
/// sleeping functions, and kprobes on those functions. Mainline has no
/// mmu_notifier tracepoints, so invalidations come from the function
/// tracers or from kprobes (`mmaudit record` names their fetched fields
/// mm/start/end/event/flags, which the kprobe bindings read).
public enum BuiltinBindings {
    /// mm/mmu_notifier.c: the entry points every invalidation passes through.
    static let invalidateBegin = "__mmu_notifier_invalidate_range_start"
    static let invalidateEnd = "__mmu_notifier_invalidate_range_end"
    /// mm/mmu_gather.c.
    static let gatherBegin = "tlb_gather_mmu"
    static let gatherEnd = "tlb_finish_mmu"

    /// Functions that sleep, or may, when called: entering one in atomic
    /// context is the bug (kernel/sched/core.c __might_resched prints the
    /// "BUG: sleeping function called from invalid context" for many).
    public static let sleepingFunctions = [
        "msleep", "msleep_interruptible", "usleep_range_state", "ssleep",
        "schedule", "schedule_timeout", "schedule_timeout_uninterruptible",
        "schedule_timeout_interruptible", "schedule_timeout_killable",
        "mutex_lock", "mutex_lock_interruptible", "mutex_lock_killable",
        "down", "down_interruptible", "down_killable", "down_read", "down_write",
        "down_read_killable", "down_write_killable",
        "wait_for_completion", "wait_for_completion_timeout",
        "wait_for_completion_interruptible", "wait_for_completion_killable",
        "synchronize_rcu", "synchronize_srcu", "flush_work", "__might_sleep",
    ]

    /// Event kinds that name a function: each gets the function bindings.
    static let functionEvents = [
        EventKey("ftrace", "function"),
        EventKey("ftrace", "funcgraph_entry"),
    ]

    public static var table: BindingTable {
        var t = BindingTable()
        for key in functionEvents {
            t.add(fn(key, invalidateBegin, .invalidateBegin))
            t.add(fn(key, invalidateEnd, .invalidateEnd))
            t.add(fn(key, gatherBegin, .tlbGatherBegin))
            t.add(fn(key, gatherEnd, .tlbGatherEnd))
            for f in sleepingFunctions { t.add(fn(key, f, .sleep)) }
        }
        for binding in kprobeBindings { t.add(binding) }

        // include/trace/events/tlb.h
        t.add(RoleBinding(event: EventKey("tlb", "tlb_flush"), role: .tlbFlush,
                          arguments: [.label: .field("reason", mask: nil)], origin: origin))
        // include/trace/events/lock.h (Linux 5.19+)
        t.add(RoleBinding(event: EventKey("lock", "contention_begin"), role: .lockContendBegin,
                          arguments: [.lock: .field("lock_addr", mask: nil),
                                      .flags: .field("flags", mask: nil)], origin: origin))
        t.add(RoleBinding(event: EventKey("lock", "contention_end"), role: .lockContendEnd,
                          arguments: [.lock: .field("lock_addr", mask: nil)], origin: origin))
        // lockdep's events (CONFIG_LOCKDEP kernels only).
        t.add(RoleBinding(event: EventKey("lock", "lock_acquire"), role: .lockAcquire,
                          arguments: [.lock: .field("lockdep_addr", mask: nil),
                                      .label: .field("name", mask: nil)], origin: origin))
        t.add(RoleBinding(event: EventKey("lock", "lock_release"), role: .lockRelease,
                          arguments: [.lock: .field("lockdep_addr", mask: nil),
                                      .label: .field("name", mask: nil)], origin: origin))
        // include/trace/events/kmem.h
        t.add(RoleBinding(event: EventKey("kmem", "mm_page_free"), role: .pageFree,
                          arguments: [:], origin: origin))
        return t
    }

    public static let origin = "built-in"

    static func fn(_ key: EventKey, _ function: String, _ role: Role) -> RoleBinding {
        RoleBinding(event: key, role: role, function: function, arguments: [:], origin: origin)
    }

    /// Kprobes on the notifier entry points, whatever the probe is called:
    /// matched by the probed function. The fetch arguments `mmaudit record`
    /// defines are read by name; a probe without them still marks the span.
    static var kprobeBindings: [RoleBinding] {
        let rangeArgs: [ArgumentName: ArgumentSource] = [
            .mm: .field("mm", mask: nil), .start: .field("start", mask: nil),
            .end: .field("end", mask: nil), .event: .field("event", mask: nil),
            // MMU_NOTIFIER_RANGE_BLOCKABLE is bit 0 of range->flags.
            .blockable: .field("flags", mask: 1),
        ]
        return [
            RoleBinding(event: EventKey("kprobes", "*"), role: .invalidateBegin,
                        function: invalidateBegin, arguments: rangeArgs, origin: origin),
            RoleBinding(event: EventKey("kprobes", "*"), role: .invalidateEnd,
                        function: invalidateEnd, arguments: rangeArgs, origin: origin),
            // A kretprobe on the start (`r:kprobes/NAME FUNC ret=$retval`)
            // carries what the notifiers returned: -EAGAIN from a failing
            // one (mm/mmu_notifier.c mn_hlist_invalidate_range_start).
            RoleBinding(event: EventKey("kprobes", "*"), role: .invalidateResult,
                        function: invalidateBegin + FunctionNames.returnSuffix,
                        arguments: [.ret: .field("ret", mask: nil)], origin: origin),
        ]
    }
}
