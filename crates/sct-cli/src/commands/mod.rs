//! One module per command. Each loads what it needs, calls the libraries and prints.

mod assess;
mod compare;
mod frameworks;
mod kpi;
mod kpi_chart;
mod kpi_funnel;
mod plugin_measures;
mod plugins;
pub(crate) mod report;
mod shell;
mod toc;
mod toc_draw;

use crate::error::CliError;
use std::path::PathBuf;
use std::process::ExitCode;

use sct_core::{Error, Sct};

use crate::cli::{Cli, Command, GlobalArgs};
use crate::outputs::emit;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Frameworks(cmd) => frameworks::run(&cli.global, cmd),
        Command::Template(args) => assess::template(&session(&cli.global)?, args),
        Command::Validate(args) => assess::validate(&session(&cli.global)?, args),
        Command::Score(args) => assess::score(&session(&cli.global)?, args),
        Command::Report(args) => assess::report(&session(&cli.global)?, args),
        Command::Plan(args) => assess::plan(&session(&cli.global)?, args),
        Command::Chart(args) => assess::chart(&session(&cli.global)?, args),
        Command::Kpi(cmd) => kpi::run(&cli.global, cmd),
        Command::Toc(cmd) => toc::run(&cli.global, cmd),
        Command::Schema(args) => {
            // The kind was checked by clap against the known kinds.
            let text = sct_core::schema::schema_for(&args.kind).unwrap_or_default();
            emit(&args.out, &format!("{text}\n"), &[])?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Plugins(cmd) => plugins::run(&cli.global, cmd),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
        Command::Convert(args) => assess::convert(&session(&cli.global)?, args),
        Command::Compare(args) => compare::run(&session(&cli.global)?, args),
    }
}

/// Framework directories: SCT_FRAMEWORK_PATH first, then --framework-dir in order, so the
/// command line wins.
pub fn framework_dirs(global: &GlobalArgs) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("SCT_FRAMEWORK_PATH")
        .map(|v| {
            std::env::split_paths(&v)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    dirs.extend(global.framework_dirs.iter().cloned());
    dirs
}

/// The workflows' session: frameworks and organisations as the global options say.
pub fn session(global: &GlobalArgs) -> Result<sct_workflows::Session, CliError> {
    Ok(sct_workflows::Session::load(
        sct_workflows::SessionOptions {
            framework_dirs: framework_dirs(global),
            organisations: global.organisations.clone(),
            successions: global.successions.clone(),
            plugin_dirs: global.plugin_dirs.clone(),
        },
    )?)
}

/// Loads frameworks and organisations as the global options say, with the workbook reader
/// registered so that every command reading a response accepts a filled `.xlsx`.
pub fn load(global: &GlobalArgs) -> Result<Sct, Error> {
    let orgs = global
        .organisations
        .as_deref()
        .map(|o| (o, global.successions.as_deref()));
    Ok(sct_xlsx::install(Sct::with(&framework_dirs(global), orgs)?))
}

/// Parses a `--as-of` style date argument.
pub fn parse_date_arg(flag: &str, value: &str) -> Result<sct_core::Date, Error> {
    sct_core::Date::parse(value).map_err(|e| {
        Error::Invalid(sct_core::Diagnostics(vec![sct_core::Diagnostic::error(
            format!("{flag}: {e}"),
        )]))
    })
}
