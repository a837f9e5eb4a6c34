/// Where one CPU's ring-buffer pages are in the file.
struct CPUDataExtent: Sendable {
    var cpu: Int
    var offset: Int
    /// Bytes of pages (uncompressed) or of chunks (compressed; see
    /// ChunkedPageSource for why this size is not trusted).
    var size: Int
    /// Bytes of this CPU's data the file should hold but does not: it ends
    /// first (a copy taken while trace-cmd was still writing, or cut short).
    /// `size` then counts only the whole pages that are there.
    var missing = 0

    /// The extent as far as a file of `fileSize` bytes holds it: whole pages
    /// only (a page cut in two cannot be decoded: its commit field promises
    /// bytes that are gone). Size 0 is an empty CPU wherever its offset
    /// points, past the end included (trace-cmd reads such a CPU as empty).
    func clipped(toFile fileSize: Int, pageSize: Int) -> CPUDataExtent {
        guard size > 0 else { return CPUDataExtent(cpu: cpu, offset: 0, size: 0) }
        guard offset > fileSize || size > fileSize - offset else { return self }
        let present = max(0, fileSize - offset)
        let whole = pageSize > 0 ? present / pageSize * pageSize : 0
        return CPUDataExtent(cpu: cpu, offset: whole > 0 ? offset : 0, size: whole, missing: size - whole)
    }
}

/// One ring buffer of the file: the top buffer (name "") or an instance.
struct BufferLayout: Sendable {
    var name: String
    /// The trace clock this buffer was recorded with, when the file says.
    var clock: String?
    var pageSize: Int
    /// Indexed by CPU; size 0 = no data for that CPU.
    var cpus: [CPUDataExtent]
    /// v7: the CPU data is in compressed chunks.
    var compressed: Bool
    /// Found without its BUFFER option, which the file ended before
    /// (LayoutV7.recoverBuffer): CPUs past the end have no extent at all.
    var recovered = false
}

/// What a file holds besides events: a latency (ASCII) trace instead of pages.
enum LatencyText: Sendable {
    /// Bytes `offset ..< offset+size` of the file are the text.
    case plain(offset: Int, size: Int)
    /// v7 compressed latency text: chunks at `offset`.
    case chunked(offset: Int)
}
