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
        /// The file ends inside this CPU's chunks (truncated): `pages` of the
        /// chunk cut short, `chunks` cut or missing, `missingBytes` of the
        /// extent's stated size past the end (0 when not known).
        case truncated(pages: Int, offset: Int, chunks: Int, missingBytes: Int)
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

    /// Compressed data: bytes of the extent's stated size past the end of
    /// the file (0 when the size is not known or all there).
    private let missingPastEnd: Int

    init(file: MemoryRegion, extent: CPUDataExtent, pageSize: Int, endianness: Endianness,
         decompressor: BlockDecompressor?, part: Part? = nil) {
        self.file = file
        missingPastEnd = max(0, DamageLog.saturatingSum(extent.offset, extent.size) - file.count)
        self.pageSize = pageSize
        self.endianness = endianness
        self.decompressor = decompressor
        pageBuffer = MemoryRegion(capacity: pageSize + 16)
        nextOffset = extent.offset
        if let part {
            // One stretch of the extent (see `parts`).
            nextOffset = part.offset
            chunksLeft = part.chunks
            dataEnd = decompressor == nil ? part.end : file.count
        } else if decompressor != nil, extent.offset + 4 <= file.count, extent.size > 0 || extent.offset > 0 {
            chunksLeft = Int(endianness.decode(file.load(at: extent.offset, as: UInt32.self)))
            nextOffset = extent.offset + 4
            dataEnd = file.count
        } else {
            dataEnd = decompressor == nil ? min(file.count, extent.offset + extent.size) : extent.offset
        }
    }

    /// A stretch of one CPU's data that can be read on its own: whole pages
    /// (uncompressed: `offset..<end`) or whole chunks (`chunks` of them from
    /// `offset`). Every page carries its own base timestamp, so records read
    /// part by part are the records read in one go.
    struct Part: Sendable {
        var offset: Int
        var end: Int
        var chunks: Int
    }

    /// Splits an extent into about `count` parts, or nil when it cannot be
    /// split safely (a chunk header or size out of bounds: then the whole
    /// extent is read in one go, damage reports and all).
    static func parts(of extent: CPUDataExtent, pageSize: Int, compressed: Bool, file: MemoryRegion,
                      endianness: Endianness, count: Int) -> [Part]? {
        guard count > 1, pageSize > 0 else { return nil }
        if !compressed {
            let end = min(file.count, extent.offset + extent.size)
            guard extent.offset < end else { return nil }
            let pages = (end - extent.offset + pageSize - 1) / pageSize
            let per = max(1, (pages + count - 1) / count)
            return stride(from: 0, to: pages, by: per).map { first in
                Part(offset: extent.offset + first * pageSize,
                     end: min(end, extent.offset + (first + per) * pageSize), chunks: 0)
            }
        }
        guard extent.offset + 4 <= file.count else { return nil }
        let chunks = Int(endianness.decode(file.load(at: extent.offset, as: UInt32.self)))
        var at = extent.offset + 4
        var starts: [Int] = []
        // The count is the file's word: a damaged one claims billions of
        // chunks. Reserve no more than the 8-byte chunk headers the file
        // has room for (found by the CI fuzz smoke: a 14.6 GB request).
        starts.reserveCapacity(min(chunks, max(0, (file.count - at) / 8)))
        var released = extent.offset
        for _ in 0..<chunks {
            if at - released >= releaseStride {
                // The walk maps the headers' pages in; the parts map them
                // again when they get there.
                file.release(released, count: at - released)
                released = at
            }
            guard at + 8 <= file.count else { return nil }
            let csize = Int(endianness.decode(file.load(at: at, as: UInt32.self)))
            guard csize <= file.count - (at + 8) else { return nil }
            starts.append(at)
            at += 8 + csize
        }
        file.release(released, count: at - released)
        guard chunks > 1 else { return nil }
        let per = max(1, (chunks + count - 1) / count)
        return stride(from: 0, to: chunks, by: per).map { first in
            Part(offset: starts[first], end: 0, chunks: min(per, chunks - first))
        }
    }

    /// Data before this offset has been handed out and released (see
    /// `releaseConsumed`).
    private var releasedUpTo = -1
    /// Release read data every this many bytes.
    private static let releaseStride = 1 << 20

    func nextPage() -> Next {
        if releasedUpTo < 0 { releasedUpTo = nextOffset }
        if nextOffset - releasedUpTo >= Self.releaseStride { releaseConsumed() }
        return decompressor == nil ? nextRawPage() : nextChunkedPage()
    }

    /// Drops the file's pages this source has read from the resident set: the
    /// file is mapped, and without this a pass over a 2 GB trace would end
    /// with 2 GB resident. Only bytes this source alone reads are released.
    private func releaseConsumed() {
        file.release(releasedUpTo, count: nextOffset - releasedUpTo)
        releasedUpTo = nextOffset
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
        chunkOffset = nextOffset
        // A chunk cut by the file's end: the chunks before it were read
        // whole, this one and those after it are lost (a truncated file).
        guard nextOffset + 8 <= file.count else {
            defer { chunksLeft = 0 }
            return .truncated(pages: 0, offset: chunkOffset, chunks: chunksLeft, missingBytes: missingPastEnd)
        }
        chunksLeft -= 1
        let csize = Int(endianness.decode(file.load(at: nextOffset, as: UInt32.self)))
        let usize = Int(endianness.decode(file.load(at: nextOffset + 4, as: UInt32.self)))
        let pagesInChunk = max(1, (usize + pageSize - 1) / pageSize)
        guard csize <= file.count - (nextOffset + 8) else {
            defer { chunksLeft = 0 }
            return .truncated(pages: pagesInChunk, offset: chunkOffset, chunks: chunksLeft + 1,
                              missingBytes: missingPastEnd)
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
