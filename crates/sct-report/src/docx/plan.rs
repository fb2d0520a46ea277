//! The development plan as a Word document: the summary first, then the priorities, the
//! support needed by strand, individual development, the timeline (drawn as in the HTML),
//! progress, method and provenance, in the HTML plan's order and words.

use sct_core::plan::{
    DevelopmentPlan, MilestoneAtStake, Progress, ProgressStatus, TimelineKind,
    VALIDATE_BEFORE_INVESTING,
};
use sct_docx::{Block, Document, Paragraph, Table};

use super::{DocxError, bytes, chart, or_dash};
use crate::charts::ChartFormat;
use crate::plan_timeline::{timeline, timeline_chart};

/// The plan as `.docx` bytes.
pub fn docx(plan: &DevelopmentPlan) -> Result<Vec<u8>, DocxError> {
    let mut doc = Document::new(plan.title.clone());
    doc.footer = plan.title.clone();
    doc.heading(1, plan.title.clone());
    let mut line = Vec::new();
    if let Some(round) = &plan.round {
        line.push(format!("Round {round}"));
    }
    line.push(format!("{} {}", plan.toolkit, plan.toolkit_version));
    line.push(format!(
        "assessed {}",
        or_dash(plan.assessed.map(|d| d.to_string()).as_deref())
    ));
    if let Some(d) = plan.as_of {
        line.push(format!("dated {d}"));
    }
    doc.paragraph(line.join(" · "));
    if !plan.notice.is_empty() {
        doc.push(Block::Paragraph(
            Paragraph::new().bold(format!("⚠ {}", plan.notice)),
        ));
    }
    summary(&mut doc, plan);
    priorities(&mut doc, plan);
    support(&mut doc, plan);
    individuals(&mut doc, plan);
    timeline_section(&mut doc, plan)?;
    if let Some(pr) = &plan.progress {
        progress(&mut doc, pr);
    }
    doc.heading(2, "Method");
    for m in &plan.method {
        doc.paragraph(m.clone());
    }
    provenance(&mut doc, plan);
    bytes(&doc)
}

fn summary(doc: &mut Document, plan: &DevelopmentPlan) {
    let s = &plan.summary;
    doc.heading(2, "Summary");
    doc.bullets([
        format!(
            "Overall level: {}",
            or_dash(plan.overall_level_name.as_deref())
        ),
        format!("Priorities: {}", s.priorities),
        format!("Below target: {}", s.below_target),
        format!("To validate first: {}", s.to_validate),
    ]);
    doc.push(Block::Paragraph(
        Paragraph::new()
            .bold("The rule: ")
            .plain(plan.rule.description.clone()),
    ));
    if !s.strands_needed.is_empty() {
        let n = s.strands_needed.len();
        doc.paragraph(format!(
            "Support is needed from {n} strand{} of the development programme: {}.",
            if n == 1 { "" } else { "s" },
            s.strands_needed.join("; ")
        ));
    }
    if !s.milestones_attention.is_empty() {
        doc.paragraph(format!(
            "Milestones at stake that are at risk or missed: {}.",
            s.milestones_attention.join("; ")
        ));
    }
    if s.tied > 0 {
        doc.paragraph(format!(
            "{} priorities share a rank with another (ties are shown as ties, “=”).",
            s.tied
        ));
    }
    if !s.without_target.is_empty() {
        doc.note(format!(
            "Rated without a target (not ranked by gap): {}.",
            s.without_target.join("; ")
        ));
    }
    doc.note(format!(
        "{} capabilit{} n/a and {} not answered are not listed.",
        s.not_applicable,
        if s.not_applicable == 1 { "y" } else { "ies" },
        s.unanswered
    ));
}

/// "⚑ Validate before investing: reasons" under a priority, when it applies.
fn validate(p: Paragraph, flagged: bool, reasons: &[String]) -> Paragraph {
    if !flagged {
        return p;
    }
    let mut words = VALIDATE_BEFORE_INVESTING.to_string();
    if let Some(first) = words.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    p.bold(format!("\n⚑ {words}: {}", reasons.join("; ")))
}

/// Milestones at stake, one a line (bulleted when there are several), or an em dash.
fn milestones(list: &[MilestoneAtStake]) -> Paragraph {
    let lines: Vec<String> = list.iter().map(milestone).collect();
    match lines.as_slice() {
        [] => "—".into(),
        [one] => one.clone().into(),
        many => many
            .iter()
            .map(|l| format!("• {l}"))
            .collect::<Vec<_>>()
            .join("\n")
            .into(),
    }
}

/// A milestone at stake in words, with its status mark.
fn milestone(m: &MilestoneAtStake) -> String {
    let mut s = format!("{}, due {}", m.title, m.due);
    if let Some(status) = &m.status {
        let mark = match status.as_str() {
            "met" => "✓",
            "missed" => "✕",
            "at risk" => "▲",
            _ => "→",
        };
        s.push_str(&format!(" {mark} {status}"));
    }
    s
}

fn priorities(doc: &mut Document, plan: &DevelopmentPlan) {
    doc.heading(2, "Priorities");
    if plan.priorities.is_empty() {
        doc.paragraph("No capability is below its target and every rating is evidenced with enough confidence.");
        return;
    }
    let mut t = Table::new(
        format!(
            "Capabilities by priority ({})",
            plan.rule.order.join(", then ")
        ),
        [
            "Rank",
            "Capability",
            "Level → target",
            "Gap × weight",
            "Milestones at stake",
            "Strands",
        ],
    )
    .widths([2, 5, 3, 3, 4, 3]);
    t.row_headers = false;
    for p in &plan.priorities {
        let capability = Paragraph::new()
            .bold(p.title.clone())
            .plain(format!("\n{}", p.domain));
        let capability = validate(capability, p.validate_before_investing, &p.validate_reasons);
        let mut level = format!("{} → {}", p.level_name, p.target_level_name);
        if let Some(d) = p.target_date {
            level.push_str(&format!(" by {d}"));
        }
        if !p.target_set {
            level.push_str("\nno target set");
        }
        let strands: Vec<&str> = p.strands.iter().map(|s| s.title.as_str()).collect();
        t.rows.push(vec![
            format!("{}{}", if p.tied { "=" } else { "" }, p.rank).into(),
            capability,
            level.into(),
            format!("{} × {:.2} = {:.2}", p.gap, p.weight, p.weighted_gap).into(),
            milestones(&p.milestones),
            or_dash(Some(&strands.join("; "))).into(),
        ]);
    }
    doc.push(Block::Table(t));
}

fn support(doc: &mut Document, plan: &DevelopmentPlan) {
    doc.heading(2, "Support needed, by strand of the development programme");
    if plan.support.is_empty() {
        doc.paragraph("No capability is below its target.");
    }
    for s in &plan.support {
        let n = s.items.len();
        doc.heading(
            3,
            format!(
                "{} ({n} priorit{})",
                s.title,
                if n == 1 { "y" } else { "ies" }
            ),
        );
        if !s.description.is_empty() {
            doc.push(Block::Paragraph(
                Paragraph::text(s.description.clone()).italic(format!(" {}", s.source)),
            ));
        }
        let mut t = Table::new(
            format!("{}: what one step better looks like", s.title),
            [
                "Rank",
                "Capability",
                "Now → target",
                "Next level up",
                "Milestone at stake",
            ],
        )
        .widths([2, 4, 3, 6, 3]);
        t.row_headers = false;
        for i in &s.items {
            let capability = Paragraph::new().bold(i.title.clone());
            let capability = validate(capability, i.validate_before_investing, &i.validate_reasons);
            let mut now = format!("{} → {}", i.level_name, i.target_level_name);
            if let Some(d) = i.target_date {
                now.push_str(&format!(" by {d}"));
            }
            let next = match &i.next_level {
                Some(n) => Paragraph::new()
                    .bold(n.name.clone())
                    .plain(format!(": {}", n.descriptor)),
                None => "—".into(),
            };
            t.rows.push(vec![
                i.rank.to_string().into(),
                capability,
                now.into(),
                next,
                milestones(&i.milestones),
            ]);
        }
        doc.push(Block::Table(t));
    }
}

fn individuals(doc: &mut Document, plan: &DevelopmentPlan) {
    let Some(ind) = &plan.individuals else {
        return;
    };
    doc.heading(2, "Individual development");
    doc.paragraph(format!(
        "{} people's self-assessments. {}",
        ind.people, ind.rule
    ));
    for g in &ind.groups {
        let who = if g.people == 1 { "person" } else { "people" };
        doc.heading(3, format!("{} ({} {who})", g.name, g.people));
        if g.suppressed {
            doc.paragraph(format!(
                "Withheld: fewer than {} people, so that no individual can be identified.",
                ind.min_group_size
            ));
        } else if g.needs.is_empty() {
            doc.paragraph(format!(
                "No competency's median is below the organisation's target ({} competencies with enough respondents).",
                g.competencies_shown
            ));
        } else {
            let mut t = Table::new(
                format!("{}: competencies below the organisation's target", g.name),
                [
                    "Competency",
                    "Median",
                    "Organisation's target",
                    "What the target looks like for a person",
                ],
            )
            .widths([3, 2, 2, 6]);
            for n in &g.needs {
                t = t.row([
                    Paragraph::new()
                        .bold(n.competency.clone())
                        .plain(format!("\n{}", n.title)),
                    format!("{:.1} ({})", n.median, n.median_level_name).into(),
                    n.organisation_target_name.clone().into(),
                    n.target_descriptor.clone().into(),
                ]);
            }
            doc.push(Block::Table(t));
        }
    }
}

fn timeline_section(doc: &mut Document, plan: &DevelopmentPlan) -> Result<(), DocxError> {
    doc.heading(2, "Timeline");
    let drawn = timeline_chart(plan);
    let png = timeline(&drawn, ChartFormat::Png)?;
    let caption = "Programme dates (diamonds), milestones (shape by status) and capability targets (squares) by date; the dashed line is the assessment. The table gives the same.";
    chart(doc, png, &drawn.title, &drawn.description, caption, 1.0);
    let mut t = Table::new("Timeline", ["Date", "Kind", "What", "Status"]).widths([2, 2, 6, 2]);
    t.row_headers = false;
    for e in &plan.timeline {
        let what = if e.kind == TimelineKind::Target {
            Paragraph::new()
                .bold(e.title.clone())
                .plain(format!("\n{}", e.detail))
        } else {
            Paragraph::new().bold(e.title.clone())
        };
        t.rows.push(vec![
            e.date.to_string().into(),
            e.kind_label.into(),
            what,
            or_dash(e.status.as_deref()).into(),
        ]);
    }
    doc.push(Block::Table(t));
    Ok(())
}

fn progress(doc: &mut Document, pr: &Progress) {
    let p = &pr.previous;
    doc.heading(
        2,
        format!(
            "Progress since {}",
            or_dash(p.assessed.map(|d| d.to_string()).as_deref())
        ),
    );
    let round = p
        .round
        .as_ref()
        .map(|r| format!(", round {r}"))
        .unwrap_or_default();
    doc.paragraph(format!(
        "Against {} ({}){round}: {}. {} of {} gaps of the previous response closed.",
        p.organisation, p.ods_code, pr.relation, pr.gaps_closed, pr.gaps_then
    ));
    let mut t = Table::new(
        "Level then and now",
        [
            "Priority",
            "Capability",
            "Then (target)",
            "Now (target)",
            "Gap",
        ],
    )
    .widths([2, 4, 3, 3, 2]);
    t.row_headers = false;
    for r in &pr.rows {
        let with = |level: &str, target: &Option<String>| match target {
            Some(t) => format!("{level} ({t})"),
            None => level.to_string(),
        };
        let mark = match r.status {
            ProgressStatus::GapClosed => "✓",
            ProgressStatus::FellBack => "▼",
            ProgressStatus::Improved => "▲",
            ProgressStatus::NoChange | ProgressStatus::NotRatedThen => "●",
        };
        t.rows.push(vec![
            or_dash(r.priority_rank.map(|n| n.to_string()).as_deref()).into(),
            Paragraph::new().bold(r.title.clone()),
            with(&or_dash(r.level_then.as_deref()), &r.target_then).into(),
            with(&r.level_now, &r.target_now).into(),
            format!("{mark} {}", r.status_label).into(),
        ]);
    }
    doc.push(Block::Table(t));
}

fn provenance(doc: &mut Document, plan: &DevelopmentPlan) {
    super::assessment_provenance(doc, &plan.provenance);
    super::individuals_provenance(doc, plan.individuals.as_ref().map(|i| &i.files[..]));
    if let Some(pr) = &plan.progress {
        doc.note(format!(
            "previous response: {}, sha256 {}",
            pr.previous.file.file, pr.previous.file.sha256
        ));
    }
    super::dated(
        doc,
        &or_dash(plan.as_of.map(|d| d.to_string()).as_deref()),
        "the assessed date or --as-of",
    );
}
