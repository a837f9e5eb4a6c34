/// What sched_switch's `prev_state` says about the task leaving the CPU.
///
/// The bits and their letters are the kernel's TASK_REPORT table, printed
/// by the event's own print fmt (`__print_flags(prev_state & ..., "|",
/// { 0x01, "S" }, ...)`, include/trace/events/sched.h). They differ across
/// kernel versions (4.x prints 0x40 as "x", dead; 6.1 as "P", parked), so a
/// trace's own table is used where the trace has one; the letters decide
/// the meaning: X, x and Z are exits, every other letter a sleep, and no
/// letter (R, or "+" alone) a task that was preempted while runnable.
public struct TaskStateLetters: Sendable, Hashable {
    /// (bit, letter) in the print fmt's order.
    public let table: [(bit: UInt64, letter: String)]
    /// The bits of states that are sleeps, and of exits.
    public let sleepingBits: UInt64
    public let exitBits: UInt64

    /// Linux 6.1's table (TASK_REPORT; TASK_REPORT_MAX 0x100 is the "+").
    public static let linux61 = TaskStateLetters([
        (0x1, "S"), (0x2, "D"), (0x4, "T"), (0x8, "t"), (0x10, "X"), (0x20, "Z"), (0x40, "P"), (0x80, "I"),
    ])

    static let exitLetters: Set<String> = ["X", "x", "Z"]

    public init(_ table: [(bit: UInt64, letter: String)]) {
        self.table = table
        var sleeping: UInt64 = 0, exits: UInt64 = 0
        for (bit, letter) in table {
            if Self.exitLetters.contains(letter) { exits |= bit } else { sleeping |= bit }
        }
        sleepingBits = sleeping
        exitBits = exits
    }

    /// The table of a sched_switch print fmt, or nil if it has none: the
    /// `{ value, "letter" }` pairs of its `__print_flags` on prev_state.
    public init?(printFormat: String) {
        // The table follows the call's mask expression, whose own
        // parentheses come first: "__print_flags(REC->prev_state & ((...) - 1),
        // "|", { 0x0001, "S" }, { 0x0002, "D" }, ...)". Pairs are read from
        // the first "{" after the call for as long as one follows another.
        guard let flags = printFormat.range(of: "__print_flags("),
              var at = printFormat[flags.upperBound...].firstIndex(of: "{") else { return nil }
        var table: [(bit: UInt64, letter: String)] = []
        while at < printFormat.endIndex, printFormat[at] == "{",
              let close = printFormat[at...].firstIndex(of: "}") {
            let pair = printFormat[printFormat.index(after: at)..<close].split(separator: ",", maxSplits: 1)
            if pair.count == 2 {
                let number = pair[0].trimmingCharacters(in: " \t")
                let letter = pair[1].trimmingCharacters(in: " \t\"")
                let value = number.hasPrefix("0x") ? UInt64(number.dropFirst(2), radix: 16) : UInt64(number)
                if let value, !letter.isEmpty { table.append((value, letter)) }
            }
            // On to the next pair: past the "}", commas and blanks.
            at = printFormat.index(after: close)
            while at < printFormat.endIndex, " \t,".contains(printFormat[at]) { at = printFormat.index(after: at) }
        }
        guard !table.isEmpty else { return nil }
        self.init(table)
    }

    public static func == (a: TaskStateLetters, b: TaskStateLetters) -> Bool {
        a.table.elementsEqual(b.table) { $0.bit == $1.bit && $0.letter == $1.letter }
    }

    public func hash(into h: inout Hasher) {
        for (bit, letter) in table { h.combine(bit); h.combine(letter) }
    }

    public func sleeps(_ state: UInt64) -> Bool { state & sleepingBits != 0 }
    public func exits(_ state: UInt64) -> Bool { state & exitBits != 0 }

    /// The letters of `state`'s bits, joined as the kernel prints them.
    public func letters(of state: UInt64) -> String {
        table.filter { state & $0.bit != 0 }.map(\.letter).joined()
    }
}

private extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
