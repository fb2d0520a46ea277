//! Plugin measures as the KPI crate's [`MeasureSource`]: each plugin opened once, on first
//! use, its measures computed per organisation, and which plugins ran remembered for
//! provenance. A plugin that is missing or fails is said once (a warning) and leaves its
//! measures without data; reports are still written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sct_core::Diagnostic;
use sct_core::provenance::{FileUsed, PluginUsed};
use sct_kpi::data::Observation;
use sct_kpi::kpiset::split_plugin_measure;
use sct_kpi::measures::{Computed, MeasureSource};
use sct_plugin_api::{ComputeRequest, ComputeResponse, PROTOCOL_VERSION};

use crate::{Discovery, Options, Plugin};

/// Computes plugin measures, opening each plugin once.
pub struct PluginMeasures {
    options: Options,
    discovery: Discovery,
    /// The data paths given to each plugin, by plugin name.
    data_for: BTreeMap<String, Vec<String>>,
    opened: BTreeMap<String, Result<Plugin, String>>,
    asked: BTreeMap<String, BTreeSet<String>>,
    notices: Vec<Diagnostic>,
}

impl PluginMeasures {
    /// Ready to compute the measures of the plugins `discovery` found, run with `options`,
    /// each given the data paths `data_for` lists under its name.
    pub fn new(
        discovery: Discovery,
        options: Options,
        data_for: BTreeMap<String, Vec<String>>,
    ) -> PluginMeasures {
        PluginMeasures {
            options,
            discovery,
            data_for,
            opened: BTreeMap::new(),
            asked: BTreeMap::new(),
            notices: Vec::new(),
        }
    }

    /// The plugin, opened (checked and loaded) on first use; the reason when it cannot be.
    fn plugin(&mut self, name: &str) -> Result<&Plugin, String> {
        let (discovery, options, notices) = (&self.discovery, &self.options, &mut self.notices);
        let entry = self.opened.entry(name.to_string()).or_insert_with(|| {
            discovery.open(name, options).map_err(|e| {
                // Once per plugin, not once per measure.
                notices.push(Diagnostic::warning(format!(
                    "measures of plugin \"{name}\" have no data: {e}"
                )));
                e.to_string()
            })
        });
        entry.as_ref().map_err(Clone::clone)
    }
}

impl MeasureSource for PluginMeasures {
    fn compute(
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

    fn title_and_unit(&mut self, full_name: &str) -> Option<(String, String)> {
        let (plugin_name, measure) = split_plugin_measure(full_name)?;
        let plugin = self.plugin(plugin_name).ok()?;
        let d = plugin.describe().ok()?;
        d.measures
            .iter()
            .find(|m| m.id == measure)
            .map(|m| (m.title.clone(), m.unit.clone()))
    }

    fn reached(&self, full_name: &str) -> bool {
        split_plugin_measure(full_name)
            .and_then(|(p, _)| self.opened.get(p))
            .is_some_and(Result::is_ok)
    }

    /// The plugins that computed a measure: name, version, kind, the checked sha256 of the
    /// file that ran, the measures and the data given to them.
    fn used(&self) -> Vec<PluginUsed> {
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

    fn take_notices(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.notices)
    }
}

/// A data path given to a plugin, with the sha256 of a file (empty for a folder or a path
/// that cannot be read: the plugin said what it made of it).
fn file_used(path: &str) -> FileUsed {
    let p = Path::new(path);
    FileUsed {
        file: path.to_string(),
        sha256: if p.is_file() {
            crate::manifest::sha256_file(p).unwrap_or_default()
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
    r: &ComputeResponse,
) -> Result<Vec<Observation>, String> {
    let mut observations = Vec::with_capacity(r.series.len());
    let mut kind = None;
    let name = &plugin.manifest.name;
    for (i, p) in r.series.iter().enumerate() {
        let period = sct_kpi::period::Period::parse(&p.period)
            .map_err(|e| format!("plugin \"{name}\": point {} of {measure}: {e}", i + 1))?;
        if *kind.get_or_insert(period.kind) != period.kind {
            return Err(format!(
                "plugin \"{name}\": {measure} mixes period types ({} at point {})",
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
