import Foundation
import XCTest

/// The text corruption matrix: report and tracefs text from the captures
/// (and a gzip of one), cut short anywhere, with bytes flipped in the
/// header and the body, binary junk and NULs pasted in, lines dropped
/// mid-way. Each case is refused with one line, or read with the damaged
/// lines counted.
final class TextMatrixTests: MatrixTestCase {
    static let kinds = [
        "events-bug0/report.txt",           // trace-cmd report
        "graph-bug3/report-N.txt",          // report -N, function_graph
        "tracefs-bug2/trace.txt",           // tracefs trace
        "tracefs-bug2/trace-latency.txt",   // tracefs latency-format
    ]
    static let randomCuts = 20
    static let flips = 12

    func testMatrix() throws {
        let tally = try eachFixture(Self.kinds, seed: 0x7465_7874_0000, matrix: "text") { fixture, rng in
            let (relative, bytes, healthy, damage) = (fixture.name, fixture.bytes, fixture.healthy, fixture.damage)

            // Where the header ends: the first line that is not a comment.
            let lineStarts = [0] + bytes.indices.filter { bytes[$0] == 0x0a }.map { $0 + 1 }
            let firstEvent = lineStarts.first { $0 < bytes.count && bytes[$0] != UInt8(ascii: "#") && bytes[$0] != UInt8(ascii: "c") } ?? 0

            // Cut short: in the header, right after it, at random.
            var cuts = Set((0..<min(firstEvent + 200, bytes.count)).filter { $0 % 53 == 0 })
            cuts.formUnion([firstEvent - 1, firstEvent, firstEvent + 1])
            cuts.formUnion((0..<Self.randomCuts).map { _ in Int.random(in: 0..<bytes.count, using: &rng) })
            for cut in cuts.sorted() where cut > 0 && cut < bytes.count {
                if let s = try damage.run("cut at \(cut)", Array(bytes.prefix(cut)))?.summary {
                    XCTAssertLessThanOrEqual(s.events, healthy.events, "\(relative) cut at \(cut)")
                }
            }

            // Flipped bytes in the header and in the body.
            let header = 0..<max(1, firstEvent + 256)
            let body = min(firstEvent, bytes.count - 1)..<bytes.count
            for (part, range) in [("header", header), ("body", body)] {
                for _ in 0..<Self.flips {
                    var damaged = bytes
                    var offsets: [Int] = []
                    for _ in 0..<Int.random(in: 1...8, using: &rng) {
                        let at = Int.random(in: range, using: &rng)
                        damaged[at] ^= UInt8.random(in: 1...255, using: &rng)
                        offsets.append(at)
                    }
                    try damage.run("\(part) bytes flipped at \(offsets)", damaged)
                }
            }

            // Pasted junk in the body: binary noise, NULs, a half line, a
            // line of 2 MB; and lines dropped from the middle.
            let middle = lineStarts[lineStarts.count / 2]
            let junk: [(String, [UInt8])] = [
                ("binary noise", (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }),
                ("NULs", [UInt8](repeating: 0, count: 300) + [0x0a]),
                ("half a line", Array(bytes[middle..<(middle + 20)]) + [0x0a]),
                ("a 2 MB line", [UInt8](repeating: UInt8(ascii: "9"), count: 2 << 20) + [0x0a]),
            ]
            for (what, insert) in junk {
                var damaged = bytes
                damaged.insert(contentsOf: insert, at: middle)
                if let s = try damage.run("\(what) pasted at \(middle)", damaged)?.summary {
                    XCTAssertGreaterThan(s.events, healthy.events / 2, "\(relative): \(what)")
                    XCTAssertFalse(s.damage.isEmpty, "\(relative): \(what) not counted")
                }
            }
            for _ in 0..<5 {
                let from = Int.random(in: firstEvent..<bytes.count, using: &rng)
                let to = min(bytes.count, from + Int.random(in: 1...5000, using: &rng))
                var damaged = bytes
                damaged.removeSubrange(from..<to)
                if let s = try damage.run("bytes \(from)..<\(to) dropped", damaged)?.summary {
                    XCTAssertLessThanOrEqual(s.events, healthy.events)
                }
            }
        }
        XCTAssertGreaterThan(tally.cases, 200)
    }

    /// gzip'd text cut short and flipped: refused with one line, or read.
    func testGzipMatrix() throws {
        let plain = try Harness.fixture(Self.kinds[0])
        let gz = try gzip(plain)
        let zipped = try Harness.bytes(gz)
        let healthy = try XCTUnwrap(Harness.check("gzip as is", path: gz.path)?.summary)
        var rng = SeededRandom(seed: 0x677a)
        let tally = Tally()
        let damage = cases("gzip of \(Self.kinds[0])", gz, tally)
        for i in 0..<30 {
            var damaged = zipped
            let label: String
            if i % 2 == 0 {
                let cut = Int.random(in: 1..<zipped.count, using: &rng)
                damaged = Array(zipped.prefix(cut))
                label = "cut at \(cut)"
            } else {
                let at = Int.random(in: 0..<zipped.count, using: &rng)
                damaged[at] ^= UInt8.random(in: 1...255, using: &rng)
                label = "byte \(at) flipped"
            }
            if let s = try damage.run(label, damaged)?.summary { XCTAssertLessThanOrEqual(s.events, healthy.events, label) }
        }

        print("gzip matrix: \(tally)")
        XCTAssertGreaterThan(tally.refused, 0)
    }

    private func gzip(_ url: URL) throws -> URL {
        let out = scratch.appendingPathComponent("gzipped-" + url.lastPathComponent + ".gz")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-c", url.path]
        p.standardOutput = try FileHandle(forWritingTo: out)
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return out
    }
}
