//! `sct compare`: the arguments as the workflow's options, a progress bar while a large
//! cohort loads, and the report written.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use sct_workflows::compare::{self, CompareFormat, CompareOptions};
use sct_workflows::{Format, Session};

use crate::cli::{CompareArgs, ReportFormat};
use crate::error::CliError;
use crate::outputs::emit_output;

/// Below this many files no progress bar is drawn (loading is quick).
const PROGRESS_FROM: usize = 50;

/// `sct compare`.
pub fn run(session: &Session, args: CompareArgs) -> Result<ExitCode, CliError> {
    // The shared --format values are text formats; a workbook is chosen by `-o FILE.xlsx`.
    let given = args.format.map(|f| match f {
        ReportFormat::Html => CompareFormat::Html,
        ReportFormat::Md => CompareFormat::Md,
        ReportFormat::Json => CompareFormat::Json,
        ReportFormat::Csv => CompareFormat::Csv,
    });
    let options = CompareOptions {
        format: CompareFormat::choose_checked(given, args.out.output.as_deref())?,
        inputs: args.inputs,
        round: args.round,
        against: args.against,
        group_by: args.group_by,
        orgs: args.orgs,
        kpis: args.kpis,
        published: super::kpi::published_options(&args.published),
        set: args.set,
        mapping: args.mapping,
        skip_invalid: args.skip_invalid,
        template_dir: args.template_dir,
        progress: std::io::stderr().is_terminal().then(progress_bar),
    };
    let output = compare::compare(session, &options);
    if let Some(bar) = BAR.get() {
        bar.finish_and_clear();
    }
    emit_output(&args.out, output?)
}

/// The bar, drawn once the cohort is known to be large.
static BAR: OnceLock<indicatif::ProgressBar> = OnceLock::new();

/// A progress callback drawing a bar for cohorts of [`PROGRESS_FROM`] files or more.
fn progress_bar() -> compare::Progress {
    Arc::new(|done, total| {
        if total < PROGRESS_FROM {
            return;
        }
        let bar = BAR.get_or_init(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "loading {pos}/{len} responses {wide_bar} {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        bar.set_position(done as u64);
    })
}
