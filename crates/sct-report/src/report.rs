//! The assessment report's content: the board summary, per-domain detail with descriptors
//! and flags, milestones, individuals, method and provenance. Built once from the computed
//! results; the templates in `reports/` only lay it out.

use serde::Serialize;

use sct_core::Assessment;
use sct_core::ScoreReport;
use sct_core::individuals::IndividualsSummary;
use sct_core::milestones::MilestoneStatus;
use sct_core::model::{CapabilityToolkit, Date};
use sct_core::plan::{DevelopmentPlan, PlanSummary, Priority};
use sct_core::score::{CapabilityScore, DomainScore};

/// How many strengths and gaps the board summary lists.
pub const SUMMARY_ITEMS: usize = 5;

/// A capability in the board summary's strengths or gaps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryItem {
    /// Capability id.
    pub id: String,
    /// Capability title.
    pub title: String,
    /// Domain section and title.
    pub domain: String,
    /// Current level name.
    pub level_name: String,
    /// Target level name, if any.
    pub target_level_name: Option<String>,
    /// Levels to go, if a target is set.
    pub gap: Option<i64>,
    /// Target date, if any.
    pub target_date: Option<Date>,
}

/// One domain's line in the board summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainLine {
    /// Section.
    pub section: String,
    /// Title.
    pub title: String,
    /// Stage or enabler.
    pub kind: String,
    /// Score, if any.
    pub score: Option<f64>,
    /// Level name, if scored.
    pub level_name: Option<String>,
    /// Target score, if any.
    pub target_score: Option<f64>,
    /// Coverage, in words ("5 of 5").
    pub coverage: String,
}

/// The one-page board summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoardSummary {
    /// Overall level name.
    pub overall_level_name: Option<String>,
    /// Overall score.
    pub overall_score: Option<f64>,
    /// Overall target score.
    pub overall_target_score: Option<f64>,
    /// Coverage in words.
    pub coverage: String,
    /// Each domain's level.
    pub domains: Vec<DomainLine>,
    /// The highest-rated capabilities, best evidenced first.
    pub strengths: Vec<SummaryItem>,
    /// The largest gaps to target.
    pub gaps: Vec<SummaryItem>,
    /// Milestones at risk or missed.
    pub milestones_attention: Vec<MilestoneLine>,
    /// Coverage and confidence warnings, in words.
    pub warnings: Vec<String>,
}

/// A milestone line for tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneLine {
    /// Title.
    pub title: String,
    /// Status in words.
    pub status: String,
    /// Status as a CSS-friendly key.
    pub status_key: String,
    /// What the response reported, where it is not what the status says.
    pub reported: Option<String>,
    /// Due date used.
    pub due: Date,
    /// The due date as the source writes it.
    pub due_as_written: String,
    /// Its source.
    pub due_source: String,
    /// Other due dates, in words.
    pub other_due: Vec<String>,
    /// Why.
    pub reason: String,
    /// The response's note.
    pub note: String,
}

/// One capability in the domain detail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityDetail {
    /// Capability id.
    pub id: String,
    /// Title.
    pub title: String,
    /// `answered`, `n/a` or `unanswered`.
    pub state: String,
    /// Level name, when answered.
    pub level_name: Option<String>,
    /// The toolkit's descriptor of the current level.
    pub descriptor: Option<String>,
    /// Confidence, if given.
    pub confidence: Option<String>,
    /// Evidence items.
    pub evidence: Vec<String>,
    /// Target level name.
    pub target_level_name: Option<String>,
    /// Target date.
    pub target_date: Option<Date>,
    /// Rationale.
    pub rationale: String,
    /// Why n/a.
    pub reason: Option<String>,
    /// Flags for the reader (for example a top-level rating without evidence).
    pub flags: Vec<String>,
    /// Carried over from the last assessment and not yet reviewed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub carried_over: bool,
}

/// One domain in the detail section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainDetail {
    /// Domain id (used for anchors and chart ids).
    pub id: String,
    /// Section.
    pub section: String,
    /// Title.
    pub title: String,
    /// Stage or enabler.
    pub kind: String,
    /// Score.
    pub score: Option<f64>,
    /// Level name.
    pub level_name: Option<String>,
    /// Coverage in words.
    pub coverage: String,
    /// Capabilities.
    pub capabilities: Vec<CapabilityDetail>,
}

/// Everything a report shows besides the score itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSections {
    /// Report title.
    pub title: String,
    /// The date the report is dated: `--as-of`, else the assessed date; never the clock.
    pub generated_at: Option<Date>,
    /// The board summary.
    pub summary: BoardSummary,
    /// Per domain.
    pub domains: Vec<DomainDetail>,
    /// The round's milestones.
    pub milestones: Vec<MilestoneLine>,
    /// Levels, lowest first, for legends.
    pub level_names: Vec<String>,
    /// Individual self-assessments, when given.
    pub individuals: Option<IndividualsSummary>,
    /// The development plan's top priorities, when the plan is drawn up (`sct report` does;
    /// `sct plan` writes the whole plan).
    pub plan: Option<PlanExcerpt>,
    /// Validation's warnings in sentences (the terminal's form, with its arrows and source
    /// excerpt, is for the terminal).
    pub validation_notes: Vec<String>,
    /// The status, sign-off and moderation, when the response records any (left out of the
    /// JSON otherwise, so a response without them reports as before).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<crate::team::TeamSection>,
    /// What changed since the last assessment, when the earlier response is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<SinceLast>,
}

/// One capability in the "since the last assessment" section, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SinceRow {
    /// Capability id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The level's move ("Developing → Embedding (+1)").
    pub level: String,
    /// The level now: its name, `n/a`, or a dash.
    pub level_now: String,
    /// The confidence, or its change.
    pub confidence: String,
    /// Evidence items added and removed ("+1 −2").
    pub evidence: String,
    /// The target, or its change.
    pub target: String,
    /// Changed, new, gone, or carried over.
    pub status: String,
    /// Evidence items added.
    pub evidence_added: Vec<String>,
    /// Evidence items removed.
    pub evidence_removed: Vec<String>,
}

/// What changed since the last assessment: the diff, and its rows in words for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SinceLast {
    /// The diff itself.
    pub diff: sct_core::diff::ResponseDiff,
    /// The summary in a sentence.
    pub summary: String,
    /// Answers changed, new or gone.
    pub changed: Vec<SinceRow>,
    /// Answers still marked carried over with the earlier content: to review.
    pub to_review: Vec<SinceRow>,
}

/// The report's section on what changed since the earlier response.
pub fn since_last(diff: sct_core::diff::ResponseDiff) -> SinceLast {
    use crate::diff as words;
    let row = |c: &sct_core::diff::CapabilityDiff| SinceRow {
        id: c.id.clone(),
        title: c.title.clone(),
        level: words::level_words(c),
        level_now: words::level_now(c),
        confidence: words::confidence_words(c),
        evidence: words::evidence_words(c),
        target: words::target_words(c),
        status: words::status_words(c).to_string(),
        evidence_added: c.evidence_added.clone(),
        evidence_removed: c.evidence_removed.clone(),
    };
    let listed: Vec<&sct_core::diff::CapabilityDiff> = words::listed(&diff).collect();
    let to_review = |c: &&&sct_core::diff::CapabilityDiff| c.carried_over && !c.changed;
    SinceLast {
        summary: words::summary_words(&diff),
        changed: listed
            .iter()
            .filter(|c| !to_review(c))
            .map(|c| row(c))
            .collect(),
        to_review: listed.iter().filter(to_review).map(|c| row(c)).collect(),
        diff,
    }
}

/// The development plan in brief, for the assessment report: its first priorities by the
/// plan's rule and its counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanExcerpt {
    /// The rule's keys in order, in words.
    pub rule: Vec<&'static str>,
    /// The plan's counts.
    pub summary: PlanSummary,
    /// The first [`SUMMARY_ITEMS`] priorities in rank order (ties marked).
    pub top: Vec<Priority>,
}

/// The excerpt of a development plan the report shows.
pub fn plan_excerpt(plan: &DevelopmentPlan) -> PlanExcerpt {
    PlanExcerpt {
        rule: plan.rule.order_words.clone(),
        summary: plan.summary.clone(),
        top: plan
            .priorities
            .iter()
            .take(SUMMARY_ITEMS)
            .cloned()
            .collect(),
    }
}

/// The whole report: the score (the same fields as `sct score --format json`) plus the
/// report's sections.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentReport {
    /// The score.
    #[serde(flatten)]
    pub score: ScoreReport,
    /// The report's sections.
    pub report: ReportSections,
}

fn coverage_words(c: &sct_core::score::Coverage) -> String {
    let na = if c.not_applicable > 0 {
        format!(", {} n/a", c.not_applicable)
    } else {
        String::new()
    };
    format!("{} of {} answered{na}", c.answered, c.applicable)
}

fn milestone_line(m: &sct_core::milestones::MilestoneResult) -> MilestoneLine {
    MilestoneLine {
        title: m.title.clone(),
        status: m.status.as_str().to_string(),
        status_key: m.status.as_str().replace(' ', "-"),
        reported: m.reported_otherwise().map(str::to_string),
        due: m.due.date,
        due_as_written: m.due.as_written.clone(),
        due_source: m.due.source.clone(),
        other_due: m
            .other_due_dates
            .iter()
            .map(|d| format!("{} ({}; {})", d.date, d.as_written, d.source))
            .collect(),
        reason: m.reason.clone(),
        note: m.note.clone(),
    }
}

/// Whether a rating is at one of the two top levels.
fn is_top_level(score: Option<f64>, levels: usize) -> bool {
    score.is_some_and(|s| s >= levels.saturating_sub(1) as f64 && levels >= 2)
}

/// A capability paired with its domain, as the summary lists need them.
type Rated<'a> = (&'a DomainScore, &'a CapabilityScore);

/// The target level's name, when a target is set and names a level of the toolkit.
fn target_level_name(toolkit: &CapabilityToolkit, c: &CapabilityScore) -> Option<String> {
    c.target_level
        .as_ref()
        .and_then(|t| toolkit.level_rank(t))
        .and_then(|r| toolkit.level_by_rank(r))
        .map(|l| l.name.clone())
}

/// One capability in full: its rating, descriptor, evidence and the flags a reader should see.
fn capability_detail(
    toolkit: &CapabilityToolkit,
    assessment: &Assessment,
    c: &CapabilityScore,
) -> CapabilityDetail {
    let levels = toolkit.levels.len();
    let answer = assessment.answers.get(&c.id);
    let descriptor = c
        .level
        .as_ref()
        .and_then(|l| {
            toolkit
                .capability(&c.id)
                .and_then(|(_, cap)| cap.descriptor(l))
        })
        .map(str::to_string);
    let mut flags = Vec::new();
    if c.state == "answered" && c.evidence_count == 0 && is_top_level(c.score, levels) {
        flags.push(format!(
            "{} rated without evidence: validate before relying on it",
            c.level_name.clone().unwrap_or_default()
        ));
    }
    if c.state == "answered"
        && c.confidence == Some(sct_core::assessment::Confidence::Low)
        && is_top_level(c.score, levels)
    {
        flags.push("Top-level rating given with low confidence".to_string());
    }
    CapabilityDetail {
        id: c.id.clone(),
        title: c.title.clone(),
        state: c.state.to_string(),
        level_name: c.level_name.clone(),
        descriptor,
        confidence: c.confidence.map(|x| x.as_str().to_string()),
        evidence: answer.map(|a| a.evidence.clone()).unwrap_or_default(),
        target_level_name: target_level_name(toolkit, c),
        target_date: c.target_date,
        rationale: answer.map(|a| a.rationale.clone()).unwrap_or_default(),
        reason: c.reason.clone(),
        flags,
        carried_over: answer.is_some_and(|a| a.carried_over),
    }
}

/// One domain in full, with its capabilities.
fn domain_detail(
    toolkit: &CapabilityToolkit,
    assessment: &Assessment,
    d: &DomainScore,
) -> DomainDetail {
    DomainDetail {
        id: d.id.clone(),
        section: d.section.clone(),
        title: d.title.clone(),
        kind: d.kind.to_string(),
        score: d.summary.score,
        level_name: d.summary.level_name.clone(),
        coverage: coverage_words(&d.summary.coverage),
        capabilities: d
            .capabilities
            .iter()
            .map(|c| capability_detail(toolkit, assessment, c))
            .collect(),
    }
}

/// The board summary's strengths and gaps, at most `SUMMARY_ITEMS` of each.
fn strengths_and_gaps(
    toolkit: &CapabilityToolkit,
    all: &[Rated],
) -> (Vec<SummaryItem>, Vec<SummaryItem>) {
    let item = |(d, c): &&Rated| SummaryItem {
        id: c.id.clone(),
        title: c.title.clone(),
        domain: format!("{} {}", d.section, d.title),
        level_name: c.level_name.clone().unwrap_or_default(),
        target_level_name: target_level_name(toolkit, c),
        gap: c.gap,
        target_date: c.target_date,
    };
    // Strengths: evidenced ratings before unevidenced ones (a board should not read an
    // unsupported rating as a strength), then the highest level, then the most confident;
    // a stable sort keeps ties in toolkit order.
    let mut strengths: Vec<_> = all.iter().filter(|(_, c)| c.score.is_some()).collect();
    strengths.sort_by_key(|(_, c)| {
        (
            c.evidence_count == 0,
            c.score.map(|s| -(s as i64)),
            std::cmp::Reverse(c.confidence),
        )
    });
    let strengths = strengths.iter().take(SUMMARY_ITEMS).map(item).collect();
    let mut gaps: Vec<_> = all
        .iter()
        .filter(|(_, c)| c.gap.is_some_and(|g| g > 0))
        .collect();
    gaps.sort_by_key(|(_, c)| (std::cmp::Reverse(c.gap), c.target_date));
    let gaps = gaps.iter().take(SUMMARY_ITEMS).map(item).collect();
    (strengths, gaps)
}

/// The board summary's warnings: coverage, confidence and evidence, in that order.
fn warnings(
    score: &ScoreReport,
    assessment: &Assessment,
    all: &[Rated],
    domains: &[DomainDetail],
) -> Vec<String> {
    let mut warnings = Vec::new();
    let cov = &score.overall.coverage;
    if cov.unanswered > 0 {
        let missing: Vec<&str> = all
            .iter()
            .filter(|(_, c)| c.state == "unanswered")
            .map(|(_, c)| c.title.as_str())
            .collect();
        warnings.push(format!(
            "Coverage: {} of {} applicable capabilities not answered ({}).",
            cov.unanswered,
            cov.applicable,
            missing.join("; ")
        ));
    }
    let conf = &score.overall.confidence;
    let rated = conf.low + conf.medium + conf.high + conf.unstated;
    if rated > 0 && conf.low * 4 >= rated {
        warnings.push(format!(
            "Confidence: {} of {rated} ratings are given with low confidence.",
            conf.low
        ));
    }
    if conf.unstated > 0 {
        warnings.push(format!(
            "Confidence: {} no confidence.",
            match conf.unstated {
                1 => "1 rating gives".to_string(),
                n => format!("{n} ratings give"),
            }
        ));
    }
    let flagged: Vec<String> = domains
        .iter()
        .flat_map(|d| d.capabilities.iter())
        .filter(|c| !c.flags.is_empty())
        .map(|c| c.title.clone())
        .collect();
    if !flagged.is_empty() {
        warnings.push(format!(
            "Evidence: {} without evidence or with low confidence: {}.",
            if flagged.len() == 1 {
                "top-level rating"
            } else {
                "top-level ratings"
            },
            flagged.join("; ")
        ));
    }
    let carried: Vec<&str> = all
        .iter()
        .filter(|(_, c)| {
            assessment
                .answers
                .get(&c.id)
                .is_some_and(|a| a.carried_over)
        })
        .map(|(_, c)| c.title.as_str())
        .collect();
    if !carried.is_empty() {
        // A whole round carried over would list every capability: name the first few.
        let named = match carried.len() {
            n if n > SUMMARY_ITEMS => format!(
                "{} and {} more",
                carried[..SUMMARY_ITEMS].join("; "),
                n - SUMMARY_ITEMS
            ),
            _ => carried.join("; "),
        };
        warnings.push(format!(
            "Carried over: {} from the last assessment and not yet reviewed: {named}.",
            match carried.len() {
                1 => "1 answer is carried over".to_string(),
                n => format!("{n} answers are carried over"),
            },
        ));
    }
    if score.overall.without_evidence > 0 {
        warnings.push(format!(
            "Evidence: {} no evidence recorded.",
            match score.overall.without_evidence {
                1 => "1 rating has".to_string(),
                n => format!("{n} ratings have"),
            }
        ));
    }
    warnings
}

/// The board summary's one line per domain.
fn domain_line(d: &DomainScore) -> DomainLine {
    DomainLine {
        section: d.section.clone(),
        title: d.title.clone(),
        kind: d.kind.to_string(),
        score: d.summary.score,
        level_name: d.summary.level_name.clone(),
        target_score: d.summary.target_score,
        coverage: coverage_words(&d.summary.coverage),
    }
}

/// Builds the report from the computed score, the toolkit, the resolved assessment and,
/// optionally, the individuals' summary.
pub fn build(
    score: &ScoreReport,
    toolkit: &CapabilityToolkit,
    assessment: &Assessment,
    individuals: Option<IndividualsSummary>,
    as_of: Option<Date>,
) -> AssessmentReport {
    let level_names: Vec<String> = toolkit.levels.iter().map(|l| l.name.clone()).collect();
    let all: Vec<Rated> = score
        .domains
        .iter()
        .flat_map(|d| d.capabilities.iter().map(move |c| (d, c)))
        .collect();
    let domains: Vec<DomainDetail> = score
        .domains
        .iter()
        .map(|d| domain_detail(toolkit, assessment, d))
        .collect();
    let (strengths, gaps) = strengths_and_gaps(toolkit, &all);
    let warnings = warnings(score, assessment, &all, &domains);
    let milestones: Vec<MilestoneLine> = score.milestones.iter().map(milestone_line).collect();
    let attention = score
        .milestones
        .iter()
        .filter(|m| matches!(m.status, MilestoneStatus::AtRisk | MilestoneStatus::Missed))
        .map(milestone_line)
        .collect();
    let who = if score.subject.organisation.is_empty() {
        "Organisation not named".to_string()
    } else {
        score.subject.organisation.clone()
    };
    AssessmentReport {
        score: score.clone(),
        report: ReportSections {
            title: format!("Strategic commissioning capability: {who}"),
            generated_at: as_of.or(score.assessed),
            summary: BoardSummary {
                overall_level_name: score.overall.level_name.clone(),
                overall_score: score.overall.score,
                overall_target_score: score.overall.target_score,
                coverage: coverage_words(&score.overall.coverage),
                domains: score.domains.iter().map(domain_line).collect(),
                strengths,
                gaps,
                milestones_attention: attention,
                warnings,
            },
            domains,
            milestones,
            level_names,
            individuals,
            plan: None,
            validation_notes: score.validation.iter().map(|d| d.in_words()).collect(),
            team: crate::team::section(toolkit, assessment),
            since: None,
        },
    }
}
