import NativeBindings

/// Where the parts of a trace.dat file are, found by walking the file as
/// trace-cmd.dat.v6(5) / trace-cmd.dat.v7(5) describe it. Written apart from
/// the reader on purpose: the corruption matrix must not learn the layout
/// from the code it is testing.
struct TraceDatMap {
    enum Part: String, CaseIterable {
        case header, options, formats, symbols, data
    }

    /// A compressed chunk of CPU data: offset of its 8-byte header, and the
    /// compressed size that follows it.
    struct Chunk {
        var offset: Int
        var compressedSize: Int
    }

    var version = 0
    var pageSize = 0
    var littleEndian = true
    var compressed = false
    /// Every part's byte range, in no particular order.
    var parts: [(part: Part, range: Range<Int>)] = []
    /// Starts of uncompressed ring-buffer pages.
    var pages: [Int] = []
    var chunks: [Chunk] = []

    /// Offsets where one part ends and another starts.
    var boundaries: [Int] {
        var b = Set<Int>()
        for p in parts { b.insert(p.range.lowerBound); b.insert(p.range.upperBound) }
        for c in chunks { b.insert(c.offset); b.insert(c.offset + 8) }
        return b.sorted()
    }

    func ranges(of part: Part) -> [Range<Int>] {
        parts.filter { $0.part == part && !$0.range.isEmpty }.map(\.range)
    }

    struct Malformed: Error { var why: String }

    init(_ bytes: [UInt8]) throws {
        var r = Reader(bytes: bytes)
        // magic, version, endian, long size, page size
        try r.skip(10)
        version = Int(try r.cString()) ?? 0
        littleEndian = try r.u8() == 0
        r.little = littleEndian
        try r.skip(1)
        pageSize = Int(try r.u32())
        if version >= 7 {
            let compression = try r.cString()
            _ = try r.cString()
            compressed = compression != "none"
            let firstOptions = Int(try r.u64())
            parts.append((.header, 0..<r.at))
            try walkV7(bytes, firstOptions: firstOptions, algorithm: CompressionAlgorithm(rawValue: compression))
        } else {
            parts.append((.header, 0..<r.at))
            try walkV6(&r)
        }
    }

    // MARK: v6

    private mutating func walkV6(_ r: inout Reader) throws {
        var start = r.at
        try r.skip(12)                       // "header_page\0"
        try r.skip(Int(try r.u64()))
        try r.skip(13)                       // "header_event\0"
        try r.skip(Int(try r.u64()))
        for _ in 0..<(try r.u32()) { try r.skip(Int(try r.u64())) }   // ftrace formats
        for _ in 0..<(try r.u32()) {                                   // event systems
            _ = try r.cString()
            for _ in 0..<(try r.u32()) { try r.skip(Int(try r.u64())) }
        }
        parts.append((.formats, start..<r.at))
        start = r.at
        try r.skip(Int(try r.u32()))         // kallsyms
        try r.skip(Int(try r.u32()))         // printk
        try r.skip(Int(try r.u64()))         // cmdlines
        parts.append((.symbols, start..<r.at))
        start = r.at
        let cpus = Int(try r.u32())
        var extents: [(Int, Int)] = []
        while true {
            let tag = try r.bytes(10)
            if tag.starts(with: Array("options".utf8)) {
                while true {
                    let id = try r.u16()
                    if id == 0 { break }
                    try r.skip(Int(try r.u32()))
                }
                continue
            }
            guard tag.starts(with: Array("flyrecord".utf8)) else { break }   // latency: no pages
            for _ in 0..<cpus { extents.append((Int(try r.u64()), Int(try r.u64()))) }
            break
        }
        parts.append((.options, start..<r.at))
        for (offset, size) in extents where size > 0 {
            parts.append((.data, offset..<(offset + size)))
            pages += stride(from: offset, to: offset + size, by: pageSize)
        }
    }

    // MARK: v7

    private mutating func walkV7(_ bytes: [UInt8], firstOptions: Int, algorithm: CompressionAlgorithm?) throws {
        let region = MemoryRegion(bytes: bytes)
        let decompressor = algorithm.map(BlockDecompressor.init)
        var sections: [(id: UInt16, offset: Int)] = []
        var buffers: [(section: Int, extents: [(Int, Int)])] = []
        var next = firstOptions
        var seen = Set<Int>()
        while next != 0, seen.insert(next).inserted {
            let (range, payload) = try section(at: next, region, decompressor)
            parts.append((.options, range))
            next = 0
            var p = Reader(bytes: payload, little: littleEndian)
            while p.at < payload.count {
                let id = try p.u16()
                let size = Int(try p.u32())
                var o = Reader(bytes: try p.bytes(size), little: littleEndian)
                switch id {
                case 0:
                    next = Int(try o.u64())
                case 3:
                    let offset = Int(try o.u64())
                    _ = try o.cString()
                    _ = try o.cString()
                    _ = try o.u32()
                    var extents: [(Int, Int)] = []
                    for _ in 0..<(try o.u32()) {
                        _ = try o.u32()
                        extents.append((Int(try o.u64()), Int(try o.u64())))
                    }
                    buffers.append((offset, extents))
                case 16...21:
                    sections.append((id, Int(try o.u64())))
                default:
                    break
                }
                if id == 0 { break }
            }
        }
        for s in sections {
            let (range, _) = try section(at: s.offset, region, nil)
            parts.append((s.id <= 18 ? .formats : .symbols, range))
        }
        for b in buffers {
            parts.append((.options, b.section..<(b.section + 16)))
            for (offset, size) in b.extents where size > 0 {
                parts.append((.data, offset..<(offset + size)))
                if compressed {
                    var r = Reader(bytes: bytes, little: littleEndian)
                    r.at = offset
                    for _ in 0..<(try r.u32()) {
                        let at = r.at
                        let csize = Int(try r.u32())
                        _ = try r.u32()
                        try r.skip(csize)
                        chunks.append(Chunk(offset: at, compressedSize: csize))
                    }
                } else {
                    pages += stride(from: offset, to: offset + size, by: pageSize)
                }
            }
        }
    }

    /// A section's whole byte range and its payload (decompressed when the
    /// section says it is compressed and `decompressor` is given).
    private func section(at offset: Int, _ region: MemoryRegion,
                         _ decompressor: BlockDecompressor?) throws -> (Range<Int>, [UInt8]) {
        let bytes = region.copyBytes(at: 0, count: region.count)
        var r = Reader(bytes: bytes, little: littleEndian)
        r.at = offset
        _ = try r.u16()
        let flags = try r.u16()
        _ = try r.u32()
        let size = Int(try r.u64())
        let range = offset..<(r.at + size)
        guard range.upperBound <= bytes.count else { throw Malformed(why: "section at \(offset) past the end") }
        guard flags & 1 != 0, let decompressor else { return (range, Array(bytes[r.at..<range.upperBound])) }
        let csize = Int(try r.u32())
        let usize = Int(try r.u32())
        let out = try decompressor.decompress(region, at: r.at, count: csize, expectedSize: usize)
        return (range, out.copyBytes(at: 0, count: out.count))
    }
}

/// Integers and strings off a byte array, little- or big-endian.
private struct Reader {
    var bytes: [UInt8]
    var at = 0
    var little = true

    init(bytes: [UInt8], little: Bool = true) {
        self.bytes = bytes
        self.little = little
    }

    mutating func bytes(_ n: Int) throws -> [UInt8] {
        guard n >= 0, n <= bytes.count - at else { throw TraceDatMap.Malformed(why: "\(n) bytes at \(at)") }
        defer { at += n }
        return Array(bytes[at..<(at + n)])
    }

    mutating func skip(_ n: Int) throws {
        guard n >= 0, n <= bytes.count - at else { throw TraceDatMap.Malformed(why: "skip \(n) at \(at)") }
        at += n
    }

    private mutating func integer(_ n: Int) throws -> UInt64 {
        let b = try bytes(n)
        return (little ? b.reversed() : b).reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func u8() throws -> UInt8 { UInt8(try integer(1)) }
    mutating func u16() throws -> UInt16 { UInt16(try integer(2)) }
    mutating func u32() throws -> UInt32 { UInt32(try integer(4)) }
    mutating func u64() throws -> UInt64 { try integer(8) }

    mutating func cString() throws -> String {
        guard let end = bytes[at...].firstIndex(of: 0) else { throw TraceDatMap.Malformed(why: "string at \(at)") }
        defer { at = end + 1 }
        return String(decoding: bytes[at..<end], as: UTF8.self)
    }
}
