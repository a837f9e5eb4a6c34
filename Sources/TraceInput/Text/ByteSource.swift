import Foundation
import NativeBindings

/// Where the text's bytes come from: the file itself, or the file through
/// a gzip inflater. Either way the reader sees plain text in chunks.
protocol TextByteSource: AnyObject {
    /// Appends up to `maxCount` bytes to `buffer`; 0 means the end.
    func read(into buffer: inout [UInt8], maxCount: Int) throws -> Int
}

/// Reads the file in large blocks: one system call per megabyte keeps the
/// per-line cost dominated by parsing, not I/O.
final class FileByteSource: TextByteSource {
    private let handle: FileHandle
    let path: String
    /// Bytes left to read of the range asked for.
    private var remaining = Int.max

    /// The whole file, or only `range` of it (a part counted on its own).
    init(path: String, range: Range<Int>? = nil) throws {
        self.path = path
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw TraceInputError(path: path, message: "cannot open file for reading")
        }
        handle = h
        if let range {
            do {
                try handle.seek(toOffset: UInt64(range.lowerBound))
            } catch {
                throw TraceInputError(path: path, message: "seek failed: \(error.localizedDescription)")
            }
            remaining = range.count
        }
    }

    deinit { try? handle.close() }

    func read(into buffer: inout [UInt8], maxCount: Int) throws -> Int {
        guard remaining > 0 else { return 0 }
        let data: Data?
        do {
            data = try handle.read(upToCount: min(maxCount, remaining))
        } catch {
            throw TraceInputError(path: path, message: "read failed: \(error.localizedDescription)")
        }
        guard let data, !data.isEmpty else { return 0 }
        buffer.append(contentsOf: data)
        remaining -= data.count
        return data.count
    }
}

/// gzip-compressed text, inflated as it is read: memory stays at one
/// compressed chunk plus one block of text, whatever the file's size.
final class GzipByteSource: TextByteSource {
    private let file: FileByteSource
    private let inflater: GzipStream
    private var fileEnded = false
    private var chunk: [UInt8] = []

    init(path: String) throws {
        file = try FileByteSource(path: path)
        do {
            inflater = try GzipStream()
        } catch {
            throw TraceInputError(path: path, message: "\(error)")
        }
    }

    func read(into buffer: inout [UInt8], maxCount: Int) throws -> Int {
        var total = 0
        while total < maxCount {
            if inflater.needsInput {
                if fileEnded { break }
                chunk.removeAll(keepingCapacity: true)
                if try file.read(into: &chunk, maxCount: 256 << 10) == 0 {
                    fileEnded = true
                    do { try inflater.finish() } catch {
                        throw TraceInputError(path: file.path, message: "\(error)")
                    }
                    break
                }
                inflater.feed(chunk)
            }
            let n: Int
            do {
                n = try inflater.read(into: &buffer, maxCount: maxCount - total)
            } catch {
                throw TraceInputError(path: file.path, message: "\(error)")
            }
            total += n
            if n == 0 && !inflater.needsInput { break }
        }
        return total
    }
}
