import NativeBindings

/// `mmaudit dump` of a text trace: every item in `trace-cmd report -R`'s
/// layout ("comm-pid [cpu] secs.usecs: name: field=value ..."), printing
/// the fields as parsed, so what a user sees is what the analyses get.
public enum TextDump {
    public static func write(_ reader: TextTraceReader, options: DumpOptions, to out: OutputBuffer) throws {
        out.append("cpus=\(reader.info.cpus)\n")
        let filter = options.filter
        options.extent?.cpuCount = reader.info.cpus
        let patterns = options.events?.map(EventPattern.init)
        while let item = try reader.next() {
            switch item {
            case .lost(let l):
                if !filter.includes(cpu: l.cpu) { continue }
                out.append(l.count.map { "CPU:\(l.cpu) [\($0) EVENTS DROPPED]\n" } ?? "CPU:\(l.cpu) [EVENTS DROPPED]\n")
            case .event(let e):
                if let extent = options.extent {
                    extent.see(timestamp: e.timestamp)
                    extent.cpuCount = max(extent.cpuCount, e.cpu + 1)
                    if filter.choosesTasks { extent.tasks[e.pid] = e.comm }
                    if options.events != nil { extent.events.insert(EventPattern.shownName(system: e.system, name: e.name)) }
                }
                if !filter.includes(timestamp: e.timestamp, cpu: e.cpu, pid: e.pid, comm: e.comm) { continue }
                if let patterns, !patterns.contains(where: { $0.matches(system: e.system, name: e.name) }) { continue }
                out.append(line(e))
            }
        }
        try out.flush()
    }

    static func line(_ e: TraceEvent) -> String {
        let comm = String(repeating: " ", count: max(0, 16 - e.comm.count)) + e.comm
        let pid = String(e.pid) + String(repeating: " ", count: max(0, 5 - String(e.pid).count))
        let cpu = String(e.cpu)
        let cpuField = String(repeating: "0", count: max(0, 3 - cpu.count)) + cpu
        let us = (e.timestamp + 500) / 1000
        let frac = String(us % 1_000_000)
        let ts = "\(us / 1_000_000)." + String(repeating: "0", count: 6 - frac.count) + frac
        var s = "\(comm)-\(pid) [\(cpuField)] \(ts): \(e.name):"
        s += String(repeating: " ", count: max(1, 21 - e.name.count))
        var first = true
        for name in e.fields.names {
            guard let v = e.fields[name] else { continue }
            if !first { s += " " }
            first = false
            switch v {
            case .signed(let n): s += "\(name)=\(n)"
            case .unsigned(let n): s += "\(name)=0x\(String(n, radix: 16))"
            case .string(let t): s += "\(name)=\(t)"
            case .bytes(let b): s += "\(name)=\(b.map { String($0, radix: 16) }.joined(separator: ","))"
            }
        }
        return s + "\n"
    }
}

/// stats and dump of ftrace text: one pass each over the lines (stats in
/// parts on every core for a large plain file). Buffer instances are a
/// trace.dat notion: text has one stream.
extension TextTraceReader: TraceFileReader {
    public func statistics(instance: String?) throws -> (statistics: TraceStatistics, skipped: String?) {
        (try TraceStatistics.collect(text: self), unparsedLinesNote)
    }

    public func dump(options: DumpOptions, to out: OutputBuffer) throws -> String? {
        try TextDump.write(self, options: options, to: out)
        return unparsedLinesNote
    }

    /// Lines that could not be parsed were skipped: said on stderr.
    var unparsedLinesNote: String? {
        let damage = self.damage
        return damage.unparsedLines > 0 ? damage.skippedNote(damage.unparsedLines, "unparsed line(s)") : nil
    }
}
