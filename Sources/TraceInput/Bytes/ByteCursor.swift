import NativeBindings

/// Reads a trace file's structures front to back, like swift-nio's ByteBuffer
/// reads a message: every read checks the bounds and moves the reader index;
/// integers are converted from the file's byte order at this edge, so nothing
/// above it ever sees a swapped value.
///
/// A read past the end throws a `TraceInputError` naming the file, the section
/// being read and the byte offset in the file.
struct ByteCursor {
    let region: MemoryRegion
    /// Reading position inside `region`.
    private(set) var offset: Int
    /// First byte not to read (a section's end, or the region's end).
    let end: Int
    var endianness: Endianness
    let path: String
    var section: String
    /// For a decompressed section: the file offset of that section, which
    /// errors report instead of offsets inside the decompressed bytes.
    let fileOffsetOfRegion: Int?

    init(region: MemoryRegion, offset: Int = 0, end: Int? = nil, endianness: Endianness,
         path: String, section: String, fileOffsetOfRegion: Int? = nil) {
        self.region = region
        self.offset = offset
        self.end = min(end ?? region.count, region.count)
        self.endianness = endianness
        self.path = path
        self.section = section
        self.fileOffsetOfRegion = fileOffsetOfRegion
    }

    var remaining: Int { max(0, end - offset) }

    /// The file offset an error at `at` should name.
    func fileOffset(_ at: Int) -> UInt64 { UInt64(fileOffsetOfRegion ?? at) }

    func error(_ message: String, at: Int? = nil) -> TraceInputError {
        TraceInputError(path: path, section: section, offset: fileOffset(at ?? offset), message: message)
    }

    private func need(_ n: Int, _ what: String) throws {
        guard n >= 0, n <= remaining else {
            throw error("truncated: \(what) needs \(n) bytes, \(remaining) left")
        }
    }

    mutating func readInteger<T: FixedWidthInteger>(as: T.Type = T.self, _ what: String = "integer") throws -> T {
        try need(MemoryLayout<T>.size, what)
        let v = endianness.decode(region.load(at: offset, as: T.self))
        offset += MemoryLayout<T>.size
        return v
    }

    mutating func readBytes(_ n: Int, _ what: String = "data") throws -> [UInt8] {
        try need(n, what)
        let b = region.copyBytes(at: offset, count: n)
        offset += n
        return b
    }

    /// A NUL-terminated string; the NUL is consumed.
    mutating func readCString(_ what: String = "string") throws -> String {
        guard let z = region.firstZero(from: offset, end: end) else {
            throw error("truncated: \(what) has no terminating NUL")
        }
        let s = region.string(at: offset, count: z - offset)
        offset = z + 1
        return s
    }

    mutating func skip(_ n: Int, _ what: String = "data") throws {
        try need(n, what)
        offset += n
    }

    mutating func moveTo(_ newOffset: Int, _ what: String) throws {
        guard newOffset >= 0, newOffset <= end else {
            throw error("\(what) points to offset \(newOffset), past the end (\(end))")
        }
        offset = newOffset
    }

    /// A u64 size read from the file, checked to fit in what is left.
    mutating func readSize64(_ what: String) throws -> Int {
        let at = offset
        let v: UInt64 = try readInteger(what)
        guard v <= UInt64(remaining) else {
            throw error("\(what) \(v) runs past the end of the file", at: at)
        }
        return Int(v)
    }

    mutating func readSize32(_ what: String) throws -> Int {
        let at = offset
        let v: UInt32 = try readInteger(what)
        guard Int(v) <= remaining else {
            throw error("\(what) \(v) runs past the end of the file", at: at)
        }
        return Int(v)
    }
}
