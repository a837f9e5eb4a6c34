/// The latency columns ("d..2.") turned back into the `common_flags` and
/// `common_preempt_count` the kernel stored.
///
/// Two printers write them, and they differ:
/// - the kernel (tracefs `trace`, trace_pipe; trace_print_lat_fmt in
///   kernel/trace/trace_output.c): irqs-off `D` (irqs and BH off), `d`, `b`
///   (BH off), `X` (no irqflags support); need-resched `N` (need + preempt
///   resched), `n`, `p`; hard/soft irq `Z` (NMI in hardirq), `z`, `H`, `h`,
///   `s`; then preempt depth and (since 5.13) migrate-disable, one hex
///   nibble or `.` each: 4 or 5 characters. PREEMPT_RT kernels (6.1-rt)
///   print 7: need-resched-lazy (`L`) after need-resched, and the
///   preempt-lazy depth before migrate-disable (their header says so:
///   "need-resched-lazy", "preempt-lazy-depth").
/// - libtraceevent (`trace-cmd report -l`, data_latency_format): irqs-off
///   only `d` or `X` (0x02), need-resched `N` for TRACE_FLAG_NEED_RESCHED
///   alone (checked against `report -l -R`, which prints the raw flags:
///   0x05 and 0x25 both print "dN"), no NMI or BH-off letters; 1.7 prints
///   the count as two nibbles like the kernel, older releases the whole
///   preempt_count byte in hex, so a wider count column is read as hex.
enum LatencyDialect {
    case kernel
    case libtraceevent
}

enum LatencyColumns {
    /// Parses `from..<to`; nil when a character is not a latency flag.
    static func parse(_ b: [UInt8], _ from: Int, _ to: Int,
                      dialect: LatencyDialect) -> ExecutionContext? {
        guard to - from >= 4 else { return nil }
        // PREEMPT_RT's two extra columns: need-resched-lazy after
        // need-resched, preempt-lazy depth before migrate-disable. Neither
        // is a bit of the 6.1 flags or count; the others read as usual.
        let rt = dialect == .kernel && to - from == 7
        if rt, b[from + 2] != UInt8(ascii: "L") && b[from + 2] != ASCII.dot { return nil }
        let irq = rt ? from + 3 : from + 2
        var flags: ContextFlags = []
        switch b[from] {
        case UInt8(ascii: "D"): flags.formUnion([.irqsOff, .bhOff])
        case UInt8(ascii: "d"): flags.insert(.irqsOff)
        case UInt8(ascii: "b"): flags.insert(.bhOff)
        case UInt8(ascii: "X"): flags.insert(.irqsNoSupport)
        case ASCII.dot: break
        default: return nil
        }
        // On 6.1-rt (CONFIG_PREEMPT_LAZY) bit 0x20 is NEED_RESCHED_LAZY, its
        // `L` column; PREEMPT_RESCHED is 0 there, so `N` cannot be printed.
        if rt, b[from + 2] == UInt8(ascii: "L") { flags.insert(.preemptResched) }
        switch b[from + 1] {
        case UInt8(ascii: "N"):
            flags.insert(.needResched)
            if dialect == .kernel && !rt { flags.insert(.preemptResched) }
        case UInt8(ascii: "n"): flags.insert(.needResched)
        case UInt8(ascii: "p"): flags.insert(.preemptResched)
        // Lazy-preemption kernels (6.13+) add 'L', 'B', 'b'; their bits are
        // not in the 6.1 flag set, so they read as "no need-resched bit".
        case UInt8(ascii: "L"), UInt8(ascii: "B"), UInt8(ascii: "b"): break
        case ASCII.dot: break
        default: return nil
        }
        switch b[irq] {
        case UInt8(ascii: "Z"): flags.formUnion([.nmi, .hardirq])
        case UInt8(ascii: "z"): flags.insert(.nmi)
        case UInt8(ascii: "H"): flags.formUnion([.hardirq, .softirq])
        case UInt8(ascii: "h"): flags.insert(.hardirq)
        case UInt8(ascii: "s"): flags.insert(.softirq)
        case ASCII.dot: break
        default: return nil
        }
        var count: UInt8 = 0
        switch dialect {
        case .kernel where rt:
            guard let depth = nibble(b[from + 4]), nibble(b[from + 5]) != nil,
                  let md = nibble(b[from + 6]) else { return nil }
            count = depth | md << 4
        case .kernel:
            // One nibble each: preempt depth, then migrate-disable (5 chars).
            guard let depth = nibble(b[from + 3]) else { return nil }
            count = depth
            if to - from >= 5 {
                guard to - from == 5, let md = nibble(b[from + 4]) else { return nil }
                count |= md << 4
            }
        case .libtraceevent:
            if to - from == 5, let depth = nibble(b[from + 3]), let md = nibble(b[from + 4]) {
                count = depth | md << 4
            } else if to - from == 4, let depth = nibble(b[from + 3]) {
                count = depth
            } else {
                // Older libtraceevent: the whole preempt_count in hex.
                guard to - from <= 5, let v = b.parseHex(from + 3, to) else { return nil }
                count = UInt8(truncatingIfNeeded: v)
            }
        }
        return ExecutionContext(flags: flags, preemptCount: count)
    }

    @inline(__always)
    private static func nibble(_ c: UInt8) -> UInt8? {
        c == ASCII.dot ? 0 : ASCII.hexValue(c)
    }
}
