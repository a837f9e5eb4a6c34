import Foundation
import XCTest
import TestSupport
import TraceInput
import Checks

/// `mmaudit record` on the BTF of real kernels (fixtures/btf: Debian's 6.1
/// and 6.12 images, extracted by fixtures/capture/tools/range-layout and
/// reduced by btf-reduce to the types record reads and every function's
/// name): the layouts the BTF reader finds are pahole's, and the kprobes
/// fetch there.
final class RecordBTFTests: XCTestCase {
    static let btfRoot = FixtureFiles.directory.appendingPathComponent("btf")
    static let kernels = ["6.1.0-57-amd64", "6.12.118+deb12-amd64"]

    static func btf(_ release: String) -> String {
        btfRoot.appendingPathComponent(release).appendingPathComponent("vmlinux.btf.zst").path
    }

    /// One member line of pahole's struct output: "\tTYPE NAME[:BITS][[N]]; /* OFF[:BIT] SIZE */".
    struct PaholeMember: Equatable {
        var name: String, type: String, offset: UInt32, bit: UInt32?, size: UInt32
    }

    static func parsePahole(_ text: String, _ structName: String) -> [PaholeMember] {
        guard let start = text.range(of: "struct \(structName) {\n") else { return [] }
        let body = text[start.upperBound...].prefix { _ in true }
        var out: [PaholeMember] = []
        let member = try! NSRegularExpression(
            pattern: #"^\t(.+?)\s+(\w+)(?::\d+)?(?:\[\d+\])?;\s+/\*\s+(\d+)(?::\s*(\d+))?\s+(\d+)\s+\*/$"#)
        for line in body.split(separator: "\n") {
            if line.hasPrefix("}") { break }
            let s = String(line)
            guard let m = member.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { continue }
            func group(_ i: Int) -> String? { Range(m.range(at: i), in: s).map { String(s[$0]) } }
            out.append(PaholeMember(name: group(2)!, type: group(1)!, offset: UInt32(group(3)!)!,
                                    bit: group(4).flatMap { UInt32($0) }, size: UInt32(group(5)!)!))
        }
        return out
    }

    /// The reader's layout in pahole's terms: a bitfield's offset is its
    /// storage unit's, and its bit the position in that unit.
    static func asPahole(_ layout: StructLayout) -> [PaholeMember] {
        layout.members.map { m in
            var type = m.typeName, bit: UInt32? = nil, offset = m.byteOffset
            if let bracket = type.firstIndex(of: "["), type.hasSuffix("]") { type = String(type[..<bracket]) }
            if m.isBitfield {
                offset = m.bitOffset / (m.size * 8) * m.size
                bit = m.bitOffset - offset * 8
            }
            return PaholeMember(name: m.name, type: type.trimmingCharacters(in: .whitespaces), offset: offset,
                                bit: bit, size: m.size)
        }
    }

    /// pahole on the very file the reader read, decompressed.
    func paholeOutput(_ release: String) throws -> String {
        let zst = Self.btf(release)
        let raw = ExternalTools.temporaryFile("\(release).btf")
        let unzstd = try ExternalTools.run("zstd", ["-d", "-q", "-f", zst, "-o", raw])
        XCTAssertEqual(unzstd.status, 0, unzstd.stderr)
        let r = try ExternalTools.run("pahole", ["-F", "btf", "-C", "mmu_notifier_range,mmu_gather", raw])
        if r.status == 127 || r.stderr.contains("No such file") {
            XCTFail("pahole (Debian dwarves) is missing: scripts/test installs it")
        }
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout
    }

    func testReaderFindsPaholesLayouts() throws {
        for release in Self.kernels {
            let btf = try BTFFile(path: Self.btf(release))
            let pahole = try paholeOutput(release)
            // The committed text is pahole on the kernel image's own BTF
            // (range-layout): the fixture is that BTF.
            let fromImage = try String(contentsOf: Self.btfRoot.appendingPathComponent(release)
                .appendingPathComponent("range-layout.txt"), encoding: .utf8)
            for name in ["mmu_notifier_range", "mmu_gather"] {
                let expected = Self.parsePahole(pahole, name)
                XCTAssertGreaterThan(expected.count, 5, "\(release) \(name): pahole printed \(pahole)")
                XCTAssertEqual(Self.parsePahole(fromImage, name), expected, "\(release) \(name)")
                let layout = try XCTUnwrap(btf.structLayout(name), "\(release) \(name)")
                XCTAssertEqual(Self.asPahole(layout), expected, "\(release) \(name)")
                let size = try XCTUnwrap(pahole.range(of: #"/\* size: (\d+),"#, options: .regularExpression,
                                                      range: pahole.range(of: "struct \(name) {")!.upperBound..<pahole.endIndex))
                XCTAssertEqual("/* size: \(layout.size),", String(pahole[size]), "\(release) \(name)")
            }
        }
    }

    /// The same BTF in big-endian byte order (written by the fixtures'
    /// btf-reduce): the magic decides, and the layouts are the same.
    func testBigEndianBTFReadsAlike() throws {
        for release in Self.kernels {
            let big = ExternalTools.temporaryFile("\(release)-be.btf")
            let tool = FixtureFiles.directory.appendingPathComponent("capture/tools/btf-reduce").path
            let r = try ExternalTools.run(tool, [Self.btf(release), big, "--big-endian"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let little = try BTFFile(path: Self.btf(release)), swapped = try BTFFile(path: big)
            XCTAssertEqual(little.endianness, .little)
            XCTAssertEqual(swapped.endianness, .big)
            for name in ["mmu_notifier_range", "mmu_gather"] {
                XCTAssertEqual(swapped.structLayout(name), little.structLayout(name), "\(release) \(name)")
            }
            XCTAssertEqual(swapped.functionNames, little.functionNames)
            XCTAssertGreaterThan(little.functionNames.count, 40_000)
        }
    }

    func testRangeFieldsMoveBetweenKernels() throws {
        // What the issue found with pahole: 6.12 dropped `vma`, so mm
        // moved from +8 to +0; flags stayed a u32 and event a 4-byte enum.
        let old = try XCTUnwrap(BTFFile(path: Self.btf("6.1.0-57-amd64")).structLayout("mmu_notifier_range"))
        let new = try XCTUnwrap(BTFFile(path: Self.btf("6.12.118+deb12-amd64")).structLayout("mmu_notifier_range"))
        XCTAssertEqual(RangeFetch.fields.map { old.member($0)?.byteOffset }, [8, 16, 24, 32, 36])
        XCTAssertEqual(RangeFetch.fields.map { new.member($0)?.byteOffset }, [0, 8, 16, 24, 28])
        XCTAssertNil(new.member("vma"))
        XCTAssertEqual(new.member("flags").flatMap(RangeFetch.fetchType), "u32")
        XCTAssertEqual(new.member("mm").flatMap(RangeFetch.fetchType), "x64")
    }

    /// `record --print --btf` for each kernel: the range kprobes fetch
    /// through $arg1 at pahole's offsets, the kretprobe carries the return
    /// value, the secondary-TLB hook is the one that kernel has, lockdep's
    /// events (Debian builds without lockdep) are left out, and the script
    /// removes its kprobes on any exit.
    func testPrintWithBTFFollowsEachKernel() throws {
        let hooks = ["6.1.0-57-amd64": "__mmu_notifier_invalidate_range",
                     "6.12.118+deb12-amd64": "__mmu_notifier_arch_invalidate_secondary_tlbs"]
        for release in Self.kernels {
            let r = try ExternalTools.mmaudit(["record", "--print", "--btf", Self.btf(release), "--", "/workload"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let members = Self.parsePahole(try paholeOutput(release), "mmu_notifier_range")
            func at(_ f: String) throws -> UInt32 { try XCTUnwrap(members.first { $0.name == f }).offset }
            let fetch = "mm=+\(try at("mm"))($arg1):x64 start=+\(try at("start"))($arg1):x64 "
                + "end=+\(try at("end"))($arg1):x64 flags=+\(try at("flags"))($arg1):u32 event=+\(try at("event"))($arg1):u32"
            let lines = r.stdout.split(separator: "\n").map(String.init)
            for (name, function) in [("mmaudit_inv_start", "__mmu_notifier_invalidate_range_start"),
                                     ("mmaudit_inv_end", "__mmu_notifier_invalidate_range_end")] {
                XCTAssertTrue(lines.contains("echo 'p:kprobes/\(name) \(function) \(fetch)' >> \"$probes\""),
                              "\(release): \(r.stdout)")
            }
            XCTAssertTrue(lines.contains("echo 'r:kprobes/mmaudit_inv_start_ret __mmu_notifier_invalidate_range_start "
                                         + "ret=$retval:s32' >> \"$probes\""), r.stdout)
            XCTAssertTrue(lines.contains("echo 'p:kprobes/mmaudit_secondary_tlb \(hooks[release]!) "
                                         + "mm=$arg1:x64 start=$arg2:x64 end=$arg3:x64' >> \"$probes\""), r.stdout)
            XCTAssertFalse(r.stdout.contains("%di"), "no x86 register")
            XCTAssertFalse(r.stdout.contains("-e lock:lock_acquire"), "no lockdep in Debian's kernels")
            XCTAssertTrue(lines.contains("# absent from the kernel's BTF, left out: event lock:lock_acquire"), r.stdout)
            XCTAssertTrue(lines.contains("trap cleanup EXIT"))
            XCTAssertTrue(lines.contains("\techo -:kprobes/mmaudit_inv_start >> \"$probes\" 2>/dev/null || :"))
            let record = try XCTUnwrap(lines.first { $0.hasPrefix("trace-cmd record") })
            for e in ["kprobes:mmaudit_inv_start", "kprobes:mmaudit_inv_end", "kprobes:mmaudit_inv_start_ret",
                      "kprobes:mmaudit_secondary_tlb"] {
                XCTAssertTrue(record.contains("-e \(e) "), record)
            }
        }
    }

    /// The printed script run by a real shell: trace-cmd fails (here: it is
    /// not there), and the trap still removes every kprobe it defined.
    func testPrintedScriptRemovesItsKprobesWhenTraceCmdFails() throws {
        let dir = ExternalTools.temporaryFile("script-tracefs")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "".write(toFile: dir + "/kprobe_events", atomically: true, encoding: .utf8)
        let r = try ExternalTools.mmaudit(["record", "--print", "--btf", Self.btf(Self.kernels[1]), "--", "true"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let script = r.stdout.replacingOccurrences(of: "/sys/kernel/tracing", with: dir)
        let path = dir + "/record.sh"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let run = try ExternalTools.run("/bin/sh", [path], environment: ["PATH": "/nonexistent"])
        XCTAssertNotEqual(run.status, 0, "trace-cmd cannot be found")
        let written = try String(contentsOfFile: dir + "/kprobe_events", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let defined = written.filter { $0.hasPrefix("p:") || $0.hasPrefix("r:") }
        let removed = written.filter { $0.hasPrefix("-:") }
        XCTAssertEqual(defined.count, 4, written.joined(separator: "\n"))
        XCTAssertEqual(Set(removed), Set(defined.map { "-:" + $0.split(separator: " ")[0].dropFirst(2) }))
    }

    func testWithoutBTFOnlyProbesThatNeedNoLayout() throws {
        let r = try ExternalTools.mmaudit(["record", "--print", "--", "/workload"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("# the range fields (mm, start, end, flags, event) of the notifier kprobes: "
                                        + "no BTF to read struct mmu_notifier_range from"), r.stdout)
        XCTAssertTrue(r.stdout.contains("echo 'p:kprobes/mmaudit_inv_start __mmu_notifier_invalidate_range_start' >>"))
        XCTAssertTrue(r.stdout.contains("ret=$retval:s32"), "the kretprobe needs no layout")
        XCTAssertFalse(r.stdout.contains("($arg1)"))
        XCTAssertFalse(r.stdout.contains("-e lock:lock_acquire") || r.stdout.contains("-e lock:lock_release"),
                       "lockdep-only events are not asked for unchecked")
    }

    func testBadBTFIsAOneLineErrorWithTheOffset() throws {
        let notBTF = ExternalTools.temporaryFile("not.btf")
        try Data("hello, not BTF at all\n".utf8).write(to: URL(fileURLWithPath: notBTF))
        var r = try ExternalTools.mmaudit(["record", "--print", "--btf", notBTF, "--", "true"])
        XCTAssertEqual(r.status, 2)
        XCTAssertEqual(r.stderr, "mmaudit: \(notBTF): BTF header: byte offset 0: not BTF: magic 0x6568, expected 0xeb9f\n")
        // A real BTF cut short: the type section runs past the end.
        let raw = ExternalTools.temporaryFile("cut.btf")
        let unzstd = try ExternalTools.run("zstd", ["-d", "-q", "-f", Self.btf(Self.kernels[0]), "-o", raw])
        XCTAssertEqual(unzstd.status, 0)
        let full = try Data(contentsOf: URL(fileURLWithPath: raw))
        try full.prefix(100_000).write(to: URL(fileURLWithPath: raw))
        r = try ExternalTools.mmaudit(["record", "--print", "--btf", raw, "--", "true"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.hasPrefix("mmaudit: \(raw): BTF header: byte offset 4: type section [24, "), r.stderr)
        XCTAssertEqual(r.stderr.filter { $0 == "\n" }.count, 1)
    }

    /// The kretprobe of the 6.12 kprobe capture (`r:kprobes/mmu_inv_start_ret
    /// __mmu_notifier_invalidate_range_start ret=$retval:s32`) plays
    /// invalidate.result by the built-in bindings alone, and is not taken
    /// for another start: every start still has its end.
    func testKretprobeBindsAsTheStartsResult() throws {
        let trace = FixtureFiles.directory.appendingPathComponent("kernels/k612-kprobe-bug0/trace.dat").path
        let r = try ExternalTools.mmaudit(["analyze", trace, "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(ExternalTools.parseJSON(r.stdout) as? [String: Any])
        let checks = try XCTUnwrap(json["checks"] as? [[String: Any]])
        func check(_ rule: String) throws -> [String: Any] { try XCTUnwrap(checks.first { $0["rule"] as? String == rule }) }
        XCTAssertEqual(try check("notifier-eagain")["status"] as? String, "ran", "\(checks)")
        XCTAssertEqual(try check("notifier-eagain")["violations"] as? Int, 0, "bug 0 fails no start")
        XCTAssertEqual(try check("unbalanced-invalidation")["status"] as? String, "ran")
        XCTAssertEqual(try check("unbalanced-invalidation")["violations"] as? Int, 0,
                       "a return taken for a start would leave starts without ends")
        // Without the kretprobe's binding the check has nothing to read.
        let dump = try ExternalTools.mmaudit(["dump", trace])
        XCTAssertGreaterThan(dump.stdout.components(separatedBy: " mmu_inv_start_ret: ").count - 1, 100)
    }

    /// Recording here (no --print), with a stand-in tracefs and a stand-in
    /// trace-cmd that is interrupted like a Ctrl-C would: the SIGINT reaches
    /// mmaudit too, which still removes the kprobes it defined and exits
    /// with trace-cmd's status. (Nothing is traced: the tracefs is a plain
    /// directory and trace-cmd a shell script.)
    func testRecordRemovesItsKprobesAfterAnInterrupt() throws {
        let dir = ExternalTools.temporaryFile("interrupt")
        let bin = dir + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "sched:sched_switch\n".write(toFile: dir + "/available_events", atomically: true, encoding: .utf8)
        try "__mmu_notifier_invalidate_range_start\n__mmu_notifier_invalidate_range_end\n__mmu_notifier_invalidate_range\nmsleep\n"
            .write(toFile: dir + "/available_filter_functions", atomically: true, encoding: .utf8)
        try "".write(toFile: dir + "/kprobe_events", atomically: true, encoding: .utf8)
        // `env trace-cmd` execs it: its parent is mmaudit.
        try "#!/bin/sh\necho \"$@\" > \"\(dir)/trace-cmd-args\"\nkill -INT $PPID\nsleep 1\nexit 130\n"
            .write(toFile: bin + "/trace-cmd", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/trace-cmd")
        let r = try ExternalTools.run(ExternalTools.mmaudit,
                                      ["record", "--tracefs", dir, "--btf", Self.btf(Self.kernels[0]), "-o",
                                       dir + "/out.dat", "--", "/workload"],
                                      environment: ["PATH": bin + ":/usr/bin:/bin"])
        XCTAssertEqual(r.status, 130, r.stderr)
        let args = try String(contentsOfFile: dir + "/trace-cmd-args", encoding: .utf8)
        XCTAssertTrue(args.hasPrefix("record -o \(dir)/out.dat -e sched:sched_switch -e kprobes:mmaudit_inv_start "), args)
        let written = try String(contentsOfFile: dir + "/kprobe_events", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(written.filter { $0.hasPrefix("p:") || $0.hasPrefix("r:") }.count, 4, "\(written)")
        XCTAssertEqual(written.filter { $0.hasPrefix("-:") }.sorted(),
                       ["-:kprobes/mmaudit_inv_end", "-:kprobes/mmaudit_inv_start", "-:kprobes/mmaudit_inv_start_ret",
                        "-:kprobes/mmaudit_secondary_tlb"])
        XCTAssertTrue(written.contains("p:kprobes/mmaudit_secondary_tlb __mmu_notifier_invalidate_range "
                                       + "mm=$arg1:x64 start=$arg2:x64 end=$arg3:x64"), "the hook this tracefs has")
    }
}
