//! `sct score`.

use std::process::ExitCode;

use sct_core::{Error, ResolveOptions, Sct};

use crate::cli::{ScoreArgs, ScoreFormat};
use crate::outputs::{emit, emit_bytes};

use super::parse_date_arg;
use super::report::report_error;

pub fn run(sct: &Sct, args: ScoreArgs) -> Result<ExitCode, Error> {
    let as_of = args
        .as_of
        .as_deref()
        .map(|d| parse_date_arg("--as-of", d))
        .transpose()?;
    let report = sct.score_file(
        &args.response,
        ResolveOptions {
            strict: args.strict,
        },
        as_of,
    )?;
    let format = args.format.unwrap_or_else(|| {
        match args
            .out
            .output
            .as_ref()
            .and_then(|p| p.extension())
            .and_then(|e| e.to_str())
        {
            Some("json") => ScoreFormat::Json,
            Some("csv") => ScoreFormat::Csv,
            Some("xlsx") => ScoreFormat::Xlsx,
            _ => ScoreFormat::Table,
        }
    });
    let text = match format {
        ScoreFormat::Table => sct_report::score_table(&report),
        ScoreFormat::Json => sct_report::score_json(&report),
        ScoreFormat::Csv => sct_report::score_csv(&report),
        ScoreFormat::Xlsx => {
            let bytes = sct_report::score_xlsx(&report).map_err(report_error)?;
            emit_bytes(&args.out, &bytes, &[&args.response])?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    emit(&args.out, &text, &[&args.response])?;
    Ok(ExitCode::SUCCESS)
}
