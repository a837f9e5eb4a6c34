import Foundation
import XCTest

/// Layout facts of an HTML report as headless Chromium lays it out: a
/// script appended to a copy of the page measures the rendered boxes after
/// load and writes what is wrong into the DOM, which `--dump-dom` returns.
/// The report itself stays script-free; only the copy carries the checker.
enum LayoutCheck {
    /// What the script reports: problems (empty when the layout is right)
    /// and counts of what it measured, so a check that measured nothing shows.
    struct Facts: Decodable {
        var problems: [String]
        var lanes: Int
        var markers: Int
        var taskColours: Int
        var rangePictures: Int
    }

    /// Runs the checks on `htmlPath` at `width` px; with `screenshot`, also
    /// saves a PNG of the page (the report itself, without the script).
    static func run(_ htmlPath: String, width: Int, screenshot: String? = nil) throws -> Facts? {
        guard let chromium = HeadlessChromium.executable else {
            XCTFail("chromium is not installed: run scripts/setup chromium (scripts/test does)")
            return nil
        }
        let html = try String(contentsOfFile: htmlPath, encoding: .utf8)
        let checked = htmlPath + ".layout-check.html"
        try html.replacingOccurrences(of: "</body>", with: "<script>\(script)</script>\n</body>")
            .write(toFile: checked, atomically: true, encoding: .utf8)
        let profile = ExternalTools.temporaryFile("chromium-layout-profile")
        let common = HeadlessChromium.flags + ["--user-data-dir=\(profile)", "--window-size=\(width),1200"]
        let dom = try ExternalTools.run(chromium, common + ["--dump-dom", URL(fileURLWithPath: checked).absoluteString])
        if let screenshot {
            try ExternalTools.run(chromium, HeadlessChromium.flags + ["--user-data-dir=\(profile)",
                                  "--screenshot=\(screenshot)", "--window-size=\(width),3000",
                                  URL(fileURLWithPath: htmlPath).absoluteString])
        }
        guard let start = dom.stdout.range(of: "<pre id=\"layout-facts\">"),
              let end = dom.stdout.range(of: "</pre>", range: start.upperBound..<dom.stdout.endIndex) else {
            XCTFail("the layout script wrote nothing: \(dom.stderr.suffix(2000))")
            return nil
        }
        let json = String(dom.stdout[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        return try JSONDecoder().decode(Facts.self, from: Data(json.utf8))
    }

    /// The checks, over the laid-out page:
    /// - lanes: every lane background of a timeline has a label to its left,
    ///   inside the picture, on the lane's height;
    /// - markers: no two violation marker labels of the overview overlap;
    /// - clipping: no text box is clipped (scrollWidth > clientWidth), no
    ///   element runs past the page's right edge, the page does not scroll
    ///   sideways, and no SVG text leaves its picture;
    /// - colours: every task colour drawn is in a task legend;
    /// - ranges: each address-range picture draws the stale part and
    ///   labels addresses.
    static let script = #"""
    (function () {
      const problems = [];
      const say = (s) => { if (problems.length < 40) problems.push(s); };
      const r = (e) => e.getBoundingClientRect();
      const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      let lanes = 0;
      for (const svg of document.querySelectorAll('svg')) {
        const box = r(svg);
        const labels = [...svg.querySelectorAll('text.lane-label, text.row-label')].map(r);
        for (const lane of svg.querySelectorAll('rect.lanebg')) {
          lanes++;
          const l = r(lane), mid = (l.top + l.bottom) / 2;
          if (!labels.some(t => t.width > 0 && t.right <= l.left + 1 && t.top <= mid + l.height && t.bottom >= mid - l.height))
            say('unlabelled lane in ' + svg.getAttribute('aria-label') + ' at y=' + Math.round(l.top));
        }
        for (const t of svg.querySelectorAll('text')) {
          const b = r(t);
          if (b.width > 0 && (b.left < box.left - 1 || b.right > box.right + 1))
            say('SVG text leaves its picture: "' + t.textContent + '"');
        }
      }
      const marks = [...document.querySelectorAll('svg[aria-label="trace overview"] a.vcluster text.vlabel')];
      for (let i = 0; i < marks.length; i++)
        for (let j = i + 1; j < marks.length; j++)
          if (overlap(r(marks[i]), r(marks[j])))
            say('violation markers overlap: ' + marks[i].textContent + ' / ' + marks[j].textContent);
      const page = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth > page + 1)
        say('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + page);
      for (const e of document.querySelectorAll('body *:not(svg):not(svg *)')) {
        if (e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
          say('clipped ' + e.tagName + ': ' + e.textContent.slice(0, 60));
        if (r(e).right > page + 1) say('past the page edge: ' + e.tagName + ' ' + e.textContent.slice(0, 60));
      }
      const legend = new Set([...document.querySelectorAll('.task-key')].map(k => k.dataset.colour));
      const drawn = new Set([...document.querySelectorAll('rect.task')].map(t => t.getAttribute('fill')));
      for (const c of drawn) if (!legend.has(c)) say('task colour ' + c + ' is in no legend');
      const ranges = [...document.querySelectorAll('svg[aria-label="address ranges"]')];
      for (const p of ranges) {
        if (!p.querySelector('rect.range.stale')) say('an address picture without the stale range');
        if (![...p.querySelectorAll('.axis text')].some(t => t.textContent.startsWith('0x'))) say('an address picture without addresses');
      }
      const out = document.createElement('pre');
      out.id = 'layout-facts';
      out.textContent = JSON.stringify({problems, lanes, markers: marks.length, taskColours: drawn.size, rangePictures: ranges.length});
      document.body.appendChild(out);
    })();
    """#
}
