/// The whole trace at a glance in constant memory: a fixed number of time
/// buckets whose width doubles (merging neighbours) whenever the trace
/// outgrows them. Per CPU and bucket it keeps the busy time and the task that
/// ran longest; per bucket, how many spans of each kind and sleeps fell in it.
public struct TimelineOverview: Sendable {
    public struct CPUBucket: Sendable, Hashable {
        /// Non-idle nanoseconds in the bucket.
        public var busy: UInt64 = 0
        /// The task with the longest single stretch in the bucket.
        public var topComm: String?
        var topLength: UInt64 = 0
    }

    public let capacity: Int
    public private(set) var origin: UInt64?
    public private(set) var bucketWidth: UInt64 = 1_000
    public private(set) var end: UInt64 = 0
    public private(set) var cpus: [Int: [CPUBucket]] = [:]
    public private(set) var spanCounts: [SpanKind: [Int]] = [:]
    public private(set) var markCounts: [Int] = []

    public init(capacity: Int = 240) { self.capacity = max(2, capacity) }

    /// Buckets that hold any time of the trace.
    public var usedBuckets: Int {
        guard let origin, end > origin else { return origin == nil ? 0 : 1 }
        return min(capacity, Int((end - origin) / bucketWidth) + 1)
    }

    public func bucketStart(_ i: Int) -> UInt64 { (origin ?? 0) + UInt64(i) * bucketWidth }

    mutating func add(_ item: TimelineItem) {
        switch item {
        case .slice(let s): addSlice(s)
        case .span(let s): addSpan(s.kind, item.interval)
        case .mark(let m): addMark(at: m.timestamp)
        }
    }

    // Lanes and counts are changed in place through the dictionaries'
    // default subscripts: a copy taken out and stored back made every slice
    // copy its CPU's whole lane (copy-on-write with two owners).

    mutating func addSlice(_ s: TaskSlice) {
        guard let (origin, buckets) = buckets(s.start...max(s.start, s.end)), !s.isIdle else { return }
        Self.addBusy(s, buckets, origin: origin, width: bucketWidth,
                     to: &cpus[s.cpu, default: Array(repeating: CPUBucket(), count: capacity)])
    }

    mutating func addSpan(_ kind: SpanKind, _ interval: ClosedRange<UInt64>) {
        guard let (_, buckets) = buckets(interval) else { return }
        Self.count(buckets, in: &spanCounts[kind, default: Array(repeating: 0, count: capacity)])
    }

    mutating func addMark(at timestamp: UInt64) {
        guard let (_, buckets) = buckets(timestamp...timestamp) else { return }
        if markCounts.isEmpty { markCounts = Array(repeating: 0, count: capacity) }
        markCounts[buckets.lowerBound] += 1
    }

    /// The buckets `range` falls in (coarsening until it fits), and the
    /// origin; nil when it ends before the overview begins.
    private mutating func buckets(_ range: ClosedRange<UInt64>) -> (UInt64, ClosedRange<Int>)? {
        if origin == nil { origin = range.lowerBound }
        guard let origin, range.upperBound >= origin else { return nil }
        while range.upperBound - origin >= UInt64(capacity) * bucketWidth { coarsen() }
        end = max(end, range.upperBound)
        let first = Int((max(range.lowerBound, origin) - origin) / bucketWidth)
        let last = Int((range.upperBound - origin) / bucketWidth)
        return (origin, first...last)
    }

    private static func addBusy(_ s: TaskSlice, _ buckets: ClosedRange<Int>, origin: UInt64, width: UInt64,
                                to lane: inout [CPUBucket]) {
        for i in buckets {
            let start = origin + UInt64(i) * width
            let a = max(s.start, start), b = min(s.end, start + width)
            guard b > a else { continue }
            lane[i].busy += b - a
            if b - a > lane[i].topLength { lane[i].topLength = b - a; lane[i].topComm = s.comm }
        }
    }

    private static func count(_ buckets: ClosedRange<Int>, in counts: inout [Int]) {
        for i in buckets { counts[i] += 1 }
    }

    /// Halves the resolution: bucket i takes buckets 2i and 2i+1.
    private mutating func coarsen() {
        bucketWidth *= 2
        for (cpu, lane) in cpus {
            cpus[cpu] = (0..<capacity).map { i in
                guard 2 * i < capacity else { return CPUBucket() }
                let a = lane[2 * i], b = 2 * i + 1 < capacity ? lane[2 * i + 1] : CPUBucket()
                let top = a.topLength >= b.topLength ? a : b
                return CPUBucket(busy: a.busy + b.busy, topComm: top.topComm, topLength: top.topLength)
            }
        }
        func merge(_ xs: [Int]) -> [Int] {
            (0..<capacity).map { i in
                2 * i < capacity ? xs[2 * i] + (2 * i + 1 < capacity ? xs[2 * i + 1] : 0) : 0
            }
        }
        for (kind, counts) in spanCounts { spanCounts[kind] = merge(counts) }
        if !markCounts.isEmpty { markCounts = merge(markCounts) }
    }
}
