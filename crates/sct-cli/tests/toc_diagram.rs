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
                // Seven columns in three parts of three, one below the other.
                assert!(
                    (560..=780).contains(&w) && (600..3000).contains(&h),
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

/// The bundled 37-node example, relative to this crate.
const BUNDLED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/theory-of-change/bnssg-toc.toml"
);

/// CSS pixels a diagram may take on a page: the report's body is at most 1100 px wide with
/// 24 px of padding on each side (`reports/report.css`), so 1052 px on a screen 1280 px wide;
/// printed on A4 portrait between 12 mm margins, 186 mm = 703 px.
const SCREEN_PX: f64 = 1052.0;
const A4_PX: f64 = 186.0 / 25.4 * 96.0;

/// Every `<svg ...>` element's viewBox width, with the smallest `font-size` inside it.
fn svg_widths_and_smallest_text(doc: &str) -> Vec<(f64, f64)> {
    doc.split("<svg ")
        .skip(1)
        .map(|svg| {
            let svg = &svg[..svg.find("</svg>").unwrap_or(svg.len())];
            let view = attr(svg, "viewBox").expect("a viewBox");
            let width: f64 = view.split(' ').nth(2).unwrap().parse().unwrap();
            let smallest = svg
                .split("font-size=\"")
                .skip(1)
                .map(|s| s[..s.find('"').unwrap()].parse::<f64>().unwrap())
                .fold(f64::INFINITY, f64::min);
            (width, smallest)
        })
        .collect()
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(&tag[at..at + tag[at..].find('"')?])
}

fn points(tag: &str) -> Vec<(f64, f64)> {
    attr(tag, "points")
        .unwrap_or("")
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}

/// The elements of a kind (`polyline`, `polygon`) whose attributes include `with`.
fn shapes<'a>(svg: &'a str, kind: &str, with: &str) -> Vec<&'a str> {
    svg.split(&format!("<{kind} "))
        .skip(1)
        .map(|s| &s[..s.find("/>").unwrap()])
        .filter(|s| s.contains(with))
        .map(|s| s.trim_start())
        .collect()
}

/// A polyline as points about a pixel apart.
fn resample(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = vec![pts[0]];
    for w in pts.windows(2) {
        let len = (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1);
        let steps = (len.ceil() as usize).max(1);
        for k in 1..=steps {
            let t = k as f64 / steps as f64;
            out.push((
                w[0].0 + t * (w[1].0 - w[0].0),
                w[0].1 + t * (w[1].1 - w[0].1),
            ));
        }
    }
    out
}

#[test]
fn the_bundled_example_reads_at_12_px_on_screen_and_8_pt_on_a4() {
    let dir = tempfile::tempdir().unwrap();
    let svg_out = dir.path().join("toc.svg");
    sct()
        .args(["toc", "diagram", BUNDLED, "-o"])
        .arg(&svg_out)
        .assert()
        .success();
    let html_out = dir.path().join("toc.html");
    sct()
        .args(["toc", "report", BUNDLED, "-o"])
        .arg(&html_out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&svg_out).unwrap();
    let html = std::fs::read_to_string(&html_out).unwrap();
    let figures = svg_widths_and_smallest_text(&html);
    // Seven columns in three parts of columns, the first (inputs to outputs) too long for a
    // page and cut in two bands.
    assert_eq!(figures.len(), 4, "seven columns in four parts");
    assert_eq!(html.matches("<figure class=\"toc-part\">").count(), 4);
    assert!(html.contains("Part 2 of 4: Inputs to Outputs, band 2 of 2"));
    for (width, smallest) in figures
        .into_iter()
        .chain(svg_widths_and_smallest_text(&svg))
    {
        let on_screen = smallest * (SCREEN_PX / width).min(1.0);
        let on_a4_pt = smallest * (A4_PX / width).min(1.0) * 72.0 / 96.0;
        assert!(
            on_screen >= 12.0,
            "{on_screen:.1} px on screen ({width} wide)"
        );
        assert!(on_a4_pt >= 8.0, "{on_a4_pt:.1} pt on A4 ({width} wide)");
    }
}

#[test]
fn the_bundled_example_links_never_share_a_stretch_and_arrows_land_on_boxes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("toc.svg");
    sct()
        .args(["toc", "diagram", BUNDLED, "-o"])
        .arg(&out)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&out).unwrap();
    // Links (and the legend's samples) are drawn in the link colour.
    let links: Vec<Vec<(f64, f64)>> = shapes(&svg, "polyline", "stroke=\"#4C6272\"")
        .iter()
        .map(|s| resample(&points(s)))
        .collect();
    assert!(links.len() >= 59, "{} lines", links.len());
    for (i, a) in links.iter().enumerate() {
        for (j, b) in links.iter().enumerate() {
            if i != j {
                let run = sct_toc::layout::shared_run(a, b, 1.5);
                assert!(
                    run <= 24.0,
                    "lines {i} and {j} run together for {run:.0} px"
                );
            }
        }
    }
    // Boxes are filled polygons (white, or the pale grey of a reference); arrowheads are
    // triangles in the link colour, their first point the tip.
    let boxes: Vec<(f64, f64, f64, f64)> = ["#FFFFFF", "#F0F4F5"]
        .iter()
        .flat_map(|fill| shapes(&svg, "polygon", &format!("fill=\"{fill}\"")))
        .map(|s| {
            let p = points(s);
            let xs = p.iter().map(|q| q.0);
            let ys = p.iter().map(|q| q.1);
            (
                xs.clone().fold(f64::INFINITY, f64::min),
                xs.fold(f64::NEG_INFINITY, f64::max),
                ys.clone().fold(f64::INFINITY, f64::min),
                ys.fold(f64::NEG_INFINITY, f64::max),
            )
        })
        .collect();
    let arrows = shapes(&svg, "polygon", "fill=\"#4C6272\"");
    let mut off_border = 0;
    for a in &arrows {
        let tip = points(a)[0];
        let on_border = boxes.iter().any(|&(x0, x1, y0, y1)| {
            ((tip.0 - x0).abs() <= 1.0 || (tip.0 - x1).abs() <= 1.0) && tip.1 >= y0 && tip.1 <= y1
        });
        if !on_border {
            // The legend's samples (one per strength of evidence in each part) lie below
            // the boxes, level with none.
            assert!(
                boxes.iter().all(|&(_, _, y0, y1)| tip.1 < y0 || tip.1 > y1),
                "an arrowhead off every box at {tip:?}"
            );
            off_border += 1;
        }
    }
    // A legend per part: the example is drawn in four.
    assert_eq!(off_border, 4 * 4);
    assert!(arrows.len() >= 59 + 16);
}
