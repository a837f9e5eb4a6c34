import Foundation
import NativeBindings

/// A trace input with its wrappings taken off: what the path (or `-`,
/// standard input) turned out to hold, and how to read it.
struct OpenedInput {
    /// As the user named it: every message says this.
    let path: String
    /// The wrappings taken off, outermost first: "stdin", "gzip", "zstd",
    /// "atrace", "zlib", "systrace".
    let layers: [String]
    /// The first bytes of the content (up to `InputOpener.headBytes`).
    let head: [UInt8]
    let body: Body

    enum Body {
        /// The named file itself holds the trace, unwrapped: readers open it
        /// by path (mapped, or read in parts).
        case file
        /// The content as a stream, read once from its start.
        case stream(TextByteSource)
    }

    /// What TraceInfo.compression says: the wrappings, "none" for none
    /// (standard input is no wrapping of the content).
    var compression: String {
        let kept = layers.filter { $0 != "stdin" }
        return kept.isEmpty ? "none" : kept.joined(separator: "+")
    }

    /// Runs `open` on a path holding the content, for readers that seek
    /// (trace.dat): the file itself, or a temporary copy of the stream,
    /// removed once `open` returns (a reader maps the file at once, and the
    /// mapping outlives the name). Memory stays bounded: the copy is made
    /// a block at a time. `open`'s second argument: the name for messages.
    func withFile<T>(_ open: (_ file: String) throws -> T) throws -> T {
        guard case .stream(let source) = body else { return try open(path) }
        let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let temp = "\(dir)/mmaudit-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).dat"
        guard FileManager.default.createFile(atPath: temp, contents: nil, attributes: [.posixPermissions: 0o600]),
              let out = FileHandle(forWritingAtPath: temp) else {
            throw TraceInputError(path: path, message: "cannot create a temporary copy in \(dir) (a trace.dat from a stream needs one)")
        }
        defer { try? FileManager.default.removeItem(atPath: temp) }
        do {
            defer { try? out.close() }
            var block: [UInt8] = []
            block.reserveCapacity(1 << 20)
            while true {
                block.removeAll(keepingCapacity: true)
                guard try source.read(into: &block, maxCount: 1 << 20) > 0 else { break }
                try out.write(contentsOf: block)
            }
        } catch let e as TraceInputError {
            throw e
        } catch {
            throw TraceInputError(path: path, message: "cannot write a temporary copy in \(dir): \(error.localizedDescription)")
        }
        return try open(temp)
    }
}

/// Takes the wrappings off an input, by content, never by name: gzip and
/// zstd (by magic number), atrace output (a "TRACE:" line), systrace HTML
/// (an HTML document), standard input (`-`). Each is a stream read once,
/// so a pipe works and memory stays bounded.
enum InputOpener {
    /// How much of the content formats are recognised by.
    static let headBytes = 64 << 10
    /// Wrappings within wrappings (a systrace.html.gz) are taken off, to
    /// this depth (a stream of nested gzip is not unwrapped forever).
    static let maxLayers = 4

    static func open(_ path: String) throws -> OpenedInput {
        var source: TextByteSource = path == "-" ? FileByteSource(standardInputCalled: path)
                                                 : try FileByteSource(path: path)
        var layers: [String] = path == "-" ? ["stdin"] : []
        var head = try source.readUpTo(headBytes)
        for _ in 0..<maxLayers {
            let whole = ReplayingByteSource(head, then: source)
            if let compression = StreamCompression(magic: head) {
                source = DecompressingByteSource(whole, decompressor: try decompressor(compression, path), path: path)
                layers.append(compression.rawValue)
            } else if let start = AtraceOutput.payloadStart(head) {
                let payload = ReplayingByteSource(Array(head[start...]), then: source)
                if AtraceOutput.isZlibHeader(head[start...]) {
                    // GzipStream takes zlib streams too (windowBits + 32).
                    source = DecompressingByteSource(payload, decompressor: try decompressor(.gzip, path), path: path)
                    layers += ["atrace", "zlib"]
                } else {
                    source = payload
                    layers.append("atrace")
                }
            } else if SystraceHTMLSource.recognizes(head) {
                source = SystraceHTMLSource(whole)
                layers.append("systrace")
            } else {
                break
            }
            head = try source.readUpTo(headBytes)
        }
        if layers.isEmpty { return OpenedInput(path: path, layers: [], head: head, body: .file) }
        return OpenedInput(path: path, layers: layers, head: head, body: .stream(ReplayingByteSource(head, then: source)))
    }

    private static func decompressor(_ c: StreamCompression, _ path: String) throws -> any StreamDecompressor {
        do {
            return try c.makeDecompressor()
        } catch {
            throw TraceInputError(path: path, message: "\(error)")
        }
    }
}
