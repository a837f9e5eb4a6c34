import CTraceEvent
import CTraceSupport
#if canImport(Glibc)
import Glibc
#endif

/// Prints records exactly as `trace-cmd report -N` (3.1.6) does, through
/// libtraceevent's tep_print_event (see mmaudit_report_line in the shim for
/// the column order of trace_show_data).
public final class ReportLinePrinter {
    /// The timestamp column (time_format() in tracecmd/trace-read.c).
    public enum TimeColumn: Sendable {
        /// " %6.1000d:": seconds.microseconds, for nanosecond clocks.
        case microseconds
        /// "%12d:": raw counter values (x86-tsc, counter, --raw-ts).
        case raw
    }

    private let tep: TEPHandle
    private var seq = trace_seq()
    private var record = tep_record()
    private let timeFormat: UnsafeMutablePointer<CChar>
    private let raw: Int32
    private let usecs: Int32
    private let typeSlot: CommonFieldLayout.Slot
    /// Per event id: the field a record must reach before libtraceevent may
    /// print it (nil: every field fits any record), computed once.
    private var reach: [Int: FieldReach?] = [:]

    /// Records printed without their fields because their event's format
    /// does not fit them (see `unsafeField`); dump reports the count.
    public private(set) var unprintableRecords = 0

    public init(tep: TEPHandle, timeColumn: TimeColumn, rawFields: Bool) {
        self.tep = tep
        tep.loadForPrinting() // %ps needs kallsyms, the task column cmdlines
        trace_seq_init(&seq)
        timeFormat = strdup(timeColumn == .microseconds ? " %6.1000d:" : "%12d:")!
        raw = rawFields ? 1 : 0
        usecs = timeColumn == .microseconds ? 1 : 0
        typeSlot = tep.commonLayout.type
    }

    deinit {
        trace_seq_destroy(&seq)
        free(timeFormat)
    }

    /// Appends `prefix` (an instance column), the line for the current event
    /// of `page`, and "\n" to `out`.
    public func appendLine(for page: KBuffer, timestamp: UInt64, cpu: Int, missedEvents: Int,
                           prefix: [UInt8]?, to out: OutputBuffer) {
        page.fill(&record, timestamp: timestamp, cpu: cpu, missedEvents: missedEvents)
        let n: UInt32
        if let field = unsafeField(page) {
            unprintableRecords += 1
            let note = "[\(page.eventSize)-byte record does not hold field \(field.name) (offset \(field.offset), size \(field.size)) of its format]"
            n = mmaudit_report_line(tep.tep, &seq, &record, timeFormat, usecs, raw, note)
        } else {
            n = mmaudit_report_line(tep.tep, &seq, &record, timeFormat, usecs, raw, nil)
        }
        if let prefix { out.append(prefix) }
        var bytes = UnsafeRawBufferPointer(start: seq.buffer, count: Int(n))
        if bytes.baseAddress == nil { bytes = UnsafeRawBufferPointer(start: nil, count: 0) }
        out.append(bytes)
        out.append(Self.newline)
    }

    private static let newline: [UInt8] = [0x0a]

    /// The field of the current record's format that libtraceevent's
    /// printers would read out of bounds, or nil. They trust the format, not
    /// the record: a zero-size field (the rest of the record) is given the
    /// length record size - offset, which wraps to ~4 GiB when the offset
    /// lies past the record (print_str_arg's TEP_PRINT_FIELD, event-parse.c),
    /// and an array field is copied whole. A field whose offset lies inside
    /// the record but whose size runs past it stays printable: the kernel
    /// writes ftrace's kernel_stack with only the callers it has (caller[8]
    /// in the format), and report prints those; the read then only has to
    /// stay inside the mapped data. A damaged file (or a fuzzer) gives the
    /// rest; trace-cmd report itself crashes on them.
    private func unsafeField(_ page: KBuffer) -> FieldFormat? {
        let id = Int(page.unsigned(at: typeSlot.offset, size: typeSlot.size))
        let found: FieldReach?
        if let cached = reach[id] {
            found = cached
        } else {
            found = tep.format(id: id).flatMap(FieldReach.init)
            reach[id] = .some(found)
        }
        return found?.misfit(size: page.eventSize, mapped: page.bytesFromPayload)
    }
}

/// The two fields of a format that bound the records it can be printed
/// for: the one that starts last and the one that ends last.
struct FieldReach {
    let startsLast: FieldFormat
    let endsLast: FieldFormat

    init?(_ format: EventFormat) {
        let all = format.commonFields + format.fields
        guard let starts = all.max(by: { $0.offset < $1.offset }),
              let ends = all.max(by: { $0.offset + $0.size < $1.offset + $1.size }) else { return nil }
        startsLast = starts
        endsLast = ends
    }

    /// The field that does not fit a record of `size` bytes with `mapped`
    /// bytes of memory from its start, or nil.
    func misfit(size: Int, mapped: Int) -> FieldFormat? {
        if startsLast.offset > size { return startsLast }
        if endsLast.offset + endsLast.size > mapped { return endsLast }
        return nil
    }
}
