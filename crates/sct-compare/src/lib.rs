//! # sct-compare
//!
//! Comparing ICBs fairly: many organisations' assessments of one round side by side
//! ([`cohort`]), two rounds paired across reorganisations ([`longitudinal()`]), organisations
//! aggregated to groups such as leadership clusters ([`groups`]), people's own competency
//! ratings against their organisation's ([`individuals`]), and KPI funnels ([`kpi`]).
//!
//! Data flows one way: files are [`load`]ed (one entry point per response), organisations'
//! attributes come from a table ([`attributes`]), [`compare`] computes a [`Comparison`],
//! and `sct-report` presents it.

pub mod attributes;
pub mod cohort;
pub mod groups;
pub mod individuals;
pub mod kpi;
pub mod load;
pub mod longitudinal;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use sct_core::{Diagnostic, Diagnostics, Error, Organisations, Sct};
use sct_kpi::data::KpiData;
use sct_kpi::kpiset::KpiSet;

use crate::attributes::OrgAttributes;
use crate::cohort::{CohortView, Frame, QUARTILE_METHOD, cohort_view};
use crate::groups::{GroupView, group_view};
use crate::individuals::{PeopleSummary, people_summaries};
use crate::kpi::IndicatorFunnel;
use crate::load::{Loaded, OrgResponse, SkippedFile};
use crate::longitudinal::{CapabilityMapping, Longitudinal, longitudinal};

/// What to compare.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// The round to compare (default: the latest in the inputs).
    pub round: Option<String>,
    /// The round to compare against (default: the one before `round` in the inputs, if any).
    pub against: Option<String>,
    /// The organisations-table field to group by (default: `cluster` where the table has
    /// it, else `region`).
    pub group_by: Option<String>,
    /// Capability mapping between toolkit versions.
    pub mapping: Option<CapabilityMapping>,
}

/// A round in the inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundInfo {
    /// Id.
    pub id: String,
    /// Organisations that responded.
    pub organisations: usize,
    /// People's self-assessments.
    pub people: usize,
    /// The latest assessed date.
    pub latest_assessed: Option<String>,
}

/// A file used, with its SHA-256 (the one type every output's provenance uses).
pub use sct_core::provenance::FileUsed;

/// A whole comparison, ready to present.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// `sct-compare/1`.
    pub schema: &'static str,
    /// Notices of the responses (for example that they are synthetic), each once.
    pub notices: Vec<String>,
    /// The toolkit's levels, domains and capabilities.
    pub frame: Frame,
    /// Rounds in the inputs, oldest first.
    pub rounds: Vec<RoundInfo>,
    /// The round compared.
    pub cohort: CohortView,
    /// How the round was chosen, in words.
    pub round_choice: String,
    /// Organisations aggregated by group.
    pub groups: Option<GroupView>,
    /// The comparison with an earlier round.
    pub longitudinal: Option<Longitudinal>,
    /// People's competencies per organisation (the round compared).
    pub people: Vec<PeopleSummary>,
    /// The suppression and gap rules.
    pub people_rule: String,
    /// KPI funnels.
    pub kpis: Vec<IndicatorFunnel>,
    /// Files skipped with `--skip-invalid`.
    pub skipped: Vec<SkippedFile>,
    /// The method, paragraph by paragraph.
    pub method: Vec<String>,
    /// The files behind it.
    pub provenance: Provenance,
}

/// Where a comparison came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// sct's version.
    pub sct_version: String,
    /// The toolkit.
    pub toolkit: String,
    /// The organisations and successions table.
    pub organisations: FileUsed,
    /// The attributes table (`--orgs`), or the organisations table when none was given.
    pub attributes: String,
    /// KPI set and data, when given.
    pub kpis: Option<String>,
    /// Every organisation response used.
    pub responses: Vec<FileUsed>,
}

fn invalid(message: String, expected: &str) -> Error {
    Error::Invalid(Diagnostics(vec![
        Diagnostic::error(message).expected(expected),
    ]))
}

/// The rounds in the inputs, oldest first (by latest assessed date, then id).
fn rounds_of(loaded: &Loaded) -> Vec<RoundInfo> {
    let mut map: BTreeMap<&str, (usize, usize, Option<String>)> = BTreeMap::new();
    for o in &loaded.organisations {
        let e = map.entry(o.round.as_str()).or_default();
        e.0 += 1;
        let d = o.assessed.map(|d| d.to_string());
        if d > e.2 {
            e.2 = d;
        }
    }
    for p in &loaded.people {
        map.entry(p.round.as_str()).or_default().1 += 1;
    }
    let mut rounds: Vec<RoundInfo> = map
        .into_iter()
        .map(|(id, (o, p, d))| RoundInfo {
            id: id.to_string(),
            organisations: o,
            people: p,
            latest_assessed: d,
        })
        .collect();
    rounds.sort_by(|a, b| {
        a.latest_assessed
            .cmp(&b.latest_assessed)
            .then(a.id.cmp(&b.id))
    });
    rounds
}

/// Compares a loaded cohort.
pub fn compare(
    sct: &Sct,
    loaded: Loaded,
    attributes: Option<OrgAttributes>,
    kpis: Option<(&KpiSet, &KpiData, String)>,
    options: &CompareOptions,
) -> Result<Comparison, Error> {
    let organisations: &Organisations = &sct.organisations;
    let attributes = attributes.unwrap_or_else(|| OrgAttributes::from_organisations(organisations));
    let rounds = rounds_of(&loaded);
    let with_orgs: Vec<&RoundInfo> = rounds.iter().filter(|r| r.organisations > 0).collect();
    let (round, round_choice) = choose_round(options, &with_orgs)?;
    let against = choose_against(options, &with_orgs, &round)?;
    let current: Vec<&OrgResponse> = loaded
        .organisations
        .iter()
        .filter(|o| o.round == round)
        .collect();
    let frame = round_frame(sct, &current, &round)?;
    let group_by = choose_group_by(options, &attributes)?;
    let cohort = cohort_view(&round, &current, &frame, group_by.as_deref(), &attributes);
    let groups = group_by
        .as_deref()
        .map(|g| group_view(&current, &frame, g, &attributes));
    let longitudinal = match &against {
        Some(a) => Some(
            longitudinal(
                &round,
                a,
                &loaded.organisations,
                &frame,
                organisations,
                &attributes,
                options.mapping.as_ref(),
            )
            .map_err(|e| {
                invalid(
                    e.to_string(),
                    "responses of both rounds assessed against one toolkit, or a capability mapping between the two",
                )
            })?,
        ),
        None => None,
    };
    let people = people_summaries(&round, &loaded.people, &current, &frame);
    let codes: Vec<String> = current.iter().map(|o| o.code.clone()).collect();
    let (kpi_funnels, kpi_source) = match kpis {
        Some((set, data, source)) => (kpi::funnels(set, data, &codes), Some(source)),
        None => (Vec::new(), None),
    };
    let notices = notices(&loaded.organisations);
    let method = method(
        groups.as_ref(),
        longitudinal.as_ref(),
        !kpi_funnels.is_empty(),
    );
    let responses = loaded
        .organisations
        .iter()
        .map(|o| FileUsed {
            file: o.file.clone(),
            sha256: o.sha256.clone(),
        })
        .collect();
    Ok(Comparison {
        schema: "sct-compare/1",
        notices,
        provenance: Provenance {
            sct_version: env!("CARGO_PKG_VERSION").to_string(),
            toolkit: frame.toolkit.clone(),
            organisations: FileUsed {
                file: organisations.source_name.clone(),
                sha256: organisations.sha256.clone(),
            },
            attributes: match &attributes.sha256 {
                Some(s) => format!("{} (sha256 {s})", attributes.source),
                None => attributes.source.clone(),
            },
            kpis: kpi_source,
            responses,
        },
        frame,
        rounds,
        cohort,
        round_choice,
        groups,
        longitudinal,
        people,
        people_rule: individuals::rule(),
        kpis: kpi_funnels,
        skipped: loaded.skipped,
        method,
    })
}

/// The responses' notices (for example that they are synthetic), each once, in file order.
fn notices(organisations: &[OrgResponse]) -> Vec<String> {
    let mut notices: Vec<String> = Vec::new();
    for o in organisations {
        if !o.notice.trim().is_empty() && !notices.contains(&o.notice) {
            notices.push(o.notice.clone());
        }
    }
    notices
}

/// The round to compare, and how it was chosen, in words: `--round`, else the latest.
fn choose_round(
    options: &CompareOptions,
    with_orgs: &[&RoundInfo],
) -> Result<(String, String), Error> {
    let known = || known_rounds(with_orgs);
    Ok(match &options.round {
        Some(r) if with_orgs.iter().any(|x| &x.id == r) => (r.clone(), format!("{r} (--round)")),
        Some(r) => {
            return Err(invalid(
                format!(
                    "round {r} was asked for, but no organisation's response is for it (rounds found: {})",
                    known()
                ),
                "a round id of the responses given",
            ));
        }
        None => match with_orgs.last() {
            Some(r) => (
                r.id.clone(),
                format!("{} (the latest round in the inputs)", r.id),
            ),
            None => {
                return Err(invalid(
                    "no organisation's assessment among the responses".into(),
                    "at least one organisation response (type = \"organisation\")",
                ));
            }
        },
    })
}

/// The rounds with organisations' responses, for messages.
fn known_rounds(with_orgs: &[&RoundInfo]) -> String {
    with_orgs
        .iter()
        .map(|r| r.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The round to compare against: `--against`, else the one before `round`, if any.
fn choose_against(
    options: &CompareOptions,
    with_orgs: &[&RoundInfo],
    round: &str,
) -> Result<Option<String>, Error> {
    let known = || known_rounds(with_orgs);
    Ok(match &options.against {
        Some(a) if a == round => {
            return Err(invalid(
                format!("round {a}, to compare against, is the round being compared"),
                "an earlier round",
            ));
        }
        Some(a) if with_orgs.iter().any(|x| &x.id == a) => Some(a.clone()),
        Some(a) => {
            return Err(invalid(
                format!(
                    "round {a} was asked for to compare against, but no organisation's response is for it (rounds found: {})",
                    known()
                ),
                "a round id of the responses given",
            ));
        }
        None => {
            let i = with_orgs.iter().position(|r| r.id == round).unwrap_or(0);
            (i > 0).then(|| with_orgs[i - 1].id.clone())
        }
    })
}

/// The toolkit the round's responses were assessed against (one per round), as a frame.
fn round_frame(sct: &Sct, current: &[&OrgResponse], round: &str) -> Result<Frame, Error> {
    let toolkits: BTreeSet<&str> = current.iter().map(|o| o.toolkit.as_str()).collect();
    if toolkits.len() > 1 {
        return Err(invalid(
            format!(
                "round {round} mixes toolkits ({}); one round is compared against one toolkit",
                toolkits.into_iter().collect::<Vec<_>>().join(", ")
            ),
            "responses of one round assessed against the same toolkit version",
        ));
    }
    let toolkit_key = toolkits.into_iter().next().unwrap_or_default().to_string();
    let (tid, tver) = toolkit_key
        .split_once('@')
        .unwrap_or((toolkit_key.as_str(), ""));
    let toolkit = sct
        .registry
        .get(tid, Some(tver))?
        .as_toolkit()
        .ok_or_else(|| {
            invalid(
                format!("{toolkit_key} is not a capability toolkit"),
                "a capability toolkit",
            )
        })?;
    Ok(Frame::of(toolkit))
}

/// The field to group by: `--group-by`, else `cluster` or `region` where the table has it.
fn choose_group_by(
    options: &CompareOptions,
    attributes: &OrgAttributes,
) -> Result<Option<String>, Error> {
    let group_by = options.group_by.clone().or_else(|| {
        if attributes.has_column("cluster") {
            Some("cluster".into())
        } else if attributes.has_column("region") {
            Some("region".into())
        } else {
            None
        }
    });
    if let Some(g) = &group_by
        && !attributes.has_column(g)
    {
        return Err(invalid(
            format!(
                "cannot group by {g}: the organisations table ({}) has no such column (it has: {})",
                attributes.source,
                attributes.columns.join(", ")
            ),
            "a column of the organisations table, such as region or cluster",
        ));
    }
    Ok(group_by)
}

/// The method, paragraph by paragraph.
fn method(
    groups: Option<&GroupView>,
    longitudinal: Option<&Longitudinal>,
    kpis: bool,
) -> Vec<String> {
    let mut method = vec![
        "Levels are compared as the toolkit's level ranks (Starting out = 1 … Mastering = 5); a domain is shown at the level its score reaches under the toolkit's scoring. Organisations are never ranked: each is placed in the top quarter (a level above the cohort's upper quartile), the middle half, or the bottom quarter (a level below the lower quartile), judged on whole levels, so differences smaller than a level never separate organisations and equal levels always share a position.".to_string(),
        QUARTILE_METHOD.to_string(),
        format!("Answers of n/a and unanswered capabilities are counted and shown, never imputed. A capability answered by fewer than {:.0} % of the organisations it applies to, or an organisation answering fewer than {:.0} % of its applicable capabilities (or differing from the cohort's median coverage by more than {:.0} points), is flagged as unsafe to compare.", cohort::SAFE_COVERAGE * 100.0, cohort::SAFE_COVERAGE * 100.0, cohort::COVERAGE_SPREAD * 100.0),
    ];
    if let Some(g) = groups {
        method.push(g.method.clone());
    }
    if let Some(l) = longitudinal {
        method.push(l.method.clone());
    }
    if kpis {
        method.push(format!("KPI funnels: {} Each organisation's series is also shown as a small XmR chart (Making Data Count under the ptd-0.2.2 profile's defaults: one segment, no rebases, periods either side of a gap treated as consecutive, whatever the number of points).", sct_kpi::funnel::PROPORTION_METHOD));
    }
    method
}
