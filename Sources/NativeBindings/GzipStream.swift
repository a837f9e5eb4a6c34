import CZlib

/// A streaming gzip (RFC 1952) inflater over zlib: the caller feeds the
/// compressed file in chunks and drains bounded pieces of text, so a large
/// `trace.txt.gz` never has to be held whole, compressed or not.
///
/// windowBits 15+32 lets zlib detect the gzip header itself (and accept a
/// zlib header too). Concatenated members (`cat a.gz b.gz`, what `gzip`
/// itself accepts) are read one after the other.
public final class GzipStream {
    // zlib keeps a pointer back to its z_stream, so it must never move:
    // it lives in its own allocation for the stream's lifetime.
    private let zs: UnsafeMutablePointer<z_stream>
    private var input: [UInt8] = []
    private var inputUsed = 0
    /// True between the end of one member and the start of the next.
    private var atMemberEnd = false
    private var sawAnyOutput = false

    public init() throws {
        zs = .allocate(capacity: 1)
        zs.initialize(to: z_stream())
        let rc = inflateInit2_(zs, 15 + 32, ZLIB_VERSION,
                               Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            zs.deinitialize(count: 1)
            zs.deallocate()
            throw NativeError("zlib inflateInit2 failed (\(rc))", code: .zlib(rc))
        }
    }

    deinit {
        inflateEnd(zs)
        zs.deinitialize(count: 1)
        zs.deallocate()
    }

    /// True when every fed byte has been consumed: feed the next chunk.
    public var needsInput: Bool { inputUsed >= input.count && !outputMayBePending }
    /// The last inflate filled the output: zlib may hold more of what it
    /// already consumed (a match it was copying), to hand out before it
    /// needs input; without this the end of a file could be lost.
    private var outputMayBePending = false

    /// Hands the next chunk of the compressed file to the inflater. Only
    /// call when `needsInput` (the previous chunk is used up).
    public func feed(_ bytes: [UInt8]) {
        precondition(needsInput, "GzipStream.feed before the previous chunk was consumed")
        input = bytes
        inputUsed = 0
    }

    /// Inflates into `output`, appending at most `maxCount` bytes; returns
    /// how many were appended (0 means: feed more input, or the end).
    public func read(into output: inout [UInt8], maxCount: Int) throws -> Int {
        guard maxCount > 0 else { return 0 }
        var produced = 0
        while produced < maxCount && !needsInput {
            if atMemberEnd && inputUsed < input.count {
                // Another member follows; anything else after a member is
                // trailing garbage, which gzip(1) warns about and ignores.
                guard input.count - inputUsed >= 2,
                      input[inputUsed] == 0x1f, input[inputUsed + 1] == 0x8b else {
                    inputUsed = input.count
                    break
                }
                let reset = inflateReset(zs)
                guard reset == Z_OK else { throw NativeError("zlib inflateReset failed", code: .zlib(reset)) }
                atMemberEnd = false
            }
            let before = output.count
            output.reserveCapacity(before + (maxCount - produced))
            let room = maxCount - produced
            output.append(contentsOf: repeatElement(0, count: room))
            let availIn = input.count - inputUsed
            let rc: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
                output.withUnsafeMutableBufferPointer { outBuf in
                    zs.pointee.next_in = inBuf.baseAddress! + inputUsed
                    zs.pointee.avail_in = UInt32(availIn)
                    zs.pointee.next_out = outBuf.baseAddress! + before
                    zs.pointee.avail_out = UInt32(room)
                    let rc = inflate(zs, Z_NO_FLUSH)
                    zs.pointee.next_in = nil
                    zs.pointee.next_out = nil
                    return rc
                }
            }
            let consumed = availIn - Int(zs.pointee.avail_in)
            let made = room - Int(zs.pointee.avail_out)
            inputUsed += consumed
            outputMayBePending = made == room && rc == Z_OK
            output.removeLast(room - made)
            produced += made
            if made > 0 { sawAnyOutput = true }
            switch rc {
            case Z_OK:
                continue
            case Z_STREAM_END:
                atMemberEnd = true
            case Z_BUF_ERROR:
                // No progress possible with what we have: wait for input.
                if consumed == 0 && made == 0 { return produced }
            case Z_DATA_ERROR:
                let detail = zs.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                throw NativeError("corrupt gzip data: \(detail)", code: .zlib(rc))
            case Z_NEED_DICT:
                throw NativeError("corrupt gzip data: needs a preset dictionary", code: .zlib(rc))
            case Z_MEM_ERROR:
                throw NativeError("zlib ran out of memory", code: .zlib(rc))
            default:
                throw NativeError("zlib inflate failed (\(rc))", code: .zlib(rc))
            }
        }
        return produced
    }

    /// Called at the end of the compressed file: throws when it stopped in
    /// the middle of a member (a truncated download or copy).
    public func finish() throws {
        if !atMemberEnd {
            throw NativeError(sawAnyOutput ? "gzip data ends early (truncated file)"
                                         : "gzip data ends before any content")
        }
    }
}
