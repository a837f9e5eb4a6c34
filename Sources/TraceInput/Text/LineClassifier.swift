/// Lines of ftrace text that are not event lines, told apart by their
/// first bytes so event lines (nearly all of a file) pay one or two
/// comparisons before the event parser.
enum TextLine {
    case blank
    /// "# ..." headers of tracefs `trace` (tracer, entries, column legend).
    case comment
    /// trace-cmd report's preamble: "cpus=2", "version = 7", "CPU 0 is empty".
    case cpuCount(Int)
    case preamble
    /// tracefs "CPU:1 [LOST 12 EVENTS]"; trace-cmd "CPU:1 [12 EVENTS
    /// DROPPED]" or "CPU:1 [EVENTS DROPPED]" (count unknown).
    case lost(cpu: Int, count: Int?)
    /// trace-cmd's "CPU:1 [SUBBUFFER START]" (report --debug/-B).
    case bufferMarker
    /// " => func" stack-trace continuation lines and function_graph's
    /// "------" separators: part of the previous event's display.
    case continuation
    /// Anything else: an event line, or damage.
    case other
}

enum LineClassifier {
    static func classify(_ b: [UInt8], _ line: Range<Int>) -> TextLine {
        let start = b.skipSpaces(line.lowerBound, line.upperBound)
        let end = line.upperBound
        guard start < end else { return .blank }
        let c = b[start]
        if c == ASCII.hash { return .comment }
        // Event lines start with the padded comm; these starts are rare.
        if c == UInt8(ascii: "C"), b.hasPrefix("CPU", at: start, end: end) {
            if b.hasPrefix("CPU:", at: start, end: end) { return cpuMarker(b, start + 4, end) }
            // Older trace-cmd prints "CPU 0 is empty" before "cpus=2".
            let t = b.trimTrailingSpaces(start, end)
            if t - start > 13, b[start + 3] == ASCII.space,
               b.hasPrefix(" is empty", at: t - 9, end: t) { return .preamble }
        }
        if c == UInt8(ascii: "c"), b.hasPrefix("cpus=", at: start, end: end),
           let n = b.parseDecimal(start + 5, b.trimTrailingSpaces(start, end)) {
            return .cpuCount(Int(n))
        }
        if c == UInt8(ascii: "v"), b.hasPrefix("version = ", at: start, end: end) {
            return .preamble
        }
        if c == ASCII.equals, b.hasPrefix("=> ", at: start, end: end) { return .continuation }
        if c == ASCII.minus, end - start >= 10, b.hasPrefix("----------", at: start, end: end) {
            return .continuation
        }
        return .other
    }

    private static func cpuMarker(_ b: [UInt8], _ from: Int, _ end: Int) -> TextLine {
        var i = from
        while i < end && ASCII.isDigit(b[i]) { i += 1 }
        guard let cpu = b.parseDecimal(from, i), cpu < 1 << 20 else { return .other }
        i = b.skipSpaces(i, end)
        let last = b.trimTrailingSpaces(i, end)
        guard i < last, b[i] == ASCII.openBracket, b[last - 1] == ASCII.closeBracket else { return .other }
        let inner = (i + 1)..<(last - 1)
        if b.hasPrefix("LOST ", at: inner.lowerBound, end: inner.upperBound) {
            let n0 = inner.lowerBound + 5
            var n1 = n0
            while n1 < inner.upperBound && ASCII.isDigit(b[n1]) { n1 += 1 }
            guard let n = b.parseDecimal(n0, n1),
                  b.hasPrefix(" EVENTS", at: n1, end: inner.upperBound) else { return .other }
            return .lost(cpu: Int(cpu), count: Int(clamping: n))
        }
        if b.hasPrefix("EVENTS DROPPED", at: inner.lowerBound, end: inner.upperBound) {
            return .lost(cpu: Int(cpu), count: nil)
        }
        var n1 = inner.lowerBound
        while n1 < inner.upperBound && ASCII.isDigit(b[n1]) { n1 += 1 }
        if let n = b.parseDecimal(inner.lowerBound, n1),
           b.hasPrefix(" EVENTS DROPPED", at: n1, end: inner.upperBound) {
            return .lost(cpu: Int(cpu), count: Int(clamping: n))
        }
        if b.hasPrefix("SUBBUFFER START", at: inner.lowerBound, end: inner.upperBound) {
            return .bufferMarker
        }
        return .other
    }
}
