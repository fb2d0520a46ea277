//! The plugin-measure arguments (`--plugin-data NAME=PATH`, and how plugins run) as the
//! workflows' [`PluginOptions`].

use std::collections::BTreeMap;

use sct_core::Error;
use sct_workflows::measures::PluginOptions;

use super::plugins::options;
use crate::cli::PluginRunOptions;
use crate::error::CliError;

/// `--plugin-data NAME=PATH` (repeatable) and the plugin run options, as the workflows take
/// them.
pub fn plugin_options(
    plugin_data: &[String],
    run: &PluginRunOptions,
) -> Result<PluginOptions, CliError> {
    Ok(PluginOptions {
        data: data_by_plugin(plugin_data)?,
        run: options(run)?,
    })
}

/// Parses `--plugin-data NAME=PATH` (repeatable) into the paths per plugin.
fn data_by_plugin(given: &[String]) -> Result<BTreeMap<String, Vec<String>>, Error> {
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
