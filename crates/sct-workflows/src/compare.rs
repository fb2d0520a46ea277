//! Comparing a cohort of organisations: one round, or two rounds paired, with their KPI
//! data as funnels and small multiples.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sct_compare::attributes::OrgAttributes;
use sct_compare::load::{collect_files, load_cohort};
use sct_compare::longitudinal::CapabilityMapping;
use sct_core::{Diagnostic, SourceFile};
use sct_kpi::data_file::read_kpi_data_file;
use sct_kpi::kpiset::KpiSet;
use sct_report::compare as report;
use sct_report::render::Templates;

use crate::document::{Outcome, Output};
use crate::error::Result;
use crate::format::formats;
use crate::import::{PublishedOptions, published_data_with};
use crate::session::Session;

formats! {
    /// Formats of `compare`.
    pub enum CompareFormat {
        /// One self-contained HTML file.
        Html => ["html", "htm"],
        /// GitHub-flavoured Markdown.
        Md => ["md"],
        /// JSON (schema `sct-compare/1`).
        Json => ["json"],
        /// CSV, one row per organisation and capability.
        Csv => ["csv"],
        /// An Excel workbook: the cohort tables, each with its chart beside it.
        Xlsx => ["xlsx"],
    }
    fallback Md
}

/// Called as each response is loaded, with how many are loaded and how many there are (for
/// a progress bar); called from the loading threads.
pub type Progress = Arc<dyn Fn(usize, usize) + Send + Sync>;

/// Options of [`compare`].
#[derive(Clone)]
pub struct CompareOptions {
    /// Response files, or folders of them (a folder may also hold `organisations.csv` and
    /// `kpis.csv`).
    pub inputs: Vec<PathBuf>,
    /// The round to compare (default: the latest round in the inputs).
    pub round: Option<String>,
    /// The earlier round to compare with (default: the round before, if any).
    pub against: Option<String>,
    /// The organisations table's column to group by (default: cluster, else region).
    pub group_by: Option<String>,
    /// The organisations table (default: one found among the inputs, else the session's).
    pub orgs: Option<PathBuf>,
    /// KPI data for funnels and small multiples (default: one found among the inputs): a
    /// long-form CSV, or NHS England's published files (a file, or a folder of them).
    pub kpis: Option<PathBuf>,
    /// How published files given as the KPI data are read (lookups, level, successions).
    pub published: PublishedOptions,
    /// The KPI set the data follow: a file, or the id\[@version\] of a known one.
    pub set: String,
    /// A capability mapping CSV between the rounds' toolkit versions.
    pub mapping: Option<PathBuf>,
    /// Go on past malformed response files, listing them (the outcome is then partial).
    pub skip_invalid: bool,
    /// Templates to use instead of the bundled ones.
    pub template_dir: Option<PathBuf>,
    /// The format.
    pub format: CompareFormat,
    /// Told of each response loaded.
    pub progress: Option<Progress>,
}

impl std::fmt::Debug for CompareOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompareOptions")
            .field("inputs", &self.inputs)
            .field("round", &self.round)
            .field("against", &self.against)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

/// Compares a cohort: every organisation's levels by capability and domain, grouped, with
/// the change from an earlier round and the KPI funnels when their data are given.
///
/// ```
/// use sct_workflows::{Session, compare::{CompareFormat, CompareOptions, compare}};
/// let session = Session::bundled()?;
/// let options = CompareOptions {
///     inputs: vec!["../../examples/cohort".into()],
///     round: None, against: None, group_by: None, orgs: None, kpis: None,
///     published: Default::default(), set: "scf-three-timeframes".into(), mapping: None, skip_invalid: false,
///     template_dir: None, format: CompareFormat::Json, progress: None,
/// };
/// let json = String::from_utf8(compare(&session, &options)?.document.into_bytes()?)?;
/// assert!(json.contains("\"schema\": \"sct-compare/1\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare(session: &Session, options: &CompareOptions) -> Result<Output<'static>> {
    let sct = &session.sct;
    let files = collect_files(sct, &options.inputs)?;
    let total = files.responses.len();
    let loaded_so_far = AtomicUsize::new(0);
    let tick = || {
        let done = loaded_so_far.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(progress) = &options.progress {
            progress(done, total);
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let loaded = load_cohort(sct, &files.responses, options.skip_invalid, threads, &tick)?;
    let mut notices: Vec<Diagnostic> = loaded.skipped.iter().map(skipped_notice).collect();
    let attributes = options
        .orgs
        .as_deref()
        .or(files.orgs.as_deref())
        .map(|p| SourceFile::read(p).and_then(|s| OrgAttributes::parse(&s)))
        .transpose()?;
    let kpis = options.kpis.as_deref().or(files.kpis.as_deref());
    let kpi = kpis
        .map(|path| read_kpis(session, path, &options.set, &options.published))
        .transpose()?
        .map(|(set, data, named, imported)| {
            notices.extend(imported);
            (set, data, named)
        });
    let settings = sct_compare::CompareOptions {
        round: options.round.clone(),
        against: options.against.clone(),
        group_by: options.group_by.clone(),
        mapping: options
            .mapping
            .as_deref()
            .map(CapabilityMapping::read)
            .transpose()?,
    };
    let outcome = if loaded.skipped.is_empty() {
        Outcome::Done
    } else {
        Outcome::Partial
    };
    let comparison = sct_compare::compare(
        sct,
        loaded,
        attributes,
        kpi.as_ref().map(|(s, d, n)| (s, d, n.clone())),
        &settings,
    )?;
    let mut output = render(&comparison, options)?.with_notices(notices);
    output.outcome = outcome;
    Ok(output)
}

/// A skipped response, as a warning: its file and the first line of why.
fn skipped_notice(skipped: &sct_compare::load::SkippedFile) -> Diagnostic {
    let why = skipped.error.lines().next().unwrap_or_default();
    let why = why.strip_prefix("error: ").unwrap_or(why);
    Diagnostic::warning(format!("skipped {}: {why}", skipped.file))
}

/// The KPI set, its data at `path` (the long form, or published files read as
/// [`crate::import`] reads them), how the report names them, and the import's notices.
fn read_kpis(
    session: &Session,
    path: &std::path::Path,
    set: &str,
    published: &PublishedOptions,
) -> Result<(KpiSet, sct_kpi::data::KpiData, String, Vec<Diagnostic>)> {
    let (set, set_file) = KpiSet::find(set, &session.sct.registry)?;
    let name = path.display().to_string();
    let (data, notices) = match published_data_with(session, path, published)? {
        Some((long_form, notices)) => (
            sct_kpi::data::read_kpi_data(long_form.as_slice(), &name, &set, None),
            notices,
        ),
        None => {
            let file = sct_core::source::open_input(path)?;
            (
                read_kpi_data_file(file, &name, &set, None, false),
                Vec::new(),
            )
        }
    };
    let data = data.map_err(sct_core::Error::Invalid)?;
    let named = format!("{name} with KPI set {} {}", set_file.id, set_file.version);
    Ok((set, data, named, notices))
}

/// The comparison in the format asked for.
fn render(
    comparison: &sct_compare::Comparison,
    options: &CompareOptions,
) -> Result<Output<'static>> {
    let templates = |name: &str| Templates::load_only(options.template_dir.as_deref(), &[name]);
    Ok(match options.format {
        CompareFormat::Xlsx => Output::bytes(sct_report::compare_xlsx::compare_xlsx(comparison)?),
        CompareFormat::Html => Output::text(report::html(&templates("compare.html")?, comparison)?),
        CompareFormat::Md => Output::text(report::markdown(&templates("compare.md")?, comparison)?),
        CompareFormat::Json => Output::text(report::json(comparison)),
        CompareFormat::Csv => Output::text(report::csv(comparison)),
    })
}
