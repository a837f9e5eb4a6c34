import TraceInput
import Checks

/// Words for a group of findings: what the problem is (from its signature,
/// which stays machine words for JSON, SARIF and diff) and where in the
/// code to look (from its evidence).
public enum FindingWording {
    /// "workload slept holding a spinlock (called msleep, then switched out in state D)".
    public static func headline(_ g: FindingGroup) -> String {
        let parts = g.signature.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let title = CheckCatalog.all.first { $0.info.id == g.rule }?.info.title ?? g.rule
        func part(_ i: Int) -> String { i < parts.count ? parts[i] : "" }
        switch g.rule {
        case "atomic-sleep" where part(1) == "corrupt-preempt-count":
            return "the CPU's preempt count was corrupt afterwards: later sleeps there show impossible contexts"
        case "atomic-sleep" where parts.count >= 4:
            let reasons = parts.dropFirst(4)
            var why: [String] = []
            if reasons.contains("spinlock-held") { why.append("holding a spinlock") }
            if reasons.contains("non-blockable-invalidation") { why.append("inside a non-blockable mmu_notifier invalidation") }
            if reasons.contains("atomic-span") { why.append("inside a span the rules declare atomic") }
            if why.isEmpty { why.append("with preemption or interrupts disabled, or in irq context") }
            var how = [sleepWords(part(2))]
            if part(3) != part(2) { how.append(sleepWords(part(3))) }
            return "\(part(1)) slept \(why.joined(separator: " and ")) (\(how.joined(separator: ", then ")))"
        case "missing-invalidation" where parts.count >= 4:
            return "a \(part(1)) secondary mapping outlived an invalidation (\(part(3))) that "
                + (part(2) == "partial" ? "dropped only part of it" : "left it untouched")
        case "notifier-eagain" where parts.count >= 4:
            return "invalidate_range_start of \(part(1)) failed with -EAGAIN in a "
                + (part(3) == "nonblockable" ? "non-blockable" : part(3)) + " range"
                + (part(2) == "ended" ? ", and the range was ended anyway" : " that never ended")
        case "unbalanced-invalidation" where parts.count >= 4:
            return "\(title.prefix(1).lowercased() + title.dropFirst()): \(part(1).replacingOccurrences(of: "-", with: " ")) "
                + "in \(part(3))"
        default:
            return title
        }
    }

    /// The value of `name=VALUE` in an event's text.
    private static func field(_ name: String, _ text: String) -> String? {
        for word in text.split(separator: " ") where word.hasPrefix(name + "=") {
            return String(word.dropFirst(name.count + 1))
        }
        return nil
    }

    private static func sleepWords(_ kind: String) -> String {
        if kind.hasPrefix("call-") { return "called " + kind.dropFirst(5) }
        if kind.hasPrefix("switch-") { return "switched out in state " + kind.dropFirst(7) }
        if kind == "sleeping-lock" { return "waited for a sleeping lock" }
        return kind
    }

    /// The kernel function or driver callback responsible, as the evidence
    /// shows it: the caller of the sleeping function (function tracer:
    /// "msleep <-- demo_invalidate_range_start"), the function a kprobe
    /// sits on, the enclosing function_graph entry, else the mmu_notifier
    /// callback or the lock whose span was open. nil when none is known.
    public static func whereToLook(_ v: Violation) -> String? {
        // The spans open then are context; the first function-tracer event
        // after them is the call into the sleep, made by the culprit.
        let spans = Set(v.openContext)
        for e in v.evidence where !spans.contains("\(e.event) \(e.text)") {
            if let callee = field("ip", e.text), let caller = field("parent_ip", e.text) {
                return "\(caller) (it calls \(callee))"
            }
        }
        for e in v.evidence {
            if let open = e.text.firstIndex(of: "("), let plus = e.text[open...].firstIndex(of: "+"),
               e.text[e.text.index(after: open)..<plus].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
               plus > e.text.index(after: open) {
                return String(e.text[e.text.index(after: open)..<plus]) + " (kprobe \(e.event))"
            }
        }
        if let invalidation = v.evidence.first(where: { $0.event.contains("invalidate_start") || $0.event.contains("inv_start") }) {
            return "the mmu_notifier's invalidate_range_start callback (traced by \(invalidation.event))"
        }
        if let lock = v.evidence.first(where: { $0.event.hasSuffix("lock") && !$0.event.hasSuffix("unlock") }) {
            return "the code that holds the lock taken at \(lock.event) \(lock.text)"
        }
        return nil
    }
}
