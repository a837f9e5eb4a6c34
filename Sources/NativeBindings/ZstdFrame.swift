import CZstd

/// A whole zstd frame as the zstd command line writes it (`zstd -19 FILE`):
/// unlike trace-cmd's chunks, the frame header carries the content size, so
/// no size needs to be known beforehand (fixtures stored compressed, such as
/// the kernels' BTF in fixtures/btf).
public enum ZstdFrame {
    /// zstd's frame magic, little-endian on disk (RFC 8878 3.1.1).
    public static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// Whether `region` starts with a zstd frame.
    public static func starts(_ region: MemoryRegion) -> Bool {
        region.count >= 4 && region.copyBytes(at: 0, count: 4) == magic
    }

    /// The frame's content, decompressed into a new region.
    public static func decompress(_ region: MemoryRegion) throws -> MemoryRegion {
        guard let base = region.base else { throw NativeError("empty zstd frame") }
        let size = ZSTD_getFrameContentSize(base, region.count)
        // ZSTD_CONTENTSIZE_UNKNOWN / _ERROR are the two largest values.
        guard size < UInt64.max - 1 else { throw NativeError("zstd frame does not state its content size") }
        guard size <= UInt64(Int32.max) else { throw NativeError("zstd frame content of \(size) bytes is too large") }
        return try BlockDecompressor(.zstd).decompress(region, at: 0, count: region.count, expectedSize: Int(size))
    }
}
