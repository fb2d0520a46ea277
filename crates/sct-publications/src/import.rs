//! Bringing published files into `sct`'s long form: one row per organisation, indicator and
//! period, from any number of files (a folder of monthly files makes one series), at the
//! level published or summed to ICBs, with ICB successions applied when asked. Everything
//! that happened to the data is returned for the provenance record: each file with its
//! checksum, layout and periods, which organisations went into each ICB figure, which
//! values a later file revised, which organisations no lookup knows, and which successions
//! could not be applied.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::aggregate::to_icbs;
use crate::detect::Publication;
use crate::lookup::Lookup;
use crate::model::{
    Extract, IcbBasis, Measure, MeasureKind, Observation, OrgLevel, Organisation, Period,
};

/// The level of the rows written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// As each publication gives them (providers, ICBs, regions, England).
    AsPublished,
    /// ICBs: summed from providers through the lookup, or as published for ICBs.
    Icb,
}

/// One ICB succession: the predecessor's figures become the successor's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuccessionRule {
    /// The ended ICB's code.
    pub predecessor: String,
    /// The ICB it passed to.
    pub successor: String,
    /// Whether the whole of it passed (a part cannot be placed without a finer lookup).
    pub whole: bool,
}

/// How to import.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions<'a> {
    /// The level of the rows.
    pub level: Level,
    /// Organisations to ICBs (needed for `Level::Icb` with A&E files).
    pub lookup: Option<&'a Lookup>,
    /// Successions to apply to ICB codes (none to leave codes as published).
    pub successions: &'a [SuccessionRule],
    /// At ICB level, keep the figures of organisations no lookup knows as their own rows
    /// (else they are left out; either way they are listed in [`Import::unmapped`]).
    pub keep_unmapped: bool,
}

/// One row of the long form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LongRow {
    /// Organisation code.
    pub organisation: String,
    /// Indicator id.
    pub indicator: String,
    /// Period, as `sct` writes it.
    pub period: String,
    /// The value.
    pub value: f64,
    /// The numerator or count, where there is one.
    pub numerator: Option<f64>,
    /// The denominator, where there is one.
    pub denominator: Option<f64>,
}

/// One file read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    /// The file as named.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The layout it was read as.
    pub publication: Publication,
    /// The periods it covers.
    pub periods: Vec<String>,
    /// Values in it that a later file (one whose latest period is later) also gives, so
    /// that the later file's are used.
    pub superseded: usize,
    /// Of those, the values the later file gives differently: NHS England's revisions.
    pub revised_later: usize,
}

/// Which organisations one ICB figure sums.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Members {
    /// The ICB (after successions).
    pub icb: String,
    /// The indicator.
    pub indicator: String,
    /// The period.
    pub period: String,
    /// The organisations summed (providers; or predecessor ICBs, for a succession).
    pub members: Vec<String>,
}

/// What an import produced, and everything that happened on the way.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Import {
    /// The rows, by organisation, indicator and period.
    pub rows: Vec<LongRow>,
    /// Each indicator's name.
    pub indicators: BTreeMap<String, String>,
    /// Every file read.
    pub sources: Vec<Source>,
    /// The organisations behind each summed figure.
    pub members: Vec<Members>,
    /// Organisations no lookup knows, with how many of their figures could not be placed.
    pub unmapped: Vec<(Organisation, usize)>,
    /// Measures with no ICB figure at all (ambulance), left out at the ICB level.
    pub no_icb_figure: Vec<String>,
    /// Part successions not applied (the predecessor's figures kept under its own code).
    pub partial_successions: Vec<SuccessionRule>,
}

/// Imports extracts. Overlapping values (the same organisation, measure and period in two
/// files) are taken from the file whose latest period is later: the newer edition.
pub fn import(extracts: &[Extract], options: ImportOptions<'_>) -> Import {
    let mut order: Vec<&Extract> = extracts.iter().collect();
    order.sort_by(|a, b| {
        a.periods
            .last()
            .cmp(&b.periods.last())
            .then(a.file.cmp(&b.file))
    });
    let mut out = Import::default();
    let mut latest: BTreeMap<(String, Measure, Period), (usize, Observation)> = BTreeMap::new();
    for (i, extract) in order.iter().enumerate() {
        out.sources.push(Source {
            file: extract.file.clone(),
            sha256: extract.sha256.clone(),
            publication: extract.publication,
            periods: extract.periods.iter().map(Period::to_string).collect(),
            superseded: 0,
            revised_later: 0,
        });
        for o in &extract.observations {
            let key = (o.organisation.code.clone(), o.measure, o.period);
            if let Some((earlier, old)) = latest.insert(key, (i, o.clone()))
                && earlier != i
            {
                let source = &mut out.sources[earlier];
                source.superseded += 1;
                if (old.value, old.numerator, old.denominator)
                    != (o.value, o.numerator, o.denominator)
                {
                    source.revised_later += 1;
                }
            }
        }
        for measure in extract.observations.iter().map(|o| o.measure) {
            out.indicators
                .entry(measure.id())
                .or_insert_with(|| extract.title_of(measure));
        }
    }
    let observations: Vec<Observation> = latest.into_values().map(|(_, o)| o).collect();
    let at_level = match options.level {
        Level::AsPublished => observations,
        Level::Icb => icb_level(&observations, options, &mut out),
    };
    let renamed = apply_successions(at_level, options.successions, &mut out);
    out.rows = renamed.iter().filter_map(long_row).collect();
    out
}

/// The ICB figures: summed from providers, or the published ICB rows.
fn icb_level(
    observations: &[Observation],
    options: ImportOptions<'_>,
    out: &mut Import,
) -> Vec<Observation> {
    let mut icb = Vec::new();
    let mut summable = Vec::new();
    for o in observations {
        match o.measure.icb_basis() {
            IcbBasis::Published if o.organisation.level == OrgLevel::Icb => icb.push(o.clone()),
            IcbBasis::Published => {}
            IcbBasis::SummedFromProviders => summable.push(o.clone()),
            IcbBasis::None => {
                let id = o.measure.id();
                if !out.no_icb_figure.contains(&id) {
                    out.no_icb_figure.push(id);
                }
            }
        }
    }
    if !summable.is_empty() {
        let empty = Lookup::default();
        let lookup = options.lookup.unwrap_or(&empty);
        let aggregation = to_icbs(&summable, lookup);
        out.unmapped = aggregation.unmapped;
        if options.keep_unmapped {
            icb.extend(
                summable
                    .iter()
                    .filter(|o| {
                        o.organisation.level == OrgLevel::Provider
                            && lookup.get(&o.organisation.code).is_none()
                    })
                    .cloned(),
            );
        }
        for summed in aggregation.icbs {
            let o = &summed.observation;
            out.members.push(Members {
                icb: o.organisation.code.clone(),
                indicator: o.measure.id(),
                period: o.period.to_string(),
                members: summed.members.clone(),
            });
            icb.push(summed.observation);
        }
    }
    icb
}

/// ICB codes through the successions: a whole succession moves (and sums) the predecessor's
/// figures into the successor's; a part one is listed and left.
fn apply_successions(
    observations: Vec<Observation>,
    rules: &[SuccessionRule],
    out: &mut Import,
) -> Vec<Observation> {
    if rules.is_empty() {
        return observations;
    }
    let successor = |code: &str| rules.iter().find(|r| r.whole && r.predecessor == code);
    for rule in rules.iter().filter(|r| !r.whole) {
        if observations
            .iter()
            .any(|o| o.organisation.code == rule.predecessor)
        {
            out.partial_successions.push(rule.clone());
        }
    }
    let mut merged: BTreeMap<(String, Measure, Period), (Observation, Vec<String>)> =
        BTreeMap::new();
    for mut o in observations {
        let from = o.organisation.code.clone();
        if o.organisation.level == OrgLevel::Icb
            && let Some(rule) = successor(&from)
        {
            o.organisation.code = rule.successor.clone();
            o.organisation.name = String::new();
        }
        let key = (o.organisation.code.clone(), o.measure, o.period);
        match merged.get_mut(&key) {
            None => {
                merged.insert(key, (o, vec![from]));
            }
            Some((sum, members)) => {
                members.push(from);
                add_into(sum, &o);
            }
        }
    }
    merged
        .into_values()
        .map(|(o, members)| {
            if members.len() > 1 || members[0] != o.organisation.code {
                out.members.push(Members {
                    icb: o.organisation.code.clone(),
                    indicator: o.measure.id(),
                    period: o.period.to_string(),
                    members,
                });
            }
            o
        })
        .collect()
}

/// Adds one figure into another of the same measure and period, recomputing the value.
fn add_into(sum: &mut Observation, o: &Observation) {
    let add = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a + b);
    sum.numerator = add(sum.numerator, o.numerator);
    sum.denominator = add(sum.denominator, o.denominator);
    sum.lower = None;
    sum.upper = None;
    sum.value = match o.measure.kind() {
        MeasureKind::Count => sum.numerator,
        MeasureKind::Proportion => sum
            .numerator
            .zip(sum.denominator.filter(|d| *d > 0.0))
            .map(|(n, d)| 100.0 * n / d),
        MeasureKind::Mean => sum
            .numerator
            .zip(sum.denominator.filter(|d| *d > 0.0))
            .map(|(n, d)| n / d),
        // Two published rates cannot be combined: no value.
        MeasureKind::AsPublished => None,
    };
}

/// An observation as a row; a count's value is the count, with no numerator or denominator.
fn long_row(o: &Observation) -> Option<LongRow> {
    let count = o.measure.kind() == MeasureKind::Count;
    Some(LongRow {
        organisation: o.organisation.code.clone(),
        indicator: o.measure.id(),
        period: o.period.to_string(),
        value: o.value?,
        numerator: o.numerator.filter(|_| !count),
        denominator: o.denominator.filter(|_| !count),
    })
}
