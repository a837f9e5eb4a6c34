/// A rules file binds events the built-in table does not know (an
/// out-of-tree driver's tracepoints, kprobes named differently) to roles,
/// and declares extra spans atomic. One statement per line; `#` starts a
/// comment. The syntax is documented in docs/rules.md:
///
///     bind SYSTEM:EVENT ROLE [function=NAME] [ARG=FIELD[&MASK] | ARG=CONSTANT]...
///     atomic SPAN          # SPAN: tlb.gather | invalidate | lock
///
/// ARG is one of mm, start, end, event, blockable, lock, flags, kind, label.
/// `kind=spin` / `kind=sleeping` are constants for lock bindings.
public enum RulesFile {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var line: Int
        public var message: String
        public var description: String { "\(path):\(line): \(message)" }

        public init(path: String, line: Int, message: String) {
            self.path = path
            self.line = line
            self.message = message
        }

        /// A binding naming a field its event lacks, at the binding's line.
        public init(_ unknown: TraceModel.UnknownBindingField) {
            let origin = unknown.origin
            let colon = origin.lastIndex(of: ":")
            path = colon.map { String(origin[..<$0]) } ?? origin
            line = colon.flatMap { Int(origin[origin.index(after: $0)...]) } ?? 0
            message = "\(unknown.event) has no field '\(unknown.field)'; its fields: "
                + (unknown.eventFields.isEmpty ? "none" : unknown.eventFields.joined(separator: ", "))
        }
    }

    public static func parse(_ text: String, path: String) throws -> BindingTable {
        var table = BindingTable()
        var atomic: Set<AtomicSpan> = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let verb = words.first else { continue }
            func fail(_ message: String) -> ParseError {
                ParseError(path: path, line: lineNumber, message: message)
            }
            switch verb {
            case "bind":
                table.add(try binding(words.dropFirst(), origin: "\(path):\(lineNumber)", fail: fail))
            case "atomic":
                guard words.count == 2, let span = AtomicSpan(rawValue: String(words[1])) else {
                    throw fail("expected 'atomic SPAN' with SPAN one of "
                               + AtomicSpan.allCases.map(\.rawValue).joined(separator: ", "))
                }
                atomic.insert(span)
            default:
                throw fail("unknown statement '\(verb)' (expected 'bind' or 'atomic')")
            }
        }
        table.merge(BindingTable([], atomicSpans: atomic))
        return table
    }

    static func binding(_ words: ArraySlice<Substring>, origin: String,
                        fail: (String) -> ParseError) throws -> RoleBinding {
        guard words.count >= 2 else { throw fail("expected 'bind SYSTEM:EVENT ROLE [ARG=FIELD]...'") }
        guard let key = EventKey(parsing: words[words.startIndex]) else {
            throw fail("'\(words[words.startIndex])' is not SYSTEM:EVENT")
        }
        let roleWord = String(words[words.startIndex + 1])
        guard let role = Role(rawValue: roleWord) else {
            throw fail("unknown role '\(roleWord)' (roles: "
                       + Role.allCases.map(\.rawValue).joined(separator: ", ") + ")")
        }
        var binding = RoleBinding(event: key, role: role, origin: origin)
        for word in words.dropFirst(2) {
            guard let eq = word.firstIndex(of: "=") else { throw fail("'\(word)' is not ARG=FIELD") }
            let name = String(word[..<eq]), value = word[word.index(after: eq)...]
            guard !value.isEmpty else { throw fail("'\(word)' has no value") }
            if name == "function" { binding.function = String(value); continue }
            guard let arg = ArgumentName(rawValue: name) else {
                throw fail("unknown argument '\(name)' (arguments: function, "
                           + ArgumentName.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            binding.arguments[arg] = try source(arg, value, fail: fail)
        }
        return binding
    }

    static func source(_ arg: ArgumentName, _ value: Substring,
                       fail: (String) -> ParseError) throws -> ArgumentSource {
        if arg == .kind {
            guard LockKind(rawValue: String(value)) != nil else {
                throw fail("kind must be 'spin' or 'sleeping', not '\(value)'")
            }
            return .constant(String(value))
        }
        if let amp = value.firstIndex(of: "&") {
            let maskText = value[value.index(after: amp)...]
            let mask = maskText.hasPrefix("0x") ? UInt64(maskText.dropFirst(2), radix: 16) : UInt64(maskText)
            guard let mask else { throw fail("'\(maskText)' is not a number") }
            return .field(String(value[..<amp]), mask: mask)
        }
        return .field(String(value), mask: nil)
    }
}
