import XCTest
@testable import TraceInput
import NativeBindings

/// `symbolize` reads kallsyms through mmaudit's own index; libtraceevent's
/// tep_find_function is the reference. Both must name every address alike,
/// on the real kallsyms of every capture: symbol starts, the bytes around
/// them, aliases sharing an address, and module symbols (listed unsorted).
final class KernelSymbolsTests: XCTestCase {
    func testIndexNamesEveryAddressAsLibtraceeventDoes() throws {
        var compared = 0, aliased = 0, modules = 0
        for path in Fixtures.traceDatFiles() {
            let tep = try TraceDatFile(path: path).tep
            let lines = tep.kallsymsText.split(separator: 0x0a)
            let addresses = lines.compactMap { UInt64(String(decoding: $0.prefix(16), as: UTF8.self), radix: 16) }
            XCTAssertGreaterThan(addresses.count, 1000, "\(path): kallsyms")
            var seen: [UInt64: Int] = [:]
            for a in addresses { seen[a, default: 0] += 1 }
            for (i, line) in lines.enumerated() where i < addresses.count {
                let address = addresses[i]
                let inModule = line.contains(UInt8(ascii: "["))
                let alias = seen[address, default: 0] > 1
                // Every module symbol and alias; a sample of the sorted rest.
                guard inModule || alias || i % 17 == 0 else { continue }
                if inModule { modules += 1 }
                if alias { aliased += 1 }
                for probe in [address &- 1, address, address &+ 1, address &+ 0x40] {
                    XCTAssertEqual(tep.symbolize(probe), tep.symbolizeWithLibrary(probe),
                                   "\(path): 0x\(String(probe, radix: 16))")
                    compared += 1
                }
            }
            for probe: UInt64 in [0, 1, .max, addresses.max()! &+ 0x1000] {
                XCTAssertEqual(tep.symbolize(probe), tep.symbolizeWithLibrary(probe), "\(path): 0x\(String(probe, radix: 16))")
            }
        }
        XCTAssertGreaterThan(aliased, 0, "no alias was compared")
        XCTAssertGreaterThan(modules, 0, "no module symbol was compared")
        print("kernel symbols: \(compared) lookups compared (\(aliased) alias and \(modules) module lines)")
    }

    /// An index built early, on its own thread while the file is read
    /// (what analyze asks for), answers as the one built on first use.
    func testIndexBuiltEarlyAnswersAlike() throws {
        for path in Fixtures.traceDatFiles() {
            let early = try TraceDatFile(path: path, indexSymbolsEarly: true).tep
            let late = try TraceDatFile(path: path).tep
            let addresses = late.kallsymsText.split(separator: 0x0a).enumerated()
                .filter { $0.offset % 97 == 0 }
                .compactMap { UInt64(String(decoding: $0.element.prefix(16), as: UTF8.self), radix: 16) }
            XCTAssertGreaterThan(addresses.count, 100, path)
            for a in addresses { XCTAssertEqual(early.symbolize(a &+ 3), late.symbolize(a &+ 3), path) }
        }
    }

    /// Lines of other shapes than /proc/kallsyms prints (what a hand-edited
    /// or damaged symbol table may hold) take the index's slow path: still
    /// the same answers as libtraceevent, which parses the same text.
    func testOddlyShapedLinesReadAsLibtraceeventReadsThem() throws {
        let path = try XCTUnwrap(Fixtures.traceDatFiles().first)
        let real = try TraceDatFile(path: path).tep.kallsymsText.split(separator: 0x0a).prefix(3000)
        var text: [UInt8] = []
        for (i, line) in real.enumerated() {
            var l = String(decoding: line, as: UTF8.self)
            let address = l.prefix(16)
            switch i % 12 {
            case 1: l = "0x" + l
            case 2: l = "  " + l
            case 3: l = String(address.suffix(8)) + l.dropFirst(16)           // a short address
            case 4: l = l.replacingOccurrences(of: " ", with: "\t")
            case 5: l = l.replacingOccurrences(of: " t ", with: " t $")       // skipped: '$' names
            case 6: l = l.replacingOccurrences(of: " t ", with: " A ")        // skipped: absolute
            case 7: l += "\t[mod_\(i)]"
            case 8: l = l.replacingOccurrences(of: " t ", with: " t   ")
            case 9: text += Array("\n".utf8)                                  // an empty line
            case 10: l = l.uppercased()
            case 11: l = "f" + l                                              // 17 digits: the type is a digit
            default: break
            }
            if i % 13 == 0 { l += "\r" }
            if i % 17 == 3 { l = "+" + l }                                    // a sign counts in the width
            if i % 19 == 7 { l += "\t[ spaced]" }
            if i == 2500 { l = "not a symbol" }                               // the parse stops here
            text += Array(l.utf8) + [0x0a]
        }
        let tep = TEPHandle(fileIsBigEndian: false, longSize: 8)
        tep.parseKallsyms(in: MemoryRegion(bytes: text), at: 0, count: text.count)
        var named = 0
        for line in real {
            guard let address = UInt64(String(decoding: line.prefix(16), as: UTF8.self), radix: 16) else { continue }
            for probe in [address & 0xffff_ffff, address &- 1, address, address &+ 1] {
                let ours = tep.symbolize(probe)
                XCTAssertEqual(ours, tep.symbolizeWithLibrary(probe), "0x\(String(probe, radix: 16))")
                if ours != nil { named += 1 }
            }
        }
        XCTAssertGreaterThan(named, 5000, "too few addresses named: the comparison would prove little")
    }
}
