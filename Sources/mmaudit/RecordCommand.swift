import ArgumentParser
import Foundation
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
        tlb_gather_mmu/tlb_finish_mmu, and kprobes on __mmu_notifier_invalidate_range_start \
        and _end that fetch the range into fields named mm, start, end, flags and event \
        (struct mmu_notifier_range of Linux 6.1, x86-64: mm +8, start +16, end +24, \
        flags +32 (u32), event +36 (s32), all from the first argument, %di). Events bound \
        by a --rules file are recorded too.

        Without --print it must run as root on the machine to trace: it reads \
        available_events and available_filter_functions under the tracefs directory, \
        leaves out (and names) what this kernel lacks, defines the kprobes, runs \
        `trace-cmd record`, and removes the kprobes afterwards.

        With --print nothing is run and tracefs is not touched: it prints the shell \
        commands to run on the machine to trace. Without --tracefs that is the full set \
        wanted, unchecked; with --tracefs DIR it is checked against the available_events and \
        available_filter_functions files in DIR (copies from the target machine will do).

        EXIT STATUS
          trace-cmd's own status when it ran; 2 bad usage, no tracefs, no trace-cmd

        EXAMPLES
          sudo mmaudit record -o trace.dat -- ./my-workload --iterations 10
          mmaudit record --print -- ./my-workload > record.sh     # for another machine
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

    @Argument(parsing: .postTerminator, help: "The workload to trace, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the workload to trace after --, e.g. -- ./workload") }
    }

    func run() throws {
        let table = try RulesOption.bindings(rulesPath: rulesOption.rules)
        var plan = RecordingPlan.wanted(bindings: table)
        let dir = tracefs ?? "/sys/kernel/tracing"
        var notes: [String] = []
        if print && tracefs == nil {
            notes.append("not checked against a kernel: this is everything the checks can use; on the target, "
                         + "`mmaudit record` (without --print) leaves out what its kernel lacks")
        } else {
            plan = try restrict(plan, tracefs: dir)
            for a in plan.absent { notes.append("absent on this kernel, left out: \(a)") }
        }
        for role in plan.unboundRoles {
            notes.append("no event plays \(role.rawValue): bind the driver's events with --rules FILE")
        }
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

    /// Keeps what the kernel at `dir` has.
    private func restrict(_ plan: RecordingPlan, tracefs dir: String) throws -> RecordingPlan {
        func lines(_ name: String) throws -> [Substring] {
            let path = dir + "/" + name
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw TraceInputError(path: path, message: "cannot read it (is tracefs mounted, are you root? "
                                      + "--print prints the commands without reading tracefs)")
            }
            return text.split(separator: "\n")
        }
        let events = Set(try lines("available_events").map(String.init))
        // "name [module]" lines; the name is the first word.
        let functions = Set(try lines("available_filter_functions").compactMap { $0.split(separator: " ").first.map(String.init) })
        return plan.restricted(toEvents: events, functions: functions)
    }

    private func record(_ plan: RecordingPlan, tracefs dir: String) throws {
        let probes = dir + "/kprobe_events"
        for k in plan.kprobes { try append(k.line, to: probes) }
        defer { for k in plan.kprobes { try? append("-:kprobes/\(k.name)", to: probes) } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["trace-cmd"] + plan.traceCmdArguments(output: output, command: command)
        do { try process.run() } catch {
            throw TraceInputError(path: "trace-cmd", message: "cannot run it: \(error.localizedDescription)")
        }
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw ExitCode(process.terminationStatus) }
    }

    private func append(_ line: String, to path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw TraceInputError(path: path, message: "cannot open it for writing (root needed)")
        }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
    }
}
