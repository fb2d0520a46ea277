//! The capability toolkit: levels, domains (stages and enablers), capabilities with a
//! descriptor per level, optional individual competencies, and the scoring configuration.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::{Documents, FrameworkKind, SourceRef, Status};

/// A capability toolkit (framework kind `capability`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapabilityToolkit {
    /// Always `capability`.
    pub kind: FrameworkKind,
    /// Identifier, kebab-case.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Version.
    #[schemars(with = "String")]
    pub version: Spanned<String>,
    /// Human title.
    pub title: String,
    /// Citation of the publication it is drawn from.
    pub source: String,
    /// How authoritative it is.
    pub status: Status,
    /// What the toolkit is for.
    #[serde(default)]
    pub description: String,
    /// Which parts are the authors' drafting rather than the source's words.
    #[serde(default)]
    pub drafting_note: String,
    /// Documents cited by `source` tables, by key.
    #[serde(default)]
    pub documents: Documents,
    /// The levels, lowest first. Level k scores k.
    pub levels: Vec<Level>,
    /// How scores are aggregated and banded.
    #[serde(default)]
    pub scoring: ScoringConfig,
    /// The domains: stages of commissioning and enablers.
    pub domains: Vec<Domain>,
    /// Cross-check of a list of enablers against the domains that cover them.
    #[serde(default)]
    pub enabler_crosswalk: Vec<EnablerCrosswalk>,
    /// How a development plan is drawn up from an assessment: the priority rule and the
    /// development programme's strands.
    #[serde(default)]
    pub planning: PlanningConfig,
}

/// One level of capability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Level {
    /// Identifier used in responses, kebab-case (for example `starting-out`).
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Display name (for example `Starting out`).
    pub name: String,
    /// What the level means in general.
    #[serde(default)]
    pub description: String,
    /// True when the level's name is the toolkit authors' choice rather than the source's.
    #[serde(default)]
    pub drafted: bool,
    /// Where the level comes from, if the source names it.
    #[serde(default)]
    pub source: Option<SourceRef>,
}

/// A way of combining several scores into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Aggregation {
    /// Arithmetic mean, ignoring weights.
    Mean,
    /// Mean weighted by each item's weight.
    #[default]
    WeightedMean,
    /// Median (mean of the middle two for an even count), ignoring weights.
    Median,
    /// The lowest score: a chain is as strong as its weakest link.
    Min,
}

impl Aggregation {
    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Aggregation::Mean => "mean",
            Aggregation::WeightedMean => "weighted-mean",
            Aggregation::Median => "median",
            Aggregation::Min => "min",
        }
    }
}

/// The `[scoring]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoringConfig {
    /// How a domain's capability scores combine (default `weighted-mean`).
    #[serde(default)]
    pub domain_aggregation: Aggregation,
    /// How domain scores combine into the overall score (default `weighted-mean`).
    #[serde(default)]
    pub overall_aggregation: Aggregation,
    /// Score-to-level bands: a score is at the highest level whose `min_score` it reaches.
    /// Default: each level from its own rank (Starting out from 1, the next from 2, ...).
    #[serde(default)]
    pub bands: Vec<Band>,
}

impl Default for ScoringConfig {
    fn default() -> Self {
        ScoringConfig {
            domain_aggregation: Aggregation::WeightedMean,
            overall_aggregation: Aggregation::WeightedMean,
            bands: Vec::new(),
        }
    }
}

/// One band of the score-to-level banding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// The level id.
    #[schemars(with = "String")]
    pub level: Spanned<String>,
    /// The lowest score at this level.
    #[schemars(with = "f64")]
    pub min_score: Spanned<f64>,
}

/// Whether a domain is a stage of commissioning or an enabler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DomainKind {
    /// One of the stages of the commissioning cycle.
    Stage,
    /// An enabler of effective commissioning.
    Enabler,
}

impl DomainKind {
    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            DomainKind::Stage => "stage",
            DomainKind::Enabler => "enabler",
        }
    }
}

/// A domain: a stage or an enabler, with its capabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// Identifier, kebab-case.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Section of the source (for example `3.1`).
    pub section: String,
    /// Stage or enabler.
    pub kind: DomainKind,
    /// Human title.
    pub title: String,
    /// What the source asks, in a sentence or two.
    #[serde(default)]
    pub summary: String,
    /// Where it comes from.
    pub source: SourceRef,
    /// Weight in the overall score (default 1).
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub weight: Option<Spanned<f64>>,
    /// The capabilities assessed in this domain.
    pub capabilities: Vec<Capability>,
    /// The development programme strands that develop this domain and the round milestones
    /// it bears on, each link with its source.
    #[serde(default)]
    pub support: Vec<SupportLink>,
}

impl Domain {
    /// The domain's weight (1 when not set).
    pub fn weight(&self) -> f64 {
        self.weight.as_ref().map(|w| *w.get_ref()).unwrap_or(1.0)
    }
}

/// One capability, with a descriptor for every level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capability {
    /// Identifier, kebab-case, unique in the toolkit.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Human title.
    pub title: String,
    /// What the capability is.
    #[serde(default)]
    pub summary: String,
    /// Where it comes from.
    pub source: SourceRef,
    /// Weight within its domain (default 1).
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub weight: Option<Spanned<f64>>,
    /// What each level looks like for an organisation, by level id.
    #[schemars(with = "BTreeMap<String, String>")]
    pub descriptors: BTreeMap<Spanned<String>, String>,
    /// The matching competency of an individual commissioner, where the source speaks of one.
    #[serde(default)]
    pub individual: Option<IndividualCompetency>,
    /// Theory-of-change node ids or KPI ids (`kpi:<id>`) this capability is meant to move.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub moves: Vec<Spanned<String>>,
    /// Strands and milestones for this capability beyond its domain's (see [`SupportLink`]).
    #[serde(default)]
    pub support: Vec<SupportLink>,
}

impl Capability {
    /// The capability's weight (1 when not set).
    pub fn weight(&self) -> f64 {
        self.weight.as_ref().map(|w| *w.get_ref()).unwrap_or(1.0)
    }

    /// The organisational descriptor of a level.
    pub fn descriptor(&self, level_id: &str) -> Option<&str> {
        self.descriptors.get(level_id).map(String::as_str)
    }
}

/// A link from a domain or capability to the development programme strands that develop it
/// and the round milestones it bears on, with the passage that justifies it.
///
/// A capability is developed by the strands its own links name or, when they name none, by
/// its domain's; the milestones at stake are those of its own links, its domain's links and
/// the round's milestones that name the capability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SupportLink {
    /// Strand ids of `[[planning.strands]]`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub strands: Vec<Spanned<String>>,
    /// Milestone ids of the rounds that use this toolkit.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub milestones: Vec<Spanned<String>>,
    /// Where the link comes from.
    pub source: SourceRef,
}

/// One key of the priority rule. Capabilities are compared key by key; a later key only
/// breaks ties of the earlier ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PriorityKey {
    /// Larger gap to target times weight first.
    WeightedGap,
    /// Larger gap to target (in levels) first.
    Gap,
    /// Earliest due date of the milestones at stake first; none last.
    MilestoneDue,
    /// More milestones at stake missed or at risk first.
    MilestonesAtRisk,
    /// More milestones at stake not yet met first.
    MilestonesOpen,
    /// Ratings not marked "validate before investing" first: of two gaps otherwise equal, the
    /// one the response stands behind is the surer investment.
    Confirmed,
    /// Earliest target date first; none last.
    TargetDate,
    /// Lower current level first.
    CurrentLevel,
    /// Larger weight first.
    Weight,
}

impl PriorityKey {
    /// The key as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            PriorityKey::WeightedGap => "weighted-gap",
            PriorityKey::Gap => "gap",
            PriorityKey::MilestoneDue => "milestone-due",
            PriorityKey::MilestonesAtRisk => "milestones-at-risk",
            PriorityKey::MilestonesOpen => "milestones-open",
            PriorityKey::Confirmed => "confirmed",
            PriorityKey::TargetDate => "target-date",
            PriorityKey::CurrentLevel => "current-level",
            PriorityKey::Weight => "weight",
        }
    }

    /// The key in a few words, for a caption ("gap × weight").
    pub fn label(self) -> &'static str {
        match self {
            PriorityKey::WeightedGap => "gap × weight",
            PriorityKey::Gap => "gap",
            PriorityKey::MilestoneDue => "milestones due sooner",
            PriorityKey::MilestonesAtRisk => "milestones at risk",
            PriorityKey::MilestonesOpen => "milestones still open",
            PriorityKey::TargetDate => "target date",
            PriorityKey::CurrentLevel => "lower level",
            PriorityKey::Confirmed => "ratings not to validate",
            PriorityKey::Weight => "weight",
        }
    }

    /// The key in words, for the rule statement.
    pub fn describe(self) -> &'static str {
        match self {
            PriorityKey::WeightedGap => "larger gap to target × weight first",
            PriorityKey::Gap => "larger gap to target (levels) first",
            PriorityKey::MilestoneDue => {
                "milestones at stake due sooner first (none at stake last)"
            }
            PriorityKey::MilestonesAtRisk => "more milestones at stake missed or at risk first",
            PriorityKey::MilestonesOpen => "more milestones at stake not yet met first",
            PriorityKey::Confirmed => "ratings not marked to validate before investing first",
            PriorityKey::TargetDate => "target date sooner first (none set last)",
            PriorityKey::CurrentLevel => "lower current level first",
            PriorityKey::Weight => "larger weight first",
        }
    }
}

/// Which weight multiplies a capability's gap to target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PriorityWeight {
    /// The capability's weight times its domain's (both default 1).
    #[default]
    CapabilityTimesDomain,
    /// The capability's weight within its domain.
    Capability,
    /// The domain's weight.
    Domain,
    /// No weight (every capability weighs 1).
    None,
}

impl PriorityWeight {
    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            PriorityWeight::CapabilityTimesDomain => "capability-times-domain",
            PriorityWeight::Capability => "capability",
            PriorityWeight::Domain => "domain",
            PriorityWeight::None => "none",
        }
    }

    /// The weight in words.
    pub fn describe(self) -> &'static str {
        match self {
            PriorityWeight::CapabilityTimesDomain => {
                "the capability's weight times its domain's weight (each 1 unless set)"
            }
            PriorityWeight::Capability => "the capability's weight (1 unless set)",
            PriorityWeight::Domain => "its domain's weight (1 unless set)",
            PriorityWeight::None => "1 for every capability (weights not used)",
        }
    }
}

/// A strand of the development programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Strand {
    /// Identifier, kebab-case.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Human title.
    pub title: String,
    /// What the strand offers.
    #[serde(default)]
    pub description: String,
    /// Where it comes from.
    pub source: SourceRef,
}

/// The `[planning]` table: how `sct plan` ranks priorities, and the programme's strands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanningConfig {
    /// The priority rule: keys in order (default `["weighted-gap", "milestone-due"]`).
    #[serde(default = "default_order")]
    pub order: Vec<PriorityKey>,
    /// The weight that multiplies the gap (default `capability-times-domain`).
    #[serde(default)]
    pub weight: PriorityWeight,
    /// Confidences at which a rating is marked "validate before investing" (default `["low"]`).
    #[serde(default = "default_validate_confidence")]
    #[schemars(with = "Vec<String>")]
    pub validate_confidence: Vec<Spanned<String>>,
    /// Whether a rating without evidence is marked "validate before investing" (default true).
    #[serde(default = "default_true")]
    pub validate_without_evidence: bool,
    /// Where the planning approach comes from, if a source describes it.
    #[serde(default)]
    pub source: Option<SourceRef>,
    /// The development programme's strands.
    #[serde(default)]
    pub strands: Vec<Strand>,
}

fn default_order() -> Vec<PriorityKey> {
    vec![PriorityKey::WeightedGap, PriorityKey::MilestoneDue]
}

fn default_validate_confidence() -> Vec<Spanned<String>> {
    vec![Spanned::new(0..0, "low".to_string())]
}

fn default_true() -> bool {
    true
}

impl Default for PlanningConfig {
    fn default() -> Self {
        PlanningConfig {
            order: default_order(),
            weight: PriorityWeight::default(),
            validate_confidence: default_validate_confidence(),
            validate_without_evidence: true,
            source: None,
            strands: Vec::new(),
        }
    }
}

impl PlanningConfig {
    /// Finds a strand by id.
    pub fn strand(&self, id: &str) -> Option<&Strand> {
        self.strands.iter().find(|s| s.id.get_ref() == id)
    }
}

/// An individual commissioner's competency matching a capability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IndividualCompetency {
    /// Name of the competency.
    pub competency: String,
    /// Where it comes from.
    pub source: SourceRef,
    /// What each level looks like for a person, by level id.
    #[schemars(with = "BTreeMap<String, String>")]
    pub descriptors: BTreeMap<Spanned<String>, String>,
}

impl IndividualCompetency {
    /// The individual descriptor of a level.
    pub fn descriptor(&self, level_id: &str) -> Option<&str> {
        self.descriptors.get(level_id).map(String::as_str)
    }
}

/// One entry of a cross-check: an enabler named in the source and the domains covering it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnablerCrosswalk {
    /// The enabler, paraphrased.
    pub enabler: String,
    /// Where the source lists it.
    pub source: SourceRef,
    /// Domain ids that cover it (at least one).
    #[schemars(with = "Vec<String>")]
    pub domains: Vec<Spanned<String>>,
}

impl CapabilityToolkit {
    /// Level ids in order, lowest first.
    pub fn level_ids(&self) -> impl Iterator<Item = &str> {
        self.levels.iter().map(|l| l.id.get_ref().as_str())
    }

    /// The one-based rank of a level id (the score it earns).
    pub fn level_rank(&self, level_id: &str) -> Option<usize> {
        self.levels
            .iter()
            .position(|l| l.id.get_ref() == level_id)
            .map(|i| i + 1)
    }

    /// The level with a one-based rank.
    pub fn level_by_rank(&self, rank: usize) -> Option<&Level> {
        rank.checked_sub(1).and_then(|i| self.levels.get(i))
    }

    /// Every capability with its domain, in file order.
    pub fn capabilities(&self) -> impl Iterator<Item = (&Domain, &Capability)> {
        self.domains
            .iter()
            .flat_map(|d| d.capabilities.iter().map(move |c| (d, c)))
    }

    /// Finds a capability by id.
    pub fn capability(&self, id: &str) -> Option<(&Domain, &Capability)> {
        self.capabilities().find(|(_, c)| c.id.get_ref() == id)
    }

    /// Resolves a level written by a user: its id (`starting-out`) or its name
    /// (`Starting out`), ignoring case and treating spaces, hyphens and underscores alike.
    pub fn resolve_level(&self, written: &str) -> Option<usize> {
        let key = normalise_level(written);
        self.levels
            .iter()
            .position(|l| normalise_level(l.id.get_ref()) == key || normalise_level(&l.name) == key)
            .map(|i| i + 1)
    }

    /// The levels' names as a workbook's list shows them ("Starting out, Developing"), for
    /// error messages.
    pub fn level_names(&self) -> String {
        self.levels
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The list of valid level ids, for error messages.
    pub fn level_list(&self) -> String {
        self.levels
            .iter()
            .map(|l| l.id.get_ref().as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn normalise_level(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            ' ' | '_' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}
