#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program found on PATH and waits for it: posix_spawnp(3) and
/// waitpid(2), nothing else. Foundation's Process waits through a run loop
/// that needs a wakeup socket pair; in a minimal system (a busybox
/// initramfs) it could not make one, and a trace-cmd that had exited was
/// never reaped.
///
/// While the child runs, SIGINT, SIGTERM and SIGHUP are caught by a handler
/// that does nothing, so a Ctrl-C stops the child (trace-cmd record writes
/// its trace and exits) but not this process, which can still undo what it
/// set up (`mmaudit record` removes its kprobes). A caught signal, unlike an
/// ignored one, is back to its default in the child after exec (signal(7)).
public enum ChildProcess {
    /// The child's exit status, or 128 + the signal that ended it (as a shell says).
    public static func run(_ arguments: [String]) throws -> Int32 {
        guard let program = arguments.first else { throw NativeError("no program to run") }
        let previous = [SIGINT, SIGTERM, SIGHUP].map { ($0, signal($0, { _ in })) }
        defer { for (s, handler) in previous { signal(s, handler) } }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let r = posix_spawnp(&pid, program, nil, nil, &argv, environ)
        guard r == 0 else { throw NativeError("cannot run \(program): \(String(cString: strerror(r)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw NativeError.system("waitpid for \(program)") }
        }
        // <sys/wait.h>: WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let killedBy = status & 0x7F
        return killedBy == 0 ? (status >> 8) & 0xFF : 128 + killedBy
    }
}
