/// Text saved through a serial console (`cat /sys/kernel/tracing/trace` on a
/// board whose only output is its console): firmware and boot-log lines
/// before the tracer's header, and kernel messages the console prints in
/// between the trace's lines. Neither is part of the trace; both are
/// counted (`DamageCount.consoleLines`), not taken for damage.
enum ConsoleLines {
    /// True when `head` is not ftrace text from its first lines but holds a
    /// tracefs header ("# tracer: ") further on: what comes before it is
    /// console output (the boot log, a shell's prompt and command).
    static func tracerHeaderFollows(_ head: [UInt8]) -> Bool {
        var start = 0
        while start < head.count, let nl = head.find(ASCII.newline, start, head.count) {
            if isTracerHeader(head, start..<nl) { return true }
            start = nl + 1
        }
        return false
    }

    static func isTracerHeader(_ b: [UInt8], _ line: Range<Int>) -> Bool {
        b.hasPrefix("# tracer: ", at: line.lowerBound, end: line.upperBound)
    }

    /// A kernel message as the console prints it: "[   12.345678] text"
    /// (printk's timestamp prefix; kernel/printk/printk.c print_time).
    static func isKernelMessage(_ b: [UInt8], _ line: Range<Int>) -> Bool {
        var i = line.lowerBound
        guard i < line.upperBound, b[i] == ASCII.openBracket else { return false }
        i = b.skipSpaces(i + 1, line.upperBound)
        let digits = i
        while i < line.upperBound && ASCII.isDigit(b[i]) { i += 1 }
        guard i > digits, i < line.upperBound, b[i] == ASCII.dot else { return false }
        i += 1
        let fraction = i
        while i < line.upperBound && ASCII.isDigit(b[i]) { i += 1 }
        return i - fraction == 6 && i < line.upperBound && b[i] == ASCII.closeBracket
    }
}
