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

    /// True when the buffer opened `fd` and closes it.
    private let ownsDescriptor: Bool
    /// A write that failed while appending: thrown by the next `flush()`.
    private var failure: NativeError?

    /// Writes to `fileDescriptor` (1 for standard output).
    public init(fileDescriptor: Int32) {
        fd = fileDescriptor
        ownsDescriptor = false
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    /// Creates (or empties) the file at `path` and writes to it; the file is
    /// closed when the buffer goes.
    public init(creating path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw NativeError.system("cannot create") }
        self.fd = fd
        ownsDescriptor = true
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    /// Keeps everything in memory; read it with `bytes`.
    public init() {
        fd = nil
        ownsDescriptor = false
    }

    deinit {
        if ownsDescriptor, let fd { close(fd) }
    }

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

    /// Writes out what is buffered (no-op when collecting in memory);
    /// throws the first write that failed, here or while appending (what
    /// comes after a failed write is dropped).
    public func flush() throws {
        guard let fd else { return }
        if failure == nil, !buffer.isEmpty {
            failure = buffer.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = write(fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0 {
                        if errno == EINTR { continue }
                        return NativeError.system("write failed")
                    }
                    done += n
                }
                return nil
            }
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }
}
