//! `sct plugins list|check|run|install`, and plugin measures for theories of change.

use crate::error::CliError;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;

use sct_core::Error;
use sct_core::csv_out::CsvWriter;
use sct_plugin_api::{ComputeRequest, ComputeResponse, PROTOCOL_VERSION};
use sct_plugin_host::discover::PATH_ENV;
use sct_plugin_host::{
    Discovery, Fault, HostError, Isolation, MaxOutput, Options, Plugin, Timeout,
};

use crate::cli::{
    CheckFormat, GlobalArgs, ListFormat, PluginOutputFormat, PluginRunOptions, PluginsCheckArgs,
    PluginsCommand, PluginsInstallArgs, PluginsRunArgs,
};
use crate::outputs::{emit, extension, print, print_json, print_text};

/// The project's plugin directory, relative to the working directory.
const PROJECT_PLUGINS: &str = "plugins";

pub fn run(global: &GlobalArgs, cmd: PluginsCommand) -> Result<ExitCode, CliError> {
    match cmd {
        PluginsCommand::List { format } => list(global, format),
        PluginsCommand::Check(args) => check(global, args),
        PluginsCommand::Run(args) => run_measure(global, args),
        PluginsCommand::Install(args) => install(args),
        PluginsCommand::IsolatedCall { dir, verb } => isolated_call(&dir, &verb),
    }
}

/// The plugin error as the CLI's error (exit status 2 for bad input, else 1).
pub fn host_error(e: HostError) -> Error {
    Error::Plugin {
        bad_input: e.is_bad_input(),
        message: e.to_string(),
    }
}

fn usage(message: String) -> Error {
    Error::Invalid(sct_core::Diagnostics(vec![sct_core::Diagnostic::error(
        message,
    )]))
}

/// The plugins found on the search path.
pub fn discovery(global: &GlobalArgs) -> Discovery {
    let places = sct_plugin_host::search_path(
        Path::new(PROJECT_PLUGINS),
        std::env::var_os(PATH_ENV),
        &global.plugin_dirs,
    );
    sct_plugin_host::discover(&places)
}

/// How plugins run, from the command line. The limits are made through the host's checked
/// constructors, so an out-of-range `--timeout` or `--max-output-mb` is a usage error.
pub fn options(o: &PluginRunOptions) -> Result<Options, Error> {
    // The errors name the value as given, readably (`1e308`, not 309 digits).
    let timeout =
        Timeout::from_secs_f64(o.timeout).map_err(|e| usage(format!("--timeout: {e}")))?;
    // A usize always fits a u64 where sct builds; were it not to, the largest is refused.
    let max_output = MaxOutput::from_mib(u64::try_from(o.max_output_mb).unwrap_or(u64::MAX))
        .map_err(|e| usage(format!("--max-output-mb: {e}")))?;
    let isolate = if o.isolate {
        let program = std::env::current_exe().map_err(|source| Error::Io {
            path: "the sct executable".into(),
            action: "find",
            source,
        })?;
        Some(Isolation {
            program,
            args: vec!["plugins".into(), "__isolated-call".into()],
        })
    } else {
        None
    };
    Ok(Options {
        timeout,
        max_output,
        isolate,
    })
}

/// Finds and opens (checks and loads) one plugin.
pub fn open(discovery: &Discovery, name: &str, options: &Options) -> Result<Plugin, HostError> {
    let Some(found) = discovery.get(name) else {
        let searched = if discovery.searched.is_empty() {
            format!("nowhere (no {PROJECT_PLUGINS}/ here, no {PATH_ENV}, no --plugin-dir)")
        } else {
            discovery
                .searched
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let known: Vec<String> = discovery.plugins.iter().map(|f| f.name()).collect();
        return Err(HostError::new(
            name,
            Fault::NotFound {
                searched,
                known: if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                },
            },
        ));
    };
    Plugin::open(found, options)
}

#[derive(Serialize)]
struct ListRow {
    name: String,
    version: String,
    kind: String,
    measures: Vec<String>,
    dir: String,
    problem: Option<String>,
}

fn list(global: &GlobalArgs, format: ListFormat) -> Result<ExitCode, CliError> {
    let d = discovery(global);
    let rows: Vec<ListRow> = d
        .plugins
        .iter()
        .map(|f| match &f.manifest {
            Ok(m) => ListRow {
                name: m.name.clone(),
                version: m.version.clone(),
                kind: m.kind.as_str().into(),
                measures: m.measures.clone(),
                dir: f.dir.display().to_string(),
                problem: None,
            },
            Err(e) => ListRow {
                name: f.name(),
                version: "?".into(),
                kind: "?".into(),
                measures: vec![],
                dir: f.dir.display().to_string(),
                problem: Some(e.to_string()),
            },
        })
        .collect();
    let mut out = String::new();
    match format {
        ListFormat::Json => {
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            );
        }
        ListFormat::Table => {
            let w_name = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
            let w_ver = rows
                .iter()
                .map(|r| r.version.len())
                .max()
                .unwrap_or(7)
                .max(7);
            let _ = writeln!(
                out,
                "{:w_name$}  {:w_ver$}  {:7}  MEASURES",
                "NAME", "VERSION", "KIND"
            );
            for r in &rows {
                let measures = match &r.problem {
                    Some(p) => format!("(cannot be used: {p})"),
                    None => r.measures.join(", "),
                };
                let _ = writeln!(
                    out,
                    "{:w_name$}  {:w_ver$}  {:7}  {}",
                    r.name, r.version, r.kind, measures
                );
            }
            if rows.is_empty() {
                let _ = writeln!(
                    out,
                    "(no plugins found in {})",
                    if d.searched.is_empty() {
                        format!("{PROJECT_PLUGINS}/, {PATH_ENV} or --plugin-dir")
                    } else {
                        d.searched
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                );
            }
        }
    }
    print(&out)?;
    if matches!(format, ListFormat::Table) {
        for dir in &d.not_installed {
            crate::style::note(format_args!(
                "{} holds a plugin's source but no plugin.toml: build it and install it (see the README, \"Write your own plugin\"), for example\n  cargo build --release -p {}\n  sct plugins install target/release/{}{}{} --to {}",
                dir.display(),
                sct_plugin_host::manifest::dir_name(dir),
                std::env::consts::DLL_PREFIX,
                sct_plugin_host::manifest::dir_name(dir).replace('-', "_"),
                std::env::consts::DLL_SUFFIX,
                dir.parent().unwrap_or(Path::new(".")).display()
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check(global: &GlobalArgs, args: PluginsCheckArgs) -> Result<ExitCode, CliError> {
    let d = discovery(global);
    let options = options(&args.plugin)?;
    let names: Vec<String> = match &args.name {
        Some(n) => vec![n.clone()],
        None => d.plugins.iter().map(|f| f.name()).collect(),
    };
    if names.is_empty() {
        return Err(usage(
            "no plugins found to check; expected plugins in plugins/, SCT_PLUGIN_PATH or --plugin-dir".into(),
        ).into());
    }
    let mut failed: Vec<HostError> = Vec::new();
    let mut out = String::new();
    let mut results = Vec::new();
    for name in &names {
        match open(&d, name, &options).and_then(|p| p.check().map(|desc| (p, desc))) {
            Ok((p, desc)) => {
                let measures: Vec<&str> = desc.measures.iter().map(|m| m.id.as_str()).collect();
                let _ = writeln!(
                    out,
                    "ok: {} {} ({}, protocol {PROTOCOL_VERSION}, sha256 {}…): {}",
                    p.manifest.name,
                    p.manifest.version,
                    p.manifest.kind.as_str(),
                    &p.manifest.sha256[..12],
                    measures.join(", ")
                );
                results.push(serde_json::json!({
                    "name": p.manifest.name,
                    "ok": true,
                    "version": p.manifest.version,
                    "kind": p.manifest.kind.as_str(),
                    "protocol": PROTOCOL_VERSION,
                    "sha256": p.manifest.sha256,
                    "measures": measures,
                }));
            }
            Err(e) => {
                let _ = writeln!(out, "FAILED: {e}");
                results.push(serde_json::json!({
                    "name": name,
                    "ok": false,
                    "error": e.to_string(),
                    "bad_input": e.is_bad_input(),
                }));
                failed.push(e);
            }
        }
    }
    match args.format {
        CheckFormat::Text => print_text(&out)?,
        CheckFormat::Json => print_json(&serde_json::json!({
            "schema": "sct-plugins-check/1",
            "ok": failed.is_empty(),
            "plugins": results,
        }))?,
    }
    match failed.len() {
        0 => Ok(ExitCode::SUCCESS),
        1 => Err(host_error(failed.remove(0)).into()),
        n => Err(Error::Plugin {
            bad_input: failed.iter().all(|e| e.is_bad_input()),
            message: format!("{n} of {} plugins failed their checks", names.len()),
        }
        .into()),
    }
}

fn parse_params(params: &[String]) -> Result<BTreeMap<String, String>, Error> {
    let mut map = BTreeMap::new();
    for p in params {
        let Some((k, v)) = p.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(usage(format!("--param \"{p}\": expected NAME=VALUE")));
        };
        if map.insert(k.to_string(), v.to_string()).is_some() {
            return Err(usage(format!("--param {k} is given twice")));
        }
    }
    Ok(map)
}

#[derive(Serialize)]
struct RunOutput<'a> {
    plugin: &'a str,
    plugin_version: &'a str,
    #[serde(flatten)]
    response: &'a ComputeResponse,
}

fn number(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The response as CSV: the series (`period,value,numerator,denominator`), or the evidence
/// items when the measure gives evidence. A plugin's strings are data like any other, so
/// they go through the one CSV writer (quoted, never a formula).
fn to_csv(r: &ComputeResponse) -> String {
    let mut w = CsvWriter::new();
    if r.series.is_empty() && !r.evidence.is_empty() {
        w.row(["id", "title", "status", "supports", "path", "note"]);
        for e in &r.evidence {
            let status = match e.status {
                sct_plugin_api::EvidenceStatus::Present => "present",
                sct_plugin_api::EvidenceStatus::Missing => "missing",
            };
            w.row([
                e.id.as_str(),
                &e.title,
                status,
                e.supports.as_deref().unwrap_or(""),
                e.path.as_deref().unwrap_or(""),
                e.note.as_deref().unwrap_or(""),
            ]);
        }
    } else {
        w.row(["period", "value", "numerator", "denominator"]);
        for p in &r.series {
            w.row([
                p.period.clone(),
                p.value.to_string(),
                number(p.numerator),
                number(p.denominator),
            ]);
        }
    }
    w.finish()
}

fn run_measure(global: &GlobalArgs, args: PluginsRunArgs) -> Result<ExitCode, CliError> {
    let options = options(&args.plugin_options)?;
    let parameters = parse_params(&args.params)?;
    let format = args
        .format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("json") => PluginOutputFormat::Json,
            _ => PluginOutputFormat::Csv,
        });
    let d = discovery(global);
    let plugin = open(&d, &args.plugin, &options).map_err(host_error)?;
    let request = ComputeRequest {
        protocol: PROTOCOL_VERSION,
        measure: args.measure.clone(),
        parameters,
        organisation: args.org.clone(),
        period_from: args.from.clone(),
        period_to: args.to.clone(),
        data: args.data.iter().map(|p| p.display().to_string()).collect(),
    };
    let response = plugin.compute(&request).map_err(host_error)?;
    for note in &response.notes {
        crate::style::note(format_args!("plugin \"{}\": {note}", plugin.manifest.name));
    }
    let text = match format {
        PluginOutputFormat::Csv => to_csv(&response),
        PluginOutputFormat::Json => sct_report::json::with_schema(
            "sct-plugins-run/1",
            &RunOutput {
                plugin: &plugin.manifest.name,
                plugin_version: &plugin.manifest.version,
                response: &response,
            },
        ),
    };
    let inputs: Vec<&Path> = args.data.iter().map(PathBuf::as_path).collect();
    emit(&args.out, &text, &inputs)?;
    Ok(ExitCode::SUCCESS)
}

fn install(args: PluginsInstallArgs) -> Result<ExitCode, CliError> {
    let options = options(&args.plugin)?;
    let (dir, manifest) = sct_plugin_host::install::install(
        &sct_plugin_host::install::Install {
            source: &args.file,
            name: args.name.as_deref(),
            to: &args.to,
            interpreter: args.interpreter.as_deref(),
            force: args.force,
        },
        &options,
    )
    .map_err(host_error)?;
    print(&format!(
        "installed {} {} ({}) in {}: measures {}\n",
        manifest.name,
        manifest.version,
        manifest.kind.as_str(),
        dir.display(),
        manifest.measures.join(", ")
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn isolated_call(dir: &Path, verb: &str) -> Result<ExitCode, CliError> {
    let mut input = Vec::new();
    if verb == sct_plugin_api::command::COMPUTE {
        std::io::stdin()
            .read_to_end(&mut input)
            .map_err(|source| Error::Io {
                path: "standard input".into(),
                action: "read",
                source,
            })?;
    }
    // The parent's reply limit; without one (run by hand), the default.
    let max_output = match std::env::var(sct_plugin_host::ISOLATED_MAX_OUTPUT_ENV) {
        Err(_) => MaxOutput::DEFAULT,
        Ok(v) => v
            .parse::<u64>()
            .ok()
            .and_then(|b| MaxOutput::from_bytes(b).ok())
            .ok_or_else(|| {
                usage(format!(
                    "{}={v}: expected a reply limit in bytes, from 1 MiB to 1024 MiB",
                    sct_plugin_host::ISOLATED_MAX_OUTPUT_ENV
                ))
            })?,
    };
    let out = sct_plugin_host::serve_isolated(dir, verb, &input, max_output).map_err(host_error)?;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&out)
        .and_then(|_| stdout.flush())
        .map_err(|source| Error::Io {
            path: "standard output".into(),
            action: "write",
            source,
        })?;
    Ok(ExitCode::SUCCESS)
}
