//! What changed between two responses ([`sct_core::diff::ResponseDiff`]) as plain text for a
//! terminal, Markdown and JSON (`sct-diff/1`). The table lists the capabilities that changed,
//! were carried over, or are new or gone; the JSON has every capability.

use std::fmt::Write as _;

use sct_core::diff::{AnswerView, CapabilityDiff, Change, LevelMove, Presence, ResponseDiff};

use crate::markdown::{code, text as md};

/// The JSON schema of a diff.
pub const SCHEMA: &str = "sct-diff/1";

/// The diff as JSON with its schema key.
pub fn json(d: &ResponseDiff) -> String {
    crate::json::with_schema(SCHEMA, d)
}

/// The capabilities a table shows: every one with something to say.
pub fn listed(d: &ResponseDiff) -> impl Iterator<Item = &CapabilityDiff> {
    d.capabilities
        .iter()
        .filter(|c| c.changed || c.carried_over || c.presence != Presence::Both)
}

/// One side's level in words: the level's name, `n/a`, or a dash.
fn side(v: Option<&AnswerView>) -> String {
    match v {
        None => "—".to_string(),
        Some(v) => match v.state {
            "answered" => v.level_name.clone().unwrap_or_default(),
            "n/a" => "n/a".to_string(),
            _ => "—".to_string(),
        },
    }
}

/// The later level alone: its name, `n/a`, or a dash.
pub fn level_now(c: &CapabilityDiff) -> String {
    side(c.new.as_ref())
}

/// The level column: "Developing → Embedding (+1)", "Embedding (unchanged)".
pub fn level_words(c: &CapabilityDiff) -> String {
    let (from, to) = (side(c.old.as_ref()), side(c.new.as_ref()));
    match (c.presence, c.level) {
        (Presence::New, _) => format!("{to} (new capability)"),
        (Presence::Gone, _) => format!("{from} (capability gone)"),
        (_, LevelMove::Same) => format!("{to} (unchanged)"),
        (_, LevelMove::Up | LevelMove::Down) => {
            format!("{from} → {to} ({:+})", c.steps.unwrap_or_default())
        }
        (_, m) if from == to => format!("{to} ({})", m.words()),
        (_, m) => format!("{from} → {to} ({})", m.words()),
    }
}

fn change_words<T: std::fmt::Display>(c: Option<&Change<T>>, same: Option<String>) -> String {
    let show = |v: &Option<T>| {
        v.as_ref()
            .map(|x| x.to_string())
            .unwrap_or_else(|| "—".into())
    };
    match c {
        Some(c) => format!("{} → {}", show(&c.from), show(&c.to)),
        None => same.unwrap_or_else(|| "—".into()),
    }
}

/// The confidence column.
pub fn confidence_words(c: &CapabilityDiff) -> String {
    change_words(
        c.confidence.as_ref(),
        c.new.as_ref().and_then(|n| n.confidence.clone()),
    )
}

/// The evidence column: "+2 −1", or "same".
pub fn evidence_words(c: &CapabilityDiff) -> String {
    match (c.evidence_added.len(), c.evidence_removed.len()) {
        (0, 0) => "same".to_string(),
        (a, 0) => format!("+{a}"),
        (0, r) => format!("−{r}"),
        (a, r) => format!("+{a} −{r}"),
    }
}

/// The target column: "Embedding by 2027-03-31", or its change ("… → Advancing by …").
pub fn target_words(c: &CapabilityDiff) -> String {
    let target = |v: Option<&AnswerView>| {
        let Some(v) = v else {
            return "—".to_string();
        };
        match (&v.target_level_name, v.target_date) {
            (Some(l), Some(d)) => format!("{l} by {d}"),
            (Some(l), None) => l.clone(),
            (None, Some(d)) => format!("by {d}"),
            (None, None) => "—".to_string(),
        }
    };
    let now = target(c.new.as_ref());
    if c.target_level.is_some() || c.target_date.is_some() {
        format!("{} → {now}", target(c.old.as_ref()))
    } else {
        now
    }
}

/// The status column.
pub fn status_words(c: &CapabilityDiff) -> &'static str {
    match c.presence {
        Presence::New => "new capability",
        Presence::Gone => "gone",
        Presence::Both if c.carried_over_but_changed => "changed, still marked carried over",
        Presence::Both if c.carried_over => "carried over, to review",
        Presence::Both if c.changed => "changed",
        Presence::Both => "unchanged",
    }
}

/// The summary in one sentence.
pub fn summary_words(d: &ResponseDiff) -> String {
    let s = &d.summary;
    let mut words = format!(
        "{} capabilities compared: {} up, {} down, {} unchanged, {} newly answered, {} no longer rated; {} answers changed, {} carried over to review",
        s.compared,
        s.up,
        s.down,
        s.unchanged,
        s.newly_answered,
        s.no_longer_rated,
        s.changed,
        s.carried_over
    );
    if s.carried_over_but_changed > 0 {
        let _ = write!(
            words,
            ", {} marked carried over but changed",
            s.carried_over_but_changed
        );
    }
    if s.new_capabilities + s.gone_capabilities > 0 {
        let _ = write!(
            words,
            "; {} new and {} gone capabilities",
            s.new_capabilities, s.gone_capabilities
        );
    }
    words.push('.');
    words
}

/// "file (round, assessed DATE)".
fn response_words(r: &sct_core::diff::ResponseRef) -> String {
    let mut bits = Vec::new();
    if let Some(round) = &r.round {
        bits.push(round.clone());
    }
    if let Some(d) = r.assessed {
        bits.push(format!("assessed {d}"));
    }
    bits.push(format!("{} {}", r.toolkit, r.toolkit_version));
    format!("{} ({})", r.file, bits.join(", "))
}

fn who(r: &sct_core::diff::ResponseRef) -> String {
    format!("{} ({})", r.organisation, r.ods_code)
}

/// The diff as plain text for a terminal.
pub fn text(d: &ResponseDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "What changed: {}", who(&d.new));
    let _ = writeln!(out, "  from {}", response_words(&d.old));
    let _ = writeln!(out, "  to   {}", response_words(&d.new));
    let _ = writeln!(out, "  {}", sentence(&d.relation.words));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", summary_words(d));
    let _ = writeln!(out);
    text_table(&mut out, d);
    let with_items: Vec<&CapabilityDiff> = d
        .capabilities
        .iter()
        .filter(|c| !c.evidence_added.is_empty() || !c.evidence_removed.is_empty())
        .collect();
    if !with_items.is_empty() {
        let _ = writeln!(out, "\nEvidence added (+) and removed (−):");
        for c in with_items {
            let _ = writeln!(out, "  {}", c.title);
            for e in &c.evidence_added {
                let _ = writeln!(out, "    + {e}");
            }
            for e in &c.evidence_removed {
                let _ = writeln!(out, "    − {e}");
            }
        }
    }
    for n in &d.notes {
        let _ = writeln!(out, "\nNote: {n}");
    }
    let _ = writeln!(out, "\nMethod: {}", d.method);
    let _ = writeln!(out, "Files: {} sha256 {}", d.old.file, d.old.sha256);
    let _ = writeln!(out, "       {} sha256 {}", d.new.file, d.new.sha256);
    out
}

/// The relation, capitalised, as a sentence.
fn sentence(words: &str) -> String {
    let mut c = words.chars();
    match c.next() {
        Some(f) => format!("{}{}.", f.to_uppercase(), c.as_str()),
        None => String::new(),
    }
}

/// The table of capabilities with something to say, columns padded.
fn text_table(out: &mut String, d: &ResponseDiff) {
    let header = [
        "Capability",
        "Level",
        "Confidence",
        "Evidence",
        "Target",
        "Status",
    ];
    let rows: Vec<[String; 6]> = listed(d)
        .map(|c| {
            [
                c.title.clone(),
                level_words(c),
                confidence_words(c),
                evidence_words(c),
                target_words(c),
                status_words(c).to_string(),
            ]
        })
        .collect();
    if rows.is_empty() {
        let _ = writeln!(out, "No answer changed.");
        return;
    }
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let _ = writeln!(out, "{}", line(&header.map(String::from)));
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    let _ = writeln!(out, "{}", line(&rule));
    for r in &rows {
        let _ = writeln!(out, "{}", line(r));
    }
    let quiet = d.capabilities.len() - rows.len();
    if quiet > 0 {
        let _ = writeln!(
            out,
            "({} the same answer in both and {} not listed.)",
            others(quiet),
            if quiet == 1 { "is" } else { "are" }
        );
    }
}

/// "1 other capability has", "3 other capabilities have".
fn others(n: usize) -> String {
    match n {
        1 => "1 other capability has".to_string(),
        n => format!("{n} other capabilities have"),
    }
}

/// The diff as GitHub-flavoured Markdown.
pub fn markdown(d: &ResponseDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# What changed: {}\n", md(&who(&d.new)));
    let _ = writeln!(out, "- **From:** {}", md(&response_words(&d.old)));
    let _ = writeln!(out, "- **To:** {}", md(&response_words(&d.new)));
    let _ = writeln!(
        out,
        "- **Organisations:** {}\n",
        md(&sentence(&d.relation.words))
    );
    let _ = writeln!(out, "{}\n", md(&summary_words(d)));
    markdown_body(&mut out, d, "##");
    let _ = writeln!(out, "## Method\n\n{}\n", md(d.method));
    let _ = writeln!(out, "## Provenance\n");
    for r in [&d.old, &d.new] {
        let _ = writeln!(
            out,
            "- response {}, sha256 {}",
            code(&r.file),
            code(&r.sha256)
        );
    }
    out
}

/// The table, the evidence lists and the notes, under headings of the given level.
pub fn markdown_body(out: &mut String, d: &ResponseDiff, h: &str) {
    let rows: Vec<&CapabilityDiff> = listed(d).collect();
    if rows.is_empty() {
        let _ = writeln!(out, "No answer changed.\n");
    } else {
        let _ = writeln!(
            out,
            "| Capability | Level | Confidence | Evidence | Target | Status |\n| --- | --- | --- | --- | --- | --- |"
        );
        for c in &rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md(&c.title),
                md(&level_words(c)),
                md(&confidence_words(c)),
                md(&evidence_words(c)),
                md(&target_words(c)),
                md(status_words(c))
            );
        }
        let quiet = d.capabilities.len() - rows.len();
        if quiet > 0 {
            let _ = writeln!(
                out,
                "\n{} the same answer in both and {} not listed.",
                others(quiet),
                if quiet == 1 { "is" } else { "are" }
            );
        }
        let _ = writeln!(out);
    }
    let with_items: Vec<&CapabilityDiff> = rows
        .iter()
        .copied()
        .filter(|c| !c.evidence_added.is_empty() || !c.evidence_removed.is_empty())
        .collect();
    if !with_items.is_empty() {
        let _ = writeln!(out, "{h} Evidence added and removed\n");
        for c in with_items {
            let _ = writeln!(out, "- **{}**", md(&c.title));
            for e in &c.evidence_added {
                let _ = writeln!(out, "  - added: {}", md(e));
            }
            for e in &c.evidence_removed {
                let _ = writeln!(out, "  - removed: {}", md(e));
            }
        }
        let _ = writeln!(out);
    }
    for n in &d.notes {
        let _ = writeln!(out, "> **Note:** {}\n", md(n));
    }
}
