//! The outputs written straight into a file, row by row, are byte for byte those built whole
//! in memory before (a `serde_json` pretty string, a CSV string), over the bundled examples:
//! the integrated performance report of one organisation and of every organisation of the
//! cohort, and a funnel of the cohort's organisations.

use std::path::PathBuf;

use serde::Serialize;

use sct_core::load::FrameworkRegistry;
use sct_kpi::data::{KpiData, read_kpi_data};
use sct_kpi::funnel_input::{self, FunnelKind, FunnelRow};
use sct_kpi::kpiset::KpiSet;
use sct_kpi::review::ReviewOptions;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(set: &KpiSet, file: &str) -> KpiData {
    let f = std::fs::File::open(root().join(file)).expect("bundled example");
    read_kpi_data(f, file, set, None).expect("the example reads")
}

/// The JSON as it was written before streaming: the whole document as a pretty string.
fn pretty_string<T: Serialize>(schema: &'static str, body: &T) -> String {
    #[derive(Serialize)]
    struct Versioned<'a, T: Serialize> {
        schema: &'static str,
        #[serde(flatten)]
        body: &'a T,
    }
    let mut s = serde_json::to_string_pretty(&Versioned { schema, body }).unwrap();
    s.push('\n');
    s
}

fn streamed(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).expect("written");
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn the_streamed_ipr_json_and_csv_are_the_bytes_built_in_memory() {
    let registry = FrameworkRegistry::bundled().unwrap();
    let (set, used) = KpiSet::find("scf-three-timeframes", &registry).unwrap();
    for file in ["examples/kpi/bnssg-kpis.csv", "examples/cohort/kpis.csv"] {
        let data = example(&set, file);
        let orgs: Vec<String> = data.organisations.iter().cloned().collect();
        let options = ReviewOptions::default();
        let report = sct_kpi::ipr::ipr(&set, &used, &data, &orgs, &options, |_| None).unwrap();
        assert!(report.sections.iter().map(|s| s.rows.len()).sum::<usize>() > 0);
        let json = streamed(|w| sct_report::ipr::write_json(&report, w));
        assert_eq!(json, pretty_string("sct-kpi-ipr/1", &report), "{file}");
        assert_eq!(json, sct_report::ipr::json(&report), "{file}");
        let csv = streamed(|w| sct_report::ipr::write_csv(&report, w));
        assert_eq!(csv, sct_report::ipr::csv(&report), "{file}");
        assert_eq!(
            csv.lines().count(),
            1 + report.sections.iter().map(|s| s.rows.len()).sum::<usize>()
        );
    }
}

#[test]
fn the_streamed_funnel_json_and_csv_are_the_bytes_built_in_memory() {
    // The cohort's A&E 4-hour numerators and denominators of one month: one row per ICB.
    let text = std::fs::read_to_string(root().join("examples/cohort/kpis.csv")).unwrap();
    let mut rows = Vec::new();
    let mut ratio = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[1] == "ae-4-hour" && f[2] == "2025-04" {
            let (a, b): (f64, f64) = (f[4].parse().unwrap(), f[5].parse().unwrap());
            rows.push(FunnelRow {
                org: f[0].into(),
                a,
                b,
                line: i + 1,
            });
            // The same organisations as observed and expected counts (breaches over a tenth
            // of attendances), so the ratio funnel and its over-dispersion are written too.
            ratio.push(FunnelRow {
                org: f[0].into(),
                a: (b - a).round(),
                b: b / 10.0,
                line: i + 1,
            });
        }
    }
    assert!(rows.len() > 30, "{} organisations", rows.len());
    let funnels = [
        funnel_input::compute(&rows, FunnelKind::Proportion, 100.0, false).unwrap(),
        funnel_input::compute(&ratio, FunnelKind::Ratio, 1.0, false).unwrap(),
        funnel_input::compute(&ratio, FunnelKind::Ratio, 1.0, true).unwrap(),
    ];
    for f in &funnels {
        let built = format!(
            "{}\n",
            serde_json::to_string_pretty(&funnel_input::to_json(f)).unwrap()
        );
        assert_eq!(streamed(|w| funnel_input::write_json(f, w)), built);
        assert_eq!(
            streamed(|w| funnel_input::write_csv(f, w)),
            funnel_input::to_csv(f)
        );
    }
}

#[test]
fn the_streamed_toc_report_is_the_page_rendered_in_memory() {
    use sct_report::render::Templates;
    use sct_report::toc_report;
    let registry = FrameworkRegistry::bundled().unwrap();
    let templates = Templates::builtin().unwrap();
    let example = root().join("examples/theory-of-change/bnssg-toc.toml");
    for spec in ["scf-commissioning-toc", example.to_str().unwrap()] {
        let loaded = sct_toc::load::find(spec, &registry).unwrap();
        let inputs = sct_toc::report::ReportInputs {
            kpi: None,
            kpi_data_file: None,
            capabilities: Vec::new(),
            assessment_file: None,
            measures: None,
        };
        let report = sct_toc::report::build(&loaded, &inputs);
        let (toc, graph) = (&loaded.toc, &loaded.graph);
        let svg = sct_report::toc_diagram::toc_figures(toc, graph, None).unwrap();
        let html = toc_report::html(&templates, &report, &svg).unwrap();
        let drawing = sct_report::toc_diagram::TocDrawing::new(toc, graph, None).unwrap();
        let figures = |w: &mut dyn std::io::Write| drawing.write_figures(toc, None, w);
        let written = |w: &mut dyn std::io::Write| {
            toc_report::write_html(&templates, &report, &figures, w).map(|r| r.unwrap())
        };
        assert_eq!(streamed(written), html, "{spec}");
        let md = toc_report::markdown(&templates, &report).unwrap();
        let written = |w: &mut dyn std::io::Write| {
            toc_report::write_markdown(&templates, &report, w).map(|r| r.unwrap())
        };
        assert_eq!(streamed(written), md, "{spec}");
        let json = streamed(|w| toc_report::write_json(&report, w));
        assert_eq!(json, pretty_string("sct-toc-report/1", &report), "{spec}");
    }
}

/// The bundled page as it was when it printed every link from the report's data.
fn toc_page_with_its_link_loop() -> String {
    let (_, bundled) = sct_assets::reports::TEMPLATES
        .iter()
        .find(|(name, _)| *name == "toc-report.html")
        .expect("bundled");
    let looped = bundled.replace(
        "{{ links_rows | safe }}",
        r#"{% for l in links %}<tr><th scope="row">{{ l.from_title }}</th><td>{{ l.to_title }}</td><td>{{ l.assumption | or_dash }}</td><td>{{ l.evidence }}</td></tr>
    {% endfor %}"#,
    );
    assert_ne!(
        &looped, bundled,
        "the page prints the links' rows as a piece"
    );
    looped
}

#[test]
fn the_toc_page_is_the_page_its_template_printed_whole() {
    use sct_report::render::Templates;
    use sct_report::toc_report;
    let registry = FrameworkRegistry::bundled().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("toc-report.html"),
        toc_page_with_its_link_loop(),
    )
    .unwrap();
    // A user's copy is given the report whole (links and all) and loops over its links.
    let looped = Templates::load(Some(dir.path())).unwrap();
    let bundled = Templates::builtin().unwrap();
    let hostile = dir.path().join("hostile.toml");
    std::fs::write(
        &hostile,
        r#"kind = "theory-of-change"
id = "hostile"
version = "1"
title = "A </td><script>alert('x')</script> & b/c"
source = "s"
status = "draft"
[[nodes]]
id = "a"
title = "Money <b>'quoted'</b> & \"double\" / slash"
type = "input"
[[nodes]]
id = "b"
title = "Health —"
type = "impact"
[[links]]
from = "a"
to = "b"
assumption = "</td></tr><tr><td>'x' & \"y\" / z"
evidence = "weak"
[[nodes]]
id = "c"
title = "Output"
type = "output"
[[links]]
from = "a"
to = "c"
"#,
    )
    .unwrap();
    let bnssg = root().join("examples/theory-of-change/bnssg-toc.toml");
    let specs = [
        "scf-commissioning-toc",
        bnssg.to_str().unwrap(),
        hostile.to_str().unwrap(),
    ];
    let same_page = |report: &sct_toc::report::TocReport, spec: &str| {
        let svg = "<figure>the diagram</figure>";
        let page = toc_report::html(&bundled, report, svg).unwrap();
        assert_eq!(
            page,
            toc_report::html(&looped, report, svg).unwrap(),
            "{spec}"
        );
        let (data, links) = toc_report::html_data(&bundled, report.clone()).unwrap();
        let figures = |w: &mut dyn std::io::Write| {
            w.write_all(svg.as_bytes())?;
            Ok(Ok(()))
        };
        let written = |w: &mut dyn std::io::Write| {
            toc_report::write_html_data(&bundled, data, &links, &figures, w).map(|r| r.unwrap())
        };
        assert_eq!(streamed(written), page, "{spec}");
    };
    for spec in specs {
        let loaded = sct_toc::load::find(spec, &registry).unwrap();
        same_page(&sct_toc::report::build(&loaded, &Default::default()), spec);
    }
    // With live statuses (indicators with values, nodes at risk) and capabilities behind nodes.
    let loaded = sct_toc::load::find(bnssg.to_str().unwrap(), &registry).unwrap();
    let (set, _) = loaded.kpi_set.as_ref().unwrap();
    let data = example(set, "examples/kpi/bnssg-kpis.csv");
    let moves = loaded
        .toc
        .nodes
        .iter()
        .take(3)
        .map(|n| n.id.get_ref().clone());
    let inputs = sct_toc::report::ReportInputs {
        kpi: Some(sct_toc::status::KpiSource {
            data: &data,
            set,
            organisation: "QUY",
            as_of: None,
        }),
        kpi_data_file: None,
        capabilities: vec![sct_toc::report::CapabilityInfo {
            id: "c1".into(),
            title: "Capability <b>'one'</b> & \"two\"".into(),
            moves: moves.collect(),
            level: Some("Developing".into()),
        }],
        assessment_file: None,
        measures: None,
    };
    let report = sct_toc::report::build(&loaded, &inputs);
    assert!(report.has_status && report.has_capability_links);
    same_page(&report, "bnssg with statuses and capabilities");
}
