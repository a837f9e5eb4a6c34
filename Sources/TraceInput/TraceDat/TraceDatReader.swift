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
    private var cursors: [DecodedCursor] = []
    private var pendingEvent: DecodedCursor?
    private var fieldsWanted: ((String, String) -> Bool)?

    /// Opens `path`; `instance` picks a buffer by name (nil or "" = the top
    /// buffer, or the first instance when the file has no top buffer).
    public convenience init(path: String, instance: String? = nil) throws {
        try self.init(file: TraceDatFile(path: path), instance: instance)
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
        info = TraceInfo(path: file.path, format: .traceDat, fileVersion: file.fileVersion,
                         compression: file.compression, cpus: file.cpuCount)
    }

    public var damage: DamageCount { file.damage }

    /// address → "symbol+0xoffset" through the file's kallsyms.
    public func symbolize(_ address: UInt64) -> String? { file.symbolize(address) }

    /// Takes effect when given before the first `next()`.
    public func decodeFields(only wanted: @escaping (_ system: String, _ name: String) -> Bool) {
        fieldsWanted = wanted
    }

    /// Starts the decode threads and waits for every CPU's first batch (in
    /// stream order, so damage met opening the streams is logged in order).
    private func start() {
        var kinds: [RecordKind?] = []
        for format in file.tep.allFormats where format.id >= 0 && format.id < 1 << 16 {
            if format.id >= kinds.count { kinds += [RecordKind?](repeating: nil, count: format.id + 1 - kinds.count) }
            kinds[format.id] = RecordKind(format: format, decodesFields: fieldsWanted?(format.system, format.name) ?? true)
        }
        let lookups = file.lookups
        let decoding = RecordDecoding(kinds: kinds, layout: file.commonLayout, endianness: file.endianness,
                                      comm: { lookups.comm($0) })
        // About 1 MB of events queued per CPU, whatever the CPU count.
        let batchSize = max(64, 4096 / max(1, streams.count / 8))
        let decode = ParallelDecode(streams: streams, decoding: decoding, batchSize: batchSize)
        streams = []
        cursors = decode.channels.map { DecodedCursor(channel: $0, damage: file.damageLog) }
        self.decode = decode
    }

    public func next() throws -> TraceItem? {
        if decode == nil { start() }
        if let c = pendingEvent {
            // The drop marker went out first; now the record it precedes.
            pendingEvent = nil
            return .event(take(c))
        }
        // The smallest timestamp wins; ties go to the earlier stream (top
        // buffer before instances, lower CPU first), as in CPUMerge.
        var best: DecodedCursor?
        var bestTS = UInt64.max
        for c in cursors where c.hasRecord {
            if best == nil || c.timestamp < bestTS {
                best = c
                bestTS = c.timestamp
            }
        }
        guard let c = best else { return nil }
        let missed = c.record.missedEvents
        if missed != 0 {
            pendingEvent = c
            return .lost(EventsLost(cpu: c.record.event.cpu, timestamp: c.timestamp,
                                    count: missed > 0 ? missed : nil))
        }
        return .event(take(c))
    }

    /// The current event of `c`, moving `c` on.
    private func take(_ c: DecodedCursor) -> TraceEvent {
        defer { c.step() }
        return c.record.event
    }
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
