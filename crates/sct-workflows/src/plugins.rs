//! Plugins: listed as found (the project's `plugins/`, `$SCT_PLUGIN_PATH`, then the session's
//! plugin folders), checked, run for one measure, and installed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use sct_core::Diagnostic;
use sct_core::csv_out::CsvWriter;
use sct_plugin_api::{ComputeRequest, ComputeResponse, EvidenceStatus, PROTOCOL_VERSION};
use sct_plugin_host::discover::{Discovery, PATH_ENV, PROJECT_PLUGINS, discover_all};
use sct_plugin_host::manifest::dir_name;
use sct_plugin_host::{HostError, Options};

use crate::assess::{CheckFormat, json_text};
use crate::document::Output;
use crate::error::Result;
use crate::format::formats;
use crate::frameworks::{ListFormat, pretty, width};
use crate::session::Session;

formats! {
    /// Formats of a measure computed by [`run`].
    pub enum RunFormat {
        /// CSV: the series (`period,value,numerator,denominator`), or the evidence items.
        Csv => ["csv"],
        /// JSON (schema `sct-plugins-run/1`): the plugin's whole reply.
        Json => ["json"],
    }
    fallback Csv
}

/// The session's plugins.
fn discovery(session: &Session) -> Discovery {
    discover_all(&session.options.plugin_dirs)
}

/// Input refused before any plugin runs, as a located diagnostic would be.
fn refused(message: String) -> crate::Error {
    sct_core::Error::Invalid(sct_core::Diagnostics(vec![Diagnostic::error(message)])).into()
}

/// A refused plugin parameter, naming the option that passes them.
fn parameter_refused(message: String) -> crate::Error {
    let d = Diagnostic::error(message).settings([sct_core::setting::Setting::PluginParameter]);
    sct_core::Error::Invalid(sct_core::Diagnostics(vec![d])).into()
}

/// Options of [`list`].
#[derive(Debug, Clone)]
pub struct ListOptions {
    /// The format.
    pub format: ListFormat,
}

/// One row of the list.
#[derive(Serialize)]
struct ListRow {
    name: String,
    version: String,
    kind: String,
    measures: Vec<String>,
    dir: String,
    problem: Option<String>,
}

/// Lists the plugins found, with their version, kind and measures (or why one cannot be
/// used). In the table, a folder holding a plugin's source but no manifest gets a note on
/// how to build and install it.
///
/// ```
/// use sct_workflows::{Session, SessionOptions, frameworks::ListFormat};
/// use sct_workflows::plugins::{ListOptions, list};
/// let plugin_dirs = vec!["../../plugins".into()];
/// let session = Session::load(SessionOptions { plugin_dirs, ..Default::default() })?;
/// let output = list(&session, &ListOptions { format: ListFormat::Table })?;
/// let table = String::from_utf8(output.document.into_bytes()?)?;
/// assert!(table.contains("neighbourhood-measures"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn list(session: &Session, options: &ListOptions) -> Result<Output<'static>> {
    let d = discovery(session);
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
    if options.format == ListFormat::Json {
        return Ok(Output::text(pretty(&rows)));
    }
    let notices = d
        .not_installed
        .iter()
        .map(|dir| install_hint(dir))
        .collect();
    Ok(Output::text(list_table(&rows, &d)).with_notices(notices))
}

/// The list as a table for people; with no plugins, where they were looked for.
fn list_table(rows: &[ListRow], d: &Discovery) -> String {
    let w_name = width(rows.iter().map(|r| r.name.len()), "NAME");
    let w_ver = width(rows.iter().map(|r| r.version.len()), "VERSION");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:w_name$}  {:w_ver$}  {:7}  MEASURES",
        "NAME", "VERSION", "KIND"
    );
    for r in rows {
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
        let places = if d.searched.is_empty() {
            format!("{PROJECT_PLUGINS}/, {PATH_ENV} or a plugin directory given")
        } else {
            let searched: Vec<String> =
                d.searched.iter().map(|p| p.display().to_string()).collect();
            searched.join(", ")
        };
        let _ = writeln!(out, "(no plugins found in {places})");
    }
    out
}

/// How to build and install the plugin whose source is in `dir`.
fn install_hint(dir: &Path) -> Diagnostic {
    let name = dir_name(dir);
    Diagnostic::note(format!(
        "{} holds a plugin's source but no plugin.toml: build it and install it (see the README, \"Write your own plugin\"), for example\n  cargo build --release -p {name}\n  sct plugins install target/release/{}{}{} --to {}",
        dir.display(),
        std::env::consts::DLL_PREFIX,
        name.replace('-', "_"),
        std::env::consts::DLL_SUFFIX,
        dir.parent().unwrap_or(Path::new(".")).display()
    ))
}

/// Options of [`check`].
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The plugin (default: every plugin found).
    pub name: Option<String>,
    /// How plugins run (time limit, reply cap, isolation).
    pub run: Options,
    /// The format.
    pub format: CheckFormat,
}

/// Checks plugins: manifest, file inside the plugin's folder, sha256, handshake (protocol
/// version) and describe (which must agree with the manifest). The document gives each
/// plugin's result; each failure is also returned whole ([`PluginChecks::failed`]).
///
/// ```
/// use sct_workflows::{Session, SessionOptions, assess::CheckFormat};
/// use sct_workflows::plugins::{CheckOptions, check};
/// let plugin_dirs = vec!["../../plugins".into()];
/// let session = Session::load(SessionOptions { plugin_dirs, ..Default::default() })?;
/// let options = CheckOptions {
///     name: Some("neighbourhood-measures".into()),
///     run: Default::default(),
///     format: CheckFormat::Text,
/// };
/// let checks = check(&session, &options)?;
/// assert!(checks.failed.is_empty());
/// let text = String::from_utf8(checks.output.document.into_bytes()?)?;
/// assert!(text.starts_with("ok: neighbourhood-measures "));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(session: &Session, options: &CheckOptions) -> Result<PluginChecks> {
    let d = discovery(session);
    let names: Vec<String> = match &options.name {
        Some(n) => vec![n.clone()],
        None => d.plugins.iter().map(|f| f.name()).collect(),
    };
    if names.is_empty() {
        return Err(refused(
            "no plugins found to check; expected plugins in plugins/, SCT_PLUGIN_PATH or a plugin directory given".into(),
        ));
    }
    let mut failed: Vec<HostError> = Vec::new();
    let mut text = String::new();
    let mut results = Vec::new();
    for name in &names {
        match check_one(&d, name, &options.run) {
            Ok((line, json)) => {
                text.push_str(&line);
                results.push(json);
            }
            Err(e) => {
                let _ = writeln!(text, "FAILED: {e}");
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
    let document = match options.format {
        CheckFormat::Text => text,
        CheckFormat::Json => json_text(&serde_json::json!({
            "schema": "sct-plugins-check/1",
            "ok": failed.is_empty(),
            "plugins": results,
        })),
    };
    Ok(PluginChecks {
        output: Output::text(document),
        checked: names.len(),
        failed,
    })
}

/// What [`check`] found: the document giving each plugin's result, and each failure whole
/// (its fault typed), for the caller to report as it reports errors.
#[derive(Debug)]
pub struct PluginChecks {
    /// The document: each plugin's result.
    pub output: Output<'static>,
    /// How many plugins were checked.
    pub checked: usize,
    /// The checks that failed.
    pub failed: Vec<HostError>,
}

/// Opens and checks one plugin: its line for people and its JSON result.
fn check_one(
    d: &Discovery,
    name: &str,
    options: &Options,
) -> std::result::Result<(String, serde_json::Value), HostError> {
    let p = d.open(name, options)?;
    let desc = p.check()?;
    let measures: Vec<&str> = desc.measures.iter().map(|m| m.id.as_str()).collect();
    let m = &p.manifest;
    let line = format!(
        "ok: {} {} ({}, protocol {PROTOCOL_VERSION}, sha256 {}…): {}\n",
        m.name,
        m.version,
        m.kind.as_str(),
        &m.sha256[..12],
        measures.join(", ")
    );
    let json = serde_json::json!({
        "name": m.name,
        "ok": true,
        "version": m.version,
        "kind": m.kind.as_str(),
        "protocol": PROTOCOL_VERSION,
        "sha256": m.sha256,
        "measures": measures,
    });
    Ok((line, json))
}

/// Options of [`run`].
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The plugin's name.
    pub plugin: String,
    /// The measure's id.
    pub measure: String,
    /// The measure's parameters (see [`parse_parameters`]).
    pub parameters: BTreeMap<String, String>,
    /// Local data files or folders for the plugin: inputs, never overwritten by the output.
    pub data: Vec<PathBuf>,
    /// The organisation's ODS code.
    pub organisation: Option<String>,
    /// The first period wanted, as the measure writes periods (2025-W14, 2025-04).
    pub period_from: Option<String>,
    /// The last period wanted.
    pub period_to: Option<String>,
    /// How the plugin runs.
    pub run: Options,
    /// The format.
    pub format: RunFormat,
}

/// `NAME=VALUE` parameters (`--param`) as a map; a malformed or repeated one is refused.
///
/// ```
/// let p = sct_workflows::plugins::parse_parameters(&["weeks=52".into()])?;
/// assert_eq!(p["weeks"], "52");
/// assert!(sct_workflows::plugins::parse_parameters(&["weeks".into()]).is_err());
/// # Ok::<(), sct_workflows::Error>(())
/// ```
pub fn parse_parameters(params: &[String]) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for p in params {
        let Some((k, v)) = p.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(parameter_refused(format!(
                "plugin parameter \"{p}\": expected NAME=VALUE"
            )));
        };
        if map.insert(k.to_string(), v.to_string()).is_some() {
            return Err(parameter_refused(format!(
                "plugin parameter {k} is given twice"
            )));
        }
    }
    Ok(map)
}

/// The reply of [`run`] in JSON.
#[derive(Serialize)]
struct RunOutput<'a> {
    plugin: &'a str,
    plugin_version: &'a str,
    #[serde(flatten)]
    response: &'a ComputeResponse,
}

/// Computes a plugin's measure: its series (or evidence items) as CSV, or its whole reply
/// as JSON; the plugin's notes are notices. The data paths are recorded as inputs, so that
/// no output written through `sct-files` replaces one.
///
/// ```
/// use sct_workflows::{Session, SessionOptions, plugins::{RunFormat, RunOptions, run}};
/// let plugin_dirs = vec!["../../plugins".into()];
/// let session = Session::load(SessionOptions { plugin_dirs, ..Default::default() })?;
/// let options = RunOptions {
///     plugin: "neighbourhood-measures".into(),
///     measure: "care-plan-coverage".into(),
///     parameters: Default::default(),
///     data: vec!["../../plugins/neighbourhood-measures/sample/proactive-care.csv".into()],
///     organisation: None,
///     period_from: None,
///     period_to: None,
///     run: Default::default(),
///     format: RunFormat::Csv,
/// };
/// let csv = String::from_utf8(run(&session, &options)?.document.into_bytes()?)?;
/// assert!(csv.starts_with("period,value,numerator,denominator\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(session: &Session, options: &RunOptions) -> Result<Output<'static>> {
    for path in &options.data {
        // Only recorded: the plugin reads its data itself, and says what it made of a path
        // it cannot read.
        let _ = sct_files::open_input(path);
    }
    let plugin = discovery(session).open(&options.plugin, &options.run)?;
    let request = ComputeRequest {
        protocol: PROTOCOL_VERSION,
        measure: options.measure.clone(),
        parameters: options.parameters.clone(),
        organisation: options.organisation.clone(),
        period_from: options.period_from.clone(),
        period_to: options.period_to.clone(),
        data: options
            .data
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
    };
    let response = plugin.compute(&request)?;
    let name = &plugin.manifest.name;
    let notices = response
        .notes
        .iter()
        .map(|note| Diagnostic::note(format!("plugin \"{name}\": {note}")))
        .collect();
    let text = match options.format {
        RunFormat::Csv => to_csv(&response),
        RunFormat::Json => sct_report::json::with_schema(
            "sct-plugins-run/1",
            &RunOutput {
                plugin: name,
                plugin_version: &plugin.manifest.version,
                response: &response,
            },
        ),
    };
    Ok(Output::text(text).with_notices(notices))
}

fn number(v: Option<f64>) -> String {
    sct_core::csv_out::opt_number(v)
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
                EvidenceStatus::Present => "present",
                EvidenceStatus::Missing => "missing",
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

/// Options of [`install`].
#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// The built library (.so, .dylib, .dll) or the script.
    pub file: PathBuf,
    /// The plugin's name (default: the name its describe gives).
    pub name: Option<String>,
    /// The folder to install into (the plugin goes in `to/NAME/`).
    pub to: PathBuf,
    /// The program that runs a script (default: python3 for .py, Rscript for .R).
    pub interpreter: Option<String>,
    /// Replace an installed plugin of the same name.
    pub force: bool,
    /// How the plugin runs while it is described.
    pub run: Options,
}

/// Copies a built library or a script into a plugin folder and writes its manifest, with
/// the checksum of the copy and the measures its describe gives; the document says what was
/// installed where. Needs no session: nothing known is read.
///
/// ```
/// use sct_workflows::plugins::{InstallOptions, install};
/// let to = tempfile::tempdir()?;
/// let options = InstallOptions {
///     file: "../../plugins/neighbourhood-measures/neighbourhood.py".into(),
///     name: None,
///     to: to.path().into(),
///     interpreter: None,
///     force: false,
///     run: Default::default(),
/// };
/// let text = String::from_utf8(install(&options)?.document.into_bytes()?)?;
/// assert!(text.starts_with("installed neighbourhood-measures "));
/// assert!(to.path().join("neighbourhood-measures/plugin.toml").is_file());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn install(options: &InstallOptions) -> Result<Output<'static>> {
    let (dir, manifest) = sct_plugin_host::install::install(
        &sct_plugin_host::install::Install {
            source: &options.file,
            name: options.name.as_deref(),
            to: &options.to,
            interpreter: options.interpreter.as_deref(),
            force: options.force,
        },
        &options.run,
    )?;
    Ok(Output::text(format!(
        "installed {} {} ({}) in {}: measures {}\n",
        manifest.name,
        manifest.version,
        manifest.kind.as_str(),
        dir.display(),
        manifest.measures.join(", ")
    )))
}
