/// Where a struct's members sit, as pahole prints them: byte offset and
/// size, and what kind of value each holds once typedefs, const, volatile
/// and type tags are looked through. A kprobe fetches a member with it.
public struct StructLayout: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public enum Value: Sendable, Hashable {
            case pointer
            /// An INT or an ENUM of `size` bytes.
            case integer(signed: Bool)
            /// A struct, union, array, float: nothing a kprobe fetches whole.
            case other
        }

        public var name: String
        /// The member's C type as pahole names it ("struct mm_struct *",
        /// "long unsigned int", "enum mmu_notifier_event").
        public var typeName: String
        public var bitOffset: UInt32
        public var bitfieldSize: UInt32
        /// sizeof the member's type (a bitfield: its base type's).
        public var size: UInt32
        public var value: Value

        public var byteOffset: UInt32 { bitOffset / 8 }
        public var isBitfield: Bool { bitfieldSize != 0 }
    }

    public var name: String
    public var size: UInt32
    public var members: [Member]

    public func member(_ name: String) -> Member? { members.first { $0.name == name } }
}

extension BTFFile {
    /// `struct NAME`'s layout, nil when this BTF has no such struct (a
    /// forward declaration does not count).
    public func structLayout(_ name: String) -> StructLayout? {
        guard let (_, s) = type(named: name, kind: .structure) else { return nil }
        return StructLayout(name: name, size: s.size, members: s.members.map { m in
            let (size, value) = storage(of: m.type)
            return StructLayout.Member(name: m.name, typeName: typeName(m.type), bitOffset: m.bitOffset,
                                       bitfieldSize: m.bitfieldSize, size: size, value: value)
        })
    }

    /// The size of pointers: BTF does not state it, but `long` is pointer
    /// sized on every Linux ABI (LP64, ILP32).
    public var pointerSize: UInt32 {
        types.first { $0.kind == .int && ($0.name == "long unsigned int" || $0.name == "long int") }?.size ?? 8
    }

    /// Follows typedef, const, volatile, restrict and type tags (bounded:
    /// a damaged file may loop).
    func resolved(_ id: UInt32) -> BTFType? {
        var id = id
        for _ in 0..<64 {
            guard Int(id) < types.count else { return nil }
            let t = types[Int(id)]
            switch t.kind {
            case .typedef, .const, .volatile, .restrict, .typeTag: id = t.referredType
            default: return t
            }
        }
        return nil
    }

    func storage(of id: UInt32) -> (UInt32, StructLayout.Member.Value) {
        guard let t = resolved(id) else { return (0, .other) }
        switch t.kind {
        case .pointer: return (pointerSize, .pointer)
        case .int, .enumeration, .enumeration64: return (t.size, .integer(signed: t.isSigned))
        case .array:
            let (element, _) = storage(of: t.referredType)
            return (element * t.elements, .other)
        default: return (t.size, .other)
        }
    }

    /// The C spelling pahole uses for a member's type (arrays as "T[N]").
    func typeName(_ id: UInt32, depth: Int = 0) -> String {
        guard depth < 64, Int(id) < types.count else { return "?" }
        let t = types[Int(id)]
        switch t.kind {
        case .void: return "void"
        case .pointer: return typeName(t.referredType, depth: depth + 1) + " *"
        case .const: return "const " + typeName(t.referredType, depth: depth + 1)
        case .volatile: return "volatile " + typeName(t.referredType, depth: depth + 1)
        case .restrict, .typeTag: return typeName(t.referredType, depth: depth + 1)
        case .array: return typeName(t.referredType, depth: depth + 1) + "[\(t.elements)]"
        case .structure: return "struct " + t.name
        case .union: return "union " + t.name
        case .enumeration, .enumeration64: return "enum " + t.name
        case .forward: return "struct " + t.name
        case .functionPrototype: return "func"
        default: return t.name
        }
    }
}
