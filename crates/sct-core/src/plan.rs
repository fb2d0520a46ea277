//! Development plans: from an organisation's assessment to the plan it exists to inform.
//!
//! - **Priorities**: capabilities rated below their target, or whose rating is to be validated,
//!   ranked by the toolkit's `[planning]` rule (by default the gap to target × weight, then the
//!   milestones at stake due sooner first). Capabilities equal on every key of the rule are
//!   ties and share a rank. A rating given with low confidence or without evidence is marked
//!   "validate before investing"; n/a and unanswered capabilities are never listed.
//! - **Support needed**, grouped by the development programme's strands, with the milestones at
//!   stake, the current and target level and what the next level up looks like.
//! - **Individual development** (with individual self-assessments): per role group, the
//!   competencies whose median is below the organisation's target; small groups withheld.
//! - **Timeline**: targets by date, the round's milestones and the programme's dates.
//! - **Progress** against a previous response, of the same organisation or a predecessor.
//!
//! Everything is computed here, once; presentation lives in `sct-report`.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::assessment::{AnswerLevel, Assessment, Confidence};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::error::Error;
use crate::individuals::{IndividualsSummary, MIN_GROUP_SIZE};
use crate::milestones::{MilestoneResult, MilestoneStatus};
use crate::model::organisation::Share;
use crate::model::{
    AssessmentRound, Capability, CapabilityToolkit, Date, Domain, Organisations, PlanningConfig,
    PriorityKey, PriorityWeight, ResponseType,
};
use crate::provenance::{FileUsed, Provenance};
use crate::score::ScoreReport;
use crate::validate::ResolvedFrameworks;

/// The words that mark a rating not to be trusted without checking.
pub const VALIDATE_BEFORE_INVESTING: &str = "validate before investing";

/// The priority rule in force, as the plan states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriorityRule {
    /// The keys in order, as written in the toolkit.
    pub order: Vec<&'static str>,
    /// The keys in order, in a few words each, for captions.
    pub order_words: Vec<&'static str>,
    /// The weight that multiplies the gap.
    pub weight: &'static str,
    /// Confidences that mark a rating "validate before investing".
    pub validate_confidence: Vec<String>,
    /// Whether a rating without evidence is marked.
    pub validate_without_evidence: bool,
    /// The whole rule in words.
    pub description: String,
}

/// A strand named for a capability, with the passage the link rests on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrandRef {
    /// Strand id.
    pub id: String,
    /// Strand title.
    pub title: String,
    /// The link's source (`doc §section: “quote”`).
    pub source: String,
}

/// A milestone a priority bears on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MilestoneAtStake {
    /// Milestone id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The due date used for status.
    pub due: Date,
    /// The due date as the source writes it.
    pub due_as_written: String,
    /// Status as of the plan's date (met, on track, at risk, missed), when the round is assessed.
    pub status: Option<String>,
    /// What the response reported, where it is not what the status says ("reported not
    /// started").
    pub reported: Option<String>,
}

/// The level above the current one: what "one step better" looks like.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextLevel {
    /// Level id.
    pub id: String,
    /// Level name.
    pub name: String,
    /// The toolkit's organisational descriptor of that level for the capability.
    pub descriptor: String,
}

/// One capability in the ranked priorities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Priority {
    /// Rank (1 is the highest priority); tied capabilities share a rank.
    pub rank: usize,
    /// Whether another capability has the same rank.
    pub tied: bool,
    /// The rank as shown everywhere: "=4" when tied, else "4".
    pub rank_label: String,
    /// Capability id.
    pub id: String,
    /// Capability title.
    pub title: String,
    /// Domain id.
    pub domain_id: String,
    /// Domain section and title.
    pub domain: String,
    /// Current level id.
    pub level: String,
    /// Current level name.
    pub level_name: String,
    /// Current level rank.
    pub level_rank: usize,
    /// Target level id (the current level when none is set).
    pub target_level: String,
    /// Target level name.
    pub target_level_name: String,
    /// Whether the response sets a target.
    pub target_set: bool,
    /// Target date, if given.
    pub target_date: Option<Date>,
    /// Levels to go (target rank − current rank; 0 when no target above the current level).
    pub gap: i64,
    /// The weight the rule uses.
    pub weight: f64,
    /// `gap × weight`.
    pub weighted_gap: f64,
    /// The development programme strands that develop it.
    pub strands: Vec<StrandRef>,
    /// The milestones it bears on, earliest due first.
    pub milestones: Vec<MilestoneAtStake>,
    /// The earliest due date of its milestones not yet met.
    pub milestone_due: Option<Date>,
    /// How many of its milestones are missed or at risk.
    pub milestones_at_risk: usize,
    /// How many of its milestones are not yet met.
    pub milestones_open: usize,
    /// The next level up, unless it is at the top level.
    pub next_level: Option<NextLevel>,
    /// Confidence, if stated.
    pub confidence: Option<Confidence>,
    /// Number of evidence items.
    pub evidence_count: usize,
    /// Whether the rating is to be validated before investing.
    pub validate_before_investing: bool,
    /// Why it is to be validated.
    pub validate_reasons: Vec<String>,
    /// The response's rationale.
    pub rationale: String,
}

/// One priority under a strand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupportItem {
    /// The priority's rank.
    pub rank: usize,
    /// The rank as shown everywhere: "=4" when tied, else "4".
    pub rank_label: String,
    /// Capability id.
    pub id: String,
    /// Capability title.
    pub title: String,
    /// Current level name.
    pub level_name: String,
    /// Target level name.
    pub target_level_name: String,
    /// Target date.
    pub target_date: Option<Date>,
    /// Levels to go.
    pub gap: i64,
    /// The next level up.
    pub next_level: Option<NextLevel>,
    /// The milestones at stake.
    pub milestones: Vec<MilestoneAtStake>,
    /// Whether the rating is to be validated first.
    pub validate_before_investing: bool,
    /// Why it is to be validated.
    pub validate_reasons: Vec<String>,
    /// Why this strand: the link's source.
    pub why: String,
}

/// The support needed from one strand of the development programme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrandSupport {
    /// Strand id (empty for capabilities no strand is named for).
    pub id: String,
    /// Strand title.
    pub title: String,
    /// What the strand offers.
    pub description: String,
    /// The strand's source (`doc §section: “quote”`).
    pub source: String,
    /// The priorities it would develop, by rank.
    pub items: Vec<SupportItem>,
}

/// A competency a role group's people rate below the organisation's target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndividualNeed {
    /// Capability id.
    pub id: String,
    /// Capability title.
    pub title: String,
    /// The individual competency.
    pub competency: String,
    /// The group's median level rank.
    pub median: f64,
    /// The level the median reaches.
    pub median_level_name: String,
    /// The organisation's target (or current level where no target is set), as a rank.
    pub organisation_target: usize,
    /// Its name.
    pub organisation_target_name: String,
    /// `organisation_target − median`.
    pub shortfall: f64,
    /// What the target level looks like for a person (the toolkit's individual descriptor).
    pub target_descriptor: String,
}

/// One role group's development needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupDevelopment {
    /// Role group name.
    pub name: String,
    /// People in the group.
    pub people: usize,
    /// Whether its figures are withheld (fewer than the minimum group size).
    pub suppressed: bool,
    /// Competencies with enough respondents in the group to show a median.
    pub competencies_shown: usize,
    /// Competencies whose median is below the organisation's target, largest shortfall first.
    pub needs: Vec<IndividualNeed>,
}

/// Individual development, from individual self-assessments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndividualDevelopment {
    /// The minimum group size.
    pub min_group_size: usize,
    /// People in all.
    pub people: usize,
    /// Role groups, by name.
    pub groups: Vec<GroupDevelopment>,
    /// Groups withheld.
    pub suppressed_groups: usize,
    /// The rule in words.
    pub rule: String,
    /// The files aggregated.
    pub files: Vec<FileUsed>,
}

/// What a timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimelineKind {
    /// The assessment itself.
    Assessment,
    /// A date of the national programme.
    Programme,
    /// A milestone of the round.
    Milestone,
    /// Capability targets due on a date.
    Target,
}

impl TimelineKind {
    /// The kind in words.
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Assessment => "assessment",
            TimelineKind::Programme => "programme",
            TimelineKind::Milestone => "milestone",
            TimelineKind::Target => "targets",
        }
    }
}

/// One dated entry of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    /// The date.
    pub date: Date,
    /// What kind of entry.
    pub kind: TimelineKind,
    /// The kind in words.
    pub kind_label: &'static str,
    /// What happens.
    pub title: String,
    /// More detail (the capabilities due, the source's wording).
    pub detail: String,
    /// Status, for milestones.
    pub status: Option<String>,
}

/// How a capability moved between two responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProgressStatus {
    /// The previous target is reached.
    GapClosed,
    /// Higher than before, previous target not reached.
    Improved,
    /// The same level.
    NoChange,
    /// Lower than before.
    FellBack,
    /// Not rated with a level in the previous response.
    NotRatedThen,
}

impl ProgressStatus {
    /// The status in words.
    pub fn as_str(self) -> &'static str {
        match self {
            ProgressStatus::GapClosed => "gap closed",
            ProgressStatus::Improved => "improved, gap not closed",
            ProgressStatus::NoChange => "no change",
            ProgressStatus::FellBack => "fell back",
            ProgressStatus::NotRatedThen => "not rated then",
        }
    }
}

/// One capability's progress.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressRow {
    /// Capability id.
    pub id: String,
    /// Capability title.
    pub title: String,
    /// Its rank among today's priorities, if it is one.
    pub priority_rank: Option<usize>,
    /// That rank as shown everywhere ("=4" when tied).
    pub priority_rank_label: Option<String>,
    /// Level then (name).
    pub level_then: Option<String>,
    /// Target then (name).
    pub target_then: Option<String>,
    /// Level now (name).
    pub level_now: String,
    /// Target now (name).
    pub target_now: Option<String>,
    /// Levels gained (negative when fallen back).
    pub change: Option<i64>,
    /// Gap to the previous target then.
    pub gap_then: Option<i64>,
    /// Gap to the current target now.
    pub gap_now: i64,
    /// The verdict.
    pub status: ProgressStatus,
    /// The verdict in words.
    pub status_label: &'static str,
}

/// The previous response compared against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviousResponse {
    /// Organisation name.
    pub organisation: String,
    /// ODS code.
    pub ods_code: String,
    /// Assessed date.
    pub assessed: Option<Date>,
    /// Round id.
    pub round: Option<String>,
    /// Toolkit version.
    pub toolkit_version: String,
    /// File and checksum.
    pub file: FileUsed,
}

/// Progress against a previous response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// The previous response.
    pub previous: PreviousResponse,
    /// How the two organisations relate, in words.
    pub relation: String,
    /// Whether the previous organisation is a predecessor (not the same organisation).
    pub predecessor: bool,
    /// Rows: today's priorities and every capability that had a gap then.
    pub rows: Vec<ProgressRow>,
    /// How many gaps of the previous response closed.
    pub gaps_closed: usize,
    /// How many capabilities had a gap then.
    pub gaps_then: usize,
    /// The rule in words.
    pub rule: String,
}

/// Counts for the plan's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanSummary {
    /// Priorities listed.
    pub priorities: usize,
    /// Of which below target.
    pub below_target: usize,
    /// Of which marked "validate before investing".
    pub to_validate: usize,
    /// Capabilities answered with a level but no target (not ranked).
    pub without_target: Vec<String>,
    /// Capabilities n/a (never listed).
    pub not_applicable: usize,
    /// Capabilities not answered (not listed).
    pub unanswered: usize,
    /// Priorities sharing a rank with another.
    pub tied: usize,
    /// Strands with at least one priority.
    pub strands_needed: Vec<String>,
    /// Milestones at stake that are at risk or missed.
    pub milestones_attention: Vec<String>,
}

/// The whole development plan. Its JSON form is `sct plan --format json` (schema `sct-plan/1`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DevelopmentPlan {
    /// Format identifier, bumped on incompatible changes.
    pub schema: &'static str,
    /// Plan title.
    pub title: String,
    /// The response's notice.
    pub notice: String,
    /// Organisation name.
    pub organisation: String,
    /// ODS code.
    pub ods_code: String,
    /// Round id.
    pub round: Option<String>,
    /// Toolkit id.
    pub toolkit: String,
    /// Toolkit version.
    pub toolkit_version: String,
    /// Assessed date.
    pub assessed: Option<Date>,
    /// The date the plan is dated and milestones judged: `--as-of`, else the assessed date.
    pub as_of: Option<Date>,
    /// Overall level name and score, from the assessment.
    pub overall_level_name: Option<String>,
    /// Overall score.
    pub overall_score: Option<f64>,
    /// Level names, lowest first.
    pub level_names: Vec<String>,
    /// The rule used.
    pub rule: PriorityRule,
    /// Counts.
    pub summary: PlanSummary,
    /// The ranked priorities.
    pub priorities: Vec<Priority>,
    /// Support needed, by strand (only strands with priorities; capabilities no strand is
    /// named for last).
    pub support: Vec<StrandSupport>,
    /// Individual development, when self-assessments are given.
    pub individuals: Option<IndividualDevelopment>,
    /// Targets, milestones and programme dates in date order.
    pub timeline: Vec<TimelineEvent>,
    /// Progress against a previous response, when given.
    pub progress: Option<Progress>,
    /// How the plan was drawn up, in words.
    pub method: Vec<String>,
    /// Where it came from (the same block as the assessment report's).
    pub provenance: Provenance,
}

/// Everything a plan is drawn up from.
#[derive(Debug, Clone, Copy)]
pub struct PlanInputs<'a> {
    /// The response's toolkit and round.
    pub frameworks: &'a ResolvedFrameworks<'a>,
    /// The resolved response.
    pub assessment: &'a Assessment,
    /// Its score (milestone statuses, overall level, provenance).
    pub score: &'a ScoreReport,
    /// Individual self-assessments, aggregated.
    pub individuals: Option<&'a IndividualsSummary>,
    /// A previous response to measure progress against.
    pub previous: Option<&'a Assessment>,
    /// The organisations table (for successions).
    pub organisations: &'a Organisations,
}

fn source_words(s: &crate::model::SourceRef) -> String {
    if s.quote.trim().is_empty() {
        s.to_string()
    } else {
        format!("{s}: “{}”", s.quote.trim())
    }
}

/// The rule in force, in words.
pub fn rule(config: &PlanningConfig) -> PriorityRule {
    let keys = config
        .order
        .iter()
        .map(|k| k.describe())
        .collect::<Vec<_>>()
        .join("; then ");
    let confidences: Vec<String> = config
        .validate_confidence
        .iter()
        .map(|c| c.get_ref().trim().to_ascii_lowercase())
        .collect();
    let mut validate = Vec::new();
    if !confidences.is_empty() {
        validate.push(format!(
            "given with {} confidence",
            confidences.join(" or ")
        ));
    }
    if config.validate_without_evidence {
        validate.push("without evidence".to_string());
    }
    let validate = if validate.is_empty() {
        "No rating is marked for validation.".to_string()
    } else {
        format!(
            "A rating {} is marked \"{VALIDATE_BEFORE_INVESTING}\": it is listed, not silently trusted, and should be checked before money or effort is committed on its strength.",
            validate.join(" or ")
        )
    };
    PriorityRule {
        order: config.order.iter().map(|k| k.as_str()).collect(),
        order_words: config.order.iter().map(|k| k.label()).collect(),
        weight: config.weight.as_str(),
        validate_confidence: confidences,
        validate_without_evidence: config.validate_without_evidence,
        description: format!(
            "Priorities are the capabilities rated below their target level, and any rating to be validated. \
             They are ranked by: {keys}. The gap is the target level's rank minus the current level's; the weight is {}. \
             Capabilities equal on every key are ties and share a rank. Capabilities answered n/a or not answered are never listed. {validate}",
            config.weight.describe()
        ),
    }
}

/// Compares two priorities under the rule's keys: `Less` means `a` ranks higher. This is a
/// total preorder (ties are `Equal`).
pub fn compare(a: &Priority, b: &Priority, order: &[PriorityKey]) -> Ordering {
    let date_first = |x: Option<Date>, y: Option<Date>| match (x, y) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    for key in order {
        let o = match key {
            PriorityKey::WeightedGap => b.weighted_gap.total_cmp(&a.weighted_gap),
            PriorityKey::Gap => b.gap.cmp(&a.gap),
            PriorityKey::MilestoneDue => date_first(a.milestone_due, b.milestone_due),
            PriorityKey::MilestonesAtRisk => b.milestones_at_risk.cmp(&a.milestones_at_risk),
            PriorityKey::MilestonesOpen => b.milestones_open.cmp(&a.milestones_open),
            PriorityKey::Confirmed => a
                .validate_before_investing
                .cmp(&b.validate_before_investing),
            PriorityKey::TargetDate => date_first(a.target_date, b.target_date),
            PriorityKey::CurrentLevel => a.level_rank.cmp(&b.level_rank),
            PriorityKey::Weight => b.weight.total_cmp(&a.weight),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// The weight the rule uses for a capability.
fn weight_of(config: &PlanningConfig, domain: &Domain, cap: &Capability) -> f64 {
    match config.weight {
        PriorityWeight::CapabilityTimesDomain => cap.weight() * domain.weight(),
        PriorityWeight::Capability => cap.weight(),
        PriorityWeight::Domain => domain.weight(),
        PriorityWeight::None => 1.0,
    }
}

/// The strands developing a capability: its own links' or, when they name none, its domain's,
/// in the order of `[[planning.strands]]`.
pub fn strands_for(
    toolkit: &CapabilityToolkit,
    domain: &Domain,
    cap: &Capability,
) -> Vec<StrandRef> {
    let own: Vec<_> = cap
        .support
        .iter()
        .filter(|l| !l.strands.is_empty())
        .collect();
    let links = if own.is_empty() {
        domain
            .support
            .iter()
            .filter(|l| !l.strands.is_empty())
            .collect()
    } else {
        own
    };
    toolkit
        .planning
        .strands
        .iter()
        .filter_map(|s| {
            let link = links
                .iter()
                .find(|l| l.strands.iter().any(|x| x.get_ref() == s.id.get_ref()))?;
            Some(StrandRef {
                id: s.id.get_ref().clone(),
                title: s.title.clone(),
                source: source_words(&link.source),
            })
        })
        .collect()
}

/// The milestone ids a capability bears on: its own links', its domain's and the round's
/// milestones naming it, limited to the round's milestones, in round order.
pub fn milestone_ids_for<'r>(
    round: &'r AssessmentRound,
    domain: &Domain,
    cap: &Capability,
) -> Vec<&'r str> {
    let named: BTreeSet<&str> = cap
        .support
        .iter()
        .chain(&domain.support)
        .flat_map(|l| l.milestones.iter().map(|m| m.get_ref().as_str()))
        .collect();
    round
        .milestones
        .iter()
        .filter(|m| {
            named.contains(m.id.get_ref().as_str())
                || m.capabilities
                    .iter()
                    .any(|c| c.get_ref() == cap.id.get_ref())
        })
        .map(|m| m.id.get_ref().as_str())
        .collect()
}

/// A rank as every output shows it: "=4" when it is shared, else "4".
pub fn rank_label(rank: usize, tied: bool) -> String {
    if tied {
        format!("={rank}")
    } else {
        rank.to_string()
    }
}

/// Ranks priorities in place by `order`: sorted (stably, so ties keep toolkit order), with
/// competition ranks (1, 2, 2, 4) and tie marks.
pub fn rank(priorities: &mut [Priority], order: &[PriorityKey]) {
    priorities.sort_by(|a, b| compare(a, b, order));
    let n = priorities.len();
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && compare(&priorities[i], &priorities[j], order) == Ordering::Equal {
            j += 1;
        }
        for p in &mut priorities[i..j] {
            p.rank = i + 1;
            p.tied = j - i > 1;
            p.rank_label = rank_label(p.rank, p.tied);
        }
        i = j;
    }
}

/// The ranked priorities of an organisation's assessment. `statuses` maps milestone ids to
/// their status as of the plan's date (from the score).
pub fn priorities(
    toolkit: &CapabilityToolkit,
    round: Option<&AssessmentRound>,
    assessment: &Assessment,
    statuses: &BTreeMap<String, &MilestoneResult>,
) -> Vec<Priority> {
    let config = &toolkit.planning;
    let validate_conf: Vec<Confidence> = config
        .validate_confidence
        .iter()
        .filter_map(|c| Confidence::parse(c.get_ref()))
        .collect();
    let level = |rank: usize| toolkit.level_by_rank(rank);
    let mut out = Vec::new();
    for (domain, cap) in toolkit.capabilities() {
        let Some(answer) = assessment.answers.get(cap.id.get_ref()) else {
            continue;
        };
        let AnswerLevel::Level { rank: current } = answer.level else {
            continue; // n/a and unanswered are never listed
        };
        let Some(current_level) = level(current) else {
            continue;
        };
        let target = answer.target.unwrap_or(current).max(current);
        let gap = (target - current) as i64;
        let mut reasons = Vec::new();
        if let Some(c) = answer.confidence.filter(|c| validate_conf.contains(c)) {
            reasons.push(format!("rated with {} confidence", c.as_str()));
        }
        if config.validate_without_evidence && answer.evidence.is_empty() {
            reasons.push("no evidence recorded".to_string());
        }
        if gap == 0 && reasons.is_empty() {
            continue;
        }
        let weight = weight_of(config, domain, cap);
        let milestones = milestones_at_stake(round, domain, cap, statuses);
        let open = || {
            milestones
                .iter()
                .filter(|m| m.status.as_deref() != Some(MilestoneStatus::Met.as_str()))
        };
        let milestone_due = open().map(|m| m.due).min();
        let milestones_at_risk = open()
            .filter(|m| {
                [MilestoneStatus::AtRisk, MilestoneStatus::Missed]
                    .iter()
                    .any(|s| m.status.as_deref() == Some(s.as_str()))
            })
            .count();
        let milestones_open = open().count();
        let target_level = level(target).unwrap_or(current_level);
        out.push(Priority {
            rank: 0,
            tied: false,
            rank_label: String::new(),
            id: cap.id.get_ref().clone(),
            title: cap.title.clone(),
            domain_id: domain.id.get_ref().clone(),
            domain: format!("{} {}", domain.section, domain.title),
            level: current_level.id.get_ref().clone(),
            level_name: current_level.name.clone(),
            level_rank: current,
            target_level: target_level.id.get_ref().clone(),
            target_level_name: target_level.name.clone(),
            target_set: answer.target.is_some(),
            target_date: answer.target_date,
            gap,
            weight,
            weighted_gap: gap as f64 * weight,
            strands: strands_for(toolkit, domain, cap),
            milestones,
            milestone_due,
            milestones_at_risk,
            milestones_open,
            next_level: level(current + 1).map(|l| NextLevel {
                id: l.id.get_ref().clone(),
                name: l.name.clone(),
                descriptor: cap
                    .descriptor(l.id.get_ref())
                    .unwrap_or_default()
                    .to_string(),
            }),
            confidence: answer.confidence,
            evidence_count: answer.evidence.len(),
            validate_before_investing: !reasons.is_empty(),
            validate_reasons: reasons,
            rationale: answer.rationale.clone(),
        });
    }
    rank(&mut out, &config.order);
    out
}

/// The round's milestones that hang on a capability (through its support links), earliest
/// due first, with their status as of the plan's date.
fn milestones_at_stake(
    round: Option<&AssessmentRound>,
    domain: &Domain,
    cap: &Capability,
    statuses: &BTreeMap<String, &MilestoneResult>,
) -> Vec<MilestoneAtStake> {
    let Some(r) = round else {
        return Vec::new();
    };
    let ids = milestone_ids_for(r, domain, cap);
    let mut v: Vec<MilestoneAtStake> = r
        .milestones
        .iter()
        .filter(|m| ids.contains(&m.id.get_ref().as_str()))
        .filter_map(|m| {
            let due = m.status_due()?;
            Some(MilestoneAtStake {
                id: m.id.get_ref().clone(),
                title: m.title.clone(),
                due: *due.date.get_ref(),
                due_as_written: due.as_written.clone(),
                status: statuses
                    .get(m.id.get_ref())
                    .map(|s| s.status.as_str().to_string()),
                reported: statuses
                    .get(m.id.get_ref())
                    .and_then(|s| s.reported_otherwise())
                    .map(str::to_string),
            })
        })
        .collect();
    v.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.id.cmp(&b.id)));
    v
}

fn support_item(p: &Priority, why: String) -> SupportItem {
    SupportItem {
        rank: p.rank,
        rank_label: p.rank_label.clone(),
        id: p.id.clone(),
        title: p.title.clone(),
        level_name: p.level_name.clone(),
        target_level_name: p.target_level_name.clone(),
        target_date: p.target_date,
        gap: p.gap,
        next_level: p.next_level.clone(),
        milestones: p.milestones.clone(),
        validate_before_investing: p.validate_before_investing,
        validate_reasons: p.validate_reasons.clone(),
        why,
    }
}

/// Support needed by strand: every priority below its target under each strand named for it;
/// those with no strand in a last group.
pub fn support_by_strand(
    toolkit: &CapabilityToolkit,
    priorities: &[Priority],
) -> Vec<StrandSupport> {
    let below: Vec<&Priority> = priorities.iter().filter(|p| p.gap > 0).collect();
    let mut out: Vec<StrandSupport> = toolkit
        .planning
        .strands
        .iter()
        .map(|s| StrandSupport {
            id: s.id.get_ref().clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            source: source_words(&s.source),
            items: below
                .iter()
                .filter_map(|p| {
                    p.strands
                        .iter()
                        .find(|x| x.id == *s.id.get_ref())
                        .map(|x| support_item(p, x.source.clone()))
                })
                .collect(),
        })
        .filter(|s| !s.items.is_empty())
        .collect();
    let none: Vec<SupportItem> = below
        .iter()
        .filter(|p| p.strands.is_empty())
        .map(|p| support_item(p, String::new()))
        .collect();
    if !none.is_empty() {
        out.push(StrandSupport {
            id: String::new(),
            title: "No strand named".to_string(),
            description: "The toolkit names no development programme strand for these capabilities or their domains.".to_string(),
            source: String::new(),
            items: none,
        });
    }
    out
}

/// Individual development: per role group shown, the competencies whose median is below the
/// organisation's target (its current level where it sets no target).
pub fn individual_development(
    toolkit: &CapabilityToolkit,
    organisation: &Assessment,
    summary: &IndividualsSummary,
) -> IndividualDevelopment {
    let groups: Vec<GroupDevelopment> = summary
        .role_groups
        .iter()
        .map(|g| {
            let mut needs = Vec::new();
            if !g.suppressed {
                for (_, cap) in toolkit.capabilities() {
                    let id = cap.id.get_ref();
                    let (Some(median), Some(ind)) = (g.medians.get(id), &cap.individual) else {
                        continue;
                    };
                    let Some(answer) = organisation.answers.get(id) else {
                        continue;
                    };
                    let Some(current) = answer.rank() else {
                        continue;
                    };
                    let target = answer.target.unwrap_or(current).max(current);
                    if *median + 1e-9 >= target as f64 {
                        continue;
                    }
                    let median_rank = (median.floor() as usize).clamp(1, toolkit.levels.len());
                    let target_level = toolkit.level_by_rank(target);
                    needs.push(IndividualNeed {
                        id: id.clone(),
                        title: cap.title.clone(),
                        competency: ind.competency.clone(),
                        median: *median,
                        median_level_name: toolkit
                            .level_by_rank(median_rank)
                            .map(|l| l.name.clone())
                            .unwrap_or_default(),
                        organisation_target: target,
                        organisation_target_name: target_level
                            .map(|l| l.name.clone())
                            .unwrap_or_default(),
                        shortfall: target as f64 - median,
                        target_descriptor: target_level
                            .and_then(|l| ind.descriptor(l.id.get_ref()))
                            .unwrap_or_default()
                            .to_string(),
                    });
                }
                // Largest shortfall first; a stable sort keeps toolkit order among equals.
                needs.sort_by(|a, b| b.shortfall.total_cmp(&a.shortfall));
            }
            GroupDevelopment {
                name: g.name.clone(),
                people: g.people,
                suppressed: g.suppressed,
                competencies_shown: g.medians.len(),
                needs,
            }
        })
        .collect();
    IndividualDevelopment {
        min_group_size: summary.min_group_size,
        people: summary.people,
        suppressed_groups: groups.iter().filter(|g| g.suppressed).count(),
        groups,
        rule: format!(
            "Per role group, the competencies whose median self-assessed level is below the organisation's target for the capability (its current level where it sets no target). \
             A role group of fewer than {MIN_GROUP_SIZE} people is withheld, and within a group a competency rated by fewer than {MIN_GROUP_SIZE} people is not shown, so that no individual can be identified. \
             The median is the middle level (the mean of the middle two for an even count)."
        ),
        files: summary.files.clone(),
    }
}

/// The timeline: the assessment, programme dates, the round's milestones and the priorities'
/// targets grouped by date, in date order.
pub fn timeline(
    round: Option<&AssessmentRound>,
    score: &ScoreReport,
    priorities: &[Priority],
) -> Vec<TimelineEvent> {
    let mut out = Vec::new();
    let event = |date, kind: TimelineKind, title: String, detail: String, status| TimelineEvent {
        date,
        kind,
        kind_label: kind.as_str(),
        title,
        detail,
        status,
    };
    if let Some(d) = score.assessed {
        out.push(event(
            d,
            TimelineKind::Assessment,
            "Baseline assessment dated".to_string(),
            score.round.clone().unwrap_or_default(),
            None,
        ));
    }
    if let Some(r) = round {
        for p in &r.programme_dates {
            out.push(event(
                *p.date.get_ref(),
                TimelineKind::Programme,
                p.title.clone(),
                format!("{} ({})", p.as_written, p.source),
                None,
            ));
        }
    }
    for m in &score.milestones {
        out.push(event(
            m.due.date,
            TimelineKind::Milestone,
            m.title.clone(),
            format!("{} ({})", m.due.as_written, m.due.source),
            Some(m.status.as_str().to_string()),
        ));
    }
    let mut by_date: BTreeMap<Date, Vec<&Priority>> = BTreeMap::new();
    for p in priorities.iter().filter(|p| p.gap > 0) {
        if let Some(d) = p.target_date {
            by_date.entry(d).or_default().push(p);
        }
    }
    for (date, ps) in by_date {
        out.push(event(
            date,
            TimelineKind::Target,
            format!(
                "{} capability target{} due",
                ps.len(),
                if ps.len() == 1 { "" } else { "s" }
            ),
            ps.iter()
                .map(|p| format!("{} → {}", p.title, p.target_level_name))
                .collect::<Vec<_>>()
                .join("; "),
            None,
        ));
    }
    out.sort_by(|a, b| a.date.cmp(&b.date).then(a.kind.cmp(&b.kind)));
    out
}

/// How the previous response's organisation relates to the current one: the same, or a
/// predecessor through the successions table (directly or by a chain). `None` when unrelated.
pub fn relation(orgs: &Organisations, previous: &str, current: &str) -> Option<(bool, String)> {
    if previous.eq_ignore_ascii_case(current) {
        return Some((false, format!("the same organisation ({current})")));
    }
    // Walk back from the current organisation through its predecessors.
    let mut frontier: Vec<(String, Vec<(String, Share)>)> = vec![(current.to_string(), Vec::new())];
    let mut seen = BTreeSet::new();
    while let Some((code, path)) = frontier.pop() {
        if !seen.insert(code.to_ascii_uppercase()) {
            continue;
        }
        for s in orgs
            .successions
            .iter()
            .filter(|s| s.successor.eq_ignore_ascii_case(&code))
        {
            let mut p = path.clone();
            p.push((s.predecessor.clone(), s.share));
            if s.predecessor.eq_ignore_ascii_case(previous) {
                let part = p.iter().any(|(_, share)| *share == Share::Part);
                let name = |c: &str| {
                    orgs.get(c)
                        .map(|o| format!("{} ({c})", o.name))
                        .unwrap_or_else(|| c.to_string())
                };
                let words = format!(
                    "{} is a predecessor of {}{}",
                    name(previous),
                    name(current),
                    if part {
                        ": only part of it passed to the successor, so the comparison is indicative"
                    } else {
                        " (the whole of it passed to the successor)"
                    }
                );
                return Some((true, words));
            }
            frontier.push((s.predecessor.clone(), p));
        }
    }
    None
}

fn level_name(toolkit: &CapabilityToolkit, rank: usize) -> String {
    toolkit
        .level_by_rank(rank)
        .map(|l| l.name.clone())
        .unwrap_or_default()
}

/// Progress against a previous response (already resolved). Errors when it is not an
/// organisation response of the same toolkit, for the same organisation or a predecessor, and
/// dated before the current one.
pub fn progress(
    toolkit: &CapabilityToolkit,
    current: &Assessment,
    previous: &Assessment,
    priorities: &[Priority],
    orgs: &Organisations,
) -> Result<Progress, Error> {
    let (predecessor, relation) = check_previous(current, previous, orgs)?;
    let rank_of: BTreeMap<&str, &Priority> =
        priorities.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut rows = Vec::new();
    let mut gaps_then = 0;
    let mut gaps_closed = 0;
    for (_, cap) in toolkit.capabilities() {
        let id = cap.id.get_ref();
        let Some(row) = progress_row(
            toolkit,
            cap,
            current,
            previous,
            rank_of.get(id.as_str()).copied(),
        ) else {
            continue;
        };
        if row.gap_then.is_some_and(|g| g > 0) {
            gaps_then += 1;
            if row.status == ProgressStatus::GapClosed {
                gaps_closed += 1;
            }
        }
        rows.push(row);
    }
    // Today's priorities first, in rank order; then the rest in toolkit order.
    rows.sort_by_key(|r| r.priority_rank.unwrap_or(usize::MAX));
    Ok(Progress {
        previous: PreviousResponse {
            organisation: previous.organisation_name.clone(),
            ods_code: previous.ods_code.clone(),
            assessed: previous.assessed,
            round: previous.round.clone(),
            toolkit_version: previous.toolkit_version.clone(),
            file: FileUsed {
                file: previous.source_name.clone(),
                sha256: previous.source_sha256.clone(),
            },
        },
        relation,
        predecessor,
        rows,
        gaps_closed,
        gaps_then,
        rule: "Rows are today's priorities and every capability that had a target above its level in the previous response. \
               A gap is closed when the level now reaches the previous response's target; improved when the level rose but has not reached it; \
               otherwise no change or fell back. Capabilities are matched by id."
            .to_string(),
    })
}

/// The previous response must be an earlier organisation response of the same toolkit, for
/// the same organisation or a predecessor; returns the predecessor and the relation.
fn check_previous(
    current: &Assessment,
    previous: &Assessment,
    orgs: &Organisations,
) -> Result<(bool, String), Error> {
    let here = |msg: String| Diagnostic::error(msg).in_file(&previous.source_name);
    let mut diags = Diagnostics::default();
    if previous.response_type != ResponseType::Organisation {
        diags.push(
            here("the earlier assessment to compare with is an individual self-assessment".into())
                .expected("a previous organisation response"),
        );
    }
    if previous.toolkit_id != current.toolkit_id {
        diags.push(
            here(format!(
                "the earlier assessment uses toolkit {}, the current one {}",
                previous.toolkit_id, current.toolkit_id
            ))
            .expected("a previous response against the same toolkit"),
        );
    }
    if let (Some(then), Some(now)) = (previous.assessed, current.assessed)
        && then >= now
    {
        diags.push(
            here(format!(
                "the earlier assessment is dated {then}, not before the current one ({now})"
            ))
            .expected("an earlier response"),
        );
    }
    let rel = relation(orgs, &previous.ods_code, &current.ods_code);
    if rel.is_none() {
        diags.push(
            here(format!(
                "the earlier assessment is for {} ({}), which is neither {} nor a predecessor of it in the successions table",
                previous.organisation_name, previous.ods_code, current.ods_code
            ))
            .expected(format!(
                "a previous response of {} or of an organisation that passed to it",
                current.ods_code
            )),
        );
    }
    if diags.has_errors() {
        return Err(Error::Invalid(diags));
    }
    Ok(rel.unwrap_or_default())
}

/// One capability's progress: included when it is a priority today or had a gap then.
fn progress_row(
    toolkit: &CapabilityToolkit,
    cap: &Capability,
    current: &Assessment,
    previous: &Assessment,
    priority: Option<&Priority>,
) -> Option<ProgressRow> {
    let priority_rank = priority.map(|p| p.rank);
    let id = cap.id.get_ref();
    let now = current.answers.get(id).and_then(|a| a.rank())?;
    let now_answer = &current.answers[id];
    let then_answer = previous.answers.get(id);
    let then = then_answer.and_then(|a| a.rank());
    let target_then = then_answer.and_then(|a| a.target);
    let gap_then = then.zip(target_then).map(|(l, t)| t as i64 - l as i64);
    let had_gap = gap_then.is_some_and(|g| g > 0);
    if priority_rank.is_none() && !had_gap {
        return None;
    }
    let status = match then {
        None => ProgressStatus::NotRatedThen,
        Some(_) if had_gap && target_then.is_some_and(|tt| now >= tt) => ProgressStatus::GapClosed,
        Some(t) if now > t => ProgressStatus::Improved,
        Some(t) if now == t => ProgressStatus::NoChange,
        Some(_) => ProgressStatus::FellBack,
    };
    Some(ProgressRow {
        id: id.clone(),
        title: cap.title.clone(),
        priority_rank,
        priority_rank_label: priority.map(|p| p.rank_label.clone()),
        level_then: then.map(|r| level_name(toolkit, r)),
        target_then: target_then.map(|r| level_name(toolkit, r)),
        level_now: level_name(toolkit, now),
        target_now: now_answer.target.map(|r| level_name(toolkit, r)),
        change: then.map(|t| now as i64 - t as i64),
        gap_then,
        gap_now: now_answer
            .target
            .map_or(0, |t| t.max(now) as i64 - now as i64),
        status,
        status_label: status.as_str(),
    })
}

/// Draws up the development plan.
pub fn build(inputs: PlanInputs<'_>) -> Result<DevelopmentPlan, Error> {
    let toolkit = inputs.frameworks.toolkit;
    let round = inputs.frameworks.round.map(|(_, r)| r);
    let a = inputs.assessment;
    let score = inputs.score;
    if a.response_type != ResponseType::Organisation {
        return Err(Error::Invalid(Diagnostics(vec![
            Diagnostic::error("a development plan is drawn up from an organisation's response; this is an individual self-assessment")
                .in_file(&a.source_name)
                .expected("type = \"organisation\" (individual self-assessments are given as a directory of their own)")
                .settings([crate::setting::Setting::Individuals]),
        ])));
    }
    let statuses: BTreeMap<String, &MilestoneResult> =
        score.milestones.iter().map(|m| (m.id.clone(), m)).collect();
    let priorities = priorities(toolkit, round, a, &statuses);
    let support = support_by_strand(toolkit, &priorities);
    let individuals = inputs
        .individuals
        .map(|s| individual_development(toolkit, a, s));
    let progress = inputs
        .previous
        .map(|p| progress(toolkit, a, p, &priorities, inputs.organisations))
        .transpose()?;
    let timeline = timeline(round, score, &priorities);
    let summary = plan_summary(toolkit, a, score, &priorities, &support);
    let rule = rule(&toolkit.planning);
    let method = plan_method(
        toolkit,
        score,
        &rule,
        individuals.as_ref(),
        progress.as_ref(),
    );
    let provenance = score.provenance.clone();
    let who = if a.organisation_name.is_empty() {
        "Organisation not named".to_string()
    } else {
        a.organisation_name.clone()
    };
    Ok(DevelopmentPlan {
        schema: "sct-plan/1",
        title: format!("Strategic commissioning development plan: {who}"),
        notice: a.notice.clone(),
        organisation: a.organisation_name.clone(),
        ods_code: a.ods_code.clone(),
        round: a.round.clone(),
        toolkit: a.toolkit_id.clone(),
        toolkit_version: a.toolkit_version.clone(),
        assessed: a.assessed,
        as_of: score.as_of,
        overall_level_name: score.overall.level_name.clone(),
        overall_score: score.overall.score,
        level_names: toolkit.levels.iter().map(|l| l.name.clone()).collect(),
        rule,
        summary,
        priorities,
        support,
        individuals,
        timeline,
        progress,
        method,
        provenance,
    })
}

/// The plan's summary: how many priorities, how many to validate, what is missing.
fn plan_summary(
    toolkit: &CapabilityToolkit,
    a: &Assessment,
    score: &ScoreReport,
    priorities: &[Priority],
    support: &[StrandSupport],
) -> PlanSummary {
    let cov = &score.overall.coverage;
    let without_target: Vec<String> = toolkit
        .capabilities()
        .filter_map(|(_, c)| {
            let ans = a.answers.get(c.id.get_ref())?;
            (ans.rank().is_some() && ans.target.is_none()).then(|| c.title.clone())
        })
        .collect();
    let milestones_attention: Vec<String> = score
        .milestones
        .iter()
        .filter(|m| matches!(m.status, MilestoneStatus::AtRisk | MilestoneStatus::Missed))
        .filter(|m| {
            priorities
                .iter()
                .any(|p| p.milestones.iter().any(|x| x.id == m.id))
        })
        .map(|m| format!("{} ({}, due {})", m.title, m.status.as_str(), m.due.date))
        .collect();
    PlanSummary {
        priorities: priorities.len(),
        below_target: priorities.iter().filter(|p| p.gap > 0).count(),
        to_validate: priorities
            .iter()
            .filter(|p| p.validate_before_investing)
            .count(),
        without_target,
        not_applicable: cov.not_applicable,
        unanswered: cov.unanswered,
        tied: priorities.iter().filter(|p| p.tied).count(),
        strands_needed: support
            .iter()
            .filter(|s| !s.id.is_empty())
            .map(|s| s.title.clone())
            .collect(),
        milestones_attention,
    }
}

/// The method, paragraph by paragraph: the rule, milestones, support and what else was used.
fn plan_method(
    toolkit: &CapabilityToolkit,
    score: &ScoreReport,
    rule: &PriorityRule,
    individuals: Option<&IndividualDevelopment>,
    progress: Option<&Progress>,
) -> Vec<String> {
    let mut method = vec![
        rule.description.clone(),
        "Milestones at stake for a capability are those its own support links and its domain's name in the toolkit, and the round's milestones that name the capability; \
         for ranking, the earliest due date of those not yet met counts. Strands are those the capability's own links name, or else its domain's."
            .to_string(),
        "Support needed lists every priority below its target under each strand that develops it, with the next level's descriptor from the toolkit: what one step better looks like."
            .to_string(),
    ];
    if let Some(p) = &toolkit.planning.source {
        method.push(format!("Planning source: {}", source_words(p)));
    }
    if let Some(rule) = &score.method.milestone_rule {
        method.push(rule.clone());
    }
    if let Some(i) = individuals {
        method.push(i.rule.clone());
    }
    if let Some(p) = progress {
        method.push(p.rule.clone());
    }
    method
}
