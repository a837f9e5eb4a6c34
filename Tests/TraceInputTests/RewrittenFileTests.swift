import XCTest
@testable import TraceInput
import NativeBindings

/// The same trace written again in the forms no fixture has: big-endian v6
/// and zlib-compressed v7 (plus v7 zstd / uncompressed from our own writer,
/// which checks the writer itself against trace-cmd).
final class RewrittenFileTests: XCTestCase {
    private func source() throws -> String {
        try Fixtures.smallest { $0.fileVersion == 6 && $0.endianness == .little && $0.instanceNames.isEmpty && !$0.isLatencyTrace }
    }

    /// Our v7 writer is right if trace-cmd reads its zstd and uncompressed
    /// output exactly as it reads the source.
    func testRewrittenV7MatchesTraceCmd() throws {
        let path = try source()
        let content = try TraceContent(v6: path)
        let reference = try Fixtures.traceCmdReport(["-N"], path)
        for compression in ["none", "zstd"] {
            let p = try Fixtures.temporaryFile(content.writeV7(compression: compression), name: "v7-\(compression).dat")
            assertSameReport(try Fixtures.traceCmdReport(["-N"], p), reference, "trace-cmd on our v7 \(compression)")
            assertSameReport(try Fixtures.dump(p), reference, "dump of our v7 \(compression)")
        }
    }

    /// zlib chunks and sections (Debian's trace-cmd has no zlib): the same
    /// output as trace-cmd gives for the zstd / v6 forms of the trace.
    func testZlibCompressedV7MatchesTheOriginal() throws {
        let path = try source()
        let content = try TraceContent(v6: path)
        let p = try Fixtures.temporaryFile(content.writeV7(compression: "zlib"), name: "v7-zlib.dat")
        let file = try TraceDatFile(path: p)
        XCTAssertEqual(file.compression, "zlib")
        assertSameReport(try Fixtures.dump(p), try Fixtures.traceCmdReport(["-N"], path), "dump of v7 zlib")
        XCTAssertEqual(file.damage.unreadablePages, 0)
    }

    /// Big-endian v6: trace-cmd reads our big-endian file as it reads the
    /// little-endian source, and dump matches trace-cmd on it.
    func testBigEndianV6MatchesTraceCmd() throws {
        let path = try source()
        var content = try TraceContent(v6: path)
        let swapper = PageByteSwap(file: try TraceDatFile(path: path))
        content.cpuData = content.cpuData.map(swapper.swapPages)
        let p = try Fixtures.temporaryFile(content.writeV6(endianness: .big), name: "v6-be.dat")
        XCTAssertEqual(try TraceDatFile(path: p).endianness, .big)
        let reference = try Fixtures.traceCmdReport(["-N"], p)
        assertSameReport(reference, try Fixtures.traceCmdReport(["-N"], path), "trace-cmd: big-endian vs source")
        assertSameReport(try Fixtures.dump(p), reference, "dump of big-endian v6")
        assertSameReport(try Fixtures.dump(p, options: DumpOptions(raw: true)),
                         try Fixtures.traceCmdReport(["-N", "-R"], p), "dump -R of big-endian v6")
    }
}

/// Buffers, clocks and time options written into a copy of a fixture,
/// each compared with what trace-cmd prints for the same file.
final class OptionParityTests: XCTestCase {
    private func content() throws -> TraceContent {
        try TraceContent(v6: try Fixtures.smallest {
            $0.fileVersion == 6 && $0.endianness == .little && $0.instanceNames.isEmpty && !$0.isLatencyTrace
        })
    }

    private func assertParity(_ bytes: [UInt8], _ name: String, args: [String] = [], options: DumpOptions = DumpOptions(),
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let p = try Fixtures.temporaryFile(bytes, name: name)
        assertSameReport(try Fixtures.dump(p, options: options), try Fixtures.traceCmdReport(["-N"] + args, p), name,
                         file: file, line: line)
    }

    /// An instance: the name column, tie order (top buffer first) and
    /// report's --cpu counting CPUs over all buffers.
    func testInstanceBuffers() throws {
        let bytes = try content().writeV7(compression: "none", instances: ["foo"])
        try assertParity(bytes, "instance.dat")
        try assertParity(bytes, "instance-cpu.dat", args: ["--cpu", "1,2"], options: DumpOptions(cpus: [1, 2]))
        let p = try Fixtures.temporaryFile(bytes, name: "instance-reader.dat")
        XCTAssertEqual(try TraceDatFile(path: p).instanceNames, ["foo"])
        let top = try TraceStatistics.collect(TraceDatFile(path: p), instance: "")
        let foo = try TraceStatistics.collect(TraceDatFile(path: p), instance: "foo")
        XCTAssertEqual(top.events, foo.events)
    }

    func testV6InstanceBuffers() throws {
        try assertParity(try content().writeV6(endianness: .little, instances: ["bar", "quux"]), "v6-instances.dat")
    }

    /// A latency trace is printed as its text after "cpus=N".
    func testV6LatencyText() throws {
        let text = "# tracer: irqsoff\n#\n  <idle>-0  0d.h1  10us : foo <-bar\n"
        try assertParity(try content().writeV6(endianness: .little, latencyText: text), "latency.dat")
    }

    private func text(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }

    /// A counter clock prints raw timestamps ("%12d").
    func testCounterClockPrintsRawTimestamps() throws {
        var c = try content()
        c.textOptions.removeAll { $0.id == 4 }
        try assertParity(c.writeV7(compression: "none", extraOptions: [(4, text("[x86-tsc] local global"))]), "tsc.dat")
    }

    /// TSC2NSEC scales a counter clock to ns; OFFSET and DATE shift it.
    func testTSC2NSECOffsetAndDate() throws {
        var c = try content()
        c.textOptions.removeAll { $0.id == 4 }
        var tsc = BlockWriter(endianness: .little)
        tsc.u32(3); tsc.u32(1); tsc.u64(0)
        try assertParity(c.writeV7(compression: "none", extraOptions: [
            (4, text("[x86-tsc] local")), (14, tsc.out), (7, text("-1500000")), (1, text("0x10")),
        ]), "tsc2nsec.dat")
    }

    /// TIME_SHIFT (a guest's file from a host/guest session): trace-cmd
    /// moves each CPU's timestamps onto the host clock with its samples. CPU
    /// 0 interpolates between three samples given out of order (one time
    /// twice), CPU 1 has one negative offset; then samples without
    /// interpolation that scale by 3/2 (fraction bits). Each must print as
    /// trace-cmd prints it, and differ from the file without the option.
    func testGuestTimeShift() throws {
        func option(flags: UInt32, cpus: [[(time: Int64, offset: Int64, scaling: Int64)]], fractions: [[Int64]]?) -> [UInt8] {
            var w = BlockWriter(endianness: .little)
            w.u64(0x1234); w.u32(flags); w.u32(UInt32(cpus.count))
            for samples in cpus {
                w.u32(UInt32(samples.count))
                for s in samples { w.u64(UInt64(bitPattern: s.time)) }
                for s in samples { w.u64(UInt64(bitPattern: s.offset)) }
                for s in samples { w.u64(UInt64(bitPattern: s.scaling)) }
            }
            for f in fractions ?? [] { for v in f { w.u64(UInt64(bitPattern: v)) } }
            return w.out
        }
        let c = try content()
        let plain = try Fixtures.dump(try Fixtures.temporaryFile(c.writeV7(compression: "none"), name: "unshifted.dat"))
        let interpolated = option(flags: 1, cpus: [
            [(100_000_000_000, 5_000_000, 1), (0, 1_000_000, 1), (50_000_000_000, 2_000_000, 1), (50_000_000_000, 9, 1)],
            [(0, -7_000_000, 1)],
        ], fractions: nil)
        let scaled = option(flags: 0, cpus: [
            [(0, 250_000, 3), (100_000_000_000, 500_000, 3)],
            [(0, 0, 1), (100_000_000_000, 0, 1)],
        ], fractions: [[1, 1], [0, 0]])
        for (name, payload) in [("interpolated", interpolated), ("scaled", scaled)] {
            let bytes = c.writeV7(compression: "none", extraOptions: [(12, payload)])
            try assertParity(bytes, "time-shift-\(name).dat")
            let shifted = try Fixtures.dump(try Fixtures.temporaryFile(bytes, name: "time-shift-\(name)-2.dat"))
            XCTAssertNotEqual(shifted, plain, name)
        }
    }
}
