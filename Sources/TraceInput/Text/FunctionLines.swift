/// Lines of the tracefs function and function_graph tracers, which print
/// no event name.

/// The function tracer: "func <-parent" after the timestamp
/// (trace_fn_trace; symbols may carry " [module]").
enum FunctionTracerLine {
    static func isFunctionLine(_ b: [UInt8], _ from: Int, _ to: Int) -> Bool {
        var i = from
        while i + 2 < to {
            if b[i] == ASCII.space && b[i + 1] == ASCII.less && b[i + 2] == ASCII.minus {
                return i > from
            }
            i += 1
        }
        return false
    }
}

/// The function_graph tracer's lines (print_graph_prologue in
/// kernel/trace/trace_functions_graph.c): optional "abstime |", the CPU
/// " 0) ", optional "comm-pid |" (funcgraph-proc), optional latency flags and "|",
/// then the duration column, "|" and the indented call text. Task switches
/// show as " 0)  bash-1234  =>  sshd-5678 " between dashed rules.
struct FuncGraphTracerLine {
    struct Task { var comm: String; var pid: Int32 }
    /// The task last seen on each CPU (from "=>" markers or the proc column):
    /// without funcgraph-proc the graph lines do not say who ran.
    struct Tasks { var byCPU: [Int: Task] = [:] }

    var event: (cpu: Int, line: FuncGraphLine, timestamp: UInt64?, task: Task?)?
    var context: ExecutionContext = .unknown

    static func parse(_ b: [UInt8], _ line: Range<Int>, tracker: inout Tasks) -> FuncGraphTracerLine? {
        let end = line.upperBound
        var i = b.skipSpaces(line.lowerBound, end)
        var timestamp: UInt64? = nil
        // Absolute time: "1234.567890 |  ".
        var t = i
        while t < end && (ASCII.isDigit(b[t]) || b[t] == ASCII.dot) { t += 1 }
        if t > i, let dotted = b.find(ASCII.dot, i, t), dotted > i {
            let afterTs = b.skipSpaces(t, end)
            guard afterTs < end, b[afterTs] == ASCII.pipe,
                  let ts = TextTimestamp.parse(b, i, t) else { return nil }
            timestamp = ts.ns
            i = b.skipSpaces(afterTs + 1, end)
        }
        // CPU: "0)".
        var c = i
        while c < end && ASCII.isDigit(b[c]) { c += 1 }
        guard c > i, c < end, b[c] == ASCII.closeParen,
              let cpuValue = b.parseDecimal(i, c), cpuValue < 1 << 20 else { return nil }
        let cpu = Int(cpuValue)
        i = c + 1
        // Task switch: "bash-1234  =>  sshd-5678".
        if let arrow = findArrow(b, i, end), b.find(ASCII.pipe, i, end) == nil {
            let to = b.skipSpaces(arrow + 2, end)
            if let task = commPid(b, to, b.trimTrailingSpaces(to, end)) {
                tracker.byCPU[cpu] = task
            }
            return FuncGraphTracerLine(event: nil)
        }
        // The irq entry/exit arrows "==========>" / "<==========" are display only.
        if b.find(ASCII.equals, i, end) != nil && b.find(ASCII.openParen, i, end) == nil {
            return FuncGraphTracerLine(event: nil)
        }
        guard let firstBar = b.find(ASCII.pipe, i, end) else { return nil }
        var task = tracker.byCPU[cpu]
        var graphFrom = i
        // funcgraph-proc: "comm-pid |" before the duration column.
        if let p = commPid(b, b.skipSpaces(i, firstBar), b.trimTrailingSpaces(i, firstBar)),
           b.find(ASCII.pipe, firstBar + 1, end) != nil {
            task = p
            tracker.byCPU[cpu] = p
            graphFrom = firstBar + 1
        }
        // Latency flags (latency-format option): "d..2." before the duration.
        var context = ExecutionContext.unknown
        let f0 = b.skipSpaces(graphFrom, end)
        var f1 = f0
        while f1 < end && !ASCII.isSpace(b[f1]) { f1 += 1 }
        if let ctx = LatencyColumns.parse(b, f0, f1, dialect: .kernel) {
            context = ctx
            graphFrom = f1
            // print_graph_lat_fmt closes the flags with " | ", before the
            // duration column's own "|".
            let sep = b.skipSpaces(f1, end)
            if sep < end && b[sep] == ASCII.pipe { graphFrom = sep + 1 }
        }
        // A "/* comment */" (trace_printk under function_graph) is no call.
        guard let g = FuncGraphLines.parse(b, graphFrom, end) else {
            let bar = b.find(ASCII.pipe, graphFrom, end) ?? end
            let text = b.skipSpaces(bar + 1, end)
            if b.hasPrefix("/*", at: text, end: end) { return FuncGraphTracerLine(event: nil) }
            return nil
        }
        return FuncGraphTracerLine(event: (cpu, g, timestamp, task), context: context)
    }

    private static func findArrow(_ b: [UInt8], _ from: Int, _ to: Int) -> Int? {
        var i = from
        while i + 1 < to {
            if b[i] == ASCII.equals && b[i + 1] == ASCII.greater { return i }
            i += 1
        }
        return nil
    }

    /// "comm-pid" in `from..<to`.
    private static func commPid(_ b: [UInt8], _ from: Int, _ to: Int) -> Task? {
        var d = to
        while d > from && ASCII.isDigit(b[d - 1]) { d -= 1 }
        guard d < to, d - 1 > from, b[d - 1] == ASCII.minus,
              let pid = b.parseDecimal(d, to), pid <= UInt64(Int32.max) else { return nil }
        let commStart = b.skipSpaces(from, d - 1)
        return Task(comm: b.string(commStart, d - 1), pid: Int32(pid))
    }
}
