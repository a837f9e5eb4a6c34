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
}
