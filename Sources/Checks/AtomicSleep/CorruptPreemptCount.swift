import TraceInput
import TraceModel

/// After "BUG: scheduling while atomic" the kernel resets the sleeper's
/// preempt count (kernel/sched/core.c schedule_debug), and a driver that then
/// drops its spinlock takes the per-CPU count below zero: from then on every
/// event on that CPU shows an impossible context (depth 15, hard and soft
/// irq) whoever runs there. Those sleeps are one finding, a consequence of
/// the violation before them, not one error each.
enum CorruptPreemptCount {
    static let signature = AtomicSleep.info.id + "|corrupt-preempt-count"

    /// One finding per CPU whose count is seen corrupt: a note linked to the
    /// latest violation before it (on that CPU if there is one), or a
    /// warning when the trace does not hold the cause.
    static func findings(_ episodes: [[SleepPoint]], roots: [Violation]) -> [Violation] {
        var byCPU: [Int: [SleepPoint]] = [:]
        for points in episodes {
            guard let p = points.first(where: { SleepJudgement.isCorrupt($0.context) }) else { continue }
            byCPU[p.evidence.cpu, default: []].append(p)
        }
        return byCPU.keys.sorted().map { cpu in
            let points = byCPU[cpu]!.sorted { $0.evidence.timestamp < $1.evidence.timestamp }
            let first = points[0]
            let since = first.evidence.timestamp
            let before = roots.filter { $0.timestamp <= since }
            let root = before.last { $0.cpu == cpu } ?? before.last
            var tasks: [String] = []
            for p in points where !tasks.contains("\(p.comm)-\(p.pid)") { tasks.append("\(p.comm)-\(p.pid)") }
            let what = "preempt count corrupt on CPU \(cpu) since \(seconds(since)): \(points.count) sleep\(points.count == 1 ? "" : "s") of "
                + tasks.prefix(5).joined(separator: ", ") + (tasks.count > 5 ? ", ..." : "")
                + (points.count == 1 ? " shows an impossible context" : " show impossible contexts")
                + " (preempt depth 15 in hard and soft irq)"
            let message: String
            if let root {
                message = what + "; a consequence of the atomic sleep of \(root.comm)-\(root.pid) at "
                    + "\(seconds(root.timestamp)) on CPU \(root.cpu), after which the kernel reset the count"
            } else {
                message = what + "; the violation that corrupted it is not in the trace"
            }
            var v = Violation(rule: AtomicSleep.info.id, severity: root == nil ? .warning : .note,
                              timestamp: since, cpu: cpu, pid: first.pid, comm: first.comm, message: message,
                              signature: signature,
                              evidence: (root?.evidence.suffix(1) ?? []) + points.prefix(3).map(\.evidence),
                              openContext: root.map { ["root: \($0.message)"] } ?? [])
            v.consequenceOf = root?.reference
            return v
        }
    }

    private static func seconds(_ ns: UInt64) -> String {
        let us = ns / 1000
        let frac = String(us % 1_000_000)
        return "\(us / 1_000_000)." + String(repeating: "0", count: 6 - frac.count) + frac
    }
}
