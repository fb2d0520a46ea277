//! `sct frameworks list|show|validate`.

use crate::error::CliError;
use std::fmt::Write as _;
use std::process::ExitCode;

use serde::Serialize;

use sct_core::load::{FrameworkContent, LoadedFramework, Origin};
use sct_core::model::{FrameworkKind, Status};
use sct_core::{Error, FrameworkRegistry};
use sct_kpi::kpiset::{KpiSet, Timeframe};

use crate::cli::{CheckFormat, FrameworksCommand, GlobalArgs, ListFormat, ShowFormat};
use crate::outputs::{invalid_as_json, print, print_json, print_text};

use super::framework_dirs;

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

pub fn run(global: &GlobalArgs, cmd: FrameworksCommand) -> Result<ExitCode, CliError> {
    match cmd {
        FrameworksCommand::List { format } => {
            let reg = FrameworkRegistry::with_dirs(&framework_dirs(global))?;
            print(&list(&reg, format))?;
            Ok(ExitCode::SUCCESS)
        }
        FrameworksCommand::Show {
            id,
            version,
            format,
        } => {
            let reg = FrameworkRegistry::with_dirs(&framework_dirs(global))?;
            let fw = reg.get(&id, version.as_deref())?;
            let text = match format {
                ShowFormat::Toml => fw.source.text.clone(),
                ShowFormat::Json => {
                    let value = match &fw.content {
                        FrameworkContent::Capability(t) => serde_json::to_value(t),
                        FrameworkContent::Round(r) => serde_json::to_value(r),
                        FrameworkContent::Other if fw.header.kind == FrameworkKind::KpiSet => {
                            let set = KpiSet::from_framework(fw).map_err(Error::Invalid)?;
                            serde_json::to_value(set)
                        }
                        FrameworkContent::Other => serde_json::to_value(&fw.header),
                    }
                    .unwrap_or_default();
                    format!(
                        "{}\n",
                        serde_json::to_string_pretty(&value).unwrap_or_default()
                    )
                }
                ShowFormat::Text => show_text(fw),
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        FrameworksCommand::Validate { paths, format } => {
            let checked = match validate(global, &paths) {
                Ok(checked) => checked,
                Err(e) if format == CheckFormat::Json => {
                    return invalid_as_json("sct-frameworks-validate/1", None, e);
                }
                Err(e) => return Err(e.into()),
            };
            match format {
                CheckFormat::Text => {
                    let mut text = String::new();
                    for fw in &checked.frameworks {
                        for w in fw.warnings.iter() {
                            crate::style::eprint(&w.to_string());
                        }
                        let _ = writeln!(
                            text,
                            "ok: {} ({} {} {}, {} warning(s))",
                            fw.file,
                            fw.kind,
                            fw.id,
                            fw.version,
                            fw.warnings.0.len()
                        );
                    }
                    for w in checked.references.iter() {
                        crate::style::eprint(&w.to_string());
                    }
                    print_text(&text)?;
                }
                CheckFormat::Json => print_json(&serde_json::json!({
                    "schema": "sct-frameworks-validate/1",
                    "valid": true,
                    "frameworks": checked.frameworks,
                    "diagnostics": checked.references,
                }))?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A framework file that `sct frameworks validate` read and found valid.
#[derive(Serialize)]
struct Checked {
    file: String,
    kind: String,
    id: String,
    version: String,
    /// Its own warnings.
    warnings: sct_core::Diagnostics,
}

/// What `sct frameworks validate` found: each file given, and the warnings about references
/// between frameworks.
struct Validation {
    frameworks: Vec<Checked>,
    references: sct_core::Diagnostics,
}

/// Reads the frameworks under `paths` beside the known ones and checks them, their
/// references and (for kinds read by other crates) their own rules.
fn validate(global: &GlobalArgs, paths: &[std::path::PathBuf]) -> Result<Validation, Error> {
    let mut reg = FrameworkRegistry::with_dirs(&framework_dirs(global))?;
    for path in paths {
        reg.add_dir(path)?;
    }
    let references = reg.check_references()?;
    // Kinds read by other crates are checked here, with their own rules.
    let mut kind_errors = sct_core::Diagnostics::default();
    for fw in reg.iter() {
        if fw.header.kind == FrameworkKind::KpiSet
            && let Origin::File(p) = &fw.origin
            && paths.iter().any(|given| p.starts_with(given))
            && let Err(d) = KpiSet::from_framework(fw)
        {
            kind_errors.extend(d);
        }
    }
    if kind_errors.has_errors() {
        return Err(Error::Invalid(kind_errors));
    }
    let frameworks = reg
        .iter()
        .filter_map(|fw| match &fw.origin {
            // Every file under the paths given, including copies of the bundled frameworks.
            Origin::File(p) if paths.iter().any(|given| p.starts_with(given)) => Some(Checked {
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

fn list(reg: &FrameworkRegistry, format: ListFormat) -> String {
    let rows: Vec<Listed> = reg
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
    let mut out = String::new();
    match format {
        ListFormat::Json => {
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            );
        }
        ListFormat::Table => {
            let w_id = rows.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
            let w_ver = rows
                .iter()
                .map(|r| r.version.len())
                .max()
                .unwrap_or(7)
                .max(7);
            let w_kind = rows.iter().map(|r| r.kind.len()).max().unwrap_or(4).max(4);
            let _ = writeln!(
                out,
                "{:w_id$}  {:w_ver$}  {:w_kind$}  {:10}  {:8}  TITLE",
                "ID", "VERSION", "KIND", "STATUS", "ORIGIN"
            );
            for r in &rows {
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
        }
    }
    out
}

fn show_text(fw: &LoadedFramework) -> String {
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
        FrameworkContent::Capability(t) => {
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
        FrameworkContent::Round(r) => {
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
        FrameworkContent::Other if h.kind == FrameworkKind::KpiSet => {
            match KpiSet::from_framework(fw) {
                Ok(set) => show_kpi_set(&mut out, &set),
                Err(d) => {
                    let _ = writeln!(out, "\nThis KPI set has errors:\n{d}");
                }
            }
        }
        FrameworkContent::Other => {}
    }
    out
}

fn show_kpi_set(out: &mut String, set: &KpiSet) {
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
            let target = match (i.target, i.target_note.as_deref()) {
                (Some(t), Some(note)) => format!("target {t} ({note})"),
                (Some(t), None) => format!("target {t}"),
                (None, _) => "no target".to_string(),
            };
            let _ = writeln!(
                out,
                "  {:28} {} [{}, {}, {} is better, {target}{}]",
                i.id.get_ref(),
                i.title,
                i.period.as_str(),
                i.value_type.as_str(),
                i.improvement.as_str(),
                if i.plan.is_empty() {
                    String::new()
                } else {
                    format!("; plan for {} periods", i.plan.len())
                }
            );
        }
    }
}
