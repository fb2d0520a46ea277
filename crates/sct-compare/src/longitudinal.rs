//! Two rounds compared (`--against`): paired change per organisation, how many moved up or
//! down a level per capability, and every organisation that did not submit both rounds,
//! listed with the reason.
//!
//! Across a reorganisation, an organisation of the later round is paired with its
//! predecessors (the successions table): a successor made of **whole** predecessors is
//! compared with their aggregate (population-weighted where every predecessor's population
//! is known, else equally weighted; said which); a successor that took **part** of a split
//! predecessor is not comparable, since the part's share cannot be known from the table. A
//! change of toolkit between rounds is followed only through an explicit capability mapping.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use sct_core::Organisations;
use sct_core::model::organisation::Share;

use crate::attributes::OrgAttributes;
use crate::cohort::Frame;
use crate::groups::weighted_mean;
use crate::load::OrgResponse;

/// How a baseline was found for an organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedOrg {
    /// ODS code in the later round.
    pub code: String,
    /// Name.
    pub name: String,
    /// The earlier round's organisations it is compared with.
    pub baseline: Vec<String>,
    /// How, in words.
    pub relation: String,
    /// Per domain (frame order): later score − earlier score.
    pub domain_changes: Vec<Option<f64>>,
    /// Per capability (frame order): later level − earlier level (a weighted mean for an
    /// aggregated baseline, so possibly fractional).
    pub capability_changes: Vec<Option<f64>>,
    /// Capabilities up by at least a whole level.
    pub up: usize,
    /// Capabilities down by at least a whole level.
    pub down: usize,
    /// Capabilities compared that moved less than a whole level.
    pub same: usize,
}

/// One capability across the paired organisations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityChange {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Organisations with a level in both rounds.
    pub paired: usize,
    /// Moved up at least a whole level.
    pub up: usize,
    /// Moved down at least a whole level.
    pub down: usize,
    /// Moved less than a whole level.
    pub same: usize,
}

/// An organisation left out of the pairing, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unpaired {
    /// ODS code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The round it is in.
    pub round: String,
    /// Why it is not compared.
    pub reason: String,
}

/// Two rounds compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Longitudinal {
    /// The later round.
    pub round: String,
    /// The earlier round.
    pub against: String,
    /// Paired organisations, by code.
    pub paired: Vec<PairedOrg>,
    /// Per capability.
    pub capabilities: Vec<CapabilityChange>,
    /// Organisations not compared, with reasons.
    pub unpaired: Vec<Unpaired>,
    /// The capability mapping used between toolkit versions, if any (earlier → later).
    pub mapping: Option<String>,
    /// The method in words.
    pub method: String,
}

/// Errors comparing two rounds.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LongitudinalError {
    /// The rounds used different toolkits and no mapping was given.
    #[error(
        "round {against} was assessed against {from} and round {round} against {to}: comparing them needs a capability mapping (--mapping FILE, columns from,to), never a guess"
    )]
    NeedsMapping {
        /// Earlier round.
        against: String,
        /// Later round.
        round: String,
        /// Earlier toolkit.
        from: String,
        /// Later toolkit.
        to: String,
    },
}

/// A capability mapping from an earlier toolkit's ids to a later one's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapabilityMapping {
    /// Where it came from.
    pub source: String,
    /// Earlier id → later id.
    pub map: BTreeMap<String, String>,
}

impl CapabilityMapping {
    /// Reads a capability mapping CSV (columns `from,to`: an earlier round's capability id
    /// and the later toolkit's), every malformed row named by its line.
    pub fn read(path: &std::path::Path) -> Result<CapabilityMapping, sct_core::Error> {
        use sct_core::diagnostic::Location;
        use sct_core::{Diagnostic, Diagnostics, Error, SourceFile};
        let src = SourceFile::read(path)?;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(src.text.as_bytes());
        let headers = reader.headers().cloned().unwrap_or_default();
        let (Some(fi), Some(ti)) = (
            headers.iter().position(|h| h == "from"),
            headers.iter().position(|h| h == "to"),
        ) else {
            return Err(Error::Invalid(Diagnostics(vec![
                Diagnostic::error("the mapping has no `from` and `to` columns")
                    .in_file(&src.name)
                    .expected(
                        "columns from,to: an earlier round's capability id and the later toolkit's",
                    ),
            ])));
        };
        let mut map = BTreeMap::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| {
                Error::Invalid(Diagnostics(vec![
                    Diagnostic::csv_row(&e, Some(&headers)).at(Location {
                        file: src.name.clone(),
                        line: sct_core::csv_line::record_line(src.text.as_bytes(), e.position()),
                        column: 1,
                        snippet: None,
                    }),
                ]))
            })?;
            map.insert(
                rec.get(fi).unwrap_or("").to_string(),
                rec.get(ti).unwrap_or("").to_string(),
            );
        }
        Ok(CapabilityMapping {
            source: src.name.clone(),
            map,
        })
    }
}

/// Compares round `round` with `against`. `orgs` holds every response of both rounds.
pub fn longitudinal(
    round: &str,
    against: &str,
    orgs: &[OrgResponse],
    frame: &Frame,
    organisations: &Organisations,
    attributes: &OrgAttributes,
    mapping: Option<&CapabilityMapping>,
) -> Result<Longitudinal, LongitudinalError> {
    let later: BTreeMap<&str, &OrgResponse> = orgs
        .iter()
        .filter(|o| o.round == round)
        .map(|o| (o.code.as_str(), o))
        .collect();
    let earlier: BTreeMap<&str, &OrgResponse> = orgs
        .iter()
        .filter(|o| o.round == against)
        .map(|o| (o.code.as_str(), o))
        .collect();
    let toolkit_of = |m: &BTreeMap<&str, &OrgResponse>| {
        m.values()
            .map(|o| o.toolkit.clone())
            .collect::<BTreeSet<_>>()
    };
    let (from, to) = (toolkit_of(&earlier), toolkit_of(&later));
    if from != to && mapping.is_none() {
        return Err(LongitudinalError::NeedsMapping {
            against: against.into(),
            round: round.into(),
            from: from.into_iter().collect::<Vec<_>>().join(", "),
            to: to.into_iter().collect::<Vec<_>>().join(", "),
        });
    }
    // Earlier answers under the later toolkit's capability ids.
    let earlier_level = |o: &OrgResponse, later_id: &str| -> Option<f64> {
        let id = match mapping {
            Some(m) => m
                .map
                .iter()
                .find(|(_, to)| to.as_str() == later_id)
                .map(|(f, _)| f.as_str())?,
            None => later_id,
        };
        o.answers.get(id).and_then(|c| c.rank()).map(f64::from)
    };
    let caps: Vec<(&str, &str)> = frame.capabilities().map(|(_, id, t)| (id, t)).collect();
    let mut paired = Vec::new();
    let mut unpaired = Vec::new();
    let mut used_earlier: BTreeSet<String> = BTreeSet::new();
    for (code, now) in &later {
        let preds: Vec<_> = organisations
            .successions
            .iter()
            .filter(|s| {
                s.successor.eq_ignore_ascii_case(code) && !s.predecessor.eq_ignore_ascii_case(code)
            })
            .collect();
        let (baseline, relation): (Vec<&OrgResponse>, String) = if let Some(then) =
            earlier.get(code)
        {
            let gained: Vec<&str> = preds.iter().map(|s| s.predecessor.as_str()).collect();
            let rel = if gained.is_empty() {
                "the same organisation".to_string()
            } else {
                format!(
                    "the same organisation (it also gained part of {}: the comparison is indicative)",
                    gained.join(", ")
                )
            };
            (vec![*then], rel)
        } else if preds.is_empty() {
            unpaired.push(Unpaired {
                code: code.to_string(),
                name: now.name.clone(),
                round: round.into(),
                reason: format!(
                    "no response to {against} and no predecessor in the successions table"
                ),
            });
            continue;
        } else if preds.iter().any(|s| s.share == Share::Part) {
            let split_codes: Vec<&str> = preds
                .iter()
                .filter(|s| s.share == Share::Part)
                .map(|s| s.predecessor.as_str())
                .collect();

            unpaired.push(Unpaired {
                code: code.to_string(),
                name: now.name.clone(),
                round: round.into(),
                reason: format!(
                    "not comparable: it took part of {} (split between successors); the share that passed to it is not known, so its baseline cannot be formed without user-supplied shares",
                    split_codes.join(", ")
                ),
            });
            continue;
        } else {
            let missing: Vec<&str> = preds
                .iter()
                .filter(|s| !earlier.contains_key(s.predecessor.to_ascii_uppercase().as_str()))
                .map(|s| s.predecessor.as_str())
                .collect();
            if !missing.is_empty() {
                unpaired.push(Unpaired {
                    code: code.to_string(),
                    name: now.name.clone(),
                    round: round.into(),
                    reason: format!("predecessor {} did not respond to {against}, so the merged baseline is incomplete", missing.join(", ")),
                });
                continue;
            }
            let base: Vec<&OrgResponse> = preds
                .iter()
                .filter_map(|s| {
                    earlier
                        .get(s.predecessor.to_ascii_uppercase().as_str())
                        .copied()
                })
                .collect();
            let weighted = base
                .iter()
                .all(|o| attributes.population(&o.code).is_some());
            let rel = format!(
                "successor of {} (whole successions), compared with their {} aggregate",
                base.iter()
                    .map(|o| o.code.as_str())
                    .collect::<Vec<_>>()
                    .join(" and "),
                if weighted {
                    "population-weighted"
                } else {
                    "equally weighted (populations not all known)"
                }
            );
            (base, rel)
        };
        for b in &baseline {
            used_earlier.insert(b.code.clone());
        }
        let weights: Vec<f64> = {
            let all = baseline
                .iter()
                .all(|o| attributes.population(&o.code).is_some());
            baseline
                .iter()
                .map(|o| {
                    if all {
                        attributes.population(&o.code).unwrap_or(1.0)
                    } else {
                        1.0
                    }
                })
                .collect()
        };
        let agg = |f: &dyn Fn(&OrgResponse) -> Option<f64>| -> Option<f64> {
            let vals: Vec<(f64, f64)> = baseline
                .iter()
                .zip(&weights)
                .filter_map(|(o, &w)| f(o).map(|v| (v, w)))
                .collect();
            // Every part of the baseline must have answered: a partial aggregate is not the
            // same organisation's baseline.
            (vals.len() == baseline.len())
                .then(|| weighted_mean(&vals))
                .flatten()
        };
        let domain_changes = frame
            .domains
            .iter()
            .map(|d| {
                let then = agg(&|o: &OrgResponse| o.domain_scores.get(&d.id).copied().flatten());
                let now_s = now.domain_scores.get(&d.id).copied().flatten();
                Some(now_s? - then?)
            })
            .collect();
        let capability_changes: Vec<Option<f64>> = caps
            .iter()
            .map(|(id, _)| {
                let then = agg(&|o: &OrgResponse| earlier_level(o, id));
                let now_l = now.answers.get(*id).and_then(|c| c.rank()).map(f64::from);
                Some(now_l? - then?)
            })
            .collect();
        let (up, down, same) = tally(&capability_changes);
        paired.push(PairedOrg {
            code: code.to_string(),
            name: now.name.clone(),
            baseline: baseline.iter().map(|o| o.code.clone()).collect(),
            relation,
            domain_changes,
            capability_changes,
            up,
            down,
            same,
        });
    }
    for (code, then) in &earlier {
        if used_earlier.contains(*code) || later.contains_key(code) {
            continue;
        }
        let successors: Vec<&str> = organisations
            .successions
            .iter()
            .filter(|s| s.predecessor.eq_ignore_ascii_case(code))
            .map(|s| s.successor.as_str())
            .collect();
        let answered: Vec<&str> = successors
            .iter()
            .copied()
            .filter(|s| later.contains_key(s.to_ascii_uppercase().as_str()))
            .collect();
        let not: Vec<&str> = successors
            .iter()
            .copied()
            .filter(|s| !answered.contains(s))
            .collect();
        let reason = if successors.is_empty() {
            format!("no response to {round}")
        } else if !answered.is_empty() {
            format!(
                "passed to {} on reorganisation; not compared (see {} in {round}){}",
                successors.join(" and "),
                answered.join(" and "),
                if !not.is_empty() {
                    format!("; {} did not respond to {round}", not.join(" and "))
                } else {
                    String::new()
                }
            )
        } else {
            format!(
                "succeeded by {}, which did not respond to {round}",
                successors.join(" and ")
            )
        };
        unpaired.push(Unpaired {
            code: code.to_string(),
            name: then.name.clone(),
            round: against.into(),
            reason,
        });
    }
    let capabilities = caps
        .iter()
        .enumerate()
        .map(|(i, (id, title))| {
            let changes: Vec<Option<f64>> =
                paired.iter().map(|p| p.capability_changes[i]).collect();
            let (up, down, same) = tally(&changes);
            CapabilityChange {
                id: id.to_string(),
                title: title.to_string(),
                paired: up + down + same,
                up,
                down,
                same,
            }
        })
        .collect();
    Ok(Longitudinal {
        round: round.into(),
        against: against.into(),
        paired,
        capabilities,
        unpaired,
        mapping: mapping.map(|m| m.source.clone()),
        method: format!(
            "Each organisation of {round} is paired with its own response to {against}, or, when it was formed on a reorganisation, with the aggregate of the predecessors that passed to it whole (the mean of their levels and scores, weighted by population where every predecessor's population is known, else equally; a capability is compared only where every predecessor answered it). A successor that took part of a split predecessor is shown as not comparable: the part's share cannot be known. An organisation moved up (or down) a capability when its level changed by at least one whole level; smaller changes (possible only against an aggregate) count as no change. Organisations without both rounds are listed with the reason, not dropped."
        ),
    })
}

/// (up, down, same) of level changes, a whole level being the resolution.
fn tally(changes: &[Option<f64>]) -> (usize, usize, usize) {
    let mut t = (0, 0, 0);
    for c in changes.iter().flatten() {
        if *c >= 1.0 - 1e-9 {
            t.0 += 1;
        } else if *c <= -1.0 + 1e-9 {
            t.1 += 1;
        } else {
            t.2 += 1;
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_smaller_than_a_level_are_no_change() {
        assert_eq!(
            tally(&[
                Some(1.0),
                Some(-2.0),
                Some(0.5),
                Some(-0.5),
                None,
                Some(0.0)
            ]),
            (1, 1, 3)
        );
    }
}
