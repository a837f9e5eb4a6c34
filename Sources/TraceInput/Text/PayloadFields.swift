/// `key=value` payloads, the shape most events' print formats have
/// ("comm=bash pid=1234 prio=120 target_cpu=001").
///
/// A value runs to the next " key=" rather than to the next space, because
/// values may hold spaces (a comm "Web Content", a symbolic flag list).
/// Types follow what the text can say: decimal → signed, 0x-hex → unsigned,
/// anything else a string. Analyses read integers through `int64`/`uint64`,
/// which do not care which of the two a source chose.
enum PayloadFields {
    static func parse(_ b: [UInt8], _ from: Int, _ to: Int) -> [(String, FieldValue)] {
        var pairs: [(String, FieldValue)] = []
        var keyStart = -1, keyEnd = -1, valueStart = -1
        var i = from
        // A key is an identifier that starts the payload or follows a blank.
        var tokenStart = from
        while i < to {
            let c = b[i]
            if ASCII.isSpace(c) {
                tokenStart = i + 1
            } else if c == ASCII.equals, i > tokenStart, isIdentifier(b, tokenStart, i) {
                if keyStart >= 0 {
                    let vEnd = b.trimTrailingSpaces(valueStart, tokenStart)
                    pairs.append((b.string(keyStart, keyEnd), typedValue(b, valueStart, vEnd)))
                }
                keyStart = tokenStart
                keyEnd = i
                valueStart = i + 1
            }
            i += 1
        }
        if keyStart >= 0 {
            let vEnd = b.trimTrailingSpaces(valueStart, to)
            pairs.append((b.string(keyStart, keyEnd), typedValue(b, valueStart, vEnd)))
        }
        return pairs
    }

    /// The value of one key without building the others.
    static func value(of key: String, _ b: [UInt8], _ from: Int, _ to: Int) -> FieldValue? {
        parse(b, from, to).first(where: { $0.0 == key })?.1
    }

    static func isIdentifier(_ b: [UInt8], _ from: Int, _ to: Int) -> Bool {
        guard from < to else { return false }
        for i in from..<to {
            let c = b[i]
            let ok = (c | 0x20) &- 0x61 < 26 || c == 0x5f || (i > from && ASCII.isDigit(c))
            if !ok { return false }
        }
        return true
    }

    /// Decimal → signed, 0x-hex → unsigned, anything else → string.
    static func typedValue(_ b: [UInt8], _ from: Int, _ to: Int) -> FieldValue {
        if to - from > 2, b[from] == ASCII.zero, b[from + 1] == ASCII.lowerX,
           let v = b.parseHex(from + 2, to) {
            return .unsigned(v)
        }
        if let v = b.parseSignedDecimal(from, to) { return .signed(v) }
        if to > from, ASCII.isDigit(b[from]), let v = b.parseDecimal(from, to) {
            return .unsigned(v)   // beyond Int64.max
        }
        return .string(b.string(from, to))
    }
}
