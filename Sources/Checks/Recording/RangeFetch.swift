import TraceInput

/// How a kprobe fetches the fields of `struct mmu_notifier_range` that the
/// built-in bindings read (mm, start, end, flags, event: the struct's own
/// member names), from the layout the target kernel's BTF gives. The layout
/// changes between kernels: Linux 6.1 has `vma` first (mm at +8), 6.12 has
/// no `vma` (mm at +0; include/linux/mmu_notifier.h), so no offset is
/// fixed here. Both notifier entry points take the range as their first
/// argument, fetched as `$arg1` (kprobetrace.rst: on function entry, on
/// every architecture with the function-argument access API: x86, arm64,
/// riscv, powerpc, s390, ...), not through an x86 register.
public enum RangeFetch {
    public static let structName = "mmu_notifier_range"
    /// In the order of the struct in every kernel so far.
    public static let fields = ["mm", "start", "end", "flags", "event"]

    /// `FIELD=+OFF($arg1):TYPE` for each of `wanted` the layout has, and
    /// the wanted fields it lacks (or cannot fetch: a bitfield, a struct).
    public static func arguments(_ layout: StructLayout, wanted: Set<String>) -> (arguments: [String], missing: [String]) {
        var arguments: [String] = [], missing: [String] = []
        for field in fields where wanted.contains(field) {
            guard let m = layout.member(field), let type = fetchType(m) else {
                missing.append(field)
                continue
            }
            arguments.append("\(field)=+\(m.byteOffset)($arg1):\(type)")
        }
        return (arguments, missing)
    }

    /// The kprobe fetch type of a member (kprobetrace.rst "Types"): pointers
    /// and 64-bit unsigned values in hex (addresses), other integers by
    /// their size and signedness.
    public static func fetchType(_ m: StructLayout.Member) -> String? {
        guard !m.isBitfield, [1, 2, 4, 8].contains(m.size) else { return nil }
        let bits = m.size * 8
        switch m.value {
        case .pointer: return "x\(bits)"
        case .integer(signed: true): return "s\(bits)"
        case .integer(signed: false): return m.size == 8 ? "x64" : "u\(bits)"
        case .other: return nil
        }
    }
}

/// The hook through which mm/mmu_notifier.c tells secondary TLBs (IOMMU
/// SVA, device TLBs) to flush [start, end) of an mm: `invalidate_range`
/// notifiers through __mmu_notifier_invalidate_range up to Linux 6.5, and
/// `arch_invalidate_secondary_tlbs` through
/// __mmu_notifier_arch_invalidate_secondary_tlbs from 6.6 on. Both take
/// (mm, start, end). A secondary TLB holding 4 KiB entries of a huge page
/// must drop all of them on one such call, not only the first.
public enum SecondaryTLBHook {
    /// Newest first: the kernel at hand has one of them.
    public static let functions = ["__mmu_notifier_arch_invalidate_secondary_tlbs", "__mmu_notifier_invalidate_range"]
    public static let eventName = "mmaudit_secondary_tlb"

    /// The probe on whichever hook `available` holds.
    public static func probe(available: Set<String>) -> KprobeDefinition? {
        guard let f = functions.first(where: available.contains) else { return nil }
        return KprobeDefinition(name: eventName, function: f,
                                fetchArguments: ["mm=$arg1:x64", "start=$arg2:x64", "end=$arg3:x64"])
    }
}
