/// Markdown that survives both a merge-request comment and a plain-text
/// mailing-list reply: tables for counts, evidence in fenced blocks (which
/// read the same rendered or not), nothing that needs HTML.
enum Markdown {
    /// A table cell: pipes escaped, lines joined.
    static func cell(_ s: String) -> String {
        s.replacingAll("|", with: "\\|").replacingAll("\n", with: " ")
    }

    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        var out = "| " + header.map(cell).joined(separator: " | ") + " |\n"
        out += "|" + header.indices.map { rightAligned.contains($0) ? " ---: " : " --- " }.joined(separator: "|") + "|\n"
        for r in rows { out += "| " + r.map(cell).joined(separator: " | ") + " |\n" }
        return out
    }

    /// Inline code that may itself hold backticks.
    static func code(_ s: String) -> String { s.contains("`") ? "`` \(s) ``" : "`\(s)`" }

    static func fence(_ lines: [String]) -> String { "```\n" + lines.joined(separator: "\n") + "\n```\n" }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation in this target's core).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return components(separatedByString: target).joined(separator: replacement)
    }

    func components(separatedByString separator: String) -> [String] {
        var parts: [String] = [], current = "", rest = Substring(self)
        while !rest.isEmpty {
            if rest.hasPrefix(separator) {
                parts.append(current)
                current = ""
                rest = rest.dropFirst(separator.count)
            } else {
                current.append(rest.removeFirst())
            }
        }
        parts.append(current)
        return parts
    }
}
