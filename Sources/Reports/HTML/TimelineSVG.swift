import TraceModel
import Checks

/// Timeline pictures as inline SVG: a lane per CPU with its task slices, rows
/// under each lane for the spans open on it (invalidate ranges, tlb gathers,
/// lock holds and waits), markers where tasks went to sleep, the violation
/// marked in red, and a time axis. Tooltips are SVG <title>s: no script.
enum TimelineSVG {
    static let width = 1000.0
    static let left = 64.0
    static let right = 12.0
    static let taskRow = 22.0
    /// Tall enough for the row's 8 px label at the left.
    static let spanRow = 10.0
    static var plotWidth: Double { width - left - right }

    static let spanColours: [SpanKind: String] = [
        .invalidation: "#7a5af8", .tlbGather: "#0e9384", .lockHold: "#f79009", .lockWait: "#d92d20",
    ]

    static func legend() -> String {
        "<div class=\"legend\">" + SpanKind.allCases.map {
            "<span><i style=\"background:\(spanColours[$0]!)\"></i>\(HTMLPage.escape($0.rawValue))</span>"
        }.joined() + "<span><i style=\"background:#1d2129;width:8px\"></i>sleep</span>"
            + "<span><i style=\"background:#d92d20;width:3px\"></i>violation</span></div>\n"
    }

    /// The picture of one window around `violation`.
    static func window(_ w: TimelineWindow, violation: Violation?, cpuCount: Int, colours: TaskColours) -> String {
        let range = w.range
        let span = Double(max(1, range.upperBound - range.lowerBound))
        func x(_ t: UInt64) -> Double {
            let c = min(max(t, range.lowerBound), range.upperBound)
            return left + Double(c - range.lowerBound) / span * plotWidth
        }
        let cpus = Array(Set(w.cpus + (violation.map { [$0.cpu] } ?? []))).sorted()
        let kinds = SpanKind.allCases
        let laneHeight = taskRow + Double(kinds.count) * spanRow + 10
        let top = 20.0
        let height = top + Double(cpus.count) * laneHeight + 42
        var out = open(height: height, label: "per-CPU timeline")
        for (laneIndex, cpu) in cpus.enumerated() {
            let y = top + Double(laneIndex) * laneHeight
            out += lane("CPU \(cpu)", y: y, x: left, width: plotWidth, height: taskRow) + "\n"
            for s in w.slices where s.cpu == cpu && !s.isIdle {
                let x0 = x(s.start), x1 = max(x(s.end), x0 + 0.5)
                let tip = "\(s.comm)-\(s.pid) on CPU \(cpu): \(TimeFormat.seconds(s.start)) .. "
                    + "\(TimeFormat.seconds(s.end)) (\(TimeFormat.duration(s.end - s.start)))"
                out += "<g><title>\(HTMLPage.escape(tip))</title>"
                out += "<rect x=\"\(f(x0))\" y=\"\(f(y))\" width=\"\(f(x1 - x0))\" height=\"\(f(taskRow))\" "
                    + "class=\"task\" fill=\"\(colours.colour(s.comm))\" stroke=\"#fff\" stroke-width=\"0.5\"/>"
                if x1 - x0 > 46 {
                    let label = clip("\(s.comm)-\(s.pid)", toPixels: x1 - x0 - 6)
                    out += "<text x=\"\(f(x0 + 3))\" y=\"\(f(y + 14))\">\(HTMLPage.escape(label))</text>"
                }
                out += "</g>\n"
            }
            for (row, kind) in kinds.enumerated() {
                let ry = y + taskRow + 2 + Double(row) * spanRow
                out += "<text class=\"row-label\" x=\"\(f(left - 4))\" y=\"\(f(ry + spanRow - 2.5))\" "
                    + "text-anchor=\"end\">\(shortName(kind))</text>"
                for s in w.spans where s.cpu == cpu && s.kind == kind {
                    let x0 = x(s.start), x1 = max(x(s.end), x0 + 1.5)
                    let text = "\(kind.rawValue): \(s.label), \(TimeFormat.duration(s.end - s.start))"
                        + (s.openAtEnd ? " (still open at the end of the trace)" : "") + " (pid \(s.pid))"
                    out += "<rect x=\"\(f(x0))\" y=\"\(f(ry))\" width=\"\(f(x1 - x0))\" height=\"\(f(spanRow - 1.5))\" "
                        + "fill=\"\(spanColours[kind]!)\" rx=\"1\"><title>\(HTMLPage.escape(text))</title></rect>\n"
                }
            }
            for m in w.marks where m.cpu == cpu {
                let mx = x(m.timestamp)
                out += "<path d=\"M\(f(mx - 4)),\(f(y - 6))h8l-4,6z\" fill=\"#1d2129\">"
                    + "<title>\(HTMLPage.escape("\(TimeFormat.seconds(m.timestamp)) \(m.label)"))</title></path>\n"
            }
            if let v = violation {
                for e in v.evidence where e.cpu == cpu {
                    let ex = x(e.timestamp)
                    out += "<line x1=\"\(f(ex))\" x2=\"\(f(ex))\" y1=\"\(f(y + taskRow - 6))\" y2=\"\(f(y + taskRow))\" "
                        + "stroke=\"#d92d20\" stroke-width=\"2\"><title>\(HTMLPage.escape(AnalysisText.evidenceLine(e)))"
                        + "</title></line>\n"
                }
            }
        }
        let plotBottom = top + Double(cpus.count) * laneHeight
        if let v = violation {
            let vx = x(v.timestamp)
            out += "<line class=\"vmark\" x1=\"\(f(vx))\" x2=\"\(f(vx))\" y1=\"\(f(top - 4))\" y2=\"\(f(plotBottom))\">"
                + "<title>\(HTMLPage.escape("\(v.rule) at \(TimeFormat.seconds(v.timestamp)): \(v.message)"))</title></line>"
            let anchor = vx > width - 220 ? "end" : "start"
            out += "<text class=\"vlabel\" x=\"\(f(vx + (anchor == "end" ? -4 : 4)))\" y=\"10\" text-anchor=\"\(anchor)\">"
                + "\(HTMLPage.escape(v.rule)) \(HTMLPage.escape(v.comm))-\(v.pid)</text>\n"
        }
        out += axis(range, y: plotBottom + 4, x: x)
        return out + "</svg>\n"
    }

    /// The opening tag of a picture `width` wide; `label` names it for
    /// screen readers and for the layout checks of the tests.
    static func open(height: Double, label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(label)\">\n"
    }

    /// A lane's label at the left edge and its background.
    static func lane(_ label: String, y: Double, x: Double, width: Double, height: Double) -> String {
        "<text class=\"lane-label\" x=\"4\" y=\"\(f(y + min(15, height - 3)))\">\(HTMLPage.escape(label))</text>"
            + "<rect class=\"lanebg\" x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(width))\" height=\"\(f(height))\"/>"
    }

    static func shortName(_ k: SpanKind) -> String {
        switch k {
        case .invalidation: return "inval"
        case .tlbGather: return "tlb"
        case .lockHold: return "lock"
        case .lockWait: return "wait"
        }
    }

    /// Ticks at 1, 2 or 5 × 10^k, labelled from the window's start; the
    /// absolute start is printed at the left, as trace-cmd shows time.
    static func axis(_ range: ClosedRange<UInt64>, y: Double, x: (UInt64) -> Double) -> String {
        let span = range.upperBound - range.lowerBound
        let step = TimeAxis.step(for: span, ticks: 8)
        var out = "<g class=\"axis\"><line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(y))\" y2=\"\(f(y))\" "
            + "stroke=\"#98a2b3\"/>"
        var t: UInt64 = 0
        while t <= span {
            let tx = x(range.lowerBound + t)
            out += "<line x1=\"\(f(tx))\" x2=\"\(f(tx))\" y1=\"\(f(y))\" y2=\"\(f(y + 4))\" stroke=\"#98a2b3\"/>"
            out += "<text x=\"\(f(tx))\" y=\"\(f(y + 15))\" text-anchor=\"middle\">+\(TimeFormat.duration(t))</text>"
            t += step
        }
        out += "<text x=\"\(f(left))\" y=\"\(f(y + 28))\">from \(TimeFormat.seconds(range.lowerBound)) s</text></g>\n"
        return out
    }

    /// Roughly what fits in `pixels` of 10 px monospace (6 px a character).
    static func clip(_ s: String, toPixels pixels: Double) -> String {
        let n = Int(pixels / 6.1)
        return s.count <= n ? s : String(s.prefix(max(0, n - 1))) + "…"
    }

    static func f(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

/// Nice tick steps for time axes (HTML and terminal share them).
public enum TimeAxis {
    public static func step(for span: UInt64, ticks: Int) -> UInt64 {
        let raw = max(1, span / UInt64(max(1, ticks)))
        var magnitude: UInt64 = 1
        while magnitude * 10 <= raw { magnitude *= 10 }
        for m: UInt64 in [1, 2, 5, 10] where magnitude * m >= raw { return magnitude * m }
        return magnitude * 10
    }
}
