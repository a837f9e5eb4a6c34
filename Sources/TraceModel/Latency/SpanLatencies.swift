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
    /// Lock wait series by lock address (naming a lock looks up a symbol).
    @exclusivity(unchecked) private var lockPositions: [UInt64?: Int] = [:]

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
        case .lockContentionEnded(let begin, let end, let lock):
            guard end.timestamp >= begin.timestamp else { return }
            let i = lockPositions[lock] ?? position(of: LatencyKey(.lockContention, Self.lockName(lock, model: model)))
            lockPositions[lock] = i
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
