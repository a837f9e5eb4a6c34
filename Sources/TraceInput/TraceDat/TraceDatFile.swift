import Foundation
import NativeBindings

/// An opened trace.dat: header, metadata parsed into libtraceevent, options
/// applied, and where every buffer's pages are. Opening reads only metadata;
/// pages are read later, one per CPU at a time, by the streams it makes.
public final class TraceDatFile {
    public let path: String
    let region: MemoryRegion
    let header: FileHeader
    let options: FileOptions
    let tep: TEPHandle
    /// Top buffer first (when present), then instances in option order.
    let buffers: [BufferLayout]
    let latency: LatencyText?
    let correction: TimestampCorrection
    let decompressor: BlockDecompressor?
    let commonLayout: CommonFieldLayout
    /// The "cpus=N" trace-cmd prints (tracecmd_cpus: handle->max_cpu).
    public let cpuCount: Int
    let damageLog: DamageLog

    public var fileVersion: Int { header.version }
    public var compression: String { header.compression }
    /// What the file came wrapped in ("gzip", "zstd"; "none"), for reports.
    public let wrapping: String
    /// Reports' word for the compression: the wrapping, then the file's
    /// own ("gzip+zstd" for a gzip'd v7 file with zstd chunks).
    public var describedCompression: String {
        wrapping == "none" ? compression : compression == "none" ? wrapping : wrapping + "+" + compression
    }
    public var endianness: Endianness { header.endianness }
    public var traceClock: String? { options.traceClock }
    public var uname: String? { options.uname }
    public var schedSwitchPrintFormat: String? { options.schedSwitchPrintFormat }
    public var instanceNames: [String] { buffers.map(\.name).filter { !$0.isEmpty } }
    public var isLatencyTrace: Bool { latency != nil }
    public var hasTopBuffer: Bool { buffers.first?.name == "" }

    /// Timestamps print as seconds.microseconds (TRACECMD_FL_IN_USECS) unless
    /// the clock counts something other than nanoseconds and no TSC2NSEC
    /// conversion is given (extract_trace_clock).
    public var timestampsAreNanoseconds: Bool {
        if options.tscMultiplier != 0 { return true }
        guard let clock = options.traceClock else { return true }
        return ["local", "global", "uptime", "perf", "tsc2nsec", "tai"].contains(clock) || clock.hasPrefix("mono")
    }

    /// Opens `path` and reads its metadata. `indexSymbolsEarly`: the caller
    /// will name functions (`symbolize`), so the kallsyms index is built on
    /// the other core while the rest is read (TEPHandle.indexSymbolsEarly).
    /// `displayPath`: the name messages give the file when `path` is a
    /// temporary copy (a trace.dat from a pipe or a compressed file).
    public init(path: String, displayPath: String? = nil, wrapping: String = "none", indexSymbolsEarly: Bool = false) throws {
        let mapped = path
        let path = displayPath ?? path
        self.path = path
        self.wrapping = wrapping
        do {
            region = try MemoryRegion(mapping: mapped)
        } catch let e as NativeError {
            throw TraceInputError(path: path, section: "file", message: e.message)
        }
        var c = ByteCursor(region: region, endianness: .little, path: path, section: "header")
        header = try FileHeader.read(&c)
        tep = TEPHandle(fileIsBigEndian: header.endianness == .big, longSize: header.longSize)
        tep.indexSymbolsEarly = indexSymbolsEarly
        lookups = SharedLookups(tep)
        var options = FileOptions()
        var headerCPUs = 0
        if header.version < 7 {
            decompressor = nil
            let r = try LayoutV6.read(&c, header: header, tep: tep, options: &options)
            buffers = r.buffers
            latency = r.latency
            headerCPUs = r.headerCPUs
        } else {
            decompressor = try LayoutV7.decompressor(for: header, c)
            let r = try LayoutV7.read(&c, header: header, tep: tep, decompressor: decompressor, options: &options)
            // The top buffer first, whatever the option order.
            buffers = r.buffers.filter { $0.name.isEmpty } + r.buffers.filter { !$0.name.isEmpty }
            latency = r.latency
        }
        self.options = options
        let topSlots = buffers.first(where: { $0.name.isEmpty })?.cpus.count ?? 0
        cpuCount = max(options.cpuCount ?? headerCPUs, topSlots, header.version < 7 ? headerCPUs : 0)
        tep.setCPUs(cpuCount)
        guard tep.headerTimestampSize == 8 || tep.isOldFormat else {
            throw TraceInputError(path: path, section: "header_page", offset: nil,
                                  message: "expected a 64-bit page timestamp, header_page says \(tep.headerTimestampSize) bytes")
        }
        correction = TimestampCorrection(multiplier: options.tscMultiplier, shift: options.tscShift,
                                         offset: options.timeOffset)
        commonLayout = tep.commonLayout
        damageLog = DamageLog(path: path)
        noteTruncation()
    }

    /// A file that ends before its data does (copied while trace-cmd was
    /// still writing, or cut short): what is missing goes in the damage log
    /// now; the whole pages (chunks) that are there are read as usual.
    private func noteTruncation() {
        if let cut = options.optionsCutAt {
            damageLog.truncated(offset: cut, reason: "truncated file: it ends (at byte \(region.count)) before the options section at byte \(cut) that places the CPU data; the top buffer's data was found by walking its chunks, buffer instances (if it had any) are not found")
        }
        for buffer in buffers {
            for e in buffer.cpus where e.missing > 0 || (buffer.recovered && e.size == 0) {
                let pages = e.missing / buffer.pageSize + (e.missing % buffer.pageSize == 0 ? 0 : 1)
                let what = e.missing > 0 ? "\(e.missing) bytes (\(pages) pages) of this CPU's data are past it"
                                         : "none of this CPU's data is in the file"
                damageLog.unreadable(pages: pages, cpu: e.cpu, buffer: buffer.name, offset: region.count,
                                     reason: "truncated file: it ends here; \(what)", missingBytes: e.missing)
            }
        }
    }

    /// The kernel's long size (header_page `commit` field), which picks the
    /// page-header layout (read_header_files: long_size = header page size).
    var kernelLongSize: Int {
        let n = tep.headerPageLongSize
        return n == 4 ? 4 : (n == 8 ? 8 : header.longSize)
    }

    /// One stream per CPU of the chosen buffers (indices into `buffers`), in
    /// the order trace-cmd iterates them.
    /// `separateDamage` gives each stream a log of its own that collects
    /// notes (for streams read on other threads; see DamageLog).
    ///
    /// `parts` > 1 splits every CPU's data into about that many streams of
    /// their own (whole pages or chunks, in file order), for counting in
    /// parallel; their records together are the CPU's records.
    func makeStreams(buffers chosen: [Int], separateDamage: Bool = false, parts: Int = 1) -> [CPUStream] {
        var streams: [CPUStream] = []
        var global = 0
        for (index, buffer) in buffers.enumerated() {
            // The global index counts every buffer's CPUs, chosen or not,
            // like handle->start_cpu.
            let slots = index == 0 && buffer.name.isEmpty ? max(cpuCount, buffer.cpus.count) : buffer.cpus.count
            defer { global += slots }
            guard chosen.contains(index) else { continue }
            for extent in buffer.cpus where extent.size > 0 || (buffer.compressed && extent.offset > 0) {
                let split = parts > 1
                    ? PageSource.parts(of: extent, pageSize: buffer.pageSize, compressed: buffer.compressed,
                                       file: region, endianness: header.endianness, count: parts)
                    : nil
                let pieces: [PageSource.Part?] = split.map { $0.map { Optional($0) } } ?? [nil]
                for part in pieces {
                    let page = KBuffer(kernelLongSize: kernelLongSize, bigEndian: header.endianness == .big,
                                       oldFormat: tep.isOldFormat)
                    let source = PageSource(file: region, extent: extent, pageSize: buffer.pageSize,
                                            endianness: header.endianness,
                                            decompressor: buffer.compressed ? decompressorForStream() : nil,
                                            part: part)
                    streams.append(CPUStream(cpu: extent.cpu, bufferIndex: index, bufferName: buffer.name,
                                             globalIndex: global + extent.cpu, page: page, source: source,
                                             correction: correction, guestClock: options.guestClock,
                                             damage: separateDamage ? DamageLog(path: path, collectingNotes: true) : damageLog))
                }
            }
        }
        return streams
    }

    private func decompressorForStream() -> BlockDecompressor {
        BlockDecompressor(decompressor?.algorithm ?? .zstd)
    }

    /// The index of the buffer named `name` ("" = top), or nil.
    public func bufferIndex(named name: String) -> Int? {
        buffers.firstIndex { $0.name == name }
    }

    /// address → "symbol+0xoffset" from the file's kallsyms.
    public func symbolize(_ address: UInt64) -> String? { lookups.symbolize(address) }

    /// The file's symbol and comm lookups, safe from any thread.
    let lookups: SharedLookups

    /// The latency trace text (v6 "latency" files, v7 BUFFER_TEXT), or nil.
    func latencyText() throws -> [UInt8]? {
        switch latency {
        case nil: return nil
        case .plain(let offset, let size)?:
            return region.copyBytes(at: offset, count: min(size, region.count - offset))
        case .chunked(let offset)?:
            var c = ByteCursor(region: region, offset: offset, endianness: header.endianness, path: path,
                               section: "buffer latency")
            let chunks: UInt32 = try c.readInteger("chunk count")
            var text: [UInt8] = []
            for _ in 0..<chunks {
                let at = c.offset
                let csize = try c.readSize32("chunk size")
                let usize = Int(try c.readInteger(as: UInt32.self, "chunk uncompressed size"))
                guard let decompressor else { break }
                do {
                    let r = try decompressor.decompress(region, at: c.offset, count: csize, expectedSize: usize)
                    text += r.copyBytes(at: 0, count: r.count)
                } catch {
                    throw c.error("corrupt compressed chunk: \(error)", at: at)
                }
                try c.skip(csize)
            }
            return text
        }
    }
}

/// The lookups decode threads and the reader's thread share: libtraceevent's
/// handle is not thread-safe, so every call into it goes through one lock
/// (NSLock: pthreads, which thread sanitizers see). A trace names few
/// functions many times over (the function tracer's `ip`), so symbols are
/// kept once found.
final class SharedLookups: @unchecked Sendable {
    private let tep: TEPHandle
    private let lock = NSLock()
    // Guarded by `lock`.
    private var symbols: [UInt64: String?] = [:]

    init(_ tep: TEPHandle) { self.tep = tep }

    func symbolize(_ address: UInt64) -> String? {
        lock.lock()
        defer { lock.unlock() }
        if let name = symbols[address] { return name }
        let name = tep.symbolize(address)
        symbols[address] = .some(name)
        return name
    }

    /// The saved command line of `pid` (tep_data_comm_from_pid).
    func comm(_ pid: Int32) -> String {
        lock.lock()
        defer { lock.unlock() }
        return tep.comm(pid: pid)
    }
}
