import Foundation
import XCTest
import TraceInput
import TraceModel
import Checks
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// What one damaged input came to: refused with a one-line error, or read
/// (perhaps partly, with the skipped pages/lines counted).
enum Outcome {
    case refused(String)
    case read(Summary)

    struct Summary {
        var events: Int
        var lost: Int
        var violations: Int
        var damage: DamageCount
    }

    var summary: Summary? {
        if case .read(let s) = self { return s }
        return nil
    }
}

/// Runs inputs through what `mmaudit analyze` does, in-process: openTrace,
/// every item, the checks with the built-in bindings (function names
/// through the trace's own kallsyms, so damaged symbol tables are used).
enum Harness {
    static let packageRoot = FixtureFiles.repositoryRoot
    static let traces = FixtureFiles.traces

    /// Longest any one case may take (debug build, 2 shared cores);
    /// scripts/sanitize raises it through MMAUDIT_CASE_SECONDS, since an
    /// instrumented build runs several times slower.
    static let caseTimeLimit: Duration = .seconds(
        ProcessInfo.processInfo.environment["MMAUDIT_CASE_SECONDS"].flatMap(Int.init) ?? 5)

    static func analyze(_ path: String) throws -> Outcome {
        do {
            let reader = try openTrace(path: path)
            let result = try Analysis.run(reader, bindings: BuiltinBindings.table,
                                          functions: FunctionNames(symbolize: { [reader] in reader.symbolize($0) }))
            return .read(.init(events: result.events, lost: result.lostEvents,
                               violations: result.violations.count, damage: result.damage))
        } catch let e as TraceInputError {
            return .refused(e.description)
        }
    }

    /// Runs one case and checks what holds for every case: no error other
    /// than TraceInputError, a refusal is one line naming the file, and it
    /// is over within `caseTimeLimit`.
    @discardableResult
    static func check(_ label: String, path: String, file: StaticString = #filePath,
                      line: UInt = #line) -> Outcome? {
        let clock = ContinuousClock()
        let start = clock.now
        let peakBefore = peakRSSMiB
        defer {
            let grew = peakRSSMiB - peakBefore
            XCTAssertLessThan(grew, 128, "\(label) raised peak RSS by \(grew) MiB", file: file, line: line)
        }
        let outcome: Outcome
        do {
            outcome = try analyze(path)
        } catch {
            XCTFail("\(label): an error that is not a TraceInputError: \(error)", file: file, line: line)
            return nil
        }
        let took = clock.now - start
        XCTAssertLessThan(took, caseTimeLimit, "\(label) took \(took)", file: file, line: line)
        if case .refused(let text) = outcome {
            XCTAssertFalse(text.contains("\n"), "\(label): \(text)", file: file, line: line)
            XCTAssertTrue(text.hasPrefix(path), "\(label): \(text)", file: file, line: line)
        }
        return outcome
    }

    /// Peak resident set size of this process so far, in MiB.
    static var peakRSSMiB: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024   // KiB on Linux
    }

    /// A scratch directory for the damaged copies, removed by the caller.
    static func scratchDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("mmaudit-robustness-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ bytes: [UInt8], to url: URL) throws {
        try Data(bytes).write(to: url)
    }

    static func bytes(_ url: URL) throws -> [UInt8] { try FixtureFiles.bytes(url) }

    /// The fixture at `relative` under fixtures/traces; the test fails
    /// (not skips) when it is missing: a matrix over nothing must not pass.
    /// An uncompressed v7 file that is not in the repository (it costs
    /// 2 MB of kallsyms) is made from the capture's trace.dat with
    /// `trace-cmd convert`, as fixtures/capture/convert makes them.
    static func fixture(_ relative: String, file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let url = traces.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        if url.lastPathComponent == "trace-v7-none.dat", let made = try convertedToV7None(url) { return made }
        XCTFail("missing fixture \(relative)", file: file, line: line)
        throw XCTSkip("missing fixture")
    }

    private static func convertedToV7None(_ url: URL) throws -> URL? {
        let source = url.deletingLastPathComponent().appendingPathComponent("trace.dat")
        guard FileManager.default.fileExists(atPath: source.path) else { return nil }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mmaudit-robustness-\(url.deletingLastPathComponent().lastPathComponent)-v7-none.dat")
        if FileManager.default.fileExists(atPath: out.path) { return out }
        let partial = out.path + ".\(getpid())"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["trace-cmd", "convert", "--file-version", "7", "--compression", "none",
                       "-i", source.path, "-o", partial]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        try FileManager.default.moveItem(atPath: partial, toPath: out.path)
        return out
    }
}

/// A small seeded generator (SplitMix64) so every run damages the same bytes.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Counts for the summary line each matrix prints.
final class Tally: CustomStringConvertible {
    var cases = 0, refused = 0, partial = 0, clean = 0

    func add(_ o: Outcome?) {
        cases += 1
        switch o {
        case .refused?: refused += 1
        case .read(let s)?: if s.damage.isEmpty { clean += 1 } else { partial += 1 }
        case nil: break
        }
    }

    var description: String {
        "\(cases) cases: \(refused) refused with one line, \(partial) read with damage counted, \(clean) read clean"
    }
}

/// A matrix test: a scratch directory for the damaged copies.
class MatrixTestCase: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws { scratch = try Harness.scratchDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    /// Runs damaged copies of the fixture `name` from one scratch file.
    struct Cases {
        var name: String
        var path: String
        var tally: Tally

        @discardableResult
        func run(_ label: String, _ damaged: [UInt8], file: StaticString = #filePath,
                 line: UInt = #line) throws -> Outcome? {
            try Harness.write(damaged, to: URL(fileURLWithPath: path))
            let o = Harness.check("\(name): \(label)", path: path, file: file, line: line)
            tally.add(o)
            return o
        }
    }

    func cases(_ name: String, _ fixture: URL, _ tally: Tally) -> Cases {
        Cases(name: name, path: scratch.appendingPathComponent(fixture.lastPathComponent).path, tally: tally)
    }

    /// A healthy fixture and where to run its damaged copies.
    struct Fixture {
        var name: String
        var url: URL
        var bytes: [UInt8]
        var healthy: Outcome.Summary
        var damage: Cases
    }

    /// Calls `body` for each fixture under fixtures/traces named in `names`
    /// (each with its own seeded generator), prints the tally and checks
    /// that the whole matrix kept peak RSS within `rssBoundMiB` of where it
    /// started.
    @discardableResult
    func eachFixture(_ names: [String], seed: UInt64, matrix: String, rssBoundMiB: Int = 256,
                     _ body: (Fixture, inout SeededRandom) throws -> Void) throws -> Tally {
        let rssBefore = Harness.peakRSSMiB
        let tally = Tally()
        for (index, name) in names.enumerated() {
            let url = try Harness.fixture(name)
            let healthy = try XCTUnwrap(Harness.check("\(name) as is", path: url.path)?.summary,
                                        "\(name) does not read")
            XCTAssertTrue(healthy.damage.isEmpty, "\(name): \(healthy.damage)")
            XCTAssertGreaterThan(healthy.events, 1000)
            var rng = SeededRandom(seed: seed &+ UInt64(index))
            try body(Fixture(name: name, url: url, bytes: try Harness.bytes(url), healthy: healthy,
                             damage: cases(name, url, tally)), &rng)
        }
        let grew = Harness.peakRSSMiB - rssBefore
        print("\(matrix) matrix: \(tally); peak RSS grew \(grew) MiB (now \(Harness.peakRSSMiB) MiB)")
        XCTAssertGreaterThan(tally.refused, 0)
        XCTAssertGreaterThan(tally.partial, 0)
        // Streaming: one page and one chunk per CPU (one block of text) plus
        // metadata; the biggest fixture is 2.3 MB.
        XCTAssertLessThan(grew, rssBoundMiB, "the \(matrix) matrix raised peak RSS by \(grew) MiB")
        return tally
    }
}
