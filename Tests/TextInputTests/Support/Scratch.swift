import Foundation

/// A fresh temporary directory for a test's generated inputs.
enum Scratch {
    static func make(_ label: String) throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("mmaudit-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func remove(_ url: URL?) {
        if let url { try? FileManager.default.removeItem(at: url) }
    }
}
