/// Keeps what a timeline picture needs, which the model itself forgets:
/// per-CPU task slices, spans (invalidations, tlb gathers, lock holds and
/// waits) and sleeps. Memory stays bounded: items are kept only inside the
/// requested windows (at most `itemLimit` each), plus a fixed-size overview
/// of the whole trace. A `sink` sees every item as it closes, for exports
/// that stream the whole trace out instead of keeping it.
public final class TimelineRecorder: ModelObserver {
    public private(set) var windows: [TimelineWindow]
    public private(set) var overview: TimelineOverview
    public let itemLimit: Int
    private let sink: ((TimelineItem) -> Void)?
    /// The slice each CPU is running now.
    private var running: [Int: TaskSlice] = [:]

    public init(windows: [ClosedRange<UInt64>] = [], itemLimit: Int = 4_000, overviewBuckets: Int = 240,
                sink: ((TimelineItem) -> Void)? = nil) {
        self.windows = windows.map { TimelineWindow(range: $0) }
        self.itemLimit = itemLimit
        self.overview = TimelineOverview(capacity: overviewBuckets)
        self.sink = sink
    }

    public func observe(_ happening: Happening, model: TraceModel) {
        switch happening {
        case .switchedOut(let pid, let comm, let cpu, let ts):
            // Before a CPU's first switch one task ran there since the trace began.
            var s = running[cpu] ?? TaskSlice(cpu: cpu, pid: pid, comm: comm, start: model.firstTimestamp ?? ts, end: ts)
            s.end = ts
            record(.slice(s))
            running[cpu] = nil
        case .switchedIn(let pid, let cpu, let ts):
            let comm = model.cpu(cpu)?.currentComm ?? model.task(pid)?.comm ?? "<...>"
            running[cpu] = TaskSlice(cpu: cpu, pid: pid, comm: comm, start: ts, end: ts)
        case .sleep(let p):
            record(.mark(TimelineMark(cpu: p.evidence.cpu, pid: p.pid, timestamp: p.evidence.timestamp,
                                      label: "\(p.comm)-\(p.pid) \(p.how.description)")))
        case .invalidationEnded(let r):
            if let f = r.finish { record(.span(invalidation(r, until: f.timestamp))) }
        case .invalidationMismatched(let r, let end, _, _):
            record(.span(invalidation(r, until: end.timestamp)))
        case .tlbGatherEnded(let g, let end):
            record(.span(span(.tlbGather, g.begin, until: end.timestamp, label: "tlb gather")))
        case .lockReleased(let hold, let release):
            record(.span(span(.lockHold, hold.begin, until: release.timestamp,
                              label: hold.label ?? hold.lock.map { "0x" + String($0, radix: 16) } ?? "lock")))
        case .lockContentionEnded(let begin, let end, let lock, _):
            record(.span(span(.lockWait, begin, until: end.timestamp,
                              label: "wait " + LatencyRecorder.lockName(lock, model: model))))
        default:
            break
        }
    }

    public func finish(model: TraceModel) {
        let last = model.lastTimestamp ?? 0
        for cpu in running.keys.sorted() {
            var s = running[cpu]!
            s.end = max(s.start, last)
            record(.slice(s))
        }
        running = [:]
        // Spans the trace cut off: drawn to its end.
        for task in model.tasks.values.sorted(by: { $0.pid < $1.pid }) {
            var open = task.openRanges.map { invalidation($0, until: last) }
            open += task.openGathers.map { span(.tlbGather, $0.begin, until: last, label: "tlb gather") }
            open += task.heldLocks.map { span(.lockHold, $0.begin, until: last, label: $0.label ?? "lock") }
            for var s in open {
                s.openAtEnd = true
                record(.span(s))
            }
        }
    }

    private func invalidation(_ r: InvalidateRange, until end: UInt64) -> TimelineSpan {
        span(.invalidation, r.begin, until: end,
             label: "\(InvalidateRange.eventName(r.notifierEvent)) \(r.rangeText)")
    }

    private func span(_ kind: SpanKind, _ begin: EvidenceEvent, until end: UInt64, label: String) -> TimelineSpan {
        TimelineSpan(kind: kind, cpu: begin.cpu, pid: begin.pid, label: label, start: begin.timestamp,
                     end: max(begin.timestamp, end))
    }

    private func record(_ item: TimelineItem) {
        sink?(item)
        overview.add(item)
        let interval = item.interval
        for i in windows.indices where windows[i].range.overlaps(interval) {
            if windows[i].itemCount < itemLimit { windows[i].add(item) } else { windows[i].truncated = true }
        }
    }
}
