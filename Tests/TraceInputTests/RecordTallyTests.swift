import XCTest
@testable import TraceInput

/// `tally(only:)`: records of the named kinds are summed up on the decode
/// side instead of handed out. Read every fixture twice, once whole through
/// `next()` and once tallying every kind but sched_switch through
/// `nextRecord()`, and check that nothing is lost or changed: what is handed
/// out is the whole read minus the tallied records, in the same order; the
/// records a consumer must see in order are among it; and the tally holds
/// exactly the rest (counts, contexts, time span).
final class RecordTallyTests: XCTestCase {
    private struct Item: Hashable {
        var text: String
        var cpu: Int
        var pid: Int32
        var kind: String
        var timestamp: UInt64
        var context: ExecutionContext?
    }

    private func item(_ e: TraceEvent) -> Item {
        Item(text: "\(e.timestamp) \(e.cpu) \(e.pid) \(e.system):\(e.name) \(e.context)", cpu: e.cpu, pid: e.pid,
             kind: "\(e.system):\(e.name)", timestamp: e.timestamp, context: e.context)
    }

    private func lost(_ l: EventsLost) -> Item {
        Item(text: "lost \(l.cpu) \(l.timestamp) \(l.count ?? -1)", cpu: l.cpu, pid: -1, kind: "lost",
             timestamp: l.timestamp, context: nil)
    }

    private func whole(_ path: String, threads: Bool) throws -> [Item] {
        let reader = try TraceDatReader(path: path)
        reader.decodesOnThreads = threads
        var out: [Item] = []
        while let i = try reader.next() {
            switch i {
            case .event(let e): out.append(item(e))
            case .lost(let l): out.append(lost(l))
            }
        }
        XCTAssertNil(reader.tally, "a reader asked to tally nothing has no tally")
        return out
    }

    private func tallied(_ path: String, threads: Bool, tallying counted: @escaping (String, String) -> Bool)
        throws -> (handed: [Item], tally: RecordTally) {
        let reader = try TraceDatReader(path: path)
        reader.decodesOnThreads = threads
        reader.tally(only: counted)
        var out: [Item] = []
        while let i = try reader.nextRecord() {
            switch i {
            case .record(let r): out.append(item(r.event()))
            case .event(let e): out.append(item(e))
            case .lost(let l): out.append(lost(l))
            }
        }
        return (out, try XCTUnwrap(reader.tally, path))
    }

    func testTalliedRecordsAreExactlyTheOnesNotHandedOut() throws {
        var talliedInAll = 0
        for path in Fixtures.traceDatFiles() {
            for threads in [false, true] {
                let all = try whole(path, threads: threads)
                let (handed, tally) = try tallied(path, threads: threads) { "\($0):\($1)" != "sched:sched_switch" }
                let label = "\(path) threads \(threads)"

                // Handed out in order: a subsequence of the whole read.
                var rest: [Item] = []
                var h = handed.makeIterator()
                var next = h.next()
                for i in all {
                    if i == next { next = h.next() } else { rest.append(i) }
                }
                XCTAssertNil(next, "\(label): handed out something the whole read does not have, or out of order")

                // Kept back: only tallied kinds, never a drop marker, never
                // the first record of a pid on its CPU.
                XCTAssertFalse(rest.contains { $0.kind == "sched:sched_switch" || $0.kind == "lost" }, label)
                var firstOnCPU = Set<[Int64]>()
                for i in all where i.kind != "lost" {
                    if firstOnCPU.insert([Int64(i.cpu), Int64(i.pid)]).inserted {
                        XCTAssertTrue(handed.contains(i), "\(label): the first record of pid \(i.pid) on cpu \(i.cpu) was tallied")
                    }
                }
                // A record right after lost events is handed out after its marker.
                for (n, i) in all.enumerated() where i.kind == "lost" && n + 1 < all.count {
                    XCTAssertTrue(handed.contains(all[n + 1]), "\(label): the record after a drop marker was tallied")
                }

                // The tally is exactly the rest.
                XCTAssertEqual(tally.count, rest.count, label)
                var counts: [String: Int] = [:]
                var contexts: [String: [String: Int]] = [:]
                for i in rest {
                    counts[i.kind, default: 0] += 1
                    contexts[i.kind, default: [:]]["\(i.context!)", default: 0] += 1
                }
                var tallyCounts: [String: Int] = [:]
                var tallyContexts: [String: [String: Int]] = [:]
                for case let k? in tally.kinds {
                    tallyCounts["\(k.system):\(k.name)"] = k.count
                    for (c, n) in k.contexts { tallyContexts["\(k.system):\(k.name)", default: [:]]["\(c)"] = n }
                }
                XCTAssertEqual(tallyCounts, counts, label)
                XCTAssertEqual(tallyContexts, contexts, label)
                XCTAssertEqual(tally.first, rest.map(\.timestamp).min(), label)
                XCTAssertEqual(tally.last, rest.map(\.timestamp).max(), label)
                talliedInAll += rest.count
            }
        }
        // The fixtures' page frees, wakeups and functions are mostly tallied.
        XCTAssertGreaterThan(talliedInAll, 10_000)
    }
}
