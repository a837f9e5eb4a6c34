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
/// The child runs in a process group of its own, with every signal at its
/// default and none blocked, as Foundation starts one. SIGINT, SIGTERM and
/// SIGHUP sent to this process (a Ctrl-C reaches the terminal's foreground
/// group, this one) are passed on to the child, and this process lives on:
/// trace-cmd record stops and writes its trace, and the caller can still
/// undo what it set up (`mmaudit record` removes its kprobes).
public enum ChildProcess {
    /// The child being waited for (0: none), read by the signal handler.
    nonisolated(unsafe) private static var running: pid_t = 0

    /// The child's exit status, or 128 + the signal that ended it (as a shell says).
    public static func run(_ arguments: [String]) throws -> Int32 {
        guard let program = arguments.first else { throw NativeError("no program to run") }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let forwarded = [SIGINT, SIGTERM, SIGHUP]
        let previous = forwarded.map { ($0, signal($0, { sig in if ChildProcess.running > 0 { kill(ChildProcess.running, sig) } })) }
        defer {
            running = 0
            for (s, handler) in previous { signal(s, handler) }
        }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let r = posix_spawnp(&pid, program, nil, &attributes, &argv, environ)
        guard r == 0 else { throw NativeError("cannot run \(program): \(String(cString: strerror(r)))") }
        running = pid
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw NativeError.system("waitpid for \(program)") }
        }
        // <sys/wait.h>: WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let killedBy = status & 0x7F
        return killedBy == 0 ? (status >> 8) & 0xFF : 128 + killedBy
    }
}
