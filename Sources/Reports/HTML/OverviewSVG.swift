import TraceModel
import Checks

/// The whole trace in one picture: per CPU, how busy each stretch was and
/// with what (the colour of the task that ran longest), the density of each
/// span kind, and the violations as red ticks linking to their sections.
enum OverviewSVG {
    typealias Numbered = (index: Int, violation: Violation)

    /// Violations closer than this many pixels share one marker.
    static let clusterPixels = 14.0
    static let labelRow = 12.0

    /// Violations that land within `clusterPixels` of the first of a group
    /// are one group: drawn as one marker with their count, so a burst of
    /// violations reads as "6 here" rather than a pile of overprinted numbers.
    static func clusters(_ vs: [Numbered], x: (UInt64) -> Double) -> [[Numbered]] {
        var groups: [[Numbered]] = []
        for v in vs.sorted(by: { ($0.violation.timestamp, $0.index) < ($1.violation.timestamp, $1.index) }) {
            if let first = groups.last?.first, x(v.violation.timestamp) - x(first.violation.timestamp) < clusterPixels {
                groups[groups.count - 1].append(v)
            } else {
                groups.append([v])
            }
        }
        return groups
    }

    /// "3" for one violation, "1–6 (6)" for a run of numbers, "4 (+5)" else.
    static func label(_ group: [Numbered]) -> String {
        let numbers = group.map { $0.index + 1 }.sorted()
        guard numbers.count > 1 else { return String(numbers[0]) }
        if numbers.last! - numbers.first! == numbers.count - 1 {
            return "\(numbers.first!)–\(numbers.last!) (\(numbers.count))"
        }
        return "\(numbers.first!) (+\(numbers.count - 1))"
    }

    static func render(_ o: TimelineOverview, violations: [Numbered], colours: TaskColours) -> String {
        let left = TimelineSVG.left, plotWidth = TimelineSVG.plotWidth
        let f = TimelineSVG.f
        let n = max(1, o.usedBuckets)
        let start = o.bucketStart(0), end = max(o.end, start + 1)
        let span = Double(end - start)
        func x(_ t: UInt64) -> Double { left + Double(min(max(t, start), end) - start) / span * plotWidth }
        let bw = plotWidth * Double(o.bucketWidth) / span
        let cpus = o.cpus.keys.sorted()
        let groups = clusters(violations, x: x)
        // Labels go on the first row where they do not touch the one before.
        var rowEnds: [Double] = []
        var placed: [(group: [Numbered], x: Double, row: Int, text: String)] = []
        for g in groups {
            let gx = x(g[0].violation.timestamp), text = label(g)
            let w = Double(text.count) * 6.1 + 6
            let row = rowEnds.firstIndex { $0 < gx } ?? rowEnds.count
            if row == rowEnds.count { rowEnds.append(0) }
            rowEnds[row] = gx + w
            placed.append((g, gx, row, text))
        }
        let rowH = 14.0, top = 8 + Double(max(1, rowEnds.count)) * labelRow
        let kinds = SpanKind.allCases.filter { o.spanCounts[$0] != nil }
        let height = top + Double(cpus.count + kinds.count) * (rowH + 3) + 46
        var out = TimelineSVG.open(height: height, label: "trace overview")
        for (row, cpu) in cpus.enumerated() {
            let y = top + Double(row) * (rowH + 3)
            out += TimelineSVG.lane("CPU \(cpu)", y: y, x: left, width: plotWidth, height: rowH)
            for (i, b) in o.cpus[cpu]!.prefix(n).enumerated() where b.busy > 0 {
                let busy = min(1, Double(b.busy) / Double(o.bucketWidth))
                let tip = "CPU \(cpu) from \(TimeFormat.seconds(o.bucketStart(i))): \(Int(busy * 100))% busy, "
                    + "mostly \(b.topComm ?? "?")"
                out += "<rect class=\"task\" x=\"\(f(x(o.bucketStart(i))))\" y=\"\(f(y))\" width=\"\(f(bw))\" "
                    + "height=\"\(f(rowH))\" fill=\"\(colours.colour(b.topComm ?? ""))\" "
                    + "fill-opacity=\"\(f(0.35 + 0.65 * busy))\"><title>\(HTMLPage.escape(tip))</title></rect>"
            }
            out += "\n"
        }
        for (k, kind) in kinds.enumerated() {
            let y = top + Double(cpus.count + k) * (rowH + 3)
            let counts = o.spanCounts[kind]!.prefix(n)
            let most = Double(max(1, counts.max() ?? 1))
            out += TimelineSVG.lane(TimelineSVG.shortName(kind), y: y, x: left, width: plotWidth, height: rowH)
            for (i, c) in counts.enumerated() where c > 0 {
                out += "<rect x=\"\(f(x(o.bucketStart(i))))\" y=\"\(f(y))\" width=\"\(f(bw))\" height=\"\(f(rowH))\" "
                    + "fill=\"\(TimelineSVG.spanColours[kind]!)\" fill-opacity=\"\(f(0.2 + 0.8 * Double(c) / most))\">"
                    + "<title>\(c) \(HTMLPage.escape(kind.rawValue)) span(s)</title></rect>"
            }
            out += "\n"
        }
        let bottom = top + Double(cpus.count + kinds.count) * (rowH + 3)
        for p in placed {
            let g = p.group, first = g[0]
            let last = x(g.last!.violation.timestamp)
            let tip = g.map { "[\($0.index + 1)] \(TimeFormat.seconds($0.violation.timestamp)) \($0.violation.rule): "
                + "\($0.violation.comm)-\($0.violation.pid)" }.joined(separator: "\n")
            let ly = 4 + Double(p.row + 1) * labelRow - 3
            out += "<a href=\"#v\(first.index + 1)\" class=\"vcluster\" data-count=\"\(g.count)\"><title>"
                + HTMLPage.escape(tip) + "</title>"
            // A run spanning some pixels: a band, so its extent shows.
            if last - p.x >= 1 {
                out += "<rect x=\"\(f(p.x))\" y=\"\(f(ly + 3))\" width=\"\(f(last - p.x))\" height=\"\(f(bottom - ly - 3))\" "
                    + "fill=\"#d92d20\" fill-opacity=\"0.15\"/>"
            }
            out += "<line class=\"vmark\" x1=\"\(f(p.x))\" x2=\"\(f(p.x))\" y1=\"\(f(ly + 3))\" y2=\"\(f(bottom))\"/>"
                + "<text class=\"vlabel\" x=\"\(f(p.x + 2))\" y=\"\(f(ly))\">\(HTMLPage.escape(p.text))</text></a>\n"
        }
        out += TimelineSVG.axis(start...end, y: bottom + 2, x: x)
        return out + "</svg>\n"
    }
}
