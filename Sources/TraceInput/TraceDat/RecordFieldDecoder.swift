import NativeBindings

/// Decodes a trace.dat record's fields on demand from a copy of its payload
/// and its event format: integers by size and signedness, fixed arrays,
/// and `__data_loc` / `__rel_loc` dynamic fields (tep_read_number_field,
/// tep_get_field_raw in libtraceevent's event-parse.c).
struct RecordFieldDecoder: FieldDecoder {
    let payload: [UInt8]
    /// Shared by every record of the kind: a reference keeps the decoder small
    /// enough to sit inside `EventFields` without a heap box of its own.
    let kind: RecordKind
    var format: EventFormat { kind.format }
    let endianness: Endianness

    init(payload: [UInt8], kind: RecordKind, endianness: Endianness) {
        self.payload = payload
        self.kind = kind
        self.endianness = endianness
    }

    var fieldNames: [String] { format.fields.map(\.name) }

    func value(of name: String) -> FieldValue? {
        guard let field = format.field(named: name) else { return nil }
        return value(of: FieldSlot(field))
    }

    func value(at index: Int) -> FieldValue? {
        let slots = kind.slots
        return index >= 0 && index < slots.count ? value(of: slots[index]) : nil
    }

    private func value(of field: FieldSlot) -> FieldValue? {
        payload.withUnsafeBytes { RecordPayload.value(of: field, in: $0, endianness: endianness) }
    }
}

/// Reads fields out of a record's payload bytes, wherever they are kept (a
/// copy per event, or a batch's shared array).
enum RecordPayload {
    static func value(of field: FieldSlot, in payload: UnsafeRawBufferPointer, endianness: Endianness) -> FieldValue? {
        if field.isDynamic {
            // u32: offset in the low 16 bits, length in the high 16; 2-byte
            // fields (very old kernels) hold the offset only.
            guard let loc = unsigned(at: field.offset, size: field.size, in: payload, endianness: endianness) else {
                return nil
            }
            var offset = Int(field.size == 4 ? loc & 0xffff : loc)
            var length = field.size == 4 ? Int(loc >> 16) : payload.count - offset
            if field.isRelative { offset += field.offset + field.size }
            guard offset >= 0, offset <= payload.count else { return nil }
            length = min(length, payload.count - offset)
            return bytesValue(UnsafeRawBufferPointer(rebasing: payload[offset..<offset + length]), field: field)
        }
        if field.isArray {
            guard field.offset >= 0, field.offset + field.size <= payload.count else { return nil }
            return bytesValue(UnsafeRawBufferPointer(rebasing: payload[field.offset..<field.offset + field.size]),
                              field: field)
        }
        guard let raw = unsigned(at: field.offset, size: field.size, in: payload, endianness: endianness) else {
            return nil
        }
        if field.isSigned {
            let bits = UInt64(field.size * 8)
            let shift = 64 - bits
            return .signed(Int64(bitPattern: raw << shift) >> shift)
        }
        return .unsigned(raw)
    }

    private static func bytesValue(_ bytes: UnsafeRawBufferPointer, field: FieldSlot) -> FieldValue {
        if field.isText {
            let text = bytes.prefix { $0 != 0 }
            return .string(String(decoding: text, as: UTF8.self))
        }
        return .bytes(Array(bytes))
    }

    @inline(__always)
    static func unsigned(at offset: Int, size: Int, in payload: UnsafeRawBufferPointer,
                         endianness: Endianness) -> UInt64? {
        guard offset >= 0, offset + size <= payload.count else { return nil }
        // One unaligned load of the field's width, swapped at the edge.
        let little = endianness == .little
        switch size {
        case 1:
            return UInt64(payload[offset])
        case 2:
            let v = payload.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
            return UInt64(little ? UInt16(littleEndian: v) : UInt16(bigEndian: v))
        case 4:
            let v = payload.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            return UInt64(little ? UInt32(littleEndian: v) : UInt32(bigEndian: v))
        case 8:
            let v = payload.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            return little ? UInt64(littleEndian: v) : UInt64(bigEndian: v)
        default:
            return nil
        }
    }
}

/// What a trace.dat reader knows about one event id, worked out once.
final class RecordKind: Sendable {
    let format: EventFormat
    let system: String
    let name: String
    /// `format.fields`, as read per record.
    let slots: [FieldSlot]
    /// Whether events of this kind get their fields (see
    /// `TraceReader.decodeFields(only:)`).
    let decodesFields: Bool
    /// Whether its records are tallied, not handed out (see
    /// `TraceReader.tally(only:)`).
    let tallied: Bool

    init(format: EventFormat, decodesFields: Bool, tallied: Bool = false) {
        self.format = format
        system = format.system
        name = format.name
        slots = format.fields.map(FieldSlot.init)
        self.decodesFields = decodesFields
        self.tallied = tallied
    }
}

/// Where a field sits and how to read it, without the format's strings: a
/// field read per record then retains nothing and searches no type name.
/// The flags are read into Bools once: testing an OptionSet's static
/// members goes through their lazy initializers on every record.
struct FieldSlot: Sendable {
    let offset: Int
    let size: Int
    let isDynamic: Bool
    let isRelative: Bool
    let isArray: Bool
    let isSigned: Bool
    /// A string (or char array) rather than bytes.
    let isText: Bool

    init(_ f: FieldFormat) {
        offset = f.offset
        size = f.size
        isDynamic = f.flags.contains(.dynamic)
        isRelative = f.flags.contains(.relative)
        isArray = f.flags.contains(.array)
        isSigned = f.flags.contains(.signed)
        isText = f.isText
    }
}
