//! Individual competency data across a cohort: per organisation and capability, the
//! distribution of its people's own levels beside the organisation's rating, any group of
//! fewer than five people withheld, and the gap between the organisation's rating and its
//! people's median (a prompt for moderation, not a verdict).

use std::collections::BTreeMap;

use serde::Serialize;

use sct_core::individuals::{MIN_GROUP_SIZE, median};

use crate::cohort::Frame;
use crate::load::{OrgResponse, PersonResponse};

/// One capability of one organisation's people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeopleCapability {
    /// Capability id.
    pub id: String,
    /// Title.
    pub title: String,
    /// People who rated themselves on it.
    pub respondents: usize,
    /// Withheld (fewer than the minimum group size).
    pub suppressed: bool,
    /// People at each level (empty when withheld).
    pub counts: Vec<usize>,
    /// People's median level (None when withheld).
    pub median: Option<f64>,
    /// The organisation's own rating.
    pub organisation_level: Option<u8>,
    /// Its level name.
    pub organisation_level_name: Option<String>,
    /// Organisation's rating − people's median (None when either is missing or withheld).
    pub gap: Option<f64>,
}

/// One organisation's people.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeopleSummary {
    /// ODS code.
    pub code: String,
    /// Name (from its response, when there is one).
    pub name: String,
    /// People (self-assessments).
    pub people: usize,
    /// The whole organisation withheld (fewer than the minimum group size).
    pub suppressed: bool,
    /// Per capability rated by anyone (empty when withheld).
    pub capabilities: Vec<PeopleCapability>,
}

/// The suppression and gap rules in words.
pub fn rule() -> String {
    format!(
        "Figures for any group of fewer than {MIN_GROUP_SIZE} people (an organisation, or a capability rated by fewer than {MIN_GROUP_SIZE} of its people) are withheld so that no individual can be identified. The gap is the organisation's own level minus its people's median level: a gap of a level or more either way is a prompt to moderate the rating, not a finding."
    )
}

/// Summarises the people of round `round` per organisation.
pub fn people_summaries(
    round: &str,
    people: &[PersonResponse],
    orgs: &[&OrgResponse],
    frame: &Frame,
) -> Vec<PeopleSummary> {
    let mut by_org: BTreeMap<&str, Vec<&PersonResponse>> = BTreeMap::new();
    for p in people.iter().filter(|p| p.round == round) {
        by_org.entry(p.code.as_str()).or_default().push(p);
    }
    by_org
        .into_iter()
        .map(|(code, members)| {
            let org = orgs.iter().find(|o| o.code == code);
            let suppressed = members.len() < MIN_GROUP_SIZE;
            let capabilities = if suppressed {
                Vec::new()
            } else {
                frame
                    .capabilities()
                    .filter_map(|(_, id, title)| {
                        let mut ranks: Vec<usize> = members
                            .iter()
                            .filter_map(|p| p.levels.get(id).map(|&r| usize::from(r)))
                            .collect();
                        if ranks.is_empty() {
                            return None;
                        }
                        let respondents = ranks.len();
                        let suppressed = respondents < MIN_GROUP_SIZE;
                        let mut counts = vec![0; frame.levels.len()];
                        for &r in &ranks {
                            if let Some(c) = counts.get_mut(r.wrapping_sub(1)) {
                                *c += 1;
                            }
                        }
                        let med = if suppressed { None } else { median(&mut ranks) };
                        let organisation_level =
                            org.and_then(|o| o.answers.get(id)).and_then(|c| c.rank());
                        Some(PeopleCapability {
                            id: id.to_string(),
                            title: title.to_string(),
                            respondents,
                            suppressed,
                            counts: if suppressed { Vec::new() } else { counts },
                            median: med,
                            organisation_level,
                            organisation_level_name: organisation_level
                                .map(|r| frame.level_name(r)),
                            gap: match (organisation_level, med) {
                                (Some(l), Some(m)) => Some(f64::from(l) - m),
                                _ => None,
                            },
                        })
                    })
                    .collect()
            };
            PeopleSummary {
                code: code.to_string(),
                name: org.map(|o| o.name.clone()).unwrap_or_default(),
                people: members.len(),
                suppressed,
                capabilities,
            }
        })
        .collect()
}
