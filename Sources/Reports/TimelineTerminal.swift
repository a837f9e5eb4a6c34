import TraceModel
import Checks

/// The timeline picture in a terminal: the same lanes as the HTML one, one
/// character a column. A CPU's row shows a letter per task (the legend names
/// them; '.' is idle), the rows under it the spans open on it, and the row
/// above it 'v' where a task went to sleep and '!' at a violation.
public enum TimelineTerminal {
    public static func render(_ w: TimelineWindow, violations: [Violation], cpus wanted: Set<Int>? = nil,
                              columns: Int = 100, style: TerminalStyle = .plain) -> String {
        let cols = max(20, columns - 8)
        let lo = w.range.lowerBound, span = max(1, w.range.upperBound - lo)
        func column(_ t: UInt64) -> Int { min(cols - 1, Int(Double(t.clamped(lo, w.range.upperBound) - lo) / Double(span) * Double(cols))) }
        func columnStart(_ c: Int) -> UInt64 { lo + UInt64(Double(span) * Double(c) / Double(cols)) }
        let inWindow = violations.filter { w.range.contains($0.timestamp) }
        let cpus = Array(Set(w.cpus + inWindow.map(\.cpu))).filter { wanted?.contains($0) ?? true }.sorted()
        var letters: [String: Character] = [:]
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        func letter(_ comm: String) -> Character {
            if let l = letters[comm] { return l }
            let l = letters.count < alphabet.count ? alphabet[letters.count] : "#"
            letters[comm] = l
            return l
        }
        var out = style.bold("\(TimeFormat.seconds(lo)) .. \(TimeFormat.seconds(w.range.upperBound))")
            + " (\(TimeFormat.duration(span)), \(TimeFormat.duration(span / UInt64(cols))) a column)\n"
        for cpu in cpus {
            var marks = Array(repeating: Character(" "), count: cols)
            for m in w.marks where m.cpu == cpu { marks[column(m.timestamp)] = "v" }
            for v in inWindow where v.cpu == cpu { marks[column(v.timestamp)] = "!" }
            out += "      " + style.red(String(marks)) + "\n"
            // Each column shows the task that ran longest in it.
            var best = Array(repeating: (comm: String?.none, length: UInt64(0), idle: false), count: cols)
            for s in w.slices where s.cpu == cpu {
                let a = max(s.start, lo), b = min(s.end, w.range.upperBound)
                guard b >= a else { continue }
                for c in column(a)...column(b) {
                    let overlap = min(b, columnStart(c + 1)) - min(max(a, columnStart(c)), min(b, columnStart(c + 1)))
                    if overlap >= best[c].length || best[c].comm == nil {
                        best[c] = (s.comm, overlap, s.isIdle)
                    }
                }
            }
            let lane = best.map { $0.comm == nil ? " " : $0.idle ? "." : String(letter($0.comm!)) }.joined()
            out += style.bold(pad("CPU \(cpu)", 5)) + " " + lane + "\n"
            for kind in SpanKind.allCases {
                let spans = w.spans.filter { $0.cpu == cpu && $0.kind == kind }
                guard !spans.isEmpty else { continue }
                var row = Array(repeating: Character(" "), count: cols)
                for s in spans { for c in column(s.start)...column(max(s.start, s.end)) { row[c] = "=" } }
                out += style.dim(pad(TimelineSVG.shortName(kind), 5)) + " " + style.cyan(String(row)) + "\n"
            }
        }
        out += axis(lo: lo, span: span, cols: cols)
        let legend = letters.sorted { $0.value < $1.value }.map { "\($0.value)=\($0.key)" }
        if !legend.isEmpty { out += "tasks: " + legend.joined(separator: " ") + "  .=idle\n" }
        for v in inWindow { out += style.red("! ") + "\(TimeFormat.seconds(v.timestamp)) cpu \(v.cpu) \(v.rule): \(v.message)\n" }
        if w.truncated { out += style.yellow("(busy window: only the first \(w.slices.count + w.spans.count) items are drawn)") + "\n" }
        return out
    }

    static func axis(lo: UInt64, span: UInt64, cols: Int) -> String {
        let step = TimeAxis.step(for: span, ticks: max(1, cols / 14))
        var ticks = Array(repeating: Character("-"), count: cols)
        var labels = Array(repeating: Character(" "), count: cols + 12)
        var t: UInt64 = 0
        while t <= span {
            let c = min(cols - 1, Int(Double(t) / Double(span) * Double(cols)))
            ticks[c] = "+"
            let text = Array("+" + TimeFormat.duration(t))
            if labels[c..<min(labels.count, c + text.count + 1)].allSatisfy({ $0 == " " }) {
                for (i, ch) in text.enumerated() where c + i < labels.count { labels[c + i] = ch }
            }
            t += step
        }
        return "      " + String(ticks) + "\n      " + String(labels).trimmingTrailingSpaces + "\n"
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
}

extension UInt64 {
    func clamped(_ lo: UInt64, _ hi: UInt64) -> UInt64 { Swift.min(Swift.max(self, lo), hi) }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
