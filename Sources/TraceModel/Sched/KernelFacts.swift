import TraceInput

/// What a trace says about the kernel that wrote it, where the rules'
/// meaning depends on it.
public struct KernelFacts: Sendable, Hashable {
    /// `uname -a` of the traced machine (trace.dat's UNAME option), if known.
    public var uname: String?
    /// PREEMPT_RT: spinlock_t and rwlock_t are sleeping rtmutex locks
    /// (kernel/locking/spinlock_rt.c), and their waits are legal sleeps.
    public var preemptRT: Bool
    /// prev_state's letters, from the trace's own sched_switch print fmt.
    public var taskStates: TaskStateLetters

    public init(uname: String? = nil, preemptRT: Bool = false, taskStates: TaskStateLetters = .linux61) {
        self.uname = uname
        self.preemptRT = preemptRT
        self.taskStates = taskStates
    }

    /// Whether a uname names a PREEMPT_RT kernel. trace-cmd stores only
    /// "sysname nodename release machine" (no version string with
    /// "PREEMPT_RT"), so the release must say it: Debian's and the RT
    /// tree's releases carry "-rt" ("6.1.0-57-rt-amd64", "6.1.59-rt16").
    static func namesPreemptRT(_ uname: String) -> Bool {
        if uname.contains("PREEMPT_RT") { return true }
        return uname.split(separator: " ").contains { word in
            word.split(separator: "-").dropFirst().contains { part in
                part == "rt" || (part.hasPrefix("rt") && part.dropFirst(2).allSatisfy(\.isNumber) && part.count > 2)
            }
        }
    }

    /// The facts a reader found in the trace's headers.
    public init(_ info: TraceInfo) {
        self.init(uname: info.uname, preemptRT: info.uname.map(Self.namesPreemptRT) ?? false,
                  taskStates: info.schedSwitchPrintFormat.flatMap(TaskStateLetters.init(printFormat:)) ?? .linux61)
    }
}
