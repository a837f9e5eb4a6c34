import Foundation
import NativeBindings

/// One record as a decode thread leaves it: plain values and an extent in
/// its batch's payload bytes, no references. Handing a batch over and
/// reading its records then costs no reference counting and no allocation
/// per record; an event (comm, payload copy, field decoder) is made only
/// for the records a consumer asks for one (`RecordDecoding.event`).
struct PackedRecord {
    var timestamp: UInt64
    var pid: Int32
    /// The record's event id as stored (unknown ids included).
    var eventID: Int32
    /// kbuffer_missed_events before the record (-1 = unknown count).
    var missedEvents: Int32
    /// The payload's extent in the batch's `payload` (count 0: not kept,
    /// the kind's fields are never read).
    var payloadStart: Int32
    var payloadCount: Int32
    var context: ExecutionContext
}

/// A run of one CPU's records with the damage met between them:
/// `notes[i].before` is the index in ring-buffer order of the record the
/// damage came before (the record count = after the last one).
struct DecodedBatch: Sendable {
    var records: [PackedRecord] = []
    /// The kept payloads of all the records, back to back.
    var payload: [UInt8] = []

    var count: Int { records.count }

    mutating func reserve(_ n: Int) {
        records.reserveCapacity(n)
    }

    var notes: [(before: Int, note: DamageLog.Note)] = []
    var isLast = false
    /// Records of tallied kinds left out of `records` while making this batch.
    var talliedCount = 0
    /// In the last batch: everything its stream tallied.
    var tally: RecordTally?
}

/// What one stream tallies instead of packing (`TraceReader.tally(only:)`).
/// A tallied record is still handed out when the consumer must see it in
/// order: the first record of each pid on the CPU (the model names a task
/// after the first record it reads of it, and the first of a pid in the
/// whole trace is the first on some CPU), a record after lost events, and
/// one that damage was met before (the damage is replayed as the merge
/// reaches it).
struct StreamTally {
    var tally = RecordTally()
    private var seen: Set<Int32> = []
    private var lastPid: Int32?

    /// Whether the record is tallied (else the caller packs it).
    @inline(__always)
    mutating func absorbs(_ kind: RecordKind, id: Int, pid: Int32, timestamp: UInt64,
                          context: ExecutionContext) -> Bool {
        if pid != lastPid {
            lastPid = pid
            if seen.insert(pid).inserted { return false }
        }
        tally.add(id: id, system: kind.system, name: kind.name, timestamp: timestamp, context: context)
        return true
    }
}


/// A bounded single-producer, single-consumer queue of batches: the decode
/// thread waits when `capacity` batches are queued, so memory stays bounded
/// whatever the trace's size.
final class BatchChannel: Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    nonisolated(unsafe) private var queue: [DecodedBatch] = []
    nonisolated(unsafe) private var cancelled = false
    private let capacity: Int
    /// Set when the consumer's own thread decodes: `take` makes the next
    /// batch then and there.
    private let inline: BatchProducer?

    init(capacity: Int) {
        self.capacity = capacity
        inline = nil
    }

    /// A channel without a thread behind it: each `take` decodes a batch.
    init(decodingOnTake producer: BatchProducer) {
        capacity = 0
        inline = producer
    }

    /// Queues `batch`; false when the consumer has gone (stop decoding).
    func put(_ batch: DecodedBatch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        queue.append(batch)
        condition.broadcast()
        return true
    }

    func take() -> DecodedBatch {
        if let inline { return inline.next() }
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty { condition.wait() }
        let batch = queue.removeFirst()
        condition.broadcast()
        return batch
    }

    /// The consumer stops: a waiting producer returns.
    func cancel() {
        condition.lock()
        cancelled = true
        queue = []
        condition.broadcast()
        condition.unlock()
    }
}

/// What a decode thread needs to turn records into events; immutable, so
/// every thread can share it.
/// A class, not a struct: the reader asks it for every record a consumer
/// reads in place, and a struct's copy retains each of its arrays.
final class RecordDecoding: Sendable {
    /// By event id; nil for ids the file has no format for.
    let kinds: [RecordKind?]
    let layout: CommonFieldLayout
    let endianness: Endianness
    /// The file's comm lookup (serialized inside TraceDatFile).
    let comm: @Sendable (Int32) -> String

    init(kinds: [RecordKind?], layout: CommonFieldLayout, endianness: Endianness,
         comm: @escaping @Sendable (Int32) -> String) {
        self.kinds = kinds
        kindRefs = kinds.map { $0.map { .passUnretained($0) } }
        self.layout = layout
        let standard = CommonFieldLayout.standard
        standardHeader = endianness == .little && layout.migrateDisable == nil
            && [layout.type, layout.flags, layout.preemptCount, layout.pid].map { $0.map { [$0.offset, $0.size] } }
                == [standard.type, standard.flags, standard.preemptCount, standard.pid].map { $0.map { [$0.offset, $0.size] } }
        self.endianness = endianness
        self.comm = comm
    }

    func kind(_ id: Int) -> RecordKind? { id >= 0 && id < kinds.count ? kinds[id] : nil }
    /// `kinds`, unretained (`kinds` keeps them): packing a record retains
    /// nothing.
    private let kindRefs: [Unmanaged<RecordKind>?]
    /// The header is the kernel's usual one (CommonFieldLayout.standard)
    /// in a little-endian file: read in one load.
    private let standardHeader: Bool

    /// Appends the current record of `s` to `batch` (the stream is not
    /// moved), unless `tally` takes it (a kind tallied, no lost events
    /// before it, no damage note waiting for it).
    @inline(__always)
    func pack(_ s: CPUStream, into batch: inout DecodedBatch, tally: inout StreamTally) {
        let payload = s.page.payload
        let id: Int, pid: Int32, context: ExecutionContext
        if standardHeader && payload.count >= 8 {
            // The usual header in one load: type u16, flags u8, preempt
            // count u8, pid s32, little-endian (the fields read one by one
            // below give the same values).
            let word = UInt64(littleEndian: payload.loadUnaligned(as: UInt64.self))
            id = Int(word & 0xffff)
            pid = Int32(truncatingIfNeeded: word >> 32)
            context = ExecutionContext(flags: ContextFlags(rawValue: UInt8(truncatingIfNeeded: word >> 16)),
                                       preemptCount: UInt8(truncatingIfNeeded: word >> 24))
        } else {
            let order = endianness
            @inline(__always) func field(_ slot: CommonFieldLayout.Slot?) -> UInt64 {
                // 0 for a field past the payload, as libtraceevent reads it.
                slot.flatMap { RecordPayload.unsigned(at: $0.offset, size: $0.size, in: payload, endianness: order) } ?? 0
            }
            id = Int(field(layout.type))
            pid = Int32(truncatingIfNeeded: field(layout.pid))
            context = ExecutionContext(flags: ContextFlags(rawValue: UInt8(truncatingIfNeeded: field(layout.flags))),
                                       preemptCount: UInt8(truncatingIfNeeded: field(layout.preemptCount)),
                                       migrateDisable: layout.migrateDisable.map { UInt8(truncatingIfNeeded: field($0)) })
        }
        let kind = id >= 0 && id < kindRefs.count ? kindRefs[id] : nil
        var kept = false
        if let kind {
            let (tallied, decodesFields) = kind._withUnsafeGuaranteedRef { ($0.tallied, $0.decodesFields) }
            if tallied, s.missedEvents == 0, batch.notes.last?.before != batch.count,
               kind._withUnsafeGuaranteedRef({ tally.absorbs($0, id: id, pid: pid, timestamp: s.timestamp, context: context) }) {
                batch.talliedCount += 1
                return
            }
            kept = decodesFields
        }
        let start = batch.payload.count
        if kept { batch.payload.append(contentsOf: payload) }
        batch.records.append(PackedRecord(timestamp: s.timestamp, pid: pid, eventID: Int32(truncatingIfNeeded: id),
                                          missedEvents: Int32(clamping: s.missedEvents),
                                          payloadStart: Int32(truncatingIfNeeded: start),
                                          payloadCount: Int32(truncatingIfNeeded: kept ? payload.count : 0),
                                          context: context))
    }

    /// `record` (of a batch whose payloads are `payload`) as an event.
    func event(_ record: PackedRecord, cpu: Int, payload: [UInt8], comms: inout CommCache) -> TraceEvent {
        let id = Int(record.eventID)
        let kind = kind(id)
        let fields: EventFields
        if let kind, kind.decodesFields {
            let start = Int(record.payloadStart)
            let bytes = Array(payload[start..<start + Int(record.payloadCount)])
            fields = EventFields(RecordFieldDecoder(payload: bytes, kind: kind, endianness: endianness))
        } else {
            fields = Self.noFields
        }
        let name = comms.name(of: record.pid, from: comm)
        return TraceEvent(timestamp: record.timestamp, cpu: cpu, pid: record.pid, comm: name,
                          context: record.context, system: kind?.system ?? "",
                          name: kind?.name ?? "[UNKNOWN EVENT]", fields: fields,
                          kindID: kind == nil ? -1 : Int32(truncatingIfNeeded: id))
    }

    private static let noFields = EventFields([])
}

/// Task names by pid, asked of the file once per pid.
/// Consecutive records of a CPU are mostly one task's, so the last answer is
/// kept apart and reused without hashing.
struct CommCache {
    private var lastPid: Int32 = .min
    private var last = ""
    private var byPid: [Int32: String] = [:]

    mutating func name(of pid: Int32, from lookup: (Int32) -> String) -> String {
        if pid == lastPid { return last }
        let name: String
        if let known = byPid[pid] { name = known } else {
            name = lookup(pid)
            byPid[pid] = name
        }
        lastPid = pid
        last = name
        return name
    }
}

/// Decodes each CPU stream on a thread of its own into a bounded channel of
/// batches; the reader merges the batches' heads in timestamp order on its
/// own thread. Each stream is touched only by its thread once handed over.
/// Small traces are decoded on the reader's thread instead (`threads`
/// false): there, starting threads and handing batches over cost more than
/// the decoding they would take off it.
final class ParallelDecode {
    let channels: [BatchChannel]

    /// Batches of up to `batchSize` records, at most `depth` queued per CPU.
    init(streams: [CPUStream], decoding: RecordDecoding, batchSize: Int, depth: Int = 4, threads: Bool = true) {
        guard threads else {
            // Decoded when taken, batches need not be large: small ones stay
            // in malloc's reused chunks instead of being mapped and unmapped
            // (page faults on every page) each time.
            channels = streams.map {
                BatchChannel(decodingOnTake: BatchProducer(stream: $0, decoding: decoding,
                                                           batchSize: min(batchSize, Self.inlineBatchSize)))
            }
            return
        }
        let producers = streams.map { BatchProducer(stream: $0, decoding: decoding, batchSize: batchSize) }
        channels = streams.map { _ in BatchChannel(capacity: depth) }
        for (producer, channel) in zip(producers, channels) {
            // The stream moves to its thread; nothing else touches it after.
            let p = producer
            let thread = Thread {
                while true {
                    let batch = p.next()
                    guard channel.put(batch), !batch.isLast else { return }
                }
            }
            thread.name = "mmaudit cpu \(producer.cpu)"
            thread.start()
        }
    }

    static let inlineBatchSize = 128

    deinit {
        for c in channels { c.cancel() }
    }
}

/// Turns one CPU stream into batches of events, one batch per call.
// Used by one thread at a time: its decode thread, or the consumer (inline).
final class BatchProducer: @unchecked Sendable {
    /// The first batch's size: batches start small and double up to
    /// `batchSize`, so the merge starts as soon as every CPU has a few
    /// records instead of waiting for a full batch each (on a trace of a few
    /// thousand events, that wait was most of the decoding, done while the
    /// model sat idle).
    static let firstBatchSize = 128

    private let stream: CPUStream
    private let decoding: RecordDecoding
    private let batchSize: Int
    @exclusivity(unchecked) private var size: Int
    @exclusivity(unchecked) private var tally = StreamTally()
    var cpu: Int { stream.cpu }

    init(stream: CPUStream, decoding: RecordDecoding, batchSize: Int) {
        self.stream = stream
        self.decoding = decoding
        self.batchSize = batchSize
        size = min(Self.firstBatchSize, batchSize)
    }

    /// The next batch; `isLast` when the stream has ended in it.
    func next() -> DecodedBatch {
        let s = stream
        var batch = DecodedBatch()
        batch.reserve(size)
        while true {
            if s.damage.hasNotes {
                for n in s.damage.takeNotes() { batch.notes.append((batch.count, n)) }
            }
            guard s.hasRecord else { break }
            decoding.pack(s, into: &batch, tally: &tally)
            s.step()
            // Tallied records count toward the size: a CPU whose records
            // are nearly all tallied still hands batches over as it goes,
            // and the merge, which needs every CPU's next record, goes on.
            if batch.count + batch.talliedCount == size {
                // Damage met stepping past the last record goes with it.
                if s.damage.hasNotes {
                    for n in s.damage.takeNotes() { batch.notes.append((batch.count, n)) }
                }
                size = min(size * 2, batchSize)
                return batch
            }
        }
        batch.isLast = true
        batch.tally = tally.tally
        return batch
    }
}

/// The consumer's place in one CPU's batches.
final class DecodedCursor {
    let channel: BatchChannel
    /// The CPU whose records these are.
    let cpu: Int
    private let damage: DamageLog
    // Touched for every record by the consumer's thread only: no runtime
    // access checks (swift_beginAccess in perf).
    @exclusivity(unchecked) private var batch = DecodedBatch()
    /// The current record's index in the batch.
    @exclusivity(unchecked) private var index = 0
    @exclusivity(unchecked) private var nextNote = 0
    @exclusivity(unchecked) private(set) var hasRecord = false
    @exclusivity(unchecked) private(set) var timestamp: UInt64 = 0
    /// Records of this CPU tallied so far, and (once its last batch is
    /// taken) everything tallied.
    @exclusivity(unchecked) private(set) var talliedCount = 0
    @exclusivity(unchecked) private(set) var tally: RecordTally?

    /// Takes the first batch and replays the damage met before its first record.
    init(channel: BatchChannel, cpu: Int, damage: DamageLog) {
        self.channel = channel
        self.cpu = cpu
        self.damage = damage
        load()
    }

    /// The current record's kbuffer_missed_events.
    var missedEvents: Int { Int(batch.records[index].missedEvents) }

    /// The current record.
    var record: PackedRecord { batch.records[index] }

    /// The current record as an event.
    func event(_ decoding: RecordDecoding, comms: inout CommCache) -> TraceEvent {
        decoding.event(batch.records[index], cpu: cpu, payload: batch.payload, comms: &comms)
    }

    /// Calls `body` with the current record's kept payload bytes.
    @inline(__always)
    func withPayload<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        let r = batch.records[index]
        return batch.payload.withUnsafeBytes {
            body(UnsafeRawBufferPointer(rebasing: $0[Int(r.payloadStart)..<Int(r.payloadStart) + Int(r.payloadCount)]))
        }
    }

    /// Moves past the current record (replaying the damage met after it).
    func advance() {
        index += 1
        if index == batch.count {
            replayNotes(upTo: index)
            if batch.isLast {
                hasRecord = false
            } else {
                load()
            }
        } else {
            if nextNote < batch.notes.count { replayNotes(upTo: index) }
            timestamp = batch.records[index].timestamp
        }
    }

    private func load() {
        while true {
            batch = channel.take()
            talliedCount += batch.talliedCount
            if let t = batch.tally { tally = t }
            index = 0
            nextNote = 0
            replayNotes(upTo: 0)
            if batch.count > 0 {
                hasRecord = true
                timestamp = batch.records[0].timestamp
                return
            }
            replayNotes(upTo: Int.max)
            if batch.isLast {
                hasRecord = false
                return
            }
        }
    }

    private func replayNotes(upTo i: Int) {
        while nextNote < batch.notes.count && batch.notes[nextNote].before <= i {
            damage.record(batch.notes[nextNote].note)
            nextNote += 1
        }
    }
}

/// Runs `body(0..<count)` on up to `width` threads (the machine's cores by
/// default) and returns when every call has. Work is handed out one index at
/// a time, so uneven pieces still keep every thread busy. Synchronized with
/// NSCondition (pthreads), which thread sanitizers understand.
func parallelForEach(_ count: Int, width: Int = ProcessInfo.processInfo.activeProcessorCount,
                     _ body: @escaping @Sendable (Int) -> Void) {
    guard count > 1, width > 1 else {
        for i in 0..<count { body(i) }
        return
    }
    final class Work: @unchecked Sendable {
        // All guarded by `condition`.
        let condition = NSCondition()
        var next = 0
        var running = 0
    }
    let work = Work()
    let threads = min(width, count)
    work.running = threads
    for _ in 0..<threads {
        Thread {
            while true {
                work.condition.lock()
                let i = work.next
                work.next += 1
                work.condition.unlock()
                guard i < count else { break }
                body(i)
            }
            work.condition.lock()
            work.running -= 1
            work.condition.broadcast()
            work.condition.unlock()
        }.start()
    }
    work.condition.lock()
    while work.running > 0 { work.condition.wait() }
    work.condition.unlock()
}
