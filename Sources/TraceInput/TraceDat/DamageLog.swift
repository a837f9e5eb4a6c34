/// Pages that could not be read, shared by a file's CPU streams: counted and
/// sampled (first few with their offsets), never silently lost.
///
/// A stream decoded on a thread of its own gets a log of its own that only
/// keeps `notes`; the reader replays them into the file's log in the order
/// the records are consumed, so the samples are the ones a single-threaded
/// read would keep.
final class DamageLog {
    struct Note: Sendable {
        var pages: Int
        var cpu: Int
        var buffer: String
        var offset: Int
        var reason: String
        /// Set when the damage is the file's end (truncation): the bytes
        /// of data known to be missing (0 when unknown).
        var missingBytes: Int?
    }

    // Read and changed by one thread at a time (a stream's decode thread,
    // or the reader's): @exclusivity(unchecked) drops the runtime access
    // checks that fill() otherwise began on every record.
    @exclusivity(unchecked) private(set) var count = DamageCount()
    private let path: String
    private let sampleLimit = 8
    private let collectsNotes: Bool
    /// Damage met since the last `takeNotes()` (collecting logs only),
    /// asked after every record by the one thread that decodes the stream.
    @exclusivity(unchecked) private var notes: [Note] = []

    init(path: String, collectingNotes: Bool = false) {
        self.path = path
        collectsNotes = collectingNotes
    }

    var hasNotes: Bool { !notes.isEmpty }

    func takeNotes() -> [Note] {
        defer { notes = [] }
        return notes
    }

    func record(_ n: Note) {
        unreadable(pages: n.pages, cpu: n.cpu, buffer: n.buffer, offset: n.offset, reason: n.reason,
                   missingBytes: n.missingBytes)
    }

    /// The file ends early at `offset`, losing what `reason` says (not one
    /// CPU's data: that is `unreadable` with `missingBytes`).
    func truncated(offset: Int, reason: String) {
        count.truncated = true
        if count.samples.count < sampleLimit { count.samples.append("\(path): byte offset \(offset): \(reason)") }
    }

    /// `missingBytes` non-nil: the loss is the file ending early.
    func unreadable(pages: Int, cpu: Int, buffer: String, offset: Int, reason: String, missingBytes: Int? = nil) {
        if collectsNotes {
            notes.append(Note(pages: pages, cpu: cpu, buffer: buffer, offset: offset, reason: reason,
                              missingBytes: missingBytes))
            return
        }
        // Sizes come from the file: a damaged one's can be anything, so the
        // sums saturate rather than trap.
        if let missingBytes {
            count.truncated = true
            count.missingBytes = Self.saturatingSum(count.missingBytes, missingBytes)
        }
        count.unreadablePages = Self.saturatingSum(count.unreadablePages, pages)
        if count.samples.count < sampleLimit {
            let where_ = buffer.isEmpty ? "cpu \(cpu) data" : "buffer \(buffer) cpu \(cpu) data"
            count.samples.append("\(path): \(where_): byte offset \(offset): \(reason)")
        }
    }

    static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }
}
