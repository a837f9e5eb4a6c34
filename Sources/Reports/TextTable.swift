/// Columns aligned with spaces, for terminal reports. Cells may carry ANSI
/// colour: widths are measured on the visible text.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    /// Columns aligned right (numbers).
    var rightAligned: Set<Int> = []

    func render(indent: String = "  ", style: TerminalStyle = .plain) -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { Self.visibleWidth($0.count > c ? $0[c] : "") }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            var parts: [String] = []
            for (c, w) in widths.enumerated() {
                let cell = cells.count > c ? cells[c] : ""
                let pad = String(repeating: " ", count: w - Self.visibleWidth(cell))
                parts.append(rightAligned.contains(c) ? pad + cell : cell + (c == widths.count - 1 ? "" : pad))
            }
            return indent + parts.joined(separator: "  ")
        }
        return ([style.dim(line(header))] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    /// Characters a terminal shows (escape sequences take none).
    static func visibleWidth(_ s: String) -> Int {
        var n = 0, inEscape = false
        for c in s.unicodeScalars {
            if inEscape { if c == "m" { inEscape = false }; continue }
            if c == "\u{1B}" { inEscape = true; continue }
            n += 1
        }
        return n
    }
}
