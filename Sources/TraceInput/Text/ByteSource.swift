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

    /// Standard input (`-`): a pipe or whatever the shell put there.
    init(standardInputCalled path: String) {
        self.path = path
        handle = FileHandle.standardInput
    }

    /// The whole file, or only `range` of it (a part counted on its own).
    init(path: String, range: Range<Int>? = nil) throws {
        self.path = path
        // Say why (the errno of the failed open), as a mapped file's open does.
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw TraceInputError(path: path, message: "file: " + NativeError.system("cannot open").message)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw TraceInputError(path: path, message: "is a directory, not a trace")
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

    deinit { if handle !== FileHandle.standardInput { try? handle.close() } }

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

/// A compressed stream decompressed as it is read (gzip, zstd, atrace's
/// zlib): memory stays at one compressed chunk plus what the caller asks
/// for, whatever the file's size.
final class DecompressingByteSource: TextByteSource {
    private let upstream: TextByteSource
    private let decompressor: any StreamDecompressor
    /// For messages: the file the stream comes from.
    private let path: String
    private var upstreamEnded = false
    private var chunk: [UInt8] = []

    init(_ upstream: TextByteSource, decompressor: any StreamDecompressor, path: String) {
        self.upstream = upstream
        self.decompressor = decompressor
        self.path = path
    }

    func read(into buffer: inout [UInt8], maxCount: Int) throws -> Int {
        var total = 0
        while total < maxCount {
            if decompressor.needsInput {
                if upstreamEnded { break }
                chunk.removeAll(keepingCapacity: true)
                if try upstream.read(into: &chunk, maxCount: 256 << 10) == 0 {
                    upstreamEnded = true
                    do { try decompressor.finish() } catch {
                        throw TraceInputError(path: path, message: "\(error)")
                    }
                    break
                }
                decompressor.feed(chunk)
            }
            let n: Int
            do {
                n = try decompressor.read(into: &buffer, maxCount: maxCount - total)
            } catch {
                throw TraceInputError(path: path, message: "\(error)")
            }
            total += n
            if n == 0 && !decompressor.needsInput { break }
        }
        return total
    }
}

/// Bytes already read (to see what a stream is) handed out again before
/// the rest of the stream: how a pipe is looked at without seeking.
final class ReplayingByteSource: TextByteSource {
    private var replay: [UInt8]
    private var replayed = 0
    private let rest: TextByteSource

    init(_ replay: [UInt8], then rest: TextByteSource) {
        self.replay = replay
        self.rest = rest
    }

    func read(into buffer: inout [UInt8], maxCount: Int) throws -> Int {
        guard replayed < replay.count else { return try rest.read(into: &buffer, maxCount: maxCount) }
        let n = min(maxCount, replay.count - replayed)
        buffer.append(contentsOf: replay[replayed..<(replayed + n)])
        replayed += n
        if replayed == replay.count { (replay, replayed) = ([], 0) }
        return n
    }
}

extension TextByteSource {
    /// Up to `count` bytes from the start of the stream (fewer only at its end).
    func readUpTo(_ count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        while out.count < count, try read(into: &out, maxCount: count - out.count) > 0 {}
        return out
    }
}
