@testable import TraceInput

/// Edits of real trace.dat files that tests make to build the cases they
/// need (a CPU's size lowered, a chunk count changed), found from what the
/// reader says the layout is and checked against trace-cmd.
enum TraceDatEdits {
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// Writes `v` little-endian, `width` bytes, at `at`.
    static func put(_ v: UInt64, _ width: Int, at: Int, in bytes: inout [UInt8]) {
        for k in 0..<width { bytes[at + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
    }

    /// Where `extent`'s (offset, size) pair is written: the v6 flyrecord
    /// table or the v7 BUFFER option hold them as two u64 in a row. Returns
    /// the offset of the size; the offset is 8 bytes before it. nil unless
    /// the pair occurs exactly once.
    static func sizeField(of extent: CPUDataExtent, in bytes: [UInt8]) -> Int? {
        let pair = le64(UInt64(extent.offset)) + le64(UInt64(extent.size))
        let hits = bytes.withUnsafeBufferPointer { b in
            (0...(bytes.count - pair.count)).filter { i in
                b[i] == pair[0] && b[i + 8] == pair[8] && (0..<pair.count).allSatisfy { b[i + $0] == pair[$0] }
            }
        }
        return hits.count == 1 ? hits[0] + 8 : nil
    }

    /// A CPU's compressed chunks, (start, end) in file offsets, walked from
    /// the chunk headers (u32 count, then u32 compressed size, u32
    /// uncompressed size, bytes).
    static func chunks(_ e: CPUDataExtent, _ b: [UInt8]) -> [Range<Int>] {
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } }
        var at = e.offset + 4
        return (0..<u32(e.offset)).map { _ in
            defer { at += 8 + u32(at) }
            return at..<(at + 8 + u32(at))
        }
    }
}
