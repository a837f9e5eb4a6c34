import Foundation
import XCTest
import TraceInput
import TraceModel
import Checks
import Reports

/// A signature repeated more than `ViolationLog.keptPerSignature` times is
/// reported in full that many times and counted beyond: on real events, the
/// function-bug1 capture (18 atomic sleeps of one signature per copy) played
/// three times over with shifted timestamps, as scripts/bench-gen does.
final class FoldingTests: XCTestCase {
    static let capture = "fixtures/traces/function-bug1/trace-v6.dat"
    static let copies = 3

    /// The capture's items, `copies` times, each copy after the previous one's last event.
    final class RepeatedTrace: TraceReader {
        let inner: any TraceReader
        private let items: [TraceItem]
        private let span: UInt64
        private var copy = 0
        private var index = 0
        private let copies: Int

        init(path: String, copies: Int) throws {
            inner = try openTrace(path: path)
            var items: [TraceItem] = []
            while let item = try inner.next() { items.append(item) }
            self.items = items
            let stamps = items.compactMap { item -> UInt64? in
                if case .event(let e) = item { return e.timestamp }
                return nil
            }
            span = (stamps.max() ?? 0) - (stamps.min() ?? 0) + 1
            self.copies = copies
        }

        var info: TraceInfo { inner.info }
        var damage: DamageCount { inner.damage }
        func symbolize(_ address: UInt64) -> String? { inner.symbolize(address) }

        func next() throws -> TraceItem? {
            if index == items.count {
                copy += 1
                index = 0
            }
            guard copy < copies, index < items.count else { return nil }
            defer { index += 1 }
            let shift = UInt64(copy) * span
            switch items[index] {
            case .event(var e):
                e.timestamp += shift
                return .event(e)
            case .lost(var l):
                l.timestamp += shift
                return .lost(l)
            }
        }
    }

    func analyze(copies: Int) throws -> AnalysisResult {
        let reader = try RepeatedTrace(path: ExternalTools.packageRoot.appendingPathComponent(Self.capture).path,
                                       copies: copies)
        return try Analysis.run(reader, bindings: BuiltinBindings.table,
                                functions: FunctionNames(symbolize: { [reader] in reader.symbolize($0) }))
    }

    func testRepeatsBeyondTheLimitAreCountedNotKept() throws {
        let once = try analyze(copies: 1)
        let perCopy = once.violations.filter { $0.rule == AtomicSleep.info.id }.count
        XCTAssertEqual(perCopy, 18)
        XCTAssertTrue(once.folded.isEmpty, "one capture must not fold")
        let signatures = Set(once.violations.map(\.signature))
        XCTAssertEqual(signatures.count, 1)
        let signature = try XCTUnwrap(signatures.first)

        let r = try analyze(copies: Self.copies)
        let total = perCopy * Self.copies
        let kept = ViolationLog.keptPerSignature
        XCTAssertGreaterThan(total, kept)
        XCTAssertEqual(r.violations.count, kept)
        XCTAssertEqual(r.summary[AtomicSleep.info.id], total, "summary counts are the true totals")
        XCTAssertEqual(r.checks.first { $0.rule == AtomicSleep.info.id }?.violations, total)
        XCTAssertEqual(r.folded.count, 1)
        let f = try XCTUnwrap(r.folded.first)
        XCTAssertEqual(f.signature, signature)
        XCTAssertEqual(f.count, total - kept)
        // The kept ones are the earliest; the folded ones come after them.
        XCTAssertEqual(r.violations.map(\.timestamp), r.violations.map(\.timestamp).sorted())
        XCTAssertLessThan(try XCTUnwrap(r.violations.last).timestamp, f.firstTimestamp)
        XCTAssertEqual(f.sampleTimestamps.count, FoldedViolations.sampleLimit)
        XCTAssertEqual(f.sampleTimestamps.first, f.firstTimestamp)
        XCTAssertGreaterThan(f.lastTimestamp, f.firstTimestamp)

        // JSON: the folded entry and a note saying so; violations hold the kept ones.
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(AnalysisJSON.render(r).utf8))
                                    as? [String: Any])
        XCTAssertEqual((json["violations"] as? [Any])?.count, kept)
        XCTAssertEqual((json["summary"] as? [String: Int])?[AtomicSleep.info.id], total)
        let folded = try XCTUnwrap(json["folded"] as? [[String: Any]])
        XCTAssertEqual(folded.count, 1)
        XCTAssertEqual(folded[0]["count"] as? Int, total - kept)
        XCTAssertEqual(folded[0]["signature"] as? String, signature)
        XCTAssertEqual(folded[0]["first_ts_ns"] as? UInt64, f.firstTimestamp)
        XCTAssertTrue((json["folded_note"] as? String)?.contains("\(total - kept) more occurrences") == true)

        // Every other format states the fold too.
        let text = AnalysisText.render(r)
        XCTAssertTrue(text.contains("\(total) times, from"), text)
        XCTAssertTrue(text.contains("\(total - kept) of them folded"), text)
        XCTAssertTrue(AnalysisMarkdown.render(r).contains("\(total - kept) more occurrences"))
        let sarif = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(AnalysisSARIF.render(r).utf8))
                                     as? [String: Any])
        let run = try XCTUnwrap((sarif["runs"] as? [[String: Any]])?.first)
        let sarifFolded = try XCTUnwrap((run["properties"] as? [String: Any])?["folded"] as? [[String: Any]])
        XCTAssertEqual(sarifFolded.first?["count"] as? Int, total - kept)

        // A diff against the single capture matches the signature and counts all of it.
        let d = TraceDiff(before: once, after: r)
        let row = try XCTUnwrap(d.rules.first { $0.rule == AtomicSleep.info.id })
        XCTAssertEqual(row.before, perCopy)
        XCTAssertEqual(row.after, total)
        XCTAssertEqual(row.persisting, total)
        XCTAssertEqual(d.findings(.persisting).first?.afterCount, total)
    }

    /// A finding beyond the limit is counted without being made: its
    /// message and evidence are built only for the occurrences kept.
    func testOccurrencesBeyondTheLimitAreNotBuilt() {
        var log = ViolationLog()
        var built = 0
        for i in 0..<100 {
            log.add(rule: "r", severity: .error, signature: "r|same", timestamp: UInt64(i)) {
                built += 1
                return Violation(rule: "r", severity: .error, timestamp: UInt64(i), cpu: 0, pid: 1, comm: "c",
                                 message: "m", signature: "r|same", evidence: [])
            }
        }
        XCTAssertEqual(built, ViolationLog.keptPerSignature)
        XCTAssertEqual(log.kept.count, ViolationLog.keptPerSignature)
        XCTAssertEqual(log.folded.map(\.count), [100 - ViolationLog.keptPerSignature])
        XCTAssertEqual(log.folded.first?.lastTimestamp, 99)
    }
}
