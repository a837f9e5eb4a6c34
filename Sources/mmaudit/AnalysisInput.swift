import ArgumentParser
import Foundation
import TraceInput
import TraceModel
import Checks

/// What analyze, diff, timeline and export share: open a trace whatever its
/// format, bind its events (built in, plus a rules file), rebuild the model
/// and run the checks in one streaming pass.
struct AnalysisInput {
    var path: String
    var rulesPath: String?
    /// What the report is to show (`FilterOptions`); the model still reads
    /// every event. After `analyze`, its names also stand for their pids.
    var filter = TraceFilter()
    /// Whether to show progress on a terminal (off when several traces are
    /// analysed at once: their lines would overwrite each other).
    var showsProgress = true

    /// The reader, and function names through the file's kallsyms when it has one.
    func open() throws -> (any TraceReader, FunctionNames) {
        let reader = try openTrace(path: path, namesFunctions: true)
        return (reader, FunctionNames(symbolize: { [reader] in reader.symbolize($0) }))
    }

    /// Every finding of the whole trace (`filtered(by: filter)` for what
    /// to show); a filter value the trace lacks is a FilterError.
    mutating func analyze(observers: [ModelObserver] = []) throws -> AnalysisResult {
        let bindings = try RulesOption.bindings(rulesPath: rulesPath)
        let (reader, functions) = try open()
        let census = filter.isEmpty ? nil : TaskCensus(cpuCount: reader.info.cpus)
        let progress = ProgressDisplay(label: path, enabled: showsProgress)
        defer { progress.finish() }
        let result = try Analysis.run(reader, bindings: bindings, functions: functions,
                                      observers: observers + (census.map { [$0] } ?? []), progress: progress.update)
        if let census {
            try FilterError.check(filter, against: census.extent, path: path)
            filter = filter.resolvingComms(with: census.extent)
        }
        return result
    }

    /// Replays the trace through a model with only `observers` attached (no
    /// checks): the second pass of reports that need what the first found.
    /// `done`, asked every 65,536 events with the model and the trace's CPU
    /// count, may end the pass early: the rest of the trace is not read and
    /// the observers are not finished.
    func replay(observers: [ModelObserver], done: ((TraceModel, Int) -> Bool)? = nil,
                onEvent: ((TraceEvent, FunctionNames) -> Void)? = nil) throws {
        let bindings = try RulesOption.bindings(rulesPath: rulesPath)
        let (reader, functions) = try open()
        let model = TraceModel(bindings: bindings, functions: functions, kernel: KernelFacts(reader.info))
        for o in observers { model.addObserver(o) }
        let progress = ProgressDisplay(label: path, enabled: showsProgress)
        defer { progress.finish() }
        var n = 0
        guard let onEvent else {
            // Only the model reads the events: the reader may skip the fields
            // it never reads and sum up what it only counts, as in the first
            // pass (Analysis.run), which makes this pass as cheap as that one.
            reader.decodeFields(only: { [weak model] in model?.readsFields(system: $0, name: $1) ?? true })
            reader.tally(only: { [weak model] in model?.onlyCounts(system: $0, name: $1) ?? false })
            let cpuCount = reader.info.cpus
            while let item = try reader.nextRecord() {
                switch consume item {
                case .record(let r):
                    n += 1
                    if n & 0xFFFF == 0 {
                        progress.update(n + reader.talliedCount, r.event())
                        if let done, done(model, cpuCount) { return }
                    }
                    model.consume(r)
                case .event(let e):
                    n += 1
                    if n & 0xFFFF == 0 {
                        progress.update(n + reader.talliedCount, e)
                        if let done, done(model, cpuCount) { return }
                    }
                    model.consume(e)
                case .lost(let lost):
                    model.consume(.lost(lost))
                }
            }
            if let tally = reader.tally { model.absorb(tally) }
            model.finish()
            return
        }
        while let item = try reader.next() {
            if case .event(let e) = item {
                n += 1
                if n % (1 << 16) == 0 { progress.update(n, e) }
                onEvent(e, functions)
            }
            model.consume(item)
        }
        model.finish()
    }
}

/// The trace's CPUs, time span and tasks as the model saw them, to check a
/// filter's values against after the first pass.
final class TaskCensus: ModelObserver {
    let extent: TraceExtent

    init(cpuCount: Int) { extent = TraceExtent(cpuCount: cpuCount) }

    var observedHappenings: HappeningKinds { [] }

    func observe(_ happening: Happening, model: TraceModel) {}

    func finish(model: TraceModel) {
        extent.tasks = model.tasks.mapValues(\.comm)
        if let first = model.firstTimestamp, let last = model.lastTimestamp {
            extent.see(timestamp: first)
            extent.see(timestamp: last)
        }
        // A text trace's header may not say how many CPUs it had.
        extent.cpuCount = max(extent.cpuCount, (model.cpus.keys.max() ?? -1) + 1)
    }
}
