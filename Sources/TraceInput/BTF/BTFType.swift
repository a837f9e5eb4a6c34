/// One entry of a BTF type section (Documentation/bpf/btf.rst, "Type
/// Encoding"), with what the layouts need of it: its kind and name, its
/// size or the type it refers to, and the kind-specific data that follows.
public struct BTFType: Sendable {
    /// BTF_KIND_* (include/uapi/linux/btf.h).
    public enum Kind: UInt8, Sendable {
        case void = 0, int, pointer, array, structure, union, enumeration, forward, typedef, volatile, const,
             restrict, function, functionPrototype, variable, dataSection, float, declarationTag, typeTag,
             enumeration64
    }

    /// A struct or union member: `bitOffset` from the start of the
    /// aggregate, `bitfieldSize` 0 unless it is a bitfield.
    public struct Member: Sendable, Hashable {
        public var name: String
        public var type: UInt32
        public var bitOffset: UInt32
        public var bitfieldSize: UInt32
    }

    public var kind: Kind
    public var name: String
    /// `size` of INT, STRUCT, UNION, ENUM, FLOAT, DATASEC; else 0.
    public var size: UInt32
    /// The type referred to by PTR, TYPEDEF, VOLATILE, CONST, RESTRICT,
    /// FUNC, TYPE_TAG, DECL_TAG, VAR; an ARRAY's element type.
    public var referredType: UInt32
    /// INT: BTF_INT_SIGNED. ENUM / ENUM64: the kind flag (signed values).
    public var isSigned: Bool
    /// INT: the bits used (BTF_INT_BITS).
    public var intBits: UInt32
    /// ARRAY: the element count.
    public var elements: UInt32
    public var members: [Member]
}
