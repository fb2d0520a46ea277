//! The board papers as Word documents (`.docx`): the assessment report, the development plan,
//! the KPI review and the IPR, each built as an `sct_docx::Document` from the same result
//! its HTML shows, with the same charts drawn as PNG. `sct_docx` writes the bytes.

pub mod assessment;
pub mod ipr;
pub mod kpi_review;
pub mod plan;
mod team;

use sct_docx::{Block, Document, Image};

use crate::render::ReportError;

/// Why a Word document could not be made: a chart could not be drawn, or the package written.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    /// A chart could not be drawn.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The Word package could not be written.
    #[error(transparent)]
    Docx(#[from] sct_docx::DocxError),
}

impl From<crate::charts::ChartError> for DocxError {
    fn from(e: crate::charts::ChartError) -> Self {
        DocxError::Report(ReportError::Chart(e))
    }
}

/// A score to two decimals, or an em dash: as the HTML's `score` filter shows it.
pub(crate) fn score(s: Option<f64>) -> String {
    crate::fmt_score(s)
}

/// A value or an em dash: as the HTML's `or_dash` filter shows it.
pub(crate) fn or_dash(s: Option<&str>) -> String {
    match s {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "—".to_string(),
    }
}

/// Appends a chart drawn as PNG, its description as alt text and a caption under it.
pub(crate) fn chart(
    doc: &mut Document,
    png: Vec<u8>,
    name: &str,
    alt: &str,
    caption: &str,
    max_width: f64,
) {
    let mut image = Image::png(png, name, alt, caption);
    image.max_width = max_width;
    doc.push(Block::Image(image));
}

/// The provenance notes every assessment paper starts with: the sct version, each framework
/// file, the response and the organisations table, each with its sha256.
pub(crate) fn assessment_provenance(doc: &mut Document, p: &sct_core::provenance::Provenance) {
    doc.heading(2, "Provenance");
    doc.note(format!("sct version: {}", p.sct_version));
    for f in &p.frameworks {
        doc.note(format!(
            "{}: {} {} ({}), sha256 {}",
            f.kind, f.id, f.version, f.file, f.sha256
        ));
    }
    doc.note(format!(
        "response: {}, sha256 {}",
        p.response.file, p.response.sha256
    ));
    doc.note(format!(
        "organisations: {}, sha256 {}",
        p.organisations.file, p.organisations.sha256
    ));
}

/// The individual self-assessments read, each with its sha256, when there are any.
pub(crate) fn individuals_provenance(
    doc: &mut Document,
    files: Option<&[sct_core::provenance::FileUsed]>,
) {
    if let Some(files) = files {
        doc.note(format!("individuals: {} files", files.len()));
        for f in files {
            doc.note(format!("{}, sha256 {}", f.file, f.sha256));
        }
    }
}

/// The plugins whose measures supplied series, each with its file's sha256 and measures.
pub(crate) fn plugins_provenance(doc: &mut Document, plugins: &[sct_core::provenance::PluginUsed]) {
    for pl in plugins {
        doc.note(format!(
            "plugin: {} {} ({}), sha256 {}: {}",
            pl.name,
            pl.version,
            pl.kind,
            pl.sha256,
            pl.measures.join(", ")
        ));
    }
}

/// The date a paper is dated, and why it is never the clock (`rule` names what it comes
/// from).
pub(crate) fn dated(doc: &mut Document, date: &str, rule: &str) {
    doc.note(format!(
        "dated: {date} ({rule}, never the clock, so the same inputs give the same file)"
    ));
}

/// The document's bytes.
pub(crate) fn bytes(doc: &Document) -> Result<Vec<u8>, DocxError> {
    Ok(sct_docx::to_bytes(doc)?)
}
