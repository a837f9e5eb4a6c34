import NativeBindings

/// Opens `path` with the reader its content calls for: trace.dat files by
/// their magic (0x17 0x08 0x44 "tracing"), anything else as text.
public func openTrace(path: String, instance: String? = nil) throws -> any TraceReader {
    switch try detectFormat(path: path) {
    case .traceDat:
        return try TraceDatReader(path: path, instance: instance)
    case .ftraceText, .traceCmdReport:
        // TODO(text reader): return the ftrace/report text reader here.
        throw TraceInputError(path: path, section: "detect", offset: 0,
                              message: "not a trace.dat file, and the text reader is not available yet")
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
    return .ftraceText
}
