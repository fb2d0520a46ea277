//! End-to-end tests of `sct toc diagram`: SVG, PNG, DOT and Mermaid from one theory of change,
//! byte-identical on rerun, refusing to overwrite without --force, and a cycle rejected.

mod common;

use common::sct;
use predicates::str::contains;

/// A chain through all seven columns, with links that cross in file order, a link that skips
/// columns, one within a column, and a hostile title.
const TOC: &str = r#"kind = "theory-of-change"
id = "diagram-test"
version = "1.0.0"
title = "Diagram test <script>alert(1)</script>"
source = "Test fixture"
status = "example"

[[nodes]]
id = "money"
title = "Money and people"
type = "input"

[[nodes]]
id = "data"
title = "Linked data"
type = "input"

[[nodes]]
id = "needs"
title = "Integrated needs assessment"
type = "activity"

[[nodes]]
id = "intentions"
title = "Commissioning \"intentions\" </text><script>alert(2)</script> {x} [y]"
type = "activity"

[[nodes]]
id = "contracts"
title = "New contracts"
type = "output"

[[nodes]]
id = "pathways"
title = "New pathways"
type = "output"

[[nodes]]
id = "shift"
title = "Activity out of hospital"
type = "outcome-short"
indicators = [{ measure = "local/shift", direction = "increase" }]

[[nodes]]
id = "admissions"
title = "Fewer emergency admissions"
type = "outcome-medium"
indicators = [{ measure = "local/admissions", direction = "decrease" }]

[[nodes]]
id = "hle"
title = "Healthy life expectancy"
type = "outcome-long"
indicators = [{ measure = "local/hle", direction = "increase" }]

[[nodes]]
id = "health"
title = "Better population health"
type = "impact"
indicators = [{ measure = "local/health", direction = "increase" }]

[[links]]
from = "money"
to = "intentions"
assumption = "Money funds commissioning"
evidence = "weak"

[[links]]
from = "data"
to = "needs"
assumption = "Data make the assessment"
evidence = "strong"

[[links]]
from = "needs"
to = "intentions"
assumption = "Needs shape intentions"
evidence = "moderate"

[[links]]
from = "needs"
to = "pathways"
assumption = "Needs shape pathways"

[[links]]
from = "intentions"
to = "contracts"
assumption = "Intentions become contracts"

[[links]]
from = "contracts"
to = "shift"
assumption = "Contracts move activity"
evidence = "moderate"

[[links]]
from = "pathways"
to = "shift"
assumption = "Pathways move activity"

[[links]]
from = "data"
to = "shift"
assumption = "Data find the cohorts"
evidence = "weak"

[[links]]
from = "shift"
to = "admissions"
assumption = "Care at home avoids admissions"

[[links]]
from = "admissions"
to = "hle"
assumption = "Fewer crises, longer healthy lives"

[[links]]
from = "hle"
to = "health"
assumption = "The impact"
"#;

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn writes_svg_png_dot_and_mermaid_byte_identical_on_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let toc = write(&dir, "toc.toml", TOC);
    for ext in ["svg", "png", "dot", "mmd"] {
        let out = dir.path().join(format!("toc.{ext}"));
        sct()
            .args(["toc", "diagram"])
            .arg(&toc)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        let first = std::fs::read(&out).unwrap();
        sct()
            .args(["toc", "diagram"])
            .arg(&toc)
            .arg("-o")
            .arg(&out)
            .arg("--force")
            .assert()
            .success();
        assert_eq!(
            first,
            std::fs::read(&out).unwrap(),
            "{ext} differs on rerun"
        );
        match ext {
            "svg" => {
                let svg = String::from_utf8(first).unwrap();
                assert!(svg.starts_with("<svg ") && svg.contains(r#"role="img""#));
                assert!(!svg.contains("<script"), "user text is escaped");
                assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
                for heading in [
                    "Inputs",
                    "Activities",
                    "Outputs",
                    "Short-term outcomes",
                    "Medium-term outcomes",
                    "Long-term outcomes",
                    "Impact",
                ] {
                    assert!(svg.contains(&format!("\n{heading}\n")), "{heading}");
                }
                assert!(svg.contains("drawn left to right in 7 columns"));
            }
            "png" => {
                assert!(first.starts_with(b"\x89PNG\r\n\x1a\n"));
                // The IHDR chunk: width and height, big-endian, at bytes 16..24.
                let w = u32::from_be_bytes(first[16..20].try_into().unwrap());
                let h = u32::from_be_bytes(first[20..24].try_into().unwrap());
                assert!(
                    (1000..3000).contains(&w) && (200..2000).contains(&h),
                    "{w}×{h}"
                );
            }
            "dot" => {
                let dot = String::from_utf8(first).unwrap();
                assert!(dot.starts_with("digraph \"diagram-test\" {"));
                assert!(dot.contains("rankdir=LR"));
                assert!(dot.contains("subgraph cluster_outcome_long {"));
                assert!(dot.contains("\\\"intentions\\\""), "{dot}");
                assert!(dot.contains(
                    "\"data\" -> \"needs\" [label=\"strong\", penwidth=3.5, tooltip=\"Data make the assessment\"];"
                ));
                assert!(dot.trim_end().ends_with('}'));
            }
            "mmd" => {
                let mmd = String::from_utf8(first).unwrap();
                assert!(mmd.contains("\nflowchart LR\n"));
                assert!(mmd.contains("  subgraph col_impact[\"Impact\"]\n"));
                assert!(mmd.contains("#quot;intentions#quot; #lt;/text#gt;#lt;script#gt;"));
                assert!(!mmd.contains("<script"));
                assert!(mmd.contains("n_data ==>|strong| n_needs"));
                assert_eq!(
                    mmd.matches("\n  subgraph ").count(),
                    mmd.matches("\n  end\n").count()
                );
            }
            _ => unreachable!(),
        }
    }
}

#[test]
fn format_flag_overrides_the_extension_and_stdout_works() {
    let dir = tempfile::tempdir().unwrap();
    let toc = write(&dir, "toc.toml", TOC);
    let out = dir.path().join("diagram.txt");
    sct()
        .args(["toc", "diagram"])
        .arg(&toc)
        .args(["--format", "mmd", "-o"])
        .arg(&out)
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("flowchart LR")
    );
    sct()
        .args(["toc", "diagram"])
        .arg(&toc)
        .args(["--format", "dot"])
        .assert()
        .success()
        .stdout(contains("digraph \"diagram-test\""));
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let toc = write(&dir, "toc.toml", TOC);
    let out = write(&dir, "toc.svg", "keep me");
    sct()
        .args(["toc", "diagram"])
        .arg(&toc)
        .arg("-o")
        .arg(&out)
        .assert()
        .failure()
        .stderr(contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    // Never over the input, even with --force.
    sct()
        .args(["toc", "diagram"])
        .arg(&toc)
        .args(["--format", "svg", "--force", "-o"])
        .arg(&toc)
        .assert()
        .failure();
    assert_eq!(std::fs::read_to_string(&toc).unwrap(), TOC);
}

#[test]
fn a_theory_with_a_cycle_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let cyclic = format!(
        "{TOC}\n[[links]]\nfrom = \"intentions\"\nto = \"needs\"\nassumption = \"Back again\"\n"
    );
    let toc = write(&dir, "cycle.toml", &cyclic);
    let out = dir.path().join("cycle.svg");
    sct()
        .args(["toc", "diagram"])
        .arg(&toc)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("cycle"))
        .stderr(contains("needs"))
        .stderr(contains("intentions"));
    assert!(!out.exists(), "nothing is written");
}
