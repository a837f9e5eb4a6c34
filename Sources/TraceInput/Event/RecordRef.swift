/// What `TraceReader.nextRecord()` yields: a record seen in place where the
/// reader can offer one (trace.dat), otherwise an event, or a drop marker.
public enum RecordItem {
    case record(RecordRef)
    case event(TraceEvent)
    case lost(EventsLost)
}

/// One trace.dat record, looked at where the reader keeps it: its header
/// values, and its fields read straight from the payload bytes. Nothing is
/// copied or allocated until `event()` is asked for, so a consumer that only
/// counts most records (the model counts page frees, tlb flushes, wakeups,
/// and functions no binding names) pays for events only where it needs them.
///
/// Valid until the reader's next `nextRecord()` or `next()`: it refers to
/// the reader's current record without owning it.
public struct RecordRef {
    public let timestamp: UInt64
    public let cpu: Int
    public let pid: Int32
    public let context: ExecutionContext
    /// The event id (`TraceEvent.kindID`): events of one id share one kind
    /// and one field layout; -1 for an id the file has no format for.
    public let kindID: Int32
    // Not retained: the record lives only as long as the reader holds it
    // current, and the reader outlives every use (see above). Unmanaged,
    // not unowned(unsafe): a call through an unowned(unsafe) reference
    // still retains it for the call's length, twice per field read.
    let reader: Unmanaged<TraceDatReader>
    let cursor: Unmanaged<DecodedCursor>
    /// The kind's layout; nil for an id without a format.
    let kind: Unmanaged<RecordKind>?
    let endianness: Endianness

    /// The record as an event, like `next()` would have given it.
    public func event() -> TraceEvent {
        reader._withUnsafeGuaranteedRef { r in cursor._withUnsafeGuaranteedRef { r.event(of: $0) } }
    }

    /// The task name of `pid` (the file's saved_cmdlines).
    public var comm: String { reader._withUnsafeGuaranteedRef { $0.comm(of: pid) } }

    /// The index of `name` in the kind's fields (`EventFields.index(of:)`).
    public func fieldIndex(of name: String) -> Int? {
        kind?._withUnsafeGuaranteedRef { $0.format.fields.firstIndex { $0.name == name } }
    }

    /// The integer field at `index` as `field(at:)?.int64` gives it (signed
    /// fields sign-extended, unsigned ones bit for bit), without making a
    /// FieldValue; nil for arrays, strings and fields not kept.
    @inline(__always)
    public func integerField(at index: Int) -> Int64? {
        scalar(at: index).map { raw, slot in
            guard slot.isSigned else { return Int64(bitPattern: raw) }
            let shift = UInt64(64 - slot.size * 8)
            return Int64(bitPattern: raw << shift) >> shift
        }
    }

    /// The unsigned integer field at `index` (`case .unsigned(let v)` of
    /// `field(at:)`); nil for signed fields, arrays, strings, fields not kept.
    @inline(__always)
    public func unsignedField(at index: Int) -> UInt64? {
        guard let (raw, slot) = scalar(at: index), !slot.isSigned else { return nil }
        return raw
    }

    @inline(__always)
    private func scalar(at index: Int) -> (UInt64, FieldSlot)? {
        read(index) { slot, bytes in
            guard !slot.isDynamic, !slot.isArray else { return nil }
            return RecordPayload.unsigned(at: slot.offset, size: slot.size, in: bytes, endianness: endianness)
                .map { ($0, slot) }
        }
    }

    /// The field at `index` of the kind's fields, read from the payload
    /// (`EventFields[index:]`); nil where the payload was not kept
    /// (`TraceReader.decodeFields(only:)`).
    @inline(__always)
    public func field(at index: Int) -> FieldValue? {
        read(index) { RecordPayload.value(of: $0, in: $1, endianness: endianness) }
    }

    /// `body` with the slot of field `index` and the record's kept payload;
    /// nil where the kind has no such field or its payload was not kept.
    @inline(__always)
    private func read<T>(_ index: Int, _ body: (FieldSlot, UnsafeRawBufferPointer) -> T?) -> T? {
        guard let kind else { return nil }
        return kind._withUnsafeGuaranteedRef { k -> T? in
            guard k.decodesFields, index >= 0, index < k.slots.count else { return nil }
            let slot = k.slots[index]
            return cursor._withUnsafeGuaranteedRef { c in c.withPayload { body(slot, $0) } }
        }
    }
}
