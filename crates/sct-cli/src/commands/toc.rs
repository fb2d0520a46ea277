//! `sct toc check|report|diagram`: the arguments as the workflows' options, the result
//! written.

use std::process::ExitCode;

use sct_workflows::toc::{self, TocDiagramFormat, TocKpiOptions, TocReportFormat};
use sct_workflows::{Format, Session};

use super::measures::plugin_options;
use crate::cli::{CheckFormat, TocCommand, TocKpiArgs};
use crate::error::CliError;
use crate::outputs::{emit_output, print_output};

/// Runs a `sct toc` command.
pub fn run(session: &Session, cmd: TocCommand) -> Result<ExitCode, CliError> {
    match cmd {
        TocCommand::Check(args) => {
            let options = toc::CheckOptions {
                toc: args.toc,
                format: args.format,
            };
            let output = toc::check(session, &options)?;
            print_output(output, options.format == CheckFormat::Text)
        }
        TocCommand::Report(args) => {
            let options = toc::ReportOptions {
                format: TocReportFormat::choose_checked(args.format, args.out.output.as_deref())?,
                toc: args.toc,
                kpi: kpi_options(args.kpi)?,
                assessment: args.assessment,
                template_dir: args.template_dir,
            };
            emit_output(&args.out, toc::report(session, &options)?)
        }
        TocCommand::Diagram(args) => {
            let options = toc::DiagramOptions {
                format: TocDiagramFormat::choose_checked(args.format, args.out.output.as_deref())?,
                toc: args.toc,
                kpi: kpi_options(args.kpi)?,
            };
            emit_output(&args.out, toc::diagram(session, &options)?)
        }
    }
}

/// The live-status arguments as the workflows' options.
fn kpi_options(args: TocKpiArgs) -> Result<TocKpiOptions, CliError> {
    Ok(TocKpiOptions {
        plugins: plugin_options(&args.plugin_data, &args.plugin)?,
        kpi_data: args.kpi_data,
        org: args.org,
        as_of: args.as_of,
    })
}
