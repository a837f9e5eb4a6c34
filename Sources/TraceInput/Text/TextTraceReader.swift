/// Reads ftrace text — tracefs `trace`/`trace_pipe` and `trace-cmd report`
/// output, plain or gzip-compressed — into the same items the trace.dat
/// reader yields.
///
/// Streaming: one block of text (plus one partial line) is held at a time.
/// Lines that cannot be parsed are counted in `damage` (the first few with
/// their line numbers) and skipped; only input that is not ftrace text at
/// all is refused, at open.
public final class TextTraceReader: TraceReader {
    // All parsing state lives in one struct: one exclusive access per
    // call instead of one per class property per line (those dynamic
    // exclusivity checks cost ~10% of the hot path).
    private var core: TextReaderCore

    public var info: TraceInfo { core.info }
    public var damage: DamageCount { core.damage }

    /// Opens `path` (`-`: standard input), plain or wrapped (InputOpener).
    public convenience init(path: String) throws {
        try self.init(InputOpener.open(path))
    }

    init(_ input: OpenedInput) throws {
        core = try TextReaderCore(input)
    }

    public func next() throws -> TraceItem? { try core.next() }

    /// For counting passes (stats): events come without their fields,
    /// which saves copying every payload, as the trace.dat stats path
    /// reads record headers only.
    var countsOnly: Bool {
        get { core.countsOnly }
        set { core.countsOnly = newValue }
    }

    /// Reads the rest of the trace, counting (TextCountingPass): a large
    /// plain file in parts on all cores (TextParts; `parts` forces their
    /// number, for tests), anything else in one pass.
    func tallyEvents(parts: Int? = nil) throws -> TextEventTally {
        if let tally = try tallyInParts(parts) { return tally }
        countsOnly = true
        defer { countsOnly = false }
        var tally = TextEventTally()
        try core.tally(into: &tally)
        return tally
    }

    /// The rest of the trace counted in parts, or nil, with nothing read,
    /// when it is to be counted in one pass (TextParts).
    func tallyInParts(_ parts: Int? = nil) throws -> TextEventTally? {
        var tally = TextEventTally()
        return try core.tallyInParts(into: &tally, parts: parts) ? tally : nil
    }

    /// Cheap content check for the format detector: true for a prefix
    /// whose lines look like ftrace text (any wrapping already taken off).
    public static func looksLikeText(prefix: [UInt8]) -> Bool {
        TextSniffer.looksLikeText(prefix, isWholeFile: false)
    }
}

/// The reader's state and line handling.
struct TextReaderCore {
    var info: TraceInfo
    var damage = DamageCount()

    var lines: LineBuffer
    private(set) var names = EventNames()
    private var graph = FuncGraphState()
    /// Items decoded from one line that are still to be returned.
    /// The next item to return: most lines make exactly one, kept here
    /// without touching the queue.
    private var ready: TraceItem?
    private var queue: [TraceItem] = []
    private var queueHead = 0
    /// A "LOST"/"DROPPED" line waits for the next event's timestamp.
    private var pendingLost: [EventsLost] = []
    private(set) var heldLine: Range<Int>?
    private(set) var cpusFromHeader = false
    /// Set for counting passes: events carry no fields.
    var countsOnly = false
    /// tracefs latency-format and report -l print "cpu+flags" alike, with
    /// different letters: the tracefs header says which.
    private var latencyDialect = LatencyDialect.libtraceevent
    private var lastTimestamp: UInt64 = 0
    static let maxDamageSamples = 5
    /// Where the damage samples are: line number and the text shown, so a
    /// part read on its own can be renumbered into the whole file's lines.
    private(set) var damagedLines: [(line: Int, shown: String)] = []
    /// Serial-console text: everything up to the tracer's header is the
    /// console's (ConsoleLines), skipped and counted.
    private var consoleBeforeHeader = false
    /// Set once a function_graph line came by: those carry state from line
    /// to line (open entries, folded exits, the tracer's task column).
    private(set) var metGraphLine = false

    /// True when the text is the named file itself, which can be read again
    /// in parts (TextParts); a stream is read once.
    private(set) var isPlainFile: Bool

    init(_ input: OpenedInput) throws {
        switch input.body {
        case .file:
            lines = LineBuffer(source: try FileByteSource(path: input.path))
            isPlainFile = true
        case .stream(let source):
            lines = LineBuffer(source: source)
            isPlainFile = false
        }
        info = TraceInfo(path: input.path, format: .ftraceText, fileVersion: nil,
                         compression: input.compression, cpus: 0)
        consoleBeforeHeader = !TextSniffer.looksLikeText(input.head, isWholeFile: false, consoleAware: false)
            && ConsoleLines.tracerHeaderFollows(input.head)
        try readPreamble()
    }

    /// A reader of the lines in `range` of `main`'s file (a plain file),
    /// starting at a line start after the preamble, with what `main`'s
    /// preamble decided: the parts of a file counted at once.
    init(part range: Range<Int>, of main: TextReaderCore) throws {
        lines = LineBuffer(source: try FileByteSource(path: main.info.path, range: range))
        info = main.info
        isPlainFile = true
        cpusFromHeader = main.cpusFromHeader
        latencyDialect = main.latencyDialect
        countsOnly = true
    }

    // MARK: - Preamble

    /// Reads headers up to the first line with content and decides what
    /// kind of text this is. Refuses input with no ftrace line early on.
    private mutating func readPreamble() throws {
        var sawHeader = false
        var sawTracefsHeader = false
        var examined = 0
        while let line = try lines.nextLine() {
            let b = lines.bytes
            if consoleBeforeHeader {
                guard ConsoleLines.isTracerHeader(b, line) else {
                    damage.consoleLines += 1
                    continue
                }
                consoleBeforeHeader = false
            }
            examined += 1
            switch LineClassifier.classify(b, line) {
            case .blank, .continuation, .bufferMarker:
                continue
            case .preamble:
                sawHeader = true
            case .cpuCount(let n):
                info.format = .traceCmdReport
                info.cpus = n
                cpusFromHeader = true
                sawHeader = true
            case .comment:
                sawHeader = true
                if b.hasPrefix("# tracer:", at: line.lowerBound, end: line.upperBound) {
                    sawTracefsHeader = true
                    info.format = .ftraceText
                    latencyDialect = .kernel
                }
                if let n = TextSniffer.processorCount(b, line) {
                    info.cpus = n
                    cpusFromHeader = true
                }
            case .lost:
                heldLine = line
                return
            case .other:
                if lines.lastLineWasTruncated || !TextSniffer.isPrintable(b, line) {
                    guard sawHeader else { throw refusal(line: lines.lineNumber) }
                    noteDamage(line: lines.lineNumber, b, line)
                    continue
                }
                if let head = EventLine.parseHead(b, line, latencyDialect: latencyDialect) {
                    // "cpu+flags" columns without a tracefs header: report -l.
                    if head.style == .latencyCPU && !sawTracefsHeader { info.format = .traceCmdReport }
                    heldLine = line
                    return
                }
                if TextSniffer.isFuncGraphTracerLine(b, line) {
                    heldLine = line
                    return
                }
                // A few odd lines before the trace proper are damage, a
                // file of them is not a trace.
                if !sawHeader || examined > 64 { throw refusal(line: lines.lineNumber) }
                noteDamage(line: lines.lineNumber, b, line)
            }
        }
        if !sawHeader {
            throw TraceInputError(path: info.path,
                                  message: info.compression != "none"
                                    ? "the \(info.compression) data holds no ftrace text" : "empty file: no trace lines")
        }
    }

    private func refusal(line: Int) -> TraceInputError {
        TraceInputError(path: info.path, line: line,
                        message: "not ftrace text (no tracefs or trace-cmd report line found)")
    }

    // MARK: - Items

    mutating func next() throws -> TraceItem? {
        while true {
            if let item = ready.take() { return item }
            if queueHead < queue.count {
                let item = queue[queueHead]
                queueHead += 1
                if queueHead == queue.count { queue.removeAll(keepingCapacity: true); queueHead = 0 }
                return item
            }
            let line: Range<Int>
            if let held = heldLine {
                line = held
                heldLine = nil
            } else if let l = try lines.nextLine() {
                line = l
            } else {
                if !folded.isEmpty {
                    for f in folded.sorted(by: { $0.timestamp < $1.timestamp }) { emit(.event(f)) }
                    folded.removeAll()
                    continue
                }
                // Drops announced at the very end: report them at the last time seen.
                if !pendingLost.isEmpty {
                    for var lost in pendingLost {
                        lost.timestamp = lastTimestamp
                        emit(.lost(lost))
                    }
                    pendingLost.removeAll()
                    continue
                }
                return nil
            }
            try handle(line)
        }
    }

    mutating func handle(_ line: Range<Int>) throws {
        let b = lines.bytes
        if lines.lastLineWasTruncated {
            noteDamage(line: lines.lineNumber, b, line)
            return
        }
        switch LineClassifier.classify(b, line) {
        case .blank, .comment, .preamble, .continuation, .bufferMarker:
            return
        case .cpuCount(let n):
            if !cpusFromHeader { info.cpus = max(info.cpus, n) }
        case .lost(let cpu, let count):
            pendingLost.append(EventsLost(cpu: cpu, timestamp: 0, count: count))
        case .other:
            if let head = EventLine.parseHead(b, line, latencyDialect: latencyDialect) {
                if !eventLine(head, b, line) { noteDamage(line: lines.lineNumber, b, line) }
            } else if !funcGraphTracerLine(b, line) {
                if ConsoleLines.isKernelMessage(b, line) {
                    damage.consoleLines += 1
                } else {
                    noteDamage(line: lines.lineNumber, b, line)
                }
            }
        }
    }

    /// Builds the event(s) of a parsed line; false when its body is not
    /// something an event prints.
    private mutating func eventLine(_ head: EventLineHead, _ b: [UInt8], _ line: Range<Int>) -> Bool {
        let end = line.upperBound
        guard let named = eventName(b, head.bodyStart, end) else { return false }
        let entry = names[named.index]
        let nameEnd = named.nameEnd, bodyStart = named.nameStart
        let payloadStart = b.skipSpaces(named.payloadFrom, end)
        let payloadEnd = b.trimTrailingSpaces(payloadStart, end)
        let comm = b.string(head.commStart, head.commEnd)
        noteEvent(cpu: head.cpu, timestamp: head.timestamp)
        flushLost(at: head.timestamp, cpu: head.cpu)

        if names.isGraph[named.index] {
            metGraphLine = true
            guard let g = FuncGraphLines.parse(b, head.bodyStart + (nameEnd - bodyStart) + 1, payloadEnd)
            else { return false }
            emitGraph(g, timestamp: head.timestamp, cpu: head.cpu, pid: head.pid, comm: comm,
                      context: head.context)
            return true
        }
        // Counting passes (stats) never read fields: no payload copy.
        let payload = countsOnly ? [] : Array(b[payloadStart..<payloadEnd])
        let event = TraceEvent(timestamp: head.timestamp, cpu: head.cpu, pid: head.pid, comm: comm,
                               context: head.context, system: entry.system, name: entry.name,
                               fields: EventFields(TextFieldDecoder(kind: entry.kind, payload: payload)))
        emit(.event(event))
        return true
    }

    /// The event's name in the text from `from` (the head's `bodyStart`)
    /// to `end`, and where its payload starts once blanks are skipped; nil
    /// when the text is not something an event prints.
    mutating func eventName(_ b: [UInt8], _ from: Int, _ end: Int)
        -> (index: Int, nameStart: Int, nameEnd: Int, payloadFrom: Int)? {
        let bodyStart = b.skipSpaces(from, end)
        if let hit = names.recentIndex(b, bodyStart, end) { return (hit.index, bodyStart, hit.colon, hit.colon + 1) }
        // "name: payload" — the name is the first token, ending in ':'.
        var i = bodyStart
        while i < end && b[i] != ASCII.colon && !ASCII.isSpace(b[i]) { i += 1 }
        if i < end, b[i] == ASCII.colon, i > bodyStart, i + 1 == end || ASCII.isSpace(b[i + 1]) {
            // Only a name's first line decides its system: the payload of
            // the others (padded out to a column) is not looked at here.
            let index = names.index(b, bodyStart, i, probeLike: Self.payloadLooksLikeProbe(b, i + 1, end))
            names.remember(index, b, bodyStart, end)
            return (index, bodyStart, i, i + 1)
        }
        if FunctionTracerLine.isFunctionLine(b, bodyStart, end) {
            // The function tracer prints "func <-parent" with no name.
            let index = names.index(Self.functionName, 0, Self.functionName.count, probeLike: false)
            return (index, bodyStart, i, bodyStart)
        }
        return nil
    }

    /// kprobes print "(func+0x0/0x20)" where other events print fields.
    private static func payloadLooksLikeProbe(_ b: [UInt8], _ from: Int, _ end: Int) -> Bool {
        let payloadStart = b.skipSpaces(from, end)
        return payloadStart < end && b[payloadStart] == ASCII.openParen
    }

    private static let functionName: [UInt8] = Array("function".utf8)

    /// What an event line tells the reader besides its event: a CPU (the
    /// count, when no header gave it) and the time last seen.
    @inline(__always)
    mutating func noteEvent(cpu: Int, timestamp: UInt64) {
        if !cpusFromHeader && cpu >= info.cpus { info.cpus = cpu + 1 }
        lastTimestamp = timestamp
    }

    /// Nothing waits in the reader: no item to return, no line held, no
    /// drop or folded exit waiting for a later event's time.
    var isIdle: Bool { nothingQueued && heldLine == nil }

    /// As the preamble leaves it: the first body line held, nothing else.
    var holdsOnlyTheFirstLine: Bool { nothingQueued && heldLine != nil }

    private var nothingQueued: Bool {
        ready == nil && queueHead == queue.count && pendingLost.isEmpty && folded.isEmpty
    }

    /// Ends the reading once the rest of the file was read another way
    /// (in parts): next() returns nil from now on.
    mutating func finishReading() {
        heldLine = nil
        lines.finish()
    }

    /// Queues an item behind those already made from this line.
    @inline(__always)
    private mutating func emit(_ item: TraceItem) {
        if ready == nil && queueHead == queue.count {
            ready = item
        } else {
            queue.append(item)
        }
    }

    /// Called before an event stamped `timestamp` is emitted: what waits
    /// for a later event's time goes out first.
    private mutating func flushLost(at timestamp: UInt64, cpu: Int) {
        if !folded.isEmpty { flushFolded(upTo: timestamp, cpu: cpu) }
        guard !pendingLost.isEmpty else { return }
        for var lost in pendingLost {
            lost.timestamp = timestamp
            emit(.lost(lost))
        }
        pendingLost.removeAll()
    }

    /// Exits folded into a leaf line, held until the text reaches their
    /// time so the stream stays in timestamp order across CPUs.
    private var folded: [TraceEvent] = []

    /// Emits the folded exits due before an event at `timestamp` on `cpu`.
    /// The CPU's next record came after its exit record, so an exit whose
    /// entry + duration estimate runs past that event is stamped with the
    /// event's time instead (order within a CPU is never broken).
    private mutating func flushFolded(upTo timestamp: UInt64, cpu: Int) {
        var keep: [TraceEvent] = []
        for var f in folded.sorted(by: { $0.timestamp < $1.timestamp }) {
            if f.timestamp <= timestamp {
                emit(.event(f))
            } else if f.cpu == cpu {
                f.timestamp = timestamp
                emit(.event(f))
            } else {
                keep.append(f)
            }
        }
        folded = keep
    }

    /// Turns a graph line into entry/exit events. A leaf ("func();") stands
    /// for both records, but the printer dropped the exit record's own
    /// time: the exit is stamped entry time + duration, the closest the
    /// text allows (the record's stamp is later by the tracer's overhead).
    private mutating func emitGraph(_ g: FuncGraphLine, timestamp: UInt64, cpu: Int, pid: Int32,
                           comm: String, context: ExecutionContext) {
        func make(_ name: String, _ ts: UInt64, _ fields: [(String, FieldValue)]) -> TraceItem {
            .event(TraceEvent(timestamp: ts, cpu: cpu, pid: pid, comm: comm, context: context,
                              system: "ftrace", name: name, fields: EventFields(fields)))
        }
        switch g {
        case .entry(let f, let depth):
            graph.enter(cpu: cpu, depth: depth, func_: f)
            emit(make("funcgraph_entry", timestamp, entryFields(f, depth)))
        case .leaf(let f, let depth, let duration):
            emit(make("funcgraph_entry", timestamp, entryFields(f, depth)))
            let exitTime = timestamp + (duration ?? 0)
            // The exit record's own flags are not printed either.
            folded.append(TraceEvent(timestamp: exitTime, cpu: cpu, pid: pid, comm: comm, context: .unknown,
                                     system: "ftrace", name: "funcgraph_exit",
                                     fields: EventFields(exitFields(f, depth))))
        case .exit(let f, let depth, _):
            let name = graph.exit(cpu: cpu, depth: depth) ?? f
            emit(make("funcgraph_exit", timestamp, exitFields(name, depth)))
        case .rawExit(let f, let depth, let call, let ret):
            _ = graph.exit(cpu: cpu, depth: depth)
            var fields = exitFields(f, depth)
            fields.append(("calltime", .unsigned(call)))
            fields.append(("rettime", .unsigned(ret)))
            emit(make("funcgraph_exit", timestamp, fields))
        }
    }

    private func entryFields(_ f: String, _ depth: Int) -> [(String, FieldValue)] {
        [("func", .string(f)), ("depth", .signed(Int64(depth))), ("func_sym", .string(f))]
    }

    private func exitFields(_ f: String?, _ depth: Int) -> [(String, FieldValue)] {
        var out: [(String, FieldValue)] = []
        if let f { out.append(("func", .string(f))) }
        out.append(("depth", .signed(Int64(depth))))
        if let f { out.append(("func_sym", .string(f))) }
        return out
    }

    /// The tracefs function_graph tracer's own lines (no event name).
    private mutating func funcGraphTracerLine(_ b: [UInt8], _ line: Range<Int>) -> Bool {
        guard let g = FuncGraphTracerLine.parse(b, line, tracker: &tracerTasks) else { return false }
        metGraphLine = true
        if let (cpu, graphLine, ts, task) = g.event {
            let t = ts ?? lastTimestamp
            noteEvent(cpu: cpu, timestamp: t)
            flushLost(at: t, cpu: cpu)
            emitGraph(graphLine, timestamp: t, cpu: cpu, pid: task?.pid ?? -1,
                      comm: task?.comm ?? "", context: g.context)
        }
        return true
    }

    private var tracerTasks = FuncGraphTracerLine.Tasks()

    private mutating func noteDamage(line: Int, _ b: [UInt8], _ range: Range<Int>) {
        damage.unparsedLines += 1
        if damage.samples.count < Self.maxDamageSamples {
            let shown = b.string(range.lowerBound, min(range.upperBound, range.lowerBound + 80))
            noteDamageSample(line: line, shown: shown)
        }
    }

    mutating func noteDamageSample(line: Int, shown: String) {
        damagedLines.append((line, shown))
        damage.samples.append("line \(line): cannot parse: \(shown)")
    }
}
