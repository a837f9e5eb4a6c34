/// The pass `mmaudit stats` makes over text: every line counted, none
/// turned into a TraceEvent. The commonest line ("comm-pid [cpu] time:
/// name: ...") is counted from its bytes; every other line — headers,
/// drops, function_graph lines, anything parsePlainHead does not take, and
/// everything while drops or folded exits wait for a later event — goes
/// through `handle` and `next` as in a full read, so counts, damage and
/// CPU numbers are those of a full read.
extension TextReaderCore {
    /// Counts the rest of the text. A part of a file counted on its own
    /// (TextParts) passes `stop`: it stops at a line only a one-pass read
    /// counts right, and when another part did.
    mutating func tally(into tally: inout TextEventTally, stop: TextPartsStop? = nil) throws {
        var linesToStopCheck = 0
        reading: while true {
            if !isIdle {
                if let stop, mustStop(stop, &linesToStopCheck) { return }
                guard let item = try next() else { break }
                tally.count(item)
                continue
            }
            // Plain lines leave the reader idle: count them in a tight loop.
            while true {
                if let stop, mustStop(stop, &linesToStopCheck) { return }
                guard let line = try lines.nextLine() else { break reading }
                if !tallyPlainLine(line, &tally) {
                    try handle(line)
                    break
                }
            }
        }
        if let stop, mustStop(stop, &linesToStopCheck) { return }
        tally.resolveNames(names)
    }

    /// For a part (TextParts): true once it met a line only a one-pass read
    /// counts right (and then tells the other parts), or another part did.
    @inline(__always)
    private func mustStop(_ stop: TextPartsStop, _ linesToCheck: inout Int) -> Bool {
        if metGraphLine || lines.metLongLine {
            stop.raise()
            return true
        }
        linesToCheck -= 1
        if linesToCheck < 0 {
            linesToCheck = 1 << 14
            return stop.isRaised
        }
        return false
    }

    /// Counts `line` when it is a plain event line; false leaves it to
    /// `handle`.
    private mutating func tallyPlainLine(_ line: Range<Int>, _ tally: inout TextEventTally) -> Bool {
        guard !lines.lastLineWasTruncated else { return false }
        let b = lines.bytes
        guard case .other = LineClassifier.classify(b, line),
              let head = EventLine.parsePlainHead(b, line),
              let named = eventName(b, head.bodyStart, line.upperBound),
              !names.isGraph[named.index] else { return false }
        noteEvent(cpu: head.cpu, timestamp: head.timestamp)
        tally.count(timestamp: head.timestamp, cpu: head.cpu, nameIndex: named.index)
        return true
    }
}
