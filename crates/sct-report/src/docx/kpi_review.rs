//! The KPI review as a Word document: the board summary first (its counts turned so that a
//! portrait page holds them), then each timeframe's table and each indicator with its chart
//! drawn as in the HTML, then method and provenance.

use sct_docx::{Block, Document, Paragraph, Table};
use sct_kpi::kpiset::TargetNote;
use sct_kpi::review::{AgainstPlan, Counts, IndicatorReview, KpiReview, PlanPosition};
use sct_spc::chart::ChartKind;
use sct_spc::spc::AssuranceIcon;

use super::{DocxError, bytes, chart};
use crate::charts::ChartFormat;
use crate::kpi_review::indicator_chart;
use crate::render::format_number;
use crate::spc_chart::spc_chart;

/// The review as `.docx` bytes.
pub fn docx(review: &KpiReview) -> Result<Vec<u8>, DocxError> {
    let name = review
        .organisation_name
        .as_ref()
        .map_or(review.organisation.clone(), |n| {
            format!("{n} ({})", review.organisation)
        });
    let title = format!("KPI review: {name}");
    let mut doc = Document::new(format!("{title}, as of {}", review.as_of));
    doc.footer = format!("{title}, as of {}", review.as_of);
    doc.heading(1, title);
    let latest = if review.as_of_source == "latest data" {
        " (the end of the latest period with data)"
    } else {
        ""
    };
    doc.paragraph(format!(
        "{} {} · as of {}{latest}",
        review.set.title, review.set.version, review.as_of
    ));
    if review.set.status != "official" {
        doc.push(Block::Paragraph(Paragraph::new().bold(format!(
            "⚠ The KPI set is {}: its choice of indicators is sct's drafting and targets marked “example” are illustrative. See Method.",
            review.set.status
        ))));
    }
    summary(&mut doc, review);
    for tf in &review.timeframes {
        doc.heading(2, tf.title.clone());
        if let Some(q) = &tf.quote {
            doc.note(format!(
                "Strategic commissioning framework, section 3.4: “{q}”."
            ));
        }
        doc.push(Block::Table(timeframe_table(&tf.title, &tf.indicators)));
        for r in &tf.indicators {
            indicator(&mut doc, r)?;
        }
    }
    doc.heading(2, "Method");
    for m in &review.method {
        doc.paragraph(m.clone());
    }
    doc.heading(3, "About the KPI set");
    doc.paragraph(review.set.source.clone());
    if !review.set.drafting_note.is_empty() {
        doc.paragraph(review.set.drafting_note.clone());
    }
    provenance(&mut doc, review);
    bytes(&doc)
}

/// One count of the summary: its name and how to read it.
type CountRow = (&'static str, fn(&Counts) -> usize);

/// The counts' rows, as the HTML's columns.
const COUNT_ROWS: [CountRow; 13] = [
    ("Indicators", |c| c.indicators),
    ("With data", |c| c.with_data),
    ("Improving", |c| c.improving),
    ("Concerning", |c| c.concerning),
    ("Common cause", |c| c.common_cause),
    ("Other signal", |c| c.neutral),
    ("Consistently passing", |c| c.consistently_passing),
    ("Consistently failing", |c| c.consistently_failing),
    ("Hit and miss", |c| c.hit_and_miss),
    ("Assurance not reliable", |c| c.assurance_not_reliable),
    ("Meeting plan", |c| c.meeting_plan),
    ("Missing plan", |c| c.missing_plan),
    ("Data flags", |c| c.flagged),
];

fn summary(doc: &mut Document, review: &KpiReview) {
    let s = &review.summary;
    doc.heading(2, "Board summary");
    doc.bullets([
        format!("Indicators: {}", s.indicators),
        format!("Improving: {}", s.improving),
        format!("Concerning: {}", s.concerning),
        format!("Consistently passing target: {}", s.consistently_passing),
        format!("Consistently failing target: {}", s.consistently_failing),
        format!("Assurance not reliable: {}", s.assurance_not_reliable),
        format!("Latest value misses plan: {}", s.missing_plan),
    ]);
    // Thirteen counts by timeframe: one row per count, so the table fits a portrait page.
    let mut header = vec!["Count".to_string()];
    header.extend(review.timeframes.iter().map(|t| t.short_title.to_string()));
    header.push("All timeframes".into());
    let mut t = Table::new(
        "Indicators by timeframe: variation and assurance of the latest position (other signal: a special cause with no better direction, or a run chart's too few crossings)",
        header,
    );
    for (label, count) in COUNT_ROWS {
        let mut row = vec![label.to_string()];
        row.extend(
            review
                .timeframes
                .iter()
                .map(|t| count(&t.counts).to_string()),
        );
        row.push(count(s).to_string());
        t = t.row(row);
    }
    doc.push(Block::Table(t));
    doc.heading(3, "Needing attention");
    let attention: Vec<Paragraph> = review
        .timeframes
        .iter()
        .flat_map(|tf| &tf.indicators)
        .filter(|r| needs_attention(r))
        .map(|r| {
            Paragraph::new()
                .bold(r.title.clone())
                .plain(format!(": {}", r.headline))
        })
        .collect();
    if attention.is_empty() {
        doc.paragraph("No indicator shows concerning variation, consistent failure, an assurance icon that is not reliable or a latest value off plan.");
    } else {
        doc.list(false, attention);
    }
    let mut profile = format!("XmR rule profile: {}", review.profile);
    if let Some(c) = &review.compare_profile {
        profile.push_str(&format!("; compared with {c}"));
    }
    if let Some(l) = &review.rebase_log {
        profile.push_str(&format!("; rebase log {l}"));
    }
    doc.note(format!("{profile}."));
    if !review.warnings.is_empty() {
        doc.heading(3, "About the data file");
        doc.bullets(review.warnings.iter().cloned());
    }
}

/// The HTML's rule for the summary's attention list.
fn needs_attention(r: &IndicatorReview) -> bool {
    let spc = r.spc.as_ref().is_some_and(|s| {
        s.variation_icon.as_str().starts_with("concern")
            || s.assurance_icon == Some(AssuranceIcon::Fail)
            || !s.assurance_reliable
    });
    spc || r.latest.as_ref().and_then(|l| l.meets_plan) == Some(false)
}

/// "✓ Above plan" / "✕ Below plan" / "no plan".
fn position(a: &AgainstPlan) -> String {
    let Some(p) = a.plan_position else {
        return "no plan".into();
    };
    let mark = match a.meets_plan {
        Some(true) => "✓ ",
        Some(false) => "✕ ",
        None => "",
    };
    let words = match p {
        PlanPosition::AbovePlan => "Above plan",
        PlanPosition::OnPlan => "On plan",
        PlanPosition::BelowPlan => "Below plan",
    };
    format!("{mark}{words}")
}

fn timeframe_table(title: &str, indicators: &[IndicatorReview]) -> Table {
    let mut t = Table::new(
        format!("{title}: latest position, plan, variation and assurance"),
        [
            "Indicator",
            "Latest",
            "Plan or target",
            "Variance",
            "Year to date",
            "Variation",
            "Assurance",
            "Data quality",
        ],
    )
    .widths([8, 4, 5, 5, 6, 6, 6, 4]);
    for r in indicators {
        let n = |v: f64| format_number(v, r.decimals as usize);
        let name = Paragraph::new().bold(r.title.clone()).plain(format!(
            "\n{}; {} is better",
            r.unit,
            r.improvement.as_str()
        ));
        let mut row = vec![name];
        match &r.latest {
            Some(l) => {
                let period = r.latest_period.clone().unwrap_or_default();
                row.push(format!("{} {}\n{period}", n(l.value), r.unit).into());
                row.push(match l.plan {
                    Some(p) => {
                        let example = if r.target_note == Some(TargetNote::Example) {
                            ", example"
                        } else {
                            ""
                        };
                        let kind = l.plan_kind.unwrap_or_default();
                        format!("{} ({kind}{example})\n{}", n(p), position(l)).into()
                    }
                    None => "none".into(),
                });
                let pp = if r.unit == "%" { " pp" } else { "" };
                row.push(
                    l.variance
                        .map_or("—".into(), |v| format!("{}{pp}", n(v)))
                        .into(),
                );
            }
            None => row.extend(["No data".into(), "".into(), "".into()]),
        }
        row.push(match &r.year_to_date {
            Some(y) => {
                let s = if y.periods == 1 { "" } else { "s" };
                let plan = y.against.plan.map_or(String::new(), |p| {
                    format!(
                        "; plan {}; met in {} of {}",
                        n(p),
                        y.periods_meeting_plan,
                        y.periods_with_plan
                    )
                });
                format!(
                    "{} ({}, {} period{s}{plan})",
                    n(y.against.value),
                    y.year,
                    y.periods
                )
                .into()
            }
            None => "—".into(),
        });
        match &r.spc {
            Some(s) => {
                row.push(format!("{}\n{}", s.variation_label, s.chart_name).into());
                let mut a = Paragraph::text(s.assurance_label);
                if let Some(note) = &s.assurance_note {
                    a = a.bold(format!("\n{}", note.text));
                }
                row.push(a);
            }
            None => row.extend(["Too few points".into(), "—".into()]),
        }
        let flags: Vec<String> = r
            .flags
            .iter()
            .map(|f| format!("⚑ {}", f.kind.label()))
            .collect();
        row.push(if flags.is_empty() {
            "none".into()
        } else {
            flags.join("\n").into()
        });
        t.rows.push(row);
    }
    t
}

/// One indicator: its headline, chart and the notes under it.
fn indicator(doc: &mut Document, r: &IndicatorReview) -> Result<(), DocxError> {
    doc.heading(3, r.title.clone());
    // The headline stays with its chart.
    doc.push(Block::Paragraph(
        Paragraph::text(r.headline.clone()).keep_with_next(),
    ));
    if let (Some(spc), Some(drawn)) = (&r.spc, indicator_chart(r, false)) {
        let png = spc_chart(&drawn, ChartFormat::Png)?;
        chart(
            doc,
            png,
            &drawn.title,
            &drawn.description,
            &caption(r, spc),
            1.0,
        );
        doc.bullets(spc.warnings.iter().cloned());
        for e in &spc.rebases {
            doc.paragraph(format!(
                "↦ Rebase log: rebased at {}: {} (approved by {} on {}; {} line {}).",
                e.date, e.reason, e.approved_by, e.approved_on, e.file, e.line
            ));
        }
        for s in &spc.suggested_rebases {
            doc.push(Block::Paragraph(
                Paragraph::new().bold(format!("Suggested rebase: {s}.")),
            ));
        }
    }
    let flags = r.flags.iter().map(|f| {
        Paragraph::new()
            .bold(format!("⚑ {}", f.kind.label()))
            .plain(format!(": {}", f.message))
    });
    doc.list(false, flags.collect());
    let target = match r.target {
        Some(t) => {
            // A target the set gives no note for reads as an example, as it always has.
            let whence = r.target_note.unwrap_or(TargetNote::Example).whence();
            format!("{} ({whence})", format_number(t, r.decimals as usize))
        }
        None => "none".into(),
    };
    let data = if r.data_source.is_empty() {
        "not stated"
    } else {
        &r.data_source
    };
    doc.note(format!(
        "Target: {target}. Data: {data}. Source: {}.",
        r.source
    ));
    Ok(())
}

/// The chart's caption, in the HTML's words.
fn caption(r: &IndicatorReview, s: &sct_kpi::review::SpcSummary) -> String {
    let mut name = s.chart_name.to_string();
    if let Some(first) = name.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    let mut c = format!(
        "{name} of {} {}ly values ({}): {} {}",
        r.points,
        r.period_type.as_str(),
        s.chart_reason,
        s.centre_name,
        format_number(s.centre, 2)
    );
    match (s.lpl, s.upl) {
        (Some(l), Some(u)) => {
            let latest = if matches!(s.chart, ChartKind::PPrime | ChartKind::UPrime) {
                "for the latest period "
            } else {
                ""
            };
            c.push_str(&format!(
                ", process limits {latest}{} to {}",
                format_number(l, 2),
                format_number(u, 2)
            ));
        }
        _ if s.chart != ChartKind::Run => c.push_str(", no process limits"),
        _ => {}
    }
    if let Some(t) = s.target {
        c.push_str(&format!(
            "; target {}",
            format_number(t, r.decimals as usize)
        ));
    }
    c.push_str(". Special-cause points are marked by colour and shape: orange for concern, blue for improvement, grey for common cause.");
    c
}

fn provenance(doc: &mut Document, review: &KpiReview) {
    let p = &review.provenance;
    doc.heading(2, "Provenance");
    doc.note(format!("sct version: {}", p.sct_version));
    let k = &p.kpi_set;
    doc.note(format!(
        "KPI set: {} {} ({}), sha256 {}",
        k.id, k.version, k.file, k.sha256
    ));
    doc.note(match &p.data {
        Some(d) => format!(
            "data: {}, sha256 {}; {} rows read, {} used for {}",
            d.file, d.sha256, review.rows_read, review.rows_for_organisation, review.organisation
        ),
        None => format!(
            "data: no data file: every series came from the plugin measures; {} points for {}",
            review.rows_for_organisation, review.organisation
        ),
    });
    super::plugins_provenance(doc, &p.plugins);
    super::dated(doc, &review.as_of.to_string(), "--as-of or the latest data");
}
