//! The board papers as Word documents (`.docx`): the assessment report, the development plan,
//! the KPI review and the IPR, each built as an `sct_docx::Document` from the same result
//! its HTML shows, with the same charts drawn as PNG. `sct_docx` writes the bytes.

pub mod assessment;
pub mod ipr;
pub mod kpi_review;
pub mod plan;

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

/// The document's bytes.
pub(crate) fn bytes(doc: &Document) -> Result<Vec<u8>, DocxError> {
    Ok(sct_docx::to_bytes(doc)?)
}
