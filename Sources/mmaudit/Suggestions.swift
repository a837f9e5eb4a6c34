/// Names close to one a user typed, for "did you mean" in error lines: a
/// misspelt event or task name should point at the real one.
enum Suggestions {
    /// Up to `limit` of `candidates` nearest to `name`: those containing it
    /// (or contained in it) first, then by edit distance, within a third of
    /// the name's length.
    static func closest(to name: String, among candidates: [String], limit: Int = 5) -> [String] {
        let wanted = Array(name.lowercased())
        let scored: [(Int, String)] = candidates.compactMap { c in
            let lower = c.lowercased()
            if lower.contains(name.lowercased()) || name.lowercased().contains(lower) { return (0, c) }
            let d = distance(wanted, Array(lower))
            return d <= max(2, wanted.count / 3) ? (d, c) : nil
        }
        return scored.sorted { $0 < $1 }.prefix(limit).map(\.1)
    }

    /// Levenshtein distance.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        var row = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var next = [i + 1]
            for (j, y) in b.enumerated() {
                next.append(min(row[j + 1] + 1, next[j] + 1, row[j] + (x == y ? 0 : 1)))
            }
            row = next
        }
        return row[b.count]
    }

    /// ", did you mean a, b?" or "".
    static func phrase(for name: String, among candidates: [String]) -> String {
        let near = closest(to: name, among: candidates)
        return near.isEmpty ? "" : "; did you mean " + near.joined(separator: ", ") + "?"
    }
}
