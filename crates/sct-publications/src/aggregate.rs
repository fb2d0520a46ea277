//! Providers and sub-ICB locations summed to their ICBs. Counts are summed; proportions and
//! means are recomputed from summed numerators and denominators, never averaged; figures
//! that cannot be combined (centiles), and ambulance trusts' figures (a trust serves several
//! ICBs), are passed through as they are. Every ICB figure records which
//! organisations went into it, and organisations the lookup does not know are returned, not
//! dropped.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::lookup::Lookup;
use crate::model::{IcbBasis, Measure, MeasureKind, Observation, OrgLevel, Organisation, Period};

/// One ICB figure and the organisations summed into it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IcbObservation {
    /// The figure, for the ICB.
    pub observation: Observation,
    /// The codes of the organisations it sums, in order.
    pub members: Vec<String>,
}

/// The result of aggregating to ICBs.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Aggregation {
    /// ICB figures, by ICB code, measure and period.
    pub icbs: Vec<IcbObservation>,
    /// Organisations (providers or locations) the lookup does not know, each once, with the
    /// number of their observations that could not be placed.
    pub unmapped: Vec<(Organisation, usize)>,
    /// Observations that are national or regional already, or that cannot be combined:
    /// passed through unchanged.
    pub passed_through: Vec<Observation>,
}

/// Sums provider and sub-ICB observations to ICBs through `lookup`.
pub fn to_icbs(observations: &[Observation], lookup: &Lookup) -> Aggregation {
    let mut sums: BTreeMap<(String, Measure, Period), Sum> = BTreeMap::new();
    let mut unmapped: BTreeMap<String, (Organisation, usize)> = BTreeMap::new();
    let mut passed_through = Vec::new();
    for o in observations {
        let combinable = o.measure.kind() != MeasureKind::AsPublished
            && o.measure.icb_basis() == IcbBasis::SummedFromProviders;
        let below_icb = matches!(o.organisation.level, OrgLevel::Provider | OrgLevel::SubIcb);
        if !(combinable && below_icb) {
            passed_through.push(o.clone());
            continue;
        }
        let Some(member) = lookup.get(&o.organisation.code) else {
            unmapped
                .entry(o.organisation.code.clone())
                .or_insert_with(|| (o.organisation.clone(), 0))
                .1 += 1;
            continue;
        };
        let sum = sums
            .entry((member.icb.clone(), o.measure, o.period))
            .or_insert_with(|| Sum::new(member.icb_name.clone()));
        sum.add(o);
    }
    let icbs = sums
        .into_iter()
        .map(|((icb, measure, period), sum)| sum.finish(icb, measure, period))
        .collect();
    Aggregation {
        icbs,
        unmapped: unmapped.into_values().collect(),
        passed_through,
    }
}

/// A running sum for one ICB, measure and period.
struct Sum {
    icb_name: Option<String>,
    numerator: f64,
    denominator: f64,
    /// Whether every member had a numerator (and, where needed, a denominator).
    complete: bool,
    members: Vec<String>,
}

impl Sum {
    fn new(icb_name: Option<String>) -> Sum {
        Sum {
            icb_name,
            numerator: 0.0,
            denominator: 0.0,
            complete: true,
            members: Vec::new(),
        }
    }

    fn add(&mut self, o: &Observation) {
        match (o.numerator, o.denominator, o.measure.kind()) {
            (Some(n), _, MeasureKind::Count) => self.numerator += n,
            (Some(n), Some(d), _) => {
                self.numerator += n;
                self.denominator += d;
            }
            _ => self.complete = false,
        }
        if !self.members.contains(&o.organisation.code) {
            self.members.push(o.organisation.code.clone());
        }
    }

    fn finish(self, icb: String, measure: Measure, period: Period) -> IcbObservation {
        let organisation = Organisation {
            name: self.icb_name.clone().unwrap_or_default(),
            code: icb,
            level: OrgLevel::Icb,
            parent: None,
        };
        let (numerator, denominator, value) = match (measure.kind(), self.complete) {
            (_, false) => (None, None, None),
            (MeasureKind::Count, true) => (Some(self.numerator), None, Some(self.numerator)),
            (MeasureKind::Proportion, true) => (
                Some(self.numerator),
                Some(self.denominator),
                (self.denominator > 0.0).then(|| 100.0 * self.numerator / self.denominator),
            ),
            (_, true) => (
                Some(self.numerator),
                Some(self.denominator),
                (self.denominator > 0.0).then(|| self.numerator / self.denominator),
            ),
        };
        let mut members = self.members;
        members.sort();
        IcbObservation {
            observation: Observation {
                organisation,
                measure,
                period,
                numerator,
                denominator,
                value,
                lower: None,
                upper: None,
                line: 0,
            },
            members,
        }
    }
}
