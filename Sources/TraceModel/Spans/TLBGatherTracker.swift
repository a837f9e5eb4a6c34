/// tlb_gather_mmu .. tlb_finish_mmu per task (mm/mmu_gather.c).
final class TLBGatherTracker {
    private let bus: HappeningBus
    private let invalidations: InvalidationTracker

    init(bus: HappeningBus, invalidations: InvalidationTracker) {
        self.bus = bus
        self.invalidations = invalidations
    }

    func begin(_ task: TaskState, evidence: EvidenceEvent) {
        task.openGathers.append(TLBGather(pid: task.pid, begin: evidence))
    }

    func end(_ task: TaskState, evidence: EvidenceEvent) {
        guard let gather = task.openGathers.popLast() else { return }
        bus.tell(.tlbGatherEnded(gather, end: evidence))
        // Ranges begun inside the gather and still open: their start failed
        // (mm/oom_kill.c __oom_reap_task_mm finishes the gather, no range end).
        invalidations.abandon(task, cause: .enclosingGatherEnded) { $0.begin.timestamp >= gather.begin.timestamp }
    }
}
