//! The theory-of-change report as HTML (self-contained, with the diagram inline), Markdown and
//! JSON. The content is built by `sct_toc::report`.

use sct_toc::report::TocReport;
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
    templates.render(
        "toc-report.html",
        report,
        &[("diagram", Value::String(diagram_svg.to_string()))],
    )
}

/// Writes the diagram's figures into a stream, as [`crate::toc_diagram::toc_figures`] gives
/// them (usually [`crate::toc_diagram::TocDrawing::write_figures`]). The outer error is the
/// stream's, the inner the drawing's.
pub type Figures<'a> =
    &'a dyn Fn(&mut dyn std::io::Write) -> std::io::Result<Result<(), ChartError>>;

/// [`html`] written into `out` as it is rendered, with the diagram's `figures` written
/// straight into `out` where the page prints them (a diagram of 100,000 nodes is hundreds of
/// megabytes, never held whole). A user's template, which may do anything with the diagram,
/// is given it whole. The outer error is `out`'s, the inner the template's or the drawing's.
pub fn write_html(
    templates: &Templates,
    report: &TocReport,
    figures: Figures<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<Result<(), ReportError>> {
    const PAGE: &str = "toc-report.html";
    if templates.is_users(PAGE) {
        let mut svg = Vec::new();
        if let Err(e) = figures(&mut svg)? {
            return Ok(Err(e.into()));
        }
        // The figures are SVG and HTML written from Strings: never lossy, never copied.
        let svg = String::from_utf8(svg)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        return templates.render_to(PAGE, report, vec![("diagram", Value::String(svg))], out);
    }
    let extra = vec![("diagram", Value::String(marker(DIAGRAM)))];
    let mut pieces = |key: &str, w: &mut dyn std::io::Write| {
        if key != DIAGRAM {
            return Ok(Ok(false));
        }
        Ok(figures(w)?.map(|()| true).map_err(ReportError::from))
    };
    templates.render_to_with_pieces(PAGE, report, extra, &mut pieces, out)
}

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
