//! Layout and accessibility checks of an HTML output in headless Chromium. The outputs carry
//! no script; these checks inject one into a copy of the page, let it write what it measured
//! into the DOM, and read the dumped DOM back.
//!
//! - On screen: at 1280 px, no element reaches past the viewport unless it sits inside a
//!   scroll region a keyboard can reach (`tabindex="0"`).
//! - In print: with the page's print styles applied at the width of the page box the page
//!   declares (`@page { size; margin }`), nothing reaches past it (Chromium would cut it or
//!   shrink the whole document); the PDF is printed on that page size.
//! - axe-core (installed by `.ci/run` into `tests/browser/node_modules`) finds no violation of
//!   WCAG 2.2 AA.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::root;

/// The width of the screen the outputs are checked at, in CSS pixels.
pub const SCREEN_WIDTH: u32 = 1280;

/// Lists every element wider than the viewport (or past its right edge) that no keyboard
/// focusable scroll region holds; `strict` (print) admits no scroll region at all.
const MEASURE: &str = r#"
(function () {
  var vw = document.documentElement.clientWidth, strict = STRICT, out = [];
  function name(el) {
    var s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (typeof el.className === 'string' && el.className) s += '.' + el.className.trim().split(/\s+/).join('.');
    return s;
  }
  function path(el) {
    var parts = [];
    for (var e = el; e && e !== document.body; e = e.parentElement) parts.unshift(name(e));
    return parts.slice(-4).join(' > ');
  }
  function held(el) {
    if (strict) return false;
    for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      var s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && p.tabIndex >= 0) {
        return p.getBoundingClientRect().right <= vw + 1;
      }
    }
    return false;
  }
  var all = document.body.querySelectorAll('*');
  for (var i = 0; i < all.length; i++) {
    var el = all[i], r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (el.closest('#sct-layout')) continue;
    // A chart's own drawing may reach past its box (a background bleed); the chart is
    // measured as a whole.
    if (el.tagName.toLowerCase() !== 'svg' && el.closest('svg')) continue;
    if (r.right <= vw + 1 && r.left >= -1) continue;
    if (held(el)) continue;
    out.push(path(el) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) + ' px of ' + vw);
    if (out.length > 20) break;
  }
  var pre = document.createElement('pre');
  pre.id = 'sct-layout';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"#;

/// Runs axe-core with the WCAG 2.2 AA tags and writes the violations into the DOM.
const AXE_RUN: &str = r#"
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  resultTypes: ['violations']
}).then(function (r) {
  var pre = document.createElement('pre');
  pre.id = 'sct-axe';
  pre.textContent = JSON.stringify(r.violations.map(function (v) {
    return v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 5).map(function (n) { return n.target.join(' '); }).join(' | ');
  }));
  document.body.appendChild(pre);
});
"#;

/// The page box a page declares for print, in millimetres: (width, height, margin).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageBox {
    /// Paper width.
    pub width_mm: f64,
    /// Paper height.
    pub height_mm: f64,
    /// The margin on each side.
    pub margin_mm: f64,
}

impl PageBox {
    /// The printable width in CSS pixels (96 to the inch).
    pub fn content_px(&self) -> u32 {
        ((self.width_mm - 2.0 * self.margin_mm) / 25.4 * 96.0).floor() as u32
    }
}

/// The `@page` rule of a page: its size (A4, portrait unless `landscape`) and margin in mm.
/// The last rule wins, as in CSS.
pub fn declared_page(html: &str) -> PageBox {
    let rule = html
        .rsplit("@page")
        .next()
        .filter(|_| html.contains("@page"))
        .and_then(|r| r.split('}').next())
        .unwrap_or_else(|| panic!("the page declares no @page size"));
    let field = |name: &str| {
        rule.split(';')
            .find_map(|d| d.trim().trim_start_matches('{').trim().strip_prefix(name))
            .map(|v| v.trim_start_matches(':').trim().to_string())
    };
    let size = field("size").expect("@page size");
    assert!(size.starts_with("A4"), "@page size {size:?} is not A4");
    let (width_mm, height_mm) = if size.contains("landscape") {
        (297.0, 210.0)
    } else {
        (210.0, 297.0)
    };
    let margin_mm = field("margin")
        .and_then(|m| m.strip_suffix("mm").and_then(|v| v.trim().parse().ok()))
        .expect("@page margin in mm");
    PageBox {
        width_mm,
        height_mm,
        margin_mm,
    }
}

fn chromium(browser: &Path, work: &Path, page: &Path, extra: &[String]) -> String {
    let mut flags = vec!["--hide-scrollbars".to_string()];
    flags.extend_from_slice(extra);
    super::browser::run(browser, &work.join("layout-profile"), page, &flags)
}

/// The JSON list a script wrote into `<pre id="ID">`.
fn written(dom: &str, id: &str) -> Vec<String> {
    let open = format!("<pre id=\"{id}\">");
    let text = dom
        .split(&open)
        .nth(1)
        .and_then(|t| t.split("</pre>").next())
        .unwrap_or_else(|| panic!("the injected script wrote no #{id}"));
    let json = text
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    serde_json::from_str(&json).expect("a JSON list of strings")
}

/// A copy of `page` in `work` with `script` run at the end of its body.
fn with_script(work: &Path, page: &Path, name: &str, html: &str, script: &str) -> PathBuf {
    let copy = work.join(name);
    let at = html.rfind("</body>").unwrap_or_else(|| {
        panic!("{} has no </body>", page.display());
    });
    let text = format!("{}<script>{script}</script>{}", &html[..at], &html[at..]);
    std::fs::write(&copy, text).expect("write the page's copy");
    copy
}

/// axe-core's script, or `None` (with a note) outside CI when `npm ci` has not installed it.
pub fn axe_or_skip() -> Option<String> {
    let path = root().join("tests/browser/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(axe) => Some(axe),
        Err(_) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "axe-core is required under CI (.ci/run installs it with npm ci in tests/browser)"
            );
            eprintln!(
                "skipped the accessibility check: axe-core is not installed (cd tests/browser && npm ci); CI runs it"
            );
            None
        }
    }
}

/// What the checks found wrong with one page, in words (empty: nothing).
#[derive(Debug, Default)]
pub struct Findings {
    /// Elements past the viewport at 1280 px outside a focusable scroll region.
    pub screen: Vec<String>,
    /// Elements past the printable width of the declared page.
    pub print: Vec<String>,
    /// axe-core's violations (empty when axe-core was not run).
    pub axe: Vec<String>,
}

/// Measures `page` on screen at 1280 px (and runs `axe` in the same visit when given), then
/// with its print styles at the printable width of its declared page.
pub fn check(browser: &Path, work: &Path, page: &Path, axe: Option<&str>) -> Findings {
    let html = std::fs::read_to_string(page).expect("read the page");
    let measure = MEASURE.replace("STRICT", "false");
    let script = match axe {
        Some(axe) => format!("{measure}\n{axe}\n{AXE_RUN}"),
        None => measure,
    };
    let screen = with_script(work, page, "layout-screen.html", &html, &script);
    let dom = chromium(
        browser,
        work,
        &screen,
        &[
            format!("--window-size={SCREEN_WIDTH},1400"),
            "--virtual-time-budget=60000".to_string(),
            "--dump-dom".to_string(),
        ],
    );
    let mut findings = Findings {
        screen: written(&dom, "sct-layout"),
        ..Findings::default()
    };
    if axe.is_some() {
        findings.axe = written(&dom, "sct-axe");
    }
    // Print styles as the screen's (what Chromium applies when it prints), at the page box's
    // width: a width media query then answers as it does for the page.
    let printed = html
        .replace("@media print", "@media all")
        .replace("@media screen", "@media not all");
    let width = declared_page(&html).content_px();
    let print = with_script(
        work,
        page,
        "layout-print.html",
        &printed,
        &MEASURE.replace("STRICT", "true"),
    );
    let dom = chromium(
        browser,
        work,
        &print,
        &[
            format!("--window-size={width},1400"),
            "--dump-dom".to_string(),
        ],
    );
    findings.print = written(&dom, "sct-layout");
    findings
}

/// The `pdftotext` and `pdfinfo` tools (poppler-utils), or `None` (with a note) outside CI.
pub fn poppler_or_skip() -> Option<()> {
    let found = Command::new("pdftotext").arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "pdftotext is required under CI (.ci/run installs poppler-utils)"
        );
        eprintln!(
            "skipped the printed check: pdftotext is not installed (apt-get install poppler-utils)"
        );
        return None;
    }
    Some(())
}

/// Prints `page` to PDF as a reader would (no header or footer); returns the text of each
/// page and the size of the first, in points.
pub fn print(browser: &Path, work: &Path, page: &Path) -> (Vec<String>, (f64, f64)) {
    let pdf = work.join("printed.pdf");
    chromium(
        browser,
        work,
        page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_string(),
        ],
    );
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    let pages: Vec<String> = String::from_utf8_lossy(&text.stdout)
        .split('\u{c}')
        .map(str::to_string)
        .filter(|p| !p.trim().is_empty())
        .collect();
    let info = Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("run pdfinfo");
    let info = String::from_utf8_lossy(&info.stdout);
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .and_then(|s| {
            let mut n = s.split_whitespace();
            let w = n.next()?.parse().ok()?;
            n.next();
            let h = n.next()?.parse().ok()?;
            Some((w, h))
        })
        .expect("pdfinfo gives the page size");
    (pages, size)
}

/// Checks a PDF's page size against the declared page box (within a point).
pub fn assert_page_size(size: (f64, f64), page: PageBox, what: &str) {
    let pt = |mm: f64| mm / 25.4 * 72.0;
    assert!(
        (size.0 - pt(page.width_mm)).abs() < 1.0 && (size.1 - pt(page.height_mm)).abs() < 1.0,
        "{what}: printed on {size:?} pt, declared {page:?}"
    );
}

/// The words of a text: its runs of letters (a hyphen, an apostrophe or a digit ends a word, so
/// "co-production" is two words and a line broken at its hyphen loses none).
pub fn words(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The words of an HTML page's text (its style, script and tags removed, so only what a reader
/// sees counts).
pub fn page_words(html: &str) -> std::collections::BTreeSet<String> {
    let mut text = String::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        text.push_str(&rest[..at]);
        text.push(' ');
        let tail = &rest[at..];
        let block = ["<style", "<script"]
            .iter()
            .find(|open| tail.starts_with(**open))
            .map(|open| format!("</{}>", &open[1..]));
        let end = match block {
            Some(close) => tail.find(&close).map(|e| e + close.len()),
            None => tail.find('>').map(|e| e + 1),
        };
        rest = &tail[end.unwrap_or(tail.len())..];
    }
    text.push_str(rest);
    words(&text)
}

/// The printed words of `printed` that are no word of the page: the pieces of a word broken
/// mid-word at a line's end ("Embedd" of "Embedding").
pub fn broken_words(printed: &str, page: &std::collections::BTreeSet<String>) -> Vec<String> {
    words(printed)
        .into_iter()
        .filter(|w| !page.contains(w))
        .collect()
}

/// Lists each table matching SELECTOR whose scroll region (the nearest ancestor that scrolls
/// sideways, or the table itself) is wider inside than it shows: a reader must scroll to see
/// its last columns.
const SCROLLED: &str = r#"
(function () {
  var out = [];
  document.querySelectorAll('SELECTOR').forEach(function (t, i) {
    var box = t;
    for (var p = t.parentElement; p && p !== document.body; p = p.parentElement) {
      var s = getComputedStyle(p);
      if (s.overflowX === 'auto' || s.overflowX === 'scroll') { box = p; break; }
    }
    var shown = Math.max(box.clientWidth, 1);
    if (t.scrollWidth > t.clientWidth || box.scrollWidth > shown) {
      var caption = t.querySelector('caption');
      out.push('table ' + (i + 1) + ' (' + (caption ? caption.textContent.trim() : 'no caption') +
        '): ' + Math.max(t.scrollWidth, box.scrollWidth) + ' px wide in ' + shown + ' px');
    }
  });
  var pre = document.createElement('pre');
  pre.id = 'sct-scrolled';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"#;

/// The tables of `page` matching `selector` that a reader must scroll sideways to read whole
/// at 1280 px (empty: every one fits).
pub fn scrolled_tables(browser: &Path, work: &Path, page: &Path, selector: &str) -> Vec<String> {
    let html = std::fs::read_to_string(page).expect("read the page");
    let script = SCROLLED.replace("SELECTOR", selector);
    let copy = with_script(work, page, "layout-scrolled.html", &html, &script);
    let dom = chromium(
        browser,
        work,
        &copy,
        &[
            format!("--window-size={SCREEN_WIDTH},1400"),
            "--dump-dom".to_string(),
        ],
    );
    written(&dom, "sct-scrolled")
}

/// The fill of a run chart's shaded band (its longest run), as the SPC charts write it.
const RUN_BAND: &str = "fill=\"#E8EDEE\"";

/// The SPC charts of an HTML page that shade a run chart's longest run, and of those the ones
/// whose band a reader is not told about: a chart's description (`<desc>`) must say what the
/// band is, and so must something a sighted reader sees, the chart's own legend or, for a chart
/// without one, the figure's caption or the page's key to its charts.
pub fn run_bands(html: &str) -> (usize, Vec<String>) {
    let mut outside = String::new();
    let mut charts = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<svg") {
        outside.push_str(&rest[..at]);
        let end = rest[at..].find("</svg>").map_or(rest.len(), |e| at + e + 6);
        charts.push((&rest[at..end], &rest[end..]));
        rest = &rest[end..];
    }
    outside.push_str(rest);
    // The page's key: its words outside any figure (a caption explains its own figure only).
    let page_key = outside.split("<figure").enumerate().any(|(i, part)| {
        let text = if i == 0 {
            part
        } else {
            part.split("</figure>").nth(1).unwrap_or("")
        };
        text.contains("shaded band")
    });
    let mut banded = 0;
    let mut unexplained = Vec::new();
    for (svg, after) in charts {
        if !svg.contains(RUN_BAND) || !svg.contains("sct-spc") && !svg.contains("spc-compact") {
            continue;
        }
        banded += 1;
        let title = svg
            .split("<title")
            .nth(1)
            .and_then(|t| t.split('>').nth(1))
            .and_then(|t| t.split('<').next())
            .unwrap_or("an untitled chart")
            .to_string();
        let desc = svg.split("<desc").nth(1).unwrap_or("");
        let legend = svg.contains(">Shaded: longest run");
        let caption = after
            .split("</figure>")
            .next()
            .is_some_and(|f| f.contains("<figcaption") && f.contains("shaded band"));
        if !desc.contains("shaded band") {
            unexplained.push(format!("{title}: its description does not name the band"));
        }
        if !(legend || caption || page_key) {
            unexplained.push(format!("{title}: no legend, caption or key names the band"));
        }
    }
    (banded, unexplained)
}

/// Runs `script` (which writes a JSON list of strings into `<pre id="ID">`) in a copy of
/// `page`: on a screen 1280 px wide, or with its print styles at the printable width of its
/// declared page (`print`). Returns what the script wrote.
pub fn measured(
    browser: &Path,
    work: &Path,
    page: &Path,
    (script, id): (&str, &str),
    print: bool,
) -> Vec<String> {
    let html = std::fs::read_to_string(page).expect("read the page");
    let (html, width, name) = if print {
        let width = declared_page(&html).content_px();
        let printed = html
            .replace("@media print", "@media all")
            .replace("@media screen", "@media not all");
        (printed, width, "measured-print.html")
    } else {
        (html, SCREEN_WIDTH, "measured-screen.html")
    };
    let copy = with_script(work, page, name, &html, script);
    let dom = chromium(
        browser,
        work,
        &copy,
        &[
            format!("--window-size={width},1400"),
            "--dump-dom".to_string(),
        ],
    );
    written(&dom, id)
}
