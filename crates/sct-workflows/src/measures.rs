//! Plugin measures for the workflows that use KPI series (review, IPR, SPC, funnel, theory
//! of change): the plugins are found as the session says and run as [`PluginOptions`] say,
//! through the KPI crate's measure source, so neither the KPI nor the theory-of-change crate
//! depends on the plugin host.

use std::collections::{BTreeMap, BTreeSet};

use sct_core::Diagnostic;
use sct_core::provenance::PluginUsed;
use sct_kpi::data::KpiData;
use sct_kpi::kpiset::{KpiSet, split_plugin_measure};
use sct_kpi::measures::{MeasureSource, fill_measures};
use sct_plugin_host::measures::PluginMeasures;
use sct_toc::model::TheoryOfChange;
use sct_toc::status::{MeasureData, MeasureSeries};

use crate::session::Session;

/// How plugin measures are computed.
#[derive(Debug, Clone, Default)]
pub struct PluginOptions {
    /// The data paths given to each plugin, by plugin name.
    pub data: BTreeMap<String, Vec<String>>,
    /// How plugins run (time limit, reply cap, isolation).
    pub run: sct_plugin_host::Options,
}

impl Session {
    /// The plugins this session finds (the project's `plugins/`, `$SCT_PLUGIN_PATH`, then
    /// the session's plugin folders), ready to compute measures as `options` say.
    pub fn plugin_measures(&self, options: &PluginOptions) -> PluginMeasures {
        let discovery = sct_plugin_host::discover::discover_all(&self.options.plugin_dirs);
        PluginMeasures::new(discovery, options.run.clone(), options.data.clone())
    }
}

/// Fills in the series of the KPI set's plugin-measure indicators for `organisations`
/// ([`fill_measures`]); a measure that cannot be computed leaves its indicator without data,
/// with a warning in `notices`.
pub fn fill_kpi_measures(
    session: &Session,
    set: &KpiSet,
    data: &mut KpiData,
    organisations: &[String],
    plugins: &PluginOptions,
    notices: &mut Vec<Diagnostic>,
) {
    if set.indicators.iter().all(|i| i.measure.is_none()) {
        if !plugins.data.is_empty() {
            notices.push(
                Diagnostic::warning(format!(
                    "the plugin data is not used: no indicator of KPI set \"{}\" names a plugin measure",
                    set.id.get_ref()
                ))
                .settings([sct_core::setting::Setting::PluginData]),
            );
        }
        return;
    }
    let mut source = session.plugin_measures(plugins);
    fill_measures(set, data, organisations, &mut source, notices);
}

/// Computes the plugin measures a theory of change's indicators name, for `org`. A plugin
/// that is missing or fails leaves its measures without data, with the reason (and a
/// warning); the report is still written. Also returns the plugins used, for provenance.
pub fn toc_measures(
    session: &Session,
    toc: &TheoryOfChange,
    org: Option<&str>,
    plugins: &PluginOptions,
    notices: &mut Vec<Diagnostic>,
) -> Option<(MeasureData, Vec<PluginUsed>)> {
    let names: BTreeSet<String> = toc
        .nodes
        .iter()
        .flat_map(|n| &n.indicators)
        .filter_map(|i| i.measure.as_ref().map(|m| m.get_ref().clone()))
        .collect();
    if names.is_empty() || (plugins.data.is_empty() && org.is_none()) {
        return None;
    }
    let mut source = session.plugin_measures(plugins).missing_plugin_as_note();
    let mut out = MeasureData::new();
    let mut missing = Vec::new();
    for name in names
        .into_iter()
        .filter(|n| split_plugin_measure(n).is_some())
    {
        let result = source.compute(&name, org, &BTreeMap::new()).map(|c| {
            let (title, unit) = source
                .title_and_unit(&name)
                .unwrap_or_else(|| (measure_id(&name), String::new()));
            MeasureSeries {
                title,
                unit,
                observations: c.observations,
            }
        });
        if let Err(e) = &result
            && source.reached(&name)
        {
            missing.push(Diagnostic::warning(format!("{name} has no data: {e}")));
        }
        out.insert(name, result);
    }
    notices.extend(source.take_notices());
    notices.append(&mut missing);
    Some((out, source.used()))
}

/// The measure's own id, `MEASURE` of `plugin:NAME/MEASURE`.
fn measure_id(name: &str) -> String {
    split_plugin_measure(name).map_or_else(|| name.to_string(), |(_, m)| m.to_string())
}
