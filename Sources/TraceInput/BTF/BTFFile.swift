import Foundation
import NativeBindings

/// A kernel's BTF, as /sys/kernel/btf/vmlinux serves it or as the .BTF
/// section of a vmlinux holds it (Documentation/bpf/btf.rst): a header, a
/// type section and a string section. Type ids count from 1 (0 is void).
///
/// The header's magic 0xEB9F says the byte order; every integer goes
/// through a `ByteCursor` told that order, so nothing above this sees a
/// swapped value. A file compressed with `zstd` (the fixtures) is
/// decompressed first.
public struct BTFFile: Sendable {
    public let path: String
    /// Index 0 is void; type id N is `types[N]`.
    public let types: [BTFType]
    public let endianness: Endianness

    static let magic: UInt16 = 0xEB9F

    /// Reads `path` (read(2), not a mapping: sysfs serves the vmlinux BTF
    /// as a binary attribute that need not support mmap).
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TraceInputError(path: path, message: "cannot read it")
        }
        var region = MemoryRegion(bytes: [UInt8](data))
        if ZstdFrame.starts(region) {
            do { region = try ZstdFrame.decompress(region) } catch {
                throw TraceInputError(path: path, section: "zstd frame", offset: 0, message: "\(error)")
            }
        }
        try self.init(region: region, path: path)
    }

    public init(region: MemoryRegion, path: String) throws {
        self.path = path
        var cursor = ByteCursor(region: region, endianness: .little, path: path, section: "BTF header")
        let stored: UInt16 = try cursor.readInteger("magic")
        if stored == Self.magic {
            endianness = .little
        } else if stored == Self.magic.byteSwapped {
            endianness = .big
        } else {
            throw cursor.error("not BTF: magic 0x\(String(stored, radix: 16)), expected 0xeb9f", at: 0)
        }
        cursor.endianness = endianness
        let version: UInt8 = try cursor.readInteger("version")
        guard version == 1 else { throw cursor.error("BTF version \(version), only 1 is known", at: 2) }
        _ = try cursor.readInteger(as: UInt8.self, "flags")
        let headerLength: UInt32 = try cursor.readInteger("hdr_len")
        let typeOffset: UInt32 = try cursor.readInteger("type_off")
        let typeLength: UInt32 = try cursor.readInteger("type_len")
        let stringOffset: UInt32 = try cursor.readInteger("str_off")
        let stringLength: UInt32 = try cursor.readInteger("str_len")
        // Offsets count from the end of the header, whose length the header
        // states (a newer, longer header is read up to what is known).
        let base = Int(headerLength)
        func section(_ offset: UInt32, _ length: UInt32, _ name: String) throws -> (Int, Int) {
            let start = base + Int(offset), end = start + Int(length)
            guard base >= 24, end <= region.count else {
                throw cursor.error("\(name) [\(start), \(end)) runs past the end (\(region.count) bytes)", at: 4)
            }
            return (start, end)
        }
        let (typeStart, typeEnd) = try section(typeOffset, typeLength, "type section")
        let (stringStart, stringEnd) = try section(stringOffset, stringLength, "string section")
        let strings = BTFStrings(region: region, start: stringStart, end: stringEnd, path: path)
        var reader = ByteCursor(region: region, offset: typeStart, end: typeEnd, endianness: endianness,
                                path: path, section: "BTF type section")
        var types = [BTFType(kind: .void, name: "void", size: 0, referredType: 0, isSigned: false, intBits: 0,
                             elements: 0, members: [])]
        while reader.remaining > 0 {
            types.append(try Self.readType(&reader, strings: strings, id: types.count))
        }
        self.types = types
    }

    /// One `struct btf_type` and the data its kind puts after it.
    static func readType(_ r: inout ByteCursor, strings: BTFStrings, id: Int) throws -> BTFType {
        let at = r.offset
        let nameOffset: UInt32 = try r.readInteger("name_off")
        let info: UInt32 = try r.readInteger("info")
        let sizeOrType: UInt32 = try r.readInteger("size/type")
        let vlen = Int(info & 0xFFFF)
        let kindFlag = info >> 31 != 0
        guard let kind = BTFType.Kind(rawValue: UInt8((info >> 24) & 0x1F)), kind != .void else {
            throw r.error("type \(id): unknown kind \((info >> 24) & 0x1F)", at: at)
        }
        var t = BTFType(kind: kind, name: try strings.string(at: nameOffset, for: r.fileOffset(at)), size: 0,
                        referredType: 0, isSigned: false, intBits: 0, elements: 0, members: [])
        switch kind {
        case .int:
            t.size = sizeOrType
            let encoding: UInt32 = try r.readInteger("int encoding")
            t.isSigned = (encoding >> 24) & 1 != 0  // BTF_INT_SIGNED
            t.intBits = encoding & 0xFF
        case .pointer, .typedef, .volatile, .const, .restrict, .function, .typeTag:
            t.referredType = sizeOrType
        case .array:
            t.referredType = try r.readInteger("array type")
            _ = try r.readInteger(as: UInt32.self, "array index type")
            t.elements = try r.readInteger("array nelems")
        case .structure, .union:
            t.size = sizeOrType
            t.members.reserveCapacity(vlen)
            for _ in 0..<vlen {
                let memberAt = r.offset
                let name: UInt32 = try r.readInteger("member name_off")
                let type: UInt32 = try r.readInteger("member type")
                let offset: UInt32 = try r.readInteger("member offset")
                // With the kind flag, the offset packs the bitfield size in
                // its top 8 bits (BTF_MEMBER_BITFIELD_SIZE / _BIT_OFFSET).
                t.members.append(BTFType.Member(
                    name: try strings.string(at: name, for: r.fileOffset(memberAt)), type: type,
                    bitOffset: kindFlag ? offset & 0xFF_FFFF : offset, bitfieldSize: kindFlag ? offset >> 24 : 0))
            }
        case .enumeration:
            t.size = sizeOrType
            t.isSigned = kindFlag
            try r.skip(8 * vlen, "enum values")
        case .enumeration64:
            t.size = sizeOrType
            t.isSigned = kindFlag
            try r.skip(12 * vlen, "enum64 values")
        case .forward:
            break
        case .functionPrototype:
            try r.skip(8 * vlen, "function parameters")
        case .variable:
            t.referredType = sizeOrType
            try r.skip(4, "variable linkage")
        case .dataSection:
            t.size = sizeOrType
            try r.skip(12 * vlen, "data section variables")
        case .float:
            t.size = sizeOrType
        case .declarationTag:
            t.referredType = sizeOrType
            try r.skip(4, "decl tag component index")
        case .void:
            break
        }
        return t
    }

    /// The first type of `kind` named `name`.
    public func type(named name: String, kind: BTFType.Kind) -> (id: UInt32, type: BTFType)? {
        guard let i = types.firstIndex(where: { $0.kind == kind && $0.name == name }) else { return nil }
        return (UInt32(i), types[i])
    }

    /// The names of the kernel functions BTF describes (BTF_KIND_FUNC).
    public var functionNames: Set<String> {
        Set(types.lazy.filter { $0.kind == .function }.map(\.name))
    }
}

/// The string section: NUL-terminated names at offsets.
struct BTFStrings {
    let region: MemoryRegion
    let start: Int
    let end: Int
    let path: String

    func string(at offset: UInt32, for fileOffset: UInt64) throws -> String {
        let at = start + Int(offset)
        guard at < end, let zero = region.firstZero(from: at, end: end) else {
            throw TraceInputError(path: path, section: "BTF type section", offset: fileOffset,
                                  message: "name offset \(offset) is outside the string section")
        }
        return region.string(at: at, count: zero - at)
    }
}
