import TraceInput

/// What the model does with every event of one kind, worked out once: its
/// count, its baseline slot, and the bindings that may apply.
final class EventKind {
    let key: EventKey
    /// "system:name", as evidence names it.
    let eventName: String
    let baseline: Int
    let isSchedSwitch: Bool
    @exclusivity(unchecked) var count = 0
    /// Bindings tried on every event of the kind.
    let candidates: [RoleBinding]
    /// When every candidate is function-named: the candidates by function,
    /// in candidate order (so `bind` tries only those).
    let byFunction: [String: [RoleBinding]]?
    /// When no candidate reads a field or names a function and no role
    /// changes the model (tlb flushes, page frees): the roles counted.
    let countedRoles: [Role]?
    /// The field naming the event's function (function tracers, kprobes).
    var functionField: KindFields?
    /// Its index in records of one id (`RecordRef.fieldIndex(of:)`).
    @exclusivity(unchecked) var recordFunctionField: (id: Int32, index: Int?) = (-1, nil)
    /// `byFunction`'s candidates by function address, resolved once per
    /// address (empty: no binding names that function).
    @exclusivity(unchecked) var candidatesByAddress: [UInt64: AddressBindings] = [:]
    /// Addresses found to bind nothing, direct-mapped by address (a slot
    /// holds the last one that fell there; UInt64.max: none): a function
    /// trace repeats a few hundred functions, and a hit costs a compare
    /// where the dictionary hashed the address. Made for function-named
    /// kinds only (32 KB each).
    @exclusivity(unchecked) var unboundAddresses: [UInt64]
    static let unboundSlots = 1 << 12

    /// What an address of a function-named kind binds: its candidates
    /// (empty: none) and the function it names, found once per address.
    struct AddressBindings {
        var candidates: [RoleBinding]
        var function: String?
    }

    @inline(__always)
    static func unboundSlot(_ address: UInt64) -> Int {
        // Functions are at least 16-byte aligned; fold in higher bits.
        Int(truncatingIfNeeded: (address >> 4) ^ (address >> 16)) & (unboundSlots - 1)
    }

    init(key: EventKey, baseline: Int, bindings: BindingTable) {
        self.key = key
        eventName = key.system + ":" + key.name
        self.baseline = baseline
        isSchedSwitch = key == SchedTracker.schedSwitch
        let candidates = bindings.binds(key) ? bindings.candidates(for: key) : []
        self.candidates = candidates
        if !candidates.isEmpty, candidates.allSatisfy({ $0.function != nil }) {
            var index: [String: [RoleBinding]] = [:]
            for b in candidates { index[b.function!, default: []].append(b) }
            byFunction = index
            unboundAddresses = [UInt64](repeating: .max, count: EventKind.unboundSlots)
        } else {
            byFunction = nil
            unboundAddresses = []
        }
        let inert: Set<Role> = [.tlbFlush, .pageFree]
        if candidates.allSatisfy({ $0.function == nil && inert.contains($0.role) }) {
            countedRoles = candidates.map(\.role)
        } else {
            countedRoles = nil
        }
        functionField = FunctionNames.functionField(of: key).map { KindFields([$0]) }
    }

    /// Its index in the model's `kinds`.
    var position = -1

    /// Whether the rules-file bindings' fields were checked against an
    /// event of this kind (done once, on the first one bound).
    var fieldsChecked = false

    /// Whether consuming an event of this kind reads its fields.
    var readsFields: Bool { isSchedSwitch || countedRoles == nil }
}
