/// What the format file says about one field (struct tep_format_field).
public struct FieldFormat: Sendable, Hashable {
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        // enum tep_format_flags (event-parse.h).
        public static let array = Flags(rawValue: 1)
        public static let pointer = Flags(rawValue: 2)
        public static let signed = Flags(rawValue: 4)
        public static let string = Flags(rawValue: 8)
        /// `__data_loc`: the field holds a u32 (length << 16 | offset).
        public static let dynamic = Flags(rawValue: 16)
        public static let long = Flags(rawValue: 32)
        /// `__rel_loc`: the offset counts from the end of the field.
        public static let relative = Flags(rawValue: 256)
    }

    public var name: String
    /// The C type as the format file spells it ("unsigned long", "char[16]").
    public var type: String
    public var offset: Int
    public var size: Int
    public var arrayLength: Int
    public var elementSize: Int
    public var flags: Flags

    public init(name: String, type: String, offset: Int, size: Int,
                arrayLength: Int, elementSize: Int, flags: Flags) {
        self.name = name
        self.type = type
        self.offset = offset
        self.size = size
        self.arrayLength = arrayLength
        self.elementSize = elementSize
        self.flags = flags
    }

    /// A string, or an array of a char type ("char[16]", "unsigned char
    /// comm[16]"): read as text. Found with a byte loop: String.contains
    /// with Foundation loaded goes through its locale-aware range(of:), and
    /// every field of every format of a file is asked once at open.
    public var isText: Bool {
        if flags.contains(.string) { return true }
        var tail: UInt32 = 0
        for byte in type.utf8 {
            tail = tail << 8 | UInt32(byte)
            if tail == 0x6368_6172 { return true }  // "char"
        }
        return false
    }
}

/// One event's format as libtraceevent parsed it (struct tep_event), copied
/// into Swift values once per event id.
public struct EventFormat: Sendable {
    public var id: Int
    public var system: String
    public var name: String
    /// The event's own fields, in format order.
    public var fields: [FieldFormat]
    /// common_type, common_flags, common_preempt_count, common_pid, ...
    public var commonFields: [FieldFormat]

    public init(id: Int, system: String, name: String, fields: [FieldFormat], commonFields: [FieldFormat]) {
        self.id = id
        self.system = system
        self.name = name
        self.fields = fields
        self.commonFields = commonFields
    }

    public func field(named name: String) -> FieldFormat? {
        fields.first { $0.name == name } ?? commonFields.first { $0.name == name }
    }
}

/// Where the common fields sit in every record of a file: the same for all
/// events (libtraceevent caches them the same way: tep->type_offset,
/// pid_offset, ... in tep_data_type / tep_data_pid).
public struct CommonFieldLayout: Sendable {
    public struct Slot: Sendable {
        public var offset: Int
        public var size: Int
        public init(offset: Int, size: Int) { self.offset = offset; self.size = size }
    }
    public var type: Slot
    public var flags: Slot?
    public var preemptCount: Slot?
    public var pid: Slot?
    public var migrateDisable: Slot?

    /// The kernel's layout since 2.6.32, used when a file has no format at all.
    public static let standard = CommonFieldLayout(
        type: Slot(offset: 0, size: 2), flags: Slot(offset: 2, size: 1),
        preemptCount: Slot(offset: 3, size: 1), pid: Slot(offset: 4, size: 4),
        migrateDisable: nil)

    public init(type: Slot, flags: Slot?, preemptCount: Slot?, pid: Slot?, migrateDisable: Slot?) {
        self.type = type
        self.flags = flags
        self.preemptCount = preemptCount
        self.pid = pid
        self.migrateDisable = migrateDisable
    }

    init(commonFields: [FieldFormat]) {
        func slot(_ name: String) -> Slot? {
            commonFields.first { $0.name == name }.map { Slot(offset: $0.offset, size: $0.size) }
        }
        self.init(type: slot("common_type") ?? Self.standard.type,
                  flags: slot("common_flags"), preemptCount: slot("common_preempt_count"),
                  pid: slot("common_pid"), migrateDisable: slot("common_migrate_disable"))
    }
}
