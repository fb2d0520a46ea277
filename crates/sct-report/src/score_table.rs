//! The score as a terminal table, with method and provenance.

use std::fmt::Write as _;

use sct_core::ScoreReport;
use sct_core::score::ScoreSummary;

use crate::{fmt_coverage, fmt_score};

fn wrap(out: &mut String, indent: &str, text: &str, width: usize) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + word.len() + 1 > width {
            let _ = writeln!(out, "{indent}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}{line}");
    }
}

struct Row {
    name: String,
    cells: [String; 7],
}

fn row(name: String, s: &ScoreSummary) -> Row {
    let c = &s.confidence;
    Row {
        name,
        cells: [
            fmt_score(s.score),
            s.level_name.clone().unwrap_or_else(|| "—".to_string()),
            fmt_coverage(&s.coverage),
            format!("{}/{}/{}", c.low, c.medium, c.high),
            s.without_evidence.to_string(),
            fmt_score(s.target_score),
            s.gap_to_target
                .map(|g| format!("{g:+.2}"))
                .unwrap_or_else(|| "—".to_string()),
        ],
    }
}

/// Renders a score report as a plain-text table for a terminal.
pub fn score_table(r: &ScoreReport) -> String {
    let mut out = String::new();
    heading(&mut out, r);
    domain_table(&mut out, r);
    milestones(&mut out, r);
    method_and_provenance(&mut out, r);
    out
}

/// `s` padded with spaces to `w` characters.
fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())))
}

/// Who, the notice, and the round, toolkit and date.
fn heading(out: &mut String, r: &ScoreReport) {
    let who = if r.subject.ods_code.is_empty() {
        r.subject.organisation.clone()
    } else {
        format!("{} ({})", r.subject.organisation, r.subject.ods_code)
    };
    let who = if who.trim().is_empty() {
        "(organisation not filled in)".to_string()
    } else {
        who
    };
    let _ = writeln!(out, "Strategic commissioning capability: {who}");
    if let (Some(p), Some(g)) = (&r.subject.person, &r.subject.role_group) {
        let _ = writeln!(out, "Individual self-assessment: {p} ({g})");
    }
    if !r.notice.is_empty() {
        wrap(out, "", &format!("NOTICE: {}", r.notice), 100);
    }
    let mut facts = Vec::new();
    if let Some(round) = &r.round {
        facts.push(format!("round {round}"));
    }
    facts.push(format!("toolkit {} {}", r.toolkit, r.toolkit_version));
    facts.push(format!(
        "assessed {}",
        r.assessed
            .map(|d| d.to_string())
            .unwrap_or_else(|| "(not given)".into())
    ));
    let _ = writeln!(out, "{}", facts.join(" · "));
    let _ = writeln!(out);
}

/// One row per domain, then the overall row, aligned in columns.
fn domain_table(out: &mut String, r: &ScoreReport) {
    let mut rows: Vec<Row> = r
        .domains
        .iter()
        .map(|d| row(format!("{} {}", d.section, d.title), &d.summary))
        .collect();
    rows.push(row("Overall".to_string(), &r.overall));
    let headers = [
        "Score",
        "Level",
        "Coverage",
        "Conf L/M/H",
        "No evidence",
        "Target",
        "Gap",
    ];
    let name_w = rows
        .iter()
        .map(|x| x.name.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut widths = headers.map(|h| h.chars().count());
    for x in &rows {
        for (w, c) in widths.iter_mut().zip(&x.cells) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut line = pad("Domain", name_w);
    for (h, w) in headers.iter().zip(widths) {
        line.push_str("  ");
        line.push_str(&pad(h, w));
    }
    let _ = writeln!(out, "{}", line.trim_end());
    let _ = writeln!(out, "{}", "-".repeat(line.trim_end().chars().count()));
    let last = rows.len() - 1;
    for (i, x) in rows.iter().enumerate() {
        if i == last {
            let _ = writeln!(out, "{}", "-".repeat(line.trim_end().chars().count()));
        }
        let mut l = pad(&x.name, name_w);
        for (c, w) in x.cells.iter().zip(widths) {
            l.push_str("  ");
            l.push_str(&pad(c, w));
        }
        let _ = writeln!(out, "{}", l.trim_end());
    }
}

/// The milestones with their status and why.
fn milestones(out: &mut String, r: &ScoreReport) {
    if !r.milestones.is_empty() {
        let _ = writeln!(out);
        let as_of = r.as_of.map(|d| d.to_string()).unwrap_or_default();
        let _ = writeln!(out, "Milestones as of {as_of}");
        let status_w = r
            .milestones
            .iter()
            .map(|m| m.status.as_str().len())
            .max()
            .unwrap_or(0);
        for m in &r.milestones {
            let _ = writeln!(
                out,
                "  {}  due {}  {}",
                pad(m.status.as_str(), status_w),
                m.due.date,
                m.title
            );
            // Align the reason under the title: "  " + status + "  due YYYY-MM-DD  ".
            let indent = " ".repeat(2 + status_w + 2 + "due YYYY-MM-DD".len() + 2);
            wrap(out, &indent, &format!("({})", m.reason), 100);
        }
    }
}

/// The method, the provenance and any warnings from validation.
fn method_and_provenance(out: &mut String, r: &ScoreReport) {
    let _ = writeln!(out);
    let _ = writeln!(out, "Method");
    wrap(out, "  ", &r.method.description, 100);
    if let Some(rule) = &r.method.milestone_rule {
        wrap(out, "  ", rule, 100);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Provenance (sct {})", r.provenance.sct_version);
    for f in &r.provenance.frameworks {
        let _ = writeln!(
            out,
            "  {} {} ({}) sha256 {}",
            f.id, f.version, f.kind, f.sha256
        );
    }
    let _ = writeln!(
        out,
        "  response {} sha256 {}",
        r.provenance.response.file, r.provenance.response.sha256
    );
    let _ = writeln!(
        out,
        "  organisations {} sha256 {}",
        r.provenance.organisations.file, r.provenance.organisations.sha256
    );
    if !r.warnings.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{} from validation:",
            sct_core::quote::count_of(r.warnings.len(), "warning")
        );
        for w in &r.warnings {
            for l in w.lines() {
                let _ = writeln!(out, "  {l}");
            }
        }
    }
}
