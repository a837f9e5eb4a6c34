/// Splits a byte source into lines without copying them: a line is a range
/// into `bytes`, valid until the next call. The buffer holds one block plus
/// the unfinished line carried over, so memory does not grow with the file.
struct LineBuffer {
    /// Lines longer than this are not trace lines (ftrace's own limit for a
    /// line is a page); they are reported and skipped, never buffered whole.
    static let maxLineLength = 1 << 20
    static let blockSize = 1 << 20

    private(set) var bytes: [UInt8] = []
    private var pos = 0
    private let source: TextByteSource
    private var sourceEnded = false
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0
    /// Set when the line last returned was cut at `maxLineLength`.
    private(set) var lastLineWasTruncated = false
    /// Set once a line of `maxLineLength` bytes or more came by: whether
    /// such a line is cut depends on where the blocks fall, so a file read
    /// in parts may not give a one-pass read's result for it.
    private(set) var metLongLine = false
    /// Source bytes dropped before `bytes[0]`; nil once an over-long line's
    /// tail was dropped unseen (the offset is then unknown).
    private var droppedBytes: Int? = 0

    init(source: TextByteSource, prefix: [UInt8] = []) {
        self.source = source
        bytes = prefix
        bytes.reserveCapacity(Self.blockSize + Self.maxLineLength)
    }

    /// The next line's byte range (without its "\n" or "\r\n"), nil at end.
    mutating func nextLine() throws -> Range<Int>? {
        lastLineWasTruncated = false
        var searchFrom = pos
        while true {
            if let nl = bytes.find(ASCII.newline, searchFrom, bytes.count) {
                let start = pos
                pos = nl + 1
                lineNumber += 1
                var end = nl
                // "\r\n", and "\r\r\n" from a serial console (the tty adds one).
                while end > start && bytes[end - 1] == ASCII.carriageReturn { end -= 1 }
                if nl + 1 - start >= Self.maxLineLength { metLongLine = true }
                return start..<end
            }
            if sourceEnded {
                guard pos < bytes.count else { return nil }
                let start = pos
                pos = bytes.count
                lineNumber += 1
                if pos - start >= Self.maxLineLength { metLongLine = true }
                return start..<bytes.count
            }
            if bytes.count - pos >= Self.maxLineLength {
                // A "line" this long is garbage: hand back its first bytes
                // (the caller counts it as unparsed) and drop the rest.
                compact()
                try discardRestOfLine(keeping: 256)
                lineNumber += 1
                lastLineWasTruncated = true
                metLongLine = true
                droppedBytes = nil
                return 0..<256
            }
            // Carry the unfinished line to the front and read the next block.
            searchFrom = bytes.count - pos
            compact()
            if try source.read(into: &bytes, maxCount: Self.blockSize) == 0 {
                sourceEnded = true
            }
        }
    }

    private mutating func compact() {
        if pos > 0 {
            bytes.removeSubrange(0..<pos)
            droppedBytes? += pos
            pos = 0
        }
    }

    /// Where `bytes[index]` is in the source (its offset in the file), nil
    /// after an over-long line was dropped.
    func sourceOffset(of index: Int) -> Int? {
        droppedBytes.map { $0 + index }
    }

    /// Ends the reading: nextLine returns nil from now on (the rest of the
    /// source was read some other way).
    mutating func finish() {
        sourceEnded = true
        pos = bytes.count
    }

    /// Keeps the first `keep` bytes of the current (over-long) line at the
    /// front and drops everything up to and including its newline.
    private mutating func discardRestOfLine(keeping keep: Int) throws {
        bytes.removeSubrange(keep..<bytes.count)
        pos = keep
        var tail: [UInt8] = []
        while true {
            tail.removeAll(keepingCapacity: true)
            if try source.read(into: &tail, maxCount: Self.blockSize) == 0 {
                sourceEnded = true
                return
            }
            if let nl = tail.find(ASCII.newline, 0, tail.count) {
                bytes.append(contentsOf: tail[(nl + 1)...])
                return
            }
        }
    }
}
