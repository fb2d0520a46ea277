//! One module per command. Each loads what it needs, calls the libraries and prints.

mod assess;
mod compare;
mod frameworks;
mod kpi;
mod measures;
mod moderate;
mod plugins;
mod shell;
mod toc;

use crate::error::CliError;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::outputs::emit;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Frameworks(cmd) => frameworks::run(&frameworks_session(&cli.global)?, cmd),
        Command::Template(args) => assess::template(&session(&cli.global)?, args),
        Command::Validate(args) => assess::validate(&session(&cli.global)?, args),
        Command::Score(args) => assess::score(&session(&cli.global)?, args),
        Command::Report(args) => assess::report(&session(&cli.global)?, args),
        Command::Diff(args) => assess::diff(&session(&cli.global)?, args),
        Command::Plan(args) => assess::plan(&session(&cli.global)?, args),
        Command::Chart(args) => assess::chart(&session(&cli.global)?, args),
        // A funnel table reads no framework: the session is loaded only for a chart.
        Command::Kpi(crate::cli::KpiCommand::Funnel(args)) => kpi::funnel(
            || sct_workflows::Session::load(session_options(&cli.global)),
            args,
        ),
        Command::Kpi(cmd) => kpi::run(&session(&cli.global)?, cmd),
        Command::Toc(cmd) => toc::run(&session(&cli.global)?, cmd),
        Command::Schema(args) => {
            // The kind was checked by clap against the known kinds.
            let text = sct_core::schema::schema_for(&args.kind).unwrap_or_default();
            emit(&args.out, &format!("{text}\n"), &[])?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Plugins(cmd) => plugins::run(|| plugins_session(&cli.global), cmd),
        Command::Completions(args) => shell::completions(args),
        Command::Man(args) => shell::man(args),
        Command::Convert(args) => assess::convert(&session(&cli.global)?, args),
        Command::Approve(args) => assess::approve(&session(&cli.global)?, args),
        Command::Compare(args) => compare::run(&session(&cli.global)?, args),
        Command::Moderate(args) => moderate::run(&session(&cli.global)?, args),
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
    Ok(sct_workflows::Session::load(session_options(global))?)
}

/// The options of the workflows' session, as the global options say.
fn session_options(global: &GlobalArgs) -> sct_workflows::SessionOptions {
    sct_workflows::SessionOptions {
        framework_dirs: framework_dirs(global),
        organisations: global.organisations.clone(),
        successions: global.successions.clone(),
        plugin_dirs: global.plugin_dirs.clone(),
    }
}

/// The session of `sct frameworks`: the frameworks alone, as they read no organisations (so a
/// table given with --organisations is neither read nor refused there).
fn frameworks_session(global: &GlobalArgs) -> Result<sct_workflows::Session, CliError> {
    Ok(sct_workflows::Session::load(
        sct_workflows::SessionOptions {
            framework_dirs: framework_dirs(global),
            ..Default::default()
        },
    )?)
}

/// The session of `sct plugins`: the plugin folders with the bundled frameworks, as plugins
/// read no framework (so a framework folder in error does not stop them).
fn plugins_session(global: &GlobalArgs) -> Result<sct_workflows::Session, CliError> {
    Ok(sct_workflows::Session::load(
        sct_workflows::SessionOptions {
            plugin_dirs: global.plugin_dirs.clone(),
            ..Default::default()
        },
    )?)
}
