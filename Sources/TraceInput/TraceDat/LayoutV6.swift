import NativeBindings

/// Version 6: everything is in file order (trace-cmd.dat.v6(5);
/// read_headers_v6, read_cpu_data, init_data_v6 in trace-input.c).
enum LayoutV6 {
    static func read(_ c: inout ByteCursor, header: FileHeader, tep: TEPHandle,
                     options: inout FileOptions) throws -> (buffers: [BufferLayout], latency: LatencyText?, headerCPUs: Int) {
        try Metadata.readHeaderInfo(&c, into: tep, longSize: header.longSize)
        var formats = EventFormatTexts()
        try Metadata.readFtraceFormats(&c, into: &formats)
        try Metadata.readEventFormats(&c, into: &formats)
        try Metadata.readKallsyms(&c, into: tep)
        options.schedSwitchPrintFormat = formats.parse(into: tep)
        try Metadata.readPrintkFormats(&c, into: tep)
        try Metadata.readCmdlines(&c, into: tep)
        c.section = "cpu count"
        let cpusAt = c.offset
        let cpus = Int(try c.readInteger(as: UInt32.self, "cpu count"))
        guard cpus <= 1 << 16 else { throw c.error("cpu count \(cpus) is impossible", at: cpusAt) }

        let kind = try readOptionsAndTag(&c, options: &options)
        if kind == .latency {
            // init_data_v6 reads "u64 size + clock" even here when a
            // TRACECLOCK option was seen, eating 8 bytes of the text.
            if options.sawTraceClockOption { try c.skip(min(8, c.remaining)) }
            return ([], .plain(offset: c.offset, size: c.remaining), cpus)
        }
        var top = try readFlyrecord(&c, cpus: options.cpuCount ?? cpus, header: header, name: "")
        if options.sawTraceClockOption {
            // The "[clock]" written after the CPU pairs (read_and_parse_trace_clock).
            c.section = "trace clock"
            if let size: UInt64 = try? c.readInteger(), size <= UInt64(c.remaining),
               let text = try? c.readBytes(Int(size)) {
                if let clock = FileOptions.bracketedClock(String(decoding: text, as: UTF8.self)) {
                    options.traceClock = clock
                }
            }
        }
        top.clock = options.traceClock
        var buffers = [top]
        for (name, offset) in options.v6Buffers {
            // tracecmd_buffer_instance_handle: seek, read_options_type, read_cpu_data.
            var ic = c
            ic.section = "buffer \(name)"
            try ic.moveTo(offset, "buffer \(name) offset")
            var instanceOptions = FileOptions()
            _ = try readOptionsAndTag(&ic, options: &instanceOptions)
            var b = try readFlyrecord(&ic, cpus: instanceOptions.cpuCount ?? options.cpuCount ?? cpus, header: header, name: name)
            b.clock = options.traceClock
            buffers.append(b)
        }
        return (buffers, nil, cpus)
    }

    enum DataKind { case flyrecord, latency }

    /// `"options  \0"` + options (any number of times), then `"flyrecord\0"`
    /// or `"latency  \0"` (read_options_type compares the first 7 / 9 bytes).
    static func readOptionsAndTag(_ c: inout ByteCursor, options: inout FileOptions) throws -> DataKind {
        while true {
            c.section = "data tag"
            let at = c.offset
            let tag = try c.readBytes(10, "10-byte tag")
            let text = String(decoding: tag.prefix(9), as: UTF8.self)
            if text.hasPrefix("options") {
                c.section = "options"
                try options.read(&c, version: 6)
                continue
            }
            if text.hasPrefix("latency") { return .latency }
            if text == "flyrecord" { return .flyrecord }
            throw c.error("expected options, latency or flyrecord, found \"\(text.filter { $0.isASCII && !$0.isWhitespace && $0 != "\0" })\"", at: at)
        }
    }

    /// cpus × { u64 offset; u64 size } after "flyrecord".
    static func readFlyrecord(_ c: inout ByteCursor, cpus: Int, header: FileHeader, name: String) throws -> BufferLayout {
        c.section = name.isEmpty ? "flyrecord" : "flyrecord \(name)"
        var extents: [CPUDataExtent] = []
        for cpu in 0..<cpus {
            let at = c.offset
            let offset: UInt64 = try c.readInteger("cpu \(cpu) data offset")
            let size: UInt64 = try c.readInteger("cpu \(cpu) data size")
            guard offset <= UInt64(Int.max / 2), size <= UInt64(Int.max / 2) else {
                throw c.error("cpu \(cpu) data (offset \(offset), size \(size)) is impossible", at: at)
            }
            // Data past the end of the file is a truncated file: its whole
            // pages are read, the rest is reported (TraceDatFile).
            extents.append(CPUDataExtent(cpu: cpu, offset: Int(offset), size: Int(size))
                .clipped(toFile: c.region.count, pageSize: header.pageSize))
        }
        return BufferLayout(name: name, clock: nil, pageSize: header.pageSize, cpus: extents, compressed: false)
    }
}
