//! End-to-end tests of `sct toc check` and `sct toc report` on the bundled template, the
//! BNSSG example, broken copies and hostile input (including the headless-browser check).

mod common;

use std::path::{Path, PathBuf};

use common::{browser, root, sct};
use predicates::prelude::*;
use predicates::str::contains;

const TEMPLATE: &str = "frameworks/theory-of-change/scf-commissioning-toc.toml";
const EXAMPLE_TOC: &str = "examples/theory-of-change/bnssg-toc.toml";
const DATA: &str = "examples/kpi/bnssg-kpis.csv";
const RESPONSE: &str = "examples/baseline-2026-03/bnssg-illustrative.toml";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn copy_with(dir: &Path, name: &str, extra: &str) -> PathBuf {
    let mut text = std::fs::read_to_string(root().join(TEMPLATE)).unwrap();
    text.push_str(extra);
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn line_of(path: &Path, needle: &str) -> usize {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle} not in {}", path.display()))
}

#[test]
fn the_bundled_template_and_example_check_clean() {
    for toc in [TEMPLATE, "scf-commissioning-toc", EXAMPLE_TOC] {
        sct()
            .args(["toc", "check", toc])
            .assert()
            .success()
            .stdout(contains("ok: ").and(contains("0 warnings")))
            .stdout(contains("outcomes measured: 100 %"));
    }
}

#[test]
fn a_cycle_exits_2_naming_its_nodes_and_the_line_of_the_offending_link() {
    let dir = tmp();
    // Two short-term outcomes made to lead to each other: a loop without a backward link.
    let path = copy_with(
        dir.path(),
        "cycle.toml",
        "\n[[links]]\nfrom = \"more-care-at-home\"\nto = \"activity-shifts-to-community\"\nassumption = \"x\"\n\n[[links]]\nfrom = \"activity-shifts-to-community\"\nto = \"more-care-at-home\"\nassumption = \"y\"\n",
    );
    // The `from` lines of the two added links: the cycle is reported at one of them.
    let text = std::fs::read_to_string(&path).unwrap();
    let n = text.lines().count();
    let added = [n - 7, n - 2];
    assert!(
        text.lines()
            .nth(added[0] - 1)
            .unwrap()
            .starts_with("from = ")
    );
    assert!(
        text.lines()
            .nth(added[1] - 1)
            .unwrap()
            .starts_with("from = ")
    );
    let out = sct()
        .args(["toc", "check"])
        .arg(&path)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    let cycle_line = err
        .lines()
        .find(|l| l.starts_with("error: cycle:"))
        .unwrap_or_else(|| panic!("no cycle reported: {err}"));
    assert!(
        cycle_line.contains("more-care-at-home")
            && cycle_line.contains("activity-shifts-to-community"),
        "{cycle_line}"
    );
    let located = err
        .split("error: cycle:")
        .nth(1)
        .and_then(|rest| rest.split("cycle.toml:").nth(1))
        .and_then(|loc| loc.split(':').next())
        .and_then(|l| l.parse::<usize>().ok());
    assert!(
        located.is_some_and(|l| added.contains(&l)),
        "the cycle is located at an added link's line {added:?}: {err}"
    );
    assert!(!err.contains("goes backwards"), "{err}");
}

#[test]
fn unknown_nodes_backward_links_and_unknown_kpis_are_located() {
    let dir = tmp();
    let path = copy_with(
        dir.path(),
        "bad.toml",
        "\n[[links]]\nfrom = \"improved-population-health\"\nto = \"nhs-budget\"\nassumption = \"loop\"\n\n[[links]]\nfrom = \"nhs-budget\"\nto = \"no-such-node\"\nassumption = \"x\"\n\n[[nodes]]\nid = \"extra\"\ntitle = \"Extra\"\ntype = \"outcome-short\"\nindicators = [{ kpi = \"no-such-kpi\", direction = \"increase\" }]\n",
    );
    sct()
        .args(["toc", "check"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains(
            "goes backwards in the chain: from impact to input",
        ))
        .stderr(contains(format!(
            "bad.toml:{}:",
            line_of(&path, "to = \"no-such-node\"")
        )))
        .stderr(contains("no node has this id"))
        .stderr(contains(
            "KPI \"no-such-kpi\", which is not in KPI set \"scf-three-timeframes\"",
        ))
        .stderr(contains("cycle: "));
}

#[test]
fn warnings_for_gaps_in_the_theory_do_not_fail_the_check() {
    let dir = tmp();
    let path = copy_with(
        dir.path(),
        "gaps.toml",
        "\n[[nodes]]\nid = \"orphan-outcome\"\ntitle = \"Orphan\"\ntype = \"outcome-medium\"\n\n[[links]]\nfrom = \"nhs-budget\"\nto = \"integrated-needs-assessment\"\n",
    );
    sct()
        .args(["toc", "check"])
        .arg(&path)
        .assert()
        .success()
        .stderr(contains(
            "outcome-medium \"orphan-outcome\" is not reachable from any input",
        ))
        .stderr(contains("node \"orphan-outcome\" has no path to an impact"))
        .stderr(contains(
            "outcome-medium \"orphan-outcome\" has no indicator",
        ))
        .stderr(contains("states no assumption"));
}

#[test]
fn the_report_gives_statuses_roll_up_and_capabilities() {
    let dir = tmp();
    let out = dir.path().join("toc.json");
    sct()
        .args([
            "toc",
            "report",
            EXAMPLE_TOC,
            "--kpi-data",
            DATA,
            "--org",
            "QUY",
            "--assessment",
            RESPONSE,
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["has_status"], true);
    assert!(v["roll_up_rule"].as_str().unwrap().contains("at risk"));
    let nodes: Vec<&serde_json::Value> = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["nodes"].as_array().unwrap())
        .collect();
    let with_data = nodes.iter().filter(|n| n["status"] != "no-data").count();
    assert!(
        with_data >= 5,
        "KPI data give statuses to several nodes ({with_data})"
    );
    let with_caps = nodes
        .iter()
        .filter(|n| {
            n["capabilities"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["level"].is_string()))
        })
        .count();
    assert!(
        with_caps >= 3,
        "capabilities with levels are listed ({with_caps})"
    );
    assert_eq!(v["provenance"]["kpi_data"]["file"], DATA);
}

#[test]
fn markdown_report_snapshot_and_determinism() {
    let dir = tmp();
    let run = |name: &str| {
        let out = dir.path().join(name);
        sct()
            .args([
                "toc",
                "report",
                EXAMPLE_TOC,
                "--kpi-data",
                DATA,
                "--org",
                "QUY",
                "-o",
            ])
            .arg(&out)
            .assert()
            .success();
        std::fs::read_to_string(out).unwrap()
    };
    let a = run("a.md");
    assert_eq!(a, run("b.md"));
    insta::assert_snapshot!("toc_report_md", a);
}

const HOSTILE: &str =
    "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned2'\">";

/// The report of a theory of change with a hostile node title and assumption, with live
/// status, in headless Chromium: nothing injected runs, the diagram is an image with a title,
/// and the page makes no network request.
#[test]
fn the_html_report_in_a_real_browser() {
    let Some(chromium) = browser::chromium_or_skip() else {
        return;
    };
    let dir = tmp();
    let evil = format!("{HOSTILE:?}");
    // Node titles (after the first [[nodes]]) and an assumption, not the file's own title.
    let original = std::fs::read_to_string(root().join(EXAMPLE_TOC)).unwrap();
    let at = original.find("[[nodes]]").expect("nodes");
    let (head, nodes) = original.split_at(at);
    let text = format!(
        "{head}{}",
        nodes
            .replacen("\ntitle = \"", &format!("\ntitle = {evil} #\""), 2)
            .replacen(
                "\nassumption = \"",
                &format!("\nassumption = {evil} #\""),
                1
            )
    );
    assert!(
        text.contains("<script>"),
        "the theory of change was made hostile"
    );
    let toc = dir.path().join("hostile-toc.toml");
    std::fs::write(&toc, text).unwrap();
    let html = dir.path().join("toc.html");
    sct()
        .args(["toc", "report"])
        .arg(&toc)
        .args([
            "--kpi-data",
            DATA,
            "--org",
            "QUY",
            "--assessment",
            RESPONSE,
            "-o",
        ])
        .arg(&html)
        .assert()
        .success();
    let visit = browser::visit(&chromium, dir.path(), &html);
    let dom = &visit.dom;
    browser::assert_hostile_text_inert(&visit, "Theory of change:");
    // One SVG per part of the diagram, each in a figure of its own.
    let svgs = dom.matches("<svg").count();
    assert!(dom.contains("id=\"diagram\"") && svgs >= 1);
    assert_eq!(dom.matches("<figure class=\"toc-part\"").count(), svgs);
    assert!(
        dom.contains("role=\"img\""),
        "the diagram is an image to assistive technology"
    );
    assert!(dom.contains("Improving") && dom.contains("No significant change"));
    browser::assert_self_contained(&chromium, dir.path(), &visit);
}

#[test]
fn the_diagram_shows_live_status_with_kpi_data() {
    let dir = tmp();
    let out = dir.path().join("toc.svg");
    sct()
        .args([
            "toc",
            "diagram",
            EXAMPLE_TOC,
            "--kpi-data",
            DATA,
            "--org",
            "QUY",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(
        svg.contains("▲ Improving") || svg.contains("Improving"),
        "statuses drawn in words"
    );
    let plain = dir.path().join("plain.svg");
    sct()
        .args(["toc", "diagram", EXAMPLE_TOC, "-o"])
        .arg(&plain)
        .assert()
        .success();
    assert!(
        !std::fs::read_to_string(&plain)
            .unwrap()
            .contains("Improving")
    );
}

#[test]
fn dot_and_mermaid_exports_of_the_template_are_pinned() {
    let run = |format: &str| {
        let out = sct()
            .args([
                "toc",
                "diagram",
                "scf-commissioning-toc",
                "--format",
                format,
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    };
    insta::assert_snapshot!("toc_template_dot", run("dot"));
    insta::assert_snapshot!("toc_template_mmd", run("mmd"));
}
