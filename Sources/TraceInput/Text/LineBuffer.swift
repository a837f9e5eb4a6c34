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
                if end > start && bytes[end - 1] == ASCII.carriageReturn { end -= 1 }
                return start..<end
            }
            if sourceEnded {
                guard pos < bytes.count else { return nil }
                let start = pos
                pos = bytes.count
                lineNumber += 1
                return start..<bytes.count
            }
            if bytes.count - pos >= Self.maxLineLength {
                // A "line" this long is garbage: hand back its first bytes
                // (the caller counts it as unparsed) and drop the rest.
                compact()
                try discardRestOfLine(keeping: 256)
                lineNumber += 1
                lastLineWasTruncated = true
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
            pos = 0
        }
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
