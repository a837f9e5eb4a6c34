/// A guest's trace file made in a host/guest session (trace-cmd agent,
/// record -A, attach) holds the TIME_SHIFT option: per guest CPU, samples of
/// the offset (and scaling) from the guest's clock to the host's. trace-cmd
/// report moves every timestamp onto the host clock with them before any
/// other correction (timestamp_calc → timestamp_host_sync in
/// lib/trace-cmd/trace-input.c), so the dump does too, the same way.
struct GuestClockSync: Sendable, Equatable {
    struct Sample: Sendable, Equatable {
        var time: Int64
        var offset: Int64
        var scaling: Int64
        /// Fraction bits of `scaling` (0 when the option has none).
        var fraction: Int64 = 0
    }

    /// TRACECMD_TSYNC_FLAG_INTERPOLATE: the offset is interpolated between
    /// two samples, else the earlier sample's offset holds.
    var interpolates: Bool
    /// Per CPU, sorted by time, no two with the same time.
    var cpus: [[Sample]]

    /// Reads the option's payload (trace-cmd.dat.v7(5), TIME_SHIFT): peer
    /// trace id, flags, CPU count; per CPU a count and that many times,
    /// offsets and scalings; then, if bytes remain, each CPU's fractions.
    /// nil for a payload under 16 bytes (trace-cmd ignores it).
    static func read(_ p: inout ByteCursor) throws -> GuestClockSync? {
        guard p.remaining >= 16 else { return nil }
        _ = try p.readInteger(as: UInt64.self, "TIME_SHIFT peer trace id")
        let flags = try p.readInteger(as: UInt32.self, "TIME_SHIFT flags")
        let cpuCount = Int(try p.readInteger(as: UInt32.self, "TIME_SHIFT cpu count"))
        guard cpuCount <= p.remaining / 4 else { throw p.error("TIME_SHIFT: \(cpuCount) CPUs do not fit the option") }
        var cpus: [[Sample]] = []
        for _ in 0..<cpuCount {
            let count = Int(try p.readInteger(as: UInt32.self, "TIME_SHIFT sample count"))
            guard count <= p.remaining / 24 else { throw p.error("TIME_SHIFT: \(count) samples do not fit the option") }
            let times = try (0..<count).map { _ in try p.readInteger(as: Int64.self, "TIME_SHIFT time") }
            let offsets = try (0..<count).map { _ in try p.readInteger(as: Int64.self, "TIME_SHIFT offset") }
            let scalings = try (0..<count).map { _ in try p.readInteger(as: Int64.self, "TIME_SHIFT scaling") }
            cpus.append((0..<count).map { Sample(time: times[$0], offset: offsets[$0], scaling: scalings[$0]) })
        }
        if p.remaining > 0 {
            for c in cpus.indices {
                for s in cpus[c].indices { cpus[c][s].fraction = try p.readInteger(as: Int64.self, "TIME_SHIFT fraction") }
            }
        }
        // tsync_cpu_offsets_load: sorted by time, one sample per time.
        for c in cpus.indices {
            var seen: Int64?
            cpus[c] = cpus[c].sorted { $0.time < $1.time }.filter { s in
                defer { seen = s.time }
                return s.time != seen
            }
        }
        return GuestClockSync(interpolates: flags & 1 != 0, cpus: cpus)
    }

    /// `ts` of guest CPU `cpu` on the host's clock (timestamp_host_sync).
    func hostTime(_ ts: UInt64, cpu: Int) -> UInt64 {
        guard cpu >= 0, cpu < cpus.count else { return ts }
        let s = cpus[cpu]
        switch s.count {
        case 0: return ts
        case 1: return ts &+ UInt64(bitPattern: s[0].offset)
        case 2: return corrected(ts, s[0], s[1])
        default: break
        }
        // The C compares the unsigned timestamp with the signed times as
        // unsigned numbers.
        if ts <= UInt64(bitPattern: s[0].time) { return corrected(ts, s[0], s[1]) }
        if ts >= UInt64(bitPattern: s[s.count - 1].time) { return corrected(ts, s[s.count - 2], s[s.count - 1]) }
        var low = 0, high = s.count - 1, mid = (low + high) / 2
        while low <= high {
            let t = UInt64(bitPattern: s[mid].time)
            if ts < t { high = mid - 1 } else if ts > t { low = mid + 1 } else { break }
            mid = (low + high) / 2
        }
        return corrected(ts, s[mid], s[min(mid + 1, s.count - 1)])
    }

    /// timestamp_correction_calc: scale, then add the (interpolated) offset.
    private func corrected(_ ts: UInt64, _ a: Sample, _ b: Sample) -> UInt64 {
        var correction = a.offset
        let delta = b.time &- a.time
        if interpolates, delta != 0 {
            let along = (Int64(bitPattern: ts) &- a.time) &* (b.offset &- a.offset)
            let (step, overflow) = (along &+ delta / 2).dividedReportingOverflow(by: delta)
            if !overflow { correction = a.offset &+ step }
        }
        let scaled = (ts &* UInt64(bitPattern: a.scaling)) >> UInt64(truncatingIfNeeded: max(0, a.fraction))
        return correction < 0 ? scaled &- correction.magnitude : scaled &+ UInt64(correction)
    }
}
