/// Merges CPU streams into one timestamp order, as
/// tracecmd_iterate_events_multi (trace-input.c) does: the smallest timestamp
/// wins; ties go to the earlier stream (top buffer before instances, lower
/// CPU first) because the comparison is strict. A linear scan over the heads
/// is what trace-cmd does and is fastest for the few CPUs a trace has.
struct CPUMerge<Stream: MergeHead> {
    private(set) var streams: [Stream]
    /// The same streams, unretained (`streams` keeps them): choosing the
    /// next record then retains and releases nothing, where walking the
    /// array of references did so for every stream at every record.
    private let heads: [Unmanaged<Stream>]

    init(_ streams: [Stream]) {
        self.streams = streams
        heads = streams.map { .passUnretained($0) }
    }

    /// The stream holding the next record, or nil when all are exhausted.
    /// The caller reads the record, then moves that stream on (`step()`, `take()`).
    @inline(__always)
    func nextStream() -> Stream? {
        nextHead()?.takeUnretainedValue()
    }

    /// `nextStream()`, unretained: valid while this merge lives.
    @inline(__always)
    func nextHead() -> Unmanaged<Stream>? {
        var best: Unmanaged<Stream>?
        var bestTS = UInt64.max
        for h in heads {
            h._withUnsafeGuaranteedRef { s in
                if s.hasRecord && (best == nil || s.timestamp < bestTS) {
                    best = h
                    bestTS = s.timestamp
                }
            }
        }
        return best
    }
}

/// A CPU's records as the merge sees them: the current one's timestamp.
protocol MergeHead: AnyObject {
    var hasRecord: Bool { get }
    var timestamp: UInt64 { get }
}

extension CPUStream: MergeHead {}
extension DecodedCursor: MergeHead {}
