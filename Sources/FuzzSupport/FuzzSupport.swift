import Checks
import NativeBindings
import TraceInput
import TraceModel
#if canImport(Glibc)
import Glibc
#endif

/// What the fuzz targets (FuzzTraceDat, FuzzText) share: the input put where
/// the readers can open it, the analysis pass, and the rule that only a
/// TraceInputError may come out. scripts/fuzz builds them with
/// `-sanitize=fuzzer,address -D FUZZING`; a normal build gives each a `main`
/// that replays files (crash reproducers, the regression corpus).
public enum FuzzSupport {
    /// One scratch file per process (libFuzzer's -fork/-jobs children each
    /// get their own), rewritten every iteration. The readers take a path;
    /// /dev/shm keeps the write off the disk.
    static func scratchPath(suffix: String) -> String {
        let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        return "\(dir)/mmaudit-fuzz-\(getpid())\(suffix)"
    }

    /// Writes `size` bytes at `data` to `path` (replacing what was there).
    static func write(_ data: UnsafePointer<UInt8>?, _ size: Int, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot create \(path)")
        defer { close(fd) }
        var done = 0
        while done < size, let data {
            let n = Glibc.write(fd, data + done, size - done)
            precondition(n > 0, "cannot write \(path)")
            done += n
        }
    }

    /// Runs `body`; a TraceInputError is an answer (the one-line error the
    /// commands print), anything else is a bug and is thrown.
    static func onlyInputErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch is TraceInputError {
        }
    }

    /// One fuzz iteration: the input written to this process's scratch
    /// file (named with `suffix`) and read by `read`; anything `read` throws
    /// (never a TraceInputError) stops the fuzzer.
    public static func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int, suffix: String,
                                    _ read: (String) throws -> Void) -> Int32 {
        let path = scratchPath(suffix: suffix)
        write(data, size, to: path)
        do {
            try read(path)
        } catch {
            fatalError("an error that is not a TraceInputError: \(error)")
        }
        return 0
    }

    /// `mmaudit analyze`'s pass: every item through the model and the
    /// checks, function names through the trace's kallsyms.
    public static func analyze(_ reader: any TraceReader) throws {
        _ = try Analysis.run(reader, bindings: BuiltinBindings.table,
                             functions: FunctionNames(symbolize: { [reader] in reader.symbolize($0) }))
    }

    /// What FuzzTraceDat does with `path`, whatever its magic: the analysis
    /// pass, the statistics pass and the `trace-cmd report` printer
    /// (libtraceevent prints every record). A gzip or zstd stream goes the
    /// commands' way (unwrapped to a temporary file), and so does a file
    /// cut short (whole pages read, the rest counted).
    public static func readTraceDat(_ path: String) throws {
        try onlyInputErrors {
            if isCompressed(path) {
                let file = try openTraceFile(path: path)
                _ = try file.statistics(instance: nil)
                _ = try file.dump(options: DumpOptions(), to: OutputBuffer())
                return
            }
            try analyze(TraceDatReader(path: path))
            let file = try TraceDatFile(path: path)
            _ = try TraceStatistics.collect(file)
            try DumpReport.write(file, to: OutputBuffer())
        }
    }

    /// True when the file starts with a gzip or zstd magic number.
    static func isCompressed(_ path: String) -> Bool {
        guard let f = fopen(path, "rb") else { return false }
        defer { fclose(f) }
        var magic = [UInt8](repeating: 0, count: 4)
        let n = fread(&magic, 1, 4, f)
        return StreamCompression(magic: Array(magic.prefix(n))) != nil
    }

    /// What FuzzText does with `path`: read as ftrace / trace-cmd text
    /// (plain, or in any wrapping the reader takes off: gzip, zstd, atrace,
    /// systrace HTML; serial-console lines) by the analysis pass, the
    /// statistics pass and the dump printer.
    public static func readText(_ path: String) throws {
        try onlyInputErrors {
            try analyze(TextTraceReader(path: path))
            _ = try TraceStatistics.collect(text: TextTraceReader(path: path))
            try TextDump.write(TextTraceReader(path: path), options: DumpOptions(), to: OutputBuffer())
        }
    }

    public typealias Entry = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

    /// The fuzzing build's `main`: hands the command line to libFuzzer.
    /// (SwiftPM links an executable with `main` = `<Target>_main`, so the
    /// targets define that symbol and call this rather than letting
    /// libFuzzer's own main in.)
    public static func runLibFuzzer(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                    _ entry: Entry) -> Int32 {
        var argc = argc
        var argv = argv
        return LLVMFuzzerRunDriver(&argc, &argv, entry)
    }

    /// The normal build's `main`: runs each file named on the command line
    /// through `entry`, as the fuzzer would, and exits.
    public static func replayMain(_ entry: Entry) -> Never {
        exit(replay(CommandLine.arguments, entry))
    }

    static func replay(_ arguments: [String], _ entry: Entry) -> Int32 {
        let files = arguments.dropFirst()
        guard !files.isEmpty else {
            fputs("usage: \(arguments.first ?? "fuzz") FILE...   (replays inputs; scripts/fuzz fuzzes)\n", stderr)
            return 2
        }
        for path in files {
            guard let f = fopen(path, "rb") else {
                fputs("\(path): cannot open\n", stderr)
                return 2
            }
            var bytes: [UInt8] = []
            var block = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = fread(&block, 1, block.count, f)
                if n <= 0 { break }
                bytes += block[0..<n]
            }
            fclose(f)
            _ = bytes.withUnsafeBufferPointer { entry($0.baseAddress, $0.count) }
            print("\(path): ok")
        }
        return 0
    }
}

#if FUZZING
/// libFuzzer's entry for programs with their own main (FuzzerInterface.h).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                 _ callback: FuzzSupport.Entry) -> Int32
#else
private func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                                 _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                 _ callback: FuzzSupport.Entry) -> Int32 {
    fputs("not built for fuzzing: scripts/fuzz builds with -sanitize=fuzzer -D FUZZING\n", stderr)
    return 2
}
#endif
