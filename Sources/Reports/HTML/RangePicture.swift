import TraceModel
import Checks

/// The address story of a missing invalidation, to scale: the secondary
/// mapping, the pieces of it the driver dropped, the range the kernel
/// invalidated, and what is still mapped when invalidate_range_end returns
/// (a 2 MiB entry of which only 4 KiB went away is the classic huge-page
/// bug). Read from the violation's evidence, in the order the rule keeps it
/// (Checks/MissingInvalidation.swift: the map event, the partial unmaps,
/// invalidate start, invalidate end), by the `start`, `end` and `size`
/// fields those events carry; nil when they carry no such fields.
enum RangePicture {
    typealias Range = (start: UInt64, end: UInt64)

    static let left = 100.0
    static let rowH = 16.0

    /// The `name=` value of an evidence line, as a number.
    static func field(_ name: String, in text: String) -> UInt64? {
        for part in text.split(separator: " ") where part.hasPrefix(name + "=") {
            let v = part.dropFirst(name.count + 1)
            return v.hasPrefix("0x") ? UInt64(v.dropFirst(2), radix: 16) : UInt64(v)
        }
        return nil
    }

    static func range(_ e: EvidenceEvent) -> Range? {
        guard let s = field("start", in: e.text) else { return nil }
        if let end = field("end", in: e.text), end > s { return (s, end) }
        if let size = field("size", in: e.text), size > 0 { return (s, s + size) }
        return nil
    }

    /// Parts of `a` not covered by any of `cuts`.
    static func subtract(_ a: Range, _ cuts: [Range]) -> [Range] {
        var parts = [a]
        for c in cuts {
            parts = parts.flatMap { p -> [Range] in
                guard c.start < p.end && c.end > p.start else { return [p] }
                var out: [Range] = []
                if c.start > p.start { out.append((p.start, c.start)) }
                if c.end < p.end { out.append((c.end, p.end)) }
                return out
            }
        }
        return parts
    }

    static func size(_ bytes: UInt64) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB"
            : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? "\(bytes >> 10) KiB" : "\(bytes) B"
    }

    static func hex(_ a: UInt64) -> String { "0x" + String(a, radix: 16) }

    static func render(_ v: Violation) -> String? {
        guard v.rule == MissingInvalidation.info.id, v.evidence.count >= 3,
              let mapping = range(v.evidence[0]), let invalidated = range(v.evidence[v.evidence.count - 2]) else { return nil }
        let dropped = v.evidence.dropFirst().dropLast(2).compactMap(range)
        let stale = subtract(mapping, dropped).compactMap { p -> Range? in
            let s = max(p.start, invalidated.start), e = min(p.end, invalidated.end)
            return s < e ? (s, e) : nil
        }
        let lo = min(mapping.start, invalidated.start), hi = max(mapping.end, invalidated.end)
        let width = TimelineSVG.width, plot = width - left - TimelineSVG.right
        let f = TimelineSVG.f
        func x(_ a: UInt64) -> Double { left + Double(a - lo) / Double(max(1, hi - lo)) * plot }
        let staleBytes = stale.reduce(0) { $0 + $1.end - $1.start }
        let rows: [(label: String, cls: String, colour: String, ranges: [Range], text: String)] = [
            ("mapping", "map", "#8db6e2", [mapping],
             "\(size(mapping.end - mapping.start)) secondary mapping [\(hex(mapping.start)), \(hex(mapping.end)))"),
            ("dropped", "dropped", "#12b76a", dropped,
             dropped.isEmpty ? "nothing dropped"
                : "dropped " + dropped.map { "\(size($0.end - $0.start)) at \(hex($0.start))" }.joined(separator: ", ")),
            ("invalidated", "inval", "#7a5af8", [invalidated],
             "invalidated [\(hex(invalidated.start)), \(hex(invalidated.end)))"),
            ("still mapped", "stale", "#d92d20", stale,
             "\(size(staleBytes)) still mapped when invalidate_range_end returned"),
        ]
        let top = 6.0, axisY = top + Double(rows.count) * (rowH + 14) + 4
        var out = TimelineSVG.open(height: axisY + 44, label: "address ranges")
        for (i, r) in rows.enumerated() {
            let y = top + Double(i) * (rowH + 14)
            out += TimelineSVG.lane(r.label, y: y, x: left, width: plot, height: rowH)
            for p in r.ranges {
                // At least 2 px: 4 KiB of 2 MiB is under 2 px wide to scale.
                let x0 = x(p.start), w = max(2, x(p.end) - x0)
                let tip = "\(r.label) [\(hex(p.start)), \(hex(p.end))): " + size(p.end - p.start)
                out += "<rect class=\"range \(r.cls)\" x=\"\(f(x0))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(rowH))\" "
                    + "fill=\"\(r.colour)\"><title>\(HTMLPage.escape(tip))</title></rect>"
            }
            // The row's words under it, starting where its first piece does.
            let tx = r.ranges.first.map { x($0.start) } ?? left
            let anchor = tx > width - 360 ? "end" : "start"
            out += "<text class=\"range-text\" x=\"\(f(anchor == "end" ? width - TimelineSVG.right : tx))\" "
                + "y=\"\(f(y + rowH + 10))\" text-anchor=\"\(anchor)\">\(HTMLPage.escape(r.text))</text>\n"
        }
        // Addresses at both ends, and where the dropped pieces end (a
        // boundary too close to an end label is left to the tooltip).
        out += "<g class=\"axis\"><line x1=\"\(f(left))\" x2=\"\(f(left + plot))\" y1=\"\(f(axisY))\" "
            + "y2=\"\(f(axisY))\" stroke=\"#98a2b3\"/>"
        var marks: [(UInt64, String)] = [(lo, "start"), (hi, "end")]
        for d in dropped { marks.append((d.end, "middle")) }
        var used: [ClosedRange<Double>] = []
        for (a, anchor) in marks {
            let ax = x(a), text = hex(a), w = Double(text.count) * 6.1
            let span = anchor == "start" ? ax...(ax + w) : anchor == "end" ? (ax - w)...ax : (ax - w / 2)...(ax + w / 2)
            let row = used.contains { $0.overlaps(span) } ? 1 : 0
            if row == 0 { used.append(span) }
            out += "<line x1=\"\(f(ax))\" x2=\"\(f(ax))\" y1=\"\(f(axisY))\" y2=\"\(f(axisY + 4))\" stroke=\"#98a2b3\"/>"
            out += "<text x=\"\(f(ax))\" y=\"\(f(axisY + 15 + Double(row) * 12))\" text-anchor=\"\(anchor)\">\(text)</text>"
        }
        return out + "</g></svg>\n"
    }
}
