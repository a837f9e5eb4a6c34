import TraceModel

/// What the bindings met in this trace, said so that a quiet "ok" or a
/// skipped check is not mistaken for a clean trace: rules-file bindings
/// whose event never occurs (misspelt, or not recorded), and for a skipped
/// check the trace's events whose names look like what it needs.
enum BindingCoverage {
    /// "FILE:LINE SYSTEM:EVENT" of each rules-file binding whose event the
    /// trace never has. Text traces may name events without their system,
    /// so a same-named event of no system counts as the bound one.
    static func unseen(_ bindings: BindingTable, counts: [EventKey: Int]) -> [String] {
        let bare = Set(counts.keys.filter { $0.system.isEmpty }.map(\.name))
        return bindings.bindings.compactMap { b in
            guard b.origin != BuiltinBindings.origin, b.event.name != "*",
                  counts[b.event] == nil, !bare.contains(b.event.name) else { return nil }
            return "\(b.origin) \(b.event)"
        }
    }

    /// Unbound events of the trace whose names share a word with the roles
    /// `needs` requires ("invalidate", "range", "secondary", "lock", ...):
    /// what a rules file could bind, best first, at most `limit`.
    static func candidates(for needs: RuleNeeds, model: TraceModel, limit: Int = 5) -> [String] {
        let words = Set(needs.requiredRoles.flatMap { $0.rawValue.split(separator: ".").map(String.init) }
            .filter { $0.count >= 3 && !["begin", "end", "map"].contains($0) })
        let bound = Set(model.bindings.bindings.map(\.event))
        let boundNames = Set(bound.map(\.name))
        // Text traces may name events without their system: bound by name.
        let unbound = model.eventCounts.keys.filter { $0.system.isEmpty ? !boundNames.contains($0.name) : !bound.contains($0) }
        let scored = unbound.compactMap { key -> (String, Int)? in
            let name = key.name.lowercased()
            let hits = words.filter { name.contains($0) }.count
            return hits > 0 ? (key.shownName, hits) : nil
        }
        return scored.sorted { ($0.1, $1.0) > ($1.1, $0.0) }.prefix(limit).map(\.0)
    }
}
