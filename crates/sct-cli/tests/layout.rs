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

#[test]
fn the_development_plan() {
    laid_out(
        "plan.html",
        &["plan", EXAMPLE, "--individuals", INDIVIDUALS],
    );
}

#[test]
fn the_cohort_comparison() {
    laid_out("cohort.html", &["compare", COHORT]);
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

#[test]
fn the_integrated_performance_report() {
    laid_out(
        "ipr.html",
        &[
            "kpi",
            "ipr",
            "--set",
            "scf-three-timeframes",
            "--data",
            KPIS,
            "--org",
            "QUY",
        ],
    );
}

#[test]
fn the_integrated_performance_report_of_every_organisation() {
    laid_out(
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
