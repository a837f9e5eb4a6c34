import NativeBindings

/// Reads a trace.dat file as a stream of events merged across CPUs in
/// timestamp order (TraceReader), with memory bounded by one page (or one
/// decompressed chunk) per CPU.
public final class TraceDatReader: TraceReader {
    public let file: TraceDatFile
    public let info: TraceInfo
    private var merge: CPUMerge
    private var pendingEvent: CPUStream?
    private let chosenBuffers: [Int]

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
        merge = CPUMerge(file.makeStreams(buffers: chosenBuffers))
        info = TraceInfo(path: file.path, format: .traceDat, fileVersion: file.fileVersion,
                         compression: file.compression, cpus: file.cpuCount)
    }

    public var damage: DamageCount { file.damage }

    /// address → "symbol+0xoffset" through the file's kallsyms.
    public func symbolize(_ address: UInt64) -> String? { file.symbolize(address) }

    /// Per event id: 0 = not asked yet, 1 = decode fields, 2 = leave them empty.
    private var fieldPlan: [UInt8] = []
    private var fieldsWanted: ((String, String) -> Bool)?

    public func decodeFields(only wanted: @escaping (_ system: String, _ name: String) -> Bool) {
        fieldsWanted = wanted
        fieldPlan = []
    }

    @inline(__always)
    private func wantsFields(_ id: Int, _ format: EventFormat) -> Bool {
        guard let fieldsWanted else { return true }
        guard id >= 0 && id < 1 << 16 else { return true }
        if id >= fieldPlan.count { fieldPlan += [UInt8](repeating: 0, count: id + 1 - fieldPlan.count) }
        if fieldPlan[id] == 0 { fieldPlan[id] = fieldsWanted(format.system, format.name) ? 1 : 2 }
        return fieldPlan[id] == 1
    }

    public func next() throws -> TraceItem? {
        if let s = pendingEvent {
            // The drop marker went out first; now the record it precedes.
            pendingEvent = nil
            return .event(makeEvent(s))
        }
        guard let s = merge.nextStream() else { return nil }
        if s.missedEvents != 0 {
            pendingEvent = s
            return .lost(EventsLost(cpu: s.cpu, timestamp: s.timestamp,
                                    count: s.missedEvents > 0 ? s.missedEvents : nil))
        }
        return .event(makeEvent(s))
    }

    private static let noFields = EventFields([])

    /// Builds the current record of `s` as an event and moves `s` on.
    private func makeEvent(_ s: CPUStream) -> TraceEvent {
        defer { s.step() }
        let page = s.page
        let layout = file.commonLayout
        let id = Int(page.unsigned(at: layout.type.offset, size: layout.type.size))
        let pid = layout.pid.map { Int32(truncatingIfNeeded: page.unsigned(at: $0.offset, size: $0.size)) } ?? 0
        let flags = layout.flags.map { UInt8(truncatingIfNeeded: page.unsigned(at: $0.offset, size: $0.size)) } ?? 0
        let preempt = layout.preemptCount.map { UInt8(truncatingIfNeeded: page.unsigned(at: $0.offset, size: $0.size)) } ?? 0
        let migrate = layout.migrateDisable.map { UInt8(truncatingIfNeeded: page.unsigned(at: $0.offset, size: $0.size)) }
        let context = ExecutionContext(flags: ContextFlags(rawValue: flags), preemptCount: preempt,
                                       migrateDisable: migrate)
        let format = file.tep.format(id: id)
        let fields: EventFields
        if let format, wantsFields(id, format) {
            fields = EventFields(RecordFieldDecoder(payload: page.payload(), format: format,
                                                    endianness: file.endianness))
        } else {
            fields = Self.noFields
        }
        return TraceEvent(timestamp: s.timestamp, cpu: s.cpu, pid: pid, comm: file.tep.comm(pid: pid),
                          context: context, system: format?.system ?? "",
                          name: format?.name ?? "[UNKNOWN EVENT]", fields: fields,
                          kindID: format == nil ? -1 : Int32(truncatingIfNeeded: id))
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
