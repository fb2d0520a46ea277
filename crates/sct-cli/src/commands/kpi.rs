//! `sct kpi review|ipr|funnel|spc`: the arguments as the workflows' options, the result
//! written.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use sct_core::Error;
use sct_core::output::{Overwrite, write_atomic};
use sct_kpi::chart::{ChartChoice, ChartKind};
use sct_kpi::funnel_input::FunnelKind;
use sct_kpi::profile::{Conflict, ProfileKind};
use sct_kpi::runchart::RunRules;
use sct_kpi::spc::Improvement;
use sct_workflows::kpi::{
    self, FunnelFormat, IprFormat, IprOrganisations, KpiRowOptions, ReviewFormat, SpcProfileOptions,
};
use sct_workflows::spc::{SpcColumns, SpcFormat, SpcOptions};
use sct_workflows::{Format, Session};

use super::measures::plugin_options;
use crate::cli::{
    ConflictArg, FunnelTypeArg, ImportLevelArg, ImprovementArg, KpiCommand, KpiFunnelArgs,
    KpiImportArgs, KpiIprArgs, KpiReviewArgs, KpiRowArgs, KpiSpcArgs, OutputArgs, ProfileArg,
    PublishedArgs, ReportFormat, RunRulesArg, SpcChartArg, SpcProfileArgs,
};
use crate::error::CliError;
use crate::outputs::emit_output;

/// Runs a `sct kpi` command.
pub fn run(session: &Session, cmd: KpiCommand) -> Result<ExitCode, CliError> {
    match cmd {
        KpiCommand::Spc(args) => spc(session, args),
        KpiCommand::Review(args) => review(session, args),
        KpiCommand::Ipr(args) => ipr(session, args),
        KpiCommand::Funnel(args) => {
            let (options, out) = funnel_options(args)?;
            emit_output(&out, kpi::funnel(session, &options)?)
        }
        KpiCommand::Import(args) => import(session, args),
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
        format: ReviewFormat::choose_checked(given, args.out.output.as_deref())?,
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
        format: IprFormat::choose_checked(args.format, args.out.output.as_deref())?,
        plugins: plugin_options(&args.plugins.plugin_data, &args.plugins.plugin)?,
        set: args.set,
        data: args.data,
        organisations,
        as_of: args.as_of,
        spc: spc_profile(&args.spc),
        rows: row_options(args.rows),
        template_dir: args.template_dir,
        progress: std::io::stderr().is_terminal().then(ipr_progress),
    };
    let output = kpi::ipr(session, &options);
    if let Some(bar) = IPR_BAR.get() {
        bar.finish_and_clear();
    }
    emit_output(&args.out, output?)
}

/// The bar of `sct kpi ipr`, drawn once the report is known to be large.
static IPR_BAR: std::sync::OnceLock<indicatif::ProgressBar> = std::sync::OnceLock::new();

/// Organisations from which `sct kpi ipr` shows its progress (a report of a few is done
/// before a bar would be read).
const IPR_PROGRESS_FROM: usize = 1_000;

/// A progress callback drawing a bar of the organisations reviewed, for reports of
/// [`IPR_PROGRESS_FROM`] organisations or more.
fn ipr_progress() -> sct_workflows::compare::Progress {
    std::sync::Arc::new(|done, total| {
        if total < IPR_PROGRESS_FROM {
            return;
        }
        let bar = IPR_BAR.get_or_init(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "reviewing {pos}/{len} organisations {wide_bar} {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        // A second reading (the file's latest date found later than its first part's)
        // starts again from none, with an estimate of its own.
        if (done as u64) < bar.position() {
            bar.reset();
        }
        // The total is an estimate from the bytes read, better as more are read. The bar
        // redraws itself at most a few times a second; setting it is cheap.
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
}

/// `sct kpi funnel`, with the session loaded by `load` only when the output needs it.
pub fn funnel(
    load: impl FnOnce() -> sct_workflows::Result<Session>,
    args: KpiFunnelArgs,
) -> Result<ExitCode, CliError> {
    let (options, out) = funnel_options(args)?;
    emit_output(&out, kpi::funnel_loading(load, &options)?)
}

/// The arguments of `sct kpi funnel` as the workflow's options, and where its output goes.
fn funnel_options(args: KpiFunnelArgs) -> Result<(kpi::FunnelOptions, OutputArgs), CliError> {
    let options = kpi::FunnelOptions {
        format: FunnelFormat::choose_checked(args.format, args.out.output.as_deref())?,
        kind: match args.kind {
            FunnelTypeArg::Proportion => FunnelKind::Proportion,
            FunnelTypeArg::Ratio => FunnelKind::Ratio,
        },
        input: args.input,
        multiplier: args.multiplier,
        overdispersion: args.overdispersion,
        title: args.title,
    };
    Ok((options, args.out))
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
        published: published_options(&args.published),
    }
}

/// The profile kind named by a command-line value.
fn kind_of(a: ProfileArg) -> ProfileKind {
    match a {
        ProfileArg::Ptd022 => ProfileKind::Ptd022,
        ProfileArg::Mdc => ProfileKind::Mdc,
    }
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

/// `sct kpi import`: the provenance record is checked with -o before anything is read, and
/// written first, so that a failure leaves no long form without its record.
fn import(session: &Session, args: KpiImportArgs) -> Result<ExitCode, CliError> {
    let to_file = args.out.output.as_ref().filter(|p| p.as_os_str() != "-");
    let provenance = args.provenance.clone().or_else(|| {
        to_file.map(|out| {
            let stem = out.file_stem().and_then(|s| s.to_str()).unwrap_or("kpis");
            out.with_file_name(format!("{stem}.provenance.json"))
        })
    });
    let mode = if args.out.force {
        Overwrite::Replace
    } else {
        Overwrite::Refuse
    };
    let inputs: Vec<&std::path::Path> = args.inputs.iter().map(|p| p.as_path()).collect();
    let outputs: Vec<&std::path::Path> = provenance
        .iter()
        .chain(to_file)
        .map(|p| p.as_path())
        .collect();
    sct_core::output::check_outputs(&outputs, mode, &inputs)?;
    let options = sct_workflows::import::ImportOptions {
        inputs: args.inputs.clone(),
        layout: args.layout,
        lookups: args.lookup.clone(),
        icb_level: args.level == ImportLevelArg::Icb,
        successions: args.follow_successions,
        unmapped: args.unmapped,
    };
    let imported = sct_workflows::import::import(session, &options)?;
    match &provenance {
        Some(path) => {
            write_atomic(path, imported.provenance.as_bytes(), mode, &inputs)?;
            crate::style::eprint(&format!("wrote {}\n", path.display()));
        }
        None => crate::style::eprint(
            "note: no provenance record written (give -o FILE or --provenance FILE)\n",
        ),
    }
    emit_output(&args.out, imported.output)
}

/// How published files given as a command's data are read, as the workflow takes it.
pub fn published_options(args: &PublishedArgs) -> sct_workflows::import::PublishedOptions {
    use sct_workflows::import::Level;
    sct_workflows::import::PublishedOptions {
        lookups: args.lookup.clone(),
        level: args.level.map(|level| match level {
            ImportLevelArg::Published => Level::AsPublished,
            ImportLevelArg::Icb => Level::Icb,
        }),
        successions: args.follow_successions,
        unmapped: args.unmapped,
    }
}

fn improvement(a: ImprovementArg) -> Improvement {
    match a {
        ImprovementArg::Increase => Improvement::Increase,
        ImprovementArg::Decrease => Improvement::Decrease,
        ImprovementArg::Neutral => Improvement::Neutral,
    }
}

/// `sct kpi spc`: the summary (when asked for) written first, so that if the main output
/// then fails nothing is half-written.
fn spc(session: &Session, args: KpiSpcArgs) -> Result<ExitCode, CliError> {
    check_spc_outputs(&args)?;
    let options = SpcOptions {
        format: SpcFormat::choose_checked(args.format, args.out.output.as_deref())?,
        input: args.input.clone(),
        published: published_options(&args.published),
        columns: SpcColumns {
            date: args.date_col.clone(),
            value: args.value_col.clone(),
            numerator: args.numerator_col.clone(),
            denominator: args.denominator_col.clone(),
        },
        improvement: args.improvement.map(improvement),
        target: args.target,
        rebase: args.rebase.clone(),
        fix_after: args.fix_after,
        no_screen_outliers: args.no_screen_outliers,
        screen_outliers: args.screen_outliers,
        shift_length: args.shift_length,
        trend_length: args.trend_length,
        chart: match args.chart {
            SpcChartArg::Xmr => ChartChoice::Only(ChartKind::Xmr),
            SpcChartArg::Run => ChartChoice::Only(ChartKind::Run),
            SpcChartArg::Pprime => ChartChoice::Only(ChartKind::PPrime),
            SpcChartArg::Uprime => ChartChoice::Only(ChartKind::UPrime),
            SpcChartArg::Auto => ChartChoice::Auto(None),
        },
        min_points: args.min_points,
        multiplier: args.multiplier,
        run_rules: match args.run_rules {
            RunRulesArg::Anhoj => RunRules::Anhoj,
            RunRulesArg::Fixed => RunRules::Fixed {
                shift_length: args.shift_length,
                trend_length: args.trend_length,
            },
        },
        spc: spc_profile(&args.spc),
        rebase_log: args.rebase_log.clone(),
        indicator: args.indicator.clone(),
        org: args.org.clone(),
        skip_invalid: args.skip_invalid,
    };
    let result = sct_workflows::spc::spc(session, &options)?;
    write_summary(&args, &result.summary)?;
    emit_output(&args.out, result.output)
}
