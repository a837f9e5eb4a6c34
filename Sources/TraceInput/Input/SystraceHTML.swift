/// The ftrace text inside an Android systrace HTML report, streamed out of
/// it (Catapult's systrace writes these; Perfetto and Catapult read them,
/// trace-cmd does not). Two shapes:
/// - `<script class="trace-data" type="application/text">` blocks holding
///   the text as is (systrace since 2015; blocks of the same class that
///   hold JSON, such as Chrome trace events, are skipped);
/// - the legacy `var linuxPerfData = "...";`, a JavaScript string whose
///   lines end in `\n\` (systrace before 2015).
/// Memory: one upstream chunk; the HTML around the text (megabytes of
/// script) is scanned and dropped.
final class SystraceHTMLSource: TextByteSource {
    private let upstream: TextByteSource
    private var pending: [UInt8] = []
    private var at = 0
    private var upstreamEnded = false
    private enum State { case outside, blockStart, blockText, blockSkipped, legacyString }
    private var state = State.outside
    /// A backslash ended what was scanned of the legacy string.
    private var escapePending = false
    /// Text blocks (or legacy strings) handed out.
    private(set) var textBlocks = 0

    private static let blockMarker = Array("<script class=\"trace-data\"".utf8)
    private static let legacyMarker = Array("var linuxPerfData = \"".utf8)
    private static let blockEnd = Array("</script>".utf8)
    /// Bytes left unscanned at a chunk's end until the next chunk comes,
    /// so a marker cut in two is still found (longer than any marker).
    private static let keep = 32

    init(_ upstream: TextByteSource) { self.upstream = upstream }

    /// An HTML document: what systrace writes starts with a doctype or tag.
    static func recognizes(_ head: [UInt8]) -> Bool {
        let start = head.skipSpaces(0, head.count)
        let word = String(decoding: head[start..<min(head.count, start + 14)], as: UTF8.self).lowercased()
        return word.hasPrefix("<!doctype html") || word.hasPrefix("<html")
    }

    func read(into buffer: inout [UInt8], maxCount: Int) throws -> Int {
        let limit = buffer.count + maxCount
        while buffer.count < limit {
            if step(into: &buffer, limit: limit) { continue }
            if upstreamEnded { break }
            pending.removeFirst(at)
            at = 0
            if try upstream.read(into: &pending, maxCount: 256 << 10) == 0 { upstreamEnded = true }
        }
        return buffer.count - (limit - maxCount)
    }

    /// Where scanning may go in what is held: all of it at the stream's end.
    private var safeEnd: Int { upstreamEnded ? pending.count : max(at, pending.count - Self.keep) }

    /// Scans on from `at`, handing text out into `buffer`; false when
    /// nothing more can be done without the next chunk.
    private func step(into buffer: inout [UInt8], limit: Int) -> Bool {
        switch state {
        case .outside:
            let block = find(Self.blockMarker)
            let legacy = find(Self.legacyMarker)
            if let l = legacy, block.map({ l < $0 }) ?? true {
                at = l + Self.legacyMarker.count
                state = .legacyString
                textBlocks += 1
                return true
            }
            if let b = block {
                // The tag's end; a tag cut by the chunk's end waits for more.
                guard let close = pending.find(ASCII.greater, b, pending.count) else {
                    at = upstreamEnded ? pending.count : b
                    return false
                }
                at = close + 1
                state = .blockStart
                return true
            }
            return advance(to: safeEnd)
        case .blockStart:
            var first = at
            while first < pending.count && (ASCII.isSpace(pending[first]) || pending[first] == ASCII.newline
                                            || pending[first] == ASCII.carriageReturn) { first += 1 }
            at = first
            guard first < pending.count else { return false }
            if pending[first] == ASCII.openBrace || pending[first] == ASCII.openBracket {
                state = .blockSkipped
            } else {
                state = .blockText
                textBlocks += 1
            }
            return true
        case .blockText, .blockSkipped:
            let close = find(Self.blockEnd)
            var stop = close ?? safeEnd
            if state == .blockText {
                stop = min(stop, at + (limit - buffer.count))
                buffer.append(contentsOf: pending[at..<stop])
            }
            let moved = stop > at
            at = stop
            if let close, stop == close {
                if state == .blockText { buffer.append(ASCII.newline) }
                at = close + Self.blockEnd.count
                state = .outside
                return true
            }
            return moved
        case .legacyString:
            let from = at
            unescape(into: &buffer, limit: limit)
            return at > from || state != .legacyString
        }
    }

    private func advance(to end: Int) -> Bool {
        defer { at = max(at, end) }
        return end > at
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard pending.count - at >= pattern.count else { return nil }
        var i = at
        while let hit = pending.find(pattern[0], i, pending.count - pattern.count + 1) {
            if pending[hit..<(hit + pattern.count)].elementsEqual(pattern) { return hit }
            i = hit + 1
        }
        return nil
    }

    /// The JavaScript string's text: `\n` a newline, `\` before a line
    /// break a continuation, `\t` a tab, `\"` `\'` `\\` themselves; an
    /// unescaped `"` ends it. Raw line breaks are the HTML's, not the text's.
    private func unescape(into buffer: inout [UInt8], limit: Int) {
        while at < pending.count && buffer.count < limit {
            let c = pending[at]
            at += 1
            if escapePending {
                escapePending = false
                switch c {
                case UInt8(ascii: "n"): buffer.append(ASCII.newline)
                case UInt8(ascii: "t"): buffer.append(ASCII.tab)
                case ASCII.newline, ASCII.carriageReturn: break
                default: buffer.append(c)
                }
            } else if c == UInt8(ascii: "\\") {
                escapePending = true
            } else if c == UInt8(ascii: "\"") {
                state = .outside
                return
            } else if c != ASCII.newline && c != ASCII.carriageReturn {
                buffer.append(c)
            }
        }
    }
}
