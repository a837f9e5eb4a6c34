/// Hands each happening to the observers that read its kind. The model and
/// its trackers share one bus: a tracker says what happened, the bus knows
/// who listens (an observer is told no kind it did not ask for).
final class HappeningBus {
    @exclusivity(unchecked) private(set) var observers: [ModelObserver] = []
    /// The observers of each kind of happening, by the kind's bit.
    @exclusivity(unchecked) private var byKind = [[ModelObserver]](repeating: [], count: HappeningKinds.count)
    /// The model that owns the bus (observers are told it), unretained:
    /// the model outlives its bus, and a strong load per happening retained
    /// it through its side table (Analysis holds it weakly), the slow path.
    private var owner: Unmanaged<TraceModel>?

    func attach(to model: TraceModel) { owner = .passUnretained(model) }

    func add(_ observer: ModelObserver) {
        observers.append(observer)
        let kinds = observer.observedHappenings
        for i in 0..<HappeningKinds.count where kinds.contains(HappeningKinds(rawValue: 1 << i)) {
            byKind[i].append(observer)
        }
    }

    /// The observers of one kind (asked before a happening is made).
    @inline(__always)
    func observers(of kind: HappeningKinds) -> [ModelObserver] { byKind[kind.position] }

    @inline(__always)
    func listens(_ kind: HappeningKinds) -> Bool { !byKind[kind.position].isEmpty }

    func tell(_ h: Happening) {
        guard let owner else { return }
        owner._withUnsafeGuaranteedRef { model in
            for o in byKind[h.kind.position] { o.observe(h, model: model) }
        }
    }
}
