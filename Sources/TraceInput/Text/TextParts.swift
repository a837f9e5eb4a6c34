import Foundation

/// Counting a plain text file on all cores: the lines after the preamble
/// are cut into parts at line starts, each part is counted by a reader of
/// its own (TextReaderCore(part:of:)), and the tallies, damage and CPU
/// counts are added up in file order.
///
/// Counting needs no order, except where the text carries state from line
/// to line that changes a count: function_graph lines (folded exits are
/// stamped by later events) and over-long lines (cut or not depending on
/// where the blocks fall). A part that meets one stops all parts, and the
/// file is counted in one pass instead, so the numbers are always a
/// one-pass read's.
enum TextParts {
    /// Threads cost more than they save on a few MB (the fixtures).
    static let minimumBytes = 8 << 20
    /// Parts per core: smaller parts even out cores that other work slows.
    static let partsPerCore = 4
    /// How far past a cut the next line start is looked for.
    static let lineSearchBytes = 64 << 10

    /// Offsets that cut `range` of the file at `path` into up to `count`
    /// parts, each a run of whole lines; nil when no line start is found
    /// near a cut (lines that long are no trace's).
    static func cuts(_ range: Range<Int>, count: Int, path: String) throws -> [Int]? {
        var cuts = [range.lowerBound]
        let step = range.count / count
        for k in 1..<count {
            let nominal = max(range.lowerBound + k * step, cuts[cuts.count - 1])
            guard nominal < range.upperBound else { break }
            let end = min(nominal + lineSearchBytes, range.upperBound)
            var window: [UInt8] = []
            _ = try FileByteSource(path: path, range: nominal..<end).read(into: &window, maxCount: end - nominal)
            guard let newline = window.find(ASCII.newline, 0, window.count) else { return nil }
            let cut = nominal + newline + 1
            if cut < range.upperBound && cut > cuts[cuts.count - 1] { cuts.append(cut) }
        }
        cuts.append(range.upperBound)
        return cuts
    }
}

/// Raised by the part that meets a line only a one-pass read counts
/// right, so the other parts stop early.
final class TextPartsStop: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    func raise() {
        lock.lock()
        raised = true
        lock.unlock()
    }
}

/// What one part's reader found.
struct TextPartResult: Sendable {
    var tally: TextEventTally
    var lineCount: Int
    var cpus: Int
    var unparsedLines: Int
    var consoleLines: Int
    var damagedLines: [(line: Int, shown: String)]
}

extension TextReaderCore {
    /// Counts the rest of a plain file in parts on all cores (`parts`
    /// forces the number, for tests); false, with nothing read, when the
    /// file is better or only counted in one pass.
    mutating func tallyInParts(into tally: inout TextEventTally, parts: Int? = nil) throws -> Bool {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard isPlainFile, holdsOnlyTheFirstLine, !metGraphLine, let held = heldLine,
              let start = lines.sourceOffset(of: held.lowerBound) else { return false }
        let size = (try? FileManager.default.attributesOfItem(atPath: info.path)[.size] as? Int) ?? 0
        guard size > start else { return false }
        let wanted = parts ?? (size - start >= TextParts.minimumBytes && cores > 1
                               ? cores * TextParts.partsPerCore : 1)
        guard wanted > 1, let cuts = try TextParts.cuts(start..<size, count: wanted, path: info.path),
              cuts.count > 2 else { return false }

        let results = ResultSlots<Result<TextPartResult, any Error>>(cuts.count - 1)
        let stop = TextPartsStop()
        nonisolated(unsafe) let main = self
        parallelForEach(cuts.count - 1, width: max(cores, 2)) { k in
            results.set(k, Result {
                var part = try TextReaderCore(part: cuts[k]..<cuts[k + 1], of: main)
                var t = TextEventTally()
                try part.tally(into: &t, stop: stop)
                return TextPartResult(tally: t, lineCount: part.lines.lineNumber, cpus: part.info.cpus,
                                      unparsedLines: part.damage.unparsedLines,
                                      consoleLines: part.damage.consoleLines,
                                      damagedLines: part.damagedLines)
            })
        }
        // Errors first, in file order, as a one-pass read would meet them.
        var found: [TextPartResult] = []
        for k in 0..<(cuts.count - 1) { found.append(try results.get(k)!.get()) }
        if stop.isRaised { return false }

        // The held line is the first line of the first part.
        var lineBase = lines.lineNumber - 1
        for part in found {
            tally.add(part.tally)
            if !cpusFromHeader { info.cpus = max(info.cpus, part.cpus) }
            damage.unparsedLines += part.unparsedLines
            damage.consoleLines += part.consoleLines
            for d in part.damagedLines where damage.samples.count < Self.maxDamageSamples {
                noteDamageSample(line: lineBase + d.line, shown: d.shown)
            }
            lineBase += part.lineCount
        }
        finishReading()
        return true
    }
}
