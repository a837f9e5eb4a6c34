import Foundation
import TraceInput
import Checks
import Reports

/// `analyze a.dat b.dat dir/`: each trace through the same single-trace
/// path (AnalysisInput), several at a time but never more than the
/// machine's cores, in the order given.
struct FleetAnalysis {
    var paths: [String]
    var rulesPath: String?
    var filter: TraceFilter

    /// The traces named: files as given, directories as the trace.dat files
    /// under them (`*.dat`, sorted; text traces are named one by one, since
    /// a directory of logs holds many .txt files that are not traces).
    static func expand(_ arguments: [String]) -> [String] {
        arguments.flatMap { path -> [String] in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
                  let walker = FileManager.default.enumerator(atPath: path) else { return [path] }
            let base = path.hasSuffix("/") ? path : path + "/"
            let found = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".dat") }.sorted()
            return found.isEmpty ? [path] : found.map { base + $0 }
        }
    }

    /// Every trace's entry, in the order of `paths`. Errors become entries;
    /// each trace's own decode threads run inside its slot.
    func run() -> [FleetEntry] {
        let slots = max(1, min(paths.count, ProcessInfo.processInfo.activeProcessorCount))
        let entries = Entries(count: paths.count)
        let next = Entries.Counter()
        DispatchQueue.concurrentPerform(iterations: slots) { _ in
            while let i = next.take(below: paths.count) {
                entries.set(i, analyze(paths[i]))
            }
        }
        return entries.all
    }

    private func analyze(_ path: String) -> FleetEntry {
        var input = AnalysisInput(path: path, rulesPath: rulesPath, filter: filter, showsProgress: false)
        do {
            let result = try input.analyze()
            return FleetEntry(path: path, result: result.filtered(by: input.filter))
        } catch {
            let message = CommandErrors.outcome(of: error)?.message ?? "mmaudit: \(path): \(error)"
            return FleetEntry(path: path, error: message)
        }
    }

    /// Results filled in from several threads.
    private final class Entries: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [FleetEntry?]

        init(count: Int) { items = Array(repeating: nil, count: count) }

        func set(_ i: Int, _ e: FleetEntry) { lock.withLock { items[i] = e } }
        var all: [FleetEntry] { lock.withLock { items.map { $0! } } }

        final class Counter: @unchecked Sendable {
            private let lock = NSLock()
            private var n = 0
            func take(below limit: Int) -> Int? {
                lock.withLock {
                    guard n < limit else { return nil }
                    n += 1
                    return n - 1
                }
            }
        }
    }
}
