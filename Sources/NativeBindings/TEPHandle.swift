import CTraceEvent
import CTraceSupport

/// Owns a libtraceevent `tep_handle`: the event formats, kallsyms, printk
/// formats and saved command lines of one trace file, parsed the way
/// trace-cmd 3.1.6 feeds them (lib/trace-cmd/trace-input.c, read_header_files,
/// read_ftrace_files, read_event_files, read_proc_kallsyms,
/// read_ftrace_printk, read_and_parse_cmdlines). No plugin is ever loaded:
/// the output must match `trace-cmd report -N`.
///
/// Not Sendable, and not thread-safe: libtraceevent's handle and the caches
/// here (formats, comms, the lazy symbol index) are unlocked. The one owner,
/// TraceDatFile, uses it from one thread while opening, starting the reader
/// and printing, and after counting threads are joined; while decode or
/// counting threads run, every call goes through its SharedLookups, which
/// holds a lock around each (and is the only Sendable way to the handle).
public final class TEPHandle {
    let tep: OpaquePointer
    private var formatCache: [Int: EventFormat?] = [:]
    private var commCache: [Int32: String] = [:]
    private var pendingKallsyms: (region: MemoryRegion, offset: Int, count: Int)?
    private var earlySymbols: BackgroundWork<KernelSymbols>?
    private lazy var kernelSymbols: KernelSymbols? = earlySymbols?.value ?? pendingKallsyms.map {
        KernelSymbols(region: $0.region, offset: $0.offset, count: $0.count)
    }

    /// Set before the kallsyms are read by a caller that will name
    /// functions: their index is then built on a thread of its own from the
    /// moment the text is found, while the rest of the file is read.
    public var indexSymbolsEarly = false
    private var pendingCmdlines: [UInt8]?

    /// tep_alloc + tep_set_file_bigendian + tep_set_local_bigendian +
    /// tep_set_long_size, in tracecmd_alloc_fd's order.
    public init(fileIsBigEndian: Bool, longSize: Int) {
        tep = tep_alloc()
        tep_set_file_bigendian(tep, fileIsBigEndian ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN)
        tep_set_local_bigendian(tep, hostIsBigEndian ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN)
        tep_set_long_size(tep, Int32(longSize))
    }

    deinit {
        tep_free(tep)
        if let libraryReference { tep_free(libraryReference) }
    }

    private var hostIsBigEndian: Bool { 1.bigEndian == 1 }

    // MARK: Metadata

    /// tep_parse_header_page; false when libtraceevent fell back to the old
    /// (pre-2.6.31) format, which an empty header_page text also gives.
    @discardableResult
    public func parseHeaderPage(_ text: [UInt8], longSize: Int) -> Bool {
        var buf = text
        buf.append(0)
        return buf.withUnsafeMutableBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) {
                tep_parse_header_page(tep, $0.baseAddress, UInt(text.count), Int32(longSize)) == 0
            }
        }
    }

    /// Size of the page header's `commit` field: the kernel's long size.
    public var headerPageLongSize: Int { Int(tep_get_header_page_size(tep)) }
    public var headerTimestampSize: Int { Int(tep_get_header_timestamp_size(tep)) }
    public var isOldFormat: Bool { tep_is_old_format(tep) }
    public var longSize: Int { Int(tep_get_long_size(tep)) }

    /// tep_parse_event; false when the format did not parse (trace-cmd counts
    /// these as parsing failures and goes on).
    @discardableResult
    public func parseEvent(_ text: [UInt8], system: String) -> Bool {
        guard Self.fieldsAreWellFormed(text) else {
            formatFailures += 1
            return false
        }
        let parsed = text.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { c in
                tep_parse_event(tep, c.baseAddress, UInt(text.count), system) == TEP_ERRNO__SUCCESS
            }
        }
        if !parsed { formatFailures += 1 }
        return parsed
    }

    /// Formats libtraceevent could not parse (trace-cmd's parsing_failures).
    public private(set) var formatFailures = 0

    /// False for format text libtraceevent's parser cannot be trusted with
    /// (each found by fuzzing): a control character (a NUL; "comm[\u{11}6]":
    /// the tokenizer hands back no token and tep_parse_event calls strcmp on
    /// it; kernels write only tabs and newlines); a field line cut short
    /// ("\tfield:char func[" and the end, or a NUL: tep_parse_event calls
    /// strcmp on NULL); a print fmt naming a field the format does not have
    /// (__print_symbolic(REC->x) then dereferences NULL). As every kernel
    /// writes them, a field line reads "field:<declaration>;<ws>offset:N;
    /// <ws>size:N;..." with its brackets closed, and the print fmt's REC->
    /// names are fields. Other lines are left to the parser.
    static func fieldsAreWellFormed(_ text: [UInt8]) -> Bool {
        guard !text.contains(where: { ($0 < 0x20 && $0 != 0x09 && $0 != 0x0a && $0 != 0x0d) || $0 == 0x7f }) else {
            return false
        }
        var names = Set<ArraySlice<UInt8>>()
        // libtraceevent reads everything from "print fmt:" on as the print
        // format, whatever lines follow.
        var printFormat: ArraySlice<UInt8> = []
        for raw in text.split(separator: 0x0a) {
            let line = raw.drop { $0 == 0x09 || $0 == 0x20 }
            if printFormat.isEmpty, line.starts(with: "print fmt:".utf8) {
                printFormat = text[line.startIndex...]
                break
            }
            guard line.starts(with: "field:".utf8) || line.starts(with: "field special:".utf8) else { continue }
            guard let semicolon = line.firstIndex(of: UInt8(ascii: ";")) else { return false }
            let declaration = line[..<semicolon]
            let rest = line[semicolon...]
            let end = rest.last { $0 != 0x20 && $0 != 0x09 && $0 != 0x0d }
            guard end == UInt8(ascii: ";"), indexAfter(Self.offsetTag, in: rest) != nil,
                  indexAfter(Self.sizeTag, in: rest) != nil,
                  let name = declaredName(declaration) else { return false }
            names.insert(name)
        }
        var rest = printFormat[...]
        while let after = indexAfter(Self.recordTag, in: rest) {
            let name = rest[after...].prefix(while: isIdentifier)
            guard names.contains(name) else { return false }
            rest = rest[after...]
        }
        return !names.isEmpty && isExpressionList(printFormat.dropFirst("print fmt:".utf8.count))
    }

    private static let offsetTag = Array("offset:".utf8)
    private static let sizeTag = Array("size:".utf8)
    private static let recordTag = Array("REC->".utf8)

    /// The index just past the first `needle` in `text`. A plain byte loop:
    /// the generic `firstRange(of:)` was a fifth of the time to open a file.
    private static func indexAfter(_ needle: [UInt8], in text: ArraySlice<UInt8>) -> Int? {
        guard let first = needle.first, text.count >= needle.count else { return nil }
        var i = text.startIndex
        let last = text.endIndex - needle.count
        while i <= last {
            if text[i] == first, text[i ..< i + needle.count].elementsEqual(needle) { return i + needle.count }
            i += 1
        }
        return nil
    }

    /// A field declaration's name: the last identifier once "[...]" is
    /// dropped ("char func[16]", "__data_loc char[] name"); nil when its
    /// brackets are unbalanced.
    private static func declaredName(_ declaration: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var depth = 0, opened = 0, closed = 0
        var nameStart = declaration.startIndex, nameEnd = declaration.startIndex
        for i in declaration.indices {
            let c = declaration[i]
            if c == UInt8(ascii: "[") { depth += 1; opened += 1; continue }
            if c == UInt8(ascii: "]") { depth -= 1; closed += 1; continue }
            guard depth == 0 else { continue }
            if isIdentifier(c) {
                if nameEnd != i { nameStart = i }
                nameEnd = i + 1
            } else {
                nameStart = i + 1
                nameEnd = i + 1
            }
        }
        guard opened == closed else { return nil }
        return declaration[nameStart ..< nameEnd]
    }

    /// The print fmt's arguments are C expressions: outside string and
    /// character literals only the characters of one, with (), [] and {}
    /// balanced. libtraceevent crashes on some stray tokens (the fuzzer's
    /// "REC->caller[7];" or "...]#" made it dereference NULL).
    private static func isExpressionList(_ text: ArraySlice<UInt8>) -> Bool {
        var stack: [UInt8] = []
        var quote: UInt8?
        var escaped = false
        for c in text {
            if let q = quote {
                if escaped { escaped = false } else if c == 0x5c { escaped = true } else if c == q { quote = nil }
                continue
            }
            switch c {
            case 0x22, 0x27: quote = c                                  // " '
            case 0x28: stack.append(0x29)                               // ( )
            case 0x5b: stack.append(0x5d)                               // [ ]
            case 0x7b: stack.append(0x7d)                               // { }
            case 0x29, 0x5d, 0x7d:
                guard stack.popLast() == c else { return false }
            default:
                guard isIdentifier(c) || Self.expressionPunctuation.contains(c) else { return false }
            }
        }
        return stack.isEmpty && quote == nil
    }

    /// Whitespace and the operator characters libtraceevent's expression
    /// parser knows: , * & | ^ ~ ! < > = ? : + - / %. Not '.': it has no
    /// member access, and "REC->caller[4].(" made it dereference NULL.
    private static let expressionPunctuation: Set<UInt8> = Set(" \t\r\n,*&|^~!<>=?:+-/%".utf8)

    private static func isIdentifier(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f
    }

    /// Keeps where the kallsyms text is, to parse on first use: counting
    /// events never needs symbols, naming functions needs only an index
    /// (`symbolize`), and only printing events hands the text to
    /// libtraceevent (tep_parse_kallsyms: a malloc per symbol).
    public func parseKallsyms(in region: MemoryRegion, at offset: Int, count: Int) {
        pendingKallsyms = (region, offset, count)
        if indexSymbolsEarly {
            earlySymbols = BackgroundWork { KernelSymbols(region: region, offset: offset, count: count) }
        }
    }

    /// Parses what printing needs and was kept for later: kallsyms and
    /// the saved command lines.
    public func loadForPrinting() {
        loadSymbols()
        loadCmdlines()
    }

    private var symbolsLoaded = false

    /// The kallsyms text the file carries (empty when none).
    public var kallsymsText: [UInt8] {
        pendingKallsyms.map { $0.region.copyBytes(at: $0.offset, count: $0.count) } ?? []
    }

    /// Gives libtraceevent the kallsyms kept by `parseKallsyms`, once.
    public func loadSymbols() {
        guard !symbolsLoaded, let text = pendingKallsyms else { return }
        symbolsLoaded = true
        let bytes = text.region.copyBytes(at: text.offset, count: text.count)
        bytes.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { _ = mmaudit_parse_kallsyms(tep, $0.baseAddress, b.count) }
        }
    }

    /// tep_parse_printk_formats on the lines it can take; returns how many
    /// lines it was given and took (the others were dropped), 0 when it
    /// failed.
    @discardableResult
    public func parsePrintkFormats(_ text: [UInt8]) -> Int {
        let lines = Self.wellFormedPrintkLines(text)
        var status: Int32 = 0
        Self.withCString(lines) { status = tep_parse_printk_formats(tep, $0) }
        return status == 0 ? lines.reduce(0) { $1 == 0x0a ? $0 + 1 : $0 } : 0
    }

    /// The lines of a printk formats text ("addr : \"fmt\"") that
    /// libtraceevent can take without reading outside them (found by
    /// fuzzing): tep_parse_printk_formats reads one byte past the line's
    /// first ':' (the space), past the line when it has none, and
    /// tep_register_print_string looks 3 bytes back from the end of the
    /// format once a leading quote is dropped. Lines it would misread are
    /// dropped; C sees the text up to its first NUL, so that is all we pass.
    static func wellFormedPrintkLines(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        let colon = UInt8(ascii: ":"), quote = UInt8(ascii: "\"")
        for line in text.prefix(while: { $0 != 0 }).split(separator: 0x0a) {
            let body = line.drop { $0 == colon }
            guard let sep = body.firstIndex(of: colon) else { continue }
            var format = body[(sep + 1)...].dropFirst()
            if format.first == quote { format = format.dropFirst() }
            guard format.count >= 3 else { continue }
            out += line
            out.append(0x0a)
        }
        return out
    }

    /// Kept, like kallsyms, until a task name is first needed (comm, printing).
    public func parseSavedCmdlines(_ text: [UInt8]) {
        pendingCmdlines = text
    }

    private func loadCmdlines() {
        guard let text = pendingCmdlines else { return }
        pendingCmdlines = nil
        Self.withCString(text) { _ = tep_parse_saved_cmdlines(tep, $0) }
    }

    /// `text` + NUL as a C string, for the parsers that want one.
    private static func withCString(_ text: [UInt8], _ body: (UnsafePointer<CChar>) -> Void) {
        var buf = text
        buf.append(0)
        buf.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    public func setCPUs(_ n: Int) { tep_set_cpus(tep, Int32(n)) }

    // MARK: Lookups

    /// The format of event `id`, or nil when the file has none for it.
    public func format(id: Int) -> EventFormat? {
        if let cached = formatCache[id] { return cached }
        let found = tep_find_event(tep, Int32(id)).map(Self.makeFormat)
        formatCache[id] = .some(found)
        return found
    }

    /// The highest id of a parsed event format (-1 when there is none),
    /// without building the formats.
    public var highestFormatID: Int {
        let n = Int(tep_get_events_count(tep))
        return (0..<n).reduce(-1) { m, i in max(m, tep_get_event(tep, Int32(i)).map { Int($0.pointee.id) } ?? -1) }
    }

    /// Every parsed event format, sorted by id.
    public var allFormats: [EventFormat] {
        let n = Int(tep_get_events_count(tep))
        return (0..<n).compactMap { i in tep_get_event(tep, Int32(i)).map(Self.makeFormat) }
            .sorted { $0.id < $1.id }
    }

    /// Where common_type, common_pid, ... are (taken from any parsed event,
    /// as libtraceevent does).
    public var commonLayout: CommonFieldLayout {
        guard tep_get_events_count(tep) > 0, let ev = tep_get_event(tep, 0) else { return .standard }
        return CommonFieldLayout(commonFields: Self.fields(ev.pointee.format.common_fields))
    }

    /// The saved_cmdlines name for `pid`, as report's task column shows it:
    /// "<idle>" for 0, "<...>" when unknown (tep_data_comm_from_pid).
    public func comm(pid: Int32) -> String {
        if let c = commCache[pid] { return c }
        loadCmdlines()
        let c = String(cString: tep_data_comm_from_pid(tep, pid))
        commCache[pid] = c
        return c
    }

    /// kallsyms: "symbol+0xoffset" ("symbol" at its start), or nil when the
    /// address is not inside any known symbol (tep_find_function,
    /// tep_find_function_address).
    public func symbolize(_ address: UInt64) -> String? {
        guard let (name, start) = kernelSymbols?.symbol(at: address) else { return nil }
        return address == start ? name : name + "+0x" + String(address &- start, radix: 16)
    }

    /// `symbolize` as libtraceevent alone answers it: the kallsyms text
    /// parsed by its own tep_parse_kallsyms into a handle of its own, then
    /// tep_find_function. The oracle the tests hold the index and the
    /// printing path's parser (mmaudit_parse_kallsyms) to; slow.
    public func symbolizeWithLibrary(_ address: UInt64) -> String? {
        if libraryReference == nil {
            let reference = tep_alloc()
            Self.withCString(kallsymsText) { _ = tep_parse_kallsyms(reference, $0) }
            libraryReference = reference
        }
        guard let reference = libraryReference, let name = tep_find_function(reference, address) else { return nil }
        let start = tep_find_function_address(reference, address)
        let s = String(cString: name)
        return address == start ? s : s + "+0x" + String(address &- start, radix: 16)
    }

    private var libraryReference: OpaquePointer?

    private static func makeFormat(_ ev: UnsafeMutablePointer<tep_event>) -> EventFormat {
        let e = ev.pointee
        return EventFormat(id: Int(e.id),
                           system: e.system.map { String(cString: $0) } ?? "",
                           name: e.name.map { String(cString: $0) } ?? "",
                           fields: fields(e.format.fields),
                           commonFields: fields(e.format.common_fields))
    }

    private static func fields(_ head: UnsafeMutablePointer<tep_format_field>?) -> [FieldFormat] {
        var out: [FieldFormat] = []
        var p = head
        while let f = p {
            let v = f.pointee
            out.append(FieldFormat(name: v.name.map { String(cString: $0) } ?? "",
                                   type: v.type.map { String(cString: $0) } ?? "",
                                   offset: Int(v.offset), size: Int(v.size),
                                   arrayLength: Int(v.arraylen), elementSize: Int(v.elementsize),
                                   flags: FieldFormat.Flags(rawValue: UInt32(truncatingIfNeeded: v.flags))))
            p = v.next
        }
        return out
    }
}
