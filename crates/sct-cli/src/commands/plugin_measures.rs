//! Plugin measures wherever a KPI series is used: theory-of-change indicators and KPI-set
//! indicators that name `plugin:NAME/MEASURE`. The plugins run here, in the CLI; the KPI
//! review and the theory-of-change report get plain series (and the plugins' provenance), so
//! neither library depends on the plugin host.
//!
//! A plugin that is missing or fails does not stop a report: its measures are without data,
//! saying why (with a warning), as the README promises.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sct_core::Error;
use sct_core::provenance::{FileUsed, PluginUsed};
use sct_kpi::data::{KpiData, Observation, Series, series_from_points};
use sct_kpi::kpiset::{KpiSet, split_plugin_measure};
use sct_plugin_api::{ComputeRequest, PROTOCOL_VERSION};
use sct_plugin_host::{Discovery, Options, Plugin};

use super::plugins::{discovery, open, options};
use crate::cli::{GlobalArgs, PluginRunOptions};

/// A plugin measure's points, as read from the plugin's reply.
pub struct Computed {
    /// The points, oldest first, `line` numbering them as the plugin gave them.
    pub observations: Vec<Observation>,
    /// The plugin's notes on them.
    pub notes: Vec<String>,
}

/// Opens each plugin once, computes its measures, and remembers which plugins ran.
pub struct PluginMeasures {
    options: Options,
    discovery: Discovery,
    data_for: BTreeMap<String, Vec<String>>,
    opened: BTreeMap<String, Result<Plugin, String>>,
    asked: BTreeMap<String, BTreeSet<String>>,
}

/// Parses `--plugin-data NAME=PATH` (repeatable) into the paths per plugin.
fn plugin_data(given: &[String]) -> Result<BTreeMap<String, Vec<String>>, Error> {
    let mut data_for: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in given {
        let Some((name, path)) = d
            .split_once('=')
            .filter(|(n, p)| !n.is_empty() && !p.is_empty())
        else {
            return Err(Error::Invalid(sct_core::Diagnostics(vec![
                sct_core::Diagnostic::error(format!("--plugin-data \"{d}\": expected NAME=PATH"))
                    .expected("--plugin-data waiting-list-weekly=waits.csv"),
            ])));
        };
        data_for
            .entry(name.to_string())
            .or_default()
            .push(path.to_string());
    }
    Ok(data_for)
}

/// The paths `--plugin-data NAME=PATH` names, so an output never replaces one.
pub fn data_paths(given: &[String]) -> Vec<std::path::PathBuf> {
    given
        .iter()
        .filter_map(|d| d.split_once('=').map(|(_, p)| std::path::PathBuf::from(p)))
        .collect()
}

impl PluginMeasures {
    /// Ready to compute plugin measures with `--plugin-data` and the plugin options.
    pub fn new(
        global: &GlobalArgs,
        plugin_data_args: &[String],
        run: &PluginRunOptions,
    ) -> Result<PluginMeasures, Error> {
        Ok(PluginMeasures {
            data_for: plugin_data(plugin_data_args)?,
            options: options(run)?,
            discovery: discovery(global),
            opened: BTreeMap::new(),
            asked: BTreeMap::new(),
        })
    }

    /// The plugin, opened (checked and loaded) on first use; the reason when it cannot be.
    fn plugin(&mut self, name: &str) -> Result<&Plugin, String> {
        let (discovery, options) = (&self.discovery, &self.options);
        let entry = self.opened.entry(name.to_string()).or_insert_with(|| {
            open(discovery, name, options).map_err(|e| {
                // Once per plugin, not once per measure.
                crate::style::warning(format_args!(
                    "measures of plugin \"{name}\" have no data: {e}"
                ));
                e.to_string()
            })
        });
        entry.as_ref().map_err(Clone::clone)
    }

    /// Computes the measure an indicator names (`plugin:NAME/MEASURE`) for an organisation,
    /// with parameters; the reason when it cannot.
    pub fn compute(
        &mut self,
        full_name: &str,
        organisation: Option<&str>,
        parameters: &BTreeMap<String, String>,
    ) -> Result<Computed, String> {
        let Some((plugin_name, measure)) = split_plugin_measure(full_name) else {
            return Err(format!(
                "\"{full_name}\" does not name a plugin and a measure; expected plugin:NAME/MEASURE"
            ));
        };
        let data = self.data_for.get(plugin_name).cloned().unwrap_or_default();
        let plugin = self.plugin(plugin_name)?;
        let response = plugin
            .compute(&ComputeRequest {
                protocol: PROTOCOL_VERSION,
                measure: measure.to_string(),
                parameters: parameters.clone(),
                organisation: organisation.map(str::to_string),
                data,
                ..Default::default()
            })
            .map_err(|e| e.to_string())?;
        let observations = observations(plugin, measure, &response)?;
        self.asked
            .entry(plugin_name.to_string())
            .or_default()
            .insert(format!("plugin:{plugin_name}/{measure}"));
        Ok(Computed {
            observations,
            notes: response.notes,
        })
    }

    /// The title and unit a plugin's description gives a measure.
    pub fn title_and_unit(&mut self, full_name: &str) -> Option<(String, String)> {
        let (plugin_name, measure) = split_plugin_measure(full_name)?;
        let plugin = self.plugin(plugin_name).ok()?;
        let d = plugin.describe().ok()?;
        d.measures
            .iter()
            .find(|m| m.id == measure)
            .map(|m| (m.title.clone(), m.unit.clone()))
    }

    /// The plugins that computed a measure, for provenance: name, version, kind, the
    /// checked sha256 of the file that ran, the measures and the data given to them.
    pub fn used(&self) -> Vec<PluginUsed> {
        self.asked
            .iter()
            .filter_map(|(name, measures)| {
                let p = self.opened.get(name)?.as_ref().ok()?;
                Some(PluginUsed {
                    name: p.manifest.name.clone(),
                    version: p.manifest.version.clone(),
                    kind: p.manifest.kind.as_str().to_string(),
                    sha256: p.manifest.sha256.clone(),
                    measures: measures.iter().cloned().collect(),
                    data: self
                        .data_for
                        .get(name)
                        .map(|paths| paths.iter().map(|d| file_used(d)).collect())
                        .unwrap_or_default(),
                })
            })
            .collect()
    }
}

/// A data path given to a plugin, with the sha256 of a file (empty for a folder or a path
/// that cannot be read: the plugin said what it made of it).
fn file_used(path: &str) -> FileUsed {
    let p = Path::new(path);
    FileUsed {
        file: path.to_string(),
        sha256: if p.is_file() {
            sct_plugin_host::manifest::sha256_file(p).unwrap_or_default()
        } else {
            String::new()
        },
    }
}

/// A plugin's reply as observations in period order: every period must parse, and be of one
/// type.
fn observations(
    plugin: &Plugin,
    measure: &str,
    r: &sct_plugin_api::ComputeResponse,
) -> Result<Vec<Observation>, String> {
    let mut observations = Vec::with_capacity(r.series.len());
    let mut kind = None;
    for (i, p) in r.series.iter().enumerate() {
        let period = sct_kpi::period::Period::parse(&p.period).map_err(|e| {
            format!(
                "plugin \"{}\": point {} of {measure}: {e}",
                plugin.manifest.name,
                i + 1
            )
        })?;
        if *kind.get_or_insert(period.kind) != period.kind {
            return Err(format!(
                "plugin \"{}\": {measure} mixes period types ({} at point {})",
                plugin.manifest.name,
                p.period,
                i + 1
            ));
        }
        observations.push(Observation {
            period,
            value: p.value,
            numerator: p.numerator,
            denominator: p.denominator,
            line: i as u64 + 1,
        });
    }
    observations.sort_by_key(|o| o.period.start);
    Ok(observations)
}

/// Computes the plugin measures a theory of change's indicators name, for `--org`. A plugin
/// that is missing or fails leaves its measures without data, with the reason (and a
/// warning); the report is still written. Also returns the plugins used, for provenance.
pub fn toc_measures(
    global: &GlobalArgs,
    toc: &sct_toc::model::TheoryOfChange,
    org: Option<&str>,
    plugin_data_args: &[String],
    run: &PluginRunOptions,
) -> Result<Option<(sct_toc::status::MeasureData, Vec<PluginUsed>)>, Error> {
    let names: BTreeSet<String> = toc
        .nodes
        .iter()
        .flat_map(|n| &n.indicators)
        .filter_map(|i| i.measure.as_ref().map(|m| m.get_ref().clone()))
        .collect();
    if names.is_empty() || (plugin_data_args.is_empty() && org.is_none()) {
        return Ok(None);
    }
    let mut plugins = PluginMeasures::new(global, plugin_data_args, run)?;
    let mut out = sct_toc::status::MeasureData::new();
    for name in names {
        if split_plugin_measure(&name).is_none() {
            continue;
        }
        let result = plugins.compute(&name, org, &BTreeMap::new()).map(|c| {
            let (title, unit) = plugins
                .title_and_unit(&name)
                .unwrap_or_else(|| (measure_id(&name), String::new()));
            sct_toc::status::MeasureSeries {
                title,
                unit,
                observations: c.observations,
            }
        });
        if let Err(e) = &result
            && plugin_opened(&plugins, &name)
        {
            crate::style::warning(format_args!("{name} has no data: {e}"));
        }
        out.insert(name, result);
    }
    let used = plugins.used();
    Ok(Some((out, used)))
}

fn measure_id(name: &str) -> String {
    split_plugin_measure(name).map_or_else(|| name.to_string(), |(_, m)| m.to_string())
}

/// Whether the plugin of a measure was opened (its open failure is warned of already).
fn plugin_opened(plugins: &PluginMeasures, name: &str) -> bool {
    split_plugin_measure(name)
        .and_then(|(p, _)| plugins.opened.get(p))
        .is_some_and(Result::is_ok)
}

/// Fills in the series of the KPI set's plugin-measure indicators, for each organisation:
/// computed by the plugin and checked, flagged and aggregated as rows of the data file are
/// ([`series_from_points`]). A measure that cannot be computed gives its indicator no data,
/// with the reason (and a warning). Records the plugins used in the data's provenance.
pub fn fill_kpi_measures(
    global: &GlobalArgs,
    set: &KpiSet,
    data: &mut KpiData,
    organisations: &[String],
    plugin_data_args: &[String],
    run: &PluginRunOptions,
) -> Result<(), Error> {
    let indicators: Vec<_> = set
        .indicators
        .iter()
        .filter_map(|i| i.measure.as_ref().map(|m| (i, m.get_ref())))
        .collect();
    if indicators.is_empty() {
        if !plugin_data_args.is_empty() {
            crate::style::warning(format_args!(
                "--plugin-data is not used: no indicator of KPI set \"{}\" names a plugin measure",
                set.id.get_ref()
            ));
        }
        return Ok(());
    }
    let mut plugins = PluginMeasures::new(global, plugin_data_args, run)?;
    for (ind, name) in indicators {
        for org in organisations {
            let series = plugins
                .compute(name, Some(org), &ind.measure_parameters)
                .and_then(|c| {
                    let mut s = series_from_points(name, org, ind, c.observations)?;
                    if s.observations.is_empty() {
                        let why = if c.notes.is_empty() {
                            format!("{name} gave no points for {org}")
                        } else {
                            format!("{name} gave no points for {org}: {}", c.notes.join("; "))
                        };
                        s = Series::without_data(org, ind, why);
                    }
                    Ok(s)
                })
                .unwrap_or_else(|why| {
                    if plugin_opened(&plugins, name) {
                        crate::style::warning(format_args!(
                            "indicator \"{}\" of {org} has no data: {why}",
                            ind.id.get_ref()
                        ));
                    }
                    Series::without_data(org, ind, format!("no series from {name}: {why}"))
                });
            data.series
                .insert((org.clone(), ind.id.get_ref().clone()), series);
        }
    }
    data.plugins = plugins.used();
    Ok(())
}
