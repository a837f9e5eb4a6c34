import CTraceEvent

/// Walks the events of one ring-buffer sub-buffer ("page") with libtraceevent's
/// kbuffer, the way trace-cmd's tracecmd_peek_data does: load the page, read
/// an event (its absolute raw timestamp, payload and size), step to the next.
///
/// The page must sit in a `MemoryRegion` with at least 16 bytes of slack after
/// the page: kbuffer reads the stored lost-event count just past the committed
/// data. `load` checks the commit size against the page size before kbuffer
/// sees the page, and `readEvent` checks each payload against the committed
/// bytes, so damaged pages are reported instead of read past.
public final class KBuffer {
    public enum PageState: Equatable {
        case loaded(commitSize: Int)
        /// The commit size is larger than the page can hold.
        case impossibleCommit(Int)
        /// An event length would send kbuffer backwards (a loop) or nowhere.
        case badEventLength(offset: Int)
    }

    private let kbuf: OpaquePointer
    private let headerSize: Int
    private let longSize: Int
    private let bigEndian: Bool
    private let oldFormat: Bool
    // Per-record state, touched only by the thread that reads this stream:
    // @exclusivity(unchecked) drops the runtime access checks that otherwise
    // cost stats about a sixth of its time (swift_beginAccess in perf).
    @exclusivity(unchecked) private var region: MemoryRegion?
    /// `region`'s bytes, for the per-record reads: a pointer, where reading
    /// through the optional reference retained and released it each time.
    @exclusivity(unchecked) private var regionBase: UnsafeMutableRawPointer?
    @exclusivity(unchecked) private var pageStart = 0
    @exclusivity(unchecked) private var commitEnd = 0
    @exclusivity(unchecked) private var payloadOffset = 0

    /// Payload length of the current event (kbuffer_event_size), including
    /// the 4-byte alignment tail of small events.
    @exclusivity(unchecked) public private(set) var eventSize = 0
    /// Offset of the current payload from the start of the page.
    public var payloadOffsetInPage: Int { payloadOffset - pageStart }

    /// kbuffer_alloc with the kernel long size (header_page `commit` field
    /// size) and the file's endianness; kbuffer_set_old_format for
    /// header-less old files (init_cpu_data).
    public init(kernelLongSize: Int, bigEndian: Bool, oldFormat: Bool) {
        kbuf = kbuffer_alloc(kernelLongSize == 8 ? KBUFFER_LSIZE_8 : KBUFFER_LSIZE_4,
                             bigEndian ? KBUFFER_ENDIAN_BIG : KBUFFER_ENDIAN_LITTLE)
        if oldFormat { kbuffer_set_old_format(kbuf) }
        self.oldFormat = oldFormat
        longSize = kernelLongSize == 8 ? 8 : 4
        headerSize = 8 + longSize
        self.bigEndian = bigEndian
    }

    deinit { kbuffer_free(kbuf) }

    /// Loads the page at `offset` in `region` (whose page is `pageSize` bytes).
    public func load(_ region: MemoryRegion, at offset: Int, pageSize: Int) -> PageState {
        precondition(offset >= 0 && offset + pageSize + 16 <= region.capacityInBytes)
        let commitRaw: UInt64 = longSize == 8
            ? swapped(region.load(at: offset + 8, as: UInt64.self))
            : UInt64(swapped(region.load(at: offset + 8, as: UInt32.self)))
        // COMMIT_MASK in kbuffer-parse.c: the low 27 bits are the data size.
        let commit = Int(commitRaw & ((1 << 27) - 1))
        guard commit <= pageSize - headerSize else { return .impossibleCommit(commit) }
        if !oldFormat, let bad = firstBadEvent(region, from: offset + headerSize, to: offset + headerSize + commit) {
            return .badEventLength(offset: bad - offset)
        }
        self.region = region
        regionBase = region.base
        pageStart = offset
        commitEnd = offset + headerSize + commit
        kbuffer_load_subbuffer(kbuf, region.base! + offset)
        return .loaded(commitSize: Int(kbuffer_subbuffer_size(kbuf)))
    }

    /// Walks the event headers the way kbuffer's update_pointers will, and
    /// returns the offset of the first whose length does not move forward.
    /// kbuffer computes `next` in 32-bit arithmetic and loops over padding
    /// and time events internally, so a corrupt padding length could make it
    /// spin forever; such a page is refused before kbuffer sees it.
    private func firstBadEvent(_ region: MemoryRegion, from start: Int, to end: Int) -> Int? {
        var at = start
        while at < end {
            let word = swapped(region.load(at: at, as: UInt32.self))
            let typeLen = bigEndian ? word >> 27 : word & 0x1f
            let next: Int
            switch typeLen {
            case 0:
                // array[0] counts itself; the payload follows it.
                let length = Int(swapped(region.load(at: at + 4, as: UInt32.self)))
                guard length >= 4 else { return at }
                next = at + 8 + ((length - 4 + 3) & ~3)
            case 29:
                let length = Int(Int32(bitPattern: swapped(region.load(at: at + 4, as: UInt32.self))))
                guard length >= 0 else { return at }
                next = at + 4 + length
            case 30, 31:
                next = at + 8
            default:
                next = at + 4 + Int(typeLen) * 4
            }
            guard next > at else { return at }
            at = next
        }
        return nil
    }

    public enum EventState { case event, endOfPage, damaged }

    /// Reads the current event (kbuffer_read_event); `rawTimestamp` gets its
    /// raw (uncorrected) timestamp. Handed out, not kept in a property: read
    /// from another module, a property marked @exclusivity(unchecked) was
    /// still checked (swift_beginAccess on every record, in callgrind).
    @inline(__always)
    public func readEvent(rawTimestamp: inout UInt64) -> EventState {
        guard let base = regionBase else { return .endOfPage }
        var ts: UInt64 = 0
        guard let data = kbuffer_read_event(kbuf, &ts) else { return .endOfPage }
        let size = Int(kbuffer_event_size(kbuf))
        let offset = base.distance(to: data)
        guard size >= 0, offset + size <= commitEnd else { return .damaged }
        rawTimestamp = ts
        eventSize = size
        payloadOffset = offset
        return .event
    }

    /// Steps past the current event (kbuffer_next_event).
    @inline(__always)
    public func advance() { _ = kbuffer_next_event(kbuf, nil) }

    /// Events the ring buffer dropped before the current one: -1 when the
    /// count was not stored, 0 when none (kbuffer_missed_events; it reports
    /// only for the page's very first entry).
    public var missedEvents: Int { Int(kbuffer_missed_events(kbuf)) }

    /// The current event's payload, valid until the next `advance` or
    /// `load`: one call for a record's header fields and its copy, where a
    /// call per field was a fifth of a decode thread's own work.
    public var payload: UnsafeRawBufferPointer {
        guard let base = regionBase else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + payloadOffset, count: eventSize)
    }

    /// Bytes of memory from the current payload's start to the end of the
    /// page's region: how far a reader that trusts a format's field sizes
    /// over the record's own may read before leaving the mapping.
    public var bytesFromPayload: Int { (region?.capacityInBytes ?? 0) - payloadOffset }

    /// An unsigned integer of `size` bytes (1, 2, 4, 8) at `fieldOffset` in the
    /// current payload, in host order; 0 when it lies past the payload.
    @inline(__always)
    public func unsigned(at fieldOffset: Int, size: Int) -> UInt64 {
        // Inside the payload, which readEvent checked lies inside the
        // page's committed data: read through the base pointer (the region's
        // own checked loads retained it for every field).
        guard fieldOffset >= 0, fieldOffset + size <= eventSize, let base = regionBase else { return 0 }
        let at = base + (payloadOffset + fieldOffset)
        switch size {
        case 1: return UInt64(at.load(as: UInt8.self))
        case 2: return UInt64(swapped(at.loadUnaligned(as: UInt16.self)))
        case 4: return UInt64(swapped(at.loadUnaligned(as: UInt32.self)))
        case 8: return swapped(at.loadUnaligned(as: UInt64.self))
        default: return 0
        }
    }

    /// Fills `record` for libtraceevent's print calls.
    func fill(_ record: inout tep_record, timestamp: UInt64, cpu: Int, missedEvents: Int) {
        record.ts = timestamp
        record.cpu = Int32(cpu)
        record.size = Int32(eventSize)
        record.record_size = Int32(kbuffer_curr_size(kbuf))
        record.missed_events = Int64(missedEvents)
        record.offset = UInt64(kbuffer_curr_offset(kbuf))
        record.data = UnsafeMutableRawPointer(region!.base! + payloadOffset)
    }

    @inline(__always)
    private func swapped<T: FixedWidthInteger>(_ v: T) -> T { bigEndian ? T(bigEndian: v) : T(littleEndian: v) }
}
