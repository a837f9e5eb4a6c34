import NativeBindings

/// Hands out one CPU's ring-buffer pages, one at a time, into a page buffer
/// of its own (page size + slack, so kbuffer never reads outside it).
/// Uncompressed data is a run of whole pages (get_next_page in
/// trace-input.c); compressed data is a run of chunks (tracecmd_load_chunks_info:
/// u32 chunk count, then { u32 compressed size; u32 uncompressed size; bytes }),
/// each holding several pages. Memory: one page, plus one chunk when compressed.
final class PageSource {
    enum Next {
        case page
        case end
        /// This stretch could not be read; `pages` is how many pages it held
        /// (at least 1). The source has moved past it when `canContinue`.
        case damaged(pages: Int, offset: Int, reason: String, canContinue: Bool)
    }

    let pageBuffer: MemoryRegion
    let pageSize: Int
    private let file: MemoryRegion
    private let endianness: Endianness
    private let decompressor: BlockDecompressor?

    // Uncompressed: the next page's file offset and the data end.
    private var nextOffset: Int
    private let dataEnd: Int

    // Compressed: chunks left, the current chunk and the next page in it.
    private var chunksLeft = 0
    private var chunk: MemoryRegion?
    private var pageInChunk = 0
    /// File offset of the chunk being read (for damage reports).
    private var chunkOffset = 0
    /// File offset of the page last handed out (uncompressed) or of its chunk.
    private(set) var currentOffset = 0

    init(file: MemoryRegion, extent: CPUDataExtent, pageSize: Int, endianness: Endianness,
         decompressor: BlockDecompressor?) {
        self.file = file
        self.pageSize = pageSize
        self.endianness = endianness
        self.decompressor = decompressor
        pageBuffer = MemoryRegion(capacity: pageSize + 16)
        nextOffset = extent.offset
        if decompressor != nil, extent.offset + 4 <= file.count, extent.size > 0 || extent.offset > 0 {
            chunksLeft = Int(endianness.decode(file.load(at: extent.offset, as: UInt32.self)))
            nextOffset = extent.offset + 4
            dataEnd = file.count
        } else {
            dataEnd = decompressor == nil ? min(file.count, extent.offset + extent.size) : extent.offset
        }
    }

    func nextPage() -> Next {
        decompressor == nil ? nextRawPage() : nextChunkedPage()
    }

    private func nextRawPage() -> Next {
        guard nextOffset < dataEnd else { return .end }
        let n = min(pageSize, dataEnd - nextOffset)
        pageBuffer.fill(from: file, at: nextOffset, count: n)
        currentOffset = nextOffset
        nextOffset += pageSize
        return .page
    }

    private func nextChunkedPage() -> Next {
        if let chunk, pageInChunk * pageSize < chunk.count {
            let at = pageInChunk * pageSize
            pageBuffer.fill(from: chunk, at: at, count: min(pageSize, chunk.count - at))
            pageInChunk += 1
            currentOffset = chunkOffset
            return .page
        }
        guard chunksLeft > 0 else { return .end }
        chunksLeft -= 1
        chunkOffset = nextOffset
        guard nextOffset + 8 <= file.count else {
            chunksLeft = 0
            return .damaged(pages: 1, offset: chunkOffset, reason: "chunk header past the end of the file", canContinue: false)
        }
        let csize = Int(endianness.decode(file.load(at: nextOffset, as: UInt32.self)))
        let usize = Int(endianness.decode(file.load(at: nextOffset + 4, as: UInt32.self)))
        let pagesInChunk = max(1, (usize + pageSize - 1) / pageSize)
        guard csize <= file.count - (nextOffset + 8) else {
            chunksLeft = 0
            return .damaged(pages: pagesInChunk, offset: chunkOffset, reason: "chunk of \(csize) bytes runs past the end of the file", canContinue: false)
        }
        nextOffset += 8 + csize
        // trace-cmd writes 10 pages per chunk (PAGES_IN_CHUNK); anything far
        // larger is a corrupt header, not a reason to allocate gigabytes.
        guard usize > 0, usize <= max(64, 1 << 24 / pageSize) * pageSize else {
            return .damaged(pages: 1, offset: chunkOffset, reason: "impossible chunk size \(usize)", canContinue: true)
        }
        let buffer: MemoryRegion
        if let chunk, chunk.capacityInBytes >= usize { buffer = chunk } else { buffer = MemoryRegion(capacity: usize) }
        do {
            try decompressor!.decompress(file, at: chunkOffset + 8, count: csize, into: buffer, expectedSize: usize)
        } catch {
            self.chunk = nil
            return .damaged(pages: pagesInChunk, offset: chunkOffset, reason: "corrupt compressed chunk (\(error))", canContinue: true)
        }
        chunk = buffer
        pageInChunk = 0
        return nextChunkedPage()
    }
}
