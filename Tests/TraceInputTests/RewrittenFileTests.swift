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
}
