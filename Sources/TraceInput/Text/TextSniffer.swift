/// Content checks: is this ftrace text at all, and what its headers say.
/// Never looks at the file name.
enum TextSniffer {
    /// True when the prefix is printable text whose first content lines
    /// are ftrace headers or event lines. Binary data (trace.dat starts
    /// "\x17\x08D", perf.data, ELF) fails the printable check at once.
    /// `consoleAware`: also true for serial-console text, whose first lines
    /// are the console's and whose tracer header comes later (ConsoleLines).
    static func looksLikeText(_ prefix: [UInt8], isWholeFile: Bool, consoleAware: Bool = true) -> Bool {
        guard !prefix.isEmpty else { return false }
        if consoleAware && ConsoleLines.tracerHeaderFollows(prefix) { return true }
        var start = 0
        var checked = 0
        while start < prefix.count && checked < 40 {
            guard let nl = prefix.find(ASCII.newline, start, prefix.count) else {
                // A partial last line says nothing unless it is all there is.
                if isWholeFile || start == 0 {
                    return lineLooksLikeTrace(prefix, start..<prefix.count) == true
                }
                return false
            }
            var end = nl
            if end > start && prefix[end - 1] == ASCII.carriageReturn { end -= 1 }
            let line = start..<end
            start = nl + 1
            guard isPrintable(prefix, line) else { return false }
            switch lineLooksLikeTrace(prefix, line) {
            case true?: return true
            case false?: checked += 1
            case nil: continue
            }
        }
        return false
    }

    /// true: a trace line or header; false: something else; nil: blank.
    private static func lineLooksLikeTrace(_ b: [UInt8], _ line: Range<Int>) -> Bool? {
        switch LineClassifier.classify(b, line) {
        case .blank: return nil
        case .cpuCount, .lost, .bufferMarker: return true
        case .comment:
            // tracefs headers, not any '#' text.
            let s = b.skipSpaces(line.lowerBound, line.upperBound)
            return b.hasPrefix("# tracer:", at: s, end: line.upperBound)
                || b.hasPrefix("# entries-in-buffer", at: s, end: line.upperBound)
                || b.hasPrefix("#           TASK-PID", at: s, end: line.upperBound)
                || b.hasPrefix("# CPU  DURATION", at: s, end: line.upperBound)
                ? true : nil
        case .preamble: return true
        case .continuation: return nil
        case .other:
            return EventLine.parseHead(b, line) != nil || isFuncGraphTracerLine(b, line)
        }
    }

    static func isFuncGraphTracerLine(_ b: [UInt8], _ line: Range<Int>) -> Bool {
        var scratch = FuncGraphTracerLine.Tasks()
        return FuncGraphTracerLine.parse(b, line, tracker: &scratch) != nil
    }

    /// Text has no control bytes other than tab; UTF-8 in comms is fine.
    static func isPrintable(_ b: [UInt8], _ line: Range<Int>) -> Bool {
        for i in line {
            let c = b[i]
            if c < 0x20 && c != ASCII.tab { return false }
            if c == 0x7f { return false }
        }
        return true
    }

    /// "#P:4" in "# entries-in-buffer/entries-written: 10/10   #P:4".
    static func processorCount(_ b: [UInt8], _ line: Range<Int>) -> Int? {
        var i = line.lowerBound
        while i + 3 < line.upperBound {
            if b[i] == ASCII.hash && b[i + 1] == UInt8(ascii: "P") && b[i + 2] == ASCII.colon {
                var e = i + 3
                while e < line.upperBound && ASCII.isDigit(b[e]) { e += 1 }
                if let n = b.parseDecimal(i + 3, e), n < 1 << 20 { return Int(n) }
                return nil
            }
            i += 1
        }
        return nil
    }
}
