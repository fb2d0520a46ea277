//! `diff`: what changed between two responses (any formats, across rounds, and from a
//! predecessor organisation's response to its successor's), and the "since the last
//! assessment" section the report adds from a response's `[previous]` table.

use std::path::{Path, PathBuf};

use sct_core::diff::{DiffSide, ResponseDiff};
use sct_core::setting::Setting;
use sct_core::validate::ResolvedFrameworks;
use sct_core::{Assessment, Diagnostic, ResolveOptions};

use crate::document::Output;
use crate::error::Result;
use crate::format::formats;
use crate::session::Session;

formats! {
    /// Formats of `diff`.
    pub enum DiffFormat {
        /// Plain text for a terminal.
        Text => ["txt"],
        /// JSON (schema `sct-diff/1`), every capability.
        Json => ["json"],
        /// GitHub-flavoured Markdown.
        Md => ["md"],
    }
    fallback Text
}

/// Options of [`diff()`].
#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// The earlier response (TOML, JSON or a filled workbook).
    pub old: PathBuf,
    /// The later response.
    pub new: PathBuf,
    /// The format.
    pub format: DiffFormat,
}

/// What changed between two responses: per capability the level, confidence, evidence and
/// target, capabilities new or gone, and a summary. The earlier response may be a
/// predecessor organisation's (the successions table says so); unrelated organisations are
/// an error naming both files.
///
/// ```
/// use sct_workflows::{Session, diff::{DiffFormat, DiffOptions, diff}};
/// let session = Session::bundled()?;
/// let options = DiffOptions {
///     old: "../../examples/baseline-2026-03/bnssg-illustrative.toml".into(),
///     new: "../../examples/cohort/reassessment-2027-03/QUY.toml".into(),
///     format: DiffFormat::Json,
/// };
/// let json = String::from_utf8(diff(&session, &options)?.document.into_bytes()?)?;
/// assert!(json.contains("\"schema\": \"sct-diff/1\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diff(session: &Session, options: &DiffOptions) -> Result<Output<'static>> {
    let sct = &session.sct;
    let (old, old_fw) = sct.validate_file(&options.old, ResolveOptions::default())?;
    let (new, new_fw) = sct.validate_file(&options.new, ResolveOptions::default())?;
    let d = compare(session, (&old, &old_fw), (&new, &new_fw))?;
    let mut notices: Vec<Diagnostic> = old.warnings.iter().cloned().collect();
    notices.extend(new.warnings.iter().cloned());
    notices.extend(carried_over_warnings(&d));
    use sct_report::diff as present;
    let text = match options.format {
        DiffFormat::Text => present::text(&d),
        DiffFormat::Json => present::json(&d),
        DiffFormat::Md => present::markdown(&d),
    };
    Ok(Output::text(text).with_notices(notices))
}

/// The diff of two resolved responses.
pub(crate) fn compare(
    session: &Session,
    old: (&Assessment, &ResolvedFrameworks<'_>),
    new: (&Assessment, &ResolvedFrameworks<'_>),
) -> Result<ResponseDiff> {
    Ok(sct_core::diff::diff(
        DiffSide {
            assessment: old.0,
            toolkit: old.1.toolkit,
        },
        DiffSide {
            assessment: new.0,
            toolkit: new.1.toolkit,
        },
        &session.sct.organisations,
    )?)
}

/// A warning for every answer still marked carried over whose content changed.
pub(crate) fn carried_over_warnings(d: &ResponseDiff) -> Vec<Diagnostic> {
    d.capabilities
        .iter()
        .filter(|c| c.carried_over_but_changed)
        .map(|c| {
            Diagnostic::warning(format!(
                "{} is marked carried_over but differs from {}",
                c.id, d.old.file
            ))
            .in_file(&d.new.file)
            .expected("carried_over removed once an answer has been reviewed and changed")
        })
        .collect()
}

/// The earlier response a report compares with: the one given, else the one `[previous]`
/// names (relative to the response) when it is found and its SHA-256 matches. A `[previous]`
/// that cannot be followed is a warning, and the report goes without the section.
pub(crate) fn since(
    session: &Session,
    response: &Path,
    current: (&Assessment, &ResolvedFrameworks<'_>),
    explicit: Option<&Path>,
    notices: &mut Vec<Diagnostic>,
) -> Result<Option<ResponseDiff>> {
    let sct = &session.sct;
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => match previous_path(response, current.0, notices) {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    let read = sct.validate_file(&path, ResolveOptions::default());
    let (old, old_fw) = match (read, explicit) {
        (Ok(r), _) => r,
        (Err(e), Some(_)) => return Err(e.into()),
        // The one [previous] names is the response's own business: a report of it still
        // comes out, saying why it does not compare.
        (Err(e), None) => {
            notices.push(unfollowed(
                current.0,
                &path,
                &e.to_string(),
                e.is_bad_input(),
            ));
            return Ok(None);
        }
    };
    if explicit.is_none()
        && let Some(prev) = &current.0.team.previous
        && !prev.sha256.trim().is_empty()
        && !prev.sha256.trim().eq_ignore_ascii_case(&old.source_sha256)
    {
        notices.push(
            Diagnostic::warning(format!(
                "{} has changed since answers were carried over from it (sha256 {} then, {} now), so the report does not compare with it",
                path.display(),
                prev.sha256.trim(),
                old.source_sha256
            ))
            .in_file(&current.0.source_name)
            .expected("the earlier response as it was when carried over, or an earlier response named explicitly")
            .settings([Setting::Previous]),
        );
        return Ok(None);
    }
    let d = match compare(session, (&old, &old_fw), current) {
        Ok(d) => d,
        Err(crate::Error::Diff(e)) if explicit.is_none() => {
            notices.push(unfollowed(current.0, &path, &e.to_string(), true));
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    notices.extend(carried_over_warnings(&d));
    Ok(Some(d))
}

/// A warning that the response `[previous]` names was not compared with, and why.
fn unfollowed(current: &Assessment, path: &Path, why: &str, bad_input: bool) -> Diagnostic {
    let what = if bad_input {
        "cannot be compared"
    } else {
        "cannot be read"
    };
    Diagnostic::warning(format!(
        "[previous] names {}, which {what}, so the report does not say what changed since: {}",
        path.display(),
        why.lines().next().unwrap_or_default()
    ))
    .in_file(&current.source_name)
    .expected(
        "an earlier response of this organisation or of a predecessor, as [previous] names it",
    )
    .settings([Setting::Previous])
}

/// Where `[previous]` says the earlier response is, when it says and the file is there.
fn previous_path(
    response: &Path,
    current: &Assessment,
    notices: &mut Vec<Diagnostic>,
) -> Option<PathBuf> {
    let prev = current.team.previous.as_ref()?;
    if prev.file.trim().is_empty() || sct_core::source::is_stdin(response) {
        return None;
    }
    let named = Path::new(prev.file.trim());
    let path = if named.is_absolute() {
        named.to_path_buf()
    } else {
        response
            .parent()
            .unwrap_or_else(|| Path::new(""))
            .join(named)
    };
    if path.is_file() {
        return Some(path);
    }
    notices.push(
        Diagnostic::warning(format!(
            "[previous] names {}, which is not at {}, so the report does not say what changed since",
            prev.file,
            path.display()
        ))
        .in_file(&current.source_name)
        .expected("the earlier response beside this one, as [previous] names it (relative to this response)")
        .settings([Setting::Previous]),
    );
    None
}
