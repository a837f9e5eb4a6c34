/// Option ids (enum in trace-cmd-private.h, TRACECMD_OPTION_*).
enum OptionID: UInt16 {
    case done = 0, date = 1, cpuStat = 2, buffer = 3, traceClock = 4, uname = 5, hook = 6
    case offset = 7, cpuCount = 8, version = 9, procMaps = 10, traceID = 11, timeShift = 12
    case guest = 13, tsc2nsec = 14, strings = 15, headerInfo = 16, ftraceEvents = 17
    case eventFormats = 18, kallsyms = 19, printk = 20, cmdlines = 21, bufferText = 22
}

/// What the options of a file say, accumulated the way handle_options
/// (lib/trace-cmd/trace-input.c) applies them.
struct FileOptions {
    /// The bracketed word of the TRACECLOCK option ("local", "x86-tsc").
    var traceClock: String?
    var sawTraceClockOption = false
    /// DATE (µs, stored ×1000) + OFFSET (ns): added to every timestamp.
    var timeOffset: Int64 = 0
    /// TSC2NSEC multiplier and shift (its offset is read but not applied,
    /// like timestamp_calc).
    var tscMultiplier: UInt32 = 0
    var tscShift: UInt32 = 0
    var cpuCount: Int?
    var uname: String?
    /// sched_switch's "print fmt:" line, from the event formats (not an
    /// option, but like the options a fact about the traced kernel).
    var schedSwitchPrintFormat: String?
    var writerVersion: String?
    /// TIME_SHIFT: a guest file's samples of its clock against the host's.
    var guestClock: GuestClockSync?
    /// v6: BUFFER options (instance name, offset of its "flyrecord" block).
    var v6Buffers: [(name: String, offset: Int)] = []
    /// v7: BUFFER options, in file order (the top buffer has name "").
    var v7Buffers: [BufferLayout] = []
    var v7BufferSections: [Int] = []
    /// v7: section offsets from options 16...21, and BUFFER_TEXT.
    var sectionOffsets: [OptionID: Int] = [:]
    var latencyBuffer: (offset: Int, name: String, clock: String)?
    /// v7: the next options section (DONE's payload), 0 = none.
    var nextOptionsOffset = 0
    /// v7: the next options section starts at or runs past the end of the
    /// file, here: the file was cut short.
    var optionsCutAt: Int?

    /// Parses one options list: v6 (DONE has no size) or a v7 options
    /// section payload (DONE carries the next section's offset).
    mutating func read(_ cursor: inout ByteCursor, version: Int) throws {
        while true {
            let idAt = cursor.offset
            let id: UInt16 = try cursor.readInteger("option id")
            if id == 0 && version < 7 { return }
            let size = try cursor.readSize32("option size")
            var payload = cursor
            payload = ByteCursor(region: cursor.region, offset: cursor.offset, end: cursor.offset + size,
                                 endianness: cursor.endianness, path: cursor.path, section: cursor.section,
                                 fileOffsetOfRegion: cursor.fileOffsetOfRegion)
            try cursor.skip(size)
            guard let option = OptionID(rawValue: id) else { continue } // unknown ids are skipped
            if option == .done {
                // Past the end of the file is a truncated file (LayoutV7).
                let next: UInt64 = try payload.readInteger("next options offset")
                guard next <= UInt64(Int.max / 2) else {
                    throw cursor.error("next options offset \(next) is impossible", at: idAt)
                }
                nextOptionsOffset = Int(next)
                return
            }
            try apply(option, &payload, version: version)
        }
    }

    private mutating func apply(_ option: OptionID, _ p: inout ByteCursor, version: Int) throws {
        switch option {
        case .date:
            // ASCII µs (strtoll base 0), added as ns.
            if let us = Self.parseCNumber(p.remainingText()) { timeOffset &+= us &* 1000 }
        case .offset:
            if let ns = Self.parseCNumber(p.remainingText()) { timeOffset &+= ns }
        case .traceClock:
            sawTraceClockOption = true
            if let c = Self.bracketedClock(p.remainingText()) { traceClock = c }
        case .tsc2nsec:
            guard p.remaining >= 8 else { return }
            tscMultiplier = try p.readInteger()
            tscShift = try p.readInteger()
        case .cpuCount:
            let n: UInt32 = try p.readInteger("cpu count")
            guard n <= 1 << 16 else { throw p.error("cpu count \(n) is impossible") }
            cpuCount = Int(n)
        case .uname:
            uname = try? p.readCString()
        case .version:
            writerVersion = try? p.readCString()
        case .timeShift:
            guestClock = try GuestClockSync.read(&p)
        case .buffer:
            let offset: UInt64 = try p.readInteger("buffer offset")
            let name = try p.readCString("buffer name")
            guard offset <= UInt64(p.region.count) || p.fileOffsetOfRegion != nil else {
                throw p.error("buffer \"\(name)\" offset \(offset) points past the end of the file")
            }
            if version < 7 {
                v6Buffers.append((name, Int(offset)))
                return
            }
            let clock = try p.readCString("buffer clock")
            let pageSize = Int(try p.readInteger(as: UInt32.self, "buffer page size"))
            guard pageSize >= 64, pageSize <= 1 << 26 else { throw p.error("bad buffer page size \(pageSize)") }
            let n = Int(try p.readInteger(as: UInt32.self, "buffer cpu count"))
            guard n <= p.remaining / 20 else { throw p.error("buffer cpu count \(n) runs past the option") }
            var extents: [CPUDataExtent] = []
            for _ in 0..<n {
                let cpu = Int(try p.readInteger(as: UInt32.self, "cpu id"))
                let off: UInt64 = try p.readInteger("cpu data offset")
                let size: UInt64 = try p.readInteger("cpu data size")
                guard cpu < 1 << 16, off <= UInt64(Int.max), size <= UInt64(Int.max) else {
                    throw p.error("bad cpu entry (cpu \(cpu))")
                }
                extents.append(CPUDataExtent(cpu: cpu, offset: Int(off), size: Int(size)))
            }
            // handle_buffer_option: CPUs are placed in slots by id; missing
            // ones are empty.
            let slots = (extents.map(\.cpu).max() ?? -1) + 1
            var cpus = (0..<slots).map { CPUDataExtent(cpu: $0, offset: 0, size: 0) }
            for e in extents { cpus[e.cpu] = e }
            v7Buffers.append(BufferLayout(name: name, clock: clock, pageSize: pageSize, cpus: cpus, compressed: false))
            v7BufferSections.append(Int(offset))
        case .bufferText:
            let offset: UInt64 = try p.readInteger("buffer text offset")
            let name = try p.readCString()
            let clock = (try? p.readCString()) ?? ""
            latencyBuffer = (Int(offset), name, clock)
        case .headerInfo, .ftraceEvents, .eventFormats, .kallsyms, .printk, .cmdlines:
            let offset: UInt64 = try p.readInteger("section offset")
            sectionOffsets[option] = Int(clamping: offset)
        default:
            break
        }
    }

    /// The clock between brackets in a trace_clock listing
    /// ("[local] global counter" -> "local"), as tracecmd_parse_trace_clock.
    static func bracketedClock(_ text: String) -> String? {
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\0" }) where word.first == "[" {
            let inner = word.dropFirst().prefix { $0 != "]" }
            return inner.isEmpty ? nil : String(inner)
        }
        return nil
    }

    /// strtoll(text, NULL, 0): optional sign, "0x" hex, leading-0 octal, decimal.
    static func parseCNumber(_ text: String) -> Int64? {
        var s = Substring(text.trimmingPrefix(while: { $0 == " " || $0 == "\t" || $0 == "\n" }))
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        var radix = 10
        if s.hasPrefix("0x") || s.hasPrefix("0X") { radix = 16; s = s.dropFirst(2) }
        else if s.hasPrefix("0") && s.count > 1 { radix = 8 }
        let digits = s.prefix { $0.isHexDigit && Int(String($0), radix: radix) != nil }
        guard let v = Int64(digits, radix: radix) else { return digits.isEmpty ? 0 : nil }
        return negative ? -v : v
    }
}

extension ByteCursor {
    /// The rest of the bytes as text, up to the first NUL.
    func remainingText() -> String {
        let end = region.firstZero(from: offset, end: self.end) ?? self.end
        return region.string(at: offset, count: end - offset)
    }
}

extension String {
    func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring {
        self[...].drop(while: predicate)
    }
}
