import CTraceSupport

/// Address → kernel symbol over the /proc/kallsyms text of a trace, read in
/// place: no copy, no allocation per symbol, unlike handing the text to
/// libtraceevent (100,000 mallocs, a copy and a sort: most of `analyze`'s
/// time on a small trace). It answers exactly as tep_find_function does
/// (same symbols, same order, same search), which the tests check on every
/// fixture; libtraceevent still gets the text when events are printed.
final class KernelSymbols {
    private let region: MemoryRegion
    private let index: OpaquePointer?

    /// Indexes `count` bytes of kallsyms text at `offset` in `region`,
    /// which the index keeps alive.
    init(region: MemoryRegion, offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= region.count)
        self.region = region
        if count > 0, let base = region.base {
            index = mmaudit_kallsyms_index(base.advanced(by: offset).assumingMemoryBound(to: CChar.self), count)
        } else {
            index = nil
        }
    }

    deinit { mmaudit_kallsyms_free(index) }

    /// The symbol containing `address` and its start address.
    func symbol(at address: UInt64) -> (name: String, start: UInt64)? {
        guard let index else { return nil }
        var start: UInt64 = 0
        var name: UnsafePointer<CChar>?
        var length = 0
        guard mmaudit_kallsyms_lookup(index, address, &start, &name, &length) == 1, let name else { return nil }
        let text = UnsafeRawBufferPointer(start: name, count: length)
        return (String(decoding: text, as: UTF8.self), start)
    }
}
