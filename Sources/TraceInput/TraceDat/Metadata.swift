import NativeBindings

/// The metadata blocks shared by v6 (in file order) and v7 (one per section),
/// fed to libtraceevent the way trace-cmd 3.1.6 reads them
/// (read_header_files, read_ftrace_files, read_event_files,
/// read_proc_kallsyms, read_ftrace_printk, read_and_parse_cmdlines).
enum Metadata {
    /// "header_page\0" u64 text, "header_event\0" u64 text. The header_event
    /// text is skipped, as trace-cmd skips it.
    static func readHeaderInfo(_ c: inout ByteCursor, into tep: TEPHandle, longSize: Int) throws {
        c.section = "header_page"
        try expectTag(&c, "header_page")
        let pageSize = try c.readSize64("header_page size")
        let page = try c.readBytes(pageSize, "header_page")
        tep.parseHeaderPage(page, longSize: longSize)
        c.section = "header_event"
        try expectTag(&c, "header_event")
        let eventSize = try c.readSize64("header_event size")
        try c.skip(eventSize, "header_event")
    }

    /// u32 count, then count × { u64 size; format } of the "ftrace" system.
    static func readFtraceFormats(_ c: inout ByteCursor, into formats: inout EventFormatTexts) throws {
        c.section = "ftrace event formats"
        let count: UInt32 = try c.readInteger("ftrace format count")
        for _ in 0..<count {
            let size = try c.readSize64("format size")
            formats.texts.append((try c.readBytes(size, "format"), "ftrace"))
        }
    }

    /// u32 systems, per system { name\0; u32 count; count × { u64; format } }.
    static func readEventFormats(_ c: inout ByteCursor, into formats: inout EventFormatTexts) throws {
        c.section = "event formats"
        let systems: UInt32 = try c.readInteger("system count")
        for _ in 0..<systems {
            let system = try c.readCString("system name")
            let count: UInt32 = try c.readInteger("event count")
            for _ in 0..<count {
                let size = try c.readSize64("format size")
                formats.texts.append((try c.readBytes(size, "format"), system))
            }
        }
    }

    static func readKallsyms(_ c: inout ByteCursor, into tep: TEPHandle) throws {
        c.section = "kallsyms"
        let size = try c.readSize32("kallsyms size")
        // Read in place when a symbol is first needed (TEPHandle.symbolize).
        let region = c.region, offset = c.offset
        try c.skip(size, "kallsyms")
        if size > 0 { tep.parseKallsyms(in: region, at: offset, count: size) }
    }

    static func readPrintkFormats(_ c: inout ByteCursor, into tep: TEPHandle) throws {
        c.section = "printk formats"
        let size = try c.readSize32("printk formats size")
        if size > 0 { tep.parsePrintkFormats(try c.readBytes(size, "printk formats")) }
    }

    static func readCmdlines(_ c: inout ByteCursor, into tep: TEPHandle) throws {
        c.section = "cmdlines"
        let size = try c.readSize64("cmdlines size")
        if size > 0 { tep.parseSavedCmdlines(try c.readBytes(size, "cmdlines")) }
    }

    private static func expectTag(_ c: inout ByteCursor, _ tag: String) throws {
        let at = c.offset
        let found = try c.readCString(tag + " tag")
        guard found == tag else { throw c.error("expected \"\(tag)\", found \"\(found.prefix(20))\"", at: at) }
    }
}

/// Event format texts read from the file and handed to libtraceevent after
/// the kallsyms section has been found, in the order they were read: so
/// that the kallsyms index (TEPHandle.indexSymbolsEarly) is built on the
/// other core while the formats are parsed.
struct EventFormatTexts {
    var texts: [(text: [UInt8], system: String)] = []

    /// Parses every format; returns sched_switch's print fmt line, whose
    /// prev_state table the model reads (TraceInfo.schedSwitchPrintFormat).
    func parse(into tep: TEPHandle) -> String? {
        var schedSwitch: String?
        for f in texts {
            tep.parseEvent(f.text, system: f.system)
            if f.system == "sched", f.text.starts(with: Array("name: sched_switch\n".utf8)),
               let line = String(decoding: f.text, as: UTF8.self).split(separator: "\n")
                .first(where: { $0.hasPrefix("print fmt:") }) {
                schedSwitch = String(line)
            }
        }
        return schedSwitch
    }
}
