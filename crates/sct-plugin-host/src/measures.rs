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

use crate::error::{Fault, HostError};
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
    /// Whether a plugin that is not installed, and was given no data, is said as a note
    /// rather than a warning.
    missing_as_note: bool,
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
            missing_as_note: false,
        }
    }

    /// Says a plugin that is not installed, and that was given no data, as a note rather than
    /// a warning: for a theory of change, whose indicators may name measures an ICB has yet to
    /// set up, that is a fact to state, not a fault.
    pub fn missing_plugin_as_note(mut self) -> PluginMeasures {
        self.missing_as_note = true;
        self
    }

    /// The plugin, opened (checked and loaded) on first use; the reason when it cannot be.
    fn plugin(&mut self, name: &str) -> Result<&Plugin, String> {
        if !self.opened.contains_key(name) {
            let opened = self.discovery.open(name, &self.options).map_err(|e| {
                // Once per plugin, not once per measure.
                self.notices.push(self.not_opened(name, &e));
                match e.fault {
                    Fault::NotFound { .. } => format!("plugin \"{name}\" is not installed"),
                    _ => e.to_string(),
                }
            });
            self.opened.insert(name.to_string(), opened);
        }
        self.opened[name].as_ref().map_err(Clone::clone)
    }

    /// What is said, once, of a plugin that cannot be opened: a plugin that is not installed
    /// says where it was looked for and how to install it.
    fn not_opened(&self, name: &str, e: &HostError) -> Diagnostic {
        let Fault::NotFound { searched, known } = &e.fault else {
            return Diagnostic::warning(format!("measures of plugin \"{name}\" have no data: {e}"));
        };
        let message = format!(
            "plugin \"{name}\" is not installed, so its measures have no data: looked {searched}; found: {known}"
        );
        let given_data = self.data_for.contains_key(name);
        let diagnostic = if self.missing_as_note && !given_data {
            Diagnostic::note(message)
        } else {
            Diagnostic::warning(message)
        };
        diagnostic
            .hint(
                "install it with `sct plugins install DIR`, or give the folder it is installed in",
            )
            .settings([sct_core::setting::Setting::PluginDir])
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
