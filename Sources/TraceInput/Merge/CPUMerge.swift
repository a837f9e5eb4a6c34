/// Merges CPU streams into one timestamp order, as
/// tracecmd_iterate_events_multi (trace-input.c) does: the smallest timestamp
/// wins; ties go to the earlier stream (top buffer before instances, lower
/// CPU first) because the comparison is strict. A linear scan over the heads
/// is what trace-cmd does and is fastest for the few CPUs a trace has.
struct CPUMerge<Stream: MergeHead> {
    private(set) var streams: [Stream]

    init(_ streams: [Stream]) { self.streams = streams }

    /// The stream holding the next record, or nil when all are exhausted.
    /// The caller reads the record, then moves that stream on (`step()`, `take()`).
    @inline(__always)
    func nextStream() -> Stream? {
        var best: Stream?
        var bestTS = UInt64.max
        for s in streams where s.hasRecord {
            if best == nil || s.timestamp < bestTS {
                best = s
                bestTS = s.timestamp
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
