/// `--color`: as git, ls and grep take it.
public enum ColourMode: String, Sendable, CaseIterable {
    /// On for a terminal unless NO_COLOR is set (no-color.org).
    case auto
    /// On, wherever the report goes (a pager that reads ANSI, a CI log).
    case always
    case never
}

/// ANSI colour for terminal reports, or none. Commands decide it from
/// `--color` and where the report goes (`init(mode:…)`); renderers never
/// decide that themselves, so files and pipes stay plain unless asked.
public struct TerminalStyle: Sendable {
    public var colour: Bool

    public init(colour: Bool) { self.colour = colour }

    /// `mode` for a report going to a terminal or not, under `environment`.
    public init(mode: ColourMode, toTerminal: Bool, environment: [String: String]) {
        switch mode {
        case .always: colour = true
        case .never: colour = false
        case .auto: colour = toTerminal && (environment["NO_COLOR"] ?? "").isEmpty
        }
    }

    public static let plain = TerminalStyle(colour: false)

    func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    func bold(_ s: String) -> String { paint(s, "1") }
    func dim(_ s: String) -> String { paint(s, "2") }
    func red(_ s: String) -> String { paint(s, "31") }
    func green(_ s: String) -> String { paint(s, "32") }
    func yellow(_ s: String) -> String { paint(s, "33") }
    func cyan(_ s: String) -> String { paint(s, "36") }

    func severity(_ text: String, _ severity: String) -> String {
        severity == "error" ? red(bold(text)) : severity == "warning" ? yellow(text) : cyan(text)
    }
}
