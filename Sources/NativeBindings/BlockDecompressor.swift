import CZlib
import CZstd

/// The compression algorithms trace-cmd can write into a v7 file, by the name
/// its compression header carries (trace-compress-zstd.c, trace-compress-zlib.c).
public enum CompressionAlgorithm: String, Sendable {
    case zstd
    case zlib
}

/// Decompresses whole blocks whose uncompressed size is known in advance,
/// which is how trace-cmd stores both metadata sections and trace-data chunks
/// (tracecmd_uncompress_block / tracecmd_load_chunks_info). One instance keeps
/// its zstd context between blocks, so a chunk costs no allocation.
public final class BlockDecompressor {
    public let algorithm: CompressionAlgorithm
    private var zstdContext: OpaquePointer?

    public init(_ algorithm: CompressionAlgorithm) {
        self.algorithm = algorithm
        if algorithm == .zstd { zstdContext = ZSTD_createDCtx() }
    }

    deinit {
        if let zstdContext { ZSTD_freeDCtx(zstdContext) }
    }

    /// Decompresses `source[offset ..< offset+count]` into the start of
    /// `destination` and sets its count to `expectedSize`. Fails unless the
    /// block decodes to exactly `expectedSize` bytes.
    public func decompress(_ source: MemoryRegion, at offset: Int, count: Int,
                           into destination: MemoryRegion, expectedSize: Int) throws {
        guard offset >= 0, count >= 0, offset + count <= source.count else {
            throw NativeError("compressed block runs past the end of the file")
        }
        guard expectedSize <= destination.capacityInBytes else {
            throw NativeError("block decompresses to more than its buffer")
        }
        guard let src = source.base, let dst = destination.base else {
            throw NativeError("empty compressed block")
        }
        let produced: Int
        switch algorithm {
        case .zstd:
            // Frames carry no content size (ZSTD_c_contentSizeFlag = 0 in
            // trace-compress-zstd.c), so the output bound is the known size.
            let r = ZSTD_decompressDCtx(zstdContext, dst, expectedSize, src + offset, count)
            if ZSTD_isError(r) != 0 {
                throw NativeError("zstd: \(String(cString: ZSTD_getErrorName(r)))",
                                  code: .zstd(Int(0 &- r))) // an error result is (size_t)-code
            }
            produced = r
        case .zlib:
            // zlib-wrapped deflate written by compress2() (trace-compress-zlib.c).
            var outLen = uLongf(expectedSize)
            let r = uncompress(dst.assumingMemoryBound(to: Bytef.self), &outLen,
                               src.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uLong(count))
            if r != Z_OK { throw NativeError("zlib: error \(r)", code: .zlib(r)) }
            produced = Int(outLen)
        }
        guard produced == expectedSize else {
            throw NativeError("block decompressed to \(produced) bytes, expected \(expectedSize)")
        }
        destination.setCount(expectedSize)
    }

    /// Convenience for small blocks (metadata sections): returns a new region.
    /// A size the block cannot decode to is refused before anything is
    /// allocated (a damaged header's 4 GiB, found by fuzzing).
    public func decompress(_ source: MemoryRegion, at offset: Int, count: Int,
                           expectedSize: Int) throws -> MemoryRegion {
        guard expectedSize <= Self.largestOutput(algorithm, compressedCount: count) else {
            throw NativeError("block of \(count) bytes cannot decompress to the \(expectedSize) bytes it claims")
        }
        let out = MemoryRegion(capacity: expectedSize)
        try decompress(source, at: offset, count: count, into: out, expectedSize: expectedSize)
        return out
    }
}

extension BlockDecompressor {
    /// The most `count` compressed bytes can decode to. zstd: a block holds
    /// at most 128 KiB (Block_Maximum_Size) and takes at least 4 bytes (a
    /// 3-byte header and an RLE byte; RFC 8878 3.1.1.2), so 32,768 to 1.
    /// deflate: a 258-byte match costs at least 2 bits, so 1,032 to 1 (zlib's
    /// technical details), plus zlib's 6 bytes of header and checksum.
    public static func largestOutput(_ algorithm: CompressionAlgorithm, compressedCount count: Int) -> Int {
        let (ratio, slack) = algorithm == .zstd ? (32_768, 0) : (1_032, 6)
        return count.multipliedReportingOverflow(by: ratio).overflow ? .max : count * ratio + slack
    }
}

/// Compression, for tests and tools that write trace.dat files (for example
/// re-compressing a zstd file's chunks with zlib, which Debian's trace-cmd
/// cannot produce).
public enum BlockCompressor {
    public static func compress(_ bytes: [UInt8], with algorithm: CompressionAlgorithm) -> [UInt8] {
        switch algorithm {
        case .zlib:
            var outLen = compressBound(uLong(bytes.count))
            var out = [UInt8](repeating: 0, count: Int(outLen))
            let r = out.withUnsafeMutableBufferPointer { o in
                bytes.withUnsafeBufferPointer { i in
                    compress2(o.baseAddress, &outLen, i.baseAddress, uLong(bytes.count), Z_BEST_COMPRESSION)
                }
            }
            precondition(r == Z_OK, "compress2 failed")
            return Array(out.prefix(Int(outLen)))
        case .zstd:
            let bound = ZSTD_compressBound(bytes.count)
            var out = [UInt8](repeating: 0, count: bound)
            let n = out.withUnsafeMutableBufferPointer { o in
                bytes.withUnsafeBufferPointer { i in
                    ZSTD_compress(o.baseAddress, bound, i.baseAddress, bytes.count, 3)
                }
            }
            precondition(ZSTD_isError(n) == 0, "ZSTD_compress failed")
            return Array(out.prefix(n))
        }
    }

    /// zlib's version string, which trace-cmd writes in the compression header.
    public static var zlibVersionString: String { String(cString: zlibVersion()) }
}
