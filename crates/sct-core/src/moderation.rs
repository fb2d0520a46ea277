//! Consolidating several raters' responses for one organisation and round into the view a
//! moderator works from: per capability each rater's level, confidence and evidence, the
//! spread and median, the evidence pooled with who cited it, and flags where the raters
//! disagree by two levels or more, rated without evidence, or skipped it; and the agreement
//! between raters as Krippendorff's alpha (ordinal), for the whole assessment and per domain.

use serde::Serialize;

use crate::agreement::ordinal_alpha;
use crate::assessment::{AnswerLevel, Assessment, Confidence};
use crate::model::{CapabilityToolkit, RaterSource};
use crate::team::{Rating, median_rank};

/// Why a set of responses cannot be moderated together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModerationError {
    /// Fewer than two responses.
    #[error("moderation needs two or more raters' responses; {count} given")]
    TooFew {
        /// How many were given.
        count: usize,
    },
    /// A response names no rater.
    #[error(
        "{file} names no rater; expected a [rater] table with name and role (one rater's view)"
    )]
    NoRater {
        /// The response file.
        file: String,
    },
    /// Two responses are for different organisations.
    #[error(
        "{first_file} is for {first} but {other_file} is for {other}; expected responses for one organisation"
    )]
    DifferentOrganisation {
        /// The first response file.
        first_file: String,
        /// Its organisation code.
        first: String,
        /// The response that differs.
        other_file: String,
        /// Its organisation code.
        other: String,
    },
    /// Two responses are for different rounds (or toolkits).
    #[error(
        "{first_file} is for {first} but {other_file} is for {other}; expected responses for one round"
    )]
    DifferentRound {
        /// The first response file.
        first_file: String,
        /// Its round (or toolkit and version, without a round).
        first: String,
        /// The response that differs.
        other_file: String,
        /// Its round.
        other: String,
    },
    /// Two responses are by the same rater.
    #[error("{first_file} and {other_file} are both by {name}; expected one response per rater")]
    SameRater {
        /// The rater's name.
        name: String,
        /// The first response file.
        first_file: String,
        /// The second.
        other_file: String,
    },
}

/// One rater's answer for a capability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterAnswer {
    /// The level given, n/a or skipped.
    pub rating: Rating,
    /// The confidence given.
    pub confidence: Option<Confidence>,
    /// The evidence cited.
    pub evidence: Vec<String>,
    /// The target level (rank), if given.
    pub target: Option<usize>,
    /// The rater's rationale.
    pub rationale: String,
}

/// One piece of evidence and the raters (indices into [`Consolidation::raters`]) who cited it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PooledEvidence {
    /// The evidence as written.
    pub text: String,
    /// Who cited it.
    pub cited_by: Vec<usize>,
}

/// Something the moderator should look at for a capability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "flag", rename_all = "kebab-case")]
pub enum Flag {
    /// The highest and lowest levels given are two or more levels apart.
    Disagreement {
        /// Highest rank minus lowest.
        spread: usize,
    },
    /// Raters who gave a level with no evidence.
    NoEvidence {
        /// Indices of the raters.
        raters: Vec<usize>,
    },
    /// Raters who left the capability blank.
    Skipped {
        /// Indices of the raters.
        raters: Vec<usize>,
    },
    /// Some raters said the capability does not apply, others gave a level.
    ApplicabilityDiffers {
        /// Indices of the raters who said n/a.
        raters: Vec<usize>,
    },
}

/// What the raters said about one capability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityRatings {
    /// Capability id.
    pub id: String,
    /// Capability title.
    pub title: String,
    /// Its domain's id.
    pub domain_id: String,
    /// Its domain's title.
    pub domain_title: String,
    /// Each rater's answer, in the order of [`Consolidation::raters`].
    pub answers: Vec<RaterAnswer>,
    /// Highest rank given minus lowest, when anyone gave a level.
    pub spread: Option<usize>,
    /// The median rank (the lower middle value for an even number), when anyone gave a level.
    pub median: Option<usize>,
    /// Every piece of evidence cited, first-cited first, with who cited it.
    pub evidence: Vec<PooledEvidence>,
    /// What needs the moderator's attention.
    pub flags: Vec<Flag>,
}

/// Krippendorff's alpha (ordinal) for one domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainAgreement {
    /// Domain id.
    pub id: String,
    /// Domain title.
    pub title: String,
    /// Alpha, `None` when undefined (too few paired ratings, or no variation).
    pub alpha: Option<f64>,
}

/// Several raters' responses side by side, ready for moderation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Consolidation {
    /// The organisation's name.
    pub organisation_name: String,
    /// Its ODS code.
    pub ods_code: String,
    /// The round id, if the responses name one.
    pub round: Option<String>,
    /// Toolkit id.
    pub toolkit_id: String,
    /// Toolkit version.
    pub toolkit_version: String,
    /// A notice repeated in every output (the first response's).
    pub notice: String,
    /// The raters with their files and checksums, in the order given.
    pub raters: Vec<RaterSource>,
    /// One entry per capability of the toolkit, in toolkit order.
    pub capabilities: Vec<CapabilityRatings>,
    /// Alpha over every capability.
    pub agreement: Option<f64>,
    /// Alpha per domain, in toolkit order.
    pub domains: Vec<DomainAgreement>,
}

impl Consolidation {
    /// The capabilities carrying a flag of disagreement.
    pub fn disagreements(&self) -> impl Iterator<Item = &CapabilityRatings> {
        self.capabilities.iter().filter(|c| {
            c.flags
                .iter()
                .any(|f| matches!(f, Flag::Disagreement { .. }))
        })
    }
}

/// Consolidates resolved responses (each one rater's view, all for one organisation, round
/// and toolkit) against their toolkit.
pub fn consolidate(
    toolkit: &CapabilityToolkit,
    responses: &[Assessment],
) -> Result<Consolidation, ModerationError> {
    let raters = check_together(responses)?;
    let capabilities: Vec<CapabilityRatings> = toolkit
        .capabilities()
        .map(|(domain, cap)| {
            let answers = responses
                .iter()
                .map(|r| rater_answer(r, cap.id.get_ref()))
                .collect();
            capability_ratings(
                cap.id.get_ref(),
                &cap.title,
                domain.id.get_ref(),
                &domain.title,
                answers,
            )
        })
        .collect();
    let domains = toolkit
        .domains
        .iter()
        .map(|d| DomainAgreement {
            id: d.id.get_ref().clone(),
            title: d.title.clone(),
            alpha: alpha_of(
                capabilities
                    .iter()
                    .filter(|c| &c.domain_id == d.id.get_ref()),
            ),
        })
        .collect();
    let first = &responses[0];
    Ok(Consolidation {
        organisation_name: first.organisation_name.clone(),
        ods_code: first.ods_code.clone(),
        round: first.round.clone(),
        toolkit_id: first.toolkit_id.clone(),
        toolkit_version: first.toolkit_version.clone(),
        notice: first.notice.clone(),
        raters,
        agreement: alpha_of(capabilities.iter()),
        capabilities,
        domains,
    })
}

/// Checks the responses belong together and returns their raters.
fn check_together(responses: &[Assessment]) -> Result<Vec<RaterSource>, ModerationError> {
    let Some(first) = responses.first().filter(|_| responses.len() >= 2) else {
        return Err(ModerationError::TooFew {
            count: responses.len(),
        });
    };
    let round_of = |a: &Assessment| {
        a.round
            .clone()
            .unwrap_or_else(|| format!("{} {}", a.toolkit_id, a.toolkit_version))
    };
    let mut raters: Vec<RaterSource> = Vec::with_capacity(responses.len());
    for (i, r) in responses.iter().enumerate() {
        let rater = r
            .team
            .rater
            .as_ref()
            .ok_or_else(|| ModerationError::NoRater {
                file: r.source_name.clone(),
            })?;
        let differs = |first: String, other: String| (first != other).then_some((first, other));
        if let Some((a, b)) = differs(first.ods_code.clone(), r.ods_code.clone()) {
            return Err(ModerationError::DifferentOrganisation {
                first_file: first.source_name.clone(),
                first: a,
                other_file: r.source_name.clone(),
                other: b,
            });
        }
        let versioned =
            |a: &Assessment| format!("{} ({} {})", round_of(a), a.toolkit_id, a.toolkit_version);
        if let Some((a, b)) = differs(versioned(first), versioned(r)) {
            return Err(ModerationError::DifferentRound {
                first_file: first.source_name.clone(),
                first: a,
                other_file: r.source_name.clone(),
                other: b,
            });
        }
        if let Some(j) = raters.iter().position(|s| same_person(s, rater)) {
            return Err(ModerationError::SameRater {
                name: rater.name.trim().to_string(),
                first_file: responses[j].source_name.clone(),
                other_file: r.source_name.clone(),
            });
        }
        debug_assert_eq!(raters.len(), i);
        raters.push(RaterSource {
            name: rater.name.trim().to_string(),
            role: rater.role.trim().to_string(),
            email: rater.email.trim().to_string(),
            file: r.source_name.clone(),
            sha256: r.source_sha256.clone(),
        });
    }
    Ok(raters)
}

/// The same person: the same name (ignoring case and spacing) or the same email address.
fn same_person(seen: &RaterSource, rater: &crate::model::Rater) -> bool {
    let key = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let email = rater.email.trim();
    key(&seen.name) == key(&rater.name)
        || (!email.is_empty() && seen.email.eq_ignore_ascii_case(email))
}

fn rater_answer(response: &Assessment, id: &str) -> RaterAnswer {
    let Some(answer) = response.answers.get(id) else {
        return RaterAnswer {
            rating: Rating::Skipped,
            confidence: None,
            evidence: Vec::new(),
            target: None,
            rationale: String::new(),
        };
    };
    RaterAnswer {
        rating: match answer.level {
            AnswerLevel::Level { rank } => Rating::Level { rank },
            AnswerLevel::NotApplicable { .. } => Rating::NotApplicable,
            AnswerLevel::Unanswered => Rating::Skipped,
        },
        confidence: answer.confidence,
        evidence: answer.evidence.clone(),
        target: answer.target,
        rationale: answer.rationale.clone(),
    }
}

fn capability_ratings(
    id: &str,
    title: &str,
    domain_id: &str,
    domain_title: &str,
    answers: Vec<RaterAnswer>,
) -> CapabilityRatings {
    let ratings: Vec<Rating> = answers.iter().map(|a| a.rating).collect();
    let ranks = || ratings.iter().filter_map(|r| r.rank());
    let spread = ranks().max().zip(ranks().min()).map(|(hi, lo)| hi - lo);
    CapabilityRatings {
        id: id.to_string(),
        title: title.to_string(),
        domain_id: domain_id.to_string(),
        domain_title: domain_title.to_string(),
        spread,
        median: median_rank(&ratings),
        evidence: pooled_evidence(&answers),
        flags: flags(&answers, spread),
        answers,
    }
}

/// Evidence cited by any rater, each text once (compared trimmed and ignoring case), in the
/// order first cited.
fn pooled_evidence(answers: &[RaterAnswer]) -> Vec<PooledEvidence> {
    let mut pooled: Vec<PooledEvidence> = Vec::new();
    for (i, a) in answers.iter().enumerate() {
        for text in &a.evidence {
            match pooled
                .iter_mut()
                .find(|p| p.text.trim().eq_ignore_ascii_case(text.trim()))
            {
                Some(p) if !p.cited_by.contains(&i) => p.cited_by.push(i),
                Some(_) => {}
                None => pooled.push(PooledEvidence {
                    text: text.trim().to_string(),
                    cited_by: vec![i],
                }),
            }
        }
    }
    pooled
}

fn flags(answers: &[RaterAnswer], spread: Option<usize>) -> Vec<Flag> {
    let who = |keep: &dyn Fn(&RaterAnswer) -> bool| -> Vec<usize> {
        answers
            .iter()
            .enumerate()
            .filter(|(_, a)| keep(a))
            .map(|(i, _)| i)
            .collect()
    };
    let mut flags = Vec::new();
    if let Some(spread) = spread.filter(|&s| s >= 2) {
        flags.push(Flag::Disagreement { spread });
    }
    let no_evidence = who(&|a| a.rating.rank().is_some() && a.evidence.is_empty());
    if !no_evidence.is_empty() {
        flags.push(Flag::NoEvidence {
            raters: no_evidence,
        });
    }
    let skipped = who(&|a| a.rating == Rating::Skipped);
    if !skipped.is_empty() {
        flags.push(Flag::Skipped { raters: skipped });
    }
    let not_applicable = who(&|a| a.rating == Rating::NotApplicable);
    if !not_applicable.is_empty() && spread.is_some() {
        flags.push(Flag::ApplicabilityDiffers {
            raters: not_applicable,
        });
    }
    flags
}

/// Alpha over some capabilities: each capability a unit, each rater's level a value.
fn alpha_of<'a>(capabilities: impl Iterator<Item = &'a CapabilityRatings>) -> Option<f64> {
    let units: Vec<Vec<usize>> = capabilities
        .map(|c| c.answers.iter().filter_map(|a| a.rating.rank()).collect())
        .collect();
    ordinal_alpha(&units)
}
