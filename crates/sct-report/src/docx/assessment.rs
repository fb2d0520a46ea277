//! The assessment report as a Word document: the board summary first, then the capability
//! profile, each domain's capabilities, milestones, the moderation, individuals, method and
//! provenance, in the order and words of the HTML report.

use sct_docx::{Block, Document, Paragraph, Table};

use super::{DocxError, bytes, chart, or_dash, score};
use crate::assessment::{domain_bar_chart, radar_chart};
use crate::charts::{self, ChartFormat};
use crate::report::{AssessmentReport, MilestoneLine};

/// The assessment report as `.docx` bytes.
pub fn docx(r: &AssessmentReport) -> Result<Vec<u8>, DocxError> {
    let mut doc = Document::new(r.report.title.clone());
    doc.footer = r.report.title.clone();
    doc.heading(1, r.report.title.clone());
    let s = &r.score;
    let mut line = Vec::new();
    if let Some(round) = &s.round {
        line.push(format!("Round {round}"));
    }
    line.push(format!("{} {}", s.toolkit, s.toolkit_version));
    line.push(format!(
        "assessed {}",
        or_dash(s.assessed.map(|d| d.to_string()).as_deref())
    ));
    if let Some(d) = r.report.generated_at {
        line.push(format!("dated {d}"));
    }
    doc.paragraph(line.join(" · "));
    if !s.notice.is_empty() {
        doc.push(Block::Paragraph(
            Paragraph::new().bold(format!("⚠ {}", s.notice)),
        ));
    }
    summary(&mut doc, r);
    since(&mut doc, r);
    profile(&mut doc, r)?;
    domains(&mut doc, r)?;
    milestones(&mut doc, r);
    super::team::moderation(&mut doc, r.report.team.as_ref());
    individuals(&mut doc, r);
    method(&mut doc, r);
    provenance(&mut doc, r);
    bytes(&doc)
}

/// The board summary: the facts, the level by domain, strengths, gaps, the plan's first
/// priorities, milestones needing attention, coverage and confidence.
fn summary(doc: &mut Document, r: &AssessmentReport) {
    let b = &r.report.summary;
    doc.heading(2, "Board summary");
    doc.bullets([
        format!(
            "Overall level: {}",
            or_dash(b.overall_level_name.as_deref())
        ),
        format!(
            "Overall score: {} of {}",
            score(b.overall_score),
            r.report.level_names.len()
        ),
        format!("Target score: {}", score(b.overall_target_score)),
        format!("Coverage: {}", b.coverage),
    ]);
    super::team::sign_off(doc, r.report.team.as_ref());
    let mut t = Table::new(
        "Level by domain",
        ["Domain", "Level", "Score", "Target", "Coverage"],
    )
    .widths([4, 2, 1, 1, 2]);
    for d in &b.domains {
        t = t.row([
            format!("{} {}", d.section, d.title),
            or_dash(d.level_name.as_deref()),
            score(d.score),
            score(d.target_score),
            d.coverage.clone(),
        ]);
    }
    doc.push(Block::Table(t));
    doc.heading(3, "Top strengths");
    doc.note("Highest evidenced ratings first.");
    let strengths = b.strengths.iter().map(|s| {
        Paragraph::new()
            .bold(s.title.clone())
            .plain(format!(": {} ({})", s.level_name, s.domain))
    });
    list_or(doc, strengths.collect(), "No capability is rated yet.");
    doc.heading(3, "Top gaps to target");
    let gaps = b.gaps.iter().map(|g| {
        let gap = g.gap.unwrap_or(0);
        let by = g
            .target_date
            .map(|d| format!(" by {d}"))
            .unwrap_or_default();
        Paragraph::new().bold(g.title.clone()).plain(format!(
            ": {} → {} ({gap} level{}{by})",
            g.level_name,
            g.target_level_name.clone().unwrap_or_default(),
            if gap == 1 { "" } else { "s" }
        ))
    });
    list_or(
        doc,
        gaps.collect(),
        "No targets above the current levels are set.",
    );
    plan_excerpt(doc, r);
    doc.heading(3, "Milestones at risk or missed");
    let attention: Vec<Paragraph> = b.milestones_attention.iter().map(attention).collect();
    let none = if r.score.milestones.is_empty() {
        "No milestones are assessed in this response.".to_string()
    } else {
        format!(
            "None: every milestone is met or on track as of {}.",
            or_dash(r.score.as_of.map(|d| d.to_string()).as_deref())
        )
    };
    list_or(doc, attention, &none);
    doc.heading(3, "Coverage and confidence");
    let warnings = b
        .warnings
        .iter()
        .map(|w| Paragraph::text(w.clone()))
        .collect();
    list_or(
        doc,
        warnings,
        "Every applicable capability is answered, with evidence and stated confidence.",
    );
}

fn attention(m: &MilestoneLine) -> Paragraph {
    let mark = if m.status_key == "missed" {
        "✕"
    } else {
        "▲"
    };
    Paragraph::new()
        .bold(format!("{mark} {}", m.status))
        .plain(format!(" {}, due {} ({})", m.title, m.due, m.reason))
}

/// A bulleted list, or a sentence saying there is nothing to list.
fn list_or(doc: &mut Document, items: Vec<Paragraph>, none: &str) {
    if items.is_empty() {
        doc.paragraph(none);
    } else {
        doc.list(false, items);
    }
}

fn plan_excerpt(doc: &mut Document, r: &AssessmentReport) {
    let Some(plan) = &r.report.plan else {
        return;
    };
    doc.heading(3, "Development plan: first priorities");
    let items = plan.top.iter().map(|p| {
        let tie = if p.tied { "=" } else { "" };
        let strands: Vec<&str> = p.strands.iter().map(|s| s.title.as_str()).collect();
        let mut text = format!(
            " (rank {tie}{}): {} → {}",
            p.rank, p.level_name, p.target_level_name
        );
        if !strands.is_empty() {
            text.push_str(&format!("; {}", strands.join(", ")));
        }
        if p.validate_before_investing {
            text.push_str(" ⚑ validate before investing");
        }
        Paragraph::new().bold(p.title.clone()).plain(text)
    });
    doc.list(true, items.collect());
    doc.paragraph(format!(
        "{} priorities ({} to validate before investing), ranked by {}. sct plan writes the whole development plan: support needed by strand of the development programme, individual development, the timeline and progress.",
        plan.summary.priorities,
        plan.summary.to_validate,
        plan.rule.join(", then ")
    ));
}

/// What changed since the last assessment, and what is merely carried over, as the HTML
/// report's section has it.
fn since(doc: &mut Document, r: &AssessmentReport) {
    let Some(s) = &r.report.since else {
        return;
    };
    let old = &s.diff.old;
    doc.heading(2, "Since the last assessment");
    let mut compared = format!("Compared with {} ({})", old.organisation, old.ods_code);
    if let Some(round) = &old.round {
        compared.push_str(&format!(", round {round}"));
    }
    if let Some(d) = old.assessed {
        compared.push_str(&format!(", assessed {d}"));
    }
    doc.paragraph(format!(
        "{compared}: {}. File {}, sha256 {}.",
        s.diff.relation.words, old.file, old.sha256
    ));
    doc.paragraph(s.summary.clone());
    if s.changed.is_empty() {
        doc.paragraph("No answer changed.");
    } else {
        let mut t = Table::new(
            "What changed",
            [
                "Capability",
                "Level",
                "Confidence",
                "Evidence",
                "Target",
                "Status",
            ],
        )
        .widths([4, 3, 2, 4, 3, 2]);
        for c in &s.changed {
            let mut evidence: Vec<String> = c
                .evidence_added
                .iter()
                .map(|e| format!("added: {e}"))
                .collect();
            evidence.extend(c.evidence_removed.iter().map(|e| format!("removed: {e}")));
            t = t.row([
                c.title.clone(),
                c.level.clone(),
                c.confidence.clone(),
                if evidence.is_empty() {
                    "same".to_string()
                } else {
                    evidence.join("\n")
                },
                c.target.clone(),
                c.status.clone(),
            ]);
        }
        doc.push(Block::Table(t));
    }
    if !s.to_review.is_empty() {
        doc.heading(3, "Carried over, to review");
        doc.paragraph(
            "Still marked carried over, with the same content as last time: review each and remove the mark.",
        );
        let items = s.to_review.iter().map(|c| {
            Paragraph::new()
                .bold(c.title.clone())
                .plain(format!(": {}", c.level_now))
        });
        doc.list(false, items.collect());
    }
    for n in &s.diff.notes {
        doc.paragraph(format!("Note: {n}"));
    }
}

/// The radar chart and the table giving the same figures.
fn profile(doc: &mut Document, r: &AssessmentReport) -> Result<(), DocxError> {
    doc.heading(2, "Capability profile");
    let radar = radar_chart(r);
    let png = charts::radar(&radar, ChartFormat::Png)?;
    let caption = format!(
        "Domain scores (solid, circles) against targets (dashed, squares); rings are levels {}. The table gives the same figures.",
        r.report.level_names.join(", ")
    );
    chart(doc, png, &radar.title, &radar.description, &caption, 0.8);
    let mut t =
        Table::new("Domain scores and targets", ["Domain", "Score", "Target"]).widths([4, 1, 1]);
    for d in &r.report.summary.domains {
        t = t.row([
            format!("{} {}", d.section, d.title),
            score(d.score),
            score(d.target_score),
        ]);
    }
    doc.push(Block::Table(t));
    Ok(())
}

/// Each domain: its bar chart and its capabilities' table.
fn domains(doc: &mut Document, r: &AssessmentReport) -> Result<(), DocxError> {
    doc.heading(2, "Capabilities by domain");
    for d in &r.report.domains {
        doc.heading(
            3,
            format!(
                "{} {}: {} ({}; score {}; {})",
                d.section,
                d.title,
                or_dash(d.level_name.as_deref()),
                d.kind,
                score(d.score),
                d.coverage
            ),
        );
        if let Some(bars) = domain_bar_chart(r, &d.id) {
            let png = charts::bars(&bars, ChartFormat::Png)?;
            let caption = "Each capability's level (bar) and target (marker); the table below gives the same.";
            chart(doc, png, &bars.title, &bars.description, caption, 1.0);
        }
        let mut t = Table::new(
            format!("{} {}: capabilities", d.section, d.title),
            [
                "Capability",
                "Level and descriptor",
                "Confidence",
                "Evidence",
                "Target",
                "Rationale",
            ],
        )
        .widths([3, 5, 2, 4, 2, 4]);
        for c in &d.capabilities {
            let level = match c.state.as_str() {
                "answered" => match &c.descriptor {
                    Some(desc) => format!("{}: {desc}", c.level_name.clone().unwrap_or_default()),
                    None => c.level_name.clone().unwrap_or_default(),
                },
                "n/a" => format!("n/a: {}", c.reason.clone().unwrap_or_default()),
                _ => "Not answered".to_string(),
            };
            let mut level = Paragraph::text(level);
            for f in &c.flags {
                level = level.bold(format!("\n⚑ {f}"));
            }
            let evidence = if c.evidence.is_empty() {
                "none".to_string()
            } else {
                c.evidence
                    .iter()
                    .map(|e| format!("• {e}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let target = match &c.target_level_name {
                Some(t) => match c.target_date {
                    Some(d) => format!("{t} by {d}"),
                    None => t.clone(),
                },
                None => "—".to_string(),
            };
            let row: Vec<Paragraph> = vec![
                c.title.clone().into(),
                level,
                or_dash(c.confidence.as_deref()).into(),
                evidence.into(),
                target.into(),
                c.rationale.clone().into(),
            ];
            t.rows.push(row);
        }
        doc.push(Block::Table(t));
    }
    Ok(())
}

fn milestones(doc: &mut Document, r: &AssessmentReport) {
    if r.report.milestones.is_empty() {
        return;
    }
    let as_of = or_dash(r.score.as_of.map(|d| d.to_string()).as_deref());
    let round = r.score.round.clone().unwrap_or_default();
    doc.heading(2, format!("Milestones of {round} as of {as_of}"));
    let mut t = Table::new(
        format!("Milestones as of {as_of}"),
        ["Milestone", "Status", "Due", "Why", "Note"],
    )
    .widths([4, 2, 3, 4, 3]);
    for m in &r.report.milestones {
        let mark = match m.status_key.as_str() {
            "met" => "✓",
            "missed" => "✕",
            "at-risk" => "▲",
            _ => "→",
        };
        let mut due = format!("{}\n{}; {}", m.due, m.due_as_written, m.due_source);
        for o in &m.other_due {
            due.push_str(&format!("\nalso given: {o}"));
        }
        t = t.row([
            m.title.clone(),
            format!("{mark} {}", m.status),
            due,
            m.reason.clone(),
            m.note.clone(),
        ]);
    }
    doc.push(Block::Table(t));
}

fn individuals(doc: &mut Document, r: &AssessmentReport) {
    let Some(ind) = &r.report.individuals else {
        return;
    };
    doc.heading(2, "Individual self-assessments");
    doc.paragraph(format!(
        "{} people's self-assessments beside the organisation's own rating. {}",
        ind.people, ind.rule
    ));
    let mut header = vec![
        "Competency".to_string(),
        "Organisation's rating".to_string(),
    ];
    header.extend(r.report.level_names.iter().cloned());
    header.push("Median".into());
    // Room for each level's name in its header ("Developing", "Mastering").
    let mut widths = vec![7, 4];
    widths.extend(std::iter::repeat_n(4, r.report.level_names.len()));
    widths.push(3);
    let mut t = Table::new("People at each level, per competency", header).widths(widths);
    for c in &ind.capabilities {
        let mut row: Vec<Paragraph> = vec![
            Paragraph::new()
                .bold(c.title.clone())
                .plain(format!("\n{}", c.competency)),
            or_dash(c.organisation_level_name.as_deref()).into(),
        ];
        if c.suppressed {
            let s = if c.respondents == 1 { "" } else { "s" };
            row.push(
                format!(
                    "Withheld: {} respondent{s}, fewer than {}",
                    c.respondents, ind.min_group_size
                )
                .into(),
            );
        } else {
            row.extend(c.counts.iter().map(|n| n.to_string().into()));
            row.push(score(c.median).into());
        }
        t.rows.push(row);
    }
    doc.push(Block::Table(t));
    let mut t = Table::new("Role groups", ["Role group", "People", "Figures"]).widths([3, 1, 4]);
    for g in &ind.role_groups {
        let figures = if g.suppressed {
            format!("Withheld: fewer than {} people", ind.min_group_size)
        } else {
            format!(
                "Shown (medians for {} competencies in the JSON output)",
                g.medians.len()
            )
        };
        t = t.row([g.name.clone(), g.people.to_string(), figures]);
    }
    doc.push(Block::Table(t));
}

fn method(doc: &mut Document, r: &AssessmentReport) {
    let m = &r.score.method;
    doc.heading(2, "Method");
    doc.paragraph(m.description.clone());
    if let Some(rule) = &m.milestone_rule {
        doc.paragraph(rule.clone());
    }
    let mut t =
        Table::new("Levels and bands", ["Level", "Score", "Shown from score"]).widths([3, 1, 2]);
    for l in &m.levels {
        t = t.row([l.name.clone(), l.score.to_string(), score(l.band_from)]);
    }
    doc.push(Block::Table(t));
    doc.paragraph(
        "A rating at one of the two top levels without evidence, or with low confidence, is flagged ⚑ for validation.",
    );
}

fn provenance(doc: &mut Document, r: &AssessmentReport) {
    super::assessment_provenance(doc, &r.score.provenance);
    super::individuals_provenance(doc, r.report.individuals.as_ref().map(|i| &i.files[..]));
    super::dated(
        doc,
        &or_dash(r.report.generated_at.map(|d| d.to_string()).as_deref()),
        "the assessed date or --as-of",
    );
    if !r.report.validation_notes.is_empty() {
        doc.heading(3, "Warnings from validation");
        doc.bullets(r.report.validation_notes.iter().cloned());
    }
}
