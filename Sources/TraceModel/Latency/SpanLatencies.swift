/// The span families whose durations a before/after comparison reads: how
/// long invalidations keep secondary MMUs waiting, how long tasks wait for
/// locks, how long tlb gathers stay open.
public enum LatencyFamily: String, Sendable, Hashable, CaseIterable, Codable {
    case invalidation = "invalidate range"
    case lockContention = "lock contention"
    case tlbGather = "tlb gather"
}

/// One series: a family and what it is grouped by (the notifier event, the
/// lock's symbol).
public struct LatencyKey: Sendable, Hashable, Comparable {
    public var family: LatencyFamily
    public var name: String

    public init(_ family: LatencyFamily, _ name: String) {
        self.family = family
        self.name = name
    }

    public static func < (a: LatencyKey, b: LatencyKey) -> Bool {
        let order = LatencyFamily.allCases
        let (x, y) = (order.firstIndex(of: a.family)!, order.firstIndex(of: b.family)!)
        return x != y ? x < y : a.name < b.name
    }
}

/// Durations of closed spans, gathered while the model rebuilds the trace.
/// Invalidations are grouped by enum mmu_notifier_event and channel (one
/// invalidation seen through kprobes and a driver's events is two series),
/// lock waits by what stays the same from boot to boot: the lock's symbol
/// when the trace's kallsyms has one, else its type (the LCB_F_* flags of
/// lock:contention_begin) and whether it is in the kernel image or on the
/// heap. Never the address alone: a heap lock's address changes with every
/// boot and every run of the workload, so two traces would share no series.
public final class LatencyRecorder: ModelObserver {
    public var series: [LatencyKey: LatencyHistogram] {
        Dictionary(uniqueKeysWithValues: positions.map { ($0.key, histograms[$0.value]) })
    }
    /// Each series' place in `histograms`: a sample is added by index, and
    /// a key (a formatted name) is hashed only when its span differs from
    /// the last one of its family.
    @exclusivity(unchecked) private var positions: [LatencyKey: Int] = [:]
    @exclusivity(unchecked) private var histograms: [LatencyHistogram] = []
    /// The last invalidation series and what it was made from: ends mostly
    /// repeat one notifier event and channel, and the key's name is formatted.
    @exclusivity(unchecked) private var lastInvalidation: (event: Int64?, channel: String, position: Int)?
    @exclusivity(unchecked) private var gatherPosition: Int?
    /// Lock wait series by lock address and flags (naming a lock looks up a symbol).
    @exclusivity(unchecked) private var lockPositions: [LockWaitKey: Int] = [:]

    private struct LockWaitKey: Hashable {
        var lock: UInt64?
        var flags: UInt64?
    }

    public init() {}

    public var observedHappenings: HappeningKinds { [.invalidationEnded, .tlbGatherEnded, .lockContentionEnded] }

    public func observe(_ happening: Happening, model: TraceModel) {
        switch happening {
        case .invalidationEnded(let r):
            guard let d = r.duration else { return }
            if let last = lastInvalidation, last.event == r.notifierEvent, last.channel == r.channel {
                histograms[last.position].add(d)
                return
            }
            let i = position(of: LatencyKey(.invalidation, "\(InvalidateRange.eventName(r.notifierEvent)) (\(r.channel))"))
            lastInvalidation = (r.notifierEvent, r.channel, i)
            histograms[i].add(d)
        case .tlbGatherEnded(let g, let end):
            guard end.timestamp >= g.begin.timestamp else { return }
            let i = gatherPosition ?? position(of: LatencyKey(.tlbGather, "tlb_gather_mmu..tlb_finish_mmu"))
            gatherPosition = i
            histograms[i].add(end.timestamp - g.begin.timestamp)
        case .lockContentionEnded(let begin, let end, let lock, let flags):
            guard end.timestamp >= begin.timestamp else { return }
            let wait = LockWaitKey(lock: lock, flags: flags)
            let i = lockPositions[wait] ?? position(of: LatencyKey(.lockContention,
                                                                   Self.lockSeries(lock, flags: flags, model: model)))
            lockPositions[wait] = i
            histograms[i].add(end.timestamp - begin.timestamp)
        default:
            break
        }
    }

    public func finish(model: TraceModel) {}

    /// The series of `key`, made empty the first time.
    private func position(of key: LatencyKey) -> Int {
        if let known = positions[key] { return known }
        histograms.append(LatencyHistogram())
        positions[key] = histograms.count - 1
        return histograms.count - 1
    }

    /// A lock wait's series name, stable across boots: the lock's symbol, else
    /// its type and where it lives ("rwsem write, heap").
    static func lockSeries(_ address: UInt64?, flags: UInt64?, model: TraceModel) -> String {
        if let address, let symbol = symbolName(address, model: model) { return symbol }
        let type = flags.map(lockType) ?? "lock"
        guard let address else { return type }
        // x86-64's kernel image and modules live in the top 2 GiB
        // (Documentation/arch/x86/x86_64/mm.rst); everything else a lock can
        // be in is the direct map or vmalloc: allocated, so boot-specific.
        return type + (address >= 0xffff_ffff_8000_0000 ? ", static" : ", heap")
    }

    /// What kind of lock waited, from lock:contention_begin's LCB_F_* flags
    /// (include/trace/events/lock.h; set by kernel/locking/*).
    static func lockType(_ flags: UInt64) -> String {
        let mode = flags & LockFlags.read != 0 ? " read" : flags & LockFlags.write != 0 ? " write" : ""
        if flags & LockFlags.percpu != 0 { return "percpu-rwsem" + mode }
        if flags & LockFlags.rt != 0 { return (mode.isEmpty ? "rtmutex" : "rwbase_rt" + mode) }
        if flags & LockFlags.mutex != 0 { return flags & LockFlags.spin != 0 ? "mutex (spinning)" : "mutex" }
        if flags & LockFlags.spin != 0 { return mode.isEmpty ? "spinlock" : "rwlock" + mode }
        return mode.isEmpty ? "lock" : "rwsem" + mode
    }

    /// A lock by its symbol without the offset, else its address. A symbol
    /// far below the address is not the lock's: trace-cmd keeps only text
    /// symbols in the fixtures' kallsyms, so a static lock in .data or one on
    /// the heap would otherwise be named after the last function ("_etext").
    static func lockName(_ address: UInt64?, model: TraceModel) -> String {
        guard let address else { return "unknown lock" }
        return symbolName(address, model: model) ?? "0x" + String(address, radix: 16)
    }

    private static func symbolName(_ address: UInt64, model: TraceModel) -> String? {
        guard let s = model.functions.symbol(at: address) else { return nil }
        let parts = s.split(separator: "+", maxSplits: 1)
        let offset = parts.count == 2 ? UInt64(parts[1].split(separator: "/").first?.dropFirst(2) ?? "", radix: 16) : 0
        guard let offset, offset < 0x1000, let name = parts.first else { return nil }
        return String(name)
    }
}
