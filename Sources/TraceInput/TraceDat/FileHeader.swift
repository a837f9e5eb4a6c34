/// The fixed start of every trace.dat file (trace-cmd.dat.v6(5), v7(5);
/// read by tracecmd_alloc_fd in lib/trace-cmd/trace-input.c):
/// magic 0x17 0x08 0x44 "tracing", the version as ASCII + NUL, the endian
/// byte, the recording userspace's long size, and the page (sub-buffer) size.
struct FileHeader {
    static let magic: [UInt8] = [0x17, 0x08, 0x44] + Array("tracing".utf8)

    var version: Int
    var endianness: Endianness
    /// sizeof(long) of the recording userspace (tep_set_long_size).
    var longSize: Int
    var pageSize: Int
    /// v7 only: "none", "zstd", "zlib" (+ the writer's library version).
    var compression = "none"
    var compressionVersion = ""
    /// v7 only: file offset of the first options section.
    var firstOptionsOffset = 0

    /// Reads the header and leaves `cursor` just after it (after the v7
    /// compression header and options offset).
    static func read(_ cursor: inout ByteCursor) throws -> FileHeader {
        cursor.section = "header"
        let start = cursor.offset
        let magicBytes = try cursor.readBytes(magic.count, "magic")
        guard magicBytes == magic else {
            throw cursor.error("not a trace.dat file (wrong magic)", at: start)
        }
        let versionAt = cursor.offset
        let versionText = try cursor.readCString("version")
        guard let version = Int(versionText), version == 6 || version == 7 else {
            throw cursor.error("unsupported file version \"\(versionText.prefix(16))\" (this reader knows 6 and 7)",
                               at: versionAt)
        }
        let endianAt = cursor.offset
        let endianByte: UInt8 = try cursor.readInteger(as: UInt8.self, "endian byte")
        guard endianByte <= 1 else { throw cursor.error("bad endian byte \(endianByte)", at: endianAt) }
        let endianness: Endianness = endianByte == 0 ? .little : .big
        cursor.endianness = endianness
        let longAt = cursor.offset
        let longSize = Int(try cursor.readInteger(as: UInt8.self, "long size"))
        guard longSize == 4 || longSize == 8 else { throw cursor.error("bad long size \(longSize)", at: longAt) }
        let pageAt = cursor.offset
        let pageSize = Int(try cursor.readInteger(as: UInt32.self, "page size"))
        guard pageSize >= 64, pageSize <= 1 << 26 else { throw cursor.error("bad page size \(pageSize)", at: pageAt) }
        var header = FileHeader(version: version, endianness: endianness, longSize: longSize, pageSize: pageSize)
        if version >= 7 {
            cursor.section = "compression header"
            header.compression = try cursor.readCString("compression name")
            header.compressionVersion = try cursor.readCString("compression version")
            let at = cursor.offset
            let options: UInt64 = try cursor.readInteger("options offset")
            guard options < UInt64(cursor.end) else {
                // A v7 file's first options section places everything else (event
                // formats, kallsyms, CPU data); a copy cut before it holds no event
                // that can be read, so this is the one cut that is refused.
                throw cursor.error("options offset \(options) points past the end of the file (\(cursor.end) bytes): "
                                   + "cut short or corrupt; the section that places the event formats and CPU data is missing",
                                   at: at)
            }
            header.firstOptionsOffset = Int(options)
        }
        return header
    }
}
