import Foundation
import NativeBindings

/// Reads a trace.dat file as a stream of events merged across CPUs in
/// timestamp order (TraceReader). Each CPU is decoded into events on a
/// thread of its own (ParallelDecode), a bounded queue of batches ahead of
/// the merge, so memory stays bounded by one page (or one decompressed
/// chunk) and a few batches per CPU.
public final class TraceDatReader: TraceReader {
    public let file: TraceDatFile
    public let info: TraceInfo
    private let chosenBuffers: [Int]
    /// Made (and filled to their first record) at open; handed to the
    /// decode threads on the first `next()`.
    private var streams: [CPUStream]
    private var decode: ParallelDecode?
    // Per-event state of the consumer's thread: no runtime access checks.
    @exclusivity(unchecked) private var merge = CPUMerge<DecodedCursor>([])
    // The cursors below are unretained: `merge` keeps them, and handing
    // them around per record retained and released each several times.
    /// The CPU whose record goes out after the drop marker just sent.
    @exclusivity(unchecked) private var pendingEvent: Unmanaged<DecodedCursor>?
    /// The CPU whose current record `nextRecord()` handed out: moved past
    /// on the next call, not before (the RecordRef reads it until then).
    @exclusivity(unchecked) private var held: Unmanaged<DecodedCursor>?
    /// Set by `start()`.
    private var decoding: RecordDecoding?
    /// `decoding`'s kinds by id, unretained, and its byte order: what every
    /// RecordRef is made with.
    @exclusivity(unchecked) private var kindRefs: [Unmanaged<RecordKind>?] = []
    @exclusivity(unchecked) private var endianness = Endianness.little
    @exclusivity(unchecked) private var comms = CommCache()
    private var fieldsWanted: ((String, String) -> Bool)?

    /// Opens `path`; `instance` picks a buffer by name (nil or "" = the top
    /// buffer, or the first instance when the file has no top buffer).
    public convenience init(path: String, instance: String? = nil, indexSymbolsEarly: Bool = false) throws {
        try self.init(file: TraceDatFile(path: path, indexSymbolsEarly: indexSymbolsEarly), instance: instance)
    }

    public init(file: TraceDatFile, instance: String? = nil) throws {
        self.file = file
        if let name = instance, !name.isEmpty {
            guard let index = file.bufferIndex(named: name) else {
                throw TraceInputError(path: file.path, section: "buffers",
                                      message: "no instance named \"\(name)\" (instances: \(file.instanceNames.joined(separator: ", ")))")
            }
            chosenBuffers = [index]
        } else {
            // The top buffer sorts first; a file of instances only starts
            // with its first instance; a latency file has no buffer.
            chosenBuffers = file.buffers.isEmpty ? [] : [0]
        }
        streams = file.makeStreams(buffers: chosenBuffers, separateDamage: true)
        var info = TraceInfo(path: file.path, format: .traceDat, fileVersion: file.fileVersion,
                             compression: file.describedCompression, cpus: file.cpuCount)
        info.uname = file.uname
        info.schedSwitchPrintFormat = file.schedSwitchPrintFormat
        self.info = info
    }

    public var damage: DamageCount { file.damage }

    /// address → "symbol+0xoffset" through the file's kallsyms.
    public func symbolize(_ address: UInt64) -> String? { file.symbolize(address) }

    /// Takes effect when given before the first `next()`.
    public func decodeFields(only wanted: @escaping (_ system: String, _ name: String) -> Bool) {
        fieldsWanted = wanted
    }

    /// Records of these kinds are tallied on the decode threads.
    public func tally(only counted: @escaping (_ system: String, _ name: String) -> Bool) {
        tallied = counted
    }
    private var tallied: ((String, String) -> Bool)?

    public var tally: RecordTally? {
        guard tallied != nil else { return nil }
        var total = RecordTally()
        for c in merge.streams { if let t = c.tally { total.add(t) } }
        return total
    }

    public var talliedCount: Int { merge.streams.reduce(0) { $0 + $1.talliedCount } }

    /// Whether CPUs are decoded on threads of their own (nil: when the file
    /// holds 8 MB of CPU data or more). Tests set it to compare both ways.
    var decodesOnThreads: Bool?

    /// Starts the decode threads and waits for every CPU's first batch (in
    /// stream order, so damage met opening the streams is logged in order).
    private func start() {
        var kinds: [RecordKind?] = []
        for format in file.tep.allFormats where format.id >= 0 && format.id < 1 << 16 {
            if format.id >= kinds.count { kinds += [RecordKind?](repeating: nil, count: format.id + 1 - kinds.count) }
            kinds[format.id] = RecordKind(format: format, decodesFields: fieldsWanted?(format.system, format.name) ?? true,
                                          tallied: tallied?(format.system, format.name) ?? false)
        }
        let lookups = file.lookups
        let decoding = RecordDecoding(kinds: kinds, layout: file.commonLayout, endianness: file.endianness,
                                      comm: { lookups.comm($0) })
        // About 1 MB of events queued per CPU, whatever the CPU count.
        let batchSize = max(64, 4096 / max(1, streams.count / 8))
        let cpus = streams.map(\.cpu)
        // As countRecords: threads cost more than they save on a few MB.
        let threads = decodesOnThreads ?? (file.dataSize(of: chosenBuffers) >= 8 << 20)
        self.decoding = decoding
        kindRefs = kinds.map { $0.map { .passUnretained($0) } }
        endianness = file.endianness
        let decode = ParallelDecode(streams: streams, decoding: decoding, batchSize: batchSize, threads: threads)
        streams = []
        merge = CPUMerge(zip(decode.channels, cpus).map { DecodedCursor(channel: $0, cpu: $1, damage: file.damageLog) })
        self.decode = decode
    }

    private enum Step {
        case record(Unmanaged<DecodedCursor>)
        case lost(EventsLost)
    }

    /// The CPU holding the next record, or a drop marker before it.
    @inline(__always)
    private func step() -> Step? {
        if decode == nil { start() }
        if let c = held {
            held = nil
            c._withUnsafeGuaranteedRef { $0.advance() }
        }
        if let c = pendingEvent {
            // The drop marker went out first; now the record it precedes.
            pendingEvent = nil
            return .record(c)
        }
        guard let h = merge.nextHead() else { return nil }
        return h._withUnsafeGuaranteedRef { c in
            let missed = c.missedEvents
            if missed != 0 {
                pendingEvent = h
                return .lost(EventsLost(cpu: c.cpu, timestamp: c.timestamp, count: missed > 0 ? missed : nil))
            }
            return .record(h)
        }
    }

    public func next() throws -> TraceItem? {
        switch step() {
        case .record(let h)?:
            return h._withUnsafeGuaranteedRef { c in
                let e = event(of: c)
                c.advance()
                return .event(e)
            }
        case .lost(let lost)?:
            return .lost(lost)
        case nil:
            return nil
        }
    }

    public func nextRecord() throws -> RecordItem? {
        switch step() {
        case .record(let h)?:
            held = h
            return h._withUnsafeGuaranteedRef { c in
                let r = c.record
                let id = Int(r.eventID)
                let kind = id >= 0 && id < kindRefs.count ? kindRefs[id] : nil
                return .record(RecordRef(timestamp: r.timestamp, cpu: c.cpu, pid: r.pid, context: r.context,
                                         kindID: kind == nil ? -1 : r.eventID, reader: .passUnretained(self),
                                         cursor: h, kind: kind, endianness: endianness))
            }
        case .lost(let lost)?:
            return .lost(lost)
        case nil:
            return nil
        }
    }

    // What a RecordRef asks of its record.

    func event(of c: DecodedCursor) -> TraceEvent { c.event(decoding!, comms: &comms) }

    func comm(of pid: Int32) -> String { comms.name(of: pid, from: decoding!.comm) }
}

extension TraceDatFile {
    /// Calls `body` for every record of the chosen buffers (all by default),
    /// CPU by CPU in file order (not merged: counting needs no order), without
    /// building events or copying payloads.
    public func forEachRecordHeader(buffers chosen: [Int]? = nil, _ body: (RecordHeader) -> Void) {
        let layout = commonLayout
        let typeSlot = layout.type
        let pidSlot = layout.pid
        for s in makeStreams(buffers: chosen ?? Array(buffers.indices)) {
            let page = s.page
            var header = RecordHeader(cpu: s.cpu, bufferIndex: s.bufferIndex, timestamp: 0, eventID: 0, pid: 0,
                                      missedEvents: 0)
            while s.hasRecord {
                header.timestamp = s.timestamp
                header.eventID = Int(page.unsigned(at: typeSlot.offset, size: typeSlot.size))
                header.pid = pidSlot.map { Int32(truncatingIfNeeded: page.unsigned(at: $0.offset, size: $0.size)) } ?? 0
                header.missedEvents = s.missedEvents
                body(header)
                s.step()
            }
        }
    }

    /// Damage met so far by any stream of this file.
    public var damage: DamageCount { damageLog.count }
}

/// What `stats` counts of a file's records.
struct RecordCounts: Sendable {
    /// By event id, up to the highest id with a format.
    var byID: [Int]
    /// Ids past that (no format has them).
    var outOfRange = 0
    var byCPU: [Int] = []
    var first = UInt64.max
    var last = UInt64.min
    var lost = 0
    var lostUnknown = 0

    init(ids: Int) { byID = [Int](repeating: 0, count: ids) }

    mutating func add(_ o: RecordCounts) {
        if o.byID.count > byID.count { byID += [Int](repeating: 0, count: o.byID.count - byID.count) }
        for (id, n) in o.byID.enumerated() where n > 0 { byID[id] &+= n }
        outOfRange += o.outOfRange
        if o.byCPU.count > byCPU.count { byCPU += [Int](repeating: 0, count: o.byCPU.count - byCPU.count) }
        for (cpu, n) in o.byCPU.enumerated() { byCPU[cpu] &+= n }
        first = min(first, o.first)
        last = max(last, o.last)
        lost += o.lost
        lostUnknown += o.lostUnknown
    }
}

extension TraceDatFile {
    /// Bytes of CPU data in the chosen buffers (all by default), as
    /// decompressed: compressed buffers count 8 times their size, about
    /// what trace-cmd's zstd chunks shrink the fixtures' data by (7.5
    /// times). What decides whether threads are worth starting. Sizes are
    /// the file's word, and a damaged file's can be anything: the sum
    /// saturates instead of overflowing (found by fuzzing).
    func dataSize(of chosen: [Int]?) -> Int {
        func add(_ a: Int, _ b: Int) -> Int {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? .max : sum
        }
        return buffers.indices.filter { chosen?.contains($0) ?? true }.map { buffers[$0] }.reduce(0) { total, b in
            let size = b.cpus.reduce(0) { add($0, max($1.size, 0)) }
            let (scaled, overflow) = size.multipliedReportingOverflow(by: b.compressed ? 8 : 1)
            return add(total, overflow ? .max : scaled)
        }
    }

    /// Counts every record of the chosen buffers (all by default): each CPU's
    /// data split into parts counted on all cores at once (counting needs no
    /// order, and no merge), then added up. Damage is logged part by part in
    /// file order, as one reading CPU after CPU would.
    func countRecords(buffers chosen: [Int]? = nil) -> RecordCounts {
        let layout = commonLayout
        let typeSlot = layout.type
        let picked = buffers.indices.filter { chosen?.contains($0) ?? true }.flatMap { buffers[$0].cpus }
        // Threads cost more than they save on a few MB (the fixtures).
        let cores = dataSize(of: chosen) < 8 << 20 ? 1 : ProcessInfo.processInfo.activeProcessorCount
        let extents = max(picked.count, 1)
        let parts = cores > 1 ? max(1, (4 * cores + extents - 1) / extents) : 1
        let streams = makeStreams(buffers: chosen ?? Array(buffers.indices), separateDamage: true, parts: parts)
        // Ids past the highest format's are unknown events whichever they
        // are: one counter covers them. A table for every possible id (2^16)
        // was 1.5 MB to zero per run, most of `stats` on a small file.
        let ids = min(1 << 16, max(tep.highestFormatID, 0) + 1)
        let results = ResultSlots<RecordCounts>(streams.count)
        nonisolated(unsafe) let shared = streams
        parallelForEach(streams.count, width: cores) { i in
            let s = shared[i]
            let page = s.page
            var c = RecordCounts(ids: 0)
            var byID = [Int](repeating: 0, count: ids)
            var n = 0
            while s.hasRecord {
                let id = Int(page.unsigned(at: typeSlot.offset, size: typeSlot.size))
                if id < ids { byID[id] &+= 1 } else { c.outOfRange += 1 }
                let ts = s.timestamp
                if ts < c.first { c.first = ts }
                if ts > c.last { c.last = ts }
                let missed = s.missedEvents
                if missed > 0 { c.lost += missed } else if missed < 0 { c.lostUnknown += 1 }
                n += 1
                s.step()
            }
            c.byID = byID
            c.byCPU = [Int](repeating: 0, count: s.cpu + 1)
            c.byCPU[s.cpu] = n
            results.set(i, c)
        }
        var total = RecordCounts(ids: ids)
        total.byCPU = [Int](repeating: 0, count: max(cpuCount, 1))
        for (i, s) in streams.enumerated() {
            if let c = results.get(i) { total.add(c) }
            for note in s.damage.takeNotes() { damageLog.record(note) }
        }
        return total
    }
}

/// One result per index, written by worker threads and read after they
/// finish; a lock (pthreads, via NSLock) makes the hand-over explicit.
final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [T?]

    init(_ count: Int) { slots = [T?](repeating: nil, count: count) }

    func set(_ i: Int, _ value: T) {
        lock.lock()
        slots[i] = value
        lock.unlock()
    }

    func get(_ i: Int) -> T? {
        lock.lock()
        defer { lock.unlock() }
        return slots[i]
    }
}
