/// ANSI colour for terminal reports, or none. Commands turn it on only when
/// standard output is a terminal and NO_COLOR is unset (no-color.org);
/// renderers never decide that themselves, so files and pipes stay plain.
public struct TerminalStyle: Sendable {
    public var colour: Bool

    public init(colour: Bool) { self.colour = colour }

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
