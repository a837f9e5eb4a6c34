import TraceModel
import Checks

/// One colour per task name for a whole report, so a task looks the same in
/// the overview and in every window, and the legend says which is which.
/// Colours are handed out from a palette of clearly different light hues
/// (dark text stays readable on them), to the tasks that ran longest first;
/// tasks beyond the palette share one grey, named "other tasks" in the
/// legend. Names are keyed without instance numbers ("kworker/N:N"), so a
/// pool of workers is one entry, not twenty.
struct TaskColours {
    static let palette = ["#8db6e2", "#f2a66e", "#8ccf8c", "#e48fc4", "#b9a1e0", "#d6b66a", "#7fcdc3",
                          "#f5d44e", "#e7857f", "#a9c26a"]
    static let other = "#c9ced6"

    /// Task names (stable form) in the order colours were given.
    private(set) var named: [String] = []
    private var index: [String: Int] = [:]
    /// More tasks ran than the palette has colours.
    private var overflows = false

    /// From the time each task ran in `recording` (overview and windows).
    init(_ recording: TimelineRecorder) {
        var time: [String: UInt64] = [:]
        for lane in recording.overview.cpus.values {
            for b in lane { if let c = b.topComm { time[Violation.stableComm(c), default: 0] += b.busy } }
        }
        for w in recording.windows {
            for s in w.slices where !s.isIdle { time[Violation.stableComm(s.comm), default: 0] += s.end - s.start }
        }
        self.init(ranked: time.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key))
    }

    init(ranked: [String]) {
        overflows = ranked.count > Self.palette.count
        for name in ranked.prefix(Self.palette.count) {
            index[name] = named.count
            named.append(name)
        }
    }

    func colour(_ comm: String) -> String {
        index[Violation.stableComm(comm)].map { Self.palette[$0] } ?? Self.other
    }

    /// The legend of `comms` (all named tasks when nil), in palette order.
    func legend(_ comms: [String]? = nil) -> String {
        let shown = comms.map { Set($0.map(Violation.stableComm)) }
        var items = named.filter { shown?.contains($0) ?? true }.map { name in
            "<span class=\"task-key\" data-colour=\"\(colour(name))\"><i style=\"background:\(colour(name))\"></i>"
                + "\(HTMLPage.escape(name))</span>"
        }
        if shown.map({ !$0.isSubset(of: Set(named)) }) ?? overflows {
            items.append("<span class=\"task-key\" data-colour=\"\(Self.other)\"><i style=\"background:\(Self.other)\">"
                         + "</i>other tasks</span>")
        }
        return items.isEmpty ? "" : "<div class=\"legend tasks\"><b>tasks:</b> " + items.joined() + "</div>\n"
    }
}
