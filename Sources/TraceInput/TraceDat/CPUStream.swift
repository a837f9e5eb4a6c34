import NativeBindings

/// The records of one CPU of one buffer, in ring-buffer order: the state
/// trace-cmd keeps per CPU (struct cpu_data) and advances with
/// tracecmd_peek_data / tracecmd_read_data. It always sits on a record
/// (`hasRecord`) or is exhausted.
final class CPUStream {
    let cpu: Int
    let bufferIndex: Int
    let bufferName: String
    /// The CPU's index over all buffers (handle->start_cpu + cpu), which
    /// report's --cpu filter compares against (skip_record in trace-read.c).
    let globalIndex: Int
    let page: KBuffer
    private let source: PageSource
    private let correction: TimestampCorrection
    /// A guest file's clock samples (TIME_SHIFT): nil for nearly every file,
    /// and kept apart from `correction` so that the per-record path of
    /// those reads one Bool, not an optional.
    private let guestClock: GuestClockSync?
    private let shiftsGuestClock: Bool
    let damage: DamageLog
    // Per-record state, touched only by the thread that reads this stream:
    // @exclusivity(unchecked) drops the runtime access checks that otherwise
    // cost stats about a sixth of its time (swift_beginAccess in perf).
    @exclusivity(unchecked) private var pageLoaded = false

    @exclusivity(unchecked) private(set) var hasRecord = false
    /// The current record's corrected timestamp.
    @exclusivity(unchecked) private(set) var timestamp: UInt64 = 0
    /// kbuffer_missed_events for the current record (-1 = unknown count).
    @exclusivity(unchecked) private(set) var missedEvents = 0

    init(cpu: Int, bufferIndex: Int, bufferName: String, globalIndex: Int, page: KBuffer, source: PageSource,
         correction: TimestampCorrection, guestClock: GuestClockSync? = nil, damage: DamageLog) {
        self.cpu = cpu
        self.bufferIndex = bufferIndex
        self.bufferName = bufferName
        self.globalIndex = globalIndex
        self.page = page
        self.source = source
        self.correction = correction
        self.guestClock = guestClock
        shiftsGuestClock = guestClock != nil
        self.damage = damage
        fill()
    }

    /// Moves to the next record.
    @inline(__always)
    func step() {
        page.advance()
        fill()
    }

    private func fill() {
        while true {
            if pageLoaded {
                var raw: UInt64 = 0
                switch page.readEvent(rawTimestamp: &raw) {
                case .event:
                    timestamp = correction.apply(shiftsGuestClock ? guestClock.unsafelyUnwrapped.hostTime(raw, cpu: cpu) : raw)
                    missedEvents = page.missedEvents
                    hasRecord = true
                    return
                case .endOfPage:
                    pageLoaded = false
                case .damaged:
                    damage.unreadable(pages: 1, cpu: cpu, buffer: bufferName, offset: source.currentOffset,
                                      reason: "event runs past the page's committed data")
                    pageLoaded = false
                }
                continue
            }
            switch source.nextPage() {
            case .page:
                switch page.load(source.pageBuffer, at: 0, pageSize: source.pageSize) {
                case .loaded:
                    pageLoaded = true
                case .impossibleCommit(let size):
                    damage.unreadable(pages: 1, cpu: cpu, buffer: bufferName, offset: source.currentOffset,
                                      reason: "page commit size \(size) is larger than the page (\(source.pageSize))")
                case .badEventLength(let at):
                    damage.unreadable(pages: 1, cpu: cpu, buffer: bufferName, offset: source.currentOffset,
                                      reason: "event at page offset \(at) has an impossible length")
                }
            case .end:
                hasRecord = false
                return
            case .truncated(let pages, let offset, let chunks, let missing):
                let bytes = missing > 0 ? ", \(missing) bytes" : ""
                damage.unreadable(pages: pages, cpu: cpu, buffer: bufferName, offset: offset,
                                  reason: "truncated file: it ends inside this CPU's data; \(chunks) compressed chunk(s)\(bytes) lost, the chunks before were read",
                                  missingBytes: missing)
                hasRecord = false
                return
            case .damaged(let pages, let offset, let reason, let canContinue):
                damage.unreadable(pages: pages, cpu: cpu, buffer: bufferName, offset: offset, reason: reason)
                if !canContinue {
                    hasRecord = false
                    return
                }
            }
        }
    }
}
