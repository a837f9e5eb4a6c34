import Foundation
import XCTest
import Checks
import Reports
import TraceInput
import TraceModel
import TestSupport

/// The HTML report's second pass fills the windows around findings and may
/// stop reading once `TimelineRecorder.windowsAreComplete` says nothing
/// still open reaches back into them (AnalysisInput.replay asks every
/// 65,536 events). On every trace.dat fixture with a finding, a replay that
/// asks after every 256 events must draw exactly the windows of a replay
/// of the whole trace, and the early stop must happen on some of them.
final class WindowReplayTests: XCTestCase {
    func testAReplayStoppedOnceTheWindowsAreCompleteDrawsTheWholeReplaysWindows() throws {
        var table = BuiltinBindings.table
        table.merge(try RulesFile.parse(String(contentsOfFile: FixtureReportTests.rules, encoding: .utf8),
                                        path: FixtureReportTests.rules))
        let traces = try FileManager.default.subpathsOfDirectory(atPath: "fixtures")
            .filter { $0.hasSuffix("trace.dat") }.sorted().map { "fixtures/" + $0 }
        XCTAssertGreaterThan(traces.count, 20)
        var compared = 0, stoppedEarly = 0
        for path in traces {
            let result = try Analysis.run(try openTrace(path: path), bindings: table, functions: FunctionNames(symbolize: nil))
            let windows = TimelineWindows.around(result.violations)
            guard !windows.isEmpty else { continue }
            let whole = TimelineRecorder(windows: windows, recordsOverview: false)
            let (_, wholeStopped) = try replay(path, table, whole, every: nil)
            XCTAssertFalse(wholeStopped)
            let early = TimelineRecorder(windows: windows, recordsOverview: false)
            let (events, stopped) = try replay(path, table, early, every: 256)
            XCTAssertEqual(early.windows, whole.windows, "\(path): stopped after \(events) events")
            XCTAssertTrue(early.windows.contains { !$0.slices.isEmpty }, path)
            compared += 1
            if stopped { stoppedEarly += 1 }
        }
        print("window replay: \(compared) traces with findings compared, \(stoppedEarly) stopped before their end")
        XCTAssertGreaterThan(compared, 10)
        XCTAssertGreaterThan(stoppedEarly, 0)
    }

    /// Returns the events read and whether the replay stopped before the end.
    private func replay(_ path: String, _ table: BindingTable, _ recorder: TimelineRecorder,
                        every: Int?) throws -> (Int, Bool) {
        let reader = try openTrace(path: path)
        let model = TraceModel(bindings: table, functions: FunctionNames(symbolize: nil), kernel: KernelFacts(reader.info))
        model.addObserver(recorder)
        var n = 0
        while let item = try reader.next() {
            n += 1
            if let every, n % every == 0, recorder.windowsAreComplete(model: model, cpuCount: reader.info.cpus) {
                return (n, true)
            }
            model.consume(item)
        }
        model.finish()
        return (n, false)
    }
}
