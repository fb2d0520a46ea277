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

/// The report as GitHub-flavoured Markdown.
pub fn markdown(templates: &Templates, report: &TocReport) -> Result<String, ReportError> {
    templates.render("toc-report.md", report, &[])
}

/// The report as JSON (schema `sct-toc-report/1`).
pub fn json(report: &TocReport) -> String {
    crate::json::with_schema("sct-toc-report/1", report)
}
