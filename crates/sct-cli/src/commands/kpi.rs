//! `sct kpi spc`.

use std::process::ExitCode;

use sct_core::Error;
use sct_core::diagnostic::Diagnostics;
use sct_core::output::{Overwrite, write_atomic};
use sct_core::source::SourceFile;
use sct_kpi::spc::{Improvement, SpcOptions};
use sct_kpi::spc_input::{self, Columns};

use crate::cli::{GlobalArgs, ImprovementArg, KpiCommand, KpiSpcArgs, SpcFormat};
use crate::outputs::{emit, emit_bytes, extension};

pub fn run(_global: &GlobalArgs, cmd: KpiCommand) -> Result<ExitCode, Error> {
    match cmd {
        KpiCommand::Spc(args) => spc(args),
    }
}

fn improvement(a: ImprovementArg) -> Improvement {
    match a {
        ImprovementArg::Increase => Improvement::Increase,
        ImprovementArg::Decrease => Improvement::Decrease,
        ImprovementArg::Neutral => Improvement::Neutral,
    }
}

fn spc(args: KpiSpcArgs) -> Result<ExitCode, Error> {
    let src = SourceFile::read(&args.input)?;
    let columns = Columns {
        date: args.date_col.clone(),
        value: args.value_col.clone(),
    };
    let points = spc_input::read_series(&src, &columns).map_err(Error::Invalid)?;
    let options = SpcOptions {
        improvement: improvement(args.improvement),
        target: args.target,
        fix_after: args.fix_after,
        screen_outliers: !args.no_screen_outliers,
        shift_length: args.shift_length,
        trend_length: args.trend_length,
    };
    let run = spc_input::run(&src.name, points, &args.rebase, options).map_err(Error::Invalid)?;
    for w in &run.result.warnings {
        eprintln!("warning: {w}");
    }
    let format = args
        .format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("json") => SpcFormat::Json,
            Some("svg") => SpcFormat::Svg,
            Some("png") => SpcFormat::Png,
            _ => SpcFormat::Csv,
        });
    // Write the summary first: if the main output then fails, nothing is half-written.
    if let Some(path) = &args.summary {
        let text = format!(
            "{}\n",
            serde_json::to_string_pretty(&spc_input::summary(&run)).unwrap_or_default()
        );
        let mode = if args.out.force {
            Overwrite::Replace
        } else {
            Overwrite::Refuse
        };
        write_atomic(path, text.as_bytes(), mode, &[&args.input])?;
    }
    match format {
        SpcFormat::Csv => emit(&args.out, &spc_input::to_csv(&run), &[&args.input])?,
        SpcFormat::Json => emit(
            &args.out,
            &format!(
                "{}\n",
                serde_json::to_string_pretty(&spc_input::to_json(&run)).unwrap_or_default()
            ),
            &[&args.input],
        )?,
        SpcFormat::Svg | SpcFormat::Png => {
            let bytes = crate::commands::kpi_chart::draw(&run, &src.name, format == SpcFormat::Png)
                .map_err(|e| Error::Invalid(Diagnostics(vec![sct_core::Diagnostic::error(e)])))?;
            emit_bytes(&args.out, &bytes, &[&args.input])?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
