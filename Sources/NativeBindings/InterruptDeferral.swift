#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps this process alive through Ctrl-C / SIGTERM while a child it
/// runs takes them (trace-cmd record stops on SIGINT), so that it can undo
/// what it set up afterwards (`mmaudit record` removes its kprobes).
///
/// A handler that does nothing, not SIG_IGN: an ignored signal stays
/// ignored across exec (signal(7)), so the child would ignore it too,
/// while a caught one is reset to the default in the child.
public enum InterruptDeferral {
    public static func during<T>(_ body: () throws -> T) rethrows -> T {
        let previousInt = signal(SIGINT, { _ in })
        let previousTerm = signal(SIGTERM, { _ in })
        let previousHup = signal(SIGHUP, { _ in })
        defer {
            signal(SIGINT, previousInt)
            signal(SIGTERM, previousTerm)
            signal(SIGHUP, previousHup)
        }
        return try body()
    }
}
