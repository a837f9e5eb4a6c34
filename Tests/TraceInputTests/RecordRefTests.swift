import XCTest
@testable import TraceInput

/// `nextRecord()` hands out records in place (RecordRef) instead of events.
/// What a consumer reads through one must be what `next()` gives: the same
/// items in the same order, the same header values, the same event when one
/// is made, and every field read from the payload equal to the event's (as
/// a FieldValue, and as the integers the model reads without one).
final class RecordRefTests: XCTestCase {
    private func describe(_ e: TraceEvent) -> String {
        "\(e.timestamp) \(e.cpu) \(e.pid) \(e.comm) \(e.system):\(e.name) \(e.kindID) \(e.context) "
            + "\(e.fields.names.map { "\($0)=\(e.fields[$0].map { "\($0)" } ?? "-")" })"
    }

    private func events(_ path: String, threads: Bool, only wanted: ((String, String) -> Bool)? = nil) throws -> [String] {
        let reader = try TraceDatReader(path: path)
        reader.decodesOnThreads = threads
        if let wanted { reader.decodeFields(only: wanted) }
        var out: [String] = []
        while let item = try reader.next() {
            switch item {
            case .event(let e): out.append(describe(e))
            case .lost(let l): out.append("lost \(l.cpu) \(l.timestamp) \(l.count.map(String.init) ?? "?")")
            }
        }
        return out
    }

    /// Reads through `nextRecord()`, checking each record against the event
    /// made of it, and returns the events' descriptions.
    private func records(_ path: String, threads: Bool, only wanted: ((String, String) -> Bool)? = nil,
                         checkFields: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws -> (items: [String], fieldsRead: Int) {
        let reader = try TraceDatReader(path: path)
        reader.decodesOnThreads = threads
        if let wanted { reader.decodeFields(only: wanted) }
        var out: [String] = []
        var fieldsRead = 0
        while let item = try reader.nextRecord() {
            switch item {
            case .record(let r):
                let e = r.event()
                XCTAssertEqual([r.timestamp, UInt64(r.cpu), UInt64(bitPattern: Int64(r.pid))],
                               [e.timestamp, UInt64(e.cpu), UInt64(bitPattern: Int64(e.pid))], path, file: file, line: line)
                XCTAssertEqual(r.context, e.context, path, file: file, line: line)
                XCTAssertEqual(r.kindID, e.kindID, path, file: file, line: line)
                XCTAssertEqual(r.comm, e.comm, path, file: file, line: line)
                for (i, name) in e.fields.names.enumerated() where checkFields {
                    XCTAssertEqual(r.fieldIndex(of: name), i, "\(path) \(e.name).\(name)", file: file, line: line)
                    let value = e.fields[index: i]
                    XCTAssertEqual(r.field(at: i), value, "\(path) \(e.name).\(name)", file: file, line: line)
                    XCTAssertEqual(r.integerField(at: i), value?.int64, "\(path) \(e.name).\(name)", file: file, line: line)
                    var unsigned: UInt64?
                    if case .unsigned(let v)? = value { unsigned = v }
                    XCTAssertEqual(r.unsignedField(at: i), unsigned, "\(path) \(e.name).\(name)", file: file, line: line)
                    fieldsRead += 1
                }
                out.append(describe(e))
            case .event(let e):
                XCTFail("\(path): a trace.dat reader gave an event, not a record: \(describe(e))", file: file, line: line)
            case .lost(let l):
                out.append("lost \(l.cpu) \(l.timestamp) \(l.count.map(String.init) ?? "?")")
            }
        }
        return (out, fieldsRead)
    }

    private func expectSame(_ a: [String], _ b: [String], _ path: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, path, file: file, line: line)
        if let i = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("\(path): item \(i): \(a[i]) against \(b[i])", file: file, line: line)
        }
    }

    func testRecordsReadLikeEventsOnEveryFixture() throws {
        var total = 0, fields = 0
        for path in Fixtures.traceDatFiles() {
            for threads in [false, true] {
                // Fields are read alike either way: checked once.
                let viaRecords = try records(path, threads: threads, checkFields: !threads)
                expectSame(viaRecords.items, try events(path, threads: threads), path)
                total += viaRecords.items.count
                fields += viaRecords.fieldsRead
            }
        }
        XCTAssertGreaterThan(total, 100_000)
        XCTAssertGreaterThan(fields, 250_000)
    }

    /// Kinds whose fields nobody reads keep no payload: their records read
    /// no fields (nil, as their events have none), the others still do.
    func testKindsWithoutFieldsReadNone() throws {
        let path = try Fixtures.smallest { $0.fileVersion == 6 && !$0.isLatencyTrace }
        let wanted: (String, String) -> Bool = { _, name in name == "sched_switch" }
        let reader = try TraceDatReader(path: path)
        reader.decodeFields(only: wanted)
        var switches = 0, others = 0
        while let item = try reader.nextRecord() {
            guard case .record(let r) = item else { continue }
            let e = r.event()
            if e.name == "sched_switch" {
                XCTAssertEqual(r.field(at: r.fieldIndex(of: "next_pid")!)?.int64.map(Int32.init),
                               e.fields.int("next_pid").map(Int32.init))
                XCTAssertNotNil(r.field(at: 0))
                switches += 1
            } else if r.kindID >= 0 {
                XCTAssertTrue(e.fields.names.isEmpty)
                XCTAssertNil(r.field(at: 0), "\(e.system):\(e.name)")
                others += 1
            }
        }
        XCTAssertGreaterThan(switches, 10)
        XCTAssertGreaterThan(others, 10)
        expectSame(try records(path, threads: false, only: wanted).items, try events(path, threads: false, only: wanted), path)
    }
}
