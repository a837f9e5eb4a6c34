import Foundation
@testable import TraceInput
import NativeBindings

/// A v6 trace.dat taken apart into its blocks, so tests can write the same
/// trace again in another form: big-endian v6, or v7 uncompressed / zstd /
/// zlib (which Debian's trace-cmd can neither write nor read). Layouts follow
/// trace-cmd.dat.v6(5) and trace-cmd.dat.v7(5).
struct TraceContent {
    var longSize: UInt8
    var pageSize: Int
    var headerPage: [UInt8]
    var headerEvent: [UInt8]
    var ftraceFormats: [[UInt8]]
    var systems: [(name: String, formats: [[UInt8]])]
    var kallsyms: [UInt8]
    var printk: [UInt8]
    var cmdlines: [UInt8]
    var cpus: Int
    /// Text options carried over as they are (TRACECLOCK, UNAME, VERSION).
    var textOptions: [(id: UInt16, payload: [UInt8])]
    var clock: String
    /// Each CPU's pages, back to back, in the source's byte order.
    var cpuData: [[UInt8]]

    /// Reads a little-endian v6 file without instances.
    init(v6 path: String) throws {
        let region = try MemoryRegion(mapping: path)
        var c = ByteCursor(region: region, endianness: .little, path: path, section: "test")
        let header = try FileHeader.read(&c)
        precondition(header.version == 6 && header.endianness == .little)
        longSize = UInt8(header.longSize)
        pageSize = header.pageSize
        _ = try c.readCString()
        headerPage = try c.readBytes(Int(try c.readInteger(as: UInt64.self)))
        _ = try c.readCString()
        headerEvent = try c.readBytes(Int(try c.readInteger(as: UInt64.self)))
        ftraceFormats = try (0..<c.readInteger(as: UInt32.self)).map { _ in
            try c.readBytes(Int(try c.readInteger(as: UInt64.self)))
        }
        systems = try (0..<c.readInteger(as: UInt32.self)).map { _ in
            let name = try c.readCString()
            let formats = try (0..<c.readInteger(as: UInt32.self)).map { _ in
                try c.readBytes(Int(try c.readInteger(as: UInt64.self)))
            }
            return (name, formats)
        }
        kallsyms = try c.readBytes(Int(try c.readInteger(as: UInt32.self)))
        printk = try c.readBytes(Int(try c.readInteger(as: UInt32.self)))
        cmdlines = try c.readBytes(Int(try c.readInteger(as: UInt64.self)))
        cpus = Int(try c.readInteger(as: UInt32.self))
        textOptions = []
        while true {
            let tag = String(decoding: try c.readBytes(10).prefix(9), as: UTF8.self)
            if tag == "flyrecord" { break }
            precondition(tag.hasPrefix("options"))
            while true {
                let id: UInt16 = try c.readInteger()
                if id == 0 { break }
                let payload = try c.readBytes(Int(try c.readInteger(as: UInt32.self)))
                if [4, 5, 9].contains(id) { textOptions.append((id, payload)) }
            }
        }
        var extents: [(Int, Int)] = []
        for _ in 0..<cpus {
            extents.append((Int(try c.readInteger(as: UInt64.self)), Int(try c.readInteger(as: UInt64.self))))
        }
        clock = String(decoding: try c.readBytes(Int(try c.readInteger(as: UInt64.self))), as: UTF8.self)
        cpuData = extents.map { region.copyBytes(at: $0.0, count: $0.1) }
    }

    // MARK: Writing

    /// Version 6 in either byte order (pages must already be in that order).
    /// `instances` adds BUFFER options and, after the top buffer's data,
    /// a "flyrecord" block per instance holding the same pages
    /// (update_buffer_cpu_offset_v6 in trace-output.c); `latencyText`
    /// writes a latency trace instead of pages.
    func writeV6(endianness: Endianness, instances: [String] = [], latencyText: String? = nil) -> [UInt8] {
        var w = BlockWriter(endianness: endianness)
        w.fileStart(version: "6", longSize: longSize, pageSize: pageSize)
        w.bytes(headerInfo(w.endianness))
        w.bytes(ftraceBlock(w.endianness))
        w.bytes(eventsBlock(w.endianness))
        w.bytes(kallsymsBlock(w.endianness))
        w.bytes(printkBlock(w.endianness))
        w.bytes(cmdlinesBlock(w.endianness))
        w.u32(UInt32(cpus))
        w.bytes(Array("options  \0".utf8))
        for o in textOptions where latencyText == nil {
            w.u16(o.id)
            w.u32(UInt32(o.payload.count))
            w.bytes(o.payload)
        }
        var bufferOffsetsAt: [Int] = []
        for name in instances {
            w.u16(3)
            w.u32(UInt32(8 + name.utf8.count + 1))
            bufferOffsetsAt.append(w.out.count)
            w.u64(0)
            w.bytes(Array(name.utf8) + [0])
        }
        w.u16(0)
        if let latencyText {
            w.bytes(Array("latency  \0".utf8))
            w.bytes(Array(latencyText.utf8))
            return w.out
        }
        for buffer in [-1] + Array(instances.indices) {
            if buffer >= 0 { w.patch64(at: bufferOffsetsAt[buffer], UInt64(w.out.count)) }
            w.bytes(Array("flyrecord\0".utf8))
            let pairsAt = w.out.count
            for _ in 0..<cpus { w.u64(0); w.u64(0) }
            w.u64(UInt64(clock.utf8.count))
            w.bytes(Array(clock.utf8))
            for (cpu, data) in cpuData.enumerated() {
                w.align(pageSize)
                let offset = w.out.count
                w.bytes(data)
                w.patch64(at: pairsAt + cpu * 16, UInt64(data.isEmpty ? 0 : offset))
                w.patch64(at: pairsAt + cpu * 16 + 8, UInt64(data.count))
            }
        }
        return w.out
    }

    /// Version 7, little-endian, with `compression` "none", "zstd" or "zlib":
    /// metadata sections, one BUFFER section (chunks of 10 pages when
    /// compressed, PAGES_IN_CHUNK in trace-cmd), then the options section.
    /// `instances` adds buffers of those names holding the same pages as the
    /// top buffer; `extraOptions` are written after the text options.
    func writeV7(compression: String, instances: [String] = [],
                 extraOptions: [(id: UInt16, payload: [UInt8])] = []) -> [UInt8] {
        let algorithm = CompressionAlgorithm(rawValue: compression)
        var w = BlockWriter(endianness: .little)
        w.fileStart(version: "7", longSize: longSize, pageSize: pageSize)
        w.bytes(Array(compression.utf8) + [0])
        let version = algorithm == .zlib ? BlockCompressor.zlibVersionString : (algorithm == .zstd ? "1.5.4" : "")
        w.bytes(Array(version.utf8) + [0])
        let optionsOffsetAt = w.out.count
        w.u64(0)
        let blocks: [(UInt16, [UInt8])] = [
            (16, headerInfo(.little)), (17, ftraceBlock(.little)), (18, eventsBlock(.little)),
            (19, kallsymsBlock(.little)), (20, printkBlock(.little)), (21, cmdlinesBlock(.little)),
        ]
        var sectionOffsets: [(UInt16, Int)] = []
        for (id, block) in blocks {
            sectionOffsets.append((id, w.out.count))
            w.section(id: id, payload: block, algorithm: algorithm)
        }
        // One buffer section per buffer: header, then each CPU's data page-aligned.
        var bufferOptions: [[UInt8]] = []
        for name in [""] + instances {
            let bufferAt = w.out.count
            w.u16(3); w.u16(algorithm == nil ? 0 : 1); w.u32(UInt32(bitPattern: -1)); w.u64(0)
            var entries: [(cpu: Int, offset: Int, size: Int)] = []
            for (cpu, data) in cpuData.enumerated() where !data.isEmpty {
                w.align(pageSize)
                let start = w.out.count
                if let algorithm {
                    let chunkBytes = 10 * pageSize
                    let chunks = stride(from: 0, to: data.count, by: chunkBytes).map {
                        Array(data[$0..<min(data.count, $0 + chunkBytes)])
                    }
                    w.u32(UInt32(chunks.count))
                    for chunk in chunks {
                        let z = BlockCompressor.compress(chunk, with: algorithm)
                        w.u32(UInt32(z.count)); w.u32(UInt32(chunk.count)); w.bytes(z)
                    }
                    entries.append((cpu, start, w.out.count - start - 4))
                } else {
                    w.bytes(data)
                    entries.append((cpu, start, data.count))
                }
            }
            w.patch64(at: bufferAt + 8, UInt64(w.out.count - bufferAt - 16))
            var buffer = BlockWriter(endianness: .little)
            buffer.u64(UInt64(bufferAt)); buffer.bytes(Array(name.utf8) + [0]); buffer.bytes(Array("local\0".utf8))
            buffer.u32(UInt32(pageSize)); buffer.u32(UInt32(entries.count))
            for e in entries { buffer.u32(UInt32(e.cpu)); buffer.u64(UInt64(e.offset)); buffer.u64(UInt64(e.size)) }
            bufferOptions.append(buffer.out)
        }
        // The options section, pointing at everything above.
        let optionsAt = w.out.count
        var o = BlockWriter(endianness: .little)
        func option(_ id: UInt16, _ payload: [UInt8]) { o.u16(id); o.u32(UInt32(payload.count)); o.bytes(payload) }
        for (id, offset) in sectionOffsets { option(id, BlockWriter.le64(UInt64(offset))) }
        for t in textOptions { option(t.id, t.payload) }
        for e in extraOptions { option(e.id, e.payload) }
        option(8, BlockWriter.le32(UInt32(cpus)))
        for b in bufferOptions { option(3, b) }
        option(0, BlockWriter.le64(0))
        w.section(id: 0, payload: o.out, algorithm: nil)
        w.patch64(at: optionsOffsetAt, UInt64(optionsAt))
        return w.out
    }

    private func headerInfo(_ e: Endianness) -> [UInt8] {
        var b = BlockWriter(endianness: e)
        b.bytes(Array("header_page\0".utf8)); b.u64(UInt64(headerPage.count)); b.bytes(headerPage)
        b.bytes(Array("header_event\0".utf8)); b.u64(UInt64(headerEvent.count)); b.bytes(headerEvent)
        return b.out
    }

    private func ftraceBlock(_ e: Endianness) -> [UInt8] {
        var b = BlockWriter(endianness: e)
        b.u32(UInt32(ftraceFormats.count))
        for f in ftraceFormats { b.u64(UInt64(f.count)); b.bytes(f) }
        return b.out
    }

    private func eventsBlock(_ e: Endianness) -> [UInt8] {
        var b = BlockWriter(endianness: e)
        b.u32(UInt32(systems.count))
        for s in systems {
            b.bytes(Array(s.name.utf8) + [0])
            b.u32(UInt32(s.formats.count))
            for f in s.formats { b.u64(UInt64(f.count)); b.bytes(f) }
        }
        return b.out
    }

    private func kallsymsBlock(_ e: Endianness) -> [UInt8] {
        var b = BlockWriter(endianness: e); b.u32(UInt32(kallsyms.count)); b.bytes(kallsyms); return b.out
    }
    private func printkBlock(_ e: Endianness) -> [UInt8] {
        var b = BlockWriter(endianness: e); b.u32(UInt32(printk.count)); b.bytes(printk); return b.out
    }
    private func cmdlinesBlock(_ e: Endianness) -> [UInt8] {
        var b = BlockWriter(endianness: e); b.u64(UInt64(cmdlines.count)); b.bytes(cmdlines); return b.out
    }
}

/// Appends integers in one byte order.
struct BlockWriter {
    let endianness: Endianness
    var out: [UInt8] = []

    mutating func bytes(_ b: [UInt8]) { out += b }
    mutating func int<T: FixedWidthInteger>(_ v: T) {
        let stored = endianness == .little ? v.littleEndian : v.bigEndian
        withUnsafeBytes(of: stored) { out += $0 }
    }
    mutating func u16(_ v: UInt16) { int(v) }
    mutating func u32(_ v: UInt32) { int(v) }
    mutating func u64(_ v: UInt64) { int(v) }
    mutating func patch64(at i: Int, _ v: UInt64) {
        let stored = endianness == .little ? v.littleEndian : v.bigEndian
        withUnsafeBytes(of: stored) { for k in 0..<8 { out[i + k] = $0[k] } }
    }
    mutating func align(_ n: Int) { out += [UInt8](repeating: 0, count: (n - out.count % n) % n) }

    mutating func fileStart(version: String, longSize: UInt8, pageSize: Int) {
        bytes(FileHeader.magic)
        bytes(Array(version.utf8) + [0])
        bytes([endianness == .little ? 0 : 1, longSize])
        u32(UInt32(pageSize))
    }

    /// A v7 section: u16 id, u16 flags, s32 description (-1), u64 size, and
    /// the payload, as one compressed block when `algorithm` is given.
    mutating func section(id: UInt16, payload: [UInt8], algorithm: CompressionAlgorithm?) {
        u16(id)
        u16(algorithm == nil ? 0 : 1)
        u32(UInt32(bitPattern: -1))
        if let algorithm {
            let z = BlockCompressor.compress(payload, with: algorithm)
            u64(UInt64(z.count + 8)); u32(UInt32(z.count)); u32(UInt32(payload.count)); bytes(z)
        } else {
            u64(UInt64(payload.count)); bytes(payload)
        }
    }

    static func le64(_ v: UInt64) -> [UInt8] { var w = BlockWriter(endianness: .little); w.u64(v); return w.out }
    static func le32(_ v: UInt32) -> [UInt8] { var w = BlockWriter(endianness: .little); w.u32(v); return w.out }
}
