/// Values by pid, found by indexing instead of hashing: the model looks a
/// task up on most bound events and switches, and hashing an Int32 key
/// (SipHash) cost more than the rest of the lookup. Pids are small and
/// dense (below pid_max, at most 2^22 on Linux), so they index pages of
/// 1,024 slots made as pids in their range appear; memory follows the pids
/// seen, not pid_max. Any other key (a damaged text line's pid) goes to a
/// dictionary.
struct PidTable<Value> {
    private static var pageBits: Int { 10 }
    private static var limit: Int32 { 1 << 22 }
    private var pages: [[Value?]?] = []
    private var others: [Int32: Value] = [:]

    subscript(pid: Int32) -> Value? {
        @inline(__always) get {
            guard pid >= 0 && pid < Self.limit else { return others[pid] }
            let p = Int(pid) >> Self.pageBits
            guard p < pages.count, let page = pages[p] else { return nil }
            return page[Int(pid) & ((1 << Self.pageBits) - 1)]
        }
        set {
            guard pid >= 0 && pid < Self.limit else {
                others[pid] = newValue
                return
            }
            let p = Int(pid) >> Self.pageBits
            if p >= pages.count { pages += repeatElement(nil, count: p + 1 - pages.count) }
            if pages[p] == nil { pages[p] = [Value?](repeating: nil, count: 1 << Self.pageBits) }
            pages[p]![Int(pid) & ((1 << Self.pageBits) - 1)] = newValue
        }
    }

    /// Every value with its pid.
    var all: [(pid: Int32, value: Value)] {
        var out: [(Int32, Value)] = others.map { ($0.key, $0.value) }
        for (p, page) in pages.enumerated() {
            guard let page else { continue }
            for (i, v) in page.enumerated() {
                if let v { out.append((Int32(p << Self.pageBits + i), v)) }
            }
        }
        return out
    }
}
