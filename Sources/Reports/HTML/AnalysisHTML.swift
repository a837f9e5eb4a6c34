import TraceInput
import TraceModel
import Checks

/// `analyze --format html`: one self-contained page with the summary, a
/// table per rule, an overview timeline of the whole trace and, for each
/// violation, the per-CPU timeline around it with its evidence.
public enum AnalysisHTML {
    /// `recording` must have been made with the windows of
    /// `TimelineWindows.around(result.violations)`, in that order.
    public static func render(_ r: AnalysisResult, recording: TimelineRecorder) -> String {
        let pictured = TimelineWindows.pictured(r.violations)
        var windowOf: [Int: TimelineWindow] = [:]
        for (v, w) in zip(pictured, recording.windows) {
            if let i = r.violations.firstIndex(of: v) { windowOf[i] = w }
        }
        var body = "<h1>mmaudit: \(HTMLPage.escape(r.info.path))</h1>\n"
        body += "<p class=\"meta\">\(HTMLPage.escape(String(AnalysisText.traceLine(r).dropFirst(r.info.path.count + 2))))"
        if let span = r.timeSpan {
            body += ", \(TimeFormat.seconds(span.lowerBound)) .. \(TimeFormat.seconds(span.upperBound))"
        }
        if !r.damage.isEmpty {
            body += "; unreadable: \(r.damage.unreadablePages) pages, \(r.damage.unparsedLines) lines"
        }
        body += "</p>\n<h2>Summary</h2>\n" + summary(r)
        if !r.folded.isEmpty {
            body += "<p class=\"folded\">\(HTMLPage.escape(AnalysisText.foldedHeadline(r))):</p>\n<ul>\n"
                + r.folded.map { "<li><code>\(HTMLPage.escape(AnalysisText.foldedLine($0)))</code></li>\n" }.joined()
                + "</ul>\n"
        }
        let colours = TaskColours(recording)
        body += "<h2>Overview</h2>\n" + TimelineSVG.legend() + colours.legend()
        let marked = r.violations.enumerated().filter { $0.element.severity != .note }.map { (index: $0.offset, violation: $0.element) }
        body += OverviewSVG.render(recording.overview, violations: marked, colours: colours)
        for c in CheckCatalog.all.map({ $0.info }) {
            let vs = r.violations.enumerated().filter { $0.element.rule == c.id }
            guard let outcome = r.checks.first(where: { $0.rule == c.id }) else { continue }
            body += "<h2 id=\"rule-\(c.id)\">\(HTMLPage.escape(c.id)): \(HTMLPage.escape(c.title))</h2>\n"
            body += "<p>\(HTMLPage.escape(c.rationale))</p>\n"
            if !outcome.ran {
                body += "<p class=\"skipped\">Skipped: \(HTMLPage.escape(outcome.reason ?? ""))</p>\n"
                continue
            }
            if vs.isEmpty { body += "<p class=\"ok\">No violations.</p>\n"; continue }
            body += HTMLPage.table(["#", "severity", "time", "CPU", "task", "message"], vs.map { i, v in
                ["<a href=\"#v\(i + 1)\">\(i + 1)</a>", HTMLPage.escape(v.severity.rawValue),
                 TimeFormat.seconds(v.timestamp), String(v.cpu), HTMLPage.escape("\(v.comm)-\(v.pid)"),
                 HTMLPage.escape(v.message)]
            }, numeric: [0, 3], escaped: false)
            for (i, v) in vs {
                body += violation(v, number: i + 1, window: windowOf[i], cpus: r.info.cpus, colours: colours)
            }
        }
        return HTMLPage.document(title: "mmaudit: \(r.info.path)", body: body)
    }

    static func summary(_ r: AnalysisResult) -> String {
        HTMLPage.table(["rule", "status", "errors", "notes", "what it flags"], r.checks.map { c in
            let notes = r.notes(of: c.rule)
            let title = CheckCatalog.all.first { $0.info.id == c.rule }?.info.title ?? ""
            let status = !c.ran ? "<span class=\"skipped\">skipped</span>"
                : c.violations > 0 ? "<span class=\"fail\">FAIL</span>" : "<span class=\"ok\">ok</span>"
            return ["<a href=\"#rule-\(c.rule)\">\(HTMLPage.escape(c.rule))</a>", status,
                    c.ran ? String(c.violations) : "-", c.ran ? String(notes) : "-", HTMLPage.escape(title)]
        }, numeric: [2, 3], escaped: false)
    }

    static func violation(_ v: Violation, number: Int, window: TimelineWindow?, cpus: Int, colours: TaskColours) -> String {
        var out = "<div class=\"violation\(v.severity == .note ? " note" : "")\" id=\"v\(number)\">\n"
        out += "<h3>[\(number)] \(HTMLPage.escape(v.severity.rawValue)) \(HTMLPage.escape(v.rule)) at "
            + "\(TimeFormat.seconds(v.timestamp)), CPU \(v.cpu), \(HTMLPage.escape("\(v.comm)-\(v.pid)"))</h3>\n"
        out += "<p>\(HTMLPage.escape(v.message))</p>\n"
        if !v.openContext.isEmpty {
            out += "<p class=\"open\">Open then: " + v.openContext.map { "<code>\(HTMLPage.escape($0))</code>" }
                .joined(separator: ", ") + "</p>\n"
        }
        if let picture = RangePicture.render(v) { out += picture }
        if let window {
            out += colours.legend(window.slices.filter { !$0.isIdle }.map(\.comm))
            out += TimelineSVG.window(window, violation: v, cpuCount: cpus, colours: colours)
            if window.truncated { out += "<p class=\"meta\">Busy window: only the first items are drawn.</p>\n" }
        }
        // A line each, wrapped with a hanging indent: long field lists stay
        // readable at any width instead of running off the page.
        out += "<pre class=\"evidence\">" + v.evidence.map { "<span>\(HTMLPage.escape(AnalysisText.evidenceLine($0)))</span>" }
            .joined() + "</pre>\n</div>\n"
        return out
    }
}
