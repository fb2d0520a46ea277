//! `sct kpi spc`.

use crate::error::CliError;
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
use sct_kpi::data::read_kpi_data_with;
use sct_kpi::kpiset::KpiSet;
use sct_kpi::review::ReviewOptions;
use sct_report::kpi_review;
use sct_report::render::Templates;

use super::report::report_error;
use crate::cli::{
    ConflictArg, GlobalArgs, ImprovementArg, IprFormat, KpiCommand, KpiIprArgs, KpiReviewArgs,
    KpiSpcArgs, ProfileArg, ReportFormat, RunRulesArg, SpcChartArg, SpcFormat, SpcProfileArgs,
};
use crate::outputs::{emit, emit_bytes, emit_rendered, emit_with, extension};
use sct_kpi::profile::{Conflict, Profile, ProfileKind};
use sct_kpi::rebase_log::{self, RebaseEntry, RebaseLog};

pub fn run(global: &GlobalArgs, cmd: KpiCommand) -> Result<ExitCode, CliError> {
    match cmd {
        KpiCommand::Spc(args) => spc(args),
        KpiCommand::Review(args) => review(global, args),
        KpiCommand::Ipr(args) => ipr(global, args),
        KpiCommand::Funnel(args) => super::kpi_funnel::run(args),
    }
}

/// The review options the profile arguments, rebase log and review date give.
fn review_options(
    set: &KpiSet,
    spc: &SpcProfileArgs,
    as_of: Option<chrono::NaiveDate>,
    rebase_log: Option<&std::path::Path>,
    data: Option<&std::path::Path>,
) -> Result<ReviewOptions, Error> {
    // The same checks as `sct kpi spc` (--conflict needs mdc); the set's profile is the default.
    let default = set.profile.unwrap_or_default();
    profiles(spc, default, set.conflict, false, false, None)?;
    Ok(ReviewOptions {
        as_of,
        organisation_name: None,
        profile: spc.profile.map(kind_of),
        conflict: spc.conflict.map(|c| match c {
            ConflictArg::Improvement => Conflict::Improvement,
            ConflictArg::Concern => Conflict::Concern,
        }),
        compare: spc.compare_profile.map(kind_of),
        rebase_log: load_rebase_log(rebase_log, data.map(rebase_log::default_path))?,
        join_gaps: spc.join_gaps,
    })
}

fn ipr(global: &GlobalArgs, args: KpiIprArgs) -> Result<ExitCode, CliError> {
    let sct = super::load(global)?;
    let as_of = args
        .as_of
        .as_deref()
        .map(|d| super::parse_date_arg("--as-of", d))
        .transpose()?;
    let (set, set_file) = KpiSet::find(&args.set, &sct.registry)?;
    if args.data.is_none() && args.orgs.is_some() {
        return Err(invalid(
            "--orgs all lists the organisations in the KPI data, and no --data was given".into(),
            "--data CSV, or one organisation with --org CODE",
        )
        .into());
    }
    let keep: Option<BTreeSet<String>> = args.org.clone().map(|o| [o].into());
    let mut data = read_data(
        args.data.as_deref(),
        &set,
        keep.as_ref(),
        args.rows.skip_invalid,
    )?;
    let name = data.name().to_string();
    let organisations: Vec<String> = match &args.org {
        Some(o) => vec![o.clone()],
        None => data
            .organisations
            .iter()
            .filter(|o| data.has_series(o))
            .cloned()
            .collect(),
    };
    super::plugin_measures::fill_kpi_measures(
        global,
        &set,
        &mut data,
        &organisations,
        &args.plugins.plugin_data,
        &args.plugins.plugin,
    )?;
    if organisations.is_empty() {
        return Err(invalid(
            format!("{name} has no rows for the KPI set's indicators"),
            "rows with an organisation and an indicator of the set",
        )
        .into());
    }
    let options = review_options(
        &set,
        &args.spc,
        as_of.map(|d| d.0),
        args.rows.rebase_log.as_deref(),
        args.data.as_deref(),
    )?;
    let format = args
        .format
        .unwrap_or(match extension(&args.out).as_deref() {
            Some("html" | "htm") => IprFormat::Html,
            Some("json") => IprFormat::Json,
            Some("csv") => IprFormat::Csv,
            Some("xlsx") => IprFormat::Xlsx,
            _ => IprFormat::Md,
        });
    // Only the HTML report draws each indicator's chart: the others keep the rows alone.
    let report = sct_kpi::ipr::ipr_with(
        &set,
        &set_file,
        &data,
        &organisations,
        &options,
        |o| sct.organisations.get(o).map(|x| x.name.clone()),
        format == IprFormat::Html,
    )
    .map_err(|e| review_error(e, &data))?;
    let templates = Templates::load(args.template_dir.as_deref()).map_err(report_error)?;
    let plugin_data = super::plugin_measures::data_paths(&args.plugins.plugin_data);
    let inputs: Vec<&std::path::Path> = args
        .data
        .iter()
        .chain(plugin_data.iter())
        .map(|p| p.as_path())
        .collect();
    match format {
        IprFormat::Xlsx => {
            let bytes = sct_report::ipr::xlsx(&report).map_err(report_error)?;
            emit_bytes(&args.out, &bytes, &inputs)?;
        }
        // Rows straight into the file: the table of every organisation is never held twice.
        IprFormat::Csv => emit_with(&args.out, &inputs, |w| {
            sct_report::ipr::write_csv(&report, w)
        })?,
        IprFormat::Json => emit_with(&args.out, &inputs, |w| {
            sct_report::ipr::write_json(&report, w)
        })?,
        IprFormat::Html => emit_rendered(&args.out, &inputs, |w| {
            sct_report::ipr::write_html(&templates, &report, w)
        })?,
        IprFormat::Md => emit_rendered(&args.out, &inputs, |w| {
            sct_report::ipr::write_markdown(&templates, &report, w)
        })?,
    }
    Ok(ExitCode::SUCCESS)
}

fn review(global: &GlobalArgs, args: KpiReviewArgs) -> Result<ExitCode, CliError> {
    let sct = super::load(global)?;
    let as_of = args
        .as_of
        .as_deref()
        .map(|d| super::parse_date_arg("--as-of", d))
        .transpose()?;
    let (set, set_file) = KpiSet::find(&args.set, &sct.registry)?;
    let keep: BTreeSet<String> = [args.org.clone()].into();
    let mut data = read_data(
        args.data.as_deref(),
        &set,
        Some(&keep),
        args.rows.skip_invalid,
    )?;
    super::plugin_measures::fill_kpi_measures(
        global,
        &set,
        &mut data,
        std::slice::from_ref(&args.org),
        &args.plugins.plugin_data,
        &args.plugins.plugin,
    )?;
    let options = ReviewOptions {
        organisation_name: sct.organisations.get(&args.org).map(|o| o.name.clone()),
        ..review_options(
            &set,
            &args.spc,
            as_of.map(|d| d.0),
            args.rows.rebase_log.as_deref(),
            args.data.as_deref(),
        )?
    };
    let r = sct_kpi::review::review(&set, &set_file, &data, &args.org, &options)
        .map_err(|e| review_error(e, &data))?;
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
    let plugin_data = super::plugin_measures::data_paths(&args.plugins.plugin_data);
    let inputs: Vec<&std::path::Path> = args
        .data
        .iter()
        .chain(plugin_data.iter())
        .map(|p| p.as_path())
        .collect();
    emit(&args.out, &text, &inputs)?;
    Ok(ExitCode::SUCCESS)
}

/// A review that could not be built, as a diagnostic: in the data file when there is one,
/// else pointing at the plugin measures that were to supply the series.
fn review_error(e: sct_kpi::review::ReviewError, data: &sct_kpi::data::KpiData) -> Error {
    let d = Diagnostic::error(e.to_string());
    if matches!(e, sct_kpi::review::ReviewError::NothingToDate { .. }) {
        let d = d.expected("--as-of DATE, the date the review is as of");
        return Error::Invalid(Diagnostics(vec![d]));
    }
    let d = match &data.source {
        Some(f) => d
            .in_file(&f.file)
            .expected("--org with an organisation code in the file's `organisation` column"),
        None => d.expected(
            "plugin measures that give points for the organisation (see the warnings above), or --data CSV",
        ),
    };
    Error::Invalid(Diagnostics(vec![d]))
}

/// The KPI data for `review` and `ipr`: the `--data` file streamed (only `keep`'s rows kept),
/// or, with no file, empty data for the set's plugin measures to fill. Without a file, a set
/// none of whose indicators names a plugin measure is an error, and the indicators that name
/// none are warned of, since they will have no data.
fn read_data(
    path: Option<&std::path::Path>,
    set: &KpiSet,
    keep: Option<&BTreeSet<String>>,
    skip_invalid: bool,
) -> Result<sct_kpi::data::KpiData, Error> {
    let Some(path) = path else {
        let (measured, unmeasured): (Vec<_>, Vec<_>) =
            set.indicators.iter().partition(|i| i.measure.is_some());
        if measured.is_empty() {
            return Err(invalid(
                format!(
                    "no --data given, and no indicator of KPI set \"{}\" names a plugin measure",
                    set.id.get_ref()
                ),
                "--data CSV with the set's indicators (organisation,indicator,period,value)",
            ));
        }
        if !unmeasured.is_empty() {
            let ids: Vec<&str> = unmeasured.iter().map(|i| i.id.get_ref().as_str()).collect();
            crate::style::warning(format_args!(
                "no --data given: {} indicator(s) of KPI set \"{}\" name no plugin measure and have no data: {}",
                ids.len(),
                set.id.get_ref(),
                ids.join(", ")
            ));
        }
        return Ok(sct_kpi::data::KpiData::without_file());
    };
    let name = path.display().to_string();
    let file = sct_core::source::open_input(path)?;
    let data = read_kpi_data_with(
        std::io::BufReader::new(file),
        &name,
        set,
        keep,
        skip_invalid,
    )
    .map_err(Error::Invalid)?;
    for w in &data.warnings {
        crate::style::warning(w);
    }
    Ok(data)
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

/// The profile kind named by a command-line value.
fn kind_of(a: ProfileArg) -> ProfileKind {
    match a {
        ProfileArg::Ptd022 => ProfileKind::Ptd022,
        ProfileArg::Mdc => ProfileKind::Mdc,
    }
}

/// A bad-input error with one message and what was expected.
fn invalid(message: String, expected: &str) -> Error {
    Error::Invalid(Diagnostics(vec![
        Diagnostic::error(message).expected(expected.to_string()),
    ]))
}

/// The profile (and the one to compare with) from the options: `default` when `--profile` is
/// not given; screening on for `ptd-0.2.2` unless `no_screen`, off for `mdc` unless `screen`;
/// `--conflict` only with `mdc`.
pub(crate) fn profiles(
    args: &SpcProfileArgs,
    default: ProfileKind,
    default_conflict: Option<Conflict>,
    no_screen: bool,
    screen: bool,
    min_points: Option<usize>,
) -> Result<(Profile, Option<Profile>), Error> {
    let kind = args.profile.map(kind_of).unwrap_or(default);
    let conflict = args.conflict.map(|c| match c {
        ConflictArg::Improvement => Conflict::Improvement,
        ConflictArg::Concern => Conflict::Concern,
    });
    if conflict.is_some()
        && kind != ProfileKind::Mdc
        && args.compare_profile != Some(ProfileArg::Mdc)
    {
        return Err(invalid(
            "--conflict applies to the mdc profile only (ptd-0.2.2 takes the direction of the first rule)".into(),
            "--profile mdc or --compare-profile mdc with --conflict",
        ));
    }
    if min_points.is_some_and(|m| m < 2) {
        return Err(invalid(
            format!("--min-points {} is too small", min_points.unwrap_or(0)),
            "2 or more",
        ));
    }
    let make = |kind: ProfileKind| Profile {
        screen_outliers: match kind {
            ProfileKind::Ptd022 => !no_screen,
            ProfileKind::Mdc => screen,
        },
        conflict: conflict.or(default_conflict).unwrap_or_default(),
        min_points: min_points.unwrap_or(sct_kpi::spc::constants::MIN_POINTS),
        ..Profile::of(kind)
    };
    Ok((make(kind), args.compare_profile.map(kind_of).map(make)))
}

/// The rebase log: `--rebase-log`, else `default` if that file exists; `None` without one.
pub(crate) fn load_rebase_log(
    given: Option<&std::path::Path>,
    default: Option<std::path::PathBuf>,
) -> Result<Option<RebaseLog>, Error> {
    let path = match (given, default) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(default)) if default.is_file() => default,
        (None, _) => return Ok(None),
    };
    let src = SourceFile::read(&path)?;
    rebase_log::read_rebase_log(&src)
        .map(Some)
        .map_err(Error::Invalid)
}

/// The rebase log rows for `sct kpi spc`'s one series: those of `--indicator` and `--org`
/// when given; otherwise every row, which must then be for one series.
fn spc_log_rows(args: &KpiSpcArgs) -> Result<Vec<RebaseEntry>, Error> {
    let Some(log) = load_rebase_log(
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
        ])));
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
        None,
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

/// `sct kpi spc --chart run|pprime|uprime|auto` (`shared/spec/runchart.md`). Writes the spec's
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
        None,
        args.no_screen_outliers,
        args.screen_outliers,
        args.min_points,
    )?;
    if compare.is_some() {
        // The profiles are rule sets for the XmR chart (spc-profiles.md: `mdc` is `spc.md`
        // with differences); a run, p′ or u′ chart is judged by runchart.md whatever the
        // profile, so there is nothing to compare point by point.
        return Err(invalid(
            "--compare-profile applies to --chart xmr only: the profiles are XmR rule sets (shared/spec/spc-profiles.md), and run, p′ and u′ charts follow runchart.md under every profile".into(),
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
