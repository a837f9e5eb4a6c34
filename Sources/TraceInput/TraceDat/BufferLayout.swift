/// Where one CPU's ring-buffer pages are in the file.
struct CPUDataExtent: Sendable {
    var cpu: Int
    var offset: Int
    /// Bytes of pages (uncompressed) or of chunks (compressed; see
    /// ChunkedPageSource for why this size is not trusted).
    var size: Int
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
}

/// What a file holds besides events: a latency (ASCII) trace instead of pages.
enum LatencyText: Sendable {
    /// Bytes `offset ..< offset+size` of the file are the text.
    case plain(offset: Int, size: Int)
    /// v7 compressed latency text: chunks at `offset`.
    case chunked(offset: Int)
}
