import TraceInput

/// The trace rebuilt as state: which task runs on each CPU, what every task
/// has open, the secondary MMU's live mappings, and the context baselines.
/// Fed one item at a time in timestamp order; memory grows with open state
/// (tasks, spans, live mappings), never with the trace's length.
///
/// The model is a dispatcher, in the manner of trace_processor's per-domain
/// trackers: it counts every event, finds the roles a bound event plays, and
/// hands it to the tracker of that domain (Sched/, Spans/, Locks/,
/// Secondary/). It decides nothing a rule decides: what makes a sleep atomic
/// is the atomic-sleep check's business (Checks/AtomicSleep.swift).
public final class TraceModel {
    // Per-event state of a model fed from one thread: @exclusivity(unchecked)
    // drops the runtime access checks (swift_beginAccess in perf).
    private let sched: SchedTracker
    private let bus = HappeningBus()
    private let invalidations: InvalidationTracker
    private let gathers: TLBGatherTracker
    private let locks: LockTracker
    @exclusivity(unchecked) public private(set) var secondary = SecondaryMMU()
    @exclusivity(unchecked) public private(set) var baselines = ContextBaselines()

    public let bindings: BindingTable
    public let functions: FunctionNames
    /// What the trace says of its kernel (PREEMPT_RT or not, its prev_state
    /// letters), for the rules whose meaning depends on it.
    public let kernel: KernelFacts
    /// `kernel.preemptRT` and `bindings.atomicSpans`, asked on every sleep:
    /// stored apart, so reading them copies no struct.
    public let preemptRT: Bool
    public let declaresAtomicSpans: Bool

    /// The context floor of kind slot `slot` (`baselines.floor(slot:)`),
    /// without copying the baselines out of the model.
    @inline(__always)
    public func floor(slot: Int) -> ContextFloor? { baselines.floor(slot: slot) }

    /// Each CPU's timeline, by CPU number.
    public var cpus: [Int: CPUTimeline] {
        var all: [Int: CPUTimeline] = [:]
        for case let c? in sched.cpuTimelines { all[c.cpu] = c }
        return all
    }
    public func cpu(_ n: Int) -> CPUTimeline? {
        n >= 0 && n < sched.cpuTimelines.count ? sched.cpuTimelines[n] : nil
    }
    /// Every task seen, by pid.
    public var tasks: [Int32: TaskState] {
        Dictionary(uniqueKeysWithValues: sched.taskTable.all.map { ($0.pid, $0.value) })
    }
    /// The task of `pid`, if one was seen.
    public func task(_ pid: Int32) -> TaskState? { sched[pid] }

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

    @exclusivity(unchecked) private var kinds: [EventKind] = []
    /// Where in `kinds` the kind of the event being consumed is (for its
    /// evidence name): an index, so keeping it costs no retain per event.
    @exclusivity(unchecked) private var current = -1
    /// `kinds` by event id, unretained (`kinds` keeps them): looking a
    /// record's kind up retains nothing.
    @exclusivity(unchecked) private var kindsByID: [Unmanaged<EventKind>?] = []
    private var kindsByKey: [EventKey: EventKind] = [:]
    /// Per CPU, a pid whose task is known and last ran there: most events
    /// come from the task of the event before them on their CPU, and then
    /// the task table need not be touched (Int32.min: none). The
    /// dispatcher's own fast path, kept here so that it costs no call.
    @exclusivity(unchecked) private var taskOnCPU: [Int32] = []
    /// Function names by address (the function tracer's `ip`), resolved once.
    @exclusivity(unchecked) private var functionsByAddress: [UInt64: String?] = [:]

    public init(bindings: BindingTable, functions: FunctionNames, kernel: KernelFacts = KernelFacts()) {
        self.bindings = bindings
        self.functions = functions
        self.kernel = kernel
        preemptRT = kernel.preemptRT
        declaresAtomicSpans = !bindings.atomicSpans.isEmpty
        sched = SchedTracker(states: kernel.taskStates)
        invalidations = InvalidationTracker(bus: bus)
        gathers = TLBGatherTracker(bus: bus, invalidations: invalidations)
        locks = LockTracker(bus: bus)
        bus.attach(to: self)
    }

    public func addObserver(_ observer: ModelObserver) { bus.add(observer) }

    public var sawTaskSwitches: Bool { (kindsByKey[SchedTracker.schedSwitch]?.count ?? 0) > 0 }

    // MARK: - kinds

    private func kind(of event: TraceEvent) -> EventKind {
        let id = Int(event.kindID)
        if id >= 0 && id < kindsByID.count, let k = kindsByID[id] { return k.takeUnretainedValue() }
        let k = kind(for: EventKey(event.system, event.name))
        if id >= 0 && id < 1 << 16 {
            if id >= kindsByID.count {
                kindsByID += [Unmanaged<EventKind>?](repeating: nil, count: id + 1 - kindsByID.count)
            }
            kindsByID[id] = .passUnretained(k)
        }
        return k
    }

    /// A rules-file binding that reads a field its event does not have (a
    /// misspelt `start=begin` would otherwise bind nothing, silently).
    public struct UnknownBindingField: Sendable {
        /// The binding's "FILE:LINE".
        public var origin: String
        public var event: EventKey
        public var field: String
        /// The fields the event does have, in format order.
        public var eventFields: [String]
    }

    /// Every rules-file field an event of its kind lacked, found on the
    /// kind's first bound event (the trace's own format decides).
    public private(set) var unknownBindingFields: [UnknownBindingField] = []

    private func checkRulesFields(_ event: TraceEvent, kind: EventKind) {
        kind.fieldsChecked = true
        let names = event.fields.names
        // Built-in and wildcard bindings are written for many kernels and
        // recorders (a kprobe recorded without BTF has no range fields).
        for b in kind.candidates where b.origin != BuiltinBindings.origin && b.event.name != "*" {
            for case .field(let field, _) in b.arguments.values
            where !names.contains(field) && event.fields[field] == nil {
                unknownBindingFields.append(UnknownBindingField(origin: b.origin, event: kind.key,
                                                                field: field, eventFields: names))
            }
        }
    }

    private func kind(for key: EventKey) -> EventKind {
        if let known = kindsByKey[key] { return known }
        let k = EventKind(key: key, baseline: baselines.slot(for: key), bindings: bindings)
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
        guard key != SchedTracker.schedSwitch else { return false }
        guard bindings.binds(key) else { return true }
        return EventKind(key: key, baseline: 0, bindings: bindings).countedRoles != nil
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
        guard bindings.binds(key) else { return key == SchedTracker.schedSwitch }
        return EventKind(key: key, baseline: 0, bindings: bindings).readsFields
    }

    // MARK: - consuming

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
        if kind.isSchedSwitch {
            let s = sched.read(event)
            taskSwitch(s, prevComm: sched.prevComm(event), nextComm: sched.nextComm(event), cpu: event.cpu,
                       timestamp: event.timestamp, context: event.context, baseline: kind.baseline, event: event)
        }
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

    private func consume(_ record: RecordRef, kind: EventKind) {
        counted(kind, timestamp: record.timestamp, cpu: record.cpu, pid: record.pid, context: record.context,
                comm: record.comm)
        if kind.isSchedSwitch {
            // An event is made only for a task that switches out sleeping
            // (a few in a hundred switches).
            let s = sched.read(record)
            taskSwitch(s, prevComm: sched.prevComm(record), nextComm: sched.nextComm(record), cpu: record.cpu,
                       timestamp: record.timestamp, context: record.context, baseline: kind.baseline,
                       event: record.event())
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
                let slot = EventKind.unboundSlot(address)
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
    private func counted(_ kind: EventKind, timestamp: UInt64, cpu: Int, pid: Int32, context: ExecutionContext,
                         comm: @autoclosure () -> String) {
        current = kind.position
        kind.count += 1
        // The earliest and latest timestamps, not the first and last seen:
        // damaged or pasted-together text can go back in time, and spans
        // built from these must not end before they start (found by fuzzing).
        firstTimestamp = min(firstTimestamp ?? timestamp, timestamp)
        lastTimestamp = max(lastTimestamp ?? timestamp, timestamp)
        baselines.observe(slot: kind.baseline, context)
        if !(cpu >= 0 && cpu < taskOnCPU.count && taskOnCPU[cpu] == pid) { placed(pid, comm: comm(), on: cpu) }
    }

    /// `pid`'s task now has `cpu`: the fast path of `counted` may skip it
    /// there, and nowhere else.
    private func placed(_ pid: Int32, comm: @autoclosure () -> String, on cpu: Int) {
        sched.task(pid, comm: comm()).cpu = cpu
        guard cpu >= 0 && cpu < SchedTracker.cpuLimit else { return }
        if cpu >= taskOnCPU.count { taskOnCPU += [Int32](repeating: .min, count: cpu + 1 - taskOnCPU.count) }
        for i in taskOnCPU.indices where taskOnCPU[i] == pid { taskOnCPU[i] = .min }
        taskOnCPU[cpu] = pid
    }

    /// The roles `event` plays, applied.
    /// `known`: what the event's address binds, when the caller has looked.
    private func bind(_ event: TraceEvent, kind: EventKind, known: EventKind.AddressBindings? = nil) {
        if !kind.fieldsChecked { checkRulesFields(event, kind: kind) }
        let key = kind.key
        var candidates = kind.candidates
        var named: String??  // the event's function, when already known
        if let byFunction = kind.byFunction {
            if let known {
                candidates = known.candidates
                named = .some(known.function)
            } else if case .unsigned(let address)? = kind.functionField?.value(0, of: event) {
                let found: EventKind.AddressBindings
                if let known = kind.candidatesByAddress[address] {
                    found = known
                } else {
                    let f = function(of: event, kind: kind)
                    found = EventKind.AddressBindings(candidates: f.flatMap { byFunction[$0] } ?? [], function: f)
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

    /// `functions.function(of:key:)`, with addresses resolved once.
    private func function(of event: TraceEvent, kind: EventKind) -> String? {
        guard let value = kind.functionField?.value(0, of: event) else {
            // A kretprobe names its function in another field, and the same
            // address as its entry probe's: not cached by address.
            return kind.functionField == nil ? nil : functions.function(of: event, key: kind.key)
        }
        let key = kind.key
        guard case .unsigned(let address) = value else { return functions.function(of: event, key: key) }
        if let known = functionsByAddress[address] { return known }
        let name = functions.function(of: event, key: key)
        functionsByAddress[address] = .some(name)
        return name
    }

    public func finish() {
        for o in bus.observers { o.finish(model: self) }
    }

    private func evidence(_ e: TraceEvent) -> EvidenceEvent {
        if current >= 0 && current < kinds.count, case let k = kinds[current], k.key.name == e.name,
           k.key.system == e.system {
            return EvidenceEvent(e, eventName: k.eventName, functions: functions)
        }
        return EvidenceEvent(e, functions: functions)
    }

    // MARK: - sched_switch

    /// The names and `event` are read only when needed (a timeline that
    /// watches switch-outs, a task first seen; a sleeping switch-out).
    private func taskSwitch(_ s: SchedTracker.Switch, prevComm: @autoclosure () -> String,
                            nextComm: @autoclosure () -> String?, cpu: Int, timestamp: UInt64,
                            context: ExecutionContext, baseline: Int, event: @autoclosure () -> TraceEvent) {
        if sched.states.exits(s.state), let task = sched[s.prevPid] {
            invalidations.abandon(task, cause: .taskExited) { _ in true }
        }
        if sched.states.sleeps(s.state) {
            sleep(pid: s.prevPid, how: .switchedOut(state: sched.letters(of: s.state)), context: context,
                  event: event(), key: SchedTracker.schedSwitch, baseline: baseline)
        }
        // Task names are read only for a timeline (an observer of switch-outs).
        let names = bus.listens(.switchedOut)
        if names {
            bus.tell(.switchedOut(pid: s.prevPid, comm: prevComm(), cpu: cpu, timestamp: timestamp))
        }
        sched.switchIn(s.nextPid, comm: names ? nextComm() : nil, cpu: cpu, at: timestamp)
        if s.nextPid >= 0 {
            placed(s.nextPid, comm: nextComm() ?? "<...>", on: cpu)
            // Most switch-ins end nothing an observer has open: asked first,
            // the happening is made and told only to those that need it.
            for o in bus.observers(of: .switchedIn) where o.needsSwitchIn(of: s.nextPid) {
                o.observe(.switchedIn(pid: s.nextPid, cpu: cpu, timestamp: timestamp), model: self)
            }
        }
    }

    /// A task goes to sleep, or shows it is about to. A switch-out is told
    /// only to observers that need it (`ModelObserver.needsSwitchOut`):
    /// most are plain sleeps no rule reads. `event` is made at most once.
    private func sleep(pid: Int32, how: SleepKind, context: ExecutionContext, event: @autoclosure () -> TraceEvent,
                       key: EventKey, baseline: Int) {
        var made: TraceEvent?
        let task: TaskState
        if let known = sched[pid] {
            task = known
        } else {
            let e = event()
            made = e
            task = TaskState(pid: pid, comm: e.comm)
        }
        if case .switchedOut = how {
            let s = SwitchOut(pid: pid, context: context, baselineSlot: baseline, heldLocks: task.heldLocks,
                              openGathers: task.openGathers, openRanges: task.openRanges,
                              contendingFlags: task.contendingFlags)
            if !bus.observers(of: .sleep).contains(where: { $0.needsSwitchOut(s, model: self) }) { return }
        }
        let e = made ?? event()
        bus.tell(.sleep(SleepPoint(pid: pid, comm: task.comm, how: how, eventKey: key, baselineSlot: baseline,
                                   context: context, evidence: evidence(e), openRanges: task.openRanges,
                                   openGathers: task.openGathers, heldLocks: task.heldLocks,
                                   contendingFlags: task.contendingFlags)))
    }

    // MARK: - roles

    /// What an event playing `role` (with the arguments its binding read)
    /// does to the model: the tracker of the role's domain is told.
    private func apply(_ role: Role, _ e: TraceEvent, _ a: RoleArguments, key: EventKey, baseline: Int) {
        // Every event's task is in the table (`counted` put it there).
        let task = sched[e.pid]!
        switch role {
        case .invalidateBegin:
            invalidations.begin(task, channel: key.system, a, evidence: evidence(e))
        case .invalidateEnd:
            invalidations.end(task, channel: key.system, a, evidence: evidence(e))
        case .invalidateResult:
            invalidations.result(task, channel: key.system, a, evidence: evidence(e))
        case .secondaryMap:
            guard let start = a.start, let end = a.end else { return }
            secondary.map(mm: a.mm ?? 0, start: start, end: end, evidence: evidence(e))
        case .secondaryUnmap:
            guard let start = a.start, let end = a.end else { return }
            secondary.unmap(mm: a.mm ?? 0, start: start, end: end, evidence: evidence(e))
        case .tlbGatherBegin:
            gathers.begin(task, evidence: evidence(e))
        case .tlbGatherEnd:
            gathers.end(task, evidence: evidence(e))
        case .lockAcquire:
            locks.acquire(task, a, evidence: evidence(e))
        case .lockRelease:
            locks.release(task, a, evidence: evidence(e))
        case .lockContendBegin:
            locks.contendBegin(task, a, evidence: evidence(e))
            if let flags = a.lockFlags, LockFlags.sleeps(flags) {
                let name = a.lock.map { "0x" + String($0, radix: 16) } ?? "?"
                sleep(pid: e.pid, how: .sleepingLock(name, flags: flags), context: e.context, event: e,
                      key: key, baseline: baseline)
            }
        case .lockContendEnd:
            locks.contendEnd(task, a, evidence: evidence(e))
        case .sleep:
            sleep(pid: e.pid, how: .sleepingFunction(a.label ?? e.name), context: e.context, event: e, key: key,
                  baseline: baseline)
        case .tlbFlush, .pageFree:
            break
        }
    }
}
