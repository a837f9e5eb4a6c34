#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Collects output bytes and writes them to a file descriptor in large
/// blocks (or keeps them, for tests that compare text).
public final class OutputBuffer {
    private var buffer: [UInt8] = []
    private let fd: Int32?
    private let flushThreshold = 1 << 16

    /// Writes to `fileDescriptor` (1 for standard output).
    public init(fileDescriptor: Int32) {
        fd = fileDescriptor
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    /// Keeps everything in memory; read it with `bytes`.
    public init() { fd = nil }

    public var bytes: [UInt8] { buffer }

    public func append(_ text: String) {
        var t = text
        t.withUTF8 { buffer.append(contentsOf: $0) }
        flushIfFull()
    }

    public func append(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        flushIfFull()
    }

    func append(_ raw: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: raw)
        flushIfFull()
    }

    @inline(__always)
    private func flushIfFull() {
        if fd != nil, buffer.count >= flushThreshold { try? flush() }
    }

    /// Writes out what is buffered (no-op when collecting in memory).
    public func flush() throws {
        guard let fd, !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw NativeError("write failed: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
