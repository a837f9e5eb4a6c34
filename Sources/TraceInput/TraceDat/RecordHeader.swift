/// The few facts of a record that counting needs, read without building a
/// `TraceEvent` or copying the payload: the fast path `stats` uses.
public struct RecordHeader: Sendable {
    public var cpu: Int
    /// Index into the file's buffers (0 = the first, the top when present).
    public var bufferIndex: Int
    /// Corrected timestamp (ns for nanosecond clocks).
    public var timestamp: UInt64
    /// common_type: the event id.
    public var eventID: Int
    public var pid: Int32
    /// Events the ring buffer dropped just before this record (-1 = unknown
    /// number, 0 = none).
    public var missedEvents: Int
}
