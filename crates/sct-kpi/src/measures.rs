//! Measures computed elsewhere (by plugins), reached through [`MeasureSource`]: a KPI set's
//! indicator that names `plugin:NAME/MEASURE` gets its series from the source, checked,
//! flagged and aggregated as rows of a data file are. The KPI crate knows nothing of how a
//! source computes; the plugin host implements it.
//!
//! A measure that cannot be computed does not stop a review: its indicator is without data,
//! saying why, with a warning.

use std::collections::BTreeMap;

use sct_core::Diagnostic;
use sct_core::provenance::PluginUsed;

use crate::data::{KpiData, Observation, Series, series_from_points};
use crate::kpiset::KpiSet;

/// A measure's points as a source computed them.
#[derive(Debug, Clone, Default)]
pub struct Computed {
    /// The points, oldest first, `line` numbering them as the source gave them.
    pub observations: Vec<Observation>,
    /// The source's notes on them.
    pub notes: Vec<String>,
}

/// Where measures named `plugin:NAME/MEASURE` are computed.
pub trait MeasureSource {
    /// Computes measure `name` for an organisation, with parameters; the reason when it
    /// cannot.
    fn compute(
        &mut self,
        name: &str,
        organisation: Option<&str>,
        parameters: &BTreeMap<String, String>,
    ) -> Result<Computed, String>;

    /// The title and unit the source gives measure `name`.
    fn title_and_unit(&mut self, name: &str) -> Option<(String, String)>;

    /// Whether what computes measure `name` could be reached: when it could not, the source
    /// has said so once already, so a failure of each of its measures is not repeated.
    fn reached(&self, name: &str) -> bool;

    /// What computed the measures asked for, for provenance.
    fn used(&self) -> Vec<PluginUsed>;

    /// The warnings the source gathered, taken.
    fn take_notices(&mut self) -> Vec<Diagnostic>;
}

/// Fills in the series of the KPI set's measure indicators, for each organisation, from
/// `source`: checked, flagged and aggregated as rows of the data file are
/// ([`series_from_points`]). A measure that cannot be computed gives its indicator no data,
/// with the reason (and a warning in `notices`). Records what computed them in the data's
/// provenance.
pub fn fill_measures(
    set: &KpiSet,
    data: &mut KpiData,
    organisations: &[String],
    source: &mut dyn MeasureSource,
    notices: &mut Vec<Diagnostic>,
) {
    let indicators = set
        .indicators
        .iter()
        .filter_map(|i| i.measure.as_ref().map(|m| (i, m.get_ref())));
    let mut missing = Vec::new();
    for (ind, name) in indicators {
        for org in organisations {
            let series = source
                .compute(name, Some(org), &ind.measure_parameters)
                .and_then(|c| {
                    let s = series_from_points(name, org, ind, c.observations)?;
                    if !s.observations.is_empty() {
                        return Ok(s);
                    }
                    let why = if c.notes.is_empty() {
                        format!("{name} gave no points for {org}")
                    } else {
                        format!("{name} gave no points for {org}: {}", c.notes.join("; "))
                    };
                    Ok(Series::without_data(org, ind, why))
                })
                .unwrap_or_else(|why| {
                    if source.reached(name) {
                        missing.push(Diagnostic::warning(format!(
                            "indicator \"{}\" of {org} has no data: {why}",
                            ind.id.get_ref()
                        )));
                    }
                    Series::without_data(org, ind, format!("no series from {name}: {why}"))
                });
            data.series
                .insert((org.clone(), ind.id.get_ref().clone()), series);
        }
    }
    // What could not be reached at all first, as it was found first.
    notices.extend(source.take_notices());
    notices.append(&mut missing);
    data.plugins = source.used();
}
