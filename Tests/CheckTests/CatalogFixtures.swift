import Foundation
import XCTest
import TraceInput
import TraceModel
import Checks
import TestSupport

/// fixtures/catalog.json: the real captures, with what each one contains
/// (written by fixtures/capture/catalog from the module's own counts and the
/// kernel's dmesg, not from mmaudit).
struct Catalog: Decodable {
    struct File: Decodable {
        var path: String
        var capture: String?
        var bug_mode: Int?
        var capture_kind: String?
        var kind: String
        var format: String?
        var expected_violations: [String: Int]?
        var bug_lines: [String]?
    }
    var files: [File]

    static let root = FixtureFiles.repositoryRoot
    static let fixtures = FixtureFiles.directory
    static let demoRules = FixtureFiles.demoRules.path

    static func load(file: StaticString = #filePath, line: UInt = #line) throws -> Catalog {
        let data = try FixtureFiles.catalogData(file: file, line: line)
        let catalog = try JSONDecoder().decode(Catalog.self, from: data)
        if catalog.traces.isEmpty { XCTFail("the catalog lists no traces", file: file, line: line) }
        return catalog
    }

    /// Every trace mmaudit reads: trace.dat files and the text forms.
    var traces: [File] { files.filter { $0.kind == "tracedat" || $0.kind == "text" } }

    func path(_ f: File) -> String { Self.fixtures.appendingPathComponent(f.path).path }

    /// analyze with the demo module's rules, as a user would run it;
    /// `eventsOnly`: with the reader's records made into events first (the
    /// model's event path, which text takes).
    static func analyze(_ path: String, eventsOnly: Bool = false) throws -> AnalysisResult {
        var bindings = BuiltinBindings.table
        bindings.merge(try RulesFile.parse(String(contentsOfFile: demoRules, encoding: .utf8), path: demoRules))
        let opened = try openTrace(path: path)
        let reader: any TraceReader = eventsOnly ? EventsOnly(opened) : opened
        return try Analysis.run(reader, bindings: bindings,
                                functions: FunctionNames(symbolize: { [reader] in reader.symbolize($0) }))
    }
}

/// A reader's items as events only: `nextRecord()` is left to the
/// protocol's default, which wraps `next()`.
final class EventsOnly: TraceReader {
    private let base: any TraceReader
    init(_ base: any TraceReader) { self.base = base }
    var info: TraceInfo { base.info }
    var damage: DamageCount { base.damage }
    func next() throws -> TraceItem? { try base.next() }
    func symbolize(_ address: UInt64) -> String? { base.symbolize(address) }
    func decodeFields(only wanted: @escaping (String, String) -> Bool) { base.decodeFields(only: wanted) }
}
