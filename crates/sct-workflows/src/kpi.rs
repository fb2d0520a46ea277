//! KPI workflows: the review of one organisation, the integrated performance report of one
//! or every organisation, and funnel plots comparing organisations. Plugin measures fill in
//! the series of indicators that name one ([`crate::measures`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::setting::Setting;
use sct_core::{Date, SourceFile};
use sct_kpi::data::{KpiData, read_kpi_data_with};
use sct_kpi::ipr_stream::{self, NotStreamed, RowSink, Streamed};
use sct_kpi::kpiset::KpiSet;
use sct_kpi::profile::{Conflict, Profile, ProfileKind};
use sct_kpi::rebase_log::{self, RebaseLog};
use sct_kpi::review::{ReviewError, ReviewOptions as KpiReviewOptions};
use sct_report::kpi_review;
use sct_report::render::{ReportError, Templates};

use crate::document::{Document, Output, StreamError};
use crate::error::{Error, Result};
use crate::format::formats;
use crate::measures::{PluginOptions, fill_kpi_measures};
use crate::session::Session;

pub use crate::funnel::{FunnelFormat, FunnelOptions, funnel, funnel_loading};

formats! {
    /// Formats of the KPI review.
    pub enum ReviewFormat {
        /// One self-contained HTML file, each indicator's chart drawn.
        Html => ["html", "htm"],
        /// GitHub-flavoured Markdown.
        Md => ["md"],
        /// JSON (schema `sct-kpi-review/1`).
        Json => ["json"],
        /// CSV, one row per indicator.
        Csv => ["csv"],
        /// A Word document to edit: the board summary first, each chart as an image with alt
        /// text.
        Docx => ["docx"],
    }
    fallback Md
}

formats! {
    /// Formats of the integrated performance report.
    pub enum IprFormat {
        /// One self-contained HTML file, each indicator's chart drawn.
        Html => ["html", "htm"],
        /// GitHub-flavoured Markdown.
        Md => ["md"],
        /// CSV, one row per indicator and organisation.
        Csv => ["csv"],
        /// An Excel workbook.
        Xlsx => ["xlsx"],
        /// JSON (schema `sct-kpi-ipr/1`).
        Json => ["json"],
        /// A Word document to edit, on landscape pages: each chart as an image with alt text.
        Docx => ["docx"],
    }
    fallback Md
}

/// The SPC rule profile choices shared by the review, the IPR and the SPC chart.
#[derive(Debug, Clone, Copy, Default)]
pub struct SpcProfileOptions {
    /// The rule profile (default: the KPI set's, else `ptd-0.2.2`).
    pub profile: Option<ProfileKind>,
    /// A second profile to judge under and compare with.
    pub compare_profile: Option<ProfileKind>,
    /// Under `mdc`, what a point flagged both high and low becomes.
    pub conflict: Option<Conflict>,
    /// Treat values either side of a gap (missing periods) as consecutive.
    pub join_gaps: bool,
}

/// How the review and the IPR treat the KPI data's rows.
#[derive(Debug, Clone, Default)]
pub struct KpiRowOptions {
    /// The rebase log (default: the data file's stem + `.rebase-log.csv` beside it, when it
    /// exists).
    pub rebase_log: Option<PathBuf>,
    /// A row whose value is empty or not a number is a shown gap, not an error.
    pub skip_invalid: bool,
    /// How data given as NHS England's published files are read: lookups (providers then
    /// summed to ICBs), level, successions, unmapped providers (see [`crate::import`]).
    pub published: crate::import::PublishedOptions,
}

/// Options of [`review`].
#[derive(Debug, Clone)]
pub struct ReviewOptions {
    /// The KPI set: a file, or the id\[@version\] of a known one.
    pub set: String,
    /// The KPI data CSV (optional when the set's indicators name plugin measures).
    pub data: Option<PathBuf>,
    /// The organisation's code.
    pub org: String,
    /// Review as of this date (default: the end of the latest period with data).
    pub as_of: Option<Date>,
    /// The rule profiles.
    pub spc: SpcProfileOptions,
    /// How rows are treated.
    pub rows: KpiRowOptions,
    /// How plugin measures are computed.
    pub plugins: PluginOptions,
    /// Templates to use instead of the bundled ones.
    pub template_dir: Option<PathBuf>,
    /// The format.
    pub format: ReviewFormat,
}

/// The KPI review of one organisation: every indicator of the set with its chart, icons,
/// plan position and flags, by timeframe.
///
/// ```
/// use sct_workflows::{Session, kpi::{ReviewFormat, ReviewOptions, review}};
/// let session = Session::bundled()?;
/// let options = ReviewOptions {
///     set: "scf-three-timeframes".into(),
///     data: Some("../../examples/kpi/bnssg-kpis.csv".into()),
///     org: "QUY".into(),
///     as_of: None,
///     spc: Default::default(),
///     rows: Default::default(),
///     plugins: Default::default(),
///     template_dir: None,
///     format: ReviewFormat::Json,
/// };
/// let json = String::from_utf8(review(&session, &options)?.document.into_bytes()?)?;
/// assert!(json.contains("\"schema\": \"sct-kpi-review/1\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn review(session: &Session, options: &ReviewOptions) -> Result<Output<'static>> {
    let sct = &session.sct;
    let (set, set_file) = KpiSet::find(&options.set, &sct.registry)?;
    let mut notices = Vec::new();
    let keep: BTreeSet<String> = [options.org.clone()].into();
    let data = options.data.as_deref();
    let rows = &options.rows;
    let mut kpi = read_data(session, data, &set, Some(&keep), rows, &mut notices)?;
    let orgs = std::slice::from_ref(&options.org);
    fill_kpi_measures(
        session,
        &set,
        &mut kpi,
        orgs,
        &options.plugins,
        &mut notices,
    );
    let settings = KpiReviewOptions {
        organisation_name: sct.organisations.get(&options.org).map(|o| o.name.clone()),
        ..review_settings(&set, &options.spc, options.as_of, rows, data)?
    };
    let r = sct_kpi::review::review(&set, &set_file, &kpi, &options.org, &settings)
        .map_err(|e| review_error(e, &kpi))?;
    // Only the template a format renders is compiled, when it renders one.
    let templates = |name: &str| Templates::load_only(options.template_dir.as_deref(), &[name]);
    let output = match options.format {
        ReviewFormat::Html => Output::text(kpi_review::html(&templates("kpi-review.html")?, &r)?),
        ReviewFormat::Md => Output::text(kpi_review::markdown(&templates("kpi-review.md")?, &r)?),
        ReviewFormat::Json => Output::text(kpi_review::json(&r)),
        ReviewFormat::Csv => Output::text(kpi_review::csv(&r)),
        ReviewFormat::Docx => Output::bytes(sct_report::docx::kpi_review::docx(&r)?),
    };
    Ok(output.with_notices(notices))
}

/// Which organisations an IPR covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IprOrganisations {
    /// One organisation, by code.
    One(String),
    /// Every organisation in the data with a series.
    All,
}

/// Options of [`ipr`].
#[derive(Clone)]
pub struct IprOptions {
    /// The KPI set: a file, or the id\[@version\] of a known one.
    pub set: String,
    /// The KPI data CSV (optional when the set's indicators name plugin measures).
    pub data: Option<PathBuf>,
    /// Which organisations.
    pub organisations: IprOrganisations,
    /// As of this date (default: the end of the latest period with data).
    pub as_of: Option<Date>,
    /// The rule profiles.
    pub spc: SpcProfileOptions,
    /// How rows are treated.
    pub rows: KpiRowOptions,
    /// How plugin measures are computed.
    pub plugins: PluginOptions,
    /// Templates to use instead of the bundled ones.
    pub template_dir: Option<PathBuf>,
    /// The format.
    pub format: IprFormat,
    /// Told how many organisations are done, of how many, as a report written as its rows
    /// come (CSV) goes (for a progress bar); `None` tells nothing.
    pub progress: Option<crate::compare::Progress>,
}

impl std::fmt::Debug for IprOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IprOptions")
            .field("set", &self.set)
            .field("data", &self.data)
            .field("organisations", &self.organisations)
            .field("as_of", &self.as_of)
            .field("spc", &self.spc)
            .field("rows", &self.rows)
            .field("plugins", &self.plugins)
            .field("template_dir", &self.template_dir)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

/// The integrated performance report: one row per indicator (and organisation), with its
/// latest value, plan, variance, icons and sparkline, grouped by timeframe. Streamed: the
/// report of every organisation runs to hundreds of megabytes and is never held whole.
///
/// ```
/// use sct_workflows::{Session, kpi::{IprFormat, IprOptions, IprOrganisations, ipr}};
/// let session = Session::bundled()?;
/// let options = IprOptions {
///     set: "scf-three-timeframes".into(),
///     data: Some("../../examples/kpi/bnssg-kpis.csv".into()),
///     organisations: IprOrganisations::One("QUY".into()),
///     as_of: None,
///     spc: Default::default(),
///     rows: Default::default(),
///     plugins: Default::default(),
///     template_dir: None,
///     format: IprFormat::Csv,
///     progress: None,
/// };
/// let csv = String::from_utf8(ipr(&session, &options)?.document.into_bytes()?)?;
/// assert!(csv.starts_with("organisation,timeframe,indicator,"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ipr(session: &Session, options: &IprOptions) -> Result<Output<'static>> {
    let sct = &session.sct;
    let (set, set_file) = KpiSet::find(&options.set, &sct.registry)?;
    let data = options.data.as_deref();
    if data.is_none() && options.organisations == IprOrganisations::All {
        return Err(invalid(
            "every organisation in the KPI data was asked for, and no KPI data was given".into(),
            "a KPI data file, or one organisation",
            &[Setting::KpiData, Setting::Organisation],
        ));
    }
    if let Some(output) = ipr_sorted_file(session, &set, &set_file, options)? {
        return Ok(output);
    }
    let mut notices = Vec::new();
    let keep: Option<BTreeSet<String>> = match &options.organisations {
        IprOrganisations::One(o) => Some([o.clone()].into()),
        IprOrganisations::All => None,
    };
    let rows = &options.rows;
    let mut kpi = read_data(session, data, &set, keep.as_ref(), rows, &mut notices)?;
    let organisations: Vec<String> = match &options.organisations {
        IprOrganisations::One(o) => vec![o.clone()],
        IprOrganisations::All => kpi.organisations_with_series(),
    };
    let plugins = &options.plugins;
    fill_kpi_measures(
        session,
        &set,
        &mut kpi,
        &organisations,
        plugins,
        &mut notices,
    );
    if organisations.is_empty() {
        return Err(invalid(
            format!("{} has no rows for the KPI set's indicators", kpi.name()),
            "rows with an organisation and an indicator of the set",
            &[],
        ));
    }
    let settings = review_settings(&set, &options.spc, options.as_of, rows, data)?;
    let names = |o: &str| sct.organisations.get(o).map(|x| x.name.clone());
    if options.format == IprFormat::Csv {
        let report = IprRun {
            set: &set,
            set_file: &set_file,
            organisations: &organisations,
            settings: &settings,
        };
        let progress = options
            .progress
            .as_deref()
            .map(|p| p as &dyn Fn(usize, usize));
        return ipr_csv(&report, kpi, names, progress, notices);
    }
    let report = sct_kpi::ipr::ipr(&set, &set_file, &kpi, &organisations, &settings, names)
        .map_err(|e| review_error(e, &kpi))?;
    if !report.missing.is_empty() {
        notices.push(missing_warning(&report, &set));
    }
    // Only the template a format renders is compiled, when it renders one.
    let templates = |name: &str| Templates::load_only(options.template_dir.as_deref(), &[name]);
    use sct_report::ipr as write;
    let document: Document<'static> = match options.format {
        IprFormat::Xlsx => Document::Bytes(write::xlsx(&report)?),
        IprFormat::Docx => {
            let charts = |row: &sct_kpi::ipr::IprRow| report.chart(&set, &kpi, row);
            Document::Bytes(sct_report::docx::ipr::docx(&report, &charts)?)
        }
        // Rows straight into the output: the table of every organisation is never held twice.
        IprFormat::Csv => Document::Streamed(Box::new(move |w| Ok(write::write_csv(&report, w)?))),
        IprFormat::Json => {
            Document::Streamed(Box::new(move |w| Ok(write::write_json(&report, w)?)))
        }
        // Each indicator's chart is made again from the data as it is drawn, one at a time.
        IprFormat::Html => {
            let templates = templates("ipr.html")?;
            Document::Rendered(Box::new(move |w| {
                let charts = |row: &sct_kpi::ipr::IprRow| report.chart(&set, &kpi, row);
                rendered(write::write_html(&templates, &report, &charts, w))
            }))
        }
        IprFormat::Md => {
            let templates = templates("ipr.md")?;
            Document::Rendered(Box::new(move |w| {
                rendered(write::write_markdown(&templates, &report, w))
            }))
        }
    };
    Ok(Output::new(document).with_notices(notices))
}

/// What one integrated performance report is made of, the data aside.
struct IprRun<'a> {
    set: &'a KpiSet,
    set_file: &'a sct_core::provenance::FrameworkUsed,
    organisations: &'a [String],
    settings: &'a KpiReviewOptions,
}

/// The report as CSV, each row written into its indicator's text as it is made and each
/// organisation's data dropped once its rows are made: memory holds the CSV text of the rows,
/// not the rows, and falls as the data go.
fn ipr_csv(
    run: &IprRun<'_>,
    mut kpi: KpiData,
    names: impl Fn(&str) -> Option<String>,
    progress: Option<&dyn Fn(usize, usize)>,
    mut notices: Vec<Diagnostic>,
) -> Result<Output<'static>> {
    let mut texts = CsvTexts::default();
    let report = sct_kpi::ipr::ipr_each(
        run.set,
        run.set_file,
        &mut kpi,
        run.organisations,
        run.settings,
        names,
        |place, row| texts.row(place, row),
        progress,
    )
    .map_err(|e| review_error(e, &kpi))?;
    if !report.missing.is_empty() {
        notices.push(missing_warning(&report, run.set));
    }
    Ok(Output::new(texts.document()).with_notices(notices))
}

/// The CSV text of a report's rows by their place, kept as they are made: memory holds the
/// text of the rows, not the rows.
#[derive(Default)]
struct CsvTexts(std::collections::BTreeMap<sct_kpi::ipr::RowPlace, sct_core::csv_out::CsvWriter>);

impl RowSink for CsvTexts {
    fn row(&mut self, place: sct_kpi::ipr::RowPlace, row: sct_kpi::ipr::IprRow) {
        // Writing into memory cannot fail.
        drop(sct_report::ipr::write_csv_row(
            self.0.entry(place).or_default(),
            &row,
        ));
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

impl CsvTexts {
    /// The CSV: its header, then the rows by place.
    fn document(self) -> Document<'static> {
        use sct_core::csv_out::CsvWriter;
        Document::Streamed(Box::new(move |w| {
            let mut header = CsvWriter::to_writer(&mut *w);
            sct_report::ipr::write_csv_header(&mut header)?;
            header.flush()?;
            drop(header);
            for (_, text) in self.0 {
                w.write_all(text.finish().as_bytes())?;
            }
            Ok(())
        }))
    }
}

/// The CSV report of every organisation of a long-form KPI file (CSV or Parquet) sorted by
/// organisation, read and reviewed a batch of organisations at a time
/// ([`sct_kpi::ipr_stream`]), so that memory does not grow with the file; `None` when the
/// report is not of that kind (another format, one organisation, published files, plugin
/// measures) or the file cannot be read so (not sorted, damaged, a warning other than rows of
/// indicators not in the set): the whole file is then read as before, which gives the same
/// report, or says what is wrong. Errors in the rows are those the whole file's reading
/// reports.
fn ipr_sorted_file(
    session: &Session,
    set: &KpiSet,
    set_file: &sct_core::provenance::FrameworkUsed,
    options: &IprOptions,
) -> Result<Option<Output<'static>>> {
    let Some(path) = options.data.as_deref() else {
        return Ok(None);
    };
    if options.format != IprFormat::Csv
        || options.organisations != IprOrganisations::All
        || set.indicators.iter().any(|i| i.measure.is_some())
        || path.is_dir()
        || crate::import::looks_published(path)
    {
        return Ok(None);
    }
    let rows = &options.rows;
    let Ok(settings) = review_settings(set, &options.spc, options.as_of, rows, Some(path)) else {
        return Ok(None);
    };
    let mut measure_notices = Vec::new();
    let mut empty = KpiData::without_file();
    fill_kpi_measures(
        session,
        set,
        &mut empty,
        &[],
        &options.plugins,
        &mut measure_notices,
    );
    let name = path.display().to_string();
    let names = |o: &str| session.sct.organisations.get(o).map(|x| x.name.clone());
    let progress = options
        .progress
        .as_deref()
        .map(|p| p as &dyn Fn(usize, usize));
    let mut texts = CsvTexts::default();
    // Opened as an input, so that no output of the command can replace it.
    let mut open = || sct_core::source::open_input(path).map_err(std::io::Error::other);
    let source = ipr_stream::Source {
        name: &name,
        open: &mut open,
        size: std::fs::metadata(path).ok().map(|m| m.len()),
        batch_rows: ipr_stream::BATCH_ROWS,
    };
    let (skip, sink) = (rows.skip_invalid, &mut texts);
    let streamed = if is_parquet(path) {
        ipr_stream::ipr_sorted_parquet(
            set, set_file, source, skip, &settings, names, sink, progress,
        )
    } else {
        ipr_stream::ipr_sorted(
            set, set_file, source, skip, &settings, names, sink, progress,
        )
    };
    let Streamed { report, warnings } = match streamed {
        Ok(streamed) => streamed,
        // The errors the whole file's reading reports, found without holding its series.
        Err(NotStreamed::Errors(errors)) => return Err(sct_core::Error::Invalid(errors).into()),
        Err(NotStreamed::Unstreamable(_)) => return Ok(None),
    };
    // In the whole-file path's order: the data's warnings, then the measures'.
    let mut notices: Vec<Diagnostic> = warnings.into_iter().map(Diagnostic::warning).collect();
    notices.extend(measure_notices);
    if !report.missing.is_empty() {
        notices.push(missing_warning(&report, set));
    }
    Ok(Some(Output::new(texts.document()).with_notices(notices)))
}

/// Whether a file starts as a Parquet file does.
fn is_parquet(path: &Path) -> bool {
    use std::io::Read;
    let mut start = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut start))
        .is_ok_and(|()| sct_kpi::data_file::is_parquet(&start))
}

/// The warning that some of the set's indicators have no data for any organisation of the
/// report (most often: not in the data file at all).
fn missing_warning(report: &sct_kpi::ipr::Ipr, set: &KpiSet) -> Diagnostic {
    let ids: Vec<&str> = report
        .missing
        .iter()
        .map(|m| m.indicator.as_str())
        .collect();
    Diagnostic::warning(format!(
        "{} of the {} indicators of KPI set \"{}\" have no data for any organisation: {}",
        ids.len(),
        set.indicators.len(),
        set.id.get_ref(),
        ids.join(", ")
    ))
    .expected("rows of these indicators in the KPI data (organisation,indicator,period,value)")
    .settings([Setting::KpiData])
}

/// A report rendered into a stream, its two errors as one.
pub(crate) fn rendered(
    written: std::io::Result<std::result::Result<(), ReportError>>,
) -> std::result::Result<(), StreamError> {
    Ok(written?.map_err(Error::from)?)
}

/// The KPI crate's review settings from the profile options, rebase log and review date.
fn review_settings(
    set: &KpiSet,
    spc: &SpcProfileOptions,
    as_of: Option<Date>,
    rows: &KpiRowOptions,
    data: Option<&Path>,
) -> Result<KpiReviewOptions> {
    // The same checks as the SPC chart (a conflict rule needs mdc); the set's profile is
    // the default.
    let default = set.profile.unwrap_or_default();
    profiles(spc, default, set.conflict, false, false, None)?;
    let default_log = data.map(rebase_log::default_path);
    Ok(KpiReviewOptions {
        as_of: as_of.map(|d| d.0),
        organisation_name: None,
        profile: spc.profile,
        conflict: spc.conflict,
        compare: spc.compare_profile,
        rebase_log: load_rebase_log(rows.rebase_log.as_deref(), default_log)?,
        join_gaps: spc.join_gaps,
    })
}

/// A review that could not be built, as a diagnostic: in the data file when there is one,
/// else pointing at the plugin measures that were to supply the series.
fn review_error(e: ReviewError, data: &KpiData) -> Error {
    let d = Diagnostic::error(e.to_string());
    let d = if matches!(e, ReviewError::NothingToDate { .. }) {
        d.expected("the date the review is as of")
            .settings([Setting::AsOf])
    } else {
        match &data.source {
            Some(f) => d
                .in_file(&f.file)
                .expected("an organisation code in the file's `organisation` column")
                .settings([Setting::Organisation]),
            None => d
                .expected(
                    "plugin measures that give points for the organisation (see the warnings above), or a KPI data file",
                )
                .settings([Setting::KpiData]),
        }
    };
    sct_core::Error::Invalid(Diagnostics(vec![d])).into()
}

/// The KPI data: the file streamed (only `keep`'s rows kept; a published file, or a folder
/// of them, read as [`crate::import`] reads it), or, with no file, empty data for the set's
/// plugin measures to fill. Without a file, a set none of whose indicators
/// names a plugin measure is an error, and the indicators that name none are warned of,
/// since they will have no data.
fn read_data(
    session: &Session,
    path: Option<&Path>,
    set: &KpiSet,
    keep: Option<&BTreeSet<String>>,
    rows: &KpiRowOptions,
    notices: &mut Vec<Diagnostic>,
) -> Result<KpiData> {
    let skip_invalid = rows.skip_invalid;
    let Some(path) = path else {
        let (measured, unmeasured): (Vec<_>, Vec<_>) =
            set.indicators.iter().partition(|i| i.measure.is_some());
        if measured.is_empty() {
            return Err(invalid(
                format!(
                    "no KPI data given, and no indicator of KPI set \"{}\" names a plugin measure",
                    set.id.get_ref()
                ),
                "a KPI data file (CSV) with the set's indicators (organisation,indicator,period,value)",
                &[Setting::KpiData],
            ));
        }
        if !unmeasured.is_empty() {
            let ids: Vec<&str> = unmeasured.iter().map(|i| i.id.get_ref().as_str()).collect();
            notices.push(
                Diagnostic::warning(format!(
                    "no KPI data given: {} of KPI set \"{}\" name no plugin measure and have no data: {}",
                    sct_core::quote::count_of(ids.len(), "indicator"),
                    set.id.get_ref(),
                    ids.join(", ")
                ))
                .settings([Setting::KpiData]),
            );
        }
        return Ok(KpiData::without_file());
    };
    let name = path.display().to_string();
    let data = match crate::import::published_data_with(session, path, &rows.published)? {
        Some((long_form, imported)) => {
            notices.extend(imported);
            read_kpi_data_with(long_form.as_slice(), &name, set, keep, skip_invalid)
        }
        None => {
            let file = sct_core::source::open_input(path)?;
            sct_kpi::data_file::read_kpi_data_file(file, &name, set, keep, skip_invalid)
        }
    }
    .map_err(sct_core::Error::Invalid)?;
    notices.extend(
        data.warnings
            .iter()
            .map(|w| Diagnostic::warning(w.to_string())),
    );
    Ok(data)
}

/// A bad-input error with one message and what was expected.
pub(crate) fn invalid(message: String, expected: &str, settings: &[Setting]) -> Error {
    sct_core::Error::Invalid(Diagnostics(vec![
        Diagnostic::error(message)
            .expected(expected.to_string())
            .settings(settings.iter().copied()),
    ]))
    .into()
}

/// The profile (and the one to compare with) from the options: `default` when no profile
/// is chosen; screening on for `ptd-0.2.2` unless `no_screen`, off for `mdc` unless
/// `screen`; a conflict rule only with `mdc`.
pub fn profiles(
    spc: &SpcProfileOptions,
    default: ProfileKind,
    default_conflict: Option<Conflict>,
    no_screen: bool,
    screen: bool,
    min_points: Option<usize>,
) -> Result<(Profile, Option<Profile>)> {
    let kind = spc.profile.unwrap_or(default);
    if spc.conflict.is_some()
        && kind != ProfileKind::Mdc
        && spc.compare_profile != Some(ProfileKind::Mdc)
    {
        return Err(invalid(
            "a conflict rule applies to the mdc profile only (ptd-0.2.2 takes the direction of the first rule)".into(),
            "the mdc profile (or mdc as the profile compared with) with a conflict rule",
            &[Setting::Conflict, Setting::Profile, Setting::CompareProfile],
        ));
    }
    if let Some(m) = min_points.filter(|m| *m < 2) {
        return Err(invalid(
            format!("min_points {m} is too small"),
            "2 or more",
            &[Setting::MinPoints],
        ));
    }
    let make = |kind: ProfileKind| Profile {
        screen_outliers: match kind {
            ProfileKind::Ptd022 => !no_screen,
            ProfileKind::Mdc => screen,
        },
        conflict: spc.conflict.or(default_conflict).unwrap_or_default(),
        min_points: min_points.unwrap_or(sct_kpi::spc::constants::MIN_POINTS),
        ..Profile::of(kind)
    };
    Ok((make(kind), spc.compare_profile.map(make)))
}

/// The rebase log: `given`, else `default` if that file exists; `None` without one.
pub fn load_rebase_log(
    given: Option<&Path>,
    default: Option<PathBuf>,
) -> Result<Option<RebaseLog>> {
    let path = match (given, default) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(default)) if default.is_file() => default,
        (None, _) => return Ok(None),
    };
    let src = SourceFile::read(&path)?;
    let log = rebase_log::read_rebase_log(&src).map_err(sct_core::Error::Invalid)?;
    Ok(Some(log))
}
