//! `sct kpi review|ipr|funnel|spc`: the arguments as the workflows' options, the result
//! written.

use std::collections::BTreeSet;
use std::process::ExitCode;

use sct_core::Error;
use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::output::{Overwrite, write_atomic};
use sct_core::source::SourceFile;
use sct_kpi::chart::{ChartChoice, ChartKind, ChartOptions};
use sct_kpi::chart_input::{self, ChartColumns, SeriesData};
use sct_kpi::funnel_input::FunnelKind;
use sct_kpi::profile::{Conflict, Profile, ProfileKind};
use sct_kpi::rebase_log::{self, RebaseEntry};
use sct_kpi::runchart::RunRules;
use sct_kpi::spc::{Improvement, SpcOptions};
use sct_kpi::spc_input::{self, Columns};
use sct_workflows::kpi::{
    self, FunnelFormat, IprFormat, IprOrganisations, KpiRowOptions, ReviewFormat, SpcProfileOptions,
};
use sct_workflows::{Format, Session};

use super::measures::plugin_options;
use crate::cli::{
    ConflictArg, FunnelTypeArg, ImprovementArg, KpiCommand, KpiFunnelArgs, KpiIprArgs,
    KpiReviewArgs, KpiRowArgs, KpiSpcArgs, ProfileArg, ReportFormat, RunRulesArg, SpcChartArg,
    SpcFormat, SpcProfileArgs,
};
use crate::error::CliError;
use crate::outputs::{emit, emit_bytes, emit_output, extension};

/// Runs a `sct kpi` command.
pub fn run(session: &Session, cmd: KpiCommand) -> Result<ExitCode, CliError> {
    match cmd {
        KpiCommand::Spc(args) => spc(args),
        KpiCommand::Review(args) => review(session, args),
        KpiCommand::Ipr(args) => ipr(session, args),
        KpiCommand::Funnel(args) => funnel(session, args),
    }
}

/// `sct kpi review`.
fn review(session: &Session, args: KpiReviewArgs) -> Result<ExitCode, CliError> {
    let given = args.format.map(|f| match f {
        ReportFormat::Html => ReviewFormat::Html,
        ReportFormat::Md => ReviewFormat::Md,
        ReportFormat::Json => ReviewFormat::Json,
        ReportFormat::Csv => ReviewFormat::Csv,
    });
    let options = kpi::ReviewOptions {
        format: ReviewFormat::choose(given, args.out.output.as_deref()),
        plugins: plugin_options(&args.plugins.plugin_data, &args.plugins.plugin)?,
        set: args.set,
        data: args.data,
        org: args.org,
        as_of: args.as_of,
        spc: spc_profile(&args.spc),
        rows: row_options(args.rows),
        template_dir: args.template_dir,
    };
    emit_output(&args.out, kpi::review(session, &options)?)
}

/// `sct kpi ipr`.
fn ipr(session: &Session, args: KpiIprArgs) -> Result<ExitCode, CliError> {
    let organisations = match args.org {
        Some(code) => IprOrganisations::One(code),
        None => IprOrganisations::All,
    };
    let options = kpi::IprOptions {
        format: IprFormat::choose(args.format, args.out.output.as_deref()),
        plugins: plugin_options(&args.plugins.plugin_data, &args.plugins.plugin)?,
        set: args.set,
        data: args.data,
        organisations,
        as_of: args.as_of,
        spc: spc_profile(&args.spc),
        rows: row_options(args.rows),
        template_dir: args.template_dir,
    };
    emit_output(&args.out, kpi::ipr(session, &options)?)
}

/// `sct kpi funnel`.
fn funnel(session: &Session, args: KpiFunnelArgs) -> Result<ExitCode, CliError> {
    let options = kpi::FunnelOptions {
        format: FunnelFormat::choose(args.format, args.out.output.as_deref()),
        kind: match args.kind {
            FunnelTypeArg::Proportion => FunnelKind::Proportion,
            FunnelTypeArg::Ratio => FunnelKind::Ratio,
        },
        input: args.input,
        multiplier: args.multiplier,
        overdispersion: args.overdispersion,
        title: args.title,
    };
    emit_output(&args.out, kpi::funnel(session, &options)?)
}

/// The profile arguments as the workflows' options.
fn spc_profile(args: &SpcProfileArgs) -> SpcProfileOptions {
    SpcProfileOptions {
        profile: args.profile.map(kind_of),
        compare_profile: args.compare_profile.map(kind_of),
        conflict: args.conflict.map(|c| match c {
            ConflictArg::Improvement => Conflict::Improvement,
            ConflictArg::Concern => Conflict::Concern,
        }),
        join_gaps: args.join_gaps,
    }
}

/// The row arguments as the workflows' options.
fn row_options(args: KpiRowArgs) -> KpiRowOptions {
    KpiRowOptions {
        rebase_log: args.rebase_log,
        skip_invalid: args.skip_invalid,
    }
}

/// The profile kind named by a command-line value.
fn kind_of(a: ProfileArg) -> ProfileKind {
    match a {
        ProfileArg::Ptd022 => ProfileKind::Ptd022,
        ProfileArg::Mdc => ProfileKind::Mdc,
    }
}

/// The profiles of `sct kpi spc`, checked as the workflows check them.
fn profiles(
    args: &SpcProfileArgs,
    default: ProfileKind,
    no_screen: bool,
    screen: bool,
    min_points: Option<usize>,
) -> Result<(Profile, Option<Profile>), CliError> {
    let spc = spc_profile(args);
    Ok(kpi::profiles(
        &spc, default, None, no_screen, screen, min_points,
    )?)
}

/// A bad-input error with one message and what was expected.
fn invalid(message: String, expected: &str) -> Error {
    Error::Invalid(Diagnostics(vec![
        Diagnostic::error(message).expected(expected.to_string()),
    ]))
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

/// With `--summary`, checks it and `-o` together before anything is computed, so that two
/// names for one file (or an output over the data) are refused with nothing written.
fn check_spc_outputs(args: &KpiSpcArgs) -> Result<(), Error> {
    let (Some(summary), Some(out)) = (&args.summary, &args.out.output) else {
        return Ok(());
    };
    if out.as_os_str() == "-" {
        return Ok(());
    }
    let mode = if args.out.force {
        Overwrite::Replace
    } else {
        Overwrite::Refuse
    };
    sct_core::output::check_outputs(&[summary, out], mode, &[&args.input])
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

/// The rebase log rows for `sct kpi spc`'s one series: those of `--indicator` and `--org`
/// when given; otherwise every row, which must then be for one series.
fn spc_log_rows(args: &KpiSpcArgs) -> Result<Vec<RebaseEntry>, CliError> {
    let Some(log) = kpi::load_rebase_log(
        args.rebase_log.as_deref(),
        Some(rebase_log::default_path(&args.input)),
    )?
    else {
        return Ok(Vec::new());
    };
    let rows: Vec<RebaseEntry> = log
        .entries
        .into_iter()
        .filter(|e| args.indicator.as_ref().is_none_or(|i| *i == e.indicator))
        .filter(|e| args.org.as_ref().is_none_or(|o| *o == e.organisation))
        .collect();
    let series: BTreeSet<(&str, &str)> = rows
        .iter()
        .map(|e| (e.organisation.as_str(), e.indicator.as_str()))
        .collect();
    if series.len() > 1 {
        let names: Vec<String> = series.iter().map(|(o, i)| format!("{o} {i}")).collect();
        return Err(Error::Invalid(Diagnostics(vec![
            Diagnostic::error(format!(
                "the rebase log {} has rows for {} series ({}); sct kpi spc reads one",
                log.file,
                series.len(),
                names.join(", ")
            ))
            .in_file(&log.file)
            .expected("--indicator ID and --org CODE to choose the rows that apply"),
        ]))
        .into());
    }
    Ok(rows)
}

fn spc(args: KpiSpcArgs) -> Result<ExitCode, CliError> {
    check_spc_outputs(&args)?;
    if args.chart != SpcChartArg::Xmr {
        return chart(args);
    }
    let src = SourceFile::read(&args.input)?;
    let columns = Columns {
        date: args.date_col.clone(),
        value: args.value_col.clone(),
    };
    let read =
        spc_input::read_series_with(&src, &columns, args.skip_invalid).map_err(Error::Invalid)?;
    let (profile, compare) = profiles(
        &args.spc,
        ProfileKind::Ptd022,
        args.no_screen_outliers,
        args.screen_outliers,
        args.min_points,
    )?;
    let options = SpcOptions {
        improvement: improvement(args.improvement),
        target: args.target,
        fix_after: args.fix_after,
        screen_outliers: profile.screen_outliers,
        shift_length: args.shift_length,
        trend_length: args.trend_length,
    };
    let settings = spc_input::RunSettings {
        profile,
        compare,
        gaps: spc_input::find_gaps(&read.points, &read.skipped),
        join_gaps: args.spc.join_gaps,
        rebase_log: spc_log_rows(&args)?,
    };
    let run = spc_input::run_with(&src.name, read.points, &args.rebase, options, settings)
        .map_err(Error::Invalid)?;
    for w in &run.result.warnings {
        crate::style::warning(w);
    }
    for s in run.suggestion_texts() {
        crate::style::note(s);
    }
    if let Some(c) = &run.compare {
        // One note, its points listed under it: printed or left out together.
        let mut text = format!(
            "{} and {} judge {} point{} differently{}",
            run.profile_name,
            c.profile_name,
            c.differences.len(),
            if c.differences.len() == 1 { "" } else { "s" },
            if c.differences.is_empty() { "" } else { ":" }
        );
        for &i in &c.differences {
            text.push_str(&format!(
                "\n  {}: {} under {} ({}); {} under {} ({})",
                run.label(i),
                run.result.point_type[i].as_str(),
                run.profile_name,
                or_none(&run.explanation(i)),
                c.result.point_type[i].as_str(),
                c.profile_name,
                or_none(&sct_kpi::profile::explanation(&c.hits[i], |k| run.label(k)))
            ));
        }
        crate::style::note(text);
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

/// "no rule" for an empty explanation.
fn or_none(text: &str) -> &str {
    if text.is_empty() { "no rule" } else { text }
}

/// `sct kpi spc --chart run|pprime|uprime|auto` (`docs/methods/run-charts.md`). Writes the
/// CSV or JSON; SVG and PNG only where every segment is an XmR chart (`auto` on long
/// segments), drawn as `--chart xmr` draws them.
fn chart(args: KpiSpcArgs) -> Result<ExitCode, CliError> {
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
    let (data, skipped) =
        chart_input::read_chart_series_with(&src, &columns, kind, args.skip_invalid)
            .map_err(Error::Invalid)?;
    let (profile, compare) = profiles(
        &args.spc,
        ProfileKind::Ptd022,
        args.no_screen_outliers,
        args.screen_outliers,
        args.min_points,
    )?;
    if compare.is_some() {
        // The profiles are rule sets for the XmR chart (docs/methods/spc-profiles.md: `mdc` is
        // `spc.md` with differences); a run, p′ or u′ chart is judged by run-charts.md and
        // laney.md whatever the profile, so there is nothing to compare point by point.
        return Err(invalid(
            "--compare-profile applies to --chart xmr only: the profiles are XmR rule sets (docs/methods/spc-profiles.md), and run, p′ and u′ charts follow docs/methods/run-charts.md and laney.md under every profile".into(),
            "--chart xmr with --compare-profile (sct kpi review and ipr --compare-profile compare the icons of every chart)",
        ).into());
    }
    let gaps = data.gaps(&skipped);
    for g in &gaps {
        crate::style::note(format_args!(
            "gap before {}: {}{}",
            data.dates()
                .get(g.before)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            g.reason,
            if args.spc.join_gaps {
                " (joined: --join-gaps)"
            } else {
                " (not joined: values either side are not consecutive)"
            }
        ));
    }
    let breaks: Vec<usize> = if args.spc.join_gaps {
        Vec::new()
    } else {
        gaps.iter().map(|g| g.before).collect()
    };
    // Rebase log rows are checked against the series (naming the log's row) and applied as
    // --rebase dates.
    let log_rows = spc_log_rows(&args)?;
    let dates = data.dates();
    let refs: Vec<&RebaseEntry> = log_rows.iter().collect();
    rebase_log::resolve(&refs, &dates, &src.name).map_err(Error::Invalid)?;
    let mut rebase = args.rebase.clone();
    rebase.extend(log_rows.iter().map(|e| e.date.clone()));
    let options = ChartOptions {
        chart: choice,
        min_points: args.min_points.unwrap_or(match profile.kind {
            ProfileKind::Mdc => profile.min_points,
            ProfileKind::Ptd022 => 15,
        }),
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
        laney_screen_outliers: args.screen_outliers,
        multiplier: args.multiplier,
        shift_length: args.shift_length,
        trend_length: args.trend_length,
        xmr_screen_outliers: profile.screen_outliers,
        profile,
        breaks,
    };
    let run = chart_input::run_chart(&src.name, data, &rebase, options).map_err(Error::Invalid)?;
    for w in &run.result.warnings {
        crate::style::warning(w);
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
            let settings = spc_input::RunSettings {
                profile: run.options.profile,
                gaps: spc_input::find_gaps(&points, &skipped),
                join_gaps: args.spc.join_gaps,
                rebase_log: log_rows,
                ..Default::default()
            };
            let xmr = spc_input::run_with(&src.name, points, &args.rebase, options, settings)
                .map_err(Error::Invalid)?;
            let bytes = crate::commands::kpi_chart::draw(&xmr, &src.name, format == SpcFormat::Png)
                .map_err(|e| Error::Invalid(Diagnostics(vec![sct_core::Diagnostic::error(e)])))?;
            emit_bytes(&args.out, &bytes, &[&args.input])?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
