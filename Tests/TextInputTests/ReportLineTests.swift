import XCTest
@testable import TraceInput

/// Single-line parsing. Every line is copied from `trace-cmd report` output
/// of the early capture fixtures/traces/events-bug0/trace.dat (trace-cmd
/// 3.1.6, libtraceevent 1.7.1, Linux 6.1).
final class ReportLineTests: XCTestCase {
    private func head(_ line: String) -> (EventLineHead, [UInt8])? {
        let b = Array(line.utf8)
        guard let h = EventLine.parseHead(b, 0..<b.count) else { return nil }
        return (h, b)
    }

    private func fields(_ kind: WellKnownEvent, _ payload: String) -> [String: FieldValue] {
        let pairs = TextFieldDecoder(kind: kind, payload: Array(payload.utf8)).decode()
        return Dictionary(pairs, uniquingKeysWith: { a, _ in a })
    }

    func testDefaultColumns() throws {
        // report (default)
        let (h, b) = try XCTUnwrap(head("          <idle>-0     [000]     5.642159: sched_waking:         comm=ksoftirqd/0 pid=14 prio=120 target_cpu=000"))
        XCTAssertEqual(b.string(h.commStart, h.commEnd), "<idle>")
        XCTAssertEqual(h.pid, 0)
        XCTAssertEqual(h.cpu, 0)
        XCTAssertEqual(h.timestamp, 5_642_159_000)
        XCTAssertEqual(h.timestampDigits, 6)
        XCTAssertFalse(h.context.isKnown)
        XCTAssertEqual(b.string(h.bodyStart, b.count).prefix(13), "sched_waking:")
    }

    func testNanosecondTimestamp() throws {
        // report -t
        let (h, _) = try XCTUnwrap(head("        workload-115   [001]     5.629343380: tlb_flush:            pages=-1 reason=flush on task switch (0)"))
        XCTAssertEqual(h.timestamp, 5_629_343_380)
        XCTAssertEqual(h.timestampDigits, 9)
        XCTAssertEqual(h.pid, 115)
        XCTAssertEqual(h.cpu, 1)
    }

    func testLatencyColumns() throws {
        // report -l: "%8.8s-%-5d %3d" then the flags
        let (h, b) = try XCTUnwrap(head("  <idle>-0       0dNh2.     5.672365: sched_wakeup:         khugepaged:35 [139] CPU:000"))
        XCTAssertEqual(b.string(h.commStart, h.commEnd), "<idle>")
        XCTAssertEqual(h.cpu, 0)
        XCTAssertEqual(h.style, .latencyCPU)
        // libtraceevent prints 'N' for TRACE_FLAG_NEED_RESCHED alone.
        XCTAssertEqual(h.context.flags, [.irqsOff, .needResched, .hardirq])
        XCTAssertEqual(h.context.preemptDepth, 2)
        let (s, _) = try XCTUnwrap(head("  <idle>-0       0d.s3.     5.642159: sched_waking:         comm=ksoftirqd/0 pid=14 prio=120 target_cpu=000"))
        XCTAssertEqual(s.context.flags, [.irqsOff, .softirq])
        XCTAssertEqual(s.context.preemptCount, 3)
    }

    func testSchedSwitchBothShapes() {
        // report -N: the kernel's print format, "R+" = preempted (0x100)
        let k = fields(.schedSwitch, "prev_comm=workload prev_pid=115 prev_prio=120 prev_state=R+ ==> next_comm=rcu_preempt next_pid=15 next_prio=120")
        XCTAssertEqual(k["prev_comm"], .string("workload"))
        XCTAssertEqual(k["prev_pid"]?.int64, 115)
        XCTAssertEqual(k["prev_state"]?.int64, 0x100)
        XCTAssertEqual(k["next_comm"], .string("rcu_preempt"))
        XCTAssertEqual(k["next_prio"]?.int64, 120)
        // report: plugin_sched_switch's shape
        let p = fields(.schedSwitch, "workload:115 [120] D ==> swapper/1:0 [120]")
        XCTAssertEqual(p["prev_state"]?.int64, 2)
        XCTAssertEqual(p["next_comm"], .string("swapper/1"))
        XCTAssertEqual(p["next_pid"]?.int64, 0)
    }

    func testWakeupBothShapes() {
        let k = fields(.schedWakeup, "comm=ksoftirqd/0 pid=14 prio=120 target_cpu=000")
        XCTAssertEqual(k["comm"], .string("ksoftirqd/0"))
        XCTAssertEqual(k["target_cpu"]?.int64, 0)
        let p = fields(.schedWakeup, "khugepaged:35 [139] CPU:000")
        XCTAssertEqual(p["comm"], .string("khugepaged"))
        XCTAssertEqual(p["pid"]?.int64, 35)
        XCTAssertEqual(p["prio"]?.int64, 139)
        XCTAssertEqual(p["target_cpu"]?.int64, 0)
    }

    func testTlbFlushBothShapes() {
        for text in ["pages:-1 reason:flush on task switch (0)", "pages=-1 reason=flush on task switch (0)"] {
            let f = fields(.tlbFlush, text)
            XCTAssertEqual(f["reason"]?.int64, 0, text)
            XCTAssertEqual(f["pages"]?.int64, -1, text)
        }
    }

    func testContentionAndPageFree() {
        let b = fields(.contentionBegin, "0xffffffff82a06080 (flags=SPIN|READ)")
        XCTAssertEqual(b["lock_addr"]?.uint64, 0xffffffff82a06080)
        XCTAssertEqual(b["flags"]?.uint64, 3)
        let e = fields(.contentionEnd, "0xffffffff82a06080 (ret=0)")
        XCTAssertEqual(e["ret"]?.int64, 0)
        let m = fields(.mmPageFree, "page=0xffffffff8241c576 pfn=0x6e46 order=0")
        XCTAssertEqual(m["pfn"]?.uint64, 0x6e46)
        XCTAssertEqual(m["order"]?.uint64, 0)
        XCTAssertNil(m["page"])
    }

    func testGenericKeyValues() {
        // a module's event (mmu_notifier test module): invalidate_start
        let pairs = PayloadFields.parse(Array("mm=0xffff8880057dd680 start=0x7f8ce1824000 end=0x7f8ce1830000 event=0 blockable=1".utf8), 0, 80)
        XCTAssertEqual(pairs.map(\.0), ["mm", "start", "end", "event", "blockable"])
        XCTAssertEqual(pairs[0].1, .unsigned(0xffff8880057dd680))
        XCTAssertEqual(pairs[3].1, .signed(0))
    }

    func testDroppedAndLostLines() {
        func classify(_ s: String) -> TextLine {
            let b = Array(s.utf8)
            return LineClassifier.classify(b, 0..<b.count)
        }
        // drops-bug0/report.txt (8 KB buffer overwritten, saved with trace-cmd extract)
        guard case .lost(let c1, let n1) = classify("CPU:0 [364 EVENTS DROPPED]"), c1 == 0, n1 == 364 else {
            return XCTFail("dropped line")
        }
        // tracefs-lost-bug0/trace-pipe.txt (8 KB buffer read by trace_pipe)
        guard case .lost(0, 232?) = classify("CPU:0 [LOST 232 EVENTS]") else { return XCTFail("lost line") }
        // No capture has this one: trace-cmd prints it (trace-read.c) when
        // a page lost events but had no room to store how many.
        guard case .lost(0, nil) = classify("CPU:0 [EVENTS DROPPED]") else { return XCTFail("dropped, no count") }
        guard case .cpuCount(2) = classify("cpus=2") else { return XCTFail("cpus") }
    }

    func testTimestampsAreExact() {
        func ts(_ s: String) -> UInt64? {
            let b = Array(s.utf8)
            return TextTimestamp.parse(b, 0, b.count)?.ns
        }
        XCTAssertEqual(ts("5.629343"), 5_629_343_000)
        XCTAssertEqual(ts("5.629343380"), 5_629_343_380)
        XCTAssertEqual(ts("18446744073.709551615"), 18_446_744_073_709_551_615)
        XCTAssertNil(ts("18446744074.000000"))
        XCTAssertNil(ts("5.1234567890"))
        // Raw clock counts (no dot), up to the last the parser takes.
        XCTAssertEqual(ts("5"), 5)
        XCTAssertEqual(ts("1844674407370955161"), 1_844_674_407_370_955_161)
        XCTAssertNil(ts("18446744073709551615"))
        XCTAssertNil(ts(".5"))
        XCTAssertNil(ts("5."))
        XCTAssertNil(ts("5.12a"))
    }

    func testDecimalsAtTheirLimits() {
        func dec(_ s: String) -> UInt64? {
            let b = Array(s.utf8)
            return b.parseDecimal(0, b.count)
        }
        XCTAssertEqual(dec("999999999999999999"), 999_999_999_999_999_999)      // 18 digits
        XCTAssertEqual(dec("9999999999999999999"), 9_999_999_999_999_999_999)   // 19
        XCTAssertEqual(dec("18446744073709551615"), UInt64.max)
        XCTAssertNil(dec("18446744073709551616"))
        XCTAssertNil(dec("99999999999999999999"))
        XCTAssertNil(dec("12x"))
        XCTAssertNil(dec(""))
    }
}

/// function, function_graph and kprobe lines, copied from the captures'
/// report.txt / report-N.txt (fixtures/traces/{function-bug0,graph-bug3,kprobe-bug0}).
final class ReportFunctionLineTests: XCTestCase {
    private func graph(_ s: String) -> FuncGraphLine? {
        let b = Array(s.utf8)
        return FuncGraphLines.parse(b, 0, b.count)
    }

    func testGraphPrinterShapes() {
        // graph-bug3/report.txt, after "funcgraph_entry:" / "funcgraph_exit:"
        guard case .entry("__mmu_notifier_invalidate_range_start", 0)? =
                graph("                  |  __mmu_notifier_invalidate_range_start() {") else { return XCTFail("entry") }
        guard case .leaf("__srcu_read_lock", 1, 36_645?)? =
                graph("     + 36.645 us  |    __srcu_read_lock();") else { return XCTFail("leaf with + mark") }
        guard case .leaf("_raw_spin_lock", 2, 1_492?)? =
                graph("       1.492 us   |      _raw_spin_lock();") else { return XCTFail("leaf") }
        guard case .exit(nil, 1, 131_987?)? = graph("      ! 131.987 us |    }") else { return XCTFail("exit with ! mark") }
    }

    func testGraphRawShapes() {
        // graph-bug3/report-N.txt
        guard case .entry("__srcu_read_lock", 1)? = graph("     --> __srcu_read_lock (1)") else { return XCTFail("-N entry") }
        guard case .rawExit("__srcu_read_lock", 1, 0x1cc0e99336, 0x1cc0ea225b)? =
                graph("     <-- __srcu_read_lock (1) (start: 1cc0e99336  end: 1cc0ea225b) over: 1") else {
            return XCTFail("-N exit")
        }
    }

    func testGraphExitNamesComeFromTheOpenEntry() {
        var state = FuncGraphState()
        state.enter(cpu: 0, depth: 0, func_: "__mmu_notifier_invalidate_range_start")
        state.enter(cpu: 0, depth: 1, func_: "demo_invalidate_range_start")
        XCTAssertEqual(state.exit(cpu: 0, depth: 1), "demo_invalidate_range_start")
        XCTAssertEqual(state.exit(cpu: 0, depth: 0), "__mmu_notifier_invalidate_range_start")
        XCTAssertNil(state.exit(cpu: 1, depth: 0))
    }

    func testFunctionEventShapes() {
        // function-bug0/report.txt (plugin: indented, no parent) and report-N.txt
        let plugin = Dictionary(FunctionFields.functionEvent("   unmap_single_vma")!, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(plugin["ip"], .string("unmap_single_vma"))
        XCTAssertEqual(plugin["ip_sym"], .string("unmap_single_vma"))
        XCTAssertNil(plugin["parent_ip"])
        let raw = Dictionary(FunctionFields.functionEvent("unmap_single_vma <-- unmap_vmas")!, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(raw["parent_ip"], .string("unmap_vmas"))
        XCTAssertEqual(raw["parent_ip_sym"], .string("unmap_vmas"))
    }

    func testKprobeShapes() {
        // kprobe-bug0/report.txt: trace-cmd prints the probe address in hex
        let p = Dictionary(OtherFields.kprobe(Array("(ffffffff81320eb0) range=0xffffc90000403860 mm=0xffff888004862400 start=0x7f66f2deb000 end=0x7f66f2df0000 flags=1 event=0".utf8)),
                           uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(p["__probe_ip"], .unsigned(0xffffffff81320eb0))
        XCTAssertEqual(p["range"], .unsigned(0xffffc90000403860))
        XCTAssertEqual(p["event"]?.int64, 0)
        let r = Dictionary(OtherFields.kprobe(Array("(ffffffff81320eb0 <- ffffffff812cc359) ret=0".utf8)),
                           uniquingKeysWith: { a, _ in a })
        // the format's "(%lx <- %lx)" prints __probe_func first
        XCTAssertEqual(r["__probe_func"], .unsigned(0xffffffff81320eb0))
        XCTAssertEqual(r["__probe_ret_ip"], .unsigned(0xffffffff812cc359))
        XCTAssertEqual(r["ret"]?.int64, 0)
    }
}

/// tracefs `trace` columns, from the captures' own files
/// (fixtures/traces/tracefs-function-bug0: function tracer + events).
final class TracefsLayoutTests: XCTestCase {
    private func head(_ line: String) throws -> (EventLineHead, [UInt8]) {
        let b = Array(line.utf8)
        return (try XCTUnwrap(EventLine.parseHead(b, 0..<b.count), line), b)
    }

    func testTgidColumnAndFunctionTracer() throws {
        // trace-tgid.txt.gz (options/record-tgid on)
        let (h, b) = try head("            init-1       (      1) [001] .....    15.936542: copy_page_range <-dup_mmap")
        XCTAssertEqual(b.string(h.commStart, h.commEnd), "init")
        XCTAssertEqual(h.pid, 1)
        XCTAssertEqual(h.tgid, 1)
        XCTAssertEqual(h.cpu, 1)
        XCTAssertEqual(h.context.flags, [])
        XCTAssertEqual(h.context.preemptCount, 0)
        XCTAssertTrue(h.context.isKnown)
        XCTAssertEqual(h.timestamp, 15_936_542_000)
        XCTAssertTrue(FunctionTracerLine.isFunctionLine(b, h.bodyStart, b.count))
        let f = Dictionary(FunctionFields.functionEvent(b.string(h.bodyStart, b.count))!, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(f["ip"], .string("copy_page_range"))
        XCTAssertEqual(f["parent_ip"], .string("dup_mmap"))
        // trace-tgid.txt.gz: a task whose tgid was not recorded
        let (u, _) = try head("          <idle>-0       (-------) [001] d.s3.    15.959253: sched_waking: comm=rcu_preempt pid=15 prio=120 target_cpu=001")
        XCTAssertNil(u.tgid)
        XCTAssertEqual(u.pid, 0)
        XCTAssertEqual(u.context.flags, [.irqsOff, .softirq])
        XCTAssertEqual(u.context.preemptDepth, 3)
    }

    func testWithoutLatencyColumns() throws {
        // trace-noirqinfo.txt.gz (options/irq-info off)
        let (h, b) = try head("          <idle>-0       [000]     15.943386: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=init next_pid=142 next_prio=120")
        XCTAssertEqual(h.pid, 0)
        XCTAssertEqual(h.cpu, 0)
        XCTAssertFalse(h.context.isKnown)
        XCTAssertEqual(h.timestamp, 15_943_386_000)
        XCTAssertEqual(b.string(h.bodyStart, b.count).prefix(13), "sched_switch:")
    }

    func testFourCharacterFlags() throws {
        // Kernels before 5.13 print 4 flag columns (no migrate-disable);
        // the captures' 6.1 kernel cannot. Quoted from real tracefs output
        // posted in a public kernel bug report (function tracer, record-tgid on).
        let (h, b) = try head("           <...>-13267   (-------) [034] d... 6368755.192329: check_cfs_rq_runtime <-put_prev_entity")
        XCTAssertEqual(b.string(h.commStart, h.commEnd), "<...>")
        XCTAssertEqual(h.pid, 13267)
        XCTAssertNil(h.tgid)
        XCTAssertEqual(h.cpu, 34)
        XCTAssertEqual(h.context.flags, [.irqsOff])
        XCTAssertEqual(h.context.preemptCount, 0)
        XCTAssertEqual(h.timestamp, 6_368_755_192_329_000)
    }
}

/// The function_graph tracer's own tracefs lines, from
/// fixtures/traces/tracefs-graph-bug0 (trace-graph.txt: default columns;
/// trace-graph-proc.txt.gz: funcgraph-proc, funcgraph-abstime, latency-format).
final class FuncGraphTracerLineTests: XCTestCase {
    private func parse(_ s: String, _ tasks: inout FuncGraphTracerLine.Tasks) -> FuncGraphTracerLine? {
        let b = Array(s.utf8)
        return FuncGraphTracerLine.parse(b, 0..<b.count, tracker: &tasks)
    }

    func testCallLinesDepthAndTaskSwitch() throws {
        var tasks = FuncGraphTracerLine.Tasks()
        // trace-graph.txt, lines 6 and 12: overhead marks, before CPU 0's
        // first task-switch marker
        let plus = try XCTUnwrap(parse(" 0) + 34.085 us   |    __srcu_read_lock();", &tasks)?.event)
        guard case .leaf("__srcu_read_lock", 1, 34_085?) = plus.line else { return XCTFail("\(plus.line)") }
        let bang = try XCTUnwrap(parse(" 0) ! 390.132 us  |  }", &tasks)?.event)
        guard case .exit(nil, 0, 390_132?) = bang.line else { return XCTFail("\(bang.line)") }
        XCTAssertNil(bang.task, "CPU 0 has had no task-switch marker yet")
        XCTAssertNil(bang.timestamp)
        // trace-graph.txt, lines 1264-1272
        XCTAssertNil(try XCTUnwrap(parse(" 0)  workloa-159   =>   oom_rea-31  ", &tasks)).event)
        let entry = try XCTUnwrap(parse(" 0)               |  __mmu_notifier_invalidate_range_start() {", &tasks)?.event)
        XCTAssertEqual(entry.cpu, 0)
        // The marker said who runs on CPU 0 from here on.
        XCTAssertEqual(entry.task?.pid, 31)
        XCTAssertEqual(entry.task?.comm, "oom_rea")
        guard case .entry("__mmu_notifier_invalidate_range_start", 0) = entry.line else { return XCTFail("\(entry.line)") }
        let module = try XCTUnwrap(parse(" 0)               |    demo_invalidate_range_start [mmaudit_demo]() {", &tasks)?.event)
        guard case .entry("demo_invalidate_range_start", 1) = module.line else { return XCTFail("\(module.line)") }
        let leaf = try XCTUnwrap(parse(" 0)   1.152 us    |      _raw_spin_lock();", &tasks)?.event)
        guard case .leaf("_raw_spin_lock", 2, 1152?) = leaf.line else { return XCTFail("\(leaf.line)") }
        let exit = try XCTUnwrap(parse(" 0)   8.148 us    |    }", &tasks)?.event)
        guard case .exit(nil, 1, 8148?) = exit.line else { return XCTFail("\(exit.line)") }
        XCTAssertEqual(exit.task?.pid, 31)
    }

    func testProcAbstimeAndLatencyColumns() throws {
        var tasks = FuncGraphTracerLine.Tasks()
        // trace-graph-proc.txt.gz, lines 19, 21, 22:
        // "abstime | cpu) comm-pid | flags | duration | call"
        let entry = try XCTUnwrap(parse("   27.385929 |   0)  workloa-159   |  ...1. |               |    demo_invalidate_range_start [mmaudit_demo]() {", &tasks))
        let e = try XCTUnwrap(entry.event)
        XCTAssertEqual(e.timestamp, 27_385_929_000)
        XCTAssertEqual(e.cpu, 0)
        XCTAssertEqual(e.task?.pid, 159)
        XCTAssertEqual(e.task?.comm, "workloa")
        XCTAssertEqual(entry.context.preemptDepth, 1)
        XCTAssertEqual(entry.context.flags, [])
        guard case .entry("demo_invalidate_range_start", 1) = e.line else { return XCTFail("\(e.line)") }
        let leaf = try XCTUnwrap(parse("   27.385971 |   0)  workloa-159   |  ...2. |   1.122 us    |      _raw_spin_unlock();", &tasks))
        XCTAssertEqual(leaf.context.preemptDepth, 2)
        guard case .leaf("_raw_spin_unlock", 2, 1122?)? = leaf.event?.line else { return XCTFail("\(String(describing: leaf.event))") }
        let exit = try XCTUnwrap(parse("   27.385982 |   0)  workloa-159   |  ..... | + 53.408 us   |    }", &tasks))
        guard case .exit(nil, 1, 53_408?)? = exit.event?.line else { return XCTFail("\(String(describing: exit.event))") }
        XCTAssertEqual(exit.context.preemptCount, 0)
    }

    func testReaderAcceptsTheHeader() {
        // trace-graph.txt's first lines are headers.
        for line in ["# tracer: function_graph", "# CPU  DURATION                  FUNCTION CALLS"] {
            XCTAssertTrue(TextSniffer.looksLikeText(Array((line + "\n").utf8), isWholeFile: true), line)
        }
    }
}
