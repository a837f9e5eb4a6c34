/// The events analyses rely on, parsed from their printed form back into the
/// fields trace.dat gives (names, order and value types of the Linux 6.1
/// formats), so an analysis cannot tell text from trace.dat.
///
/// Each event has up to two printed shapes: the kernel's print format
/// (tracefs, and `trace-cmd report -N`, which prints through the format's
/// "print fmt") and the libtraceevent plugin's (`trace-cmd report`
/// default: plugin_sched_switch, plugin_tlb, plugin_function; the
/// function_graph printer of libtracecmd). Both are accepted.
///
/// Symbols: text shows a function by name, not by address. `ip`,
/// `parent_ip` (function) and `func` (funcgraph) are therefore strings here
/// (the name as printed, offset and module dropped), and every event that
/// has them also carries `ip_sym` / `parent_ip_sym` / `func_sym`: the same
/// name, the field an analysis should match function names on. The
/// trace.dat reader resolves addresses through the file's kallsyms and
/// provides the same `*_sym` fields, so name matching works on both.
enum WellKnownEvent: UInt8, Sendable {
    case generic
    case schedSwitch
    case schedWakeup      // sched_wakeup, sched_wakeup_new, sched_waking
    case tlbFlush
    case contentionBegin
    case contentionEnd
    case mmPageFree
    case function
    case kprobe

    /// The decoder for an event name (the system is looked up separately).
    static func kind(forName name: String) -> WellKnownEvent {
        switch name {
        case "sched_switch": return .schedSwitch
        case "sched_wakeup", "sched_wakeup_new", "sched_waking": return .schedWakeup
        case "tlb_flush": return .tlbFlush
        case "contention_begin": return .contentionBegin
        case "contention_end": return .contentionEnd
        case "mm_page_free": return .mmPageFree
        case "function": return .function
        default: return .generic
        }
    }

    /// The event system for a name as text prints it (text never shows the
    /// system). Well-known names first, then the prefixes the kernel's
    /// trace/events/*.h headers use; "" when the text cannot say.
    static func system(forName name: String, payloadLooksLikeProbe: Bool) -> String {
        if let s = systems[name] { return s }
        if payloadLooksLikeProbe { return "kprobes" }
        for (prefix, system) in prefixSystems where name.hasPrefix(prefix) { return system }
        return ""
    }

    private static let systems: [String: String] = [
        "function": "ftrace", "funcgraph_entry": "ftrace", "funcgraph_exit": "ftrace",
        "print": "ftrace", "bprint": "ftrace", "bputs": "ftrace", "kernel_stack": "ftrace",
        "user_stack": "ftrace", "tracing_mark_write": "ftrace",
        "tlb_flush": "tlb",
        "contention_begin": "lock", "contention_end": "lock",
        "mm_page_free": "kmem", "mm_page_free_batched": "kmem", "mm_page_alloc": "kmem",
        "mm_page_alloc_zone_locked": "kmem", "mm_page_pcpu_drain": "kmem",
        "mm_page_alloc_extfrag": "kmem", "kmalloc": "kmem", "kfree": "kmem",
        "kmalloc_node": "kmem", "kmem_cache_alloc": "kmem", "kmem_cache_alloc_node": "kmem",
        "kmem_cache_free": "kmem", "rss_stat": "kmem",
        "irq_handler_entry": "irq", "irq_handler_exit": "irq", "softirq_entry": "irq",
        "softirq_exit": "irq", "softirq_raise": "irq",
        "workqueue_queue_work": "workqueue", "workqueue_activate_work": "workqueue",
        "workqueue_execute_start": "workqueue", "workqueue_execute_end": "workqueue",
        "cpu_idle": "power", "cpu_frequency": "power",
        "sys_enter": "raw_syscalls", "sys_exit": "raw_syscalls",
    ]
    private static let prefixSystems: [(String, String)] = [
        ("sched_", "sched"), ("mm_vmscan_", "vmscan"), ("mm_compaction_", "compaction"),
        ("mm_migrate_", "migrate"), ("mm_khugepaged_", "huge_memory"), ("mm_filemap_", "filemap"),
        ("mmap_lock_", "mmap_lock"), ("mm_lru_", "pagemap"), ("timer_", "timer"),
        ("hrtimer_", "timer"), ("tick_", "timer"), ("sys_enter_", "syscalls"),
        ("sys_exit_", "syscalls"), ("block_", "block"), ("writeback_", "writeback"),
        ("ext4_", "ext4"), ("xfs_", "xfs"), ("ipi_", "ipi"), ("rcu_", "rcu"),
        ("page_pool_", "page_pool"), ("percpu_", "percpu"), ("cma_", "cma"),
        ("oom_", "oom"), ("task_", "task"), ("signal_", "signal"), ("module_", "module"),
    ]
}

/// Decodes a text event's fields from its payload, on access only: stats
/// and most passes never look at fields, so no line pays for it up front.
struct TextFieldDecoder: FieldDecoder {
    let kind: WellKnownEvent
    let payload: [UInt8]

    var fieldNames: [String] { decode().map(\.0) }

    func value(of name: String) -> FieldValue? {
        if kind == .generic {
            return PayloadFields.value(of: name, payload, 0, payload.count)
        }
        return decode().first(where: { $0.0 == name })?.1
    }

    func decode() -> [(String, FieldValue)] {
        let text = String(decoding: payload, as: UTF8.self)
        switch kind {
        case .generic: return PayloadFields.parse(payload, 0, payload.count)
        case .schedSwitch: return SchedFields.schedSwitch(text) ?? PayloadFields.parse(payload, 0, payload.count)
        case .schedWakeup: return SchedFields.wakeup(text) ?? PayloadFields.parse(payload, 0, payload.count)
        case .tlbFlush: return OtherFields.tlbFlush(text) ?? []
        case .contentionBegin: return OtherFields.contentionBegin(text) ?? []
        case .contentionEnd: return OtherFields.contentionEnd(text) ?? []
        case .mmPageFree: return OtherFields.mmPageFree(payload)
        case .function: return FunctionFields.functionEvent(text) ?? []
        case .kprobe: return OtherFields.kprobe(payload)
        }
    }
}

/// sched_switch and the wakeup family.
enum SchedFields {
    /// prev_state letters of the 6.1 format's __print_flags table
    /// (TASK_REPORT bits); "+" after the state is TASK_REPORT_MAX (0x100),
    /// the task was preempted while runnable; plain "R" is 0.
    static let kernelStateBits: [Character: Int64] = [
        "S": 0x01, "D": 0x02, "T": 0x04, "t": 0x08, "X": 0x10, "Z": 0x20, "P": 0x40, "I": 0x80,
    ]
    /// libtraceevent 1.7's plugin_sched_switch prints bits 0..7 with its own
    /// (older) letters "SDTtZXxW", no "+", and "R" for none of them.
    static let pluginStateBits: [Character: Int64] = [
        "S": 0x01, "D": 0x02, "T": 0x04, "t": 0x08, "Z": 0x10, "X": 0x20, "x": 0x40, "W": 0x80,
    ]

    static func state(_ s: Substring, table: [Character: Int64]) -> Int64? {
        var bits: Int64 = 0
        var body = s
        if body.hasSuffix("+") { bits |= 0x100; body = body.dropLast() }
        if body == "R" { return bits }
        for part in body.split(separator: "|") {
            guard part.count == 1, let v = table[part.first!] else { return nil }
            bits |= v
        }
        return bits
    }

    static func schedSwitch(_ text: String) -> [(String, FieldValue)]? {
        guard let arrow = text.range(of: " ==> ") else { return nil }
        let prev = text[..<arrow.lowerBound], next = text[arrow.upperBound...]
        if prev.hasPrefix("prev_comm=") {
            // Kernel: "prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s"
            guard let p = keyValues(prev, ["prev_comm", "prev_pid", "prev_prio", "prev_state"]),
                  let n = keyValues(next, ["next_comm", "next_pid", "next_prio"]),
                  let pid = Int64(p[1]), let prio = Int64(p[2]),
                  let st = state(p[3], table: kernelStateBits),
                  let npid = Int64(n[1]), let nprio = Int64(n[2]) else { return nil }
            return [("prev_comm", .string(String(p[0]))), ("prev_pid", .signed(pid)),
                    ("prev_prio", .signed(prio)), ("prev_state", .signed(st)),
                    ("next_comm", .string(String(n[0]))), ("next_pid", .signed(npid)),
                    ("next_prio", .signed(nprio))]
        }
        // Plugin: "%s:%d [%d] STATE" ==> "%s:%d [%d]"
        guard let (pc, pid, prio, rest) = commPidPrio(prev),
              let st = state(rest.trimmingSpaces, table: pluginStateBits),
              let (nc, npid, nprio, nrest) = commPidPrio(next), nrest.trimmingSpaces.isEmpty
        else { return nil }
        return [("prev_comm", .string(pc)), ("prev_pid", .signed(pid)),
                ("prev_prio", .signed(prio)), ("prev_state", .signed(st)),
                ("next_comm", .string(nc)), ("next_pid", .signed(npid)),
                ("next_prio", .signed(nprio))]
    }

    /// sched_wakeup/_new/sched_waking: kernel "comm=%s pid=%d prio=%d
    /// target_cpu=%03d", plugin "%s:%d [%d] CPU:%03d" (" success=%d" on
    /// kernels whose format still has it).
    static func wakeup(_ text: String) -> [(String, FieldValue)]? {
        if text.hasPrefix("comm=") {
            let hasSuccess = text.contains(" success=")
            let keys = hasSuccess ? ["comm", "pid", "prio", "success", "target_cpu"]
                                  : ["comm", "pid", "prio", "target_cpu"]
            guard let v = keyValues(Substring(text), keys) else { return nil }
            var out: [(String, FieldValue)] = [("comm", .string(String(v[0])))]
            for (k, s) in zip(keys.dropFirst(), v.dropFirst()) {
                guard let n = Int64(s) else { return nil }
                out.append((k, .signed(n)))
            }
            return out
        }
        guard let (comm, pid, prio, rest) = commPidPrio(Substring(text)) else { return nil }
        var out: [(String, FieldValue)] = [("comm", .string(comm)), ("pid", .signed(pid)),
                                           ("prio", .signed(prio))]
        for word in rest.split(separator: " ") {
            if word.hasPrefix("success="), let n = Int64(word.dropFirst(8)) {
                out.append(("success", .signed(n)))
            } else if word.hasPrefix("CPU:"), let n = Int64(word.dropFirst(4)) {
                out.append(("target_cpu", .signed(n)))
            } else {
                return nil
            }
        }
        return out
    }

    /// "comm:pid [prio]" + the rest; the comm may itself hold ':' or ' '.
    static func commPidPrio(_ s: Substring) -> (String, Int64, Int64, Substring)? {
        guard let open = s.range(of: " ["),
              let close = s[open.upperBound...].firstIndex(of: "]"),
              let prio = Int64(s[open.upperBound..<close]) else { return nil }
        let commPid = s[..<open.lowerBound]
        guard let colon = commPid.lastIndex(of: ":"),
              let pid = Int64(commPid[commPid.index(after: colon)...]) else { return nil }
        return (String(commPid[..<colon]), pid, prio, s[s.index(after: close)...])
    }

    /// Values of `keys`, which must appear in this order as "key=value"; a
    /// value runs to the next " key=" so it may hold spaces.
    static func keyValues(_ s: Substring, _ keys: [String]) -> [Substring]? {
        var out: [Substring] = []
        var rest = s
        for (i, key) in keys.enumerated() {
            guard rest.hasPrefix(key + "=") else { return nil }
            rest = rest.dropFirst(key.count + 1)
            if i + 1 < keys.count {
                guard let r = rest.range(of: " " + keys[i + 1] + "=") else { return nil }
                out.append(rest[..<r.lowerBound])
                rest = rest[rest.index(after: r.lowerBound)...]
            } else {
                out.append(rest.trimmingSpaces)
            }
        }
        return out
    }
}

/// tlb_flush, lock contention, mm_page_free, kprobes.
enum OtherFields {
    /// Kernel "pages:%ld reason:%s (%d)", plugin_tlb "pages=%lld reason=%s (%d)".
    /// Format order: reason (int), pages (unsigned long).
    static func tlbFlush(_ text: String) -> [(String, FieldValue)]? {
        let t = Substring(text)
        guard t.hasPrefix("pages:") || t.hasPrefix("pages="),
              let sp = t.firstIndex(of: " "),
              let pages = Int64(t[t.index(t.startIndex, offsetBy: 6)..<sp]),
              let open = t.lastIndex(of: "("), t.hasSuffix(")"),
              let reason = Int64(t[t.index(after: open)..<t.index(before: t.endIndex)])
        else { return nil }
        return [("reason", .signed(reason)), ("pages", .unsigned(UInt64(bitPattern: pages)))]
    }

    /// LCB_F_* of include/trace/events/lock.h.
    static let contentionFlags: [Substring: UInt64] = [
        "SPIN": 1 << 0, "READ": 1 << 1, "WRITE": 1 << 2, "RT": 1 << 3,
        "PERCPU": 1 << 4, "MUTEX": 1 << 5,
    ]

    /// "%p (flags=%s)": lock_addr (void *), flags (unsigned int). tracefs
    /// prints %p hashed unless the kernel runs with no_hash_pointers; the
    /// text's value is all anyone has, so it is kept as printed.
    static func contentionBegin(_ text: String) -> [(String, FieldValue)]? {
        guard let (addr, inner) = pointerAndParen(text), inner.hasPrefix("flags=") else { return nil }
        var flags: UInt64 = 0
        let list = inner.dropFirst(6)
        if let n = UInt64(list) { flags = n } else if !list.isEmpty {
            for part in list.split(separator: "|") {
                if let v = contentionFlags[part] { flags |= v }
                else if part.hasPrefix("0x"), let v = UInt64(part.dropFirst(2), radix: 16) { flags |= v }
                else { return nil }
            }
        }
        return [("lock_addr", .unsigned(addr)), ("flags", .unsigned(flags))]
    }

    /// "%p (ret=%d)": lock_addr, ret (int).
    static func contentionEnd(_ text: String) -> [(String, FieldValue)]? {
        guard let (addr, inner) = pointerAndParen(text), inner.hasPrefix("ret="),
              let ret = Int64(inner.dropFirst(4)) else { return nil }
        return [("lock_addr", .unsigned(addr)), ("ret", .signed(ret))]
    }

    private static func pointerAndParen(_ text: String) -> (UInt64, Substring)? {
        let t = Substring(text)
        guard let sp = t.firstIndex(of: " ") else { return nil }
        var p = t[..<sp]
        if p.hasPrefix("0x") { p = p.dropFirst(2) }
        let addr: UInt64
        if p == "(nil)" || p == "0" { addr = 0 } else {
            guard let v = UInt64(p, radix: 16) else { return nil }
            addr = v
        }
        let rest = t[sp...].trimmingSpaces
        guard rest.hasPrefix("("), rest.hasSuffix(")") else { return nil }
        return (addr, rest.dropFirst().dropLast())
    }

    /// "page=%p pfn=0x%lx order=%d": the format's fields are pfn and order
    /// (page is computed from pfn for printing).
    static func mmPageFree(_ payload: [UInt8]) -> [(String, FieldValue)] {
        let all = PayloadFields.parse(payload, 0, payload.count)
        var out: [(String, FieldValue)] = []
        if let pfn = all.first(where: { $0.0 == "pfn" })?.1.uint64 { out.append(("pfn", .unsigned(pfn))) }
        if let order = all.first(where: { $0.0 == "order" })?.1.uint64 { out.append(("order", .unsigned(order))) }
        return out
    }

    /// kprobe "(sym+0x0/0x2a0) arg=..." / kretprobe "(caller+0x.. <- sym) arg=...":
    /// __probe_ip (kprobe) or __probe_func/__probe_ret_ip (kretprobe) as
    /// symbol strings, then the probe's own key=value arguments.
    static func kprobe(_ payload: [UInt8]) -> [(String, FieldValue)] {
        guard let close = payload.find(ASCII.closeParen, 0, payload.count),
              payload.first == ASCII.openParen else {
            return PayloadFields.parse(payload, 0, payload.count)
        }
        let inside = payload.string(1, close)
        // tracefs prints symbols ("sym+0x0/0x80"), trace-cmd the bare hex
        // address ("%lx" of the format): an address stays a number.
        func location(_ s: some StringProtocol) -> FieldValue {
            let t = Substring(s).trimmingSpaces
            if let v = UInt64(t, radix: 16) { return .unsigned(v) }
            return .string(FunctionFields.symbol(t))
        }
        var out: [(String, FieldValue)] = []
        if let arrow = inside.range(of: " <- ") {
            // kretprobe. The kernel prints "(ret_ip+off <- func)"
            // (print_kretprobe_event); the format's print fmt, which
            // trace-cmd uses, is "(%lx <- %lx)" of func, then ret_ip.
            let left = location(inside[..<arrow.lowerBound])
            let right = location(inside[arrow.upperBound...])
            let bothHex = left.string == nil && right.string == nil
            let func_ = bothHex ? left : right
            out.append(("__probe_func", func_))
            out.append(("__probe_ret_ip", bothHex ? right : left))
            if case .string = func_ { out.append(("__probe_func_sym", func_)) }
        } else {
            let ip = location(inside)
            out.append(("__probe_ip", ip))
            if case .string = ip { out.append(("__probe_ip_sym", ip)) }
        }
        out.append(contentsOf: PayloadFields.parse(payload, close + 1, payload.count))
        return out
    }
}

/// The function tracer's event (ftrace:function).
enum FunctionFields {
    /// A printed symbol reduced to its name: "do_sys_open+0x0/0x2a0 [mod]"
    /// → "do_sys_open".
    static func symbol(_ s: some StringProtocol) -> String {
        var t = Substring(s).trimmingSpaces
        if let sp = t.firstIndex(of: " ") { t = t[..<sp] }
        if let plus = t.firstIndex(of: "+") { t = t[..<plus] }
        return String(t)
    }

    /// "func <-parent" (tracefs), "func <-- parent" (trace-cmd -N), "func"
    /// (trace-cmd's function plugin, which by default indents and omits
    /// the parent).
    static func functionEvent(_ text: String) -> [(String, FieldValue)]? {
        let t = Substring(text).trimmingSpaces
        guard !t.isEmpty else { return nil }
        var ip = t, parent: Substring? = nil
        if let r = t.range(of: " <-- ") ?? t.range(of: " <-") {
            ip = t[..<r.lowerBound]
            parent = t[r.upperBound...]
        }
        let ipSym = symbol(ip)
        var out: [(String, FieldValue)] = [("ip", .string(ipSym))]
        if let parent {
            out.append(("parent_ip", .string(symbol(parent))))
        }
        out.append(("ip_sym", .string(ipSym)))
        if let parent { out.append(("parent_ip_sym", .string(symbol(parent)))) }
        return out
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
