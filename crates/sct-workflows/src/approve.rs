//! The board's sign-off: [`approve`] turns a moderated response into an approved one (its
//! status, who approved it, when, and the minute that records it), and an approved response
//! is read-only from then on: [`keep_approved_responses`] has every output refuse to replace
//! one, whatever the overwrite setting.

use std::path::{Path, PathBuf};

use sct_core::model::{ApprovalDoc, BlankableDate, ResponseDoc, Spanned, Stage, StatusDoc};
use sct_core::response_text::{response_json, response_toml};
use sct_core::team::{Status, status_in_text};
use sct_core::{Date, Diagnostic, ResolveOptions};

use crate::document::Output;
use crate::error::Result;
use crate::format::formats;
use crate::session::Session;

formats! {
    /// Formats of an approved response.
    pub enum ApprovedFormat {
        /// TOML, the native format.
        Toml => ["toml"],
        /// JSON with the same fields as the TOML.
        Json => ["json"],
    }
    fallback Toml
}

/// Options of [`approve`].
#[derive(Debug, Clone)]
pub struct ApproveOptions {
    /// The agreed (moderated) response: TOML, JSON or a workbook.
    pub response: PathBuf,
    /// Who approved it (for example `ICB board`).
    pub by: String,
    /// When.
    pub on: Date,
    /// The minute that records it (for example `Board, 26 March 2026, item 7`).
    pub minute: String,
    /// Approve a response that has not been moderated (it is said so in a warning).
    pub force: bool,
    /// The format written.
    pub format: ApprovedFormat,
}

/// Why a response could not be approved.
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    /// The response has not been through moderation.
    #[error("{file} is not moderated ({}): only a response agreed by moderation can be approved", stage_words(*stage))]
    NotModerated {
        /// The response file.
        file: String,
        /// Its stage, if it has a status.
        stage: Option<Stage>,
    },
    /// The response is approved already.
    #[error(
        "{file} is already approved{}; an approved response is not approved again",
        approved_words(status)
    )]
    AlreadyApproved {
        /// The response file.
        file: String,
        /// Its status.
        status: Status,
    },
    /// A part of the approval is blank.
    #[error("the approval's {what} is blank")]
    Blank {
        /// Which part: `approver` or `minute`.
        what: &'static str,
    },
}

fn stage_words(stage: Option<Stage>) -> String {
    match stage {
        Some(s) => format!("its status is {}", s.as_str()),
        None => "it has no status".to_string(),
    }
}

/// " (by WHO on DATE)" as far as the status says.
fn approved_words(status: &Status) -> String {
    match (status.by.as_str(), status.on) {
        ("", None) => String::new(),
        ("", Some(on)) => format!(" (on {on})"),
        (by, None) => format!(" (by {by})"),
        (by, Some(on)) => format!(" (by {by} on {on})"),
    }
}

/// Approves a moderated response: the response as it was, with `[status]` approved (by and
/// on) and `[approval]` (by, on and the minute). A response that is not moderated is refused
/// unless `force` is set, and one approved already is always refused.
///
/// ```
/// use sct_workflows::{Session, approve::{ApproveOptions, ApprovedFormat, approve}};
/// let session = Session::bundled()?;
/// let options = ApproveOptions {
///     response: "../sct-cli/tests/fixtures/team/agreed.toml".into(),
///     by: "ICB board".into(),
///     on: sct_core::Date::parse("2026-03-26")?,
///     minute: "Board, 26 March 2026, item 7".into(),
///     force: false,
///     format: ApprovedFormat::Toml,
/// };
/// let toml = String::from_utf8(approve(&session, &options)?.document.into_bytes()?)?;
/// assert!(toml.contains("stage = \"approved\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn approve(session: &Session, options: &ApproveOptions) -> Result<Output<'static>> {
    for (what, text) in [("approver", &options.by), ("minute", &options.minute)] {
        if text.trim().is_empty() {
            return Err(ApprovalError::Blank { what }.into());
        }
    }
    let sct = &session.sct;
    let read = sct.read_response(&options.response)?;
    let (assessment, _) = sct.validate_read(&read, ResolveOptions::default())?;
    let mut notices: Vec<Diagnostic> = assessment.warnings.iter().cloned().collect();
    let mut doc = sct_core::load::parse_toml::<ResponseDoc>(&read.source)
        .map_err(sct_core::Error::Invalid)?;
    let file = read.source.name.clone();
    match assessment.team.status.clone() {
        Some(status) if status.stage == Stage::Approved => {
            return Err(ApprovalError::AlreadyApproved { file, status }.into());
        }
        Some(status) if status.stage == Stage::Moderated => {}
        other => {
            let stage = other.map(|s| s.stage);
            if !options.force {
                return Err(ApprovalError::NotModerated { file, stage }.into());
            }
            notices.push(
                Diagnostic::warning(format!(
                    "{file} was approved without moderation ({}), as asked",
                    stage_words(stage)
                ))
                .in_file(&file),
            );
        }
    }
    sign_off(&mut doc, options);
    let text = match options.format {
        ApprovedFormat::Toml => response_toml(&doc, &comment(options, &file, &read.source.sha256)),
        ApprovedFormat::Json => response_json(&doc),
    };
    Ok(Output::text(text).with_notices(notices))
}

/// The status and approval the board's decision writes.
fn sign_off(doc: &mut ResponseDoc, options: &ApproveOptions) {
    let on = || Spanned::new(0..0, BlankableDate(Some(options.on)));
    doc.status = Some(StatusDoc {
        stage: Spanned::new(0..0, Stage::Approved),
        by: options.by.trim().to_string(),
        on: on(),
    });
    doc.approval = Some(ApprovalDoc {
        by: options.by.trim().to_string(),
        on: on(),
        minute: options.minute.trim().to_string(),
    });
}

/// The approved TOML's first lines: the approval, and what it was made from.
fn comment(options: &ApproveOptions, file: &str, sha256: &str) -> Vec<String> {
    vec![
        format!(
            "Approved by {} on {} ({}). Read-only: sct does not write over it.",
            options.by.trim(),
            options.on,
            options.minute.trim(),
        ),
        format!(
            "Made by sct {} from {file} (sha256 {sha256}).",
            sct_core::provenance::SCT_VERSION
        ),
    ]
}

/// Makes every output of this process refuse to replace an approved response (TOML, JSON or
/// a workbook), even when replacing files is asked for. [`Session::load`] calls it; a front
/// end that writes outputs without a session calls it first.
pub fn keep_approved_responses() {
    sct_files::install_guard(approved_file);
}

/// The largest file looked at: a response is far smaller, and a larger file is not one.
const MAX_LOOKED_AT: u64 = 16 * 1024 * 1024;

/// "an approved response (approved by WHO on DATE)" when `path` is one, else `None`. Reads
/// the file by plain means, so that looking at an output does not make it an input.
fn approved_file(path: &Path) -> Option<String> {
    let extension = crate::format::extension(Some(path))?;
    if !matches!(extension.as_str(), "toml" | "json" | "xlsx") {
        return None;
    }
    if std::fs::metadata(path).ok()?.len() > MAX_LOOKED_AT {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let status = if extension == "xlsx" {
        let stage = sct_xlsx::read::workbook_stage(&bytes)?;
        Status {
            stage: (stage == Stage::Approved.as_str()).then_some(Stage::Approved)?,
            by: String::new(),
            on: None,
        }
    } else {
        status_in_text(std::str::from_utf8(&bytes).ok()?)?
    };
    (status.stage == Stage::Approved)
        .then(|| format!("an approved response{}", approved_words(&status)))
}
