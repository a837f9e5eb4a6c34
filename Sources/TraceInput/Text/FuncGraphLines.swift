/// function_graph output back into ftrace:funcgraph_entry / funcgraph_exit
/// events with the 6.1 format's fields: entry {func, depth}, exit {func,
/// depth, overrun, calltime, rettime} (those last three only where the text
/// has them).
///
/// Shapes, after the event name on a trace-cmd report line:
/// - libtracecmd's graph printer (default): the duration column, "|", then
///   two blanks of indent per depth level and "func() {", "func();" (a
///   leaf: it folded the matching exit record into this line, so the line
///   stands for two records), or "}" (optionally "} /* func */").
/// - the format's print fmt (`report -N`): "--> func (depth)" and
///   "<-- func (depth) (start: calltime  end: rettime) over: depth" (the 6.1
///   format prints depth where it says "over", so overrun is not read).
///
/// The tracefs function_graph tracer prints the same "| indent" column
/// with the CPU and optional abstime/task columns in front.
struct FuncGraphState {
    /// Per CPU, the function open at each depth, to name the "}" of exits.
    private var open: [[String]] = []

    mutating func enter(cpu: Int, depth: Int, func_: String) {
        while open.count <= cpu { open.append([]) }
        var stack = open[cpu]
        if stack.count > depth { stack.removeSubrange(depth...) }
        while stack.count < depth { stack.append("") }
        stack.append(func_)
        open[cpu] = stack
    }

    mutating func exit(cpu: Int, depth: Int) -> String? {
        guard cpu < open.count, depth < open[cpu].count else { return nil }
        let name = open[cpu][depth]
        open[cpu].removeSubrange(depth...)
        return name.isEmpty ? nil : name
    }
}

/// What one function_graph text line says.
enum FuncGraphLine {
    /// "func() {": an entry.
    case entry(func: String, depth: Int)
    /// "func();": entry and exit folded into one line.
    case leaf(func: String, depth: Int, durationNs: UInt64?)
    /// "}" or "} /* func */": an exit.
    case exit(func: String?, depth: Int, durationNs: UInt64?)
    /// -N form of the exit, with the record's own times.
    case rawExit(func: String, depth: Int, calltime: UInt64, rettime: UInt64)
}

enum FuncGraphLines {
    /// Parses the graph column text in `from..<to` (starting at the
    /// duration column, or at "-->"/"<--" for the -N form).
    static func parse(_ b: [UInt8], _ from: Int, _ to: Int) -> FuncGraphLine? {
        let s = b.skipSpaces(from, to)
        if b.hasPrefix("--> ", at: s, end: to) || b.hasPrefix("<-- ", at: s, end: to) {
            return parseRaw(b, s, to)
        }
        guard let bar = b.find(ASCII.pipe, s, to) else { return nil }
        let duration = parseDuration(b, s, bar)
        // "|  " then two blanks per depth level.
        var i = bar + 1
        var blanks = 0
        while i < to && b[i] == ASCII.space { blanks += 1; i += 1 }
        let depth = max(0, (blanks - 2) / 2)
        let end = b.trimTrailingSpaces(i, to)
        guard i < end else { return nil }
        if b[i] == ASCII.closeBrace {
            var name: String? = nil
            let c = b.skipSpaces(i + 1, end)
            if b.hasPrefix("/* ", at: c, end: end), end - c > 6 {
                name = b.string(c + 3, b.trimTrailingSpaces(c + 3, end - 2))
            }
            return .exit(func: name, depth: depth, durationNs: duration)
        }
        if end - i > 4, b[end - 1] == ASCII.openBrace {
            let nameEnd = b.trimTrailingSpaces(i, end - 1)
            guard nameEnd - i > 2, b[nameEnd - 1] == ASCII.closeParen,
                  b[nameEnd - 2] == ASCII.openParen else { return nil }
            return .entry(func: b.symbolString(i, nameEnd - 2), depth: depth)
        }
        if end - i > 3, b[end - 1] == ASCII.semicolon, b[end - 2] == ASCII.closeParen,
           b[end - 3] == ASCII.openParen {
            return .leaf(func: b.symbolString(i, end - 3), depth: depth,
                         durationNs: duration)
        }
        return nil
    }

    /// "  0.380 us   " / "+ 12.345 us" / "! 123.456 us" → ns (the printer
    /// writes "%llu.%03llu us" of a nanosecond count, so this is exact).
    static func parseDuration(_ b: [UInt8], _ from: Int, _ to: Int) -> UInt64? {
        var i = b.skipSpaces(from, to)
        // Overhead markers the printers put before long durations.
        if i < to, !ASCII.isDigit(b[i]) { i = b.skipSpaces(i + 1, to) }
        var e = i
        while e < to && (ASCII.isDigit(b[e]) || b[e] == ASCII.dot) { e += 1 }
        guard e > i, let dot = b.find(ASCII.dot, i, e),
              let us = b.parseDecimal(i, dot), let frac = b.parseDecimal(dot + 1, e),
              e - dot - 1 == 3 else { return nil }
        return us * 1000 + frac
    }

    /// "--> func (depth)" / "<-- func (depth) (start: %llx  end: %llx) over: %d".
    private static func parseRaw(_ b: [UInt8], _ from: Int, _ to: Int) -> FuncGraphLine? {
        let isEntry = b[from] == ASCII.minus
        let nameStart = from + 4
        guard let open = b.find(ASCII.openParen, nameStart, to),
              let close = b.find(ASCII.closeParen, open, to),
              let depthValue = b.parseDecimal(open + 1, close), depthValue < 1 << 16 else { return nil }
        let depth = Int(depthValue)
        let func_ = b.symbolString(nameStart, open)
        if isEntry { return .entry(func: func_, depth: depth) }
        guard let call = hexAfter("start: ", b, close, to), let ret = hexAfter("end: ", b, close, to) else {
            return .exit(func: func_, depth: depth, durationNs: nil)
        }
        return .rawExit(func: func_, depth: depth, calltime: call, rettime: ret)
    }

    /// The hex number after `label` in `from..<to`.
    private static func hexAfter(_ label: StaticString, _ b: [UInt8], _ from: Int, _ to: Int) -> UInt64? {
        var i = from
        while i < to {
            if b.hasPrefix(label, at: i, end: to) {
                let h = i + label.utf8CodeUnitCount
                var e = h
                while e < to && ASCII.hexValue(b[e]) != nil { e += 1 }
                return b.parseHex(h, e)
            }
            i += 1
        }
        return nil
    }
}
