#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A span of bytes the readers can look at without copying: a read-only
/// mapping of a whole file, or a heap block that a decompressor fills.
///
/// Like swift-system's `FileDescriptor` wrappers, this is the only place that
/// holds the raw pointer; everything above gets integers, byte arrays and
/// strings out of it by offset. Readers check bounds against `count` before
/// asking (the loads trap on a bad offset rather than read stray memory).
public final class MemoryRegion: @unchecked Sendable {
    /// Usable bytes.
    // Read by every bounds check; see KBuffer for why unchecked.
    @exclusivity(unchecked) public private(set) var count: Int
    let base: UnsafeMutableRawPointer?
    private let capacity: Int
    private let isMapped: Bool

    /// Maps `path` read-only (mmap(2), MAP_PRIVATE): pages come in as the
    /// readers touch them, so memory follows what is being read, not the file
    /// size.
    public init(mapping path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw NativeError.system("cannot open") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw NativeError.system("cannot stat") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw NativeError("not a regular file") }
        let size = Int(st.st_size)
        count = size
        capacity = size
        isMapped = size > 0
        if size == 0 {
            base = nil
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw NativeError.system("cannot map")
        }
        _ = madvise(p, size, MADV_SEQUENTIAL)
        base = p
    }

    /// A zero-filled heap block of `capacity` bytes (a decompressed chunk's
    /// home; a bit of slack past `count` keeps kbuffer's look past the commit
    /// size inside the block).
    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
        count = capacity
        isMapped = false
        base = calloc(self.capacity, 1)
    }

    /// A copy of `bytes` (tests, decompressed metadata sections).
    public convenience init(bytes: [UInt8]) {
        self.init(capacity: bytes.count)
        bytes.withUnsafeBytes { src in
            if let s = src.baseAddress, let base { memcpy(base, s, bytes.count) }
        }
    }

    deinit {
        if isMapped, let base { munmap(base, capacity) } else { free(base) }
    }

    /// Sets how many bytes are in use (≤ the capacity), after a decompressor
    /// filled part of the block.
    public func setCount(_ n: Int) {
        precondition(n >= 0 && n <= capacity)
        count = n
    }

    public var capacityInBytes: Int { capacity }

    /// The integer stored at `offset` in host byte order; the caller applies
    /// the file's endianness.
    @inlinable
    public func load<T: FixedWidthInteger>(at offset: Int, as: T.Type) -> T {
        precondition(offset >= 0 && offset + MemoryLayout<T>.size <= count, "load past the region")
        return unsafeBase.loadUnaligned(fromByteOffset: offset, as: T.self)
    }

    @usableFromInline
    var unsafeBase: UnsafeMutableRawPointer { base! }

    public func copyBytes(at offset: Int, count n: Int) -> [UInt8] {
        precondition(offset >= 0 && n >= 0 && offset + n <= count, "copy past the region")
        guard n > 0, let base else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: base + offset, count: n))
    }

    /// The offset of the first NUL at or after `offset` and before `end`.
    public func firstZero(from offset: Int, end: Int) -> Int? {
        precondition(offset >= 0 && end <= count)
        guard offset < end, let base else { return nil }
        guard let hit = memchr(base + offset, 0, end - offset) else { return nil }
        return base.distance(to: hit)
    }

    /// Bytes `offset..<offset+n` decoded as UTF-8 (invalid bytes repaired).
    public func string(at offset: Int, count n: Int) -> String {
        precondition(offset >= 0 && n >= 0 && offset + n <= count)
        guard n > 0, let base else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: base + offset, count: n), as: UTF8.self)
    }

    /// Says bytes `offset..<offset+n` of a mapped file will not be read again
    /// soon: the whole pages inside leave the resident set (MADV_DONTNEED; a
    /// later read maps them from the file again). Readers call this on data
    /// they are done with, so a pass over a large file keeps its memory flat.
    /// Heap regions ignore it.
    public func release(_ offset: Int, count n: Int) {
        guard isMapped, let base, n > 0, offset >= 0, offset + n <= count else { return }
        let page = Self.systemPageSize
        let start = (offset + page - 1) / page * page
        let end = (offset + n) / page * page
        guard start < end else { return }
        _ = madvise(base + start, end - start, MADV_DONTNEED)
    }

    private static let systemPageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Copies `n` bytes from `source` at `sourceOffset` to the start of this
    /// region (a ring-buffer page into a CPU's page buffer).
    public func fill(from source: MemoryRegion, at sourceOffset: Int, count n: Int) {
        precondition(n <= capacity && sourceOffset >= 0 && sourceOffset + n <= source.count)
        guard n > 0, let base, let src = source.base else { return }
        memcpy(base, src + sourceOffset, n)
        if n < capacity { memset(base + n, 0, capacity - n) }
    }
}
