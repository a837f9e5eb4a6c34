/// The frame of every HTML report: one self-contained file (inline CSS and
/// SVG, no script, no font or image from anywhere), readable when mailed
/// around or opened from a CI artifact with no network.
enum HTMLPage {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>\(css)</style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// Cells stay on one line except in the `wrap` columns (by default the
    /// last), which break anywhere when they must: a table never runs
    /// wider than the page, however long a message or signature is.
    /// `loose`: every cell may break between words (tables of many
    /// columns of short values, like latency percentiles).
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], wrap: Set<Int>? = nil,
                      loose: Bool = false, escaped: Bool = true) -> String {
        let wrap = wrap ?? [header.count - 1]
        func cls(_ i: Int) -> String {
            numeric.contains(i) ? " class=\"num\"" : wrap.contains(i) ? " class=\"wrap\"" : ""
        }
        var out = loose ? "<table class=\"loose\"><thead><tr>" : "<table><thead><tr>"
        for (i, h) in header.enumerated() { out += "<th\(cls(i))>\(escape(h))</th>" }
        out += "</tr></thead><tbody>\n"
        for r in rows {
            out += "<tr>"
            for (i, c) in r.enumerated() {
                out += "<td\(cls(i))>\(escaped ? escape(c) : c)</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    static let css = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1100px;\
    padding:0 16px;color:#1d2129;background:#fff}
    h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d8dde3;\
    padding-bottom:4px}h3{font-size:15px;margin:20px 0 6px}
    .meta{color:#5b6572}code,pre,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
    pre{background:#f5f7f9;border:1px solid #e1e5ea;padding:8px 10px;margin:6px 0;white-space:pre-wrap;\
    overflow-wrap:anywhere}pre.evidence span{display:block;padding-left:2em;text-indent:-2em}
    table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #d8dde3;padding:3px 8px;\
    text-align:left;vertical-align:top;white-space:nowrap}th{background:#f0f3f6}td.num,th.num{text-align:right}\
    td.wrap{white-space:normal;overflow-wrap:anywhere}table{max-width:100%}table.loose td{white-space:normal}
    .fail{color:#b42318;font-weight:600}.ok{color:#067647;font-weight:600}.skipped{color:#9a6700}
    .violation{border-left:4px solid #d92d20;padding:2px 0 2px 12px;margin:18px 0}
    .violation.note{border-left-color:#2e90fa}
    .open{color:#344054}svg{display:block;max-width:100%;height:auto;margin:6px 0}
    .legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;\
    height:10px;margin-right:4px;vertical-align:-1px}
    svg text{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:10px;fill:#1d2129}
    svg .axis text{fill:#5b6572}svg .lanebg{fill:#f3f5f7}svg .vmark{stroke:#d92d20;stroke-width:1.5}
    svg .vlabel{fill:#d92d20;font-weight:600}svg .row-label{font-size:8px;fill:#5b6572}\
    svg .lane-label{font-weight:600}svg .range-text{fill:#344054}.legend.tasks b{font-weight:600;margin-right:6px}
    """
}
