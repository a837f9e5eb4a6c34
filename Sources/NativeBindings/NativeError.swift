#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure reported by the C side (a system call, a decompressor), as a
/// one-line message and the C error code it came with; TraceInput turns it
/// into a `TraceInputError` that says which file, section and byte offset it
/// concerns, the command line into an output error naming the file written.
public struct NativeError: Error, CustomStringConvertible, Sendable {
    /// The C error code, by the library that gave it.
    public enum Code: Sendable, Hashable {
        /// A system call's errno (ENOENT, EACCES, ENOSPC, …).
        case errno(Int32)
        /// A zlib return code (Z_DATA_ERROR, Z_MEM_ERROR, …).
        case zlib(Int32)
        /// A zstd error code (ZSTD_ErrorCode; a failed call returns (size_t)-code).
        case zstd(Int)
    }

    public var message: String
    /// nil when the failure was found on the Swift side (a size that does
    /// not add up, data that ends early) rather than returned by C.
    public var code: Code?

    public init(_ message: String, code: Code? = nil) {
        self.message = message
        self.code = code
    }

    /// "`what`: strerror(errno)", carrying the errno of the call that just
    /// failed (read it before anything else can change it).
    public static func system(_ what: String, errno e: Int32 = errno) -> NativeError {
        NativeError("\(what): \(String(cString: strerror(e)))", code: .errno(e))
    }

    public var description: String { message }
}

public enum NativeBindingsVersion { public static let libtraceevent = "1.7.1" }
