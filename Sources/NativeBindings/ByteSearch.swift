#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// memchr(3) over a byte array, for the text reader's line and column
/// scans: libc's vectorized search looks at 16-32 bytes a step, where a
/// Swift loop over the array checks bounds and compares one byte at a time
/// (finding newlines byte by byte was a tenth of a text `stats` run).
public enum ByteSearch {
    /// Index of the first `byte` in `bytes[from..<to]`, nil when absent.
    @inline(__always)
    public static func firstIndex(of byte: UInt8, in bytes: [UInt8], from: Int, to: Int) -> Int? {
        precondition(from >= 0 && to <= bytes.count, "search past the array")
        guard from < to else { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> Int? in
            let base = UnsafeRawPointer(buffer.baseAddress!)
            guard let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }
}
