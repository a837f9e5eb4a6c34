/// A decompressor fed a compressed stream in chunks and drained in bounded
/// pieces (GzipStream, ZstdStream): what lets a compressed trace be read
/// without holding it whole, compressed or not.
public protocol StreamDecompressor: AnyObject {
    /// True when every fed byte has been consumed: feed the next chunk.
    var needsInput: Bool { get }
    /// Hands the next chunk of the compressed data over. Only call when
    /// `needsInput`.
    func feed(_ bytes: [UInt8])
    /// Decompresses into `output`, appending at most `maxCount` bytes;
    /// returns how many were appended (0: feed more input, or the end).
    func read(into output: inout [UInt8], maxCount: Int) throws -> Int
    /// Called at the end of the compressed data: throws when it stopped in
    /// the middle of a frame or member (a truncated file).
    func finish() throws
}

extension GzipStream: StreamDecompressor {}

/// What a stream's first bytes say it is compressed with, by magic number
/// (RFC 1952 gzip 1f 8b; zstd frame 28 b5 2f fd, RFC 8878), never by name.
public enum StreamCompression: String, Sendable {
    case gzip
    case zstd

    public init?(magic b: [UInt8]) {
        if b.count >= 2 && b[0] == 0x1f && b[1] == 0x8b {
            self = .gzip
        } else if b.count >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd {
            self = .zstd
        } else {
            return nil
        }
    }

    public func makeDecompressor() throws -> any StreamDecompressor {
        switch self {
        case .gzip: return try GzipStream()
        case .zstd: return try ZstdStream()
        }
    }
}
