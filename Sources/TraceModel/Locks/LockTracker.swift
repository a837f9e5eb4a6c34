import TraceInput

/// Locks per task: holds (lock.acquire .. lock.release) and waits
/// (lock.contend.begin .. end; include/trace/events/lock.h).
final class LockTracker {
    private let bus: HappeningBus

    init(bus: HappeningBus) { self.bus = bus }

    func acquire(_ task: TaskState, _ a: RoleArguments, evidence: EvidenceEvent) {
        let kind: LockKind = a.lockFlags.map { LockFlags.sleeps($0) ? .sleeping : .spin } ?? .spin
        task.heldLocks.append(LockHold(lock: a.lock, kind: kind, label: a.label, begin: evidence))
    }

    func release(_ task: TaskState, _ a: RoleArguments, evidence: EvidenceEvent) {
        if let i = task.heldLocks.lastIndex(where: { $0.lock == a.lock }) {
            let hold = task.heldLocks.remove(at: i)
            bus.tell(.lockReleased(hold, release: evidence))
        }
    }

    func contendBegin(_ task: TaskState, _ a: RoleArguments, evidence: EvidenceEvent) {
        task.contending = evidence
        task.contendingFlags = a.lockFlags
    }

    func contendEnd(_ task: TaskState, _ a: RoleArguments, evidence: EvidenceEvent) {
        if let begin = task.contending {
            bus.tell(.lockContentionEnded(begin: begin, end: evidence, lock: a.lock, flags: task.contendingFlags))
        }
        task.contending = nil
        task.contendingFlags = nil
    }
}
