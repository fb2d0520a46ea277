//! Organisations aggregated to groups (leadership clusters, regions, or any column of the
//! organisations table): per group and domain the weighted mean of its members' domain
//! scores, population-weighted where every member has a population, else equally weighted,
//! the weighting stated per group.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::attributes::OrgAttributes;
use crate::cohort::Frame;
use crate::load::OrgResponse;

/// One group's domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupCell {
    /// Weighted mean domain score of the members with a score.
    pub score: Option<f64>,
    /// The level that score reaches (each level from its own rank).
    pub level: Option<String>,
    /// That level's rank.
    pub rank: Option<u8>,
    /// Members with a score.
    pub members_scored: usize,
}

/// One group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    /// The group's value of the field.
    pub name: String,
    /// Its responding members' codes.
    pub members: Vec<String>,
    /// `population-weighted` or `equally weighted (population not known for …)`.
    pub weighting: String,
    /// Per domain, in frame order.
    pub domains: Vec<GroupCell>,
}

/// Organisations aggregated by one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupView {
    /// The field grouped by (`cluster`, `region`, …).
    pub field: String,
    /// Groups in name order.
    pub groups: Vec<GroupRow>,
    /// The method in words.
    pub method: String,
}

/// A weighted mean of (value, weight) pairs.
pub fn weighted_mean(values: &[(f64, f64)]) -> Option<f64> {
    let w: f64 = values.iter().map(|&(_, w)| w).sum();
    (w > 0.0).then(|| values.iter().map(|&(v, w)| v * w).sum::<f64>() / w)
}

/// The level a score reaches (each level from its own rank), as a name.
pub fn level_reached(score: f64, frame: &Frame) -> Option<String> {
    let rank = score.floor().clamp(1.0, frame.levels.len().max(1) as f64) as u8;
    score.is_finite().then(|| frame.level_name(rank))
}

/// Aggregates the organisations of a round by `field` of the organisations table.
pub fn group_view(
    orgs: &[&OrgResponse],
    frame: &Frame,
    field: &str,
    attributes: &OrgAttributes,
) -> GroupView {
    let mut by_group: BTreeMap<String, Vec<&OrgResponse>> = BTreeMap::new();
    for o in orgs {
        let g = attributes
            .get(&o.code, field)
            .unwrap_or("(none)")
            .to_string();
        by_group.entry(g).or_default().push(o);
    }
    let groups = by_group
        .into_iter()
        .map(|(name, members)| {
            let missing: Vec<&str> = members
                .iter()
                .filter(|o| attributes.population(&o.code).is_none())
                .map(|o| o.code.as_str())
                .collect();
            let weight = |o: &OrgResponse| {
                if missing.is_empty() {
                    attributes.population(&o.code).unwrap_or(1.0)
                } else {
                    1.0
                }
            };
            let weighting = if members.len() == 1 {
                "a single organisation".to_string()
            } else if missing.is_empty() {
                "population-weighted".to_string()
            } else {
                format!(
                    "equally weighted (population not known for {})",
                    missing.join(", ")
                )
            };
            let domains = frame
                .domains
                .iter()
                .map(|d| {
                    let vals: Vec<(f64, f64)> = members
                        .iter()
                        .filter_map(|o| {
                            o.domain_scores
                                .get(&d.id)
                                .copied()
                                .flatten()
                                .map(|s| (s, weight(o)))
                        })
                        .collect();
                    let score = weighted_mean(&vals);
                    GroupCell {
                        score,
                        level: score.and_then(|s| level_reached(s, frame)),
                        rank: score
                            .filter(|s| s.is_finite())
                            .map(|s| s.floor().clamp(1.0, frame.levels.len().max(1) as f64) as u8),
                        members_scored: vals.len(),
                    }
                })
                .collect();
            GroupRow {
                name,
                members: members.iter().map(|o| o.code.clone()).collect(),
                weighting,
                domains,
            }
        })
        .collect();
    GroupView {
        field: field.to_string(),
        groups,
        method: format!(
            "Each {field}'s domain score is the mean of its responding members' domain scores, weighted by population where the organisations table gives every member's population, else equally (stated per {field}); its level is the highest level the mean reaches. Members without a score for a domain are left out of that domain, not imputed."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn weighted_cluster_mean_hand_worked() {
        // BNSSG 950,000 at 3.0 and Gloucestershire 670,000 at 2.0:
        // (3 × 950 + 2 × 670) / 1620 = 4190 / 1620 = 2.5864…
        let m = weighted_mean(&[(3.0, 950_000.0), (2.0, 670_000.0)]).unwrap();
        assert_relative_eq!(m, 4190.0 / 1620.0, max_relative = 1e-12);
        assert_eq!(weighted_mean(&[]), None);
    }
}
