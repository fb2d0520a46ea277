//! The frameworks known to a session (bundled and the user's): listed, shown one at a time
//! for people or as data, and checked (files given beside the known ones, their references
//! and, for kinds read by other crates, those crates' own rules).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use sct_core::load::{FrameworkContent, LoadedFramework, Origin};
use sct_core::model::{AssessmentRound, CapabilityToolkit, FrameworkKind, Status};
use sct_core::{Diagnostics, FrameworkRegistry};
use sct_kpi::kpiset::{KpiSet, Timeframe};

use crate::assess::{CheckFormat, invalid_as_json, json_text};
use crate::document::Output;
use crate::error::Result;
use crate::format::formats;
use crate::session::Session;

formats! {
    /// Formats of the listing workflows (`frameworks list`, `plugins list`).
    pub enum ListFormat {
        /// A table for people.
        Table => [],
        /// JSON: one object per row.
        Json => ["json"],
    }
    fallback Table
}

formats! {
    /// Formats of [`show`].
    pub enum ShowFormat {
        /// Text for people: levels, domains and capabilities, milestones, or indicators.
        Text => [],
        /// JSON of the framework as read.
        Json => ["json"],
        /// The file's own TOML, byte for byte (to copy and edit).
        Toml => ["toml"],
    }
    fallback Text
}

/// Options of [`list`].
#[derive(Debug, Clone)]
pub struct ListOptions {
    /// The format.
    pub format: ListFormat,
}

/// One row of the list.
#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    version: &'a str,
    kind: String,
    status: Status,
    title: &'a str,
    source: &'a str,
    origin: String,
    sha256: &'a str,
}

/// Lists the known frameworks: id, version, kind, status, where each came from, title.
///
/// ```
/// use sct_workflows::{Session, frameworks::{ListFormat, ListOptions, list}};
/// let session = Session::bundled()?;
/// let options = ListOptions { format: ListFormat::Table };
/// let table = String::from_utf8(list(&session, &options)?.document.into_bytes()?)?;
/// assert!(table.lines().any(|l| l.starts_with("capability-toolkit ")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list(session: &Session, options: &ListOptions) -> Result<Output<'static>> {
    let rows: Vec<Listed> = session
        .sct
        .registry
        .iter()
        .map(|f| Listed {
            id: f.id(),
            version: f.version(),
            kind: f.header.kind.to_string(),
            status: f.header.status,
            title: &f.header.title,
            source: &f.header.source,
            origin: origin(f),
            sha256: &f.source.sha256,
        })
        .collect();
    Ok(Output::text(match options.format {
        // Straight from the rows, so the keys keep their order.
        ListFormat::Json => pretty(&rows),
        ListFormat::Table => list_table(&rows),
    }))
}

/// `value` as pretty JSON and a newline, its keys in the order they are declared.
pub(crate) fn pretty(value: &impl Serialize) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    )
}

/// The width of a table's column: its widest cell, or its header.
pub(crate) fn width(cells: impl Iterator<Item = usize>, header: &str) -> usize {
    cells.max().unwrap_or(0).max(header.len())
}

/// The list as a table for people.
fn list_table(rows: &[Listed]) -> String {
    let w_id = width(rows.iter().map(|r| r.id.len()), "ID");
    let w_ver = width(rows.iter().map(|r| r.version.len()), "VERSION");
    let w_kind = width(rows.iter().map(|r| r.kind.len()), "KIND");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:w_id$}  {:w_ver$}  {:w_kind$}  {:10}  {:8}  TITLE",
        "ID", "VERSION", "KIND", "STATUS", "ORIGIN"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:w_id$}  {:w_ver$}  {:w_kind$}  {:10}  {:8}  {}",
            r.id,
            r.version,
            r.kind,
            status_word(r.status),
            r.origin,
            r.title
        );
    }
    out
}

/// Where a framework came from: `bundled`, or its file.
fn origin(fw: &LoadedFramework) -> String {
    match &fw.origin {
        Origin::Bundled => "bundled".to_string(),
        Origin::File(p) => p.display().to_string(),
    }
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Draft => "draft",
        Status::Official => "official",
        Status::Example => "example",
        Status::Superseded => "superseded",
    }
}

/// Options of [`show`].
#[derive(Debug, Clone)]
pub struct ShowOptions {
    /// The framework's id.
    pub id: String,
    /// Its version (default: the latest known).
    pub version: Option<String>,
    /// The format.
    pub format: ShowFormat,
}

/// Shows one framework: its levels, domains and capabilities, its milestones, or its
/// indicators; or the framework as JSON, or its own TOML.
///
/// ```
/// use sct_workflows::{Session, frameworks::{ShowFormat, ShowOptions, show}};
/// let session = Session::bundled()?;
/// let options = ShowOptions {
///     id: "capability-toolkit".into(),
///     version: None,
///     format: ShowFormat::Text,
/// };
/// let text = String::from_utf8(show(&session, &options)?.document.into_bytes()?)?;
/// assert!(text.contains("\nLevels:\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn show(session: &Session, options: &ShowOptions) -> Result<Output<'static>> {
    let fw = session
        .sct
        .registry
        .get(&options.id, options.version.as_deref())?;
    Ok(Output::text(match options.format {
        ShowFormat::Toml => fw.source.text.clone(),
        ShowFormat::Json => json_text(&show_json(fw)?),
        ShowFormat::Text => show_text(fw),
    }))
}

/// The framework as JSON: its content as read (a KPI set as the KPI crate reads it, and
/// refused with its errors if it has any), else its header.
fn show_json(fw: &LoadedFramework) -> Result<serde_json::Value> {
    let value = match &fw.content {
        FrameworkContent::Capability(t) => serde_json::to_value(t),
        FrameworkContent::Round(r) => serde_json::to_value(r),
        FrameworkContent::Other if fw.header.kind == FrameworkKind::KpiSet => {
            let set = KpiSet::from_framework(fw).map_err(sct_core::Error::Invalid)?;
            serde_json::to_value(set)
        }
        FrameworkContent::Other => serde_json::to_value(&fw.header),
    };
    Ok(value.unwrap_or_default())
}

/// The framework for people.
pub fn show_text(fw: &LoadedFramework) -> String {
    let mut out = String::new();
    let h = &fw.header;
    let _ = writeln!(
        out,
        "{} ({} {}, {}, {})",
        h.title,
        h.id.get_ref(),
        h.version.get_ref(),
        h.kind,
        status_word(h.status)
    );
    let _ = writeln!(out, "Source: {}", h.source);
    let _ = writeln!(
        out,
        "File: {} (sha256 {})",
        fw.source.name, fw.source.sha256
    );
    match &fw.content {
        FrameworkContent::Capability(t) => toolkit_text(&mut out, t),
        FrameworkContent::Round(r) => round_text(&mut out, r),
        FrameworkContent::Other if h.kind == FrameworkKind::KpiSet => {
            match KpiSet::from_framework(fw) {
                Ok(set) => kpi_set_text(&mut out, &set),
                Err(d) => {
                    let _ = writeln!(out, "\nThis KPI set has errors:\n{d}");
                }
            }
        }
        FrameworkContent::Other => {}
    }
    out
}

/// A capability toolkit's levels, domains with their capabilities, and enabler cross-check.
fn toolkit_text(out: &mut String, t: &CapabilityToolkit) {
    if !t.drafting_note.is_empty() {
        let _ = writeln!(out, "Drafting: {}", t.drafting_note.trim());
    }
    let _ = writeln!(out, "\nLevels:");
    for (i, l) in t.levels.iter().enumerate() {
        let drafted = if l.drafted {
            "  [name drafted by this toolkit]"
        } else {
            ""
        };
        let _ = writeln!(out, "  {} {:14} {}{drafted}", i + 1, l.id.get_ref(), l.name);
    }
    for d in &t.domains {
        let _ = writeln!(
            out,
            "\n{} {} [{}] ({}, {} capabilities)",
            d.section,
            d.title,
            d.id.get_ref(),
            d.kind.as_str(),
            d.capabilities.len()
        );
        for c in &d.capabilities {
            let ind = if c.individual.is_some() {
                "  +individual"
            } else {
                ""
            };
            let w = if c.weight() != 1.0 {
                format!("  weight {}", c.weight())
            } else {
                String::new()
            };
            let _ = writeln!(out, "  - {:44} {}{w}{ind}", c.id.get_ref(), c.title);
        }
    }
    if !t.enabler_crosswalk.is_empty() {
        let _ = writeln!(
            out,
            "\nEnabler cross-check ({}):",
            t.enabler_crosswalk.len()
        );
        for e in &t.enabler_crosswalk {
            let ds: Vec<&str> = e.domains.iter().map(|d| d.get_ref().as_str()).collect();
            let _ = writeln!(out, "  - {} -> {}", e.enabler, ds.join(", "));
        }
    }
}

/// An assessment round's toolkit, window, sign-off, milestones and programme dates.
fn round_text(out: &mut String, r: &AssessmentRound) {
    let _ = writeln!(
        out,
        "Toolkit: {} {}",
        r.toolkit.id.get_ref(),
        r.toolkit.version.get_ref()
    );
    let _ = writeln!(
        out,
        "Window: {} to {}; due {}",
        r.window.opens.get_ref(),
        r.window.closes.get_ref(),
        r.due.get_ref()
    );
    let _ = writeln!(out, "Completed by: {}", r.completed_by);
    let _ = writeln!(out, "Signed off by: {}", r.signed_off_by);
    let _ = writeln!(out, "\nMilestones:");
    for m in &r.milestones {
        let _ = writeln!(out, "  - {} [{}]", m.title, m.id.get_ref());
        for d in &m.due {
            let used = if m.due.len() > 1 && d.used_for_status {
                "  (used for status)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "      due {} ({}; {}){used}",
                d.date.get_ref(),
                d.as_written,
                d.source
            );
        }
    }
    if !r.programme_dates.is_empty() {
        let _ = writeln!(out, "\nProgramme dates:");
        for p in &r.programme_dates {
            let _ = writeln!(out, "  - {} {} ({})", p.date.get_ref(), p.title, p.source);
        }
    }
}

/// A KPI set's indicators, by timeframe.
fn kpi_set_text(out: &mut String, set: &KpiSet) {
    if !set.drafting_note.is_empty() {
        let _ = writeln!(out, "Drafting: {}", set.drafting_note.trim());
    }
    for tf in Timeframe::ALL {
        let inds: Vec<_> = set
            .indicators
            .iter()
            .filter(|i| i.timeframe == tf)
            .collect();
        if inds.is_empty() {
            continue;
        }
        let title = set
            .timeframes
            .get(tf.as_str())
            .map_or(tf.short_title(), |t| t.title.as_str());
        let _ = writeln!(out, "\n{title}:");
        for i in inds {
            let target = match (i.target, i.target_note) {
                (Some(t), Some(note)) => format!("target {t} ({})", note.as_str()),
                (Some(t), None) => format!("target {t}"),
                (None, _) => "no target".to_string(),
            };
            let plan = if i.plan.is_empty() {
                String::new()
            } else {
                format!("; plan for {} periods", i.plan.len())
            };
            let _ = writeln!(
                out,
                "  {:28} {} [{}, {}, {} is better, {target}{plan}]",
                i.id.get_ref(),
                i.title,
                i.period.as_str(),
                i.value_type.as_str(),
                i.improvement.as_str(),
            );
        }
    }
}

/// Options of [`validate`].
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// Framework files or folders of them, read beside the known frameworks.
    pub paths: Vec<PathBuf>,
    /// The format.
    pub format: CheckFormat,
}

/// A framework file that [`validate`] read and found valid.
#[derive(Serialize)]
struct Checked {
    file: String,
    kind: String,
    id: String,
    version: String,
    /// Its own warnings.
    warnings: Diagnostics,
}

/// What [`validate`] found: each file given, and the warnings about references between
/// frameworks.
struct Validation {
    frameworks: Vec<Checked>,
    references: Diagnostics,
}

/// Checks framework files (or folders of them) read beside the known frameworks: each file,
/// the references between frameworks, and, for kinds read by other crates (KPI sets), their
/// own rules. Each file's warnings and those about references are notices in text, and in
/// the document in JSON; invalid input is an error, except in JSON, where it is reported in
/// the document (schema `sct-frameworks-validate/1`, `valid: false`) with
/// [`Outcome::Invalid`](crate::Outcome::Invalid).
///
/// ```
/// use sct_workflows::{Session, assess::CheckFormat, frameworks::{ValidateOptions, validate}};
/// let session = Session::bundled()?;
/// let options = ValidateOptions {
///     paths: vec!["../../frameworks".into()],
///     format: CheckFormat::Text,
/// };
/// let text = String::from_utf8(validate(&session, &options)?.document.into_bytes()?)?;
/// assert!(text.lines().all(|l| l.starts_with("ok: ")));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn validate(session: &Session, options: &ValidateOptions) -> Result<Output<'static>> {
    let checked = match check_files(&session.sct.registry, &options.paths) {
        Ok(checked) => checked,
        Err(e) => return invalid_as_json(options.format, "sct-frameworks-validate/1", None, e),
    };
    if options.format == CheckFormat::Json {
        return Ok(Output::text(json_text(&serde_json::json!({
            "schema": "sct-frameworks-validate/1",
            "valid": true,
            "frameworks": checked.frameworks,
            "diagnostics": checked.references,
        }))));
    }
    let mut text = String::new();
    let mut notices = Vec::new();
    for fw in &checked.frameworks {
        notices.extend(fw.warnings.iter().cloned());
        let _ = writeln!(
            text,
            "ok: {} ({} {} {}, {})",
            fw.file,
            fw.kind,
            fw.id,
            fw.version,
            sct_core::quote::count_of(fw.warnings.0.len(), "warning")
        );
    }
    notices.extend(checked.references.iter().cloned());
    Ok(Output::text(text).with_notices(notices))
}

/// Reads the frameworks under `paths` beside the known ones and checks them, their
/// references and (for kinds read by other crates) their own rules.
fn check_files(
    known: &FrameworkRegistry,
    paths: &[PathBuf],
) -> std::result::Result<Validation, sct_core::Error> {
    let mut reg = known.clone();
    for path in paths {
        reg.add_dir(path)?;
    }
    let references = reg.check_references()?;
    let given = |p: &Path| paths.iter().any(|g| p.starts_with(g));
    // Kinds read by other crates are checked here, with their own rules.
    let mut kind_errors = Diagnostics::default();
    for fw in reg.iter() {
        if fw.header.kind == FrameworkKind::KpiSet
            && let Origin::File(p) = &fw.origin
            && given(p)
            && let Err(d) = KpiSet::from_framework(fw)
        {
            kind_errors.extend(d);
        }
    }
    if kind_errors.has_errors() {
        return Err(sct_core::Error::Invalid(kind_errors));
    }
    let frameworks = reg
        .iter()
        .filter_map(|fw| match &fw.origin {
            // Every file under the paths given, including copies of the bundled frameworks.
            Origin::File(p) if given(p) => Some(Checked {
                file: p.display().to_string(),
                kind: fw.header.kind.to_string(),
                id: fw.id().to_string(),
                version: fw.version().to_string(),
                warnings: fw.warnings.clone(),
            }),
            _ => None,
        })
        .collect();
    Ok(Validation {
        frameworks,
        references,
    })
}
