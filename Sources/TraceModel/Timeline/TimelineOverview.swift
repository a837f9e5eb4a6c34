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
        let range = item.interval
        if origin == nil { origin = range.lowerBound }
        guard let origin, range.upperBound >= origin else { return }
        while range.upperBound - origin >= UInt64(capacity) * bucketWidth { coarsen() }
        end = max(end, range.upperBound)
        let first = Int((max(range.lowerBound, origin) - origin) / bucketWidth)
        let last = Int((range.upperBound - origin) / bucketWidth)
        switch item {
        case .slice(let s):
            guard !s.isIdle else { return }
            var lane = cpus[s.cpu] ?? Array(repeating: CPUBucket(), count: capacity)
            for i in first...last {
                let a = max(range.lowerBound, bucketStart(i)), b = min(range.upperBound, bucketStart(i) + bucketWidth)
                guard b > a else { continue }
                lane[i].busy += b - a
                if b - a > lane[i].topLength { lane[i].topLength = b - a; lane[i].topComm = s.comm }
            }
            cpus[s.cpu] = lane
        case .span(let s):
            var counts = spanCounts[s.kind] ?? Array(repeating: 0, count: capacity)
            for i in first...last { counts[i] += 1 }
            spanCounts[s.kind] = counts
        case .mark:
            if markCounts.isEmpty { markCounts = Array(repeating: 0, count: capacity) }
            markCounts[first] += 1
        }
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
