import NativeBindings

/// The kind of input a reader understood (stats prints it).
public enum TraceFormat: String, Sendable, Codable {
    case traceDat = "trace.dat"
    case ftraceText = "ftrace-text"
    case traceCmdReport = "trace-cmd-report"
}

/// One input format: how it is recognised from the first bytes of its
/// content (once any wrapping is off: InputOpener) and how it is opened,
/// for the model (`TraceReader`) and for stats and dump
/// (`TraceFileReader`). Adding a format: its reader, its `TraceFormat`
/// case and entry in `InputFormat.all` here, its tests.
struct InputFormat: Sendable {
    /// What `detectFormat` answers for inputs of this format.
    let format: TraceFormat
    /// True when content starting with `head` (possibly empty) is this format's.
    let recognizes: @Sendable (_ head: [UInt8]) -> Bool
    /// The streaming reader; `namesFunctions`: the caller will symbolize
    /// function addresses (see TraceDatFile's `indexSymbolsEarly`).
    let openReader: @Sendable (_ input: OpenedInput, _ instance: String?, _ namesFunctions: Bool) throws -> any TraceReader
    /// The input as stats and dump read it.
    let openFile: @Sendable (_ input: OpenedInput) throws -> any TraceFileReader

    /// Every format, in the order they are tried: the first that recognises
    /// an input opens it.
    static let all: [InputFormat] = [traceDat, text]

    /// trace.dat (versions 6 and 7) by its magic, 0x17 0x08 0x44 "tracing".
    /// Content that starts like one (the first 3 bytes) but is not is also
    /// taken: the trace.dat reader says what is wrong (wrong magic) rather
    /// than have it read as text. From a stream (standard input, gzip,
    /// zstd) it is copied to a temporary file first: the reader seeks.
    static let traceDat = InputFormat(
        format: .traceDat,
        recognizes: { head in
            let magic = FileHeader.magic
            if head.count >= magic.count, Array(head.prefix(magic.count)) == magic { return true }
            return head.count >= 3 && Array(head.prefix(3)) == Array(magic.prefix(3))
        },
        openReader: { input, instance, namesFunctions in
            try input.withFile {
                try TraceDatReader(file: TraceDatFile(path: $0, displayPath: input.path, wrapping: input.compression,
                                                      indexSymbolsEarly: namesFunctions),
                                   instance: instance)
            }
        },
        openFile: { input in
            try input.withFile { try TraceDatFile(path: $0, displayPath: input.path, wrapping: input.compression) }
        }
    )

    /// ftrace text (tracefs `trace` / `trace_pipe`, `trace-cmd report`,
    /// also through a serial console) by the content of its first 64 KiB,
    /// whatever wrapped it (gzip, zstd, atrace, systrace HTML, a pipe).
    static let text = InputFormat(
        format: .ftraceText,
        recognizes: { head in TextTraceReader.looksLikeText(prefix: head) },
        openReader: { input, _, _ in try TextTraceReader(input) },
        openFile: { input in try TextTraceReader(input) }
    )

    /// The format of `input`, from its first bytes.
    static func of(_ input: OpenedInput) throws -> InputFormat {
        if let format = all.first(where: { $0.recognizes(input.head) }) { return format }
        let what = input.layers.filter { $0 != "stdin" }.joined(separator: " ")
        throw TraceInputError(path: input.path, section: "detect", offset: 0,
                              message: input.head.isEmpty
                                  ? (what.isEmpty ? "empty file" : "empty file: the \(what) data holds nothing")
                                  : "not a trace: neither trace.dat nor ftrace/trace-cmd text"
                                    + (what.isEmpty ? "" : " (inside the \(what) data)"))
    }
}

/// Opens `path` (`-`: standard input) with the streaming reader its content
/// calls for (`InputFormat.all`), once any wrapping is off (InputOpener).
/// `namesFunctions`: the caller will symbolize function addresses (see
/// TraceDatFile's `indexSymbolsEarly`).
public func openTrace(path: String, instance: String? = nil, namesFunctions: Bool = false) throws -> any TraceReader {
    let input = try InputOpener.open(path)
    return try InputFormat.of(input).openReader(input, instance, namesFunctions)
}

/// Opens `path` (`-`: standard input) for stats and dump with the reader its
/// content calls for.
public func openTraceFile(path: String) throws -> any TraceFileReader {
    let input = try InputOpener.open(path)
    return try InputFormat.of(input).openFile(input)
}

/// What kind of trace `path` holds, from its first bytes (reads standard
/// input's first bytes when `path` is `-`).
public func detectFormat(path: String) throws -> TraceFormat {
    try InputFormat.of(InputOpener.open(path)).format
}
