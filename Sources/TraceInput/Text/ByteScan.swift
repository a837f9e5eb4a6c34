import NativeBindings

/// Small byte-level scanners the text parsers share. Lines are parsed as
/// bytes (ranges into the reader's block buffer), not Strings: building a
/// String per line would cost more than everything else on the hot path.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0a
    static let carriageReturn: UInt8 = 0x0d
    static let space: UInt8 = 0x20
    static let hash: UInt8 = 0x23        // #
    static let openParen: UInt8 = 0x28   // (
    static let closeParen: UInt8 = 0x29  // )
    static let plus: UInt8 = 0x2b
    static let minus: UInt8 = 0x2d
    static let dot: UInt8 = 0x2e
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3a
    static let semicolon: UInt8 = 0x3b
    static let less: UInt8 = 0x3c        // <
    static let equals: UInt8 = 0x3d
    static let greater: UInt8 = 0x3e     // >
    static let openBracket: UInt8 = 0x5b // [
    static let closeBracket: UInt8 = 0x5d
    static let pipe: UInt8 = 0x7c        // |
    static let openBrace: UInt8 = 0x7b   // {
    static let closeBrace: UInt8 = 0x7d  // }
    static let lowerX: UInt8 = 0x78

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- zero < 10 }
    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == space || b == tab }

    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8? {
        if b &- zero < 10 { return b &- zero }
        let lower = b | 0x20
        if lower &- 0x61 < 6 { return lower &- 0x61 &+ 10 }
        return nil
    }
}

extension Array where Element == UInt8 {
    /// Index of the first non-blank byte in `from..<to` (or `to`).
    @inline(__always)
    func skipSpaces(_ from: Int, _ to: Int) -> Int {
        var i = from
        while i < to && ASCII.isSpace(self[i]) { i += 1 }
        return i
    }

    /// One past the last non-blank byte of `from..<to` (or `from`).
    @inline(__always)
    func trimTrailingSpaces(_ from: Int, _ to: Int) -> Int {
        var j = to
        while j > from && ASCII.isSpace(self[j - 1]) { j -= 1 }
        return j
    }

    /// Index of `byte` in `from..<to`, if present (memchr: lines are
    /// found with it, and a byte loop was a tenth of a text stats run).
    @inline(__always)
    func find(_ byte: UInt8, _ from: Int, _ to: Int) -> Int? {
        ByteSearch.firstIndex(of: byte, in: self, from: from, to: to)
    }

    /// True when `from..<to` starts with the ASCII `literal`.
    func hasPrefix(_ literal: StaticString, at from: Int, end to: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard to - from >= n else { return false }
        return literal.withUTF8Buffer { lit in
            for k in 0..<n where self[from + k] != lit[k] { return false }
            return true
        }
    }

    /// Decimal digits at `from..<to` as an unsigned value, nil when the
    /// range is empty, holds a non-digit, or overflows.
    func parseDecimal(_ from: Int, _ to: Int) -> UInt64? {
        guard from < to else { return nil }
        var v: UInt64 = 0
        if to - from <= 18 {
            // Short (every CPU and pid): 18 digits cannot overflow, so no
            // overflow checks per digit.
            for i in from..<to {
                let d = self[i] &- ASCII.zero
                guard d < 10 else { return nil }
                v = v &* 10 &+ UInt64(d)
            }
            return v
        }
        var i = from
        while i < to {
            let d = self[i] &- ASCII.zero
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1 && !o2 else { return nil }
            v = s
            i += 1
        }
        return v
    }

    /// Hex digits at `from..<to` (no prefix).
    func parseHex(_ from: Int, _ to: Int) -> UInt64? {
        guard from < to, to - from <= 16 else { return nil }
        var v: UInt64 = 0
        for i in from..<to {
            guard let d = ASCII.hexValue(self[i]) else { return nil }
            v = v << 4 | UInt64(d)
        }
        return v
    }

    /// A signed decimal with an optional leading '-'.
    func parseSignedDecimal(_ from: Int, _ to: Int) -> Int64? {
        guard from < to else { return nil }
        if self[from] == ASCII.minus {
            guard let m = parseDecimal(from + 1, to), m <= UInt64(Int64.max) + 1 else { return nil }
            return m == UInt64(Int64.max) + 1 ? Int64.min : -Int64(m)
        }
        guard let v = parseDecimal(from, to), v <= UInt64(Int64.max) else { return nil }
        return Int64(v)
    }

    /// The bytes as a String (invalid UTF-8 is repaired, never fatal).
    @inline(__always)
    func string(_ from: Int, _ to: Int) -> String {
        String(decoding: self[from..<to], as: UTF8.self)
    }

    /// A printed symbol reduced to its name, as a String built once:
    /// "  do_sys_open+0x0/0x2a0 [mod]" → "do_sys_open".
    func symbolString(_ from: Int, _ to: Int) -> String {
        let s = skipSpaces(from, to)
        var e = s
        while e < to && self[e] != ASCII.space && self[e] != ASCII.plus { e += 1 }
        return string(s, e)
    }
}
