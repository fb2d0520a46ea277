//! What changed between two responses: per capability, the level, confidence, evidence
//! (items added and removed), target level and date, and whether the later answer was only
//! carried over from the earlier one. The two responses may be of different rounds, and of
//! different organisations where the successions table makes the earlier one a predecessor
//! of the later (the 2026 ICB mergers); two unrelated organisations are refused.
//!
//! Capabilities are matched by id, so a toolkit that gained or lost capabilities between the
//! two responses shows them as new or gone. Levels are compared by their place on the scale
//! (their rank), which needs both toolkits to have the same levels in the same order.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::assessment::{Answer, AnswerLevel, Assessment};
use crate::model::organisation::Share;
use crate::model::{CapabilityToolkit, Date, Organisations, ResponseType};
use crate::plan::relation;

/// The method of a diff, in words, repeated in every output.
pub const METHOD: &str = "Capabilities are matched by id. A level moved up or down by the number of places it moved on the toolkit's scale; newly answered means the later response gives a level where the earlier gave none (blank, n/a, or the capability was not in its toolkit). Evidence items are compared as written (trimmed): an item in only one response is added or removed. An answer still marked carried_over in the later response is carried over, to review, when its content is the earlier answer's; if its content differs it counts as changed, and the mark should be removed.";

/// One of the two responses compared.
#[derive(Debug, Clone, Copy)]
pub struct DiffSide<'a> {
    /// The resolved response.
    pub assessment: &'a Assessment,
    /// The toolkit it was assessed against.
    pub toolkit: &'a CapabilityToolkit,
}

/// A response as the diff names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRef {
    /// The file, as named.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The organisation's name.
    pub organisation: String,
    /// Its ODS code.
    pub ods_code: String,
    /// The round, if any.
    pub round: Option<String>,
    /// When it was assessed.
    pub assessed: Option<Date>,
    /// The toolkit id.
    pub toolkit: String,
    /// The toolkit version.
    pub toolkit_version: String,
}

impl ResponseRef {
    fn of(a: &Assessment) -> ResponseRef {
        ResponseRef {
            file: a.source_name.clone(),
            sha256: a.source_sha256.clone(),
            organisation: a.organisation_name.clone(),
            ods_code: a.ods_code.clone(),
            round: a.round.clone(),
            assessed: a.assessed,
            toolkit: a.toolkit_id.clone(),
            toolkit_version: a.toolkit_version.clone(),
        }
    }

    /// The file, as errors name a response (with its code beside it).
    fn named(&self) -> String {
        self.file.clone()
    }
}

/// How the two responses' organisations relate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Relation {
    /// Whether the earlier organisation is a predecessor of the later (not the same one).
    pub predecessor: bool,
    /// Whether only part of the predecessor passed to the successor, so the comparison is
    /// indicative.
    pub indicative: bool,
    /// The relation in words.
    pub words: String,
}

/// Whether a capability is in both toolkits or only one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presence {
    /// In both toolkits.
    Both,
    /// Only in the later response's toolkit.
    New,
    /// Only in the earlier response's toolkit.
    Gone,
}

/// How a capability's level moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LevelMove {
    /// Up the scale.
    Up,
    /// Down the scale.
    Down,
    /// The same level.
    Same,
    /// A level now, none before.
    NewlyAnswered,
    /// A level before, none now.
    NoLongerRated,
    /// No level in either.
    NotRated,
}

impl LevelMove {
    /// The move in words.
    pub fn words(self) -> &'static str {
        match self {
            LevelMove::Up => "up",
            LevelMove::Down => "down",
            LevelMove::Same => "unchanged",
            LevelMove::NewlyAnswered => "newly answered",
            LevelMove::NoLongerRated => "no longer rated",
            LevelMove::NotRated => "not rated",
        }
    }
}

/// One side of a capability's answer, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerView {
    /// `answered`, `n/a` or `unanswered`.
    pub state: &'static str,
    /// The level's name, when answered.
    pub level_name: Option<String>,
    /// The level's rank, when answered.
    pub rank: Option<usize>,
    /// Confidence, if given.
    pub confidence: Option<String>,
    /// How many evidence items.
    pub evidence: usize,
    /// The target level's name, if given.
    pub target_level_name: Option<String>,
    /// The target date, if given.
    pub target_date: Option<Date>,
    /// Marked carried over.
    pub carried_over: bool,
}

/// A value before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change<T> {
    /// Before (none when not given).
    pub from: Option<T>,
    /// After.
    pub to: Option<T>,
}

/// What happened to one capability.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityDiff {
    /// Capability id.
    pub id: String,
    /// Title (the later toolkit's, where it has the capability).
    pub title: String,
    /// Domain section and title.
    pub domain: String,
    /// In both toolkits, new or gone.
    pub presence: Presence,
    /// The earlier answer (none when the capability was not in its toolkit).
    pub old: Option<AnswerView>,
    /// The later answer.
    pub new: Option<AnswerView>,
    /// How the level moved.
    pub level: LevelMove,
    /// Places moved on the scale (later − earlier), when both have a level.
    pub steps: Option<i64>,
    /// The confidence, when it changed.
    pub confidence: Option<Change<String>>,
    /// Evidence items in the later answer only.
    pub evidence_added: Vec<String>,
    /// Evidence items in the earlier answer only.
    pub evidence_removed: Vec<String>,
    /// The target level's name, when it changed.
    pub target_level: Option<Change<String>>,
    /// The target date, when it changed.
    pub target_date: Option<Change<Date>>,
    /// Whether the rationale (or n/a reason) changed.
    pub rationale_changed: bool,
    /// Whether anything in the answer changed.
    pub changed: bool,
    /// Whether the later answer is marked carried over.
    pub carried_over: bool,
    /// Marked carried over although its content differs from the earlier answer.
    pub carried_over_but_changed: bool,
}

/// The counts of a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct DiffSummary {
    /// Capabilities compared (in both toolkits).
    pub compared: usize,
    /// Levels up.
    pub up: usize,
    /// Levels down.
    pub down: usize,
    /// Levels unchanged (rated the same in both).
    pub unchanged: usize,
    /// Rated now, not before.
    pub newly_answered: usize,
    /// Rated before, not now.
    pub no_longer_rated: usize,
    /// Answers with any change (level, confidence, evidence, target, rationale).
    pub changed: usize,
    /// Answers still marked carried over with the earlier content: to review.
    pub carried_over: usize,
    /// Answers marked carried over whose content changed.
    pub carried_over_but_changed: usize,
    /// Capabilities only in the later toolkit.
    pub new_capabilities: usize,
    /// Capabilities only in the earlier toolkit.
    pub gone_capabilities: usize,
}

/// What changed between two responses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseDiff {
    /// The earlier response.
    pub old: ResponseRef,
    /// The later response.
    pub new: ResponseRef,
    /// How their organisations relate.
    pub relation: Relation,
    /// Every capability of either toolkit: the later toolkit's order, then those gone.
    pub capabilities: Vec<CapabilityDiff>,
    /// The counts.
    pub summary: DiffSummary,
    /// Things a reader should know (answers marked carried over that changed, dates).
    pub notes: Vec<String>,
    /// The method in words.
    pub method: &'static str,
}

/// Why two responses cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// Neither the same organisation nor a predecessor of the later one.
    #[error(
        "{old} is a response of {old_code} and {new} of {new_code}: not the same organisation, and the successions table does not make {old_code} a predecessor of {new_code}"
    )]
    Unrelated {
        /// The earlier response, named.
        old: String,
        /// Its ODS code.
        old_code: String,
        /// The later response, named.
        new: String,
        /// Its ODS code.
        new_code: String,
    },
    /// The earlier response is of the later one's successor: the files are the wrong way round.
    #[error(
        "{old} is a response of {old_code}, a successor of {new_code} (whose response {new} is): the responses are the wrong way round"
    )]
    Reversed {
        /// The earlier response, named.
        old: String,
        /// Its ODS code.
        old_code: String,
        /// The later response, named.
        new: String,
        /// Its ODS code.
        new_code: String,
    },
    /// One is an organisation's response and the other an individual's self-assessment.
    #[error("{old} is an {old_type} response and {new} an {new_type} one")]
    MixedTypes {
        /// The earlier response, named.
        old: String,
        /// Its type.
        old_type: &'static str,
        /// The later response, named.
        new: String,
        /// Its type.
        new_type: &'static str,
    },
    /// The toolkits' level scales differ, so levels cannot be compared by place.
    #[error("{old} uses the levels {old_levels} and {new} the levels {new_levels}")]
    Scales {
        /// The earlier response, named.
        old: String,
        /// Its levels' ids.
        old_levels: String,
        /// The later response, named.
        new: String,
        /// Its levels' ids.
        new_levels: String,
    },
}

impl DiffError {
    /// What would do instead, in words.
    pub fn expected(&self) -> &'static str {
        match self {
            DiffError::Unrelated { .. } => {
                "two responses of one organisation, or a predecessor's response and then its successor's"
            }
            DiffError::Reversed { .. } => {
                "the earlier (predecessor's) response first, then the later"
            }
            DiffError::MixedTypes { .. } => "two responses of the same type",
            DiffError::Scales { .. } => {
                "toolkits with the same levels, so that a level can be compared with a level"
            }
        }
    }

    /// The error as a diagnostic: what is wrong and what would do.
    pub fn diagnostic(&self) -> crate::Diagnostic {
        crate::Diagnostic::error(self.to_string()).expected(self.expected())
    }
}

/// Compares two responses: `old` the earlier, `new` the later.
pub fn diff(
    old: DiffSide<'_>,
    new: DiffSide<'_>,
    orgs: &Organisations,
) -> Result<ResponseDiff, DiffError> {
    let (old_ref, new_ref) = (
        ResponseRef::of(old.assessment),
        ResponseRef::of(new.assessment),
    );
    let relation = check(old, new, &old_ref, &new_ref, orgs)?;
    let mut capabilities = Vec::new();
    let mut seen = BTreeSet::new();
    for (domain, cap) in new.toolkit.capabilities() {
        let id = cap.id.get_ref();
        seen.insert(id.as_str());
        let in_old = old.toolkit.capability(id).is_some();
        capabilities.push(capability(
            id,
            &cap.title,
            format!("{} {}", domain.section, domain.title),
            in_old.then(|| (old.toolkit, old.assessment.answers.get(id))),
            Some((new.toolkit, new.assessment.answers.get(id))),
        ));
    }
    for (domain, cap) in old.toolkit.capabilities() {
        let id = cap.id.get_ref();
        if !seen.contains(id.as_str()) {
            capabilities.push(capability(
                id,
                &cap.title,
                format!("{} {}", domain.section, domain.title),
                Some((old.toolkit, old.assessment.answers.get(id))),
                None,
            ));
        }
    }
    let summary = summarise(&capabilities);
    let notes = notes(&old_ref, &new_ref, &capabilities);
    Ok(ResponseDiff {
        old: old_ref,
        new: new_ref,
        relation,
        capabilities,
        summary,
        notes,
        method: METHOD,
    })
}

/// The two responses must be of one type, on one scale, and of one organisation or a
/// predecessor and its successor (in that order).
fn check(
    old: DiffSide<'_>,
    new: DiffSide<'_>,
    old_ref: &ResponseRef,
    new_ref: &ResponseRef,
    orgs: &Organisations,
) -> Result<Relation, DiffError> {
    let (o, n) = (old.assessment, new.assessment);
    if o.response_type != n.response_type {
        return Err(DiffError::MixedTypes {
            old: old_ref.named(),
            old_type: type_words(o.response_type),
            new: new_ref.named(),
            new_type: type_words(n.response_type),
        });
    }
    let scale = |t: &CapabilityToolkit| t.level_ids().collect::<Vec<_>>().join(", ");
    if scale(old.toolkit) != scale(new.toolkit) {
        return Err(DiffError::Scales {
            old: old_ref.named(),
            old_levels: scale(old.toolkit),
            new: new_ref.named(),
            new_levels: scale(new.toolkit),
        });
    }
    if let Some((predecessor, words)) = relation(orgs, &o.ods_code, &n.ods_code) {
        return Ok(Relation {
            predecessor,
            indicative: predecessor && only_part(orgs, &o.ods_code, &n.ods_code),
            words,
        });
    }
    let codes = (o.ods_code.clone(), n.ods_code.clone());
    if relation(orgs, &n.ods_code, &o.ods_code).is_some() {
        return Err(DiffError::Reversed {
            old: old_ref.named(),
            old_code: codes.0,
            new: new_ref.named(),
            new_code: codes.1,
        });
    }
    Err(DiffError::Unrelated {
        old: old_ref.named(),
        old_code: codes.0,
        new: new_ref.named(),
        new_code: codes.1,
    })
}

/// Whether every way from `previous` to `current` in the successions table passes through a
/// part share (so the successor serves a different population from the predecessor).
fn only_part(orgs: &Organisations, previous: &str, current: &str) -> bool {
    // Walk back from the current organisation, carrying whether the path had a part share.
    let mut frontier = vec![(current.to_ascii_uppercase(), false)];
    let mut whole_path = false;
    let mut seen = BTreeSet::new();
    while let Some((code, part)) = frontier.pop() {
        if !seen.insert((code.clone(), part)) {
            continue;
        }
        for s in orgs
            .successions
            .iter()
            .filter(|s| s.successor.eq_ignore_ascii_case(&code))
        {
            let part = part || s.share == Share::Part;
            if s.predecessor.eq_ignore_ascii_case(previous) {
                whole_path |= !part;
            } else {
                frontier.push((s.predecessor.to_ascii_uppercase(), part));
            }
        }
    }
    !whole_path
}

fn type_words(t: ResponseType) -> &'static str {
    match t {
        ResponseType::Organisation => "organisation",
        ResponseType::Individual => "individual",
    }
}

/// The answer of a capability the response does not mention.
static UNANSWERED: Answer = Answer {
    level: AnswerLevel::Unanswered,
    confidence: None,
    evidence: Vec::new(),
    target: None,
    target_date: None,
    rationale: String::new(),
    carried_over: false,
};

/// One side of a capability: its toolkit and its answer (none when not answered at all).
type Side<'a> = Option<(&'a CapabilityToolkit, Option<&'a Answer>)>;

/// One capability compared.
fn capability<'a>(
    id: &str,
    title: &str,
    domain: String,
    old: Side<'a>,
    new: Side<'a>,
) -> CapabilityDiff {
    let answer = |s: Side<'a>| s.map(|(t, a)| (t, a.unwrap_or(&UNANSWERED)));
    let (o, n) = (answer(old), answer(new));
    let presence = match (o.is_some(), n.is_some()) {
        (true, true) => Presence::Both,
        (false, _) => Presence::New,
        (true, false) => Presence::Gone,
    };
    let (old_rank, new_rank) = (o.and_then(|(_, a)| a.rank()), n.and_then(|(_, a)| a.rank()));
    let (level, steps) = level_move(old_rank, new_rank);
    let level_name = |s: Option<(&CapabilityToolkit, &Answer)>,
                      rank: fn(&Answer) -> Option<usize>| {
        s.and_then(|(t, a)| {
            rank(a)
                .and_then(|r| t.level_by_rank(r))
                .map(|l| l.name.clone())
        })
    };
    let target = |a: &Answer| a.target;
    let confidence = changed(
        o.and_then(|(_, a)| a.confidence)
            .map(|c| c.as_str().to_string()),
        n.and_then(|(_, a)| a.confidence)
            .map(|c| c.as_str().to_string()),
    );
    let target_level = changed(level_name(o, target), level_name(n, target));
    let target_date = changed(
        o.and_then(|(_, a)| a.target_date),
        n.and_then(|(_, a)| a.target_date),
    );
    let items = |s: Option<(&CapabilityToolkit, &Answer)>| -> BTreeSet<String> {
        s.map(|(_, a)| a.evidence.iter().map(|e| e.trim().to_string()).collect())
            .unwrap_or_default()
    };
    let (old_items, new_items) = (items(o), items(n));
    let in_order = |a: Option<(&CapabilityToolkit, &Answer)>, not_in: &BTreeSet<String>| {
        let mut out: Vec<String> = Vec::new();
        for e in a.map(|(_, a)| a.evidence.as_slice()).unwrap_or_default() {
            let e = e.trim().to_string();
            if !not_in.contains(&e) && !out.contains(&e) {
                out.push(e);
            }
        }
        out
    };
    let evidence_added = in_order(n, &old_items);
    let evidence_removed = in_order(o, &new_items);
    let words = |s: Option<(&CapabilityToolkit, &Answer)>| {
        s.map(|(_, a)| (a.rationale.trim().to_string(), na_reason(a)))
    };
    let rationale_changed = presence == Presence::Both && words(o) != words(n);
    let state_changed = o.map(|(_, a)| state(a)) != n.map(|(_, a)| state(a));
    let changed = presence == Presence::Both
        && (state_changed
            || old_rank != new_rank
            || confidence.is_some()
            || !evidence_added.is_empty()
            || !evidence_removed.is_empty()
            || target_level.is_some()
            || target_date.is_some()
            || rationale_changed);
    let carried_over = n.is_some_and(|(_, a)| a.carried_over);
    CapabilityDiff {
        id: id.to_string(),
        title: title.to_string(),
        domain,
        presence,
        old: o.map(|(t, a)| view(t, a)),
        new: n.map(|(t, a)| view(t, a)),
        level,
        steps,
        confidence,
        evidence_added,
        evidence_removed,
        target_level,
        target_date,
        rationale_changed,
        changed,
        carried_over,
        carried_over_but_changed: carried_over && changed,
    }
}

/// How a level moved between two ranks (either may be missing), with the places moved.
pub fn level_move(old: Option<usize>, new: Option<usize>) -> (LevelMove, Option<i64>) {
    match (old, new) {
        (Some(o), Some(n)) => {
            let steps = n as i64 - o as i64;
            let m = match steps.signum() {
                1 => LevelMove::Up,
                -1 => LevelMove::Down,
                _ => LevelMove::Same,
            };
            (m, Some(steps))
        }
        (None, Some(_)) => (LevelMove::NewlyAnswered, None),
        (Some(_), None) => (LevelMove::NoLongerRated, None),
        (None, None) => (LevelMove::NotRated, None),
    }
}

/// A change, when the two values differ.
fn changed<T: PartialEq>(from: Option<T>, to: Option<T>) -> Option<Change<T>> {
    (from != to).then_some(Change { from, to })
}

fn state(a: &Answer) -> &'static str {
    match a.level {
        AnswerLevel::Level { .. } => "answered",
        AnswerLevel::NotApplicable { .. } => "n/a",
        AnswerLevel::Unanswered => "unanswered",
    }
}

fn na_reason(a: &Answer) -> String {
    match &a.level {
        AnswerLevel::NotApplicable { reason } => reason.trim().to_string(),
        _ => String::new(),
    }
}

fn view(toolkit: &CapabilityToolkit, a: &Answer) -> AnswerView {
    let name = |r: Option<usize>| {
        r.and_then(|r| toolkit.level_by_rank(r))
            .map(|l| l.name.clone())
    };
    AnswerView {
        state: state(a),
        level_name: name(a.rank()),
        rank: a.rank(),
        confidence: a.confidence.map(|c| c.as_str().to_string()),
        evidence: a.evidence.len(),
        target_level_name: name(a.target),
        target_date: a.target_date,
        carried_over: a.carried_over,
    }
}

fn summarise(caps: &[CapabilityDiff]) -> DiffSummary {
    let mut s = DiffSummary::default();
    for c in caps {
        match c.presence {
            Presence::New => s.new_capabilities += 1,
            Presence::Gone => s.gone_capabilities += 1,
            Presence::Both => {
                s.compared += 1;
                match c.level {
                    LevelMove::Up => s.up += 1,
                    LevelMove::Down => s.down += 1,
                    LevelMove::Same => s.unchanged += 1,
                    LevelMove::NewlyAnswered => s.newly_answered += 1,
                    LevelMove::NoLongerRated => s.no_longer_rated += 1,
                    LevelMove::NotRated => {}
                }
                s.changed += usize::from(c.changed);
                s.carried_over += usize::from(c.carried_over && !c.changed);
                s.carried_over_but_changed += usize::from(c.carried_over_but_changed);
            }
        }
    }
    s
}

/// What a reader should know besides the table.
fn notes(old: &ResponseRef, new: &ResponseRef, caps: &[CapabilityDiff]) -> Vec<String> {
    let mut notes = Vec::new();
    if let (Some(then), Some(now)) = (old.assessed, new.assessed)
        && then > now
    {
        notes.push(format!(
            "The earlier response ({}) is dated {then}, after the later one ({}, {now}): the changes read backwards in time.",
            old.file, new.file
        ));
    }
    let marked: Vec<&str> = caps
        .iter()
        .filter(|c| c.carried_over_but_changed)
        .map(|c| c.title.as_str())
        .collect();
    if !marked.is_empty() {
        notes.push(format!(
            "{} marked carried over but changed since the earlier response, so counted as changed: remove carried_over from {} once reviewed ({}).",
            match marked.len() {
                1 => "1 answer is".to_string(),
                n => format!("{n} answers are"),
            },
            if marked.len() == 1 { "it" } else { "them" },
            marked.join("; ")
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ResolveOptions, Sct, SourceFile};

    const CAP: &str = "integrated-needs-assessment";

    fn response(name: &str, code: &str, assessed: &str, caps: &str) -> String {
        let round = if assessed.starts_with("2027") {
            "reassessment-2027-03"
        } else {
            "baseline-2026-03"
        };
        format!(
            "round = \"{round}\"\nassessed = {assessed}\n[organisation]\nname = \"{name}\"\nods_code = \"{code}\"\n{caps}"
        )
    }

    fn diff_of(old: &str, new: &str) -> Result<ResponseDiff, DiffError> {
        let sct = Sct::bundled().unwrap();
        let resolve = |name: &str, text: &str| {
            sct.validate_source(
                &SourceFile::from_text(name, text),
                ResolveOptions::default(),
            )
            .unwrap()
        };
        let (o, ofw) = resolve("old.toml", old);
        let (n, nfw) = resolve("new.toml", new);
        diff(
            DiffSide {
                assessment: &o,
                toolkit: ofw.toolkit,
            },
            DiffSide {
                assessment: &n,
                toolkit: nfw.toolkit,
            },
            &sct.organisations,
        )
    }

    fn cap<'a>(d: &'a ResponseDiff, id: &str) -> &'a CapabilityDiff {
        d.capabilities.iter().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn levels_confidence_evidence_and_targets_are_compared() {
        let old = response(
            "BNSSG",
            "QUY",
            "2026-03-20",
            &format!(
                "[capabilities.{CAP}]\nlevel = \"developing\"\nconfidence = \"low\"\nevidence = [\"A\", \"B\"]\ntarget_level = \"embedding\"\ntarget_date = 2027-03-31\n[capabilities.intelligence-function]\nlevel = \"embedding\"\n"
            ),
        );
        let new = response(
            "BNSSG",
            "QUY",
            "2026-03-25",
            &format!(
                "[capabilities.{CAP}]\nlevel = \"advancing\"\nconfidence = \"medium\"\nevidence = [\"B\", \"C\"]\ntarget_level = \"advancing\"\ntarget_date = 2027-03-31\n[capabilities.intelligence-function]\nlevel = \"developing\"\n[capabilities.linked-person-level-data]\nlevel = \"starting-out\"\n"
            ),
        );
        let d = diff_of(&old, &new).unwrap();
        let c = cap(&d, CAP);
        assert_eq!((c.level, c.steps), (LevelMove::Up, Some(2)));
        assert_eq!(c.confidence.as_ref().unwrap().to.as_deref(), Some("medium"));
        assert_eq!(c.evidence_added, ["C"]);
        assert_eq!(c.evidence_removed, ["A"]);
        assert_eq!(
            c.target_level.as_ref().unwrap().from.as_deref(),
            Some("Embedding")
        );
        assert!(c.target_date.is_none(), "the date did not change");
        assert!(c.changed);
        assert_eq!(cap(&d, "intelligence-function").level, LevelMove::Down);
        assert_eq!(
            cap(&d, "linked-person-level-data").level,
            LevelMove::NewlyAnswered
        );
        assert_eq!(
            (d.summary.up, d.summary.down, d.summary.newly_answered),
            (1, 1, 1)
        );
        assert_eq!(d.summary.changed, 3);
        assert!(!d.relation.predecessor);
        // Every capability of the toolkit is listed; the unanswered ones are not rated.
        assert_eq!(d.summary.compared, d.capabilities.len());
        assert_eq!(
            cap(&d, "segmentation-risk-stratification").level,
            LevelMove::NotRated
        );
        assert!(!cap(&d, "segmentation-risk-stratification").changed);
    }

    #[test]
    fn a_carried_over_answer_is_to_review_until_its_content_changes() {
        let old = response(
            "BNSSG",
            "QUY",
            "2026-03-20",
            &format!(
                "[capabilities.{CAP}]\nlevel = \"developing\"\nevidence = [\"A\"]\n[capabilities.intelligence-function]\nlevel = \"embedding\"\n"
            ),
        );
        let new = response(
            "BNSSG",
            "QUY",
            "2026-03-25",
            &format!(
                "[capabilities.{CAP}]\nlevel = \"developing\"\nevidence = [\"A\"]\ncarried_over = true\n[capabilities.intelligence-function]\nlevel = \"embedding\"\nrationale = \"Reviewed\"\ncarried_over = true\n"
            ),
        );
        let d = diff_of(&old, &new).unwrap();
        let same = cap(&d, CAP);
        assert!(same.carried_over && !same.changed && !same.carried_over_but_changed);
        let edited = cap(&d, "intelligence-function");
        assert!(edited.rationale_changed && edited.carried_over_but_changed);
        assert_eq!(d.summary.carried_over, 1);
        assert_eq!(d.summary.carried_over_but_changed, 1);
        assert_eq!(d.summary.unchanged, 2, "both levels are the same");
        assert!(
            d.notes.iter().any(|n| n.contains("remove carried_over")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn a_predecessor_is_allowed_and_an_unrelated_organisation_refused() {
        let empty = |code: &str, date: &str| response("ICB", code, date, "");
        // QHG passed whole to S1Y5D on 1 April 2026.
        let d = diff_of(&empty("QHG", "2026-03-20"), &empty("S1Y5D", "2027-03-25")).unwrap();
        assert!(
            d.relation.predecessor && !d.relation.indicative,
            "{}",
            d.relation.words
        );
        // QM7 passed only in part.
        let d = diff_of(&empty("QM7", "2026-03-20"), &empty("S1Y5D", "2027-03-25")).unwrap();
        assert!(d.relation.indicative, "{}", d.relation.words);
        let err = diff_of(&empty("QUY", "2026-03-20"), &empty("S1Y5D", "2027-03-25")).unwrap_err();
        assert!(matches!(err, DiffError::Unrelated { .. }));
        let words = err.to_string();
        assert!(
            words.contains("old.toml") && words.contains("new.toml"),
            "{words}"
        );
        assert!(words.contains("QUY") && words.contains("S1Y5D"), "{words}");
        let err = diff_of(&empty("S1Y5D", "2027-03-20"), &empty("QHG", "2026-03-25")).unwrap_err();
        assert!(matches!(err, DiffError::Reversed { .. }), "{err}");
    }

    #[test]
    fn capabilities_new_or_gone_between_toolkits_are_listed_not_counted() {
        let sct = Sct::bundled().unwrap();
        let text = response(
            "BNSSG",
            "QUY",
            "2026-03-20",
            &format!(
                "[capabilities.{CAP}]\nlevel = \"developing\"\n[capabilities.intelligence-function]\nlevel = \"embedding\"\n"
            ),
        );
        let (a, fw) = sct
            .validate_source(
                &SourceFile::from_text("a.toml", &text),
                ResolveOptions::default(),
            )
            .unwrap();
        // The later toolkit dropped the first capability and gained one.
        let mut later = fw.toolkit.clone();
        let mut added = later.domains[0].capabilities.remove(0);
        added.id = toml::Spanned::new(0..0, "new-capability".to_string());
        later.domains[1].capabilities.push(added);
        let d = diff(
            DiffSide {
                assessment: &a,
                toolkit: fw.toolkit,
            },
            DiffSide {
                assessment: &a,
                toolkit: &later,
            },
            &sct.organisations,
        )
        .unwrap();
        assert_eq!(cap(&d, CAP).presence, Presence::Gone);
        assert_eq!(cap(&d, "new-capability").presence, Presence::New);
        assert_eq!(
            d.capabilities.last().unwrap().id,
            CAP,
            "gone ones come last"
        );
        assert_eq!(
            (d.summary.new_capabilities, d.summary.gone_capabilities),
            (1, 1)
        );
        assert_eq!(d.summary.compared, d.capabilities.len() - 2);
        assert_eq!((d.summary.unchanged, d.summary.changed), (1, 0));
        // A scale with a level renamed cannot be compared place by place.
        let mut rescaled = fw.toolkit.clone();
        rescaled.levels[0].id = toml::Spanned::new(0..0, "beginning".to_string());
        let err = diff(
            DiffSide {
                assessment: &a,
                toolkit: fw.toolkit,
            },
            DiffSide {
                assessment: &a,
                toolkit: &rescaled,
            },
            &sct.organisations,
        )
        .unwrap_err();
        assert!(matches!(err, DiffError::Scales { .. }), "{err}");
    }

    #[test]
    fn level_moves_follow_the_ranks() {
        assert_eq!(level_move(Some(2), Some(2)), (LevelMove::Same, Some(0)));
        assert_eq!(level_move(Some(4), Some(1)), (LevelMove::Down, Some(-3)));
        assert_eq!(level_move(Some(1), None), (LevelMove::NoLongerRated, None));
        assert_eq!(level_move(None, None), (LevelMove::NotRated, None));
    }
}
