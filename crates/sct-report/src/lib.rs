//! # sct-report
//!
//! Presentation of `sct` results. Computing crates produce plain data ([`ScoreReport`]);
//! this crate turns it into what people read: a terminal table, CSV and JSON. Nothing here
//! computes a score.
//!
//! ```
//! # use sct_core::{Sct, SourceFile};
//! let sct = Sct::bundled()?;
//! let src = SourceFile::from_text("r.toml", "framework = \"capability-toolkit\"\n[organisation]\nname = \"Example\"\n");
//! let report = sct.score_source(&src, Default::default(), None)?;
//! let table = sct_report::score_table(&report);
//! assert!(table.contains("Overall"));
//! # Ok::<(), sct_core::Error>(())
//! ```

pub mod assessment;
/// The chart toolkit and the capability charts, from their own crate (kept under this name
/// so the report's chart modules and callers read as before).
pub use sct_chart as charts;
pub mod compare;
pub mod compare_xlsx;
pub mod diff;
pub mod docx;
pub mod funnel_chart;
pub mod ipr;
mod ipr_html;
mod ipr_md;
pub mod json;
pub mod kpi_review;
pub mod kpi_spc;
pub mod markdown;
pub mod moderation;
pub mod pieces;
pub mod plan;
pub mod plan_timeline;
pub mod render;
pub mod report;
mod score_csv;
mod score_table;
mod score_xlsx;
pub mod spc_chart;
pub mod team;
mod template_bounds;
pub mod toc_diagram;
pub mod toc_report;
mod workbook;

pub use score_csv::score_csv;
pub use score_table::score_table;
pub use score_xlsx::score_xlsx;

use sct_core::ScoreReport;

/// The score report as pretty JSON (the stable machine format, `sct-score/1`), ending in a
/// newline.
pub fn score_json(report: &ScoreReport) -> String {
    // Serialising plain data to a String cannot fail.
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

/// A score to two decimals, or an em dash when there is none.
pub(crate) fn fmt_score(score: Option<f64>) -> String {
    score
        .map(|s| format!("{s:.2}"))
        .unwrap_or_else(|| "—".to_string())
}

/// A coverage as `answered/applicable (percent)`.
pub(crate) fn fmt_coverage(c: &sct_core::score::Coverage) -> String {
    match c.ratio {
        Some(r) => format!("{}/{} ({:.0}%)", c.answered, c.applicable, r * 100.0),
        None => format!("{}/{}", c.answered, c.applicable),
    }
}
