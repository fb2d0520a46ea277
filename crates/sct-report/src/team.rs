//! The team record of a report: where the response is in its life and who signed it off, and
//! how several raters' views were moderated into it (who rated, where they disagreed, what was
//! agreed and why). The board summary shows it in brief; the moderation section in full.

use serde::Serialize;

use sct_core::Assessment;
use sct_core::assessment::AnswerLevel;
use sct_core::model::{CapabilityToolkit, Date, Stage};
use sct_core::team::{Moderation, Rating};

/// How far apart two raters' levels must be for the board to be told they disagreed (the
/// report words it "two levels or more").
pub const WIDE_SPREAD: usize = 2;

/// How many departures from the raters' median the board summary lists by name.
pub const SUMMARY_DEPARTURES: usize = 3;

/// The response's status and sign-off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignOff {
    /// The stage (`draft`, `submitted`, `moderated`, `approved`).
    pub stage: String,
    /// The stage with a capital, for a heading or a table cell.
    pub stage_label: String,
    /// Who moved the response to its stage.
    pub by: String,
    /// When.
    pub on: Option<Date>,
    /// Who approved it, when approved.
    pub approved_by: Option<String>,
    /// When it was approved.
    pub approved_on: Option<Date>,
    /// The minute that records the approval.
    pub minute: Option<String>,
    /// The rater, when the response is one rater's view ("name (role)").
    pub rater: Option<String>,
}

/// One capability's moderation, for the table and the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModeratedLine {
    /// Capability id.
    pub id: String,
    /// Capability title.
    pub title: String,
    /// Each rater's level name, `n/a`, or `—` for skipped, in the raters' order.
    pub ratings: Vec<String>,
    /// The raters' median level name, if anyone gave a level.
    pub median: Option<String>,
    /// The agreed level name (`n/a` or `—` when not a level).
    pub agreed: String,
    /// Levels between the lowest and the highest rating.
    pub spread: usize,
    /// Whether the raters were [`WIDE_SPREAD`] levels or more apart.
    pub wide: bool,
    /// Whether the agreed level is not the raters' median.
    pub departs: bool,
    /// The moderator's rationale.
    pub rationale: String,
}

/// How the response was agreed from several raters'.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModerationSummary {
    /// The moderator ("name (role)").
    pub moderator: String,
    /// When the moderation agreed the levels.
    pub on: Option<Date>,
    /// The raters ("name (role)"), in the order of every ratings list.
    pub raters: Vec<String>,
    /// The raters' names alone, for table headers.
    pub rater_names: Vec<String>,
    /// Krippendorff's alpha (ordinal) over the raters' levels before moderation, as recorded.
    pub agreement: Option<f64>,
    /// The statistic in words, when recorded.
    pub agreement_words: Option<String>,
    /// How many capabilities were moderated.
    pub moderated: usize,
    /// How many the raters disagreed on by [`WIDE_SPREAD`] levels or more.
    pub wide: usize,
    /// The capabilities agreed at a level other than the raters' median.
    pub departures: Vec<ModeratedLine>,
    /// Every moderated capability, in the toolkit's order.
    pub capabilities: Vec<ModeratedLine>,
    /// The moderation section's opening paragraph: who rated, who moderated, the agreement
    /// statistic and how to read the table.
    pub intro: String,
}

/// One line of the board summary's sign-off block: a bold label and the sentence after it,
/// worded once here for every format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryLine {
    /// The label, shown bold ("Status:", "Moderation:", "Agreement:").
    pub label: String,
    /// The rest of the sentence.
    pub text: String,
}

/// The team record a report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeamSection {
    /// The status and sign-off, when the response has a status or an approval.
    pub sign_off: Option<SignOff>,
    /// The moderation, when the response records one.
    pub moderation: Option<ModerationSummary>,
    /// The board summary block's heading: "Sign-off and moderation", or "Status and sign-off"
    /// for a response not moderated.
    pub heading: String,
    /// The board summary's sign-off and moderation block, in sentences.
    pub summary: Vec<SummaryLine>,
}

/// The team section of a response, when it has a status, an approval, a rater or a moderation.
pub fn section(toolkit: &CapabilityToolkit, assessment: &Assessment) -> Option<TeamSection> {
    let team = &assessment.team;
    let sign_off = (team.status.is_some() || team.approval.is_some() || team.rater.is_some())
        .then(|| sign_off(assessment));
    let moderation = team
        .moderation
        .as_ref()
        .map(|m| moderation(toolkit, assessment, m));
    (sign_off.is_some() || moderation.is_some()).then(|| TeamSection {
        heading: if moderation.is_some() {
            "Sign-off and moderation"
        } else {
            "Status and sign-off"
        }
        .to_string(),
        summary: summary_lines(sign_off.as_ref(), moderation.as_ref()),
        sign_off,
        moderation,
    })
}

fn line(label: impl Into<String>, text: impl Into<String>) -> SummaryLine {
    SummaryLine {
        label: label.into(),
        text: text.into(),
    }
}

/// " by WHO on DATE" as far as they are known.
fn by_on(by: &str, on: Option<Date>) -> String {
    let mut words = String::new();
    if !by.is_empty() {
        words.push_str(&format!(" by {by}"));
    }
    if let Some(on) = on {
        words.push_str(&format!(" on {on}"));
    }
    words
}

/// The board summary's block: the status and who approved it, then the moderation in brief.
fn summary_lines(
    sign_off: Option<&SignOff>,
    moderation: Option<&ModerationSummary>,
) -> Vec<SummaryLine> {
    let mut lines = Vec::new();
    if let Some(s) = sign_off {
        let text = match (&s.approved_by, s.stage.as_str()) {
            (Some(by), "approved") => {
                let minute = s
                    .minute
                    .as_ref()
                    .map(|m| format!(" (minute: {m})"))
                    .unwrap_or_default();
                format!("approved{}{minute}.", by_on(by, s.approved_on))
            }
            (_, "approved") => format!("approved{}.", by_on(&s.by, s.on)),
            (_, stage) => format!("{stage}{}; not yet approved.", by_on(&s.by, s.on)),
        };
        lines.push(line("Status:", text));
        if let Some(rater) = &s.rater {
            lines.push(line(
                "Rater:",
                format!("{rater}, one rater's view for moderation."),
            ));
        }
    }
    if let Some(m) = moderation {
        lines.extend(moderation_lines(m));
    }
    lines
}

/// The moderation in three sentences: who, how far the raters agreed, and where the agreed
/// level is not their median (the first few by name, with the moderator's reason).
fn moderation_lines(m: &ModerationSummary) -> Vec<SummaryLine> {
    let mut lines = vec![line(
        "Moderation:",
        format!(
            "{} moderated {} raters' ratings{}: {}.",
            m.moderator,
            m.raters.len(),
            m.on.map(|d| format!(" on {d}")).unwrap_or_default(),
            m.rater_names.join(", ")
        ),
    )];
    let agreement = match &m.agreement_words {
        Some(words) => format!("before moderation, {words}; "),
        None => String::new(),
    };
    lines.push(line(
        "Agreement:",
        format!(
            "{agreement}the raters were two levels or more apart on {} of {} capabilities.",
            m.wide, m.moderated
        ),
    ));
    // A count only: the page must stay whole; each departure is named with the moderator's
    // reason in the moderation section, and one with no reason is counted here.
    let unexplained = m
        .departures
        .iter()
        .filter(|c| c.rationale.trim().is_empty())
        .count();
    let departures = match (m.departures.len(), unexplained) {
        (0, _) => "none: every agreed level is the raters' median.".to_string(),
        (n, 0) => format!(
            "{n} of {}, each with the moderator's reason in the moderation section.",
            m.moderated
        ),
        (n, k) => format!(
            "{n} of {}, {k} of them with no rationale recorded (see the moderation section).",
            m.moderated
        ),
    };
    lines.push(line("Agreed level not the raters' median:", departures));
    lines
}

fn sign_off(assessment: &Assessment) -> SignOff {
    let team = &assessment.team;
    let stage = team.status.as_ref().map(|s| s.stage);
    let stage_name = stage.map_or("not stated", Stage::as_str);
    let approval = team.approval.as_ref();
    SignOff {
        stage: stage_name.to_string(),
        stage_label: capitalised(stage_name),
        by: team
            .status
            .as_ref()
            .map(|s| s.by.clone())
            .unwrap_or_default(),
        on: team.status.as_ref().and_then(|s| s.on),
        approved_by: approval.map(|a| a.by.clone()).filter(|s| !s.is_empty()),
        approved_on: approval.and_then(|a| a.on),
        minute: approval.map(|a| a.minute.clone()).filter(|s| !s.is_empty()),
        rater: team.rater.as_ref().map(|r| r.label()),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

fn moderation(
    toolkit: &CapabilityToolkit,
    assessment: &Assessment,
    m: &Moderation,
) -> ModerationSummary {
    let level_name = |rank: usize| {
        toolkit
            .level_by_rank(rank)
            .map_or_else(|| rank.to_string(), |l| l.name.clone())
    };
    let capabilities: Vec<ModeratedLine> = toolkit
        .capabilities()
        .filter_map(|(_, cap)| {
            let id = cap.id.get_ref();
            let moderated = m.capabilities.get(id)?;
            let ranks: Vec<usize> = moderated.ratings.iter().filter_map(|r| r.rank()).collect();
            let spread = match (ranks.iter().min(), ranks.iter().max()) {
                (Some(lo), Some(hi)) => hi - lo,
                _ => 0,
            };
            let agreed = assessment.answers.get(id).map(|a| &a.level);
            let agreed_rank = match agreed {
                Some(AnswerLevel::Level { rank }) => Some(*rank),
                _ => None,
            };
            Some(ModeratedLine {
                id: id.clone(),
                title: cap.title.clone(),
                ratings: moderated
                    .ratings
                    .iter()
                    .map(|r| match r {
                        Rating::Level { rank } => level_name(*rank),
                        Rating::NotApplicable => "n/a".to_string(),
                        Rating::Skipped => "—".to_string(),
                    })
                    .collect(),
                median: moderated.median.map(level_name),
                agreed: match agreed {
                    Some(AnswerLevel::Level { rank }) => level_name(*rank),
                    Some(AnswerLevel::NotApplicable { .. }) => "n/a".to_string(),
                    _ => "—".to_string(),
                },
                spread,
                wide: spread >= WIDE_SPREAD,
                departs: agreed_rank.is_some()
                    && moderated.median.is_some()
                    && agreed_rank != moderated.median,
                rationale: moderated.rationale.clone(),
            })
        })
        .collect();
    let mut summary = ModerationSummary {
        intro: String::new(),
        moderator: m.moderator.label(),
        on: m.on,
        raters: m.raters.iter().map(|r| r.label()).collect(),
        rater_names: m.raters.iter().map(|r| r.name.clone()).collect(),
        agreement: m.agreement,
        agreement_words: m
            .agreement
            .map(|a| format!("Krippendorff's alpha (ordinal) {a:.2}")),
        moderated: capabilities.len(),
        wide: capabilities.iter().filter(|c| c.wide).count(),
        departures: capabilities.iter().filter(|c| c.departs).cloned().collect(),
        capabilities,
    };
    summary.intro = intro(&summary);
    summary
}

/// The moderation section's opening paragraph.
fn intro(m: &ModerationSummary) -> String {
    let agreement = match &m.agreement_words {
        Some(words) => format!(
            " Agreement between the raters before moderation: {words}, where 1 is full agreement and 0 no more than chance would give (Krippendorff, Content Analysis: An Introduction to Its Methodology, 4th edition, 2019)."
        ),
        None => String::new(),
    };
    format!(
        "{} raters rated the capabilities separately: {}. {} moderated their ratings{} and agreed each capability's level.{agreement} ⚑ marks a capability the raters were two levels or more apart on; the agreed level is bold where it is not the raters' median.",
        m.raters.len(),
        m.raters.join("; "),
        m.moderator,
        m.on.map(|d| format!(" on {d}")).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_reads_with_a_capital() {
        assert_eq!(capitalised("approved"), "Approved");
        assert_eq!(capitalised(""), "");
    }
}
