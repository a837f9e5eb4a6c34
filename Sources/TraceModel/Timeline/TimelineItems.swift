/// A task running on a CPU from one sched_switch to the next.
public struct TaskSlice: Sendable, Hashable {
    public var cpu: Int
    public var pid: Int32
    public var comm: String
    public var start: UInt64
    public var end: UInt64

    /// pid 0 is the idle task ("swapper/N"): a CPU with nothing to run.
    public var isIdle: Bool { pid == 0 }
}

/// What a span on a timeline stands for.
public enum SpanKind: String, Sendable, Hashable, CaseIterable, Codable {
    case invalidation = "invalidate range"
    case tlbGather = "tlb gather"
    case lockHold = "lock held"
    case lockWait = "lock wait"
}

/// A span of one task, drawn on the CPU its begin event fired on (a task
/// that migrates inside a span is drawn where the span began).
public struct TimelineSpan: Sendable, Hashable {
    public var kind: SpanKind
    public var cpu: Int
    public var pid: Int32
    public var label: String
    public var start: UInt64
    public var end: UInt64
    /// Still open when the trace ended (`end` is then the trace's end).
    public var openAtEnd = false
}

/// A moment worth a marker: a task starting to sleep.
public struct TimelineMark: Sendable, Hashable {
    public var cpu: Int
    public var pid: Int32
    public var timestamp: UInt64
    public var label: String
}

public enum TimelineItem: Sendable, Hashable {
    case slice(TaskSlice)
    case span(TimelineSpan)
    case mark(TimelineMark)

    /// The interval the item covers (a mark covers its instant).
    public var interval: ClosedRange<UInt64> {
        switch self {
        case .slice(let s): return s.start...max(s.start, s.end)
        case .span(let s): return s.start...max(s.start, s.end)
        case .mark(let m): return m.timestamp...m.timestamp
        }
    }
}

/// Everything recorded inside one window of time.
public struct TimelineWindow: Sendable, Equatable {
    public var range: ClosedRange<UInt64>
    public var slices: [TaskSlice] = []
    public var spans: [TimelineSpan] = []
    public var marks: [TimelineMark] = []
    /// More items fell in the window than the recorder keeps.
    public var truncated = false

    public init(range: ClosedRange<UInt64>) { self.range = range }

    public var cpus: [Int] {
        Array(Set(slices.map(\.cpu) + spans.map(\.cpu) + marks.map(\.cpu))).sorted()
    }

    var itemCount: Int { slices.count + spans.count + marks.count }

    mutating func add(_ item: TimelineItem) {
        switch item {
        case .slice(let s): slices.append(s)
        case .span(let s): spans.append(s)
        case .mark(let m): marks.append(m)
        }
    }
}
