//! Aggregating individual self-assessments for one organisation: the distribution of
//! people's levels per capability beside the organisation's own rating, with any group of
//! fewer than [`MIN_GROUP_SIZE`] people suppressed so no individual can be identified.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::assessment::Assessment;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::error::Error;
use crate::model::{CapabilityToolkit, ResponseType};
use crate::provenance::FileUsed;

/// The smallest group whose figures are shown.
pub const MIN_GROUP_SIZE: usize = 5;

/// One capability's distribution of individual levels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityDistribution {
    /// Capability id.
    pub id: String,
    /// Capability title.
    pub title: String,
    /// The individual competency's name.
    pub competency: String,
    /// The organisation's own rating (level rank), if given.
    pub organisation_level: Option<usize>,
    /// The organisation's own rating's level name, if given.
    pub organisation_level_name: Option<String>,
    /// People who rated themselves on it.
    pub respondents: usize,
    /// Whether the figures are withheld (fewer than the minimum group size).
    pub suppressed: bool,
    /// People at each level, lowest first (empty when suppressed).
    pub counts: Vec<usize>,
    /// Median level rank (None when suppressed).
    pub median: Option<f64>,
}

/// One role group's summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleGroup {
    /// The role group's name.
    pub name: String,
    /// People in the group.
    pub people: usize,
    /// Whether the group's figures are withheld.
    pub suppressed: bool,
    /// Median level per capability id (empty when suppressed; only capabilities with at
    /// least the minimum number of respondents in the group).
    pub medians: BTreeMap<String, f64>,
}

/// Individual self-assessments of one organisation, aggregated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndividualsSummary {
    /// The minimum group size applied.
    pub min_group_size: usize,
    /// People (self-assessments) in all.
    pub people: usize,
    /// Per capability with an individual competency.
    pub capabilities: Vec<CapabilityDistribution>,
    /// Per role group, by name.
    pub role_groups: Vec<RoleGroup>,
    /// The files aggregated.
    pub files: Vec<FileUsed>,
    /// The suppression rule in words.
    pub rule: String,
}

/// Median of level ranks (mean of the middle two for an even count).
pub fn median(ranks: &mut [usize]) -> Option<f64> {
    if ranks.is_empty() {
        return None;
    }
    ranks.sort_unstable();
    let n = ranks.len();
    Some(if n % 2 == 1 {
        ranks[n / 2] as f64
    } else {
        (ranks[n / 2 - 1] + ranks[n / 2]) as f64 / 2.0
    })
}

/// Checks that `people` are individual self-assessments of the organisation `ods_code` against
/// `toolkit`, each person once; errors name the file.
pub fn check_individuals(
    people: &[Assessment],
    ods_code: &str,
    toolkit: &CapabilityToolkit,
) -> Result<(), Error> {
    let mut diags = Diagnostics::default();
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for p in people {
        let here = |msg: String| Diagnostic::error(msg).in_file(&p.source_name);
        if p.response_type != ResponseType::Individual {
            diags.push(
                here("this is not an individual self-assessment".into())
                    .expected("type = \"individual\" and a [person] table"),
            );
            continue;
        }
        if !p.ods_code.eq_ignore_ascii_case(ods_code) {
            diags.push(
                here(format!(
                    "this self-assessment is for organisation \"{}\", not {ods_code}",
                    p.ods_code
                ))
                .expected(format!("ods_code = \"{ods_code}\"")),
            );
        }
        if p.toolkit_id != *toolkit.id.get_ref() || p.toolkit_version != *toolkit.version.get_ref()
        {
            diags.push(here(format!(
                "made for {} {}, but the organisation's response uses {} {}",
                p.toolkit_id,
                p.toolkit_version,
                toolkit.id.get_ref(),
                toolkit.version.get_ref()
            )));
        }
        if let Some(person) = &p.person {
            if let Some(first) = seen.get(&person.id) {
                diags.push(
                    here(format!(
                        "person \"{}\" also has a self-assessment in {first}",
                        person.id
                    ))
                    .expected("one self-assessment per person"),
                );
            } else {
                seen.insert(person.id.clone(), &p.source_name);
            }
        }
    }
    if diags.has_errors() {
        Err(Error::Invalid(diags))
    } else {
        Ok(())
    }
}

/// Aggregates `people` (already checked with [`check_individuals`]) beside the
/// organisation's own assessment.
pub fn summarise(
    toolkit: &CapabilityToolkit,
    organisation: &Assessment,
    people: &[Assessment],
) -> IndividualsSummary {
    let levels = toolkit.levels.len();
    let mut capabilities = Vec::new();
    for (_, cap) in toolkit.capabilities() {
        let Some(ind) = &cap.individual else { continue };
        let id = cap.id.get_ref();
        let mut ranks: Vec<usize> = people
            .iter()
            .filter_map(|p| p.answers.get(id).and_then(|a| a.rank()))
            .collect();
        let respondents = ranks.len();
        let suppressed = respondents < MIN_GROUP_SIZE;
        let mut counts = vec![0; levels];
        for r in &ranks {
            if let Some(c) = counts.get_mut(r - 1) {
                *c += 1;
            }
        }
        capabilities.push(CapabilityDistribution {
            id: id.clone(),
            title: cap.title.clone(),
            competency: ind.competency.clone(),
            organisation_level: organisation.answers.get(id).and_then(|a| a.rank()),
            organisation_level_name: organisation
                .answers
                .get(id)
                .and_then(|a| a.rank())
                .and_then(|r| toolkit.level_by_rank(r))
                .map(|l| l.name.clone()),
            respondents,
            suppressed,
            counts: if suppressed { Vec::new() } else { counts },
            median: if suppressed { None } else { median(&mut ranks) },
        });
    }
    let mut groups: BTreeMap<String, Vec<&Assessment>> = BTreeMap::new();
    for p in people {
        let name = p
            .person
            .as_ref()
            .map(|x| x.role_group.trim())
            .filter(|g| !g.is_empty())
            .unwrap_or("(no role group)");
        groups.entry(name.to_string()).or_default().push(p);
    }
    let role_groups = groups
        .into_iter()
        .map(|(name, members)| {
            let suppressed = members.len() < MIN_GROUP_SIZE;
            let mut medians = BTreeMap::new();
            if !suppressed {
                for c in &capabilities {
                    let mut ranks: Vec<usize> = members
                        .iter()
                        .filter_map(|p| p.answers.get(&c.id).and_then(|a| a.rank()))
                        .collect();
                    if ranks.len() >= MIN_GROUP_SIZE
                        && let Some(m) = median(&mut ranks)
                    {
                        medians.insert(c.id.clone(), m);
                    }
                }
            }
            RoleGroup {
                name,
                people: members.len(),
                suppressed,
                medians,
            }
        })
        .collect();
    IndividualsSummary {
        min_group_size: MIN_GROUP_SIZE,
        people: people.len(),
        capabilities,
        role_groups,
        files: people
            .iter()
            .map(|p| FileUsed {
                file: p.source_name.clone(),
                sha256: p.source_sha256.clone(),
            })
            .collect(),
        rule: format!(
            "Figures for any group of fewer than {MIN_GROUP_SIZE} people (a capability rated by fewer than {MIN_GROUP_SIZE} people, or a role group of fewer than {MIN_GROUP_SIZE}) are withheld so that no individual can be identified. The median is the middle level (the mean of the middle two for an even count)."
        ),
    }
}
