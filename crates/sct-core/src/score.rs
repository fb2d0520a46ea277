//! Transparent scoring. Level k scores k; n/a answers are left out without penalty;
//! unanswered ones lower coverage, not the score. Domains aggregate their capabilities and
//! the overall score aggregates the domains, each by the method the toolkit's `[scoring]`
//! table names, and every result says in words how it was computed.

use serde::Serialize;

use crate::assessment::{Answer, AnswerLevel, Assessment, Confidence};
use crate::milestones::{MilestoneResult, milestone_statuses, rule_in_words};
use crate::model::{Aggregation, Capability, CapabilityToolkit, Date, Domain, ResponseType};
use crate::provenance::Provenance;
use crate::validate::ResolvedFrameworks;

/// Combines `(score, weight)` pairs by `method`; `None` when there are none.
pub fn aggregate(method: Aggregation, items: &[(f64, f64)]) -> Option<f64> {
    if items.is_empty() {
        return None;
    }
    Some(match method {
        Aggregation::Mean => items.iter().map(|(v, _)| v).sum::<f64>() / items.len() as f64,
        Aggregation::WeightedMean => {
            let total: f64 = items.iter().map(|(_, w)| w).sum();
            let sum: f64 = items.iter().map(|(v, w)| v * w).sum();
            if total.is_finite() && sum.is_finite() {
                sum / total
            } else {
                // Weights so large that a sum overflows (the toolkit check refuses them, but
                // a toolkit built in code is not checked): relative to the largest they are
                // at most 1, and neither sum can overflow.
                let largest = items.iter().map(|&(_, w)| w).fold(0.0, f64::max);
                let total: f64 = items.iter().map(|(_, w)| w / largest).sum();
                items.iter().map(|(v, w)| v * (w / largest)).sum::<f64>() / total
            }
        }
        Aggregation::Median => {
            let mut v: Vec<f64> = items.iter().map(|(v, _)| *v).collect();
            v.sort_by(f64::total_cmp);
            let n = v.len();
            if n % 2 == 1 {
                v[n / 2]
            } else {
                (v[n / 2 - 1] + v[n / 2]) / 2.0
            }
        }
        Aggregation::Min => items.iter().map(|(v, _)| *v).fold(f64::INFINITY, f64::min),
    })
}

/// Answered, n/a and unanswered counts.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Coverage {
    /// Capabilities answered with a level.
    pub answered: usize,
    /// Capabilities marked n/a (not counted against coverage).
    pub not_applicable: usize,
    /// Capabilities not answered.
    pub unanswered: usize,
    /// Capabilities that apply: answered plus unanswered.
    pub applicable: usize,
    /// answered / applicable, or `None` when nothing applies.
    pub ratio: Option<f64>,
}

impl Coverage {
    fn add(&mut self, other: Coverage) {
        self.answered += other.answered;
        self.not_applicable += other.not_applicable;
        self.unanswered += other.unanswered;
        self.finish();
    }

    fn finish(&mut self) {
        self.applicable = self.answered + self.unanswered;
        self.ratio = (self.applicable > 0).then(|| self.answered as f64 / self.applicable as f64);
    }
}

/// How many answers were given at each confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ConfidenceMix {
    /// Low confidence.
    pub low: usize,
    /// Medium confidence.
    pub medium: usize,
    /// High confidence.
    pub high: usize,
    /// Confidence not stated.
    pub unstated: usize,
}

impl ConfidenceMix {
    fn add(&mut self, other: ConfidenceMix) {
        self.low += other.low;
        self.medium += other.medium;
        self.high += other.high;
        self.unstated += other.unstated;
    }
}

/// A score with everything needed to read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreSummary {
    /// The score (1 to the number of levels), or `None` when nothing was answered.
    pub score: Option<f64>,
    /// The level the score falls in (id).
    pub level: Option<String>,
    /// The level's name.
    pub level_name: Option<String>,
    /// The score if every target were met (current level where no target is set).
    pub target_score: Option<f64>,
    /// `target_score - score`.
    pub gap_to_target: Option<f64>,
    /// Coverage.
    pub coverage: Coverage,
    /// Confidence mix of the answers given with a level.
    pub confidence: ConfidenceMix,
    /// Answers given with a level but no evidence.
    pub without_evidence: usize,
}

/// One capability's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityScore {
    /// Capability id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Weight.
    pub weight: f64,
    /// `answered`, `n/a` or `unanswered`.
    pub state: &'static str,
    /// Level id, when answered.
    pub level: Option<String>,
    /// Level name, when answered.
    pub level_name: Option<String>,
    /// Score (the level's rank), when answered.
    pub score: Option<f64>,
    /// Confidence, if given.
    pub confidence: Option<Confidence>,
    /// Number of evidence items.
    pub evidence_count: usize,
    /// Target level id, if given.
    pub target_level: Option<String>,
    /// Target date, if given.
    pub target_date: Option<Date>,
    /// Target rank minus current rank, when both are known.
    pub gap: Option<i64>,
    /// Why n/a, when n/a.
    pub reason: Option<String>,
}

/// One domain's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainScore {
    /// Domain id.
    pub id: String,
    /// Section of the source.
    pub section: String,
    /// `stage` or `enabler`.
    pub kind: &'static str,
    /// Title.
    pub title: String,
    /// Weight in the overall score.
    pub weight: f64,
    /// The domain's score.
    #[serde(flatten)]
    pub summary: ScoreSummary,
    /// Its capabilities.
    pub capabilities: Vec<CapabilityScore>,
}

/// A level's score, for the method statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelScore {
    /// Level id.
    pub id: String,
    /// Level name.
    pub name: String,
    /// The score an answer at this level earns.
    pub score: f64,
    /// The lowest aggregated score shown as this level.
    pub band_from: Option<f64>,
}

/// How the scores were computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Method {
    /// Levels, their scores and bands.
    pub levels: Vec<LevelScore>,
    /// How capabilities combine into a domain score.
    pub domain_aggregation: &'static str,
    /// How domains combine into the overall score.
    pub overall_aggregation: &'static str,
    /// The scoring method in words.
    pub description: String,
    /// The milestone rule in words, when milestones are assessed.
    pub milestone_rule: Option<String>,
}

/// The organisation or person scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subject {
    /// `organisation` or `individual`.
    pub response_type: &'static str,
    /// Organisation name.
    pub organisation: String,
    /// ODS code.
    pub ods_code: String,
    /// Respondent's role (organisation responses).
    pub respondent_role: String,
    /// Pseudonymous person id (individual responses).
    pub person: Option<String>,
    /// Role group (individual responses).
    pub role_group: Option<String>,
}

/// The full result of scoring one response. Its JSON form is `sct score --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreReport {
    /// Format identifier of this JSON, bumped on incompatible changes.
    pub schema: &'static str,
    /// The response's notice (for example that the data are illustrative), or empty.
    pub notice: String,
    /// Who was assessed.
    pub subject: Subject,
    /// Round id, if any.
    pub round: Option<String>,
    /// Toolkit id.
    pub toolkit: String,
    /// Toolkit version.
    pub toolkit_version: String,
    /// Assessed date.
    pub assessed: Option<Date>,
    /// The date milestones are judged at.
    pub as_of: Option<Date>,
    /// The overall result.
    pub overall: ScoreSummary,
    /// Per domain.
    pub domains: Vec<DomainScore>,
    /// Milestones of the round, as of `as_of`.
    pub milestones: Vec<MilestoneResult>,
    /// How it was computed.
    pub method: Method,
    /// Where it came from.
    pub provenance: Provenance,
    /// Warnings from validation, as text.
    pub warnings: Vec<String>,
    /// The same warnings, as diagnostics, for outputs that word them their own way.
    #[serde(skip)]
    pub validation: Vec<crate::Diagnostic>,
}

/// The level a score falls in: the highest band whose lower bound it reaches.
pub fn band(toolkit: &CapabilityToolkit, score: f64) -> Option<usize> {
    // Allow for rounding in aggregated scores (a mean of 2 and 3 and 4 is exactly 3, but a
    // weighted mean may land a hair below).
    const EPS: f64 = 1e-9;
    let bands = bands(toolkit);
    let mut found = bands.first().map(|(rank, _)| *rank);
    for (rank, min) in bands {
        if score + EPS >= min {
            found = Some(rank);
        }
    }
    found
}

/// The (rank, min_score) bands in force: the toolkit's, or each level from its own rank.
fn bands(toolkit: &CapabilityToolkit) -> Vec<(usize, f64)> {
    if toolkit.scoring.bands.is_empty() {
        (1..=toolkit.levels.len()).map(|r| (r, r as f64)).collect()
    } else {
        toolkit
            .scoring
            .bands
            .iter()
            .filter_map(|b| {
                toolkit
                    .level_rank(b.level.get_ref())
                    .map(|r| (r, *b.min_score.get_ref()))
            })
            .collect()
    }
}

fn describe_aggregation(a: Aggregation, parts: &str) -> String {
    match a {
        Aggregation::Mean => format!("the mean of its {parts}' scores (weights not used)"),
        Aggregation::WeightedMean => format!(
            "the weighted mean of its {parts}' scores (weights from the toolkit, default 1)"
        ),
        Aggregation::Median => format!(
            "the median of its {parts}' scores (the mean of the middle two for an even count; weights not used)"
        ),
        Aggregation::Min => format!("the lowest of its {parts}' scores"),
    }
}

/// The scoring method in words.
pub fn method(toolkit: &CapabilityToolkit, with_milestones: Option<u32>) -> Method {
    let bands = bands(toolkit);
    let levels: Vec<LevelScore> = toolkit
        .levels
        .iter()
        .enumerate()
        .map(|(i, l)| LevelScore {
            id: l.id.get_ref().clone(),
            name: l.name.clone(),
            score: (i + 1) as f64,
            band_from: bands.iter().find(|(r, _)| *r == i + 1).map(|(_, m)| *m),
        })
        .collect();
    let level_words = levels
        .iter()
        .map(|l| format!("{} = {}", l.name, l.score))
        .collect::<Vec<_>>()
        .join(", ");
    let band_words = levels
        .iter()
        .filter_map(|l| l.band_from.map(|b| format!("{} from {b:.2}", l.name)))
        .collect::<Vec<_>>()
        .join(", ");
    let description = format!(
        "Each capability answered with a level scores that level's rank ({level_words}). \
         Capabilities answered n/a are left out without penalty; unanswered capabilities lower coverage but not the score. \
         A domain's score is {}. The overall score is {}. \
         A score is shown as the highest level whose lower bound it reaches ({band_words}). \
         A target score uses each capability's target level where one is set and its current level otherwise; the gap to target is the target score minus the score.",
        describe_aggregation(toolkit.scoring.domain_aggregation, "answered capabilities"),
        describe_aggregation(toolkit.scoring.overall_aggregation, "scored domains"),
    );
    Method {
        levels,
        domain_aggregation: toolkit.scoring.domain_aggregation.as_str(),
        overall_aggregation: toolkit.scoring.overall_aggregation.as_str(),
        description,
        milestone_rule: with_milestones.map(rule_in_words),
    }
}

fn summary(
    toolkit: &CapabilityToolkit,
    method: Aggregation,
    scored: &[(f64, f64)],
    targets: &[(f64, f64)],
    coverage: Coverage,
    confidence: ConfidenceMix,
    without_evidence: usize,
) -> ScoreSummary {
    let score = aggregate(method, scored);
    let target_score = aggregate(method, targets);
    let level = score
        .and_then(|s| band(toolkit, s))
        .and_then(|r| toolkit.level_by_rank(r));
    ScoreSummary {
        score,
        level: level.map(|l| l.id.get_ref().clone()),
        level_name: level.map(|l| l.name.clone()),
        target_score,
        gap_to_target: score.zip(target_score).map(|(s, t)| t - s),
        coverage,
        confidence,
        without_evidence,
    }
}

/// Scores a resolved assessment. `as_of` dates the milestone statuses (default: the assessed
/// date, else the round's due date).
pub fn score(
    fw: &ResolvedFrameworks<'_>,
    assessment: &Assessment,
    as_of: Option<Date>,
    provenance: Provenance,
) -> ScoreReport {
    let toolkit = fw.toolkit;
    let mut domains = Vec::new();
    let mut overall_cov = Coverage::default();
    let mut overall_conf = ConfidenceMix::default();
    let mut overall_without = 0;
    let mut domain_scores = Vec::new();
    let mut domain_targets = Vec::new();
    for domain in &toolkit.domains {
        let Some(d) = score_domain(toolkit, domain, assessment) else {
            continue;
        };
        if let (Some(sc), Some(t)) = (d.score.summary.score, d.score.summary.target_score) {
            domain_scores.push((sc, domain.weight()));
            domain_targets.push((t, domain.weight()));
        }
        overall_cov.add(d.tally.0);
        overall_conf.add(d.tally.1);
        overall_without += d.tally.2;
        domains.push(d.score);
    }
    overall_cov.finish();
    let overall = summary(
        toolkit,
        toolkit.scoring.overall_aggregation,
        &domain_scores,
        &domain_targets,
        overall_cov,
        overall_conf,
        overall_without,
    );
    let round = fw.round.map(|(_, r)| r);
    let as_of = as_of
        .or(assessment.assessed)
        .or(round.map(|r| *r.due.get_ref()));
    let milestones = match (round, as_of, assessment.response_type) {
        (Some(r), Some(date), ResponseType::Organisation) => {
            milestone_statuses(r, assessment, date)
        }
        _ => Vec::new(),
    };
    let with_milestones = (!milestones.is_empty())
        .then(|| round.map(|r| r.at_risk_within_days))
        .flatten();
    ScoreReport {
        schema: "sct-score/1",
        notice: assessment.notice.clone(),
        subject: Subject {
            response_type: assessment.response_type.as_str(),
            organisation: assessment.organisation_name.clone(),
            ods_code: assessment.ods_code.clone(),
            respondent_role: assessment.respondent_role.clone(),
            person: assessment.person.as_ref().map(|p| p.id.clone()),
            role_group: assessment.person.as_ref().map(|p| p.role_group.clone()),
        },
        round: assessment.round.clone(),
        toolkit: assessment.toolkit_id.clone(),
        toolkit_version: assessment.toolkit_version.clone(),
        assessed: assessment.assessed,
        as_of,
        overall,
        domains,
        milestones,
        method: method(toolkit, with_milestones),
        provenance,
        warnings: assessment
            .warnings
            .iter()
            .map(|d| d.to_string().trim_end().to_string())
            .collect(),
        validation: assessment.warnings.iter().cloned().collect(),
    }
}

/// A domain scored, with the tallies the overall summary adds up: coverage, the
/// confidence mix and the ratings without evidence.
struct ScoredDomain {
    score: DomainScore,
    tally: (Coverage, ConfidenceMix, usize),
}

/// Scores one domain; None when none of its capabilities applies to this response type.
fn score_domain(
    toolkit: &CapabilityToolkit,
    domain: &Domain,
    assessment: &Assessment,
) -> Option<ScoredDomain> {
    let mut caps = Vec::new();
    let mut cov = Coverage::default();
    let mut conf = ConfidenceMix::default();
    let mut without = 0;
    let mut scored = Vec::new();
    let mut targets = Vec::new();
    for cap in &domain.capabilities {
        let Some(answer) = assessment.answers.get(cap.id.get_ref()) else {
            continue; // not applicable to this response type (an individual's non-competency)
        };
        let c = capability_score(toolkit, cap, answer);
        match c.state {
            "answered" => cov.answered += 1,
            "n/a" => cov.not_applicable += 1,
            _ => cov.unanswered += 1,
        }
        if let AnswerLevel::Level { rank } = answer.level {
            scored.push((rank as f64, cap.weight()));
            targets.push((answer.target.unwrap_or(rank).max(rank) as f64, cap.weight()));
            match answer.confidence {
                Some(Confidence::Low) => conf.low += 1,
                Some(Confidence::Medium) => conf.medium += 1,
                Some(Confidence::High) => conf.high += 1,
                None => conf.unstated += 1,
            }
            if answer.evidence.is_empty() {
                without += 1;
            }
        }
        caps.push(c);
    }
    if caps.is_empty() {
        return None;
    }
    cov.finish();
    let s = summary(
        toolkit,
        toolkit.scoring.domain_aggregation,
        &scored,
        &targets,
        cov,
        conf,
        without,
    );
    Some(ScoredDomain {
        score: DomainScore {
            id: domain.id.get_ref().clone(),
            section: domain.section.clone(),
            kind: domain.kind.as_str(),
            title: domain.title.clone(),
            weight: domain.weight(),
            summary: s,
            capabilities: caps,
        },
        tally: (cov, conf, without),
    })
}

/// One capability's answer as scored: its state, level, score, target and gap.
fn capability_score(
    toolkit: &CapabilityToolkit,
    cap: &Capability,
    answer: &Answer,
) -> CapabilityScore {
    let level_id = |rank: usize| toolkit.level_by_rank(rank).map(|l| l.id.get_ref().clone());
    let level_name = |rank: usize| toolkit.level_by_rank(rank).map(|l| l.name.clone());
    let (state, rank, reason) = match &answer.level {
        AnswerLevel::Level { rank } => ("answered", Some(*rank), None),
        AnswerLevel::NotApplicable { reason } => ("n/a", None, Some(reason.clone())),
        AnswerLevel::Unanswered => ("unanswered", None, None),
    };
    CapabilityScore {
        id: cap.id.get_ref().clone(),
        title: cap.title.clone(),
        weight: cap.weight(),
        state,
        level: rank.and_then(level_id),
        level_name: rank.and_then(level_name),
        score: rank.map(|r| r as f64),
        confidence: answer.confidence,
        evidence_count: answer.evidence.len(),
        target_level: answer.target.and_then(level_id),
        target_date: answer.target_date,
        gap: rank.zip(answer.target).map(|(r, t)| t as i64 - r as i64),
        reason,
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A weighted mean of levels is a number between the lowest and highest level, for
        /// weights of any size (1e308 made it NaN: both sums overflowed).
        #[test]
        fn a_weighted_mean_of_levels_is_finite_and_between_them_for_any_weights(
            items in proptest::collection::vec(
                (1u8..=5, prop_oneof![1e-300f64..1e-290, 0.5f64..10.0, 1e300f64..f64::MAX]),
                1..20,
            )
        ) {
            let items: Vec<(f64, f64)> = items.iter().map(|&(v, w)| (f64::from(v), w)).collect();
            let mean = aggregate(Aggregation::WeightedMean, &items).unwrap();
            let lo = items.iter().map(|i| i.0).fold(f64::INFINITY, f64::min);
            let hi = items.iter().map(|i| i.0).fold(0.0, f64::max);
            prop_assert!(mean.is_finite(), "{mean}");
            prop_assert!(lo - 1e-9 <= mean && mean <= hi + 1e-9, "{lo} <= {mean} <= {hi}");
        }
    }
}
