/// Input that cannot be read at all. The description is the one-line error a
/// user sees: what is wrong and where (file, section, byte offset or line).
public struct TraceInputError: Error, CustomStringConvertible, Sendable {
    public var path: String
    /// The part of the file being read ("header", "options", "cpu 1 data", …).
    public var section: String?
    /// Byte offset in the file, or nil when a line number says where.
    public var offset: UInt64?
    public var line: Int?
    public var message: String

    public init(path: String, section: String? = nil, offset: UInt64? = nil,
                line: Int? = nil, message: String) {
        self.path = path
        self.section = section
        self.offset = offset
        self.line = line
        self.message = message
    }

    public var description: String {
        var place = path
        if let line { place += ":\(line)" }
        var parts = [place]
        if let section { parts.append(section) }
        if let offset { parts.append("byte offset \(offset)") }
        return parts.joined(separator: ": ") + ": " + message
    }
}
