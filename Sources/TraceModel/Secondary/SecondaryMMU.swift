/// The secondary MMU's live mappings, rebuilt from secondary.map /
/// secondary.unmap: what a device TLB, KVM's shadow pages or an IOMMU still
/// translates. An unmap of part of a mapping leaves the rest live, which is
/// exactly the huge-page bug: dropping only the first 4 KiB of a 2 MiB entry.
public struct SecondaryMMU: Sendable {
    public struct Mapping: Sendable, Hashable {
        /// Stable while the mapping lives (a split keeps the id).
        public var id: Int
        public var mm: UInt64
        public var start: UInt64
        public var end: UInt64
        /// The size it was mapped with (4 KiB, 2 MiB, …).
        public var mappedSize: UInt64
        public var mapped: EvidenceEvent
        /// The unmaps that cut it down so far.
        public var partialUnmaps: [EvidenceEvent] = []
    }

    private var byMM: [UInt64: [Mapping]] = [:]
    private var nextID = 0

    public init() {}

    public var liveCount: Int { byMM.values.reduce(0) { $0 + $1.count } }

    public mutating func map(mm: UInt64, start: UInt64, end: UInt64, evidence: EvidenceEvent) {
        guard end > start else { return }
        // A new mapping replaces whatever the table held there.
        unmap(mm: mm, start: start, end: end, evidence: nil)
        byMM[mm, default: []].append(Mapping(id: nextID, mm: mm, start: start, end: end,
                                             mappedSize: end - start, mapped: evidence))
        nextID += 1
    }

    /// Removes [start, end) from every mapping of `mm`, keeping what lies
    /// outside it live.
    public mutating func unmap(mm: UInt64, start: UInt64, end: UInt64, evidence: EvidenceEvent?) {
        guard var list = byMM[mm], end > start else { return }
        var kept: [Mapping] = []
        kept.reserveCapacity(list.count)
        for var m in list {
            guard m.start < end, start < m.end else { kept.append(m); continue }
            if let evidence { m.partialUnmaps.append(evidence) }
            if m.start < start {
                var left = m
                left.end = start
                kept.append(left)
            }
            if end < m.end {
                var right = m
                right.start = end
                kept.append(right)
            }
        }
        list = kept
        byMM[mm] = list.isEmpty ? nil : list
    }

    /// Live mappings of `mm` that overlap [start, end).
    public func overlapping(mm: UInt64, start: UInt64, end: UInt64) -> [Mapping] {
        (byMM[mm] ?? []).filter { $0.start < end && start < $0.end }
    }
}
