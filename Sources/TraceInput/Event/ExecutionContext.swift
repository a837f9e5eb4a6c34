/// The `common_flags` bits the kernel stores with every event
/// (kernel/trace/trace.h, enum trace_flag_type, Linux 6.1).
public struct ContextFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// TRACE_FLAG_IRQS_OFF: local interrupts were disabled.
    public static let irqsOff = ContextFlags(rawValue: 0x01)
    /// TRACE_FLAG_IRQS_NOSUPPORT: the kernel cannot tell whether irqs were
    /// off (no CONFIG_TRACE_IRQFLAGS_SUPPORT; printed 'X').
    public static let irqsNoSupport = ContextFlags(rawValue: 0x02)
    /// TRACE_FLAG_NEED_RESCHED.
    public static let needResched = ContextFlags(rawValue: 0x04)
    /// TRACE_FLAG_HARDIRQ: in hard interrupt context.
    public static let hardirq = ContextFlags(rawValue: 0x08)
    /// TRACE_FLAG_SOFTIRQ: in softirq context.
    public static let softirq = ContextFlags(rawValue: 0x10)
    /// TRACE_FLAG_PREEMPT_RESCHED.
    public static let preemptResched = ContextFlags(rawValue: 0x20)
    /// TRACE_FLAG_NMI.
    public static let nmi = ContextFlags(rawValue: 0x40)
    /// TRACE_FLAG_BH_OFF (Linux 5.18+): bottom halves were disabled
    /// (printed 'b', or 'D' with irqs off).
    public static let bhOff = ContextFlags(rawValue: 0x80)
}

/// What the kernel recorded about the context an event fired in.
public struct ExecutionContext: Sendable, Hashable {
    public var flags: ContextFlags
    /// `common_preempt_count` (low nibble: preempt depth; see
    /// include/linux/trace_events.h, tracing_gen_ctx_irq_test).
    public var preemptCount: UInt8
    /// `common_migrate_disable` where the format has it.
    public var migrateDisable: UInt8?
    /// False for sources that did not record the context (text without
    /// latency columns): then flags and counts are unknown, not zero.
    public var isKnown: Bool

    public init(flags: ContextFlags, preemptCount: UInt8,
                migrateDisable: UInt8? = nil, isKnown: Bool = true) {
        self.flags = flags
        self.preemptCount = preemptCount
        self.migrateDisable = migrateDisable
        self.isKnown = isKnown
    }

    /// The context of an event whose source did not record one.
    public static let unknown = ExecutionContext(flags: [], preemptCount: 0, isKnown: false)

    /// Preempt depth as ftrace prints it (the low 4 bits of the count).
    public var preemptDepth: Int { Int(preemptCount & 0x0f) }

    /// How often migration was disabled: the format's own field where it has
    /// one, else the high 4 bits of the count, where Linux 5.13+ keeps it
    /// (kernel/trace/trace.h tracing_gen_ctx_irq_test: migration_disable_value).
    public var migrationDepth: Int { Int(migrateDisable ?? (preemptCount >> 4)) }
}
