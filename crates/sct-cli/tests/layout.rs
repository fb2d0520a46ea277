//! Every HTML output laid out for a screen and for paper: at 1280 px nothing runs past the
//! viewport unless a keyboard-focusable scroll region holds it; printed on the page the output
//! declares, nothing is cut or shrunk, and the assessment report's board summary is whole on
//! page 1; axe-core finds no violation of WCAG 2.2 AA. The outputs are made from the README's
//! examples. Chromium, poppler-utils and axe-core are installed by `.ci/run`; without them the
//! tests say so and skip, except under CI.

mod common;

use std::path::{Path, PathBuf};

use common::layout::{self, Findings};
use common::{EXAMPLE, browser, sct};

const INDIVIDUALS: &str = "examples/individuals/bnssg";
const KPIS: &str = "examples/kpi/bnssg-kpis.csv";
const COHORT: &str = "examples/cohort/";

/// Writes `sct ARGS -o DIR/NAME` and returns the file.
fn output(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    sct().args(args).arg("-o").arg(&out).assert().success();
    out
}

/// Runs every check on one output; returns the printed pages' text (empty when poppler is not
/// installed outside CI).
fn laid_out(name: &str, args: &[&str]) -> Vec<String> {
    let Some(chromium) = browser::chromium_or_skip() else {
        return Vec::new();
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let page = output(dir.path(), name, args);
    let axe = layout::axe_or_skip();
    let Findings {
        screen,
        print,
        axe: violations,
    } = layout::check(&chromium, dir.path(), &page, axe.as_deref());
    assert!(
        screen.is_empty(),
        "{args:?} at 1280 px: elements past the viewport outside a focusable scroll region:\n{}",
        screen.join("\n")
    );
    assert!(
        print.is_empty(),
        "{args:?} printed: elements past the page's printable width:\n{}",
        print.join("\n")
    );
    assert!(
        violations.is_empty(),
        "{args:?}: axe-core (WCAG 2.2 AA) violations:\n{}",
        violations.join("\n")
    );
    if layout::poppler_or_skip().is_none() {
        return Vec::new();
    }
    let declared = layout::declared_page(&std::fs::read_to_string(&page).unwrap());
    let (pages, size) = layout::print(&chromium, dir.path(), &page);
    layout::assert_page_size(size, declared, name);
    pages
}

/// The board summary is whole on page 1: its last part is there, and page 2 starts with the
/// section that follows it.
fn assert_summary_on_page_one(pages: &[String]) {
    if pages.is_empty() {
        return;
    }
    assert!(
        pages[0].contains("Board summary") && pages[0].contains("Coverage and confidence"),
        "page 1 lacks the end of the board summary:\n{}",
        pages[0]
    );
    let next = pages.get(1).map(|p| p.trim_start()).unwrap_or("");
    assert!(
        next.starts_with("Capability profile"),
        "page 2 does not start with the capability profile (the summary spilled):\n{next}"
    );
}

#[test]
fn the_assessment_report() {
    let pages = laid_out("report.html", &["report", EXAMPLE]);
    assert_summary_on_page_one(&pages);
}

#[test]
fn the_assessment_report_with_individuals() {
    let pages = laid_out(
        "report.html",
        &["report", EXAMPLE, "--individuals", INDIVIDUALS],
    );
    assert_summary_on_page_one(&pages);
}

/// A moderated and approved response: its sign-off and moderation in brief still leave the
/// board summary whole on page 1.
#[test]
fn the_assessment_report_with_its_sign_off() {
    let pages = laid_out(
        "report.html",
        &["report", "crates/sct-cli/tests/fixtures/team/approved.toml"],
    );
    assert_summary_on_page_one(&pages);
    if let Some(first) = pages.first() {
        assert!(
            first.contains("Status:") && first.contains("Agreement:"),
            "{first}"
        );
    }
}

#[test]
fn the_bundled_team_assessment_report_and_its_moderation_view() {
    let pages = laid_out(
        "report.html",
        &["report", "examples/team-assessment/approved.toml"],
    );
    assert_summary_on_page_one(&pages);
    laid_out(
        "moderation.html",
        &[
            "moderate",
            "examples/team-assessment/raters/rater-strategy.toml",
            "examples/team-assessment/raters/rater-finance.toml",
            "examples/team-assessment/raters/rater-nursing.toml",
            "examples/team-assessment/raters/rater-digital.xlsx",
        ],
    );
}

#[test]
fn the_development_plan() {
    laid_out(
        "plan.html",
        &["plan", EXAMPLE, "--individuals", INDIVIDUALS],
    );
}

/// The development plan's tables break lines between words only: a printed word that is no
/// word of the page is a piece of one broken mid-word ("Embedd" / "ing").
#[test]
fn the_development_plan_breaks_only_between_words() {
    let Some(chromium) = browser::chromium_or_skip() else {
        return;
    };
    if layout::poppler_or_skip().is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let page = output(dir.path(), "plan.html", &["plan", EXAMPLE]);
    let html = std::fs::read_to_string(&page).unwrap();
    let (pages, size) = layout::print(&chromium, dir.path(), &page);
    layout::assert_page_size(size, layout::declared_page(&html), "plan.html");
    let text = pages.join("\n");
    // The tables: from the priorities to the timeline (whose chart is drawn, not wrapped).
    let start = text
        .find("Capabilities by priority")
        .expect("the priorities table");
    let end = text[start..]
        .find("Timeline")
        .map_or(text.len(), |e| start + e);
    let tables = &text[start..end];
    let printed = layout::words(tables);
    for whole in ["Embedding", "Organisational", "Developing"] {
        assert!(
            printed.contains(whole),
            "the printed plan never shows {whole:?} whole:\n{tables}"
        );
    }
    let broken = layout::broken_words(tables, &layout::page_words(&html));
    assert!(
        broken.is_empty(),
        "the printed plan breaks words mid-word: {broken:?}\n{tables}"
    );
}

#[test]
fn the_cohort_comparison() {
    laid_out("cohort.html", &["compare", COHORT]);
}

/// The organisations × domains heatmaps show every column at 1280 px, Coverage included,
/// without scrolling sideways.
#[test]
fn the_cohort_heatmaps_fit_the_screen() {
    let Some(chromium) = browser::chromium_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, args) in [
        ("cohort.html", vec!["compare", COHORT]),
        (
            "region.html",
            vec![
                "compare",
                "examples/cohort/baseline-2026-03",
                "--orgs",
                "examples/cohort/orgs.csv",
                "--group-by",
                "region",
            ],
        ),
    ] {
        let page = output(dir.path(), name, &args);
        let scrolled = layout::scrolled_tables(&chromium, dir.path(), &page, "table.heat.domains");
        assert!(
            scrolled.is_empty(),
            "{args:?} at 1280 px: heatmaps that scroll sideways:\n{}",
            scrolled.join("\n")
        );
    }
}

#[test]
fn the_change_between_rounds() {
    laid_out(
        "change.html",
        &[
            "compare",
            COHORT,
            "--round",
            "reassessment-2027-03",
            "--against",
            "baseline-2026-03",
        ],
    );
}

#[test]
fn the_baseline_cohort_by_region() {
    laid_out(
        "cohort.html",
        &[
            "compare",
            "examples/cohort/baseline-2026-03",
            "--orgs",
            "examples/cohort/orgs.csv",
            "--group-by",
            "region",
        ],
    );
}

#[test]
fn the_kpi_review() {
    laid_out(
        "review.html",
        &[
            "kpi",
            "review",
            "--set",
            "scf-three-timeframes",
            "--data",
            KPIS,
            "--org",
            "QUY",
        ],
    );
}

/// Every output that draws a run chart says what its shaded band is (the longest run on one
/// side of the median): in each chart's description, and where a sighted reader sees it (the
/// chart's legend, its figure's caption or the page's key to its charts).
#[test]
fn every_run_chart_explains_its_shaded_band() {
    let dir = tempfile::tempdir().expect("temporary directory");
    // Two organisations' data (the example's, under a second code) for the compact charts of
    // an IPR of several organisations: its quarterly indicators are run charts.
    let example = std::fs::read_to_string(common::root().join(KPIS)).unwrap();
    let second: String = example
        .lines()
        .skip(1)
        .map(|l| format!("{}\n", l.replacen("QUY,", "QOX,", 1)))
        .collect();
    let two = dir.path().join("two-organisations.csv");
    std::fs::write(&two, format!("{example}{second}")).unwrap();
    let set = ["--set", "scf-three-timeframes"];
    let one = ["--data", KPIS, "--org", "QUY"];
    let all = ["--data", two.to_str().unwrap(), "--orgs", "all"];
    let runs: [(&str, Vec<&str>); 3] = [
        ("review.html", [&["kpi", "review"][..], &set, &one].concat()),
        ("ipr.html", [&["kpi", "ipr"][..], &set, &one].concat()),
        ("ipr-all.html", [&["kpi", "ipr"][..], &set, &all].concat()),
    ];
    for (name, args) in runs {
        let page = output(dir.path(), name, &args);
        let (banded, unexplained) = layout::run_bands(&std::fs::read_to_string(page).unwrap());
        assert!(
            banded > 0,
            "{args:?}: no run chart drawn, so nothing checked"
        );
        assert!(
            unexplained.is_empty(),
            "{args:?}: run charts that do not say what their shaded band is:\n{}",
            unexplained.join("\n")
        );
    }
}

/// A line of a printed IPR table's body: a value of the last three ("2025-09: 68.6",
/// "2024/25 Q4: 20.08") or a row without data. Headings, captions and the header row have
/// neither.
fn is_body_line(line: &str) -> bool {
    let last_three = line.split(": ").skip(1).any(|after| {
        after
            .trim_start_matches('-')
            .starts_with(|c: char| c.is_ascii_digit())
    }) && line.contains(['-', '/']);
    line.contains("No data") || last_three
}

/// No page of a printed IPR ends with a table's caption or header row (or, with several
/// organisations, an indicator's heading row) that has no body row after it on that page.
fn assert_no_orphaned_header(pages: &[String], several: bool) {
    for (n, page) in pages.iter().enumerate() {
        let lines: Vec<&str> = page.lines().collect();
        let last = |is: &dyn Fn(&str) -> bool| lines.iter().rposition(|l| is(l));
        let header = last(&|l| l.contains("Plan or target") && l.contains("Last three"));
        let caption = last(&|l| l.contains("latest period and value, plan, variance"));
        let heading = if several {
            last(&|l| l.trim_end().ends_with("is better") && !is_body_line(l))
        } else {
            None
        };
        for (what, at) in [
            ("header row", header),
            ("caption", caption),
            ("indicator's heading row", heading),
        ] {
            let Some(at) = at else { continue };
            assert!(
                lines[at + 1..].iter().any(|l| is_body_line(l)),
                "page {}: a table's {what} ends the page with no row under it:\n{page}",
                n + 1
            );
        }
    }
}

/// The titles of an IPR's rows, from its JSON output.
fn ipr_titles(args: &[&str]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let json = output(dir.path(), "ipr.json", args);
    let ipr: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    ipr["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .flat_map(|s| s["rows"].as_array().expect("rows").iter())
        .map(|r| r["title"].as_str().expect("a row's title").to_string())
        .collect()
}

/// How many of `titles` page `page` names: a title counts when its first words (as many as
/// fit on one line of the table's first column) are on the page.
fn titles_on(page: &str, titles: &[String]) -> usize {
    let flat = page.split_whitespace().collect::<Vec<_>>().join(" ");
    titles
        .iter()
        .filter(|t| {
            let mut start = String::new();
            for word in t.split_whitespace() {
                if !start.is_empty() && start.len() + word.len() > 20 {
                    break;
                }
                if !start.is_empty() {
                    start.push(' ');
                }
                start.push_str(word);
            }
            page.lines().any(|l| l.contains(&start)) || flat.contains(t.as_str())
        })
        .count()
}

#[test]
fn the_integrated_performance_report() {
    let args = [
        "kpi",
        "ipr",
        "--set",
        "scf-three-timeframes",
        "--data",
        KPIS,
        "--org",
        "QUY",
    ];
    let pages = laid_out("ipr.html", &args);
    if pages.is_empty() {
        return;
    }
    assert_no_orphaned_header(&pages, false);
    // The weekly or monthly table (six indicators) is whole on page 1, under the title and
    // the icon counts: a board reads the leading indicators first.
    let titles = ipr_titles(&args);
    let on_first = titles_on(&pages[0], &titles[..6]);
    assert!(
        on_first >= 6,
        "page 1 names {on_first} of the first 6 indicators:\n{}",
        pages[0]
    );
}

#[test]
fn the_integrated_performance_report_of_every_organisation() {
    let pages = laid_out(
        "ipr-all.html",
        &[
            "kpi",
            "ipr",
            "--set",
            "scf-three-timeframes",
            "--data",
            "examples/cohort/kpis.csv",
            "--orgs",
            "all",
        ],
    );
    assert_no_orphaned_header(&pages, true);
}

/// Each drawn part's scale: its width on the page over its own (viewBox) width.
const PART_SCALES: &str = r#"
(function () {
  var out = [];
  document.querySelectorAll('figure.toc-part svg').forEach(function (svg) {
    out.push(String(svg.getBoundingClientRect().width / svg.viewBox.baseVal.width));
  });
  var pre = document.createElement('pre');
  pre.id = 'sct-scales';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
"#;

/// Smallest text in a drawn part, in its own pixels (`sct_report::toc_diagram::MIN_TEXT_PX`).
const PART_TEXT_PX: f64 = 12.0;

#[test]
fn the_theory_of_change_report() {
    let args = [
        "toc",
        "report",
        "examples/theory-of-change/bnssg-toc.toml",
        "--kpi-data",
        KPIS,
        "--org",
        "QUY",
        "--assessment",
        EXAMPLE,
    ];
    let pages = laid_out("toc.html", &args);
    assert_toc_parts_whole(&pages);
    assert_toc_text_size(&args);
}

/// Every part of the diagram is printed whole on one page: its heading (drawn at its top)
/// and its caption (below it) are on the same page.
fn assert_toc_parts_whole(pages: &[String]) {
    if pages.is_empty() {
        return;
    }
    let count = (1..)
        .take_while(|k| pages.iter().any(|p| p.contains(&format!("Part {k} of "))))
        .count();
    assert!(count >= 2, "the diagram is drawn in parts");
    for k in 1..=count {
        let label = format!("Part {k} of {count}:");
        let on: Vec<(usize, usize)> = pages
            .iter()
            .enumerate()
            .map(|(i, p)| (i + 1, p.matches(&label).count()))
            .filter(|&(_, n)| n > 0)
            .collect();
        assert!(
            on.len() == 1 && on[0].1 >= 2,
            "{label} (heading and caption) on pages {on:?}: the part is cut across pages"
        );
    }
}

/// The diagram's smallest text reads at 12 px or more on a screen 1280 px wide and at 8 pt
/// or more printed on A4.
fn assert_toc_text_size(args: &[&str]) {
    let Some(chromium) = browser::chromium_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temporary directory");
    let page = output(dir.path(), "toc.html", args);
    let scales = |print: bool| -> Vec<f64> {
        layout::measured(
            &chromium,
            dir.path(),
            &page,
            (PART_SCALES, "sct-scales"),
            print,
        )
        .iter()
        .map(|s| s.parse().expect("a number"))
        .collect()
    };
    let screen = scales(false);
    assert!(!screen.is_empty(), "no part measured");
    for s in screen {
        assert!(
            PART_TEXT_PX * s >= 12.0 - 1e-6,
            "text at {:.1} px on screen",
            PART_TEXT_PX * s
        );
    }
    for s in scales(true) {
        let pt = PART_TEXT_PX * s * 72.0 / 96.0;
        assert!(pt >= 8.0 - 1e-6, "text at {pt:.1} pt on A4");
    }
}
