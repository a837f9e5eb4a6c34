import XCTest
@testable import TraceInput
import NativeBindings

/// The trace.dat reader decodes CPUs on threads of their own for large
/// files and on the reading thread for small ones (every fixture is small).
/// Both must yield the same items in the same order, with the same damage
/// logged in the same order.
final class DecodeThreadsTests: XCTestCase {
    private func items(_ path: String, threads: Bool) throws -> (items: [String], damage: DamageCount) {
        let reader = try TraceDatReader(path: path)
        reader.decodesOnThreads = threads
        var out: [String] = []
        while let item = try reader.next() {
            switch item {
            case .event(let e):
                out.append("\(e.timestamp) \(e.cpu) \(e.pid) \(e.comm) \(e.system):\(e.name) \(e.context) \(e.fields.names.map { "\($0)=\(e.fields[$0].map { "\($0)" } ?? "-")" })")
            case .lost(let l):
                out.append("lost \(l.cpu) \(l.timestamp) \(l.count.map(String.init) ?? "?")")
            }
        }
        return (out, reader.damage)
    }

    private func expectSame(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let threaded = try items(path, threads: true)
        let inline = try items(path, threads: false)
        XCTAssertEqual(threaded.items.count, inline.items.count, path, file: file, line: line)
        if let i = zip(threaded.items, inline.items).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("\(path): item \(i): \(threaded.items[i]) against \(inline.items[i])", file: file, line: line)
        }
        XCTAssertEqual(threaded.damage, inline.damage, path, file: file, line: line)
        return threaded.items.count
    }

    func testEveryFixtureReadsTheSameOnThreadsAndInline() throws {
        var total = 0
        for path in Fixtures.traceDatFiles() { total += try expectSame(path) }
        XCTAssertGreaterThan(total, 50_000)
    }

    /// Damage met on the way (pages refused, chunks that do not decompress)
    /// is logged where the read passes it, either way.
    func testDamageIsLoggedAlikeOnThreadsAndInline() throws {
        let v6 = try Fixtures.smallest { $0.fileVersion == 6 && !$0.isLatencyTrace }
        let f = try TraceDatFile(path: v6)
        var b = try Fixtures.bytes(v6)
        for cpu in f.buffers[0].cpus where cpu.size > 2 * f.header.pageSize {
            // An impossible commit size in each CPU's second page.
            let page = cpu.offset + f.header.pageSize
            b[page + 8] = 0xff; b[page + 9] = 0xff; b[page + 10] = 0x7f
        }
        let damagedV6 = try Fixtures.temporaryFile(b, name: "threads-commit.dat")
        XCTAssertGreaterThan(try TraceDatReader(path: damagedV6).allDamage().unreadablePages, 0)
        _ = try expectSame(damagedV6)

        let zstd = try Fixtures.smallest { $0.compression == "zstd" }
        let z = try TraceDatFile(path: zstd)
        var c = try Fixtures.bytes(zstd)
        for cpu in z.buffers[0].cpus where cpu.size > 0 {
            for i in 0..<16 { c[cpu.offset + 4 + 8 + 20 + i] ^= 0xa5 }   // the first chunk's data
        }
        let damagedZstd = try Fixtures.temporaryFile(c, name: "threads-chunk.dat")
        XCTAssertGreaterThan(try TraceDatReader(path: damagedZstd).allDamage().unreadablePages, 0)
        _ = try expectSame(damagedZstd)
    }
}

private extension TraceDatReader {
    /// Reads to the end and returns the damage.
    func allDamage() throws -> DamageCount {
        while try next() != nil {}
        return damage
    }
}
