import ArgumentParser
import Foundation
import NativeBindings
import TraceInput
import TraceModel
import Checks

/// `mmaudit record -- COMMAND...`: trace a workload with exactly what the
/// checks read.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Run trace-cmd record with the events, function filters and kprobes the checks need.",
        discussion: """
        Builds the recording from the bindings the checks read: sched:sched_switch, the lock \
        contention tracepoints, the function tracer on the sleeping functions and on \
        tlb_gather_mmu/tlb_finish_mmu, kprobes on __mmu_notifier_invalidate_range_start \
        and _end that fetch the range into fields named mm, start, end, flags and event, \
        a kretprobe on the start (ret=$retval: a notifier's -EAGAIN), and a kprobe on the \
        kernel's secondary-TLB hook (__mmu_notifier_invalidate_range up to Linux 6.5, \
        __mmu_notifier_arch_invalidate_secondary_tlbs from 6.6). Events bound by a --rules \
        file are recorded too.

        The range fields are fetched through $arg1 (any architecture with function-argument \
        access) at the offsets of struct mmu_notifier_range in the target kernel's BTF, \
        which change between kernels (6.1: mm +8 after vma; 6.12: mm +0). The BTF is \
        /sys/kernel/btf/vmlinux when recording here, --btf FILE with --print (a copy of \
        the target's). Without BTF the notifier kprobes fetch nothing: they mark the \
        invalidations but not their ranges, and the notes say which checks lose what.

        Without --print it must run as root on the machine to trace: it reads \
        available_events and available_filter_functions under the tracefs directory, \
        leaves out (and names) what this kernel lacks, defines the kprobes, runs \
        `trace-cmd record`, and removes the kprobes afterwards.

        With --print nothing is run and tracefs is not touched: it prints a shell script to \
        run on the machine to trace, which removes its kprobes on any exit (trap). Without \
        --tracefs it is checked only against --btf, if given (functions; lockdep's \
        lock_acquire/lock_release only when that kernel has lockdep), and without either it \
        leaves out what only some kernels have; with --tracefs DIR it is checked against the \
        available_events and available_filter_functions files in DIR (copies from the \
        target machine will do).

        EXIT STATUS
          trace-cmd's own status when it ran; 2 bad usage, no tracefs, no trace-cmd, a BTF \
          that cannot be read

        EXAMPLES
          sudo mmaudit record -o trace.dat -- ./my-workload --iterations 10
          mmaudit record --print --btf vmlinux.btf -- ./my-workload > record.sh   # another machine
          mmaudit record --print --btf vmlinux.btf --tracefs copied-tracefs/ -- ./my-workload
          mmaudit record --print --rules fixtures/rules/mmaudit_demo.rules -- /workload
        """
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("The trace.dat to write.", valueName: "file"))
    var output = "trace.dat"

    @Flag(help: "Print the commands instead of running them (never touches tracefs).")
    var print = false

    @OptionGroup var rulesOption: RulesOption

    @Option(help: ArgumentHelp("The tracefs directory (or, with --print, a copy of its available_* files).",
                               valueName: "dir"))
    var tracefs: String?

    @Option(help: ArgumentHelp("The target kernel's BTF (a copy of its /sys/kernel/btf/vmlinux, or the .BTF "
                               + "section of its vmlinux; zstd-compressed will do): struct mmu_notifier_range's "
                               + "layout for the kprobes. Default without --print: /sys/kernel/btf/vmlinux.",
                               valueName: "file"))
    var btf: String?

    @Argument(parsing: .postTerminator, help: "The workload to trace, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the workload to trace after --, e.g. -- ./workload") }
    }

    func run() throws {
        let table = try RulesOption.bindings(rulesPath: rulesOption.rules)
        let dir = tracefs ?? "/sys/kernel/tracing"
        // The target's BTF: given, or this machine's when recording here.
        // A kernel without CONFIG_DEBUG_INFO_BTF has none: the notes say so.
        let btfPath = btf ?? (print || !FileManager.default.fileExists(atPath: Self.vmlinuxBTF) ? nil : Self.vmlinuxBTF)
        let kernelBTF = try btfPath.map { try BTFFile(path: $0) }
        let range = kernelBTF?.structLayout(RangeFetch.structName)
        if let kernelBTF, range == nil {
            throw TraceInputError(path: kernelBTF.path, message: "no struct \(RangeFetch.structName) in this BTF "
                                  + "(a kernel without CONFIG_MMU_NOTIFIER?)")
        }
        var plan = RecordingPlan.wanted(bindings: table, range: range)
        var notes: [String] = []
        if let kernelBTF, let range {
            notes.append("struct \(range.name) from \(kernelBTF.path): "
                         + RangeFetch.fields.compactMap { f in range.member(f).map { "\(f)@\($0.byteOffset)" } }
                             .joined(separator: " "))
        }
        var available: Set<String>? = kernelBTF?.functionNames
        if print && tracefs == nil {
            notes.append("not checked against a kernel's tracefs: on the target, `mmaudit record` (without --print) "
                         + "leaves out what its kernel lacks")
            // Without tracefs, the BTF's functions say what the kernel has
            // (vmlinux's only: a module's functions are in its own BTF).
            plan = kernelBTF.map { plan.restricted(toBTFFunctions: $0.functionNames) } ?? plan.withoutOptionalEvents()
        } else {
            let (events, functions) = try Self.available(tracefs: dir)
            plan = plan.restricted(toEvents: events, functions: functions)
            available = functions
        }
        if let available {
            plan = plan.withSecondaryTLBHook(available: available)
        } else {
            plan.absent.append("kprobe on the secondary-TLB hook: which one this kernel has ("
                               + SecondaryTLBHook.functions.joined(separator: " or ") + ") is not known "
                               + "without --btf or --tracefs")
        }
        notes += plan.absent
        for role in plan.unboundRoles {
            notes.append("no event plays \(role.rawValue): bind the driver's events with --rules FILE")
        }
        notes += plan.losses.map { "so " + $0 }
        if print {
            var text = "#!/bin/sh\n# mmaudit record: run as root on the machine to trace.\n"
            for n in notes { text += "# \(n)\n" }
            text += "set -e\n" + plan.shellScript(output: output, command: command, tracefs: dir)
            Swift.print(text, terminator: "")
            return
        }
        for n in notes { CommandErrors.printToStandardError("mmaudit: \(n)\n") }
        try record(plan, tracefs: dir)
    }

    static let vmlinuxBTF = "/sys/kernel/btf/vmlinux"

    /// The events and functions of the kernel at `dir` (tracefs, or copies
    /// of its available_* files).
    static func available(tracefs dir: String) throws -> (events: Set<String>, functions: Set<String>) {
        func lines(_ name: String) throws -> [Substring] {
            let path = dir + "/" + name
            // Read to the end: tracefs files say size 0, so a read of the
            // stated size would find them empty.
            guard let handle = FileHandle(forReadingAtPath: path),
                  let data = try? handle.readToEnd().map({ String(decoding: $0, as: UTF8.self) }) ?? "" else {
                throw TraceInputError(path: path, message: "cannot read it (is tracefs mounted, are you root? "
                                      + "--print prints the commands without reading tracefs)")
            }
            try? handle.close()
            return data.split(separator: "\n")
        }
        let events = Set(try lines("available_events").map(String.init))
        // "name [module]" lines; the name is the first word.
        let functions = Set(try lines("available_filter_functions").compactMap { $0.split(separator: " ").first.map(String.init) })
        return (events, functions)
    }

    private func record(_ plan: RecordingPlan, tracefs dir: String) throws {
        let probes = dir + "/kprobe_events"
        var defined: [KprobeDefinition] = []
        defer { for k in defined.reversed() { try? append(k.removal, to: probes) } }
        for k in plan.kprobes {
            try append(k.line, to: probes)
            defined.append(k)
        }
        // A Ctrl-C stops trace-cmd (it writes the trace and exits); this
        // process lives on to remove the kprobes (ChildProcess).
        let status: Int32
        do { status = try ChildProcess.run(["trace-cmd"] + plan.traceCmdArguments(output: output, command: command)) }
        catch { throw TraceInputError(path: "trace-cmd", message: "\(error)") }
        if status != 0 { throw ExitCode(status) }
    }

    private func append(_ line: String, to path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw TraceInputError(path: path, message: "cannot open it for writing (root needed)")
        }
        defer { try? handle.close() }
        // (write(contentsOf:) throws where write(_:) would trap: the
        // kernel refuses a probe it cannot place with EINVAL/ENOENT.)
        do {
            // A plain file (a stand-in for tracefs) is appended to; tracefs
            // appends by itself (no O_TRUNC) and refuses the seek of a
            // write-only kprobe_events.
            _ = try? handle.seekToEnd()
            try handle.write(contentsOf: Data((line + "\n").utf8))
        } catch {
            throw TraceInputError(path: path, message: "the kernel refused '\(line)': \(error.localizedDescription)")
        }
    }
}
