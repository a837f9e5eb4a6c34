/// Pages that could not be read, shared by a file's CPU streams: counted and
/// sampled (first few with their offsets), never silently dropped.
final class DamageLog {
    private(set) var count = DamageCount()
    private let path: String
    private let sampleLimit = 8

    init(path: String) { self.path = path }

    func unreadable(pages: Int, cpu: Int, buffer: String, offset: Int, reason: String) {
        count.unreadablePages += pages
        if count.samples.count < sampleLimit {
            let where_ = buffer.isEmpty ? "cpu \(cpu) data" : "buffer \(buffer) cpu \(cpu) data"
            count.samples.append("\(path): \(where_): byte offset \(offset): \(reason)")
        }
    }
}
