//! `sct kpi funnel` (`shared/spec/funnel.md`).

use crate::error::CliError;
use std::process::ExitCode;

use sct_core::Error;
use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::source::SourceFile;
use sct_kpi::funnel_input::{self, Funnel, FunnelKind};
use sct_report::charts::ChartFormat;
use sct_report::funnel_chart::{funnel_chart, proportion_chart, ratio_chart};

use crate::cli::{FunnelFormat, FunnelTypeArg, KpiFunnelArgs};
use crate::outputs::{emit_bytes, emit_with, extension};

fn invalid(name: &str, message: String) -> Error {
    Error::Invalid(Diagnostics(vec![Diagnostic::error(message).in_file(name)]))
}

pub fn run(args: KpiFunnelArgs) -> Result<ExitCode, CliError> {
    let kind = match args.kind {
        FunnelTypeArg::Proportion => FunnelKind::Proportion,
        FunnelTypeArg::Ratio => FunnelKind::Ratio,
    };
    if args.overdispersion && kind == FunnelKind::Proportion {
        return Err(Error::Invalid(Diagnostics(vec![
            Diagnostic::error("--overdispersion applies to --type ratio only")
                .expected("--type ratio --overdispersion, or no --overdispersion"),
        ]))
        .into());
    }
    let multiplier = args.multiplier.unwrap_or(kind.default_multiplier());
    let src = SourceFile::read(&args.input)?;
    let rows = funnel_input::read_funnel_rows(&src, kind).map_err(Error::Invalid)?;
    let funnel = funnel_input::compute(&rows, kind, multiplier, args.overdispersion)
        .map_err(|e| Error::Invalid(Diagnostics(vec![funnel_input::located(&src, &rows, &e)])))?;
    if let Some(note) = funnel_input::overdispersion_note(&funnel) {
        crate::style::note(note);
    }
    let format = args
        .format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("json") => FunnelFormat::Json,
            Some("svg") => FunnelFormat::Svg,
            Some("png") => FunnelFormat::Png,
            _ => FunnelFormat::Csv,
        });
    let inputs = [args.input.as_path()];
    match format {
        FunnelFormat::Csv => {
            emit_with(&args.out, &inputs, |w| funnel_input::write_csv(&funnel, w))?
        }
        FunnelFormat::Json => {
            emit_with(&args.out, &inputs, |w| funnel_input::write_json(&funnel, w))?
        }
        FunnelFormat::Svg | FunnelFormat::Png => {
            let title = args.title.clone().unwrap_or_else(|| {
                args.input
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default()
            });
            let chart = match &funnel {
                Funnel::Proportion(f) => {
                    let unit = if multiplier == 100.0 {
                        "%".to_string()
                    } else {
                        format!("per {multiplier}")
                    };
                    proportion_chart(f, &title, &unit)
                }
                Funnel::Ratio(f) => ratio_chart(f, &title),
            };
            let chart_format = if format == FunnelFormat::Png {
                ChartFormat::Png
            } else {
                ChartFormat::Svg
            };
            let bytes = funnel_chart(&chart, chart_format)
                .map_err(|e| invalid(&src.name, e.to_string()))?;
            emit_bytes(&args.out, &bytes, &inputs)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
