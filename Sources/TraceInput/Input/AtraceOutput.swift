/// What Android's `atrace` writes to standard output (`adb shell atrace
/// -z ... > file`): status lines ("capturing trace... done"), a line
/// "TRACE:", then the ftrace text, zlib-compressed with -z (Catapult's
/// systrace looks for the same marker). The text after the marker is read
/// like any other stream.
enum AtraceOutput {
    /// Status lines before the marker are few and short.
    static let markerSearchBytes = 4096

    /// Where the trace starts in `head`: just after the "TRACE:" line, when
    /// one of the first lines is that.
    static func payloadStart(_ head: [UInt8]) -> Int? {
        var start = 0
        let end = min(head.count, markerSearchBytes)
        while start < end, let nl = head.find(ASCII.newline, start, end) {
            var lineEnd = nl
            while lineEnd > start && head[lineEnd - 1] == ASCII.carriageReturn { lineEnd -= 1 }
            if head.hasPrefix("TRACE:", at: start, end: lineEnd) && lineEnd - start == 6 { return nl + 1 }
            start = nl + 1
        }
        return nil
    }

    /// A zlib stream header (RFC 1950): deflate, a window of at most 32 KiB,
    /// no preset dictionary, and a check value making the 16-bit header a
    /// multiple of 31. Only asked right after the marker, where the other
    /// possibility is text: text starting "x?", "x^" or "x}" is no trace.
    static func isZlibHeader(_ b: ArraySlice<UInt8>) -> Bool {
        guard b.count >= 2 else { return false }
        let cmf = b[b.startIndex], flg = b[b.startIndex + 1]
        return cmf & 0x0f == 8 && cmf >> 4 <= 7 && (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 && flg & 0x20 == 0
    }
}
