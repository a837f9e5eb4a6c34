import TraceInput

/// The trace rebuilt as state: which task runs on each CPU, what every task
/// has open, the secondary MMU's live mappings, and the context baselines.
/// Fed one item at a time in timestamp order; memory grows with open state
/// (tasks, spans, live mappings), never with the trace's length.
public final class TraceModel {
    /// Each CPU's timeline, by CPU number.
    public var cpus: [Int: CPUTimeline] {
        var all: [Int: CPUTimeline] = [:]
        for case let c? in cpuTimelines { all[c.cpu] = c }
        return all
    }
    public func cpu(_ n: Int) -> CPUTimeline? { n >= 0 && n < cpuTimelines.count ? cpuTimelines[n] : nil }
    /// By CPU number: a switch finds its CPU by index, not by hashing.
    @exclusivity(unchecked) private var cpuTimelines: [CPUTimeline?] = []
    /// CPU numbers kept in per-CPU arrays (`cpuTimelines`, `taskOnCPU`);
    /// a damaged line's larger number is left out of them.
    private static let cpuLimit = 1 << 12
    // Per-event state of a model fed from one thread: @exclusivity(unchecked)
    // drops the runtime access checks (swift_beginAccess in perf).
    /// Every task seen, by pid.
    public var tasks: [Int32: TaskState] {
        Dictionary(uniqueKeysWithValues: taskTable.all.map { ($0.pid, $0.value) })
    }
    /// The task of `pid`, if one was seen.
    public func task(_ pid: Int32) -> TaskState? { taskTable[pid] }
    @exclusivity(unchecked) private var taskTable = PidTable<TaskState>()
    @exclusivity(unchecked) public private(set) var secondary = SecondaryMMU()
    @exclusivity(unchecked) public private(set) var baselines = ContextBaselines()
    /// Events per kind, and events per role: what the trace can show.
    public var eventCounts: [EventKey: Int] {
        var counts: [EventKey: Int] = [:]
        for kind in kinds where kind.count > 0 { counts[kind.key] = kind.count }
        return counts
    }
    public var roleCounts: [Role: Int] {
        var counts: [Role: Int] = [:]
        for (i, n) in boundRoleCounts.enumerated() where n > 0 { counts[Self.roles[i]] = n }
        for kind in kinds where kind.count > 0 {
            for role in kind.countedRoles ?? [] { counts[role, default: 0] += kind.count }
        }
        return counts
    }
    /// Roles of events bound one by one (kinds with `countedRoles` count by
    /// kind), by the role's place in `Role.allCases`: a Role hashes its name.
    @exclusivity(unchecked) private var boundRoleCounts = [Int](repeating: 0, count: TraceModel.roles.count)
    private static let roles = Role.allCases
    @exclusivity(unchecked) public private(set) var lostEvents = 0
    @exclusivity(unchecked) public private(set) var lostMarkers = 0
    /// The earliest and the latest event timestamp.
    @exclusivity(unchecked) public private(set) var firstTimestamp: UInt64?
    @exclusivity(unchecked) public private(set) var lastTimestamp: UInt64?

    public let bindings: BindingTable
    public let functions: FunctionNames
    @exclusivity(unchecked) private var observers: [ModelObserver] = []
    /// The observers of each kind of happening, by the kind's bit: no check
    /// reads `.switchedOut` (timelines do), and the model decodes the
    /// outgoing task's name only when someone does.
    @exclusivity(unchecked) private var observersByKind = [[ModelObserver]](repeating: [], count: HappeningKinds.count)

    static let schedSwitch = EventKey("sched", "sched_switch")

    /// What the model does with every event of one kind, worked out once:
    /// its count, its baseline slot, and the bindings that may apply.
    final class Kind {
        let key: EventKey
        /// "system:name", as evidence names it.
        let eventName: String
        let baseline: Int
        let isSchedSwitch: Bool
        @exclusivity(unchecked) var count = 0
        /// Bindings tried on every event of the kind.
        let candidates: [RoleBinding]
        /// When every candidate is function-named: the candidates by
        /// function, in candidate order (so `bind` tries only those).
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
        /// Addresses found to bind nothing, direct-mapped by address (a
        /// slot holds the last one that fell there; UInt64.max: none): a
        /// function trace repeats a few hundred functions, and a hit costs
        /// a compare where the dictionary hashed the address.
        /// Made for function-named kinds only (32 KB each).
        @exclusivity(unchecked) var unboundAddresses: [UInt64]
        static let unboundSlots = 1 << 12

        @inline(__always)
        static func unboundSlot(_ address: UInt64) -> Int {
            // Functions are at least 16-byte aligned; fold in higher bits.
            Int(truncatingIfNeeded: (address >> 4) ^ (address >> 16)) & (unboundSlots - 1)
        }

        init(key: EventKey, baseline: Int, bindings: BindingTable) {
            self.key = key
            eventName = key.system + ":" + key.name
            self.baseline = baseline
            isSchedSwitch = key == TraceModel.schedSwitch
            let candidates = bindings.binds(key) ? bindings.candidates(for: key) : []
            self.candidates = candidates
            if !candidates.isEmpty, candidates.allSatisfy({ $0.function != nil }) {
                var index: [String: [RoleBinding]] = [:]
                for b in candidates { index[b.function!, default: []].append(b) }
                byFunction = index
                unboundAddresses = [UInt64](repeating: .max, count: Kind.unboundSlots)
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

        /// Whether consuming an event of this kind reads its fields.
        var readsFields: Bool { isSchedSwitch || countedRoles == nil }
    }
    /// What an address of a function-named kind binds: its candidates (empty:
    /// none) and the function it names, found once per address.
    struct AddressBindings {
        var candidates: [RoleBinding]
        var function: String?
    }
    @exclusivity(unchecked) private var kinds: [Kind] = []
    /// Where in `kinds` the kind of the event being consumed is (for its
    /// evidence name): an index, so keeping it costs no retain per event.
    @exclusivity(unchecked) private var current = -1
    /// `kinds` by event id, unretained (`kinds` keeps them): looking a
    /// record's kind up retains nothing.
    @exclusivity(unchecked) private var kindsByID: [Unmanaged<Kind>?] = []
    private var kindsByKey: [EventKey: Kind] = [:]
    /// Function names by address (the function tracer's `ip`), resolved once.
    @exclusivity(unchecked) private var functionsByAddress: [UInt64: String?] = [:]
    /// sched_switch's fields, read from every switch.
    @exclusivity(unchecked) private var switchFields = KindFields(["prev_pid", "next_pid", "prev_state",
                                                                   "prev_comm", "next_comm"])
    /// `switchFields`' indices in records of one id (`RecordRef.fieldIndex(of:)`).
    @exclusivity(unchecked) private var switchRecordFields: (id: Int32, indices: [Int?]) = (-1, [])
    /// Per CPU, a pid whose task is known and last ran there: most events
    /// come from the task of the event before them on their CPU, and then
    /// the task table need not be touched (Int32.min: none).
    @exclusivity(unchecked) private var taskOnCPU: [Int32] = []
    /// prev_state letters by state ("S", "D", "DI", …), built once per value.
    /// Only the lettered bits count (0xff): an array by those bits, not a
    /// dictionary hashing the state on every sleep.
    @exclusivity(unchecked) private var stateLetters = [String?](repeating: nil, count: 256)

    private func kind(of event: TraceEvent) -> Kind {
        let id = Int(event.kindID)
        if id >= 0 && id < kindsByID.count, let k = kindsByID[id] { return k.takeUnretainedValue() }
        let k = kind(for: EventKey(event.system, event.name))
        if id >= 0 && id < 1 << 16 {
            if id >= kindsByID.count {
                kindsByID += [Unmanaged<Kind>?](repeating: nil, count: id + 1 - kindsByID.count)
            }
            kindsByID[id] = .passUnretained(k)
        }
        return k
    }

    private func kind(for key: EventKey) -> Kind {
        if let known = kindsByKey[key] { return known }
        let k = Kind(key: key, baseline: baselines.slot(for: key), bindings: bindings)
        k.position = kinds.count
        kindsByKey[key] = k
        kinds.append(k)
        return k
    }

    /// Whether the model only counts events of this kind (`counted`): no
    /// binding reads them or changes the model, and they are not switches.
    /// A reader may then tally them (`TraceReader.tally(only:)`; `absorb`).
    public func onlyCounts(system: String, name: String) -> Bool {
        let key = EventKey(system, name)
        guard key != Self.schedSwitch else { return false }
        guard bindings.binds(key) else { return true }
        return Kind(key: key, baseline: 0, bindings: bindings).countedRoles != nil
    }

    /// Records a reader tallied instead of handing out: what `counted`
    /// would have done with each, in any order (counts, the time span, the
    /// context floors of kinds that never sleep). Tasks are not placed: the
    /// reader hands out the first record of each pid on each CPU.
    public func absorb(_ tally: RecordTally) {
        for case let t? in tally.kinds {
            let kind = kind(for: EventKey(t.system, t.name))
            kind.count += t.count
            for (context, n) in t.contexts { baselines.observe(slot: kind.baseline, context, times: n) }
        }
        if let f = tally.first { firstTimestamp = min(firstTimestamp ?? f, f) }
        if let l = tally.last { lastTimestamp = max(lastTimestamp ?? l, l) }
    }

    /// Whether events of this kind need their fields: a reader may leave them
    /// empty for the others (`TraceReader.decodeFields(only:)`).
    public func readsFields(system: String, name: String) -> Bool {
        let key = EventKey(system, name)
        // Asked for every format of a file (hundreds): most kinds are bound
        // by nothing, and then only a switch reads fields.
        guard bindings.binds(key) else { return key == Self.schedSwitch }
        return Kind(key: key, baseline: 0, bindings: bindings).readsFields
    }

    public init(bindings: BindingTable, functions: FunctionNames) {
        self.bindings = bindings
        self.functions = functions
        atomicGather = bindings.atomicSpans.contains(.tlbGather)
        atomicInvalidate = bindings.atomicSpans.contains(.invalidate)
        atomicLock = bindings.atomicSpans.contains(.lock)
    }

    /// `bindings.atomicSpans`, asked on every sleep.
    private let atomicGather: Bool
    private let atomicInvalidate: Bool
    private let atomicLock: Bool

    public func addObserver(_ observer: ModelObserver) {
        observers.append(observer)
        let kinds = observer.observedHappenings
        for i in 0..<HappeningKinds.count where kinds.contains(HappeningKinds(rawValue: 1 << i)) {
            observersByKind[i].append(observer)
        }
    }

    public var sawTaskSwitches: Bool { (kindsByKey[Self.schedSwitch]?.count ?? 0) > 0 }

    public func consume(_ item: TraceItem) {
        switch item {
        case .lost(let lost):
            lostMarkers += 1
            lostEvents += lost.count ?? 0
        case .event(let event):
            consume(event)
        }
    }

    public func consume(_ event: TraceEvent) {
        let kind = kind(of: event)
        counted(kind, timestamp: event.timestamp, cpu: event.cpu, pid: event.pid, context: event.context,
                comm: event.comm)
        if kind.isSchedSwitch { taskSwitch(event, baseline: kind.baseline) }
        if kind.countedRoles != nil { return }
        bind(event, kind: kind)
    }

    /// A record seen in place (trace.dat): most are only counted, and an
    /// event is made only for those a binding or a switch reads.
    public func consume(_ record: RecordRef) {
        let id = Int(record.kindID)
        guard id >= 0 && id < kindsByID.count, let known = kindsByID[id] else {
            // A kind's first record: the event path learns the kind.
            consume(record.event())
            return
        }
        known._withUnsafeGuaranteedRef { consume(record, kind: $0) }
    }

    private func consume(_ record: RecordRef, kind: Kind) {
        counted(kind, timestamp: record.timestamp, cpu: record.cpu, pid: record.pid, context: record.context,
                comm: record.comm)
        if kind.isSchedSwitch {
            taskSwitch(record, baseline: kind.baseline)
            if kind.countedRoles == nil { bind(record.event(), kind: kind) }
            return
        }
        if kind.countedRoles != nil { return }
        if kind.byFunction != nil {
            // Functions no binding names (nearly all of a function trace)
            // end here, from the address alone.
            if kind.recordFunctionField.id != record.kindID {
                kind.recordFunctionField = (record.kindID, kind.functionField.flatMap { record.fieldIndex(of: $0.names[0]) })
            }
            if let index = kind.recordFunctionField.index, let address = record.unsignedField(at: index) {
                let slot = Kind.unboundSlot(address)
                if kind.unboundAddresses[slot] == address && address != .max { return }
                if let known = kind.candidatesByAddress[address] {
                    if known.candidates.isEmpty {
                        kind.unboundAddresses[slot] = address
                    } else {
                        bind(record.event(), kind: kind, known: known)
                    }
                    return
                }
            }
        }
        bind(record.event(), kind: kind)
    }

    /// What every event does to the model, whatever its kind: counted, its
    /// time and context noted, its task placed on its CPU. `comm` is read
    /// only for a task first seen.
    @inline(__always)
    private func counted(_ kind: Kind, timestamp: UInt64, cpu: Int, pid: Int32, context: ExecutionContext,
                         comm: @autoclosure () -> String) {
        current = kind.position
        kind.count += 1
        // The earliest and latest timestamps, not the first and last seen:
        // damaged or pasted-together text can go back in time, and spans
        // built from these must not end before they start (found by fuzzing).
        firstTimestamp = min(firstTimestamp ?? timestamp, timestamp)
        lastTimestamp = max(lastTimestamp ?? timestamp, timestamp)
        baselines.observe(slot: kind.baseline, context)
        if !(cpu >= 0 && cpu < taskOnCPU.count && taskOnCPU[cpu] == pid) {
            task(pid, comm: comm()).cpu = cpu
            placed(pid, on: cpu)
        }
    }

    /// The roles `event` plays, applied.
    /// `known`: what the event's address binds, when the caller has looked.
    private func bind(_ event: TraceEvent, kind: Kind, known: AddressBindings? = nil) {
        let key = kind.key
        var candidates = kind.candidates
        var named: String??  // the event's function, when already known
        if let byFunction = kind.byFunction {
            if let known {
                candidates = known.candidates
                named = .some(known.function)
            } else if case .unsigned(let address)? = kind.functionField?.value(0, of: event) {
                let found: AddressBindings
                if let known = kind.candidatesByAddress[address] {
                    found = known
                } else {
                    let f = function(of: event, kind: kind)
                    found = AddressBindings(candidates: f.flatMap { byFunction[$0] } ?? [], function: f)
                    kind.candidatesByAddress[address] = found
                }
                if found.candidates.isEmpty { return }
                candidates = found.candidates
                named = .some(found.function)
            } else {
                guard let f = function(of: event, kind: kind), let bound = byFunction[f] else { return }
                candidates = bound
                named = .some(f)
            }
        }
        // Candidates found by function (`named` set) all name that function.
        bindings.forEachMatch(event, candidates: candidates, namesFunction: named != nil,
                              function: { named ?? self.function(of: event, kind: kind) }) {
            binding, args in
            boundRoleCounts[Self.roles.firstIndex(of: binding.role)!] += 1
            if event.system.isEmpty {
                // Text that does not say the system: the binding does.
                var named = event
                named.system = binding.event.system
                let boundKey = EventKey(named.system, named.name)
                apply(binding.role, named, args, key: boundKey,
                      baseline: boundKey == key ? kind.baseline : baselines.slot(for: boundKey))
            } else {
                apply(binding.role, event, args, key: key, baseline: kind.baseline)
            }
        }
    }

    /// `pid`'s task, made with `comm` if it is new.
    private func task(_ pid: Int32, comm: @autoclosure () -> String) -> TaskState {
        if let known = taskTable[pid] { return known }
        let task = TaskState(pid: pid, comm: comm())
        taskTable[pid] = task
        return task
    }

    /// `pid`'s task now has `cpu`: the fast path of `consume` may skip it
    /// there, and nowhere else.
    private func placed(_ pid: Int32, on cpu: Int) {
        guard cpu >= 0 && cpu < Self.cpuLimit else { return }
        if cpu >= taskOnCPU.count { taskOnCPU += [Int32](repeating: .min, count: cpu + 1 - taskOnCPU.count) }
        for i in taskOnCPU.indices where taskOnCPU[i] == pid { taskOnCPU[i] = .min }
        taskOnCPU[cpu] = pid
    }

    /// `functions.function(of:key:)`, with addresses resolved once.
    private func function(of event: TraceEvent, kind: Kind) -> String? {
        guard let value = kind.functionField?.value(0, of: event) else { return nil }
        let key = kind.key
        guard case .unsigned(let address) = value else { return functions.function(of: event, key: key) }
        if let known = functionsByAddress[address] { return known }
        let name = functions.function(of: event, key: key)
        functionsByAddress[address] = .some(name)
        return name
    }

    public func finish() {
        for o in observers { o.finish(model: self) }
    }

    private func tell(_ h: Happening) {
        for o in observersByKind[h.kind.position] { o.observe(h, model: self) }
    }

    private func evidence(_ e: TraceEvent) -> EvidenceEvent {
        if current >= 0 && current < kinds.count, case let k = kinds[current], k.key.name == e.name,
           k.key.system == e.system {
            return EvidenceEvent(e, eventName: k.eventName, functions: functions)
        }
        return EvidenceEvent(e, functions: functions)
    }

    // MARK: - sched_switch

    /// TASK_REPORT bits of prev_state (include/trace/events/sched.h, 6.1):
    /// S=0x1 D=0x2 T=0x4 t=0x8 X=0x10 Z=0x20 P=0x40 I=0x80; 0x100 (TASK_REPORT_MAX)
    /// marks a preempted, still runnable task. X and Z are exits, not sleeps.
    static let stateLetters: [(UInt64, String)] = [
        (0x1, "S"), (0x2, "D"), (0x4, "T"), (0x8, "t"), (0x10, "X"), (0x20, "Z"), (0x40, "P"), (0x80, "I"),
    ]
    static let sleepingStates: UInt64 = 0x1 | 0x2 | 0x4 | 0x8 | 0x40 | 0x80
    static let exitStates: UInt64 = 0x10 | 0x20

    private func taskSwitch(_ e: TraceEvent, baseline: Int) {
        taskSwitch(prevPid: Int32(truncatingIfNeeded: switchFields.value(0, of: e)?.int64 ?? Int64(e.pid)),
                   nextPid: Int32(truncatingIfNeeded: switchFields.value(1, of: e)?.int64 ?? -1),
                   state: switchFields.value(2, of: e)?.uint64 ?? 0,
                   prevComm: switchFields.value(3, of: e)?.string ?? e.comm,
                   nextComm: switchFields.value(4, of: e)?.string,
                   cpu: e.cpu, timestamp: e.timestamp, context: e.context, baseline: baseline, event: e)
    }

    /// A switch read from the record: an event is made only for a task
    /// that switches out sleeping (a few in a hundred switches).
    private func taskSwitch(_ r: RecordRef, baseline: Int) {
        if switchRecordFields.id != r.kindID {
            switchRecordFields = (r.kindID, switchFields.names.map { r.fieldIndex(of: $0) })
        }
        let index = switchRecordFields.indices
        func field(_ i: Int) -> FieldValue? { index[i].flatMap { r.field(at: $0) } }
        func integer(_ i: Int) -> Int64? { index[i].flatMap { r.integerField(at: $0) } }
        taskSwitch(prevPid: Int32(truncatingIfNeeded: integer(0) ?? Int64(r.pid)),
                   nextPid: Int32(truncatingIfNeeded: integer(1) ?? -1),
                   state: integer(2).map { UInt64(bitPattern: $0) } ?? 0,
                   prevComm: field(3)?.string ?? r.comm,
                   nextComm: field(4)?.string,
                   cpu: r.cpu, timestamp: r.timestamp, context: r.context, baseline: baseline,
                   event: r.event())
    }

    /// `prevComm`, `nextComm` and `event` are read only when needed (a
    /// timeline that watches switch-outs, a task first seen; a sleeping
    /// switch-out).
    private func taskSwitch(prevPid: Int32, nextPid: Int32, state: UInt64, prevComm: @autoclosure () -> String,
                            nextComm: @autoclosure () -> String?, cpu: Int, timestamp: UInt64, context: ExecutionContext,
                            baseline: Int, event: @autoclosure () -> TraceEvent) {
        if state & Self.exitStates != 0 {
            abandon(pid: prevPid, cause: .taskExited) { _ in true }
        }
        if state & Self.sleepingStates != 0 {
            sleep(pid: prevPid, how: .switchedOut(state: letters(of: state)), context: context, event: event(),
                  key: Self.schedSwitch, baseline: baseline)
        }
        // Task names are read only for a timeline (an observer of switch-outs).
        let names = !observersByKind[HappeningKinds.switchedOut.position].isEmpty
        if names {
            tell(.switchedOut(pid: prevPid, comm: prevComm(), cpu: cpu, timestamp: timestamp))
        }
        if cpu >= 0 && cpu < Self.cpuLimit {
            if cpu >= cpuTimelines.count { cpuTimelines += repeatElement(nil, count: cpu + 1 - cpuTimelines.count) }
            if cpuTimelines[cpu] == nil { cpuTimelines[cpu] = CPUTimeline(cpu: cpu) }
            Self.switchTo(&cpuTimelines[cpu]!, pid: nextPid, comm: names ? nextComm() : nil, at: timestamp)
        }
        if nextPid >= 0 {
            task(nextPid, comm: nextComm() ?? "<...>").cpu = cpu
            placed(nextPid, on: cpu)
            // Most switch-ins end nothing an observer has open: asked first,
            // the happening is made and told only to those that need it.
            for o in observersByKind[HappeningKinds.switchedIn.position] where o.needsSwitchIn(of: nextPid) {
                o.observe(.switchedIn(pid: nextPid, cpu: cpu, timestamp: timestamp), model: self)
            }
        }
    }

    /// One access to the CPU's entry, not a copy out and back.
    private static func switchTo(_ cpu: inout CPUTimeline, pid: Int32, comm: String?, at timestamp: UInt64) {
        cpu.currentPid = pid
        cpu.currentComm = comm
        cpu.since = timestamp
        cpu.switches += 1
    }

    private func letters(of state: UInt64) -> String {
        let bits = Int(state & 0xff)
        if let known = stateLetters[bits] { return known }
        let letters = Self.stateLetters.filter { state & $0.0 != 0 }.map(\.1).joined()
        stateLetters[bits] = letters
        return letters
    }

    /// `event` is made only if an observer is told (see `isPlain`).
    private func sleep(pid: Int32, how: SleepKind, context: ExecutionContext, event: @autoclosure () -> TraceEvent,
                       key: EventKey, baseline: Int) {
        // The event is made at most once: for a task not seen yet (its
        // name), or to tell the observers.
        var made: TraceEvent?
        let task: TaskState
        if let known = taskTable[pid] {
            task = known
        } else {
            let e = event()
            made = e
            task = TaskState(pid: pid, comm: e.comm)
        }
        var reasons: [AtomicReason] = []
        for lock in task.heldLocks where lock.kind == .spin {
            reasons.append(.spinlockHeld(lock.label ?? lock.lock.map { "0x" + String($0, radix: 16) } ?? "?"))
        }
        if atomicGather, !task.openGathers.isEmpty { reasons.append(.atomicSpan("a tlb gather")) }
        if atomicInvalidate, let r = task.openRanges.last { reasons.append(.atomicSpan("invalidation \(r.rangeText)")) }
        if atomicLock, let l = task.heldLocks.last { reasons.append(.atomicSpan("lock \(l.label ?? "?")")) }
        if case .switchedOut = how, reasons.isEmpty,
           isPlain(task: task, context: context, baseline: baseline),
           !observersByKind[HappeningKinds.sleep.position].contains(where: { $0.needsPlainSwitchOut(of: pid, model: self) }) {
            return
        }
        let e = made ?? event()
        tell(.sleep(SleepPoint(pid: pid, comm: task.comm, how: how, eventKey: key, baselineSlot: baseline,
                               context: context, heldReasons: reasons, evidence: evidence(e),
                               openRanges: task.openRanges, openGathers: task.openGathers,
                               heldLocks: task.heldLocks)))
    }

    /// Nothing makes a sleep of `task` in `context` atomic as far as the
    /// model can tell now: no non-blockable range open, and the context
    /// within the floor of its kind so far (what AtomicSleep keeps an
    /// episode for; floors only go down).
    private func isPlain(task: TaskState, context: ExecutionContext, baseline: Int) -> Bool {
        !task.openRanges.contains { $0.blockable == false }
            && baselines.floor(slot: baseline)?.isExceeded(by: context) != true
    }

    // MARK: - roles

    /// What an event playing `role` (with the arguments its binding read)
    /// does to the model.
    private func apply(_ role: Role, _ e: TraceEvent, _ a: RoleArguments, key: EventKey, baseline: Int) {
        // Every event's task is in the table (`counted` put it there).
        let task = taskTable[e.pid]!
        switch role {
        case .invalidateBegin:
            let r = InvalidateRange(pid: e.pid, comm: e.comm, channel: key.system, mm: a.mm, start: a.start,
                                    end: a.end, notifierEvent: a.notifierEvent, blockable: a.blockable,
                                    begin: evidence(e), finish: nil)
            task.openRanges.append(r)
            tell(.invalidationBegan(r))
        case .invalidateEnd:
            invalidationEnd(e, a, channel: key.system)
        case .secondaryMap:
            guard let start = a.start, let end = a.end else { return }
            secondary.map(mm: a.mm ?? 0, start: start, end: end, evidence: evidence(e))
        case .secondaryUnmap:
            guard let start = a.start, let end = a.end else { return }
            secondary.unmap(mm: a.mm ?? 0, start: start, end: end, evidence: evidence(e))
        case .tlbGatherBegin:
            task.openGathers.append(TLBGather(pid: e.pid, begin: evidence(e)))
        case .tlbGatherEnd:
            guard let gather = task.openGathers.popLast() else { return }
            tell(.tlbGatherEnded(gather, end: evidence(e)))
            // Ranges begun inside the gather and still open: their start failed.
            abandon(pid: e.pid, cause: .enclosingGatherEnded) { $0.begin.timestamp >= gather.begin.timestamp }
        case .lockAcquire:
            let kind: LockKind = a.lockFlags.map { LockFlags.sleeps($0) ? .sleeping : .spin } ?? .spin
            task.heldLocks.append(LockHold(lock: a.lock, kind: kind, label: a.label, begin: evidence(e)))
        case .lockRelease:
            if let i = task.heldLocks.lastIndex(where: { $0.lock == a.lock }) {
                let hold = task.heldLocks.remove(at: i)
                tell(.lockReleased(hold, release: evidence(e)))
            }
        case .lockContendBegin:
            task.contending = evidence(e)
            if let flags = a.lockFlags, LockFlags.sleeps(flags) {
                let name = a.lock.map { "0x" + String($0, radix: 16) } ?? "?"
                sleep(pid: e.pid, how: .sleepingLock(name), context: e.context, event: e, key: key, baseline: baseline)
            }
        case .lockContendEnd:
            if let begin = task.contending {
                tell(.lockContentionEnded(begin: begin, end: evidence(e), lock: a.lock))
            }
            task.contending = nil
        case .sleep:
            sleep(pid: e.pid, how: .sleepingFunction(a.label ?? e.name), context: e.context, event: e, key: key,
                  baseline: baseline)
        case .tlbFlush, .pageFree:
            break
        }
    }

    /// Ranges nest: splitting a huge PMD inside a zap (mm/huge_memory.c
    /// __split_huge_pmd) opens a range of its own while the zap's is open.
    /// So an end closes the most recent open begin of its channel with the
    /// same range; without range fields (function tracer), the most recent.
    private func invalidationEnd(_ e: TraceEvent, _ a: RoleArguments, channel: String) {
        let task = taskTable[e.pid]!
        let seen = task.closedChannels.contains(channel)
        if !seen { task.closedChannels.append(channel) }
        // The most recent open begin of the channel (and mm), and the most
        // recent one with the same range, found from the end.
        var latest: Int?, exact: Int?
        do {
            // Scoped: the array must be released before the removal below,
            // or removing copies it.
            let open = task.openRanges
            for i in open.indices.reversed()
                where open[i].channel == channel && (a.mm == nil || open[i].mm == nil || open[i].mm == a.mm) {
                if latest == nil { latest = i }
                if a.start == nil || a.end == nil || (open[i].start == a.start && open[i].end == a.end) {
                    exact = i
                    break
                }
            }
        }
        guard let i = exact ?? latest else {
            tell(.invalidationWithoutBegin(end: evidence(e), mm: a.mm, channel: channel, seenBefore: seen))
            return
        }
        var r = task.openRanges.remove(at: i)
        let end = evidence(e)
        r.finish = end
        if exact == nil {
            tell(.invalidationMismatched(open: r, end: end, endStart: a.start, endEnd: a.end))
        } else {
            tell(.invalidationEnded(r))
        }
    }

    private func abandon(pid: Int32, cause: AbandonCause, where given: (InvalidateRange) -> Bool) {
        guard let task = taskTable[pid], task.openRanges.contains(where: given) else { return }
        let gone = task.openRanges.filter(given)
        task.openRanges.removeAll(where: given)
        for r in gone { tell(.invalidationAbandoned(r, cause: cause)) }
    }
}
