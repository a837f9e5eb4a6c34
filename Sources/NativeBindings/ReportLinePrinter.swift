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

    public init(tep: TEPHandle, timeColumn: TimeColumn, rawFields: Bool) {
        self.tep = tep
        tep.loadForPrinting() // %ps needs kallsyms, the task column cmdlines
        trace_seq_init(&seq)
        timeFormat = strdup(timeColumn == .microseconds ? " %6.1000d:" : "%12d:")!
        raw = rawFields ? 1 : 0
        usecs = timeColumn == .microseconds ? 1 : 0
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
        let n = mmaudit_report_line(tep.tep, &seq, &record, timeFormat, usecs, raw)
        if let prefix { out.append(prefix) }
        var bytes = UnsafeRawBufferPointer(start: seq.buffer, count: Int(n))
        if bytes.baseAddress == nil { bytes = UnsafeRawBufferPointer(start: nil, count: 0) }
        out.append(bytes)
        out.append(Self.newline)
    }

    private static let newline: [UInt8] = [0x0a]
}
