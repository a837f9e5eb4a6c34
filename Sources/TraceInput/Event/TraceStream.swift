/// What a reader yields, in timestamp order across CPUs.
public enum TraceItem: Sendable {
    case event(TraceEvent)
    /// The ring buffer dropped events on `cpu` before the next event of that
    /// CPU (`count` is nil when the kernel did not store how many).
    case lost(EventsLost)
}

public struct EventsLost: Sendable, Hashable {
    public var cpu: Int
    /// Timestamp of the first event after the gap.
    public var timestamp: UInt64
    public var count: Int?

    public init(cpu: Int, timestamp: UInt64, count: Int?) {
        self.cpu = cpu
        self.timestamp = timestamp
        self.count = count
    }
}

/// Facts about a trace known once its headers are read.
public struct TraceInfo: Sendable {
    public var path: String
    public var format: TraceFormat
    /// trace.dat file version (6 or 7); nil for text.
    public var fileVersion: Int?
    /// "none", "zstd", "zlib", or "gzip" for compressed text.
    public var compression: String
    public var cpus: Int
    /// `uname -a` of the traced machine, where the file stores it.
    public var uname: String?
    /// sched_switch's "print fmt:" line, where the file has the format
    /// (its prev_state letters differ across kernels).
    public var schedSwitchPrintFormat: String?

    public init(path: String, format: TraceFormat, fileVersion: Int?,
                compression: String, cpus: Int) {
        self.path = path
        self.format = format
        self.fileVersion = fileVersion
        self.compression = compression
        self.cpus = cpus
    }
}

/// A streaming reader: memory stays bounded by one page or chunk per CPU
/// (one line for text) plus open state, whatever the trace's size.
public protocol TraceReader: AnyObject {
    var info: TraceInfo { get }
    /// The next item in timestamp order, or nil at the end.
    func next() throws -> TraceItem?
    /// Damage the reader skipped and went on from (pages, lines).
    var damage: DamageCount { get }
    /// Address → "symbol+0xoffset" from the trace's kallsyms, where the
    /// source has them (trace.dat); text sources already print names.
    func symbolize(_ address: UInt64) -> String?
    /// A hint that events of kinds for which `wanted` is false will be
    /// counted but their fields never read: a reader may then leave their
    /// `fields` empty rather than copy and decode them. Readers that cannot
    /// save anything this way ignore it.
    func decodeFields(only wanted: @escaping (_ system: String, _ name: String) -> Bool)
    /// The next item, as a record seen in place where the reader can offer
    /// one (`RecordRef`, valid until the next call); readers that cannot
    /// give events.
    func nextRecord() throws -> RecordItem?
    /// A hint that records of kinds for which `counted` is true are only
    /// counted (count, time span, contexts): a reader that can may sum them
    /// up in `tally` instead of handing them out, from `next()` and
    /// `nextRecord()` alike. It still hands out some of them (the first of
    /// each pid on a CPU, one after lost events or damage), which the
    /// consumer counts as usual. Takes effect before the first read.
    func tally(only counted: @escaping (_ system: String, _ name: String) -> Bool)
    /// The records summed up instead of handed out: complete once the reader
    /// has returned its last item; nil from a reader that tallies nothing.
    var tally: RecordTally? { get }
    /// How many records have been tallied so far (for a progress display).
    var talliedCount: Int { get }
}

extension TraceReader {
    public func symbolize(_ address: UInt64) -> String? { nil }
    public func decodeFields(only wanted: @escaping (_ system: String, _ name: String) -> Bool) {}
    public func tally(only counted: @escaping (_ system: String, _ name: String) -> Bool) {}
    public var tally: RecordTally? { nil }
    public var talliedCount: Int { 0 }
    public func nextRecord() throws -> RecordItem? {
        switch try next() {
        case .event(let e)?: return .event(e)
        case .lost(let l)?: return .lost(l)
        case nil: return nil
        }
    }
}

/// Parts of the input that could not be read and were skipped: reported,
/// never silently lost.
public struct DamageCount: Sendable, Hashable {
    public var unreadablePages = 0
    public var unparsedLines = 0
    /// The file ends before its data does (a truncated trace.dat): the
    /// whole pages that are there were read, `missingBytes` of data were
    /// not (counted in `unreadablePages` too, as far as their pages are known).
    public var truncated = false
    public var missingBytes = 0
    /// Text through a serial console: boot-log lines before the tracer's
    /// header and kernel messages between the trace's lines, skipped (not
    /// trace content, so not damage either).
    public var consoleLines = 0
    /// The first few problems, with where they were (byte offset or line).
    public var samples: [String] = []

    public init() {}

    public var isEmpty: Bool { unreadablePages == 0 && unparsedLines == 0 && !truncated }
}
