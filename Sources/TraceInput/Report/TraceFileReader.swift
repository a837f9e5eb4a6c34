import NativeBindings

/// An input file opened for the passes that need no model: what `mmaudit
/// stats` and `mmaudit dump` ask of every format, so neither branches on
/// formats. Each call is one pass over the file, dispatched once: the
/// record loops inside stay concrete.
public protocol TraceFileReader: AnyObject {
    /// Counts every record (of `instance` only, where the format has
    /// buffer instances). `skipped`: what was skipped that the statistics
    /// do not show, as lines for standard error, or nil.
    func statistics(instance: String?) throws -> (statistics: TraceStatistics, skipped: String?)
    /// Prints the records `options` choose to `out` and flushes it; returns
    /// what was skipped, as lines for standard error (so standard output
    /// stays what `trace-cmd report` prints), or nil.
    func dump(options: DumpOptions, to out: OutputBuffer) throws -> String?
}

extension DamageCount {
    /// "mmaudit: `count` `what` skipped" and the samples, a line each: what
    /// stats and dump say on stderr about damage their output does not show.
    func skippedNote(_ count: Int, _ what: String) -> String {
        var text = truncated
            ? "mmaudit: warning: truncated file: every whole page before its end was read; "
                + (missingBytes > 0 ? "\(missingBytes) bytes of data past the end are lost" : "how much data was past the end is not known")
                + "; \(count) \(what) skipped\n"
            : "mmaudit: \(count) \(what) skipped\n"
        for s in samples { text += "  \(s)\n" }
        return text
    }
}

extension DamageCount {
    /// The stderr warning for a truncated file (what was lost), or nil.
    public var truncationWarning: String? {
        truncated ? skippedNote(unreadablePages, "unreadable page(s)") : nil
    }
}
