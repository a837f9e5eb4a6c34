/// A field value as an analysis sees it, whatever the source.
public enum FieldValue: Sendable, Hashable {
    case signed(Int64)
    case unsigned(UInt64)
    case string(String)
    case bytes([UInt8])

    /// The value as a signed integer, if it is one (unsigned values are
    /// reinterpreted bit for bit, as the kernel's `long` casts do).
    public var int64: Int64? {
        switch self {
        case .signed(let v): return v
        case .unsigned(let v): return Int64(bitPattern: v)
        default: return nil
        }
    }

    /// The value as an unsigned integer (addresses, sizes).
    public var uint64: UInt64? {
        switch self {
        case .signed(let v): return UInt64(bitPattern: v)
        case .unsigned(let v): return v
        default: return nil
        }
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// Decodes an event's fields on demand. Readers provide one per event: the
/// trace.dat reader decodes from the record bytes and the event's format, the
/// text reader from the `key=value` payload of the line.
public protocol FieldDecoder: Sendable {
    /// Field names in format order.
    var fieldNames: [String] { get }
    func value(of name: String) -> FieldValue?
    /// The value of the field named `fieldNames[index]`.
    func value(at index: Int) -> FieldValue?
}

extension FieldDecoder {
    public func value(at index: Int) -> FieldValue? {
        let names = fieldNames
        return index >= 0 && index < names.count ? value(of: names[index]) : nil
    }
}

/// An event's own fields, decoded lazily through the reader's decoder.
public struct EventFields: Sendable {
    private let decoder: any FieldDecoder

    public init(_ decoder: any FieldDecoder) { self.decoder = decoder }

    /// Fields already decoded (tests, synthetic events).
    public init(_ pairs: [(String, FieldValue)]) {
        self.decoder = DecodedFields(pairs: pairs)
    }

    public var names: [String] { decoder.fieldNames }
    public subscript(name: String) -> FieldValue? { decoder.value(of: name) }
    /// The field at `index` of `names`: events of one kind of a trace.dat
    /// share one format, so a consumer reading the same field of many of
    /// them finds its index once (`index(of:)`) instead of its name each time.
    public subscript(index index: Int) -> FieldValue? { decoder.value(at: index) }
    public func index(of name: String) -> Int? { decoder.fieldNames.firstIndex(of: name) }
    public func int(_ name: String) -> Int64? { decoder.value(of: name)?.int64 }
    public func uint(_ name: String) -> UInt64? { decoder.value(of: name)?.uint64 }
    public func string(_ name: String) -> String? { decoder.value(of: name)?.string }
}

/// Fields that are already values.
struct DecodedFields: FieldDecoder {
    let pairs: [(String, FieldValue)]
    var fieldNames: [String] { pairs.map(\.0) }
    func value(of name: String) -> FieldValue? {
        pairs.first(where: { $0.0 == name })?.1
    }
}
