/// A failure reported by the C side (a system call, a decompressor), as a
/// one-line message; TraceInput turns it into a `TraceInputError` that says
/// which file, section and byte offset it concerns.
public struct NativeError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum NativeBindingsVersion { public static let libtraceevent = "1.7.1" }
