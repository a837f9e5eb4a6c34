import CZstd

/// A streaming zstd (RFC 8878) decompressor: `zstd trace.dat` or
/// `zstd trace.txt` read in bounded pieces. Concatenated frames (what
/// `zstd -d` accepts) are read one after the other; skippable frames are
/// skipped by libzstd itself.
public final class ZstdStream {
    private let stream: OpaquePointer
    private var input: [UInt8] = []
    private var inputUsed = 0
    /// ZSTD_decompressStream's last hint: 0 means a frame just ended.
    private var frameEnded = true
    private var sawAnyInput = false

    public init() throws {
        guard let s = ZSTD_createDStream() else { throw NativeError("zstd: cannot create a decompression stream") }
        stream = s
        let rc = ZSTD_initDStream(stream)
        if ZSTD_isError(rc) != 0 {
            ZSTD_freeDStream(stream)
            throw NativeError("zstd: \(String(cString: ZSTD_getErrorName(rc)))", code: .zstd(Int(0 &- rc)))
        }
    }

    deinit { ZSTD_freeDStream(stream) }

    /// The last call filled the output: libzstd may hold more of what it
    /// already consumed, to hand out before it needs input.
    private var outputMayBePending = false

    public var needsInput: Bool { inputUsed >= input.count && !outputMayBePending }

    public func feed(_ bytes: [UInt8]) {
        precondition(needsInput, "ZstdStream.feed before the previous chunk was consumed")
        input = bytes
        inputUsed = 0
        if !bytes.isEmpty { sawAnyInput = true }
    }

    public func read(into output: inout [UInt8], maxCount: Int) throws -> Int {
        guard maxCount > 0 else { return 0 }
        var produced = 0
        while produced < maxCount && !needsInput {
            let before = output.count
            let room = maxCount - produced
            output.append(contentsOf: repeatElement(0, count: room))
            let availIn = input.count - inputUsed
            var made = 0, consumed = 0
            let rc: Int = input.withUnsafeBytes { inBuf in
                output.withUnsafeMutableBytes { outBuf in
                    var inb = ZSTD_inBuffer(src: inBuf.baseAddress! + inputUsed, size: availIn, pos: 0)
                    var outb = ZSTD_outBuffer(dst: outBuf.baseAddress! + before, size: room, pos: 0)
                    let r = ZSTD_decompressStream(stream, &outb, &inb)
                    made = outb.pos
                    consumed = inb.pos
                    return r
                }
            }
            output.removeLast(room - made)
            inputUsed += consumed
            produced += made
            if ZSTD_isError(rc) != 0 {
                throw NativeError("corrupt zstd data: \(String(cString: ZSTD_getErrorName(rc)))",
                                  code: .zstd(Int(0 &- rc)))
            }
            frameEnded = rc == 0
            outputMayBePending = made == room
            if made == 0 && consumed == 0 { break }
        }
        return produced
    }

    public func finish() throws {
        if !frameEnded || !sawAnyInput {
            throw NativeError(sawAnyInput ? "zstd data ends early (truncated file)" : "zstd data ends before any content")
        }
    }
}

extension ZstdStream: StreamDecompressor {}
