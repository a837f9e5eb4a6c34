import NativeBindings

/// Opens `path` with the reader its content calls for: trace.dat files by
/// their magic (0x17 0x08 0x44 "tracing"), anything else as text.
/// `namesFunctions`: the caller will symbolize function addresses (see
/// TraceDatFile's `indexSymbolsEarly`).
public func openTrace(path: String, instance: String? = nil, namesFunctions: Bool = false) throws -> any TraceReader {
    switch try detectFormat(path: path) {
    case .traceDat:
        return try TraceDatReader(path: path, instance: instance, indexSymbolsEarly: namesFunctions)
    case .ftraceText, .traceCmdReport:
        return try TextTraceReader(path: path)
    }
}

/// What kind of trace `path` holds, from its first bytes.
public func detectFormat(path: String) throws -> TraceFormat {
    let region: MemoryRegion
    do {
        region = try MemoryRegion(mapping: path)
    } catch let e as NativeError {
        throw TraceInputError(path: path, section: "file", message: e.message)
    }
    let magic = FileHeader.magic
    if region.count >= magic.count, region.copyBytes(at: 0, count: magic.count) == magic { return .traceDat }
    if region.count >= 3, region.copyBytes(at: 0, count: 3) == Array(magic.prefix(3)) {
        // Starts like a trace.dat but is not one: let the trace.dat reader
        // say what is wrong (wrong magic) rather than read it as text.
        return .traceDat
    }
    // Text (tracefs, trace-cmd report; gzip-compressed text) by content.
    let prefix = region.copyBytes(at: 0, count: min(region.count, 64 << 10))
    if TextTraceReader.looksLikeText(prefix: prefix) { return .ftraceText }
    throw TraceInputError(path: path, section: "detect", offset: 0,
                          message: region.count == 0 ? "empty file"
                              : "not a trace: neither trace.dat nor ftrace/trace-cmd text")
}
