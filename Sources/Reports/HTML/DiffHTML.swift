import TraceModel
import Checks

/// `diff --format html`: the same tables as the text and Markdown diffs, in
/// one self-contained page.
public enum DiffHTML {
    public static func render(_ d: TraceDiff) -> String {
        var body = "<h1>mmaudit diff: \(HTMLPage.escape(DiffTables.headline(d)))</h1>\n"
        body += "<p class=\"meta\">before: <code>\(HTMLPage.escape(d.before.info.path))</code> "
            + "(\(d.before.events) events)<br>after: <code>\(HTMLPage.escape(d.after.info.path))</code> "
            + "(\(d.after.events) events)</p>\n"
        body += "<h2>Per rule</h2>\n" + HTMLPage.table(DiffTables.ruleHeader, DiffTables.ruleRows(d), numeric: [1, 2, 3, 4])
        for status in TraceDiff.Status.allCases {
            let fs = d.findings(status)
            guard !fs.isEmpty else { continue }
            let cls = status == .new ? "fail" : status == .fixed ? "ok" : ""
            body += "<h2 class=\"\(cls)\">\(HTMLPage.escape(status.rawValue.capitalized))</h2>\n"
            body += HTMLPage.table(["rule", "before", "after", "example", "signature"], fs.map {
                [$0.rule, String($0.beforeCount), String($0.afterCount), $0.example.message, $0.signature]
            }, numeric: [1, 2], wrap: [3, 4])
        }
        if !d.latencies.isEmpty {
            body += "<h2>Latencies</h2>\n" + HTMLPage.table(DiffTables.latencyHeader, DiffTables.latencyRows(d),
                                                                 wrap: [1, DiffTables.latencyHeader.count - 1], loose: true)
        }
        return HTMLPage.document(title: "mmaudit diff", body: body)
    }
}
