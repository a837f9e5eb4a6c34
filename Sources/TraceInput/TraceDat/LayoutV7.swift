import NativeBindings

/// Version 7: sections found through a chain of options sections
/// (trace-cmd.dat.v7(5); read_headers, handle_options, handle_section,
/// handle_buffer_option, init_buffer_cpu_data in trace-input.c).
enum LayoutV7 {
    /// The 16-byte section header: u16 id, u16 flags, s32 description, u64 size.
    struct SectionHeader {
        var id: UInt16
        var compressed: Bool
        var payloadOffset: Int
        var size: Int
    }

    static func readSectionHeader(_ c: inout ByteCursor, at offset: Int, expecting id: OptionID, what: String) throws -> SectionHeader {
        c.section = what
        try c.moveTo(offset, "\(what) offset")
        let at = c.offset
        let found: UInt16 = try c.readInteger("section id")
        let flags: UInt16 = try c.readInteger("section flags")
        _ = try c.readInteger(as: Int32.self, "section description")
        let size = try c.readSize64("section size")
        guard found == id.rawValue else {
            throw c.error("expected section id \(id.rawValue), found \(found)", at: at)
        }
        return SectionHeader(id: found, compressed: flags & 1 != 0, payloadOffset: c.offset, size: size)
    }

    /// A cursor over a section's payload, decompressing its single block
    /// (u32 compressed size, u32 uncompressed size, bytes:
    /// tracecmd_uncompress_block) when the section is compressed.
    static func payload(_ c: ByteCursor, _ s: SectionHeader, decompressor: BlockDecompressor?) throws -> ByteCursor {
        guard s.compressed else {
            return ByteCursor(region: c.region, offset: s.payloadOffset, end: s.payloadOffset + s.size,
                              endianness: c.endianness, path: c.path, section: c.section)
        }
        guard let decompressor else { throw c.error("compressed section in a file without compression", at: s.payloadOffset) }
        var b = ByteCursor(region: c.region, offset: s.payloadOffset, end: s.payloadOffset + s.size,
                           endianness: c.endianness, path: c.path, section: c.section)
        let csize = try b.readSize32("compressed size")
        let usize = Int(try b.readInteger(as: UInt32.self, "uncompressed size"))
        let region: MemoryRegion
        do {
            region = try decompressor.decompress(c.region, at: b.offset, count: csize, expectedSize: usize)
        } catch let e as NativeError {
            throw c.error("corrupt compressed section: \(e.message)", at: s.payloadOffset)
        }
        return ByteCursor(region: region, endianness: c.endianness, path: c.path, section: c.section,
                          fileOffsetOfRegion: s.payloadOffset)
    }

    static func read(_ c: inout ByteCursor, header: FileHeader, tep: TEPHandle, decompressor: BlockDecompressor?,
                     options: inout FileOptions) throws -> (buffers: [BufferLayout], latency: LatencyText?) {
        // The options chain; a visited set keeps a looping chain from hanging.
        var next = header.firstOptionsOffset
        var visited: Set<Int> = []
        while next != 0 {
            guard visited.insert(next).inserted else { throw c.error("options sections form a loop", at: next) }
            let s = try readSectionHeader(&c, at: next, expecting: .done, what: "options")
            var p = try payload(c, s, decompressor: decompressor)
            options.nextOptionsOffset = 0
            try options.read(&p, version: 7)
            next = options.nextOptionsOffset
            guard next < c.region.count else { throw c.error("next options offset \(next) points past the end of the file", at: s.payloadOffset) }
        }

        typealias Reader = (inout ByteCursor) throws -> Void
        var formats = EventFormatTexts()
        let sections: [(OptionID, String, Reader)] = [
            (.headerInfo, "headers", { try Metadata.readHeaderInfo(&$0, into: tep, longSize: header.longSize) }),
            (.ftraceEvents, "ftrace events", { try Metadata.readFtraceFormats(&$0, into: &formats) }),
            (.eventFormats, "events format", { try Metadata.readEventFormats(&$0, into: &formats) }),
            (.kallsyms, "kallsyms", { try Metadata.readKallsyms(&$0, into: tep) }),
            (.printk, "printk", { try Metadata.readPrintkFormats(&$0, into: tep) }),
            (.cmdlines, "command lines", { try Metadata.readCmdlines(&$0, into: tep) }),
        ]
        for (id, name, reader) in sections {
            guard let offset = options.sectionOffsets[id] else { continue }
            let s = try readSectionHeader(&c, at: offset, expecting: id, what: name)
            var p = try payload(c, s, decompressor: decompressor)
            try reader(&p)
        }
        options.schedSwitchPrintFormat = formats.parse(into: tep)

        var buffers: [BufferLayout] = []
        for (layout, offset) in zip(options.v7Buffers, options.v7BufferSections) {
            var b = layout
            let what = b.name.isEmpty ? "buffer flyrecord" : "buffer flyrecord \(b.name)"
            let s = try readSectionHeader(&c, at: offset, expecting: .buffer, what: what)
            b.compressed = s.compressed
            for e in b.cpus where e.size > 0 || e.offset > 0 {
                let need = b.compressed ? 4 : e.size
                guard e.offset <= c.region.count, need <= c.region.count - e.offset else {
                    throw c.error("cpu \(e.cpu) data (offset \(e.offset), size \(e.size)) runs past the end of the file (\(c.region.count) bytes)", at: offset)
                }
            }
            buffers.append(b)
        }
        // The top buffer's clock is the trace clock when no TRACECLOCK said so.
        if options.traceClock == nil, let top = buffers.first(where: { $0.name.isEmpty }), let clock = top.clock, !clock.isEmpty {
            options.traceClock = clock
        }

        var latency: LatencyText?
        if let text = options.latencyBuffer {
            let s = try readSectionHeader(&c, at: text.offset, expecting: .bufferText, what: "buffer latency")
            latency = s.compressed ? .chunked(offset: s.payloadOffset) : .plain(offset: s.payloadOffset, size: s.size)
            if options.traceClock == nil, !text.clock.isEmpty { options.traceClock = text.clock }
        }
        return (buffers, latency)
    }

    /// The decompressor for the compression header (tracecmd_alloc_fd: "none"
    /// = uncompressed; zstd matches on name; zlib on name and major version).
    static func decompressor(for header: FileHeader, _ c: ByteCursor) throws -> BlockDecompressor? {
        switch header.compression {
        case "none": return nil
        case "zstd": return BlockDecompressor(.zstd)
        case "zlib":
            let fileMajor = Int(header.compressionVersion.prefix { $0.isNumber }) ?? 0
            let ourMajor = Int(BlockCompressor.zlibVersionString.prefix { $0.isNumber }) ?? 0
            guard fileMajor <= ourMajor else {
                throw c.error("unsupported file compression zlib \(header.compressionVersion)", at: 0)
            }
            return BlockDecompressor(.zlib)
        default:
            throw c.error("unsupported file compression \(header.compression) \(header.compressionVersion)", at: 0)
        }
    }
}
