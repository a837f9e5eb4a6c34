import NativeBindings

/// The kind of input a reader understood (stats prints it).
public enum TraceFormat: String, Sendable, Codable {
    case traceDat = "trace.dat"
    case ftraceText = "ftrace-text"
    case traceCmdReport = "trace-cmd-report"
}

/// One input format: how it is recognised from a file's first bytes and
/// how it is opened, for the model (`TraceReader`) and for stats and dump
/// (`TraceFileReader`). Adding a format: its reader, its `TraceFormat`
/// case and entry in `InputFormat.all` here, its tests.
public struct InputFormat: Sendable {
    /// What `detectFormat` answers for files of this format.
    public let format: TraceFormat
    /// True when `file` (mapped, possibly empty) is this format's.
    let recognizes: @Sendable (_ file: MemoryRegion) -> Bool
    /// The streaming reader; `namesFunctions`: the caller will symbolize
    /// function addresses (see TraceDatFile's `indexSymbolsEarly`).
    let openReader: @Sendable (_ path: String, _ instance: String?, _ namesFunctions: Bool) throws -> any TraceReader
    /// The file as stats and dump read it.
    let openFile: @Sendable (_ path: String) throws -> any TraceFileReader

    /// Every format, in the order they are tried: the first that recognises
    /// a file opens it.
    public static let all: [InputFormat] = [traceDat, text]

    /// trace.dat (versions 6 and 7) by its magic, 0x17 0x08 0x44 "tracing".
    /// A file that starts like one (the first 3 bytes) but is not is also
    /// taken: the trace.dat reader says what is wrong (wrong magic) rather
    /// than have it read as text.
    static let traceDat = InputFormat(
        format: .traceDat,
        recognizes: { file in
            let magic = FileHeader.magic
            if file.count >= magic.count, file.copyBytes(at: 0, count: magic.count) == magic { return true }
            return file.count >= 3 && file.copyBytes(at: 0, count: 3) == Array(magic.prefix(3))
        },
        openReader: { path, instance, namesFunctions in
            try TraceDatReader(path: path, instance: instance, indexSymbolsEarly: namesFunctions)
        },
        openFile: { path in try TraceDatFile(path: path) }
    )

    /// ftrace text (tracefs `trace` / `trace_pipe`, `trace-cmd report`;
    /// gzip-compressed text) by the content of its first 64 KiB.
    static let text = InputFormat(
        format: .ftraceText,
        recognizes: { file in
            TextTraceReader.looksLikeText(prefix: file.copyBytes(at: 0, count: min(file.count, 64 << 10)))
        },
        openReader: { path, _, _ in try TextTraceReader(path: path) },
        openFile: { path in try TextTraceReader(path: path) }
    )

    /// The format of `path`, from its first bytes.
    public static func of(path: String) throws -> InputFormat {
        let region: MemoryRegion
        do {
            region = try MemoryRegion(mapping: path)
        } catch let e as NativeError {
            throw TraceInputError(path: path, section: "file", message: e.message)
        }
        if let format = all.first(where: { $0.recognizes(region) }) { return format }
        throw TraceInputError(path: path, section: "detect", offset: 0,
                              message: region.count == 0 ? "empty file"
                                  : "not a trace: neither trace.dat nor ftrace/trace-cmd text")
    }
}

/// Opens `path` with the streaming reader its content calls for
/// (`InputFormat.all`). `namesFunctions`: the caller will symbolize function
/// addresses (see TraceDatFile's `indexSymbolsEarly`).
public func openTrace(path: String, instance: String? = nil, namesFunctions: Bool = false) throws -> any TraceReader {
    try InputFormat.of(path: path).openReader(path, instance, namesFunctions)
}

/// Opens `path` for stats and dump with the reader its content calls for.
public func openTraceFile(path: String) throws -> any TraceFileReader {
    try InputFormat.of(path: path).openFile(path)
}

/// What kind of trace `path` holds, from its first bytes.
public func detectFormat(path: String) throws -> TraceFormat {
    try InputFormat.of(path: path).format
}
