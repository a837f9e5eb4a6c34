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
/// lock waits by the lock's symbol, or its address when the trace has no
/// symbol for it (addresses change from boot to boot).
public final class LatencyRecorder: ModelObserver {
    @exclusivity(unchecked) public private(set) var series: [LatencyKey: LatencyHistogram] = [:]
    /// The last invalidation series' key and what it was made from: ends
    /// mostly repeat one notifier event and channel, and the key's name is
    /// formatted.
    @exclusivity(unchecked) private var lastInvalidation: (event: Int64?, channel: String, key: LatencyKey)?

    public init() {}

    public var observedHappenings: HappeningKinds { [.invalidationEnded, .tlbGatherEnded, .lockContentionEnded] }

    public func observe(_ happening: Happening, model: TraceModel) {
        switch happening {
        case .invalidationEnded(let r):
            guard let d = r.duration else { return }
            if let last = lastInvalidation, last.event == r.notifierEvent, last.channel == r.channel {
                add(last.key, d)
                return
            }
            let key = LatencyKey(.invalidation, "\(InvalidateRange.eventName(r.notifierEvent)) (\(r.channel))")
            lastInvalidation = (r.notifierEvent, r.channel, key)
            add(key, d)
        case .tlbGatherEnded(let g, let end):
            guard end.timestamp >= g.begin.timestamp else { return }
            add(LatencyKey(.tlbGather, "tlb_gather_mmu..tlb_finish_mmu"), end.timestamp - g.begin.timestamp)
        case .lockContentionEnded(let begin, let end, let lock):
            guard end.timestamp >= begin.timestamp else { return }
            add(LatencyKey(.lockContention, Self.lockName(lock, model: model)), end.timestamp - begin.timestamp)
        default:
            break
        }
    }

    public func finish(model: TraceModel) {}

    private func add(_ key: LatencyKey, _ ns: UInt64) { series[key, default: LatencyHistogram()].add(ns) }

    /// A lock by its symbol without the offset, else its address. A symbol
    /// far below the address is not the lock's: trace-cmd keeps only text
    /// symbols in the fixtures' kallsyms, so a static lock in .data or one on
    /// the heap would otherwise be named after the last function ("_etext").
    static func lockName(_ address: UInt64?, model: TraceModel) -> String {
        guard let address else { return "unknown lock" }
        if let s = model.functions.symbol(at: address) {
            let parts = s.split(separator: "+", maxSplits: 1)
            let offset = parts.count == 2 ? UInt64(parts[1].split(separator: "/").first?.dropFirst(2) ?? "", radix: 16) : 0
            if let offset, offset < 0x1000, let name = parts.first { return String(name) }
        }
        return "0x" + String(address, radix: 16)
    }
}
