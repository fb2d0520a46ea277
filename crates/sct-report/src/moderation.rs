//! The consolidated moderation view (`sct moderate`): several raters' responses side by side,
//! as a self-contained HTML page, Markdown and JSON (`sct-moderation/1`). The consolidation
//! is computed by [`sct_core::moderation::consolidate`]; this module only words and lays it
//! out: level names from the toolkit, flags as sentences naming the raters, and Krippendorff's
//! alpha read against his conventional thresholds. The method is in
//! `docs/methods/moderation.md`.

use serde::Serialize;

use sct_core::model::{CapabilityToolkit, RaterSource};
use sct_core::moderation::{CapabilityRatings, Consolidation, Flag, PooledEvidence, RaterAnswer};
use sct_core::provenance::SCT_VERSION;
use sct_core::team::Rating;

use crate::render::{ReportError, Templates};

/// The JSON format's name and version.
pub const SCHEMA: &str = "sct-moderation/1";

/// Krippendorff's threshold for data to be relied on: alpha of at least 0.800
/// (*Content Analysis*, 4th edn, 2019, chapter 12).
pub const RELIABLE: f64 = 0.800;

/// Krippendorff's lowest alpha for tentative conclusions: 0.667 (the same chapter).
pub const TENTATIVE: f64 = 0.667;

/// How an alpha reads against Krippendorff's conventional thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reading {
    /// Alpha of 0.800 or more.
    Reliable,
    /// Alpha from 0.667 to below 0.800.
    Tentative,
    /// Alpha below 0.667.
    Low,
    /// Alpha is undefined.
    NotDefined,
}

impl Reading {
    /// The reading of `alpha`.
    pub fn of(alpha: Option<f64>) -> Reading {
        match alpha {
            None => Reading::NotDefined,
            Some(a) if a >= RELIABLE => Reading::Reliable,
            Some(a) if a >= TENTATIVE => Reading::Tentative,
            Some(_) => Reading::Low,
        }
    }

    /// The reading in plain words, for a reader who has not met alpha before.
    pub fn words(self) -> &'static str {
        match self {
            Reading::Reliable => {
                "reliable: 0.800 or more, the raters agree closely enough to rely on their levels"
            }
            Reading::Tentative => {
                "tentative: from 0.667 to below 0.800, enough agreement for tentative conclusions only, so moderation should test the levels"
            }
            Reading::Low => {
                "low: below 0.667, the raters' levels differ too much to rely on before moderation"
            }
            Reading::NotDefined => "not defined",
        }
    }
}

/// `alpha` read in words: the reading, why alpha is undefined when it is (`why`), and what a
/// negative alpha means.
fn alpha_words(alpha: Option<f64>, why: Option<String>) -> String {
    match (alpha, why) {
        (None, Some(why)) => format!("not defined, because {why}"),
        (Some(a), _) if a < 0.0 => format!(
            "{}; below 0, they disagree more than chance alone would make them",
            Reading::Low.words()
        ),
        (alpha, _) => Reading::of(alpha).words().to_string(),
    }
}

/// One of the toolkit's levels, named so that a reader needs no toolkit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelRef {
    /// One-based rank.
    pub rank: usize,
    /// The level's id.
    pub id: String,
    /// The level's display name.
    pub name: String,
}

/// The level of `rank` in `toolkit`; a rank the toolkit does not have (which a resolved
/// response cannot hold) is named by its number rather than dropped.
pub fn level_ref(toolkit: &CapabilityToolkit, rank: usize) -> LevelRef {
    match rank.checked_sub(1).and_then(|i| toolkit.levels.get(i)) {
        Some(l) => LevelRef {
            rank,
            id: l.id.get_ref().clone(),
            name: l.name.clone(),
        },
        None => LevelRef {
            rank,
            id: rank.to_string(),
            name: format!("level {rank}"),
        },
    }
}

/// Alpha to three decimals, as Krippendorff reports it.
fn fmt_alpha(alpha: f64) -> String {
    crate::render::format_number(alpha, 3)
}

/// Why alpha is undefined over `capabilities` (`None` when it is defined): no capability
/// was given a level by two raters, or every level paired is the same one. These are the
/// two cases in which [`sct_core::agreement::ordinal_alpha`] returns `None`.
pub fn undefined_why<'a>(
    toolkit: &CapabilityToolkit,
    alpha: Option<f64>,
    capabilities: impl Iterator<Item = &'a CapabilityRatings>,
) -> Option<String> {
    if alpha.is_some() {
        return None;
    }
    let mut paired: Vec<usize> = capabilities
        .map(|c| c.answers.iter().filter_map(|a| a.rating.rank()).collect())
        .filter(|ranks: &Vec<usize>| ranks.len() >= 2)
        .flatten()
        .collect();
    paired.sort_unstable();
    paired.dedup();
    Some(match paired.as_slice() {
        [only] => format!(
            "every rater who gave levels gave {}: they agree, but with no variation alpha cannot tell agreement from chance",
            level_ref(toolkit, *only).name
        ),
        _ => "no capability was given a level by two or more raters, so there is no pair of levels to compare".to_string(),
    })
}

/// The names of the raters at `indices`, joined.
fn names(raters: &[RaterSource], indices: &[usize]) -> String {
    indices
        .iter()
        .filter_map(|&i| raters.get(i))
        .map(|r| r.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A flag as a sentence naming the raters and, for a disagreement, the levels at each end.
pub fn flag_words(
    toolkit: &CapabilityToolkit,
    raters: &[RaterSource],
    capability: &CapabilityRatings,
    flag: &Flag,
) -> String {
    match flag {
        Flag::Disagreement { spread } => {
            let ranks = || capability.answers.iter().filter_map(|a| a.rating.rank());
            let end = |rank: Option<usize>| {
                let rank = rank.unwrap_or_default();
                let who: Vec<usize> = (0..capability.answers.len())
                    .filter(|&i| capability.answers[i].rating.rank() == Some(rank))
                    .collect();
                format!(
                    "{} ({})",
                    level_ref(toolkit, rank).name,
                    names(raters, &who)
                )
            };
            format!(
                "Disagree by {spread} levels: {} to {}",
                end(ranks().min()),
                end(ranks().max())
            )
        }
        Flag::NoEvidence { raters: who } => {
            format!("Rated without evidence: {}", names(raters, who))
        }
        Flag::Skipped { raters: who } => format!("Skipped: {}", names(raters, who)),
        Flag::ApplicabilityDiffers { raters: who } => format!(
            "Said it does not apply, where others gave a level: {}",
            names(raters, who)
        ),
    }
}

/// An alpha as the page shows it.
#[derive(Serialize)]
struct AlphaRow {
    /// "All capabilities" or the domain's title.
    scope: String,
    /// The domain's id, empty for the whole assessment.
    id: String,
    /// Alpha to three decimals, or "not defined".
    alpha: String,
    /// `reliable`, `tentative`, `low` or `not-defined`.
    reading: Reading,
    /// The reading in words, with why alpha is undefined when it is.
    words: String,
}

fn alpha_row<'a>(
    toolkit: &CapabilityToolkit,
    scope: &str,
    id: &str,
    alpha: Option<f64>,
    capabilities: impl Iterator<Item = &'a CapabilityRatings>,
) -> AlphaRow {
    let reading = Reading::of(alpha);
    let words = alpha_words(alpha, undefined_why(toolkit, alpha, capabilities));
    AlphaRow {
        scope: scope.to_string(),
        id: id.to_string(),
        alpha: alpha.map_or_else(|| "not defined".to_string(), fmt_alpha),
        reading,
        words,
    }
}

/// One rater's answer as a cell.
#[derive(Serialize)]
struct Cell {
    /// `level`, `not-applicable` or `skipped`.
    state: &'static str,
    /// The level's name, "n/a" or "skipped".
    text: String,
    /// "high confidence" and the like, empty when none was given.
    confidence: String,
}

fn cell(toolkit: &CapabilityToolkit, a: &RaterAnswer) -> Cell {
    let (state, text) = match a.rating {
        Rating::Level { rank } => ("level", level_ref(toolkit, rank).name),
        Rating::NotApplicable => ("not-applicable", "n/a".to_string()),
        Rating::Skipped => ("skipped", "skipped".to_string()),
    };
    Cell {
        state,
        text,
        confidence: a
            .confidence
            .map(|c| format!("{} confidence", c.as_str()))
            .unwrap_or_default(),
    }
}

/// One piece of pooled evidence with its citers' names.
#[derive(Serialize)]
struct EvidenceRow<'a> {
    text: &'a str,
    cited_by: String,
}

/// One capability's row.
#[derive(Serialize)]
struct CapabilityRow<'a> {
    id: &'a str,
    title: &'a str,
    cells: Vec<Cell>,
    /// The spread in levels, or a dash.
    spread: String,
    /// The median level's name, or a dash.
    median: String,
    flags: Vec<String>,
    evidence: Vec<EvidenceRow<'a>>,
}

fn capability_row<'a>(
    toolkit: &CapabilityToolkit,
    raters: &[RaterSource],
    c: &'a CapabilityRatings,
) -> CapabilityRow<'a> {
    CapabilityRow {
        id: &c.id,
        title: &c.title,
        cells: c.answers.iter().map(|a| cell(toolkit, a)).collect(),
        spread: c.spread.map_or_else(|| "—".to_string(), |s| s.to_string()),
        median: c
            .median
            .map_or_else(|| "—".to_string(), |m| level_ref(toolkit, m).name),
        flags: c
            .flags
            .iter()
            .map(|f| flag_words(toolkit, raters, c, f))
            .collect(),
        evidence: c
            .evidence
            .iter()
            .map(|e| EvidenceRow {
                text: &e.text,
                cited_by: names(raters, &e.cited_by),
            })
            .collect(),
    }
}

/// A domain's section: its alpha and its capabilities' rows.
#[derive(Serialize)]
struct DomainSection<'a> {
    id: String,
    title: String,
    agreement: AlphaRow,
    capabilities: Vec<CapabilityRow<'a>>,
}

/// A rater as the raters table shows them.
#[derive(Serialize)]
struct RaterRow<'a> {
    name: &'a str,
    role: &'a str,
    file: &'a str,
    /// The first twelve hex digits: enough to tell files apart by eye (the JSON has all 64).
    sha256_short: &'a str,
}

/// A capability named in the summary.
#[derive(Serialize)]
struct Named<'a> {
    id: &'a str,
    title: &'a str,
}

/// How many capabilities carry each kind of flag, and which disagree.
#[derive(Serialize)]
struct Summary<'a> {
    capabilities: usize,
    disagreement: Vec<Named<'a>>,
    no_evidence: usize,
    skipped: usize,
    applicability_differs: usize,
    /// Capabilities with no flag at all.
    clear: usize,
}

fn summary(c: &Consolidation) -> Summary<'_> {
    let count = |keep: fn(&Flag) -> bool| {
        c.capabilities
            .iter()
            .filter(|cap| cap.flags.iter().any(keep))
            .count()
    };
    Summary {
        capabilities: c.capabilities.len(),
        disagreement: c
            .disagreements()
            .map(|cap| Named {
                id: &cap.id,
                title: &cap.title,
            })
            .collect(),
        no_evidence: count(|f| matches!(f, Flag::NoEvidence { .. })),
        skipped: count(|f| matches!(f, Flag::Skipped { .. })),
        applicability_differs: count(|f| matches!(f, Flag::ApplicabilityDiffers { .. })),
        clear: c
            .capabilities
            .iter()
            .filter(|cap| cap.flags.is_empty())
            .count(),
    }
}

/// Everything the HTML and Markdown templates show, worded once here so both say the same.
#[derive(Serialize)]
struct Page<'a> {
    title: String,
    organisation_name: &'a str,
    ods_code: &'a str,
    round: &'a Option<String>,
    toolkit: String,
    notice: &'a str,
    sct_version: &'static str,
    raters: Vec<RaterRow<'a>>,
    summary: Summary<'a>,
    agreement: AlphaRow,
    domains: Vec<DomainSection<'a>>,
    levels: Vec<LevelRef>,
}

/// The page's title: organisation, code and round (or the toolkit, when no round is named).
fn title(c: &Consolidation) -> String {
    let round = match &c.round {
        Some(r) => format!("round {r}"),
        None => format!("{} {}", c.toolkit_id, c.toolkit_version),
    };
    format!(
        "Moderation: {} ({}), {round}",
        c.organisation_name, c.ods_code
    )
}

fn page<'a>(c: &'a Consolidation, toolkit: &CapabilityToolkit) -> Page<'a> {
    let domains = toolkit
        .domains
        .iter()
        .map(|d| {
            let id = d.id.get_ref();
            let caps = || {
                c.capabilities
                    .iter()
                    .filter(move |cap| &cap.domain_id == id)
            };
            let alpha = c.domains.iter().find(|a| &a.id == id).and_then(|a| a.alpha);
            DomainSection {
                id: id.clone(),
                title: d.title.clone(),
                agreement: alpha_row(toolkit, &d.title, id, alpha, caps()),
                capabilities: caps()
                    .map(|cap| capability_row(toolkit, &c.raters, cap))
                    .collect(),
            }
        })
        .filter(|d| !d.capabilities.is_empty())
        .collect();
    Page {
        title: title(c),
        organisation_name: &c.organisation_name,
        ods_code: &c.ods_code,
        round: &c.round,
        toolkit: format!("{} {}", toolkit.title, c.toolkit_version),
        notice: c.notice.trim(),
        sct_version: SCT_VERSION,
        raters: c
            .raters
            .iter()
            .map(|r| RaterRow {
                name: &r.name,
                role: &r.role,
                file: &r.file,
                sha256_short: r.sha256.get(..12).unwrap_or(&r.sha256),
            })
            .collect(),
        summary: summary(c),
        agreement: alpha_row(
            toolkit,
            "All capabilities",
            "",
            c.agreement,
            c.capabilities.iter(),
        ),
        domains,
        levels: (1..=toolkit.levels.len())
            .map(|r| level_ref(toolkit, r))
            .collect(),
    }
}

/// The consolidation as a self-contained HTML page (no script), every user string escaped.
pub fn html(
    templates: &Templates,
    c: &Consolidation,
    toolkit: &CapabilityToolkit,
) -> Result<String, ReportError> {
    templates.render("moderation.html", &page(c, toolkit), &[])
}

/// The consolidation as GitHub-flavoured Markdown, with the same content as [`html`].
pub fn markdown(
    templates: &Templates,
    c: &Consolidation,
    toolkit: &CapabilityToolkit,
) -> Result<String, ReportError> {
    templates.render("moderation.md", &page(c, toolkit), &[])
}

/// One rater's rating with its level named.
#[derive(Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
enum RatingDoc {
    Level {
        #[serde(flatten)]
        level: LevelRef,
    },
    NotApplicable,
    Skipped,
}

#[derive(Serialize)]
struct AnswerDoc<'a> {
    rater: &'a str,
    rating: RatingDoc,
    confidence: Option<&'static str>,
    evidence: &'a [String],
    target: Option<LevelRef>,
    rationale: &'a str,
}

#[derive(Serialize)]
struct FlagDoc<'a> {
    #[serde(flatten)]
    flag: &'a Flag,
    words: String,
}

#[derive(Serialize)]
struct CapabilityDoc<'a> {
    id: &'a str,
    title: &'a str,
    domain_id: &'a str,
    domain_title: &'a str,
    answers: Vec<AnswerDoc<'a>>,
    spread: Option<usize>,
    median: Option<LevelRef>,
    evidence: &'a [PooledEvidence],
    flags: Vec<FlagDoc<'a>>,
}

#[derive(Serialize)]
struct AlphaDoc<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    id: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    title: &'a str,
    alpha: Option<f64>,
    reading: Reading,
    why_not_defined: Option<String>,
}

/// The JSON document after its `schema` key.
#[derive(Serialize)]
struct Document<'a> {
    sct_version: &'static str,
    organisation_name: &'a str,
    ods_code: &'a str,
    round: &'a Option<String>,
    toolkit_id: &'a str,
    toolkit_version: &'a str,
    notice: &'a str,
    levels: Vec<LevelRef>,
    raters: &'a [RaterSource],
    agreement: AlphaDoc<'a>,
    domains: Vec<AlphaDoc<'a>>,
    capabilities: Vec<CapabilityDoc<'a>>,
}

fn alpha_doc<'a>(
    toolkit: &CapabilityToolkit,
    (id, title): (&'a str, &'a str),
    alpha: Option<f64>,
    capabilities: impl Iterator<Item = &'a CapabilityRatings>,
) -> AlphaDoc<'a> {
    AlphaDoc {
        id,
        title,
        alpha,
        reading: Reading::of(alpha),
        why_not_defined: undefined_why(toolkit, alpha, capabilities),
    }
}

fn capability_doc<'a>(
    toolkit: &CapabilityToolkit,
    raters: &'a [RaterSource],
    c: &'a CapabilityRatings,
) -> CapabilityDoc<'a> {
    let answers = c
        .answers
        .iter()
        .zip(raters)
        .map(|(a, r)| AnswerDoc {
            rater: &r.name,
            rating: match a.rating {
                Rating::Level { rank } => RatingDoc::Level {
                    level: level_ref(toolkit, rank),
                },
                Rating::NotApplicable => RatingDoc::NotApplicable,
                Rating::Skipped => RatingDoc::Skipped,
            },
            confidence: a.confidence.map(|c| c.as_str()),
            evidence: &a.evidence,
            target: a.target.map(|t| level_ref(toolkit, t)),
            rationale: &a.rationale,
        })
        .collect();
    CapabilityDoc {
        id: &c.id,
        title: &c.title,
        domain_id: &c.domain_id,
        domain_title: &c.domain_title,
        answers,
        spread: c.spread,
        median: c.median.map(|m| level_ref(toolkit, m)),
        evidence: &c.evidence,
        flags: c
            .flags
            .iter()
            .map(|f| FlagDoc {
                flag: f,
                words: flag_words(toolkit, raters, c, f),
            })
            .collect(),
    }
}

/// The consolidation as pretty JSON (schema [`SCHEMA`]), levels given by rank, id and name
/// so that a reader needs no toolkit; raters are referred to by their index in `raters`
/// (in `cited_by` and the flags) and named in each answer.
pub fn json(c: &Consolidation, toolkit: &CapabilityToolkit) -> String {
    let doc = Document {
        sct_version: SCT_VERSION,
        organisation_name: &c.organisation_name,
        ods_code: &c.ods_code,
        round: &c.round,
        toolkit_id: &c.toolkit_id,
        toolkit_version: &c.toolkit_version,
        notice: &c.notice,
        levels: (1..=toolkit.levels.len())
            .map(|r| level_ref(toolkit, r))
            .collect(),
        raters: &c.raters,
        agreement: alpha_doc(toolkit, ("", ""), c.agreement, c.capabilities.iter()),
        domains: c
            .domains
            .iter()
            .map(|d| {
                let caps = c.capabilities.iter().filter(|cap| cap.domain_id == d.id);
                alpha_doc(toolkit, (&d.id, &d.title), d.alpha, caps)
            })
            .collect(),
        capabilities: c
            .capabilities
            .iter()
            .map(|cap| capability_doc(toolkit, &c.raters, cap))
            .collect(),
    };
    crate::json::with_schema(SCHEMA, &doc)
}
