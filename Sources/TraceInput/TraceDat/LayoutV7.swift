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
        // A buffer section's size covers its CPU data, which a truncated
        // file lacks in part: its pages are checked as they are read.
        let size = id == .buffer ? Int(min(try c.readInteger(as: UInt64.self), UInt64(c.region.count)))
                                 : try c.readSize64("section size")
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
        // Where the last options section read ends: trace-cmd writes the
        // top buffer's section right there (see `recoverBuffer`).
        var lastOptionsEnd = 0
        while next != 0 {
            guard visited.insert(next).inserted else { throw c.error("options sections form a loop", at: next) }
            // trace-cmd writes the last options section (BUFFER, with the CPU
            // data's offsets) after the data: a file cut short loses it.
            if next + 16 > c.region.count {
                options.optionsCutAt = next
                break
            }
            let s = try readSectionHeader(&c, at: next, expecting: .done, what: "options")
            if s.size > c.region.count - s.payloadOffset, lastOptionsEnd > 0 {
                options.optionsCutAt = next
                break
            }
            var p = try payload(c, s, decompressor: decompressor)
            options.nextOptionsOffset = 0
            try options.read(&p, version: 7)
            lastOptionsEnd = s.payloadOffset + s.size
            next = options.nextOptionsOffset
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
            // Data past the end of the file: whole pages are read, the rest
            // reported (uncompressed); chunks are checked as they are read
            // (PageSource). Size 0 is an empty CPU wherever it points.
            b.cpus = b.cpus.map { e in
                guard b.compressed else { return e.clipped(toFile: c.region.count, pageSize: b.pageSize) }
                if e.size == 0 { return CPUDataExtent(cpu: e.cpu, offset: 0, size: 0) }
                if e.offset > c.region.count - 4 {
                    return CPUDataExtent(cpu: e.cpu, offset: 0, size: 0, missing: e.size)
                }
                return e
            }
            buffers.append(b)
        }
        if buffers.isEmpty, let cut = options.optionsCutAt, lastOptionsEnd > 0 {
            buffers = [try recoverBuffer(&c, at: lastOptionsEnd, cutAt: cut, header: header, options: options)]
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

    /// The top buffer of a file that ends before its last options section
    /// (the BUFFER option that says where each CPU's data is). trace-cmd
    /// (out_write_cpu_data in trace-output.c) writes the buffer's section
    /// right after the options section listing the metadata, then each CPU's
    /// data from a page boundary, in CPU order; compressed data is a chunk
    /// count and chunks, so each CPU's end is found by walking its chunks.
    /// Uncompressed data has no such marks: the file cannot be split by CPU.
    static func recoverBuffer(_ c: inout ByteCursor, at offset: Int, cutAt: Int, header: FileHeader,
                              options: FileOptions) throws -> BufferLayout {
        let s = try readSectionHeader(&c, at: offset, expecting: .buffer, what: "buffer flyrecord")
        guard s.compressed else {
            throw c.error("the file ends at byte \(c.region.count), before the options section at \(cutAt) that places each CPU's data; uncompressed data cannot be split by CPU without it", at: offset)
        }
        let cpus = options.cpuCount ?? 1
        let page = header.pageSize
        var at = s.payloadOffset
        var extents: [CPUDataExtent] = []
        for cpu in 0..<cpus {
            at = (at + page - 1) / page * page
            guard at + 4 <= c.region.count else {
                // The file ends before this CPU's data: none of it is here,
                // how much there was is not known.
                extents.append(CPUDataExtent(cpu: cpu, offset: 0, size: 0, missing: 0))
                continue
            }
            let start = at
            let chunks = Int(c.endianness.decode(c.region.load(at: at, as: UInt32.self)))
            at += 4
            for _ in 0..<chunks {
                guard at + 8 <= c.region.count else { at = c.region.count; break }
                let csize = Int(c.endianness.decode(c.region.load(at: at, as: UInt32.self)))
                at = csize > c.region.count - (at + 8) ? c.region.count : at + 8 + csize
            }
            extents.append(CPUDataExtent(cpu: cpu, offset: start, size: at - start))
        }
        return BufferLayout(name: "", clock: options.traceClock, pageSize: page, cpus: extents, compressed: true,
                            recovered: true)
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
