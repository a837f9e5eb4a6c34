/// Hands each happening to the observers that read its kind. The model and
/// its trackers share one bus: a tracker says what happened, the bus knows
/// who listens (an observer is told no kind it did not ask for).
final class HappeningBus {
    @exclusivity(unchecked) private(set) var observers: [ModelObserver] = []
    /// The observers of each kind of happening, by the kind's bit.
    @exclusivity(unchecked) private var byKind = [[ModelObserver]](repeating: [], count: HappeningKinds.count)
    /// Set by the model that owns the bus (observers are told the model).
    unowned(unsafe) var model: TraceModel!

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
        for o in byKind[h.kind.position] { o.observe(h, model: model) }
    }
}
