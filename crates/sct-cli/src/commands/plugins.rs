//! `sct plugins list|check|run|install`: the arguments as the workflows' options, the result
//! written; and the child side of `--isolate`, which only the command line can be.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use sct_core::Error;
use sct_plugin_host::{Isolation, MaxOutput, Options, Timeout};
use sct_workflows::plugins::{self, CheckOptions, InstallOptions, ListOptions, RunOptions};
use sct_workflows::{Format, Session};

use crate::cli::{CheckFormat, PluginRunOptions, PluginsCommand};
use crate::error::CliError;
use crate::outputs::{emit_output, print_output};

/// Runs a `sct plugins` command; `session` is made only for the commands that find plugins.
pub fn run(
    session: impl FnOnce() -> Result<Session, CliError>,
    cmd: PluginsCommand,
) -> Result<ExitCode, CliError> {
    match cmd {
        PluginsCommand::List { format } => {
            print_output(plugins::list(&session()?, &ListOptions { format })?, false)
        }
        PluginsCommand::Check(args) => {
            let options = CheckOptions {
                name: args.name,
                run: options(&args.plugin)?,
                format: args.format,
            };
            let mut checks = plugins::check(&session()?, &options)?;
            let status = print_output(checks.output, options.format == CheckFormat::Text)?;
            match checks.failed.len() {
                0 => Ok(status),
                1 => Err(CliError::Plugin(checks.failed.remove(0))),
                failed => Err(CliError::PluginChecks {
                    failed,
                    checked: checks.checked,
                    bad_input: checks.failed.iter().all(|e| e.is_bad_input()),
                }),
            }
        }
        PluginsCommand::Run(args) => {
            let options = RunOptions {
                run: options(&args.plugin_options)?,
                parameters: plugins::parse_parameters(&args.params)?,
                format: Format::choose_checked(args.format, args.out.output.as_deref())?,
                plugin: args.plugin,
                measure: args.measure,
                data: args.data,
                organisation: args.org,
                period_from: args.from,
                period_to: args.to,
            };
            emit_output(&args.out, plugins::run(&session()?, &options)?)
        }
        PluginsCommand::Install(args) => {
            let options = InstallOptions {
                run: options(&args.plugin)?,
                file: args.file,
                name: args.name,
                to: args.to,
                interpreter: args.interpreter,
                force: args.force,
            };
            print_output(plugins::install(&options)?, false)
        }
        PluginsCommand::IsolatedCall { dir, verb } => isolated_call(&dir, &verb),
    }
}

fn usage(message: String) -> Error {
    Error::Invalid(sct_core::Diagnostics(vec![sct_core::Diagnostic::error(
        message,
    )]))
}

/// How plugins run, from the command line. The limits are made through the host's checked
/// constructors, so an out-of-range `--timeout` or `--max-output-mb` is a usage error; an
/// isolated plugin runs in a child of this very executable (`plugins __isolated-call`).
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

/// The child side of `--isolate`: one call of the plugin in `dir`, its reply on standard
/// output.
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
    let out = sct_plugin_host::serve_isolated(dir, verb, &input, max_output)
        .map_err(sct_workflows::Error::from)?;
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
