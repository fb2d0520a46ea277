//! End-to-end tests of `sct report` and `sct chart`, including a real headless browser.

mod common;

use std::path::{Path, PathBuf};

use common::{EXAMPLE, browser, root, sct};
use predicates::prelude::*;
use predicates::str::contains;

const INDIVIDUALS: &str = "examples/individuals/bnssg";
const HOSTILE: &str =
    "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned2'\">";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn report_to(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    sct()
        .args(["report", EXAMPLE])
        .args(extra)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

/// A copy of the example whose user-supplied strings try to inject markup.
fn hostile_example(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    let evil = format!("{HOSTILE:?}");
    let text = text
        .replacen("evidence = [\"", &format!("evidence = [{evil}, \""), 1)
        .replacen("rationale = \"", &format!("rationale = {evil} #\""), 1)
        .replacen("notice = \"", "notice = \"<b>bold</b> | *star* ", 1);
    let path = dir.join("hostile.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_html_report_holds_every_section_and_is_self_contained() {
    let dir = tmp();
    let html = std::fs::read_to_string(report_to(
        dir.path(),
        "r.html",
        &["--individuals", INDIVIDUALS],
    ))
    .unwrap();
    for needle in [
        "<html lang=\"en-GB\">",
        "id=\"summary\"",
        "Board summary",
        "Top strengths",
        "Top gaps to target",
        "Milestones at risk or missed",
        "Capability profile",
        "Capabilities by domain",
        "id=\"milestones\"",
        "id=\"individuals\"",
        "id=\"method\"",
        "id=\"provenance\"",
        "sha256",
        "@media print",
        "ILLUSTRATIVE DATA",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    assert_eq!(html.matches("<h1").count(), 1, "exactly one h1");
    // The radar and one bar chart per domain, each with a title and description.
    assert_eq!(html.matches("<svg").count(), 12);
    assert_eq!(html.matches("role=\"img\"").count(), 12);
    assert!(html.matches("<desc").count() >= 12);
    // Self-contained: no external resources, no scripts.
    for bad in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(http",
    ] {
        assert!(!html.contains(bad), "found {bad:?}");
    }
    // Every table header cell says what it heads.
    assert_eq!(html.matches("<th>").count(), 0);
    assert_eq!(
        html.matches("<th ").count(),
        html.matches("<th scope=").count()
    );
    // The top-level rating without evidence is flagged.
    assert!(html.contains("rated without evidence: validate before relying on it"));
    // The analysts' role group has 3 people and is withheld.
    assert!(html.contains("Withheld: fewer than 5 people"));
}

#[test]
fn user_strings_are_escaped_in_html_and_markdown() {
    let dir = tmp();
    let hostile = hostile_example(dir.path());
    let html_path = dir.path().join("h.html");
    sct()
        .args(["report"])
        .arg(&hostile)
        .arg("-o")
        .arg(&html_path)
        .assert()
        .success();
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(
        !html.contains("<script>document"),
        "script tag left unescaped"
    );
    assert!(!html.contains("<img src=x"), "img tag left unescaped");
    assert!(!html.contains("<b>bold</b>"));
    assert!(html.contains("&lt;script&gt;document.title="));
    let md_path = dir.path().join("h.md");
    sct()
        .args(["report"])
        .arg(&hostile)
        .arg("-o")
        .arg(&md_path)
        .assert()
        .success();
    let md = std::fs::read_to_string(&md_path).unwrap();
    assert!(!md.contains("<script>") && !md.contains("<img") && !md.contains("<b>"));
    assert!(md.contains("&lt;script&gt;") && md.contains("\\*star\\*"));
}

#[test]
fn markdown_and_html_snapshots() {
    let dir = tmp();
    let md = std::fs::read_to_string(report_to(
        dir.path(),
        "r.md",
        &["--individuals", INDIVIDUALS],
    ))
    .unwrap();
    insta::assert_snapshot!("report_md", md);
    let html = std::fs::read_to_string(report_to(dir.path(), "r.html", &[])).unwrap();
    insta::assert_snapshot!("report_html", html);
}

#[test]
fn json_and_csv_reports() {
    let dir = tmp();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(report_to(dir.path(), "r.json", &[])).unwrap())
            .unwrap();
    assert_eq!(
        json["schema"], "sct-score/1",
        "the scoring JSON's fields are kept"
    );
    assert_eq!(
        json["report"]["summary"]["strengths"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(json["report"]["generated_at"], "2026-03-20");
    let csv = std::fs::read_to_string(report_to(dir.path(), "r.csv", &[])).unwrap();
    assert_eq!(
        csv.lines().count(),
        51,
        "a header and one row per capability"
    );
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .starts_with("ods_code,round,domain_section")
    );
}

#[test]
fn reports_and_charts_are_byte_identical_on_rerun() {
    let dir = tmp();
    for (name, extra) in [
        ("a.html", vec![]),
        ("a.md", vec!["--individuals", INDIVIDUALS]),
    ] {
        let a = report_to(dir.path(), name, &extra);
        let b = report_to(dir.path(), &format!("b-{name}"), &extra);
        assert_eq!(
            std::fs::read(a).unwrap(),
            std::fs::read(b).unwrap(),
            "{name}"
        );
    }
    for (kind, ext, extra) in [
        ("radar", "svg", vec![]),
        ("radar", "png", vec![]),
        ("bars", "svg", vec!["--domain", "evaluating-impact"]),
        ("bars", "png", vec!["--domain", "evaluating-impact"]),
    ] {
        let a = dir.path().join(format!("{kind}-1.{ext}"));
        let b = dir.path().join(format!("{kind}-2.{ext}"));
        for p in [&a, &b] {
            sct()
                .args(["chart", kind, EXAMPLE])
                .args(&extra)
                .arg("-o")
                .arg(p)
                .assert()
                .success();
        }
        let bytes = std::fs::read(&a).unwrap();
        assert_eq!(bytes, std::fs::read(&b).unwrap(), "{kind}.{ext}");
        if ext == "png" {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        } else {
            assert!(String::from_utf8(bytes).unwrap().contains("<title"));
        }
    }
}

#[test]
fn the_report_is_dated_from_the_response_or_as_of_never_the_clock() {
    let dir = tmp();
    let md =
        std::fs::read_to_string(report_to(dir.path(), "r.md", &["--as-of", "2026-06-30"])).unwrap();
    assert!(md.contains("dated 2026-06-30"));
    // As of 30 June the narrative milestone (due 15 May) is missed unless complete.
    assert!(md.contains("**missed**"), "{md}");
}

#[test]
fn chart_bars_needs_a_known_domain() {
    sct()
        .args(["chart", "bars", EXAMPLE])
        .assert()
        .code(2)
        .stderr(contains("--domain").and(contains("evaluating-impact")));
    sct()
        .args(["chart", "bars", EXAMPLE, "--domain", "nope"])
        .assert()
        .code(2)
        .stderr(contains("\"nope\" is not a domain"));
}

#[test]
fn a_users_templates_restyle_the_report_and_broken_ones_are_located() {
    let dir = tmp();
    std::fs::write(
        dir.path().join("report.md"),
        "# Custom: {{ report.title | md }}\nOverall {{ report.summary.overall_level_name }}\n",
    )
    .unwrap();
    let out = dir.path().join("custom.md");
    sct()
        .args(["report", EXAMPLE, "--template-dir"])
        .arg(dir.path())
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("# Custom: Strategic commissioning capability"),
        "{text}"
    );
    std::fs::write(dir.path().join("report.html"), "<p>\n{% for x in %}\n").unwrap();
    sct()
        .args(["report", EXAMPLE, "--format", "html", "--template-dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            contains("report.html")
                .and(contains(dir.path().display().to_string()))
                .and(contains("2:")),
        );
}

/// A user's template that would recurse or grow without end (it once aborted the process on
/// a stack overflow or an allocation) is refused with an error naming its file (exit status
/// 2), and nothing is written.
#[test]
fn a_template_that_recurses_or_grows_without_end_is_refused_naming_its_file() {
    let nested_ifs = format!(
        "{}x{}",
        "{% if true %}".repeat(200),
        "{% endif %}".repeat(200)
    );
    let long_sum = format!("{{{{ 1{} }}}}", " + 1".repeat(5000));
    let cases: [(&str, &str, &str); 10] = [
        (
            "an include of itself",
            r#"{% include "report.md" %}"#,
            "rendering would never end: `report.md` → `report.md`",
        ),
        (
            "an import of itself",
            r#"{% import "report.md" as me %}x"#,
            "rendering would never end: `report.md` → `report.md`",
        ),
        (
            "a macro calling itself",
            "{% macro m(n) %}{{ self::m(n=n) }}{% endmacro m %}{{ self::m(n=1) }}",
            "macro `m` of `report.md` → macro `m` of `report.md`",
        ),
        (
            "macros calling each other",
            "{% macro a() %}{{ self::b() }}{% endmacro a %}{% macro b() %}{% if true %}{{ self::a() }}{% endif %}{% endmacro b %}{{ self::a() }}",
            "macro `a` of `report.md` → macro `b` of `report.md` → macro `a` of `report.md`",
        ),
        (
            "a huge range",
            "{% for i in range(end=100000000000) %}{% endfor %}",
            "`range` of 100000000000 numbers, more than the 100000 allowed in one call",
        ),
        (
            "a range that never ends",
            "{% for i in range(end=10, step_by=0) %}{% endfor %}",
            "`range` with step_by=0 never ends",
        ),
        (
            "a value doubled in a loop",
            r#"{% set_global s = "ab" %}{% for i in range(end=64) %}{% set_global s = s ~ s %}{% endfor %}{{ s }}"#,
            "a value kept with `set` is larger than the",
        ),
        (
            "a loop in a macro",
            "{% macro m() %}{% for i in range(end=3) %}x{% endfor %}{% endmacro m %}{{ self::m() }}",
            "macro `m` holds a `for` loop",
        ),
        (
            "blocks nested deep",
            &nested_ifs,
            "nest 25 deep, more than the 24 allowed",
        ),
        (
            "an expression nested deep",
            &long_sum,
            "a tag of 20003 characters, more than the 512 allowed",
        ),
    ];
    for (case, template, expected) in cases {
        let dir = tmp();
        let templates = dir.path().join("templates");
        std::fs::create_dir(&templates).unwrap();
        std::fs::write(templates.join("report.md"), template).unwrap();
        let out = dir.path().join("out.md");
        let run = sct()
            .args(["report", EXAMPLE, "--template-dir"])
            .arg(&templates)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{case}: {err}");
        let file = templates.join("report.md").display().to_string();
        assert!(err.contains(&format!("template {file}: ")), "{case}: {err}");
        assert!(
            err.contains(expected),
            "{case}: expected {expected:?} in {err}"
        );
        assert!(!out.exists(), "{case}: an output was written");
    }
}

/// The bounds stop only what would not end: a user's template may loop over a range, keep
/// values, call macros that call macros, and use `replace` and `join`, and renders exactly.
#[test]
fn a_bounded_template_still_renders_ranges_sets_and_macro_calls() {
    let dir = tmp();
    std::fs::write(
        dir.path().join("report.md"),
        concat!(
            "{% macro item(n) %}[{{ n }}]{% endmacro item %}",
            "{% macro pair(n) %}{{ self::item(n=n) }}{{ self::item(n=n * 10) }}{% endmacro pair %}",
            "{% set_global acc = \"\" %}",
            "{% for i in range(start=1, end=4) %}{% set_global acc = acc ~ i %}{{ self::pair(n=i) }}{% endfor %}\n",
            "{{ acc }} {{ range(end=3) | join(sep=\"-\") }} {{ \"a.b.c\" | replace(from=\".\", to=\"/\") }}\n",
        ),
    )
    .unwrap();
    let out = dir.path().join("out.md");
    sct()
        .args(["report", EXAMPLE, "--template-dir"])
        .arg(dir.path())
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "[1][10][2][20][3][30]\n123 0-1-2 a/b/c\n"
    );
}

/// A copy of every bundled template, used through `--template-dir` (and so bounded and
/// checked), renders byte for byte what the bundled ones do.
#[test]
fn copies_of_the_bundled_templates_render_the_same_under_the_bounds() {
    let dir = tmp();
    let copy = dir.path().join("templates");
    std::fs::create_dir(&copy).unwrap();
    for entry in std::fs::read_dir(root().join("reports")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
        }
    }
    let runs: [(&[&str], &str); 6] = [
        (&["report", EXAMPLE], "md"),
        (&["report", EXAMPLE], "html"),
        (
            &[
                "kpi",
                "review",
                "--data",
                "examples/kpi/bnssg-kpis.csv",
                "--org",
                "QUY",
            ],
            "html",
        ),
        (
            &[
                "kpi",
                "review",
                "--data",
                "examples/kpi/bnssg-kpis.csv",
                "--org",
                "QUY",
            ],
            "md",
        ),
        (
            &[
                "kpi",
                "ipr",
                "--data",
                "examples/kpi/bnssg-kpis.csv",
                "--org",
                "QUY",
            ],
            "html",
        ),
        (
            &[
                "kpi",
                "ipr",
                "--data",
                "examples/kpi/bnssg-kpis.csv",
                "--org",
                "QUY",
            ],
            "md",
        ),
    ];
    for (i, (args, ext)) in runs.iter().enumerate() {
        let bundled = dir.path().join(format!("{i}-bundled.{ext}"));
        let copied = dir.path().join(format!("{i}-copied.{ext}"));
        sct().args(*args).arg("-o").arg(&bundled).assert().success();
        sct()
            .args(*args)
            .arg("--template-dir")
            .arg(&copy)
            .arg("-o")
            .arg(&copied)
            .assert()
            .success();
        assert!(
            std::fs::read(&bundled).unwrap() == std::fs::read(&copied).unwrap(),
            "{args:?} {ext}: the copies render differently"
        );
    }
}

#[test]
fn individuals_of_another_organisation_are_refused() {
    let dir = tmp();
    let text = std::fs::read_to_string(root().join(INDIVIDUALS).join("person-01.toml"))
        .unwrap()
        .replace("ods_code = \"QUY\"", "ods_code = \"QR1\"");
    std::fs::write(dir.path().join("p.toml"), text).unwrap();
    sct()
        .args(["report", EXAMPLE, "--individuals"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("for organisation \"QR1\", not QUY"));
}

/// Renders the report (with hostile user strings) in headless Chromium: no injected script
/// runs, charts and the board summary are there, and the page makes no network request.
#[test]
fn the_html_report_in_a_real_browser() {
    let Some(browser) = browser::chromium_or_skip() else {
        return;
    };
    let dir = tmp();
    let hostile = hostile_example(dir.path());
    let html = dir.path().join("report.html");
    sct()
        .args(["report"])
        .arg(&hostile)
        .args(["--individuals", INDIVIDUALS, "-o"])
        .arg(&html)
        .assert()
        .success();
    let visit = browser::visit(&browser, dir.path(), &html);
    let dom = &visit.dom;
    // The injected script and onerror handler would both rename the document.
    browser::assert_hostile_text_inert(&visit, "Strategic commissioning capability");
    assert!(dom.contains("id=\"summary\"") && dom.contains("Board summary"));
    assert_eq!(dom.matches("<svg").count(), 12);
    assert!(
        dom.matches("<title id=").count() >= 12,
        "every chart has a title"
    );
    browser::assert_self_contained(&browser, dir.path(), &visit);
}
