//! The theory-of-change report as HTML (self-contained, with the diagram inline), Markdown and
//! JSON. The content is built by `sct_toc::report`.

use sct_toc::NodeType;
use sct_toc::metrics::TocMetrics;
use sct_toc::report::{
    CapabilityLink, ColumnReport, KpiInfo, LinkReport, NodeReport, StatusCount, TocProvenance,
    TocReport,
};
use sct_toc::status::{IndicatorState, NodeStatus};
use serde::Serialize;
use serde_json::Value;

use crate::charts::ChartError;
use crate::pieces::marker;
use crate::render::{ReportError, Templates};

/// The report as one self-contained HTML file, with `diagram_svg` (drawn by sct) inline.
pub fn html(
    templates: &Templates,
    report: &TocReport,
    diagram_svg: &str,
) -> Result<String, ReportError> {
    let figures = |w: &mut dyn std::io::Write| {
        w.write_all(diagram_svg.as_bytes())?;
        Ok(Ok(()))
    };
    let mut page = Vec::new();
    let error = |message: String| ReportError::Template {
        file: PAGE.into(),
        message,
    };
    match write_html(templates, report, &figures, &mut page) {
        Ok(Ok(())) => String::from_utf8(page).map_err(|e| error(e.to_string())),
        Ok(Err(e)) => Err(e),
        // Writing to memory fails only past a user's template's bounds.
        Err(e) => Err(error(e.to_string())),
    }
}

/// Writes the diagram's figures into a stream, as [`crate::toc_diagram::toc_figures`] gives
/// them (usually [`crate::toc_diagram::TocDrawing::write_figures`]). The outer error is the
/// stream's, the inner the drawing's.
pub type Figures<'a> =
    &'a dyn Fn(&mut dyn std::io::Write) -> std::io::Result<Result<(), ChartError>>;

/// [`html`] written into `out` as it is rendered, with the diagram's `figures` and the
/// links table's rows written straight into `out` where the page prints them (a diagram of
/// 100,000 nodes is hundreds of megabytes, never held whole). A user's template, which may do
/// anything with the diagram, is given it whole. The outer error is `out`'s, the inner the
/// template's or the drawing's.
pub fn write_html(
    templates: &Templates,
    report: &TocReport,
    figures: Figures<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<Result<(), ReportError>> {
    let data = if templates.is_users(PAGE) {
        templates.data_value(PAGE, report)
    } else {
        templates.data_value(PAGE, &Shell::of(report))
    };
    match data {
        Ok(data) => write_html_data(templates, HtmlData(data), &report.links, figures, out),
        Err(e) => Ok(Err(e)),
    }
}

/// The report as the HTML page's data, made ahead of the page (see [`html_data`]).
pub struct HtmlData(Value);

/// The report as the HTML page's data, for [`write_html_data`] with the report's links: made
/// ahead of the page, so that the rest of the report need not be held while the page is
/// rendered. The bundled page is given the report without its links (it prints their rows
/// as a piece, [`crate::pieces`]): as a tree of values, 300,000 links take hundreds of
/// megabytes.
pub fn html_data(
    templates: &Templates,
    report: TocReport,
) -> Result<(HtmlData, Vec<LinkReport>), ReportError> {
    let data = if templates.is_users(PAGE) {
        templates.data_value(PAGE, &report)?
    } else {
        templates.data_value(PAGE, &Shell::of(&report))?
    };
    Ok((HtmlData(data), report.links))
}

/// The report without its links, as the bundled page's data: every field of [`TocReport`]
/// but `links`, serialised as the report serialises them, and each node without what the
/// page does not print (its type and description: as a map of values, a node of twelve
/// entries takes three times the memory of one of ten).
#[derive(Serialize)]
struct Shell<'a> {
    id: &'a str,
    version: &'a str,
    title: &'a str,
    status: &'a str,
    source: &'a str,
    description: &'a str,
    drafting_note: &'a str,
    based_on: &'a Option<String>,
    metrics: &'a TocMetrics,
    has_status: bool,
    kpi: &'a Option<KpiInfo>,
    status_counts: &'a [StatusCount],
    at_risk: &'a [String],
    has_assessment: bool,
    has_capability_links: bool,
    columns: Columns<'a>,
    roll_up_rule: &'static str,
    warnings: &'a [String],
    provenance: &'a TocProvenance,
}

impl<'a> Shell<'a> {
    fn of(r: &'a TocReport) -> Shell<'a> {
        Shell {
            id: &r.id,
            version: &r.version,
            title: &r.title,
            status: &r.status,
            source: &r.source,
            description: &r.description,
            drafting_note: &r.drafting_note,
            based_on: &r.based_on,
            metrics: &r.metrics,
            has_status: r.has_status,
            kpi: &r.kpi,
            status_counts: &r.status_counts,
            at_risk: &r.at_risk,
            has_assessment: r.has_assessment,
            has_capability_links: r.has_capability_links,
            columns: Columns(&r.columns),
            roll_up_rule: r.roll_up_rule,
            warnings: &r.warnings,
            provenance: &r.provenance,
        }
    }
}

/// The columns of the bundled page's data.
struct Columns<'a>(&'a [ColumnReport]);

impl Serialize for Columns<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|c| ColumnShell {
            node_type: &c.node_type,
            heading: c.heading,
            nodes: Nodes(&c.nodes),
        }))
    }
}

/// A column of the bundled page's data: every field of [`ColumnReport`].
#[derive(Serialize)]
struct ColumnShell<'a> {
    node_type: &'a NodeType,
    heading: &'static str,
    nodes: Nodes<'a>,
}

/// A column's nodes in the bundled page's data.
struct Nodes<'a>(&'a [NodeReport]);

impl Serialize for Nodes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|n| NodeShell {
            id: &n.id,
            title: &n.title,
            owner: &n.owner,
            source: &n.source,
            status: &n.status,
            status_label: n.status_label,
            at_risk: n.at_risk,
            at_risk_because: &n.at_risk_because,
            indicators: &n.indicators,
            capabilities: &n.capabilities,
        }))
    }
}

/// A node in the bundled page's data: every field of [`NodeReport`] the page prints.
#[derive(Serialize)]
struct NodeShell<'a> {
    id: &'a str,
    title: &'a str,
    owner: &'a str,
    source: &'a Option<String>,
    status: &'a NodeStatus,
    status_label: &'static str,
    at_risk: bool,
    at_risk_because: &'a [String],
    indicators: &'a [IndicatorState],
    capabilities: &'a [CapabilityLink],
}

/// [`write_html`] of the report's [`html_data`] and its `links`.
pub fn write_html_data(
    templates: &Templates,
    data: HtmlData,
    links: &[LinkReport],
    figures: Figures<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<Result<(), ReportError>> {
    let mut extra = vec![("links_rows", Value::String(marker(LINKS)))];
    if templates.is_users(PAGE) {
        let mut svg = Vec::new();
        if let Err(e) = figures(&mut svg)? {
            return Ok(Err(e.into()));
        }
        // The figures are SVG and HTML written from Strings: never lossy, never copied.
        let svg = String::from_utf8(svg)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        extra.push(("diagram", Value::String(svg)));
    } else {
        extra.push(("diagram", Value::String(marker(DIAGRAM))));
    }
    let mut pieces = |key: &str, w: &mut dyn std::io::Write| match key {
        DIAGRAM => Ok(figures(w)?.map(|()| true).map_err(ReportError::from)),
        LINKS => {
            write_link_rows(links, w)?;
            Ok(Ok(true))
        }
        _ => Ok(Ok(false)),
    };
    templates.render_pieces_to(PAGE, data.0, extra, &mut pieces, out)
}

/// The links table's rows, as the page printed them from the report's `links`: each value
/// escaped as tera escapes HTML, an empty assumption as "—".
fn write_link_rows(links: &[LinkReport], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut row = String::new();
    for l in links {
        row.clear();
        row.push_str("<tr><th scope=\"row\">");
        row.push_str(&tera::escape_html(&l.from_title));
        row.push_str("</th><td>");
        row.push_str(&tera::escape_html(&l.to_title));
        row.push_str("</td><td>");
        let assumption = if l.assumption.is_empty() {
            "—"
        } else {
            l.assumption.as_str()
        };
        row.push_str(&tera::escape_html(assumption));
        row.push_str("</td><td>");
        row.push_str(&tera::escape_html(l.evidence.as_str()));
        row.push_str("</td></tr>\n    ");
        w.write_all(row.as_bytes())?;
    }
    Ok(())
}

/// The key of the links table's rows' marker ([`crate::pieces`]).
const LINKS: &str = "toc-links";

/// The HTML page's template.
const PAGE: &str = "toc-report.html";

/// The key of the diagram's marker ([`crate::pieces`]).
const DIAGRAM: &str = "toc-diagram";

/// [`markdown`] written into `out` as it is rendered.
pub fn write_markdown(
    templates: &Templates,
    report: &TocReport,
    out: &mut dyn std::io::Write,
) -> std::io::Result<Result<(), ReportError>> {
    templates.render_to("toc-report.md", report, Vec::new(), out)
}

/// [`json`] written straight into `out`.
pub fn write_json(report: &TocReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    crate::json::write_with_schema("sct-toc-report/1", report, out)
}

/// The report as GitHub-flavoured Markdown.
pub fn markdown(templates: &Templates, report: &TocReport) -> Result<String, ReportError> {
    templates.render("toc-report.md", report, &[])
}

/// The report as JSON (schema `sct-toc-report/1`).
pub fn json(report: &TocReport) -> String {
    crate::json::with_schema("sct-toc-report/1", report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sct_toc::Evidence;

    /// The loop the page printed the links table's rows with, before they were a piece.
    pub(crate) const LINK_LOOP: &str = r#"{% for l in links %}<tr><th scope="row">{{ l.from_title }}</th><td>{{ l.to_title }}</td><td>{{ l.assumption | or_dash }}</td><td>{{ l.evidence }}</td></tr>
    {% endfor %}"#;

    fn link(from: &str, to: &str, assumption: &str, evidence: Evidence) -> LinkReport {
        LinkReport {
            from: "a".into(),
            from_title: from.into(),
            to: "b".into(),
            to_title: to.into(),
            assumption: assumption.into(),
            evidence,
        }
    }

    proptest! {
        // Each case loads a template directory: a few dozen cases suffice for the escaping.
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever their text, the links' rows are those the page's loop printed.
        #[test]
        fn link_rows_are_the_loops(
            links in proptest::collection::vec(
                (any::<String>(), "[a-z<>&\"'/ —]{0,8}", prop_oneof![Just(String::new()), any::<String>()], 0usize..4),
                0..6,
            ),
        ) {
            let dir = tempfile::tempdir().expect("a directory");
            std::fs::write(dir.path().join(PAGE), LINK_LOOP).expect("written");
            let templates = Templates::load(Some(dir.path())).expect("templates");
            let links: Vec<LinkReport> = links
                .iter()
                .map(|(f, t, a, e)| link(f, t, a, Evidence::ALL[*e % Evidence::ALL.len()]))
                .collect();
            let looped = templates
                .render(PAGE, &serde_json::json!({ "links": links }), &[])
                .expect("rendered");
            let mut rows = Vec::new();
            write_link_rows(&links, &mut rows).expect("written");
            prop_assert_eq!(String::from_utf8(rows).expect("UTF-8"), looped);
        }
    }

    #[test]
    fn the_shell_is_the_report_less_its_links_and_its_nodes_unprinted_fields() {
        let registry = sct_core::load::FrameworkRegistry::bundled().expect("registry");
        let loaded = sct_toc::load::find("scf-commissioning-toc", &registry).expect("bundled");
        let report = sct_toc::report::build(&loaded, &Default::default());
        let mut whole = serde_json::to_value(&report).expect("value");
        let links = whole.as_object_mut().and_then(|m| m.remove("links"));
        assert!(links.is_some_and(|l| l.as_array().is_some_and(|a| !a.is_empty())));
        let columns = whole["columns"].as_array_mut().expect("columns");
        assert!(!columns.is_empty());
        for column in columns {
            for node in column["nodes"].as_array_mut().expect("nodes") {
                let node = node.as_object_mut().expect("a node");
                assert!(node.remove("node_type").is_some() && node.remove("description").is_some());
            }
        }
        assert_eq!(
            serde_json::to_value(Shell::of(&report)).expect("value"),
            whole
        );
    }
}
