//! `sct kpi spc`.

use std::process::ExitCode;

use sct_core::Error;
use sct_core::diagnostic::Diagnostics;
use sct_core::output::{Overwrite, write_atomic};
use sct_core::source::SourceFile;
use sct_kpi::chart::{ChartChoice, ChartKind, ChartOptions};
use sct_kpi::chart_input::{self, ChartColumns, SeriesData};
use sct_kpi::runchart::RunRules;
use sct_kpi::spc::{Improvement, SpcOptions};
use sct_kpi::spc_input::{self, Columns};

use std::collections::BTreeSet;

use sct_core::diagnostic::Diagnostic;
use sct_kpi::data::read_kpi_data;
use sct_kpi::kpiset::KpiSet;
use sct_kpi::review::ReviewOptions;
use sct_report::kpi_review;
use sct_report::render::Templates;

use super::report::report_error;
use crate::cli::{
    GlobalArgs, ImprovementArg, KpiCommand, KpiReviewArgs, KpiSpcArgs, ReportFormat, RunRulesArg,
    SpcChartArg, SpcFormat,
};
use crate::outputs::{emit, emit_bytes, extension};

pub fn run(global: &GlobalArgs, cmd: KpiCommand) -> Result<ExitCode, Error> {
    match cmd {
        KpiCommand::Spc(args) => spc(args),
        KpiCommand::Review(args) => review(global, args),
        KpiCommand::Funnel(args) => super::kpi_funnel::run(args),
    }
}

fn review(global: &GlobalArgs, args: KpiReviewArgs) -> Result<ExitCode, Error> {
    let sct = super::load(global)?;
    let as_of = args
        .as_of
        .as_deref()
        .map(|d| super::parse_date_arg("--as-of", d))
        .transpose()?;
    let (set, set_file) = KpiSet::find(&args.set, &sct.registry)?;
    let name = args.data.display().to_string();
    let file = open_input(&args.data)?;
    let keep: BTreeSet<String> = [args.org.clone()].into();
    let data = read_kpi_data(std::io::BufReader::new(file), &name, &set, Some(&keep))
        .map_err(Error::Invalid)?;
    for w in &data.warnings {
        eprintln!("warning: {w}");
    }
    let options = ReviewOptions {
        as_of: as_of.map(|d| d.0),
        organisation_name: sct.organisations.get(&args.org).map(|o| o.name.clone()),
    };
    let r = sct_kpi::review::review(&set, &set_file, &data, &args.org, &options).map_err(|e| {
        Error::Invalid(Diagnostics(vec![
            Diagnostic::error(e.to_string())
                .in_file(&name)
                .expected("--org with an organisation code in the file's `organisation` column"),
        ]))
    })?;
    let format = args
        .format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("html" | "htm") => ReportFormat::Html,
            Some("json") => ReportFormat::Json,
            Some("csv") => ReportFormat::Csv,
            _ => ReportFormat::Md,
        });
    let templates = Templates::load(args.template_dir.as_deref()).map_err(report_error)?;
    let text = match format {
        ReportFormat::Html => kpi_review::html(&templates, &r).map_err(report_error)?,
        ReportFormat::Md => kpi_review::markdown(&templates, &r).map_err(report_error)?,
        ReportFormat::Json => kpi_review::json(&r),
        ReportFormat::Csv => kpi_review::csv(&r),
    };
    emit(&args.out, &text, &[&args.data])?;
    Ok(ExitCode::SUCCESS)
}

/// Opens an input for streaming, with the errors [`SourceFile::read`] gives for a missing
/// file or a directory.
fn open_input(path: &std::path::Path) -> Result<std::fs::File, Error> {
    if path.is_dir() {
        return Err(Error::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        action: "read",
        source,
    })
}

/// The output format: `--format`, else the `-o` extension, else CSV.
fn spc_format(args: &KpiSpcArgs) -> SpcFormat {
    args.format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("json") => SpcFormat::Json,
            Some("svg") => SpcFormat::Svg,
            Some("png") => SpcFormat::Png,
            _ => SpcFormat::Csv,
        })
}

/// Pretty JSON ending in a newline.
fn json_text(value: &serde_json::Value) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    )
}

/// Writes the `--summary` JSON, if asked for, with the same overwrite rule as `-o`.
fn write_summary(args: &KpiSpcArgs, summary: &serde_json::Value) -> Result<(), Error> {
    let Some(path) = &args.summary else {
        return Ok(());
    };
    let mode = if args.out.force {
        Overwrite::Replace
    } else {
        Overwrite::Refuse
    };
    write_atomic(path, json_text(summary).as_bytes(), mode, &[&args.input])?;
    Ok(())
}

fn improvement(a: ImprovementArg) -> Improvement {
    match a {
        ImprovementArg::Increase => Improvement::Increase,
        ImprovementArg::Decrease => Improvement::Decrease,
        ImprovementArg::Neutral => Improvement::Neutral,
    }
}

fn spc(args: KpiSpcArgs) -> Result<ExitCode, Error> {
    if args.chart != SpcChartArg::Xmr {
        return chart(args);
    }
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
    let format = spc_format(&args);
    // Write the summary first: if the main output then fails, nothing is half-written.
    write_summary(&args, &spc_input::summary(&run))?;
    match format {
        SpcFormat::Csv => emit(&args.out, &spc_input::to_csv(&run), &[&args.input])?,
        SpcFormat::Json => emit(
            &args.out,
            &json_text(&spc_input::to_json(&run)),
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

/// `sct kpi spc --chart run|pprime|uprime|auto` (`shared/spec/runchart.md`). Writes the spec's
/// CSV or JSON; SVG and PNG only where every segment is an XmR chart (`auto` on long
/// segments), drawn as `--chart xmr` draws them.
fn chart(args: KpiSpcArgs) -> Result<ExitCode, Error> {
    let src = SourceFile::read(&args.input)?;
    let columns = ChartColumns {
        date: args.date_col.clone(),
        value: args.value_col.clone(),
        numerator: args.numerator_col.clone(),
        denominator: args.denominator_col.clone(),
    };
    let choice = match args.chart {
        SpcChartArg::Xmr => ChartChoice::Only(ChartKind::Xmr),
        SpcChartArg::Run => ChartChoice::Only(ChartKind::Run),
        SpcChartArg::Pprime => ChartChoice::Only(ChartKind::PPrime),
        SpcChartArg::Uprime => ChartChoice::Only(ChartKind::UPrime),
        SpcChartArg::Auto => ChartChoice::Auto(None),
    };
    let kind = match choice {
        ChartChoice::Only(k) => Some(k),
        ChartChoice::Auto(k) => k,
    };
    let data = chart_input::read_chart_series(&src, &columns, kind).map_err(Error::Invalid)?;
    let options = ChartOptions {
        chart: choice,
        min_points: args.min_points,
        improvement: improvement(args.improvement),
        target: args.target,
        fix_after: args.fix_after,
        run_rules: match args.run_rules {
            RunRulesArg::Anhoj => RunRules::Anhoj,
            RunRulesArg::Fixed => RunRules::Fixed {
                shift_length: args.shift_length,
                trend_length: args.trend_length,
            },
        },
        xmr_screen_outliers: !args.no_screen_outliers,
        laney_screen_outliers: args.screen_outliers,
        multiplier: args.multiplier,
        shift_length: args.shift_length,
        trend_length: args.trend_length,
    };
    let run =
        chart_input::run_chart(&src.name, data, &args.rebase, options).map_err(Error::Invalid)?;
    for w in &run.result.warnings {
        eprintln!("warning: {w}");
    }
    let format = spc_format(&args);
    let all_xmr = run
        .result
        .segments
        .iter()
        .all(|s| s.chart == ChartKind::Xmr);
    // Write the summary first: if the main output then fails, nothing is half-written.
    write_summary(&args, &chart_input::summary(&run))?;
    match format {
        SpcFormat::Csv => emit(&args.out, &chart_input::to_csv(&run), &[&args.input])?,
        SpcFormat::Json => emit(
            &args.out,
            &json_text(&chart_input::to_json(&run)),
            &[&args.input],
        )?,
        SpcFormat::Svg | SpcFormat::Png
            if !all_xmr || matches!(run.data, SeriesData::Counts(_)) =>
        {
            // Run, p′ and u′ charts (and XmR on counts): per-point centre and limits.
            let bytes =
                crate::commands::kpi_chart::draw_any(&run, &src.name, format == SpcFormat::Png)
                    .map_err(|e| {
                        Error::Invalid(Diagnostics(vec![sct_core::Diagnostic::error(e)]))
                    })?;
            emit_bytes(&args.out, &bytes, &[&args.input])?;
        }
        SpcFormat::Svg | SpcFormat::Png => {
            // Every segment is XmR on values: draw the XmR chart of the same points and options.
            let SeriesData::Values(points) = run.data else {
                return Ok(ExitCode::FAILURE);
            };
            let options = SpcOptions {
                improvement: run.options.improvement,
                target: run.options.target,
                fix_after: run.options.fix_after,
                screen_outliers: run.options.xmr_screen_outliers,
                shift_length: run.options.shift_length,
                trend_length: run.options.trend_length,
            };
            let xmr =
                spc_input::run(&src.name, points, &args.rebase, options).map_err(Error::Invalid)?;
            let bytes = crate::commands::kpi_chart::draw(&xmr, &src.name, format == SpcFormat::Png)
                .map_err(|e| Error::Invalid(Diagnostics(vec![sct_core::Diagnostic::error(e)])))?;
            emit_bytes(&args.out, &bytes, &[&args.input])?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
