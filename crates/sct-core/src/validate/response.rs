//! Resolving a response against its round and toolkit: every id, level, date and code is
//! checked and located; blanks become "not answered" and are reported as coverage.

use std::collections::BTreeMap;

use crate::assessment::{
    Answer, AnswerLevel, Assessment, Confidence, MilestoneReport, ReportedStatus,
};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::error::Error;
use crate::load::{FrameworkRegistry, LoadedFramework};
use crate::model::{
    AssessmentRound, CapabilityToolkit, Date, Organisations, ResponseDoc, ResponseType,
};
use crate::source::SourceFile;

use super::closest;

/// Options for [`resolve_response`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ResolveOptions {
    /// Treat unanswered capabilities as errors rather than as lower coverage.
    pub strict: bool,
}

/// The toolkit (and round) a response is assessed against.
#[derive(Debug, Clone, Copy)]
pub struct ResolvedFrameworks<'a> {
    /// The toolkit's file.
    pub toolkit_file: &'a LoadedFramework,
    /// The toolkit.
    pub toolkit: &'a CapabilityToolkit,
    /// The round's file and the round, if the response names one.
    pub round: Option<(&'a LoadedFramework, &'a AssessmentRound)>,
}

impl<'a> ResolvedFrameworks<'a> {
    /// The files used, toolkit first, for provenance.
    pub fn files(&self) -> Vec<&'a LoadedFramework> {
        let mut v = vec![self.toolkit_file];
        if let Some((f, _)) = self.round {
            v.push(f);
        }
        v
    }
}

/// Finds the round and toolkit a response names, with located errors when they are unknown
/// or disagree.
pub fn resolve_frameworks<'a>(
    src: &SourceFile,
    doc: &ResponseDoc,
    registry: &'a FrameworkRegistry,
) -> Result<ResolvedFrameworks<'a>, Error> {
    let round = resolve_round(src, doc, registry)?;
    let (toolkit_file, toolkit_span) = toolkit_file(src, doc, registry, round)?;
    let toolkit = toolkit_file.as_toolkit().ok_or_else(|| {
        let msg = format!(
            "\"{}\" is a {} framework, not a capability toolkit",
            toolkit_file.id(),
            toolkit_file.header.kind
        );
        invalid(match toolkit_span {
            Some(span) => src.error_at(span, msg),
            None => Diagnostic::error(msg).in_file(&src.name),
        })
    })?;
    check_framework_version(src, doc, toolkit_file, round)?;
    Ok(ResolvedFrameworks {
        toolkit_file,
        toolkit,
        round,
    })
}

/// An error of one diagnostic.
fn invalid(d: Diagnostic) -> Error {
    Error::Invalid(Diagnostics(vec![d]))
}

/// The round the response names, if it names one.
fn resolve_round<'a>(
    src: &SourceFile,
    doc: &ResponseDoc,
    registry: &'a FrameworkRegistry,
) -> Result<Option<(&'a LoadedFramework, &'a AssessmentRound)>, Error> {
    Ok(match &doc.round {
        Some(r) if !r.get_ref().trim().is_empty() => {
            let known_rounds = || {
                registry
                    .iter()
                    .filter_map(|f| f.as_round().map(|_| f.id().to_string()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let file = registry.get(r.get_ref().trim(), None).map_err(|_| {
                invalid(
                    src.error_at(
                        r.span(),
                        format!("round \"{}\" is not a known assessment round", r.get_ref()),
                    )
                    .expected(format!("one of: {}", known_rounds())),
                )
            })?;
            let round = file.as_round().ok_or_else(|| {
                invalid(
                    src.error_at(
                        r.span(),
                        format!(
                            "\"{}\" is a {} framework, not an assessment round",
                            r.get_ref(),
                            file.header.kind
                        ),
                    )
                    .expected(format!("one of: {}", known_rounds())),
                )
            })?;
            Some((file, round))
        }
        _ => None,
    })
}

/// The toolkit's file: the round's toolkit (a framework named as well must agree), else the
/// framework named; with the span of the name when the response named it.
fn toolkit_file<'a>(
    src: &SourceFile,
    doc: &ResponseDoc,
    registry: &'a FrameworkRegistry,
    round: Option<(&'a LoadedFramework, &'a AssessmentRound)>,
) -> Result<(&'a LoadedFramework, Option<std::ops::Range<usize>>), Error> {
    Ok(match (round, &doc.framework) {
        (Some((_, round)), named) => {
            let id = round.toolkit.id.get_ref();
            if let Some(n) = named
                && !n.get_ref().trim().is_empty()
                && n.get_ref().trim() != id
            {
                return Err(invalid(
                    src.error_at(
                        n.span(),
                        format!(
                            "framework \"{}\" does not match the round, which uses \"{id}\"",
                            n.get_ref()
                        ),
                    )
                    .expected(format!("framework = \"{id}\", or leave framework out")),
                ));
            }
            let file = registry.get(id, Some(round.toolkit.version.get_ref()))?;
            (file, None)
        }
        (None, Some(n)) if !n.get_ref().trim().is_empty() => {
            let version = doc
                .framework_version
                .as_ref()
                .map(|v| v.get_ref().trim())
                .filter(|v| !v.is_empty());
            let file = registry.get(n.get_ref().trim(), version).map_err(|e| {
                invalid(
                    src.error_at(n.span(), e.to_string())
                        .hint("run `sct frameworks list` to see the known frameworks"),
                )
            })?;
            (file, Some(n.span()))
        }
        _ => {
            return Err(invalid(
                Diagnostic::error("the response names neither a round nor a framework")
                    .in_file(&src.name)
                    .expected("round = \"baseline-2026-03\" (or framework = \"capability-toolkit\") at the top of the file"),
            ));
        }
    })
}

/// The framework version the response was made for must be the toolkit's.
fn check_framework_version(
    src: &SourceFile,
    doc: &ResponseDoc,
    toolkit_file: &LoadedFramework,
    round: Option<(&LoadedFramework, &AssessmentRound)>,
) -> Result<(), Error> {
    if let Some(v) = &doc.framework_version {
        let wanted = v.get_ref().trim();
        if !wanted.is_empty() && wanted != toolkit_file.version() {
            return Err(invalid(
                src.error_at(v.span(), format!(
                    "the response was made for {} version {wanted}, but {} uses version {}",
                    toolkit_file.id(),
                    round.map(|(f, _)| format!("round {}", f.id())).unwrap_or_else(|| "this registry".to_string()),
                    toolkit_file.version()
                ))
                .expected(format!("framework_version = \"{}\"", toolkit_file.version()))
                .hint("a response made for another version must be converted with an explicit mapping"),
            ));
        }
    }
    Ok(())
}

/// Resolves a response: checks every answer against the toolkit, the organisation code
/// against the organisations table, and dates against the round. Errors stop resolution;
/// warnings travel with the [`Assessment`].
pub fn resolve_response(
    src: &SourceFile,
    doc: &ResponseDoc,
    fw: &ResolvedFrameworks<'_>,
    orgs: &Organisations,
    options: ResolveOptions,
) -> Result<Assessment, Error> {
    let mut diags = Diagnostics::default();
    let toolkit = fw.toolkit;
    let round = fw.round.map(|(_, r)| r);
    let assessed = doc.assessed.as_ref().and_then(|a| a.get_ref().0);
    check_assessed(src, doc, assessed, round, &mut diags);
    check_organisation(src, doc, assessed, orgs, &mut diags);
    check_person(src, doc, &mut diags);
    let mut answers = resolve_answers(src, doc, toolkit, assessed, &mut diags);
    fill_unanswered(src, doc, toolkit, options, &mut answers, &mut diags);
    let milestones = resolve_milestones(src, doc, round, assessed, &mut diags);
    let team = super::team::resolve_team(src, doc, toolkit, &answers, &mut diags);

    if diags.has_errors() {
        return Err(Error::Invalid(diags));
    }
    Ok(Assessment {
        response_type: doc.response_type,
        organisation_name: doc.organisation.name.trim().to_string(),
        ods_code: doc
            .organisation
            .ods_code
            .get_ref()
            .trim()
            .to_ascii_uppercase(),
        notice: doc.notice.trim().to_string(),
        respondent_role: doc.respondent.role.trim().to_string(),
        signed_off_by: doc.respondent.signed_off_by.trim().to_string(),
        person: doc.person.clone(),
        round: round.map(|r| r.id.get_ref().clone()),
        toolkit_id: toolkit.id.get_ref().clone(),
        toolkit_version: toolkit.version.get_ref().clone(),
        assessed,
        answers,
        milestones,
        team,
        source_name: src.name.clone(),
        source_sha256: src.sha256.clone(),
        warnings: diags,
    })
}

/// The assessed date must be filled in, and within the round's window.
fn check_assessed(
    src: &SourceFile,
    doc: &ResponseDoc,
    assessed: Option<Date>,
    round: Option<&AssessmentRound>,
    diags: &mut Diagnostics,
) {
    match (&doc.assessed, assessed, round) {
        (_, Some(date), Some(r)) if !r.window.contains(date) => {
            let span = doc.assessed.as_ref().map(|a| a.span()).unwrap_or(0..0);
            diags.push(
                src.error_at(
                    span,
                    format!(
                        "assessed date {date} is outside the {} window",
                        r.id.get_ref()
                    ),
                )
                .expected(format!(
                    "a date from {} to {}",
                    r.window.opens.get_ref(),
                    r.window.closes.get_ref()
                )),
            );
        }
        (_, None, _) => diags.push(
            Diagnostic::warning("the assessed date is not filled in")
                .in_file(&src.name)
                .hint("fill in the date the assessment was agreed: assessed = 2026-03-20 in TOML, \"Assessed on\" in a workbook"),
        ),
        _ => {}
    }
}

/// `[person]` is for individual self-assessments, and only for them.
fn check_person(src: &SourceFile, doc: &ResponseDoc, diags: &mut Diagnostics) {
    match (doc.response_type, &doc.person) {
        (ResponseType::Individual, None) => diags.push(
            Diagnostic::error("an individual self-assessment needs a [person] table")
                .in_file(&src.name)
                .expected("[person] with id (pseudonymous) and role_group"),
        ),
        (ResponseType::Organisation, Some(_)) => diags.push(
            Diagnostic::error("[person] is only for individual self-assessments")
                .in_file(&src.name)
                .expected("type = \"individual\", or remove [person]"),
        ),
        _ => {}
    }
}

/// Each answer checked against the toolkit, by capability id.
fn resolve_answers(
    src: &SourceFile,
    doc: &ResponseDoc,
    toolkit: &CapabilityToolkit,
    assessed: Option<Date>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Answer> {
    let mut answers = BTreeMap::new();
    for (key, raw) in &doc.capabilities {
        let id = key.get_ref();
        let Some((_, cap)) = toolkit.capability(id) else {
            let mut d = src
                .error_at(
                    key.span(),
                    format!(
                        "\"{id}\" is not a capability of {} {}",
                        toolkit.id.get_ref(),
                        toolkit.version.get_ref()
                    ),
                )
                .expected("a capability id of the toolkit");
            d = match closest(
                id,
                toolkit.capabilities().map(|(_, c)| c.id.get_ref().as_str()),
            ) {
                Some(s) => d.hint(format!("did you mean \"{s}\"?")),
                None => d.hint(format!(
                    "run `sct frameworks show {}` to list the capability ids",
                    toolkit.id.get_ref()
                )),
            };
            diags.push(d);
            continue;
        };
        if doc.response_type == ResponseType::Individual && cap.individual.is_none() {
            diags.push(
                src.error_at(
                    key.span(),
                    format!("capability \"{id}\" has no individual competency to self-assess"),
                )
                .expected(
                    "a capability with an individual competency (as the round's individual template lists them)",
                ),
            );
            continue;
        }
        if let Some(answer) = resolve_answer(src, key.span(), raw, toolkit, assessed, diags) {
            answers.insert(id.clone(), answer);
        }
    }

    answers
}

/// Reports the applicable capabilities not answered (errors with `strict`) and adds them
/// as unanswered.
fn fill_unanswered(
    src: &SourceFile,
    doc: &ResponseDoc,
    toolkit: &CapabilityToolkit,
    options: ResolveOptions,
    answers: &mut BTreeMap<String, Answer>,
    diags: &mut Diagnostics,
) {
    let applicable: Vec<&str> = toolkit
        .capabilities()
        .filter(|(_, c)| doc.response_type == ResponseType::Organisation || c.individual.is_some())
        .map(|(_, c)| c.id.get_ref().as_str())
        .collect();
    // A level written but refused (its error is already reported) is an answer to correct,
    // not a capability left unanswered: counting it twice would overstate what is missing.
    let written = |id: &str| {
        doc.capabilities
            .iter()
            .any(|(k, raw)| k.get_ref() == id && !raw.level.get_ref().trim().is_empty())
    };
    let missing: Vec<&str> = applicable
        .iter()
        .copied()
        .filter(|id| match answers.get(*id) {
            Some(a) => a.level == AnswerLevel::Unanswered,
            None => !written(id),
        })
        .collect();
    if !missing.is_empty() {
        let msg = format!(
            "{} of {} capabilities not answered: {}",
            missing.len(),
            applicable.len(),
            crate::quote::first_few(&missing, 5)
        );
        let d = if options.strict {
            Diagnostic::error(msg)
        } else {
            Diagnostic::warning(msg)
        };
        diags.push(d.in_file(&src.name).hint(
            "unanswered capabilities lower coverage; answer them or mark them n/a with a reason",
        ));
    }
    for id in applicable {
        answers
            .entry(id.to_string())
            .or_insert_with(Answer::unanswered);
    }
}

fn check_organisation(
    src: &SourceFile,
    doc: &ResponseDoc,
    assessed: Option<Date>,
    orgs: &Organisations,
    diags: &mut Diagnostics,
) {
    let code = doc.organisation.ods_code.get_ref().trim();
    let span = doc.organisation.ods_code.span();
    if code.is_empty() {
        diags.push(
            Diagnostic::warning("the organisation's ODS code is not filled in")
                .in_file(&src.name)
                .hint("fill in the ODS code, for example QUY: ods_code under [organisation] in TOML, \"ODS code\" in a workbook"),
        );
        return;
    }
    match orgs.get(code) {
        None => diags.push(
            src.error_at(
                span,
                format!("\"{code}\" is not an organisation in {}", orgs.source_name),
            )
            .expected("the ODS code of a known organisation")
            .hint("supply your own table of organisations if yours is not an ICB")
            .settings([crate::setting::Setting::Organisations]),
        ),
        Some(org) => {
            if let Some(date) = assessed
                && !org.valid_on(date)
            {
                let until = org
                    .valid_to
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "now".to_string());
                let successors: Vec<&str> = orgs
                    .successions
                    .iter()
                    .filter(|s| s.predecessor.eq_ignore_ascii_case(code))
                    .map(|s| s.successor.as_str())
                    .collect();
                let mut d = src
                    .error_at(
                        span,
                        format!(
                            "{} ({}) did not exist on the assessed date {date}",
                            org.ods_code, org.name
                        ),
                    )
                    .expected(format!(
                        "an organisation valid on {date}; {} existed from {} to {until}",
                        org.ods_code, org.valid_from
                    ));
                if !successors.is_empty() {
                    d = d.hint(format!("its successor(s): {}", successors.join(", ")));
                }
                diags.push(d);
            }
        }
    }
}

fn resolve_answer(
    src: &SourceFile,
    key_span: std::ops::Range<usize>,
    raw: &crate::model::CapabilityAnswer,
    toolkit: &CapabilityToolkit,
    assessed: Option<Date>,
    diags: &mut Diagnostics,
) -> Option<Answer> {
    let mut report = |d: Box<Diagnostic>| diags.push(*d);
    let level = answer_level(src, raw, toolkit).map_err(&mut report).ok()?;
    let confidence = confidence(src, raw).map_err(&mut report).ok()?;
    let target = target_level(src, raw, toolkit).map_err(&mut report).ok()?;
    let written = raw.level.get_ref().trim();
    let target_written = raw.target_level.get_ref().trim();
    if let (AnswerLevel::Level { rank }, Some(t)) = (&level, target)
        && t < *rank
    {
        // A field left out has an empty span; point at the capability's key instead.
        let span = raw.target_level.span();
        let span = if span.is_empty() { key_span } else { span };
        diags.push(
            src.error_at(
                span,
                format!(
                    "target level \"{target_written}\" is below the current level \"{written}\""
                ),
            )
            .expected("a target at or above the current level"),
        );
        return None;
    }
    if matches!(level, AnswerLevel::NotApplicable { .. }) && target.is_some() {
        diags.push(src.warning_at(
            raw.target_level.span(),
            "a target is set for a capability marked n/a; it is ignored",
        ));
    }
    let target_date = raw.target_date.get_ref().0;
    if let (Some(td), Some(a)) = (target_date, assessed)
        && td < a
    {
        diags.push(
            src.error_at(
                raw.target_date.span(),
                format!("target date {td} is before the assessed date {a}"),
            )
            .expected(format!("a date after {a}")),
        );
        return None;
    }
    let target = if matches!(level, AnswerLevel::NotApplicable { .. }) {
        None
    } else {
        target
    };
    Some(Answer {
        level,
        confidence,
        evidence: raw
            .evidence
            .iter()
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty())
            .collect(),
        target,
        target_date,
        rationale: raw.rationale.trim().to_string(),
        carried_over: raw.carried_over,
    })
}

/// The level answered: a level of the toolkit, n/a (with a reason) or blank.
fn answer_level(
    src: &SourceFile,
    raw: &crate::model::CapabilityAnswer,
    toolkit: &CapabilityToolkit,
) -> Result<AnswerLevel, Box<Diagnostic>> {
    let written = raw.level.get_ref().trim();
    if written.is_empty() {
        return Ok(AnswerLevel::Unanswered);
    }
    if is_not_applicable(written) {
        if raw.reason.trim().is_empty() {
            return Err(Box::new(
                src.error_at(raw.level.span(), "level is n/a but no reason is given")
                    .expected("a reason saying why the capability does not apply (reason = \"...\" in TOML, \"Reason if n/a\" in a workbook)"),
            ));
        }
        return Ok(AnswerLevel::NotApplicable {
            reason: raw.reason.trim().to_string(),
        });
    }
    match toolkit.resolve_level(written) {
        Some(rank) => Ok(AnswerLevel::Level { rank }),
        None => {
            // The names first: they are what a workbook's list offers; the ids are what TOML
            // files usually carry. Both are read.
            let valid_levels = format!(
                "one of: {} (or their ids {}), or n/a (with a reason)",
                toolkit.level_names(),
                toolkit.level_list()
            );
            let mut d = src
                .error_at(
                    raw.level.span(),
                    format!(
                        "\"{written}\" is not a level of {} {}",
                        toolkit.id.get_ref(),
                        toolkit.version.get_ref()
                    ),
                )
                .expected(valid_levels);
            if let Some(s) = closest(&written.to_ascii_lowercase(), toolkit.level_ids()) {
                d = d.hint(format!(
                    "did you mean \"{}\"?",
                    as_written(toolkit, s, written)
                ));
            }
            Err(Box::new(d))
        }
    }
}

/// A level id as the user would write it: the level's name ("Mastering", as a workbook's
/// list shows it) when they wrote a name's capitals or spaces, the id ("mastering") otherwise.
fn as_written<'a>(toolkit: &'a CapabilityToolkit, id: &'a str, written: &str) -> &'a str {
    let like_a_name = written.chars().any(|c| c.is_uppercase() || c == ' ');
    match toolkit
        .level_rank(id)
        .and_then(|r| toolkit.level_by_rank(r))
    {
        Some(level) if like_a_name => level.name.as_str(),
        _ => id,
    }
}

/// The confidence stated, if any.
fn confidence(
    src: &SourceFile,
    raw: &crate::model::CapabilityAnswer,
) -> Result<Option<Confidence>, Box<Diagnostic>> {
    let conf_written = raw.confidence.get_ref().trim();
    if conf_written.is_empty() {
        return Ok(None);
    }
    Confidence::parse(conf_written).map(Some).ok_or_else(|| {
        Box::new(
            src.error_at(
                raw.confidence.span(),
                format!("confidence \"{conf_written}\" is not known"),
            )
            .expected("low, medium or high"),
        )
    })
}

/// The target level's rank, if a target is given.
fn target_level(
    src: &SourceFile,
    raw: &crate::model::CapabilityAnswer,
    toolkit: &CapabilityToolkit,
) -> Result<Option<usize>, Box<Diagnostic>> {
    let target_written = raw.target_level.get_ref().trim();
    if target_written.is_empty() {
        return Ok(None);
    }
    toolkit
        .resolve_level(target_written)
        .map(Some)
        .ok_or_else(|| {
            Box::new(
                src.error_at(
                    raw.target_level.span(),
                    format!(
                        "target level \"{target_written}\" is not a level of {} {}",
                        toolkit.id.get_ref(),
                        toolkit.version.get_ref()
                    ),
                )
                .expected(format!("one of: {}", toolkit.level_list())),
            )
        })
}

pub(crate) fn is_not_applicable(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "n/a" | "na" | "not applicable" | "not-applicable"
    )
}

fn resolve_milestones(
    src: &SourceFile,
    doc: &ResponseDoc,
    round: Option<&AssessmentRound>,
    assessed: Option<Date>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, MilestoneReport> {
    let mut out = BTreeMap::new();
    for (key, raw) in &doc.milestones {
        let id = key.get_ref();
        let Some(round) = round else {
            diags.push(
                src.error_at(
                    key.span(),
                    format!("milestone \"{id}\" is reported, but the response names no round"),
                )
                .expected("round = \"...\" at the top of the file, or no [milestones]"),
            );
            continue;
        };
        if !round.milestones.iter().any(|m| m.id.get_ref() == id) {
            let ids = round.milestones.iter().map(|m| m.id.get_ref().as_str());
            let mut d = src
                .error_at(
                    key.span(),
                    format!(
                        "\"{id}\" is not a milestone of round {}",
                        round.id.get_ref()
                    ),
                )
                .expected(format!(
                    "one of: {}",
                    round
                        .milestones
                        .iter()
                        .map(|m| m.id.get_ref().as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            if let Some(s) = closest(id, ids) {
                d = d.hint(format!("did you mean \"{s}\"?"));
            }
            diags.push(d);
            continue;
        }
        let written = raw.status.get_ref().trim();
        let status = if written.is_empty() {
            None
        } else {
            match ReportedStatus::parse(written) {
                Some(s) => Some(s),
                None => {
                    diags.push(
                        src.error_at(
                            raw.status.span(),
                            format!("milestone status \"{written}\" is not known"),
                        )
                        .expected("complete, on-track, at-risk or not-started"),
                    );
                    continue;
                }
            }
        };
        let completed_on = raw.completed_on.get_ref().0;
        if let Some(done) = completed_on {
            if status != Some(ReportedStatus::Complete) {
                diags.push(
                    src.error_at(
                        raw.completed_on.span(),
                        format!("completed_on is set but the status is \"{written}\""),
                    )
                    .expected("status = \"complete\" with completed_on, or no completed_on"),
                );
                continue;
            }
            if let Some(a) = assessed
                && done > a
            {
                diags.push(src.warning_at(
                    raw.completed_on.span(),
                    format!("completed_on {done} is after the assessed date {a}"),
                ));
            }
        }
        out.insert(
            id.clone(),
            MilestoneReport {
                status,
                completed_on,
                note: raw.note.trim().to_string(),
            },
        );
    }
    out
}
