/// The part every ftrace event line shares, up to the event's own text:
///
///     tracefs:            "  bash-1234    [001] d..2.  1234.567890: "
///     tracefs with TGID:  "  bash-1234    (   1234) [001] .....  1234.567890: "
///     trace-cmd report:   "  bash-1234  [001]  1234.567890: "
///     trace-cmd report -l:"    bash-1234    1d..2. 1234.567890: "
///
/// It is parsed outwards from the timestamp, the one token whose shape is
/// fixed: the comm before it may hold spaces, dashes and digits, and the
/// event text after it anything at all.
struct EventLineHead {
    /// The comm is `line[commStart..<commEnd]`.
    var commStart: Int
    var commEnd: Int
    var pid: Int32
    /// Present when the line has the TGID column (nil there too for
    /// "(-------)", a task whose tgid was not recorded).
    var tgid: Int32?
    var cpu: Int
    /// `.unknown` when the line has no latency columns.
    var context: ExecutionContext
    var timestamp: UInt64
    /// Fraction digits of the printed timestamp (6: µs, 9: ns, -1: raw).
    var timestampDigits: Int
    /// Where the event's own text begins (after "timestamp: ").
    var bodyStart: Int
    /// Which printer wrote the columns.
    var style: ColumnStyle
}

/// What counting passes read of a line's head (EventLine.parsePlainHead).
struct PlainEventHead {
    var cpu: Int
    var timestamp: UInt64
    /// Where the event's own text begins (after "timestamp: ").
    var bodyStart: Int
}

/// How the task/CPU columns were printed.
enum ColumnStyle: Sendable {
    /// "[001]" (tracefs, trace-cmd report default).
    case bracketCPU
    /// "  1d..2." (trace-cmd report -l: "%8.8s-%-5d %3d" then the flags).
    case latencyCPU
}

enum EventLine {
    /// Parses the head of `line` (a range of `b`), nil when it is not an
    /// event line.
    /// `latencyDialect` says who printed "cpu+flags" columns: trace-cmd
    /// report -l (libtraceevent) or tracefs' latency-format (the kernel).
    static func parseHead(_ b: [UInt8], _ line: Range<Int>,
                          latencyDialect: LatencyDialect = .libtraceevent) -> EventLineHead? {
        let start = line.lowerBound, end = line.upperBound
        // Find the first ": " (or ":" at the end) preceded by a timestamp.
        var k = start
        var attempts = 0
        while k < end {
            guard let colon = b.find(ASCII.colon, k, end) else { return nil }
            k = colon + 1
            if colon + 1 < end && b[colon + 1] != ASCII.space { continue }
            attempts += 1
            if attempts > 4 { return nil }
            var tsStart = colon
            while tsStart > start && !ASCII.isSpace(b[tsStart - 1]) { tsStart -= 1 }
            var stamp: (ns: UInt64, digits: Int)?
            if tsStart < colon {
                stamp = TextTimestamp.parse(b, tsStart, colon)
            }
            if stamp == nil, let rel = relativeMicroseconds(b, start, colon) {
                stamp = (rel.ns, TextTimestamp.relativeMicroseconds)
                tsStart = rel.start
            }
            guard tsStart > start, let ts = stamp else { continue }
            if var head = parseColumns(b, start, tsStart, latencyDialect) {
                head.timestamp = ts.ns
                head.timestampDigits = ts.digits
                head.bodyStart = colon + 1 < end ? colon + 2 : end
                return head
            }
        }
        return nil
    }

    /// Parses "comm-pid [(tgid)] cpu-and-flags" in `start..<limit`.
    private static func parseColumns(_ b: [UInt8], _ start: Int, _ limit: Int,
                                     _ latencyDialect: LatencyDialect) -> EventLineHead? {
        var p = b.trimTrailingSpaces(start, limit)
        guard p > start else { return nil }
        var tokStart = p
        while tokStart > start && !ASCII.isSpace(b[tokStart - 1]) { tokStart -= 1 }

        var cpu = 0
        var context = ExecutionContext.unknown
        var style = ColumnStyle.bracketCPU
        if let c = bracketCPU(b, tokStart, p) {
            cpu = c
        } else {
            // Either "[001] d..2." (flags after the CPU) or "1d..2." (-l).
            let flagsStart = tokStart
            let q = b.trimTrailingSpaces(start, tokStart)
            var bracketStart = q
            while bracketStart > start && !ASCII.isSpace(b[bracketStart - 1]) { bracketStart -= 1 }
            if let c = bracketCPU(b, bracketStart, q),
               let ctx = LatencyColumns.parse(b, flagsStart, p, dialect: .kernel) {
                cpu = c
                context = ctx
                tokStart = bracketStart
            } else {
                var d = flagsStart
                while d < p && ASCII.isDigit(b[d]) { d += 1 }
                guard d > flagsStart, d - flagsStart <= 4,
                      let c = b.parseDecimal(flagsStart, d),
                      let ctx = LatencyColumns.parse(b, d, p, dialect: latencyDialect)
                else { return nil }
                cpu = Int(c)
                context = ctx
                style = .latencyCPU
                tokStart = flagsStart
            }
        }

        // Optional "(   1234)" / "(-------)" TGID column.
        p = b.trimTrailingSpaces(start, tokStart)
        var tgid: Int32? = nil
        if p > start && b[p - 1] == ASCII.closeParen {
            guard let open = lastIndex(of: ASCII.openParen, b, start, p - 1) else { return nil }
            let inner0 = b.skipSpaces(open + 1, p - 1)
            if let v = b.parseDecimal(inner0, p - 1), v <= UInt64(Int32.max) {
                tgid = Int32(v)
            } else {
                var i = inner0
                while i < p - 1 && b[i] == ASCII.minus { i += 1 }
                guard i == p - 1 else { return nil }
            }
            p = b.trimTrailingSpaces(start, open)
        }

        guard let task = taskPid(b, start, p) else { return nil }
        return EventLineHead(commStart: b.skipSpaces(start, task.dash), commEnd: task.dash, pid: task.pid,
                             tgid: tgid, cpu: cpu, context: context,
                             timestamp: 0, timestampDigits: 0, bodyStart: 0,
                             style: style)
    }

    /// "comm-pid" ending at `end`: the pid's digits and the dash before
    /// them (the comm, before the dash, may hold dashes and digits too).
    @inline(__always)
    private static func taskPid(_ b: [UInt8], _ start: Int, _ end: Int) -> (dash: Int, pid: Int32)? {
        var d = end
        while d > start && ASCII.isDigit(b[d - 1]) { d -= 1 }
        guard d < end, d > start, b[d - 1] == ASCII.minus,
              let pid = b.parseDecimal(d, end), pid <= UInt64(Int32.max) else { return nil }
        return (d - 1, Int32(pid))
    }

    /// The head of the commonest line, "  comm-pid   [001]  1234.567890: "
    /// (trace-cmd report's default, tracefs without latency columns), read
    /// as parseHead's first try reads it but without building the comm:
    /// counting passes need only the CPU and the time.
    /// nil says "not this shape", not "not an event line": the caller then
    /// asks parseHead, so the two never disagree.
    static func parsePlainHead(_ b: [UInt8], _ line: Range<Int>) -> PlainEventHead? {
        let start = line.lowerBound, end = line.upperBound
        guard let colon = b.find(ASCII.colon, start, end),
              colon + 1 == end || b[colon + 1] == ASCII.space else { return nil }
        var tsStart = colon
        while tsStart > start && !ASCII.isSpace(b[tsStart - 1]) { tsStart -= 1 }
        guard tsStart > start, tsStart < colon,
              let stamp = TextTimestamp.parse(b, tsStart, colon) else { return nil }
        let p = b.trimTrailingSpaces(start, tsStart)
        var cpuStart = p
        while cpuStart > start && !ASCII.isSpace(b[cpuStart - 1]) { cpuStart -= 1 }
        guard p > start, let cpu = bracketCPU(b, cpuStart, p) else { return nil }
        // A TGID column, "(1234)", is parseHead's to read.
        let taskEnd = b.trimTrailingSpaces(start, cpuStart)
        guard taskEnd > start, b[taskEnd - 1] != ASCII.closeParen,
              taskPid(b, start, taskEnd) != nil else { return nil }
        return PlainEventHead(cpu: cpu, timestamp: stamp.ns, bodyStart: colon + 1 < end ? colon + 2 : end)
    }

    /// tracefs with options/latency-format prints " %4lldus%c: ": µs since
    /// the buffer's start, then a delay mark (' ', '+', '!', '#', '*', '@',
    /// '$'; lat_print_timestamp in kernel/trace/trace_output.c). The start
    /// itself is not printed, so these timestamps are relative.
    private static func relativeMicroseconds(_ b: [UInt8], _ start: Int, _ colon: Int) -> (ns: UInt64, start: Int)? {
        var u = colon - 1
        guard u - 3 >= start else { return nil }
        switch b[u] {
        case ASCII.space, ASCII.plus, UInt8(ascii: "!"), ASCII.hash, UInt8(ascii: "*"),
             UInt8(ascii: "@"), UInt8(ascii: "$"):
            u -= 1
        default:
            return nil
        }
        guard b[u] == UInt8(ascii: "s"), b[u - 1] == UInt8(ascii: "u") else { return nil }
        let digitsEnd = u - 1
        var d = digitsEnd
        while d > start && ASCII.isDigit(b[d - 1]) { d -= 1 }
        guard d < digitsEnd, d > start, ASCII.isSpace(b[d - 1]),
              let us = b.parseDecimal(d, digitsEnd) else { return nil }
        let (ns, o) = us.multipliedReportingOverflow(by: 1000)
        return o ? nil : (ns, d)
    }

    /// "[001]" → 1.
    @inline(__always)
    static func bracketCPU(_ b: [UInt8], _ from: Int, _ to: Int) -> Int? {
        guard to - from >= 3, b[from] == ASCII.openBracket, b[to - 1] == ASCII.closeBracket,
              let v = b.parseDecimal(from + 1, to - 1), v < 1 << 20 else { return nil }
        return Int(v)
    }

    private static func lastIndex(of byte: UInt8, _ b: [UInt8], _ from: Int, _ to: Int) -> Int? {
        var i = to
        while i > from {
            i -= 1
            if b[i] == byte { return i }
        }
        return nil
    }
}
