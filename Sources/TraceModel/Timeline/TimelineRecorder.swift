/// Keeps what a timeline picture needs, which the model itself forgets:
/// per-CPU task slices, spans (invalidations, tlb gathers, lock holds and
/// waits) and sleeps. Memory stays bounded: items are kept only inside the
/// requested windows (at most `itemLimit` each), plus a fixed-size overview
/// of the whole trace. A `sink` sees every item as it closes, for exports
/// that stream the whole trace out instead of keeping it.
public final class TimelineRecorder: ModelObserver {
    public private(set) var windows: [TimelineWindow]
    /// The whole trace in buckets; left empty when `recordsOverview` is
    /// false (a replay that fills windows only and takes the overview of the
    /// first pass, which may stop reading early).
    public var overview: TimelineOverview
    public let recordsOverview: Bool
    public let itemLimit: Int
    private let sink: ((TimelineItem) -> Void)?
    /// The slice each CPU is running now.
    private var running: [Int: TaskSlice] = [:]

    public init(windows: [ClosedRange<UInt64>] = [], itemLimit: Int = 4_000, overviewBuckets: Int = 240,
                recordsOverview: Bool = true, sink: ((TimelineItem) -> Void)? = nil) {
        self.windows = windows.map { TimelineWindow(range: $0) }
        self.recordsOverview = recordsOverview
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
            mark(cpu: p.evidence.cpu, pid: p.pid, at: p.evidence.timestamp, label: "\(p.comm)-\(p.pid) \(p.how.description)")
        case .invalidationEnded(let r):
            if let f = r.finish { span(.invalidation, r.begin, until: f.timestamp, label: Self.label(r)) }
        case .invalidationMismatched(let r, let end, _, _):
            span(.invalidation, r.begin, until: end.timestamp, label: Self.label(r))
        case .tlbGatherEnded(let g, let end):
            span(.tlbGather, g.begin, until: end.timestamp, label: "tlb gather")
        case .lockReleased(let hold, let release):
            span(.lockHold, hold.begin, until: release.timestamp,
                 label: hold.label ?? hold.lock.map { "0x" + String($0, radix: 16) } ?? "lock")
        case .lockContentionEnded(let begin, let end, let lock, _):
            span(.lockWait, begin, until: end.timestamp, label: "wait " + LatencyRecorder.lockName(lock, model: model))
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
            var open = task.openRanges.map { makeSpan(.invalidation, $0.begin, until: last, label: Self.label($0)) }
            open += task.openGathers.map { makeSpan(.tlbGather, $0.begin, until: last, label: "tlb gather") }
            open += task.heldLocks.map { makeSpan(.lockHold, $0.begin, until: last, label: $0.label ?? "lock") }
            for var s in open {
                s.openAtEnd = true
                record(.span(s))
            }
        }
    }

    /// True once no item still open can reach back into a window: past the
    /// last window's end, each of the trace's `cpuCount` CPUs runs a slice
    /// begun after it, and no task has a range, gather, lock hold or lock
    /// wait open from before it. Every item of the windows has then been
    /// recorded, with its true end, and a replay that only fills windows
    /// may stop reading. Never true without windows.
    public func windowsAreComplete(model: TraceModel, cpuCount: Int) -> Bool {
        guard cpuCount > 0, let lastEnd = windows.map(\.range.upperBound).max(),
              let now = model.lastTimestamp, now > lastEnd,
              (0..<cpuCount).allSatisfy({ running[$0] != nil }),
              running.values.allSatisfy({ $0.start > lastEnd }) else { return false }
        for task in model.tasks.values {
            if task.openRanges.contains(where: { $0.begin.timestamp <= lastEnd })
                || task.openGathers.contains(where: { $0.begin.timestamp <= lastEnd })
                || task.heldLocks.contains(where: { $0.begin.timestamp <= lastEnd })
                || (task.contending.map { $0.timestamp <= lastEnd } ?? false) { return false }
        }
        return true
    }

    private static func label(_ r: InvalidateRange) -> String {
        "\(InvalidateRange.eventName(r.notifierEvent)) \(r.rangeText)"
    }

    private func makeSpan(_ kind: SpanKind, _ begin: EvidenceEvent, until end: UInt64, label: String) -> TimelineSpan {
        TimelineSpan(kind: kind, cpu: begin.cpu, pid: begin.pid, label: label, start: begin.timestamp,
                     end: max(begin.timestamp, end))
    }

    /// A span ended. Its label (formatted text, for most spans of a trace
    /// only ever counted by the overview) is made only when a window or the
    /// sink keeps the span.
    private func span(_ kind: SpanKind, _ begin: EvidenceEvent, until end: UInt64, label: @autoclosure () -> String) {
        let interval = begin.timestamp...max(begin.timestamp, end)
        guard keepsDetail(of: interval) else {
            if recordsOverview { overview.addSpan(kind, interval) }
            return
        }
        record(.span(makeSpan(kind, begin, until: end, label: label())))
    }

    private func mark(cpu: Int, pid: Int32, at timestamp: UInt64, label: @autoclosure () -> String) {
        guard keepsDetail(of: timestamp...timestamp) else {
            if recordsOverview { overview.addMark(at: timestamp) }
            return
        }
        record(.mark(TimelineMark(cpu: cpu, pid: pid, timestamp: timestamp, label: label())))
    }

    private func keepsDetail(of interval: ClosedRange<UInt64>) -> Bool {
        sink != nil || windows.contains { $0.range.overlaps(interval) }
    }

    private func record(_ item: TimelineItem) {
        sink?(item)
        if recordsOverview { overview.add(item) }
        let interval = item.interval
        for i in windows.indices where windows[i].range.overlaps(interval) {
            if windows[i].itemCount < itemLimit { windows[i].add(item) } else { windows[i].truncated = true }
        }
    }
}
