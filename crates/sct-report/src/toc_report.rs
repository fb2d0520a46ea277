//! The theory-of-change report as HTML (self-contained, with the diagram inline), Markdown and
//! JSON. The content is built by `sct_toc::report`.

use sct_toc::report::TocReport;
use serde_json::Value;

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

/// [`html`] written into `out` as it is rendered, with `diagram_svg` moved into the page, not
/// copied (a diagram of 100,000 nodes is hundreds of megabytes). The outer error is `out`'s,
/// the inner the template's.
pub fn write_html(
    templates: &Templates,
    report: &TocReport,
    diagram_svg: String,
    out: &mut dyn std::io::Write,
) -> std::io::Result<Result<(), ReportError>> {
    templates.render_to(
        "toc-report.html",
        report,
        vec![("diagram", Value::String(diagram_svg))],
        out,
    )
}

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
