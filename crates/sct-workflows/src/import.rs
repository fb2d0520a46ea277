//! NHS England's and OHID's published files brought into `sct`: `sct kpi import` writes them
//! as the long-form KPI CSV with a provenance record, and the KPI workflows read a published
//! file (or a folder of them) given as their data the same way ([`published_data`]).

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::json;

use sct_core::diagnostic::Diagnostic;
use sct_core::model::organisation::Share;
use sct_core::setting::Setting;
pub use sct_publications::import::Level;
use sct_publications::import::{self as library, ImportOptions as LibraryOptions, SuccessionRule};
use sct_publications::lookup::Lookup;
use sct_publications::{Extract, Publication, detect_start, read_bytes};

use crate::error::{Error, Result};
use crate::session::Session;
use crate::{Document, Output};

/// What to do with organisations no lookup places in an ICB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Unmapped {
    /// Refuse, listing them: the lookup may be out of date.
    #[default]
    Refuse,
    /// Keep their figures as their own rows.
    Keep,
    /// Leave them out (listed in the provenance record).
    Drop,
}

/// Options of [`import`].
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Published files, or folders of them (a folder's files are read in name order).
    pub inputs: Vec<PathBuf>,
    /// The layout, when not told from each file's first row.
    pub layout: Option<Publication>,
    /// Organisation lookups (the ODS trust file, the ONS sub-ICB lookup).
    pub lookups: Vec<PathBuf>,
    /// Sum to ICBs (else rows are written at the level each file gives).
    pub icb_level: bool,
    /// Follow the ICB successions of the session's organisations table.
    pub successions: bool,
    /// Organisations no lookup knows.
    pub unmapped: Unmapped,
}

/// What [`import`] made: the long-form CSV and its provenance record.
#[derive(Debug)]
pub struct Imported {
    /// The long-form CSV (`organisation,indicator,period,value,numerator,denominator`).
    pub output: Output<'static>,
    /// The provenance record, as JSON (schema `sct-kpi-import/1`).
    pub provenance: String,
}

/// Reads published files into the long form.
///
/// ```
/// use sct_workflows::{Session, import::{ImportOptions, import}};
/// let dir = tempfile::tempdir()?;
/// let file = dir.path().join("ae.csv");
/// std::fs::write(&file, "Period,Org Code,Parent Org,Org name,A&E attendances Type 1,A&E attendances Type 2,A&E attendances Other A&E Department,Attendances over 4hrs Type 1,Attendances over 4hrs Type 2,Attendances over 4hrs Other Department,Patients who have waited 12+ hrs from DTA to admission,Emergency admissions via A&E - Type 1,Emergency admissions via A&E - Type 2,Emergency admissions via A&E - Other A&E department,Other emergency admissions\nMSitAE-MARCH-2026,RXA,NHS ENGLAND LONDON,TRUST A,100,0,0,20,0,0,1,30,0,0,5\n")?;
/// let imported = import(&Session::bundled()?, &ImportOptions { inputs: vec![file], ..Default::default() })?;
/// let csv = String::from_utf8(imported.output.document.into_bytes()?)?;
/// assert!(csv.contains("RXA,ae-4-hour,2026-03,80,80,100"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn import(session: &Session, options: &ImportOptions) -> Result<Imported> {
    let (csv, notices, provenance) = import_text(session, options)?;
    let mut output = Output::new(Document::Text(csv));
    output.notices = notices;
    Ok(Imported { output, provenance })
}

/// The long form, its notices and its provenance record.
fn import_text(
    session: &Session,
    options: &ImportOptions,
) -> Result<(String, Vec<Diagnostic>, String)> {
    let (result, notices, lookup_sources) = import_rows(session, options)?;
    let provenance = provenance(&result, &lookup_sources, options);
    Ok((long_form(&result.rows), notices, provenance))
}

/// The import's rows and everything that happened on the way, its notices, and the lookups
/// read.
fn import_rows(
    session: &Session,
    options: &ImportOptions,
) -> Result<(library::Import, Vec<Diagnostic>, Vec<LookupSource>)> {
    let files = expand(&options.inputs)?;
    let extracts = files
        .iter()
        .map(|f| read_published(f, options.layout))
        .collect::<Result<Vec<_>>>()?;
    let (lookup, lookup_sources) = read_lookups(&options.lookups)?;
    let rules = if options.successions {
        succession_rules(session)
    } else {
        Vec::new()
    };
    let result = library::import(
        &extracts,
        LibraryOptions {
            level: if options.icb_level {
                Level::Icb
            } else {
                Level::AsPublished
            },
            lookup: (!options.lookups.is_empty()).then_some(&lookup),
            successions: &rules,
            keep_unmapped: options.unmapped == Unmapped::Keep,
        },
    );
    if options.icb_level && options.unmapped == Unmapped::Refuse && !result.unmapped.is_empty() {
        return Err(unmapped_error(&result, options.lookups.is_empty()));
    }
    let mut notices = notices(&result, options);
    if result.rows.is_empty() {
        notices.push(Diagnostic::warning("the files gave no rows at this level"));
    }
    Ok((result, notices, lookup_sources))
}

/// The files of `inputs`, folders expanded to the data files in them, in name order.
fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if !input.is_dir() {
            files.push(input.clone());
            continue;
        }
        let entries = std::fs::read_dir(input).map_err(|source| sct_core::Error::Io {
            path: input.clone(),
            action: "read",
            source,
        })?;
        let mut inside: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && is_data_file(p))
            .collect();
        inside.sort();
        files.extend(inside);
    }
    if files.is_empty() {
        return Err(Error::options(
            "no published files to read",
            "one or more published files (CSV or zip), or folders of them",
            [Setting::KpiData],
        ));
    }
    Ok(files)
}

/// A file a folder is read for: a CSV, a zip or a workbook, not a note, a hidden file or an
/// Office lock file.
fn is_data_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    !name.starts_with('.')
        && !name.starts_with("~$")
        && matches!(ext.as_deref(), Some("csv" | "zip" | "xlsx"))
}

/// One published file, read through `sct-files` so that no output can replace it. A workbook
/// (the cancer waiting times extract) is read as its first sheet's rows.
fn read_published(path: &Path, layout: Option<Publication>) -> Result<Extract> {
    let bytes = sct_files::read_input(path).map_err(|source| sct_core::Error::Io {
        path: path.to_path_buf(),
        action: "read",
        source,
    })?;
    let name = path.display().to_string();
    match workbook_as_csv(&name, &bytes)? {
        Some(csv) => {
            let mut extract = read_bytes(&name, csv.as_bytes(), layout)?;
            extract.sha256 = sct_publications::read::sha256_hex(&bytes);
            Ok(extract)
        }
        None => Ok(read_bytes(&name, &bytes, layout)?),
    }
}

/// A workbook's first sheet as CSV text, or `None` when the bytes are not a workbook. The
/// cells are read as they are, whatever size the sheet declares (one published extract
/// declares a single cell), within the bounded reader's limits.
fn workbook_as_csv(name: &str, bytes: &[u8]) -> Result<Option<String>> {
    use sct_xlsx::ooxml::{EXCEL_ROWS, Value, read_book};
    let is_workbook = sct_xlsx::archive::Archive::open(bytes)
        .ok()
        .and_then(|mut a| a.read("xl/workbook.xml").ok().flatten())
        .is_some();
    if !is_workbook {
        return Ok(None);
    }
    let limits = sct_xlsx::limits::Limits {
        rows: EXCEL_ROWS,
        columns: 256,
        sheets: 64,
        shared_strings: 2_000_000,
        merges: 10_000,
    };
    let book = read_book(bytes, &limits).map_err(|e| {
        Error::options(
            format!("{name} is a workbook that cannot be read: {e}"),
            "the workbook as published (xlsx), or its first sheet saved as CSV",
            [Setting::KpiData],
        )
    })?;
    let Some(sheet) = book.sheets.first() else {
        return Ok(Some(String::new()));
    };
    let Some(((_, _), (last_row, last_col))) = sheet.extent() else {
        return Ok(Some(String::new()));
    };
    let mut out = String::new();
    for row in 0..=last_row {
        let cells: Vec<String> = (0..=last_col)
            .map(|col| match sheet.value(row, col) {
                Value::Empty => String::new(),
                Value::Text(t) => csv_field(t),
                Value::Number(n) | Value::Duration(n) => n.to_string(),
                Value::DateTime(serial) => excel_date(*serial),
                Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
                Value::Error(e) => csv_field(e),
                Value::IsoDateTime(t) => csv_field(t),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    Ok(Some(out))
}

/// An Excel date serial (1900 date system) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    epoch
        .checked_add_signed(chrono::Duration::days(serial.floor() as i64))
        .map_or_else(|| serial.to_string(), |d| d.format("%Y-%m-%d").to_string())
}

/// A lookup file as read, for the provenance record.
#[derive(Debug, Serialize)]
struct LookupSource {
    file: String,
    sha256: String,
    organisations: usize,
}

fn read_lookups(paths: &[PathBuf]) -> Result<(Lookup, Vec<LookupSource>)> {
    let mut lookup = Lookup::default();
    let mut sources = Vec::new();
    for path in paths {
        let bytes = sct_files::read_input(path).map_err(|source| sct_core::Error::Io {
            path: path.clone(),
            action: "read",
            source,
        })?;
        let name = path.display().to_string();
        let text = match workbook_as_csv(&name, &bytes)? {
            Some(csv) => csv,
            None => String::from_utf8_lossy(&bytes).into_owned(),
        };
        let one = Lookup::read(&name, &text)?;
        sources.push(LookupSource {
            file: name,
            sha256: sct_publications::read::sha256_hex(&bytes),
            organisations: one.len(),
        });
        lookup.extend(one);
    }
    Ok((lookup, sources))
}

/// The session's ICB successions as the import applies them.
fn succession_rules(session: &Session) -> Vec<SuccessionRule> {
    session
        .sct
        .organisations
        .successions
        .iter()
        .map(|s| SuccessionRule {
            predecessor: s.predecessor.clone(),
            successor: s.successor.clone(),
            whole: s.share == Share::Whole,
        })
        .collect()
}

/// Organisations no lookup knows, listed, with what would place them.
fn unmapped_error(result: &library::Import, no_lookup: bool) -> Error {
    let listed: Vec<String> = result
        .unmapped
        .iter()
        .take(20)
        .map(|(o, n)| format!("{} {} ({n} figures)", o.code, o.name))
        .collect();
    let more = result.unmapped.len().saturating_sub(listed.len());
    let tail = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    let expected = if no_lookup {
        "an organisation lookup (the ODS trust file etr.csv, or the ONS sub-ICB lookup) to place providers in ICBs"
    } else {
        "every provider in a lookup; or keep them as their own rows, or leave them out (listed in the provenance record)"
    };
    let (count, are, their) = in_no_lookup(result.unmapped.len());
    Error::options(
        format!(
            "{count} {are} in no lookup, so {their} figures cannot be placed in an ICB: {}{tail}",
            listed.join("; ")
        ),
        expected,
        [Setting::Lookup, Setting::Unmapped],
    )
}

/// "1 organisation is ... its" or "3 organisations are ... their".
fn in_no_lookup(n: usize) -> (String, &'static str, &'static str) {
    let count = sct_core::quote::count_of(n, "organisation");
    if n == 1 {
        (count, "is", "its")
    } else {
        (count, "are", "their")
    }
}

fn notices(result: &library::Import, options: &ImportOptions) -> Vec<Diagnostic> {
    let mut notices = Vec::new();
    if !result.unmapped.is_empty() {
        let what = match options.unmapped {
            Unmapped::Keep => "kept as their own rows",
            _ => "left out",
        };
        let (count, are, their) = in_no_lookup(result.unmapped.len());
        notices.push(Diagnostic::warning(format!(
            "{count} {are} in no lookup; {their} figures are {what} (listed in the provenance record)"
        )));
    }
    if !result.no_icb_figure.is_empty() {
        notices.push(Diagnostic::warning(format!(
            "no ICB figure for {}: an ambulance trust serves several ICBs (left out at ICB level)",
            result.no_icb_figure.join(", ")
        )));
    }
    for rule in &result.partial_successions {
        notices.push(Diagnostic::warning(format!(
            "{} passed only in part to {}: its figures keep its own code",
            rule.predecessor, rule.successor
        )));
    }
    for source in result.sources.iter().filter(|s| s.superseded > 0) {
        notices.push(Diagnostic::note(format!(
            "{} of {}'s values are also in a later edition, whose figures are used ({} of them revised)",
            source.superseded, source.file, source.revised_later
        )));
    }
    notices
}

/// The provenance record: its schema first, then how the rows were made and from what.
#[derive(Serialize)]
struct Provenance<'a> {
    schema: &'static str,
    level: &'static str,
    successions: bool,
    rows: usize,
    sources: &'a [library::Source],
    lookups: &'a [LookupSource],
    indicators: &'a std::collections::BTreeMap<String, String>,
    members: &'a [library::Members],
    unmapped: Vec<serde_json::Value>,
    unmapped_treatment: Unmapped,
    no_icb_figure: &'a [String],
    partial_successions: &'a [SuccessionRule],
}

fn provenance(
    result: &library::Import,
    lookups: &[LookupSource],
    options: &ImportOptions,
) -> String {
    let record = Provenance {
        schema: "sct-kpi-import/1",
        level: if options.icb_level {
            "icb"
        } else {
            "as-published"
        },
        successions: options.successions,
        rows: result.rows.len(),
        sources: &result.sources,
        lookups,
        indicators: &result.indicators,
        members: &result.members,
        unmapped: result
            .unmapped
            .iter()
            .map(|(o, n)| json!({"organisation": o, "figures": n}))
            .collect(),
        unmapped_treatment: options.unmapped,
        no_icb_figure: &result.no_icb_figure,
        partial_successions: &result.partial_successions,
    };
    let mut text = serde_json::to_string_pretty(&record).unwrap_or_default();
    text.push('\n');
    text
}

/// The rows as `sct`'s long-form KPI CSV.
fn long_form(rows: &[library::LongRow]) -> String {
    let mut out = String::from("organisation,indicator,period,value,numerator,denominator\n");
    let number = |v: Option<f64>| v.map(sct_core::csv_out::number).unwrap_or_default();
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            csv_field(&r.organisation),
            csv_field(&r.indicator),
            csv_field(&r.period),
            sct_core::csv_out::number(r.value),
            number(r.numerator),
            number(r.denominator)
        ));
    }
    out
}

/// A text field of the long form: formula-like text neutralised, quoted where needed.
pub(crate) fn csv_field(text: &str) -> String {
    let text = sct_core::csv_out::neutralise(text);
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.into_owned()
    }
}

/// How a workflow given published files as its KPI data reads them (the choices of
/// [`ImportOptions`] that make sense there; the layout is always told from each file).
#[derive(Debug, Clone)]
pub struct PublishedOptions {
    /// Organisation lookups (the ODS trust file, the ONS sub-ICB lookup): providers are then
    /// summed to ICBs.
    pub lookups: Vec<PathBuf>,
    /// The level of the rows (default: ICBs when a lookup is given, else as published).
    pub level: Option<Level>,
    /// Follow the ICB successions of the session's organisations table.
    pub successions: bool,
    /// At ICB level, organisations no lookup knows (default: kept as their own rows, so that
    /// nothing given is silently lost).
    pub unmapped: Unmapped,
}

impl Default for PublishedOptions {
    fn default() -> Self {
        PublishedOptions {
            lookups: Vec::new(),
            level: None,
            successions: false,
            unmapped: Unmapped::Keep,
        }
    }
}

/// The KPI data of a published file, or a folder of them, as long-form CSV bytes, for a
/// workflow given one as its data; `None` when `path` is a file of `sct`'s own long form.
/// With lookups, providers are summed to ICBs and those no lookup knows are kept.
pub fn published_data(
    session: &Session,
    path: &Path,
    lookups: &[PathBuf],
) -> Result<Option<(Vec<u8>, Vec<Diagnostic>)>> {
    let options = PublishedOptions {
        lookups: lookups.to_vec(),
        ..Default::default()
    };
    published_data_with(session, path, &options)
}

/// [`published_data`] with every choice of [`PublishedOptions`].
///
/// ```
/// use sct_workflows::{Session, import::{PublishedOptions, published_data_with}};
/// let dir = tempfile::tempdir()?;
/// let file = dir.path().join("ae.csv");
/// std::fs::write(&file, "Period,Org Code,Parent Org,Org name,A&E attendances Type 1,A&E attendances Type 2,A&E attendances Other A&E Department,Attendances over 4hrs Type 1,Attendances over 4hrs Type 2,Attendances over 4hrs Other Department,Patients who have waited 12+ hrs from DTA to admission,Emergency admissions via A&E - Type 1,Emergency admissions via A&E - Type 2,Emergency admissions via A&E - Other A&E department,Other emergency admissions\nMSitAE-MARCH-2026,RXA,NHS ENGLAND LONDON,TRUST A,100,0,0,20,0,0,1,30,0,0,5\n")?;
/// let (csv, _) = published_data_with(&Session::bundled()?, &file, &PublishedOptions::default())?
///     .expect("a published file");
/// assert!(String::from_utf8(csv)?.contains("RXA,ae-4-hour,2026-03,80,80,100"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn published_data_with(
    session: &Session,
    path: &Path,
    published: &PublishedOptions,
) -> Result<Option<(Vec<u8>, Vec<Diagnostic>)>> {
    if !path.is_dir() && !looks_published(path) {
        return Ok(None);
    }
    let (csv, notices, _) = import_text(session, &import_options(path, published))?;
    Ok(Some((csv.into_bytes(), notices)))
}

/// The import a workflow given published files as its data makes.
fn import_options(path: &Path, published: &PublishedOptions) -> ImportOptions {
    let icb_level = match published.level {
        Some(level) => level == Level::Icb,
        None => !published.lookups.is_empty(),
    };
    ImportOptions {
        inputs: vec![path.to_path_buf()],
        lookups: published.lookups.clone(),
        icb_level,
        successions: published.successions,
        unmapped: published.unmapped,
        ..Default::default()
    }
}

/// One organisation's series of one indicator, read from published files.
#[derive(Debug, Clone)]
pub struct PublishedSeries {
    /// The organisation.
    pub organisation: String,
    /// The indicator's id.
    pub indicator: String,
    /// The indicator's name as the publication gives it.
    pub title: String,
    /// Its rows, in period order.
    pub rows: Vec<library::LongRow>,
    /// What the import noticed (organisations no lookup knows, revisions, ...).
    pub notices: Vec<Diagnostic>,
}

/// The series of `organisation` and `indicator` in a published file, or a folder of them;
/// `None` when `path` is not published data. Either may be left out when the data hold only
/// one; otherwise the error lists the ones there are.
pub fn published_series(
    session: &Session,
    path: &Path,
    published: &PublishedOptions,
    organisation: Option<&str>,
    indicator: Option<&str>,
) -> Result<Option<PublishedSeries>> {
    if !path.is_dir() && !looks_published(path) {
        return Ok(None);
    }
    let (result, notices, _) = import_rows(session, &import_options(path, published))?;
    let indicators: Vec<&str> = result.indicators.keys().map(String::as_str).collect();
    let indicator = choose(
        indicator,
        &indicators,
        path,
        "indicator",
        Setting::Indicator,
    )?;
    let organisations: std::collections::BTreeSet<&str> = result
        .rows
        .iter()
        .filter(|r| r.indicator == indicator)
        .map(|r| r.organisation.as_str())
        .collect();
    let organisations: Vec<&str> = organisations.into_iter().collect();
    let organisation = choose(
        organisation,
        &organisations,
        path,
        "organisation",
        Setting::Organisation,
    )?;
    let rows = result
        .rows
        .iter()
        .filter(|r| r.indicator == indicator && r.organisation == organisation)
        .cloned()
        .collect();
    Ok(Some(PublishedSeries {
        title: result
            .indicators
            .get(&indicator)
            .cloned()
            .unwrap_or_default(),
        organisation,
        indicator,
        rows,
        notices,
    }))
}

/// The one asked for when the data have it, else the only one there is; otherwise an error
/// listing the ones there are.
fn choose(
    asked: Option<&str>,
    there: &[&str],
    path: &Path,
    what: &str,
    setting: Setting,
) -> Result<String> {
    match asked {
        Some(a) if there.contains(&a) => return Ok(a.to_string()),
        None if there.len() == 1 => return Ok(there[0].to_string()),
        _ if there.is_empty() => {
            return Err(Error::options(
                format!("{} gives no {what} at this level", path.display()),
                "published data with rows at the level asked for",
                [setting],
            ));
        }
        _ => {}
    }
    let listed: Vec<&str> = there.iter().take(30).copied().collect();
    let more = there.len().saturating_sub(listed.len());
    let tail = if more > 0 {
        format!(", and {more} more")
    } else {
        String::new()
    };
    let message = match asked {
        Some(a) => format!(
            "{} has no {what} {a} (at this level); it has {}{tail}",
            path.display(),
            listed.join(", ")
        ),
        None => format!(
            "{} holds {}: one series is charted, so name the {what} ({}{tail})",
            path.display(),
            sct_core::quote::count_of(there.len(), what),
            listed.join(", ")
        ),
    };
    Err(Error::options(
        message,
        format!("one {what} of the published data"),
        [setting],
    ))
}

/// Whether a file's first row is a published layout's (a zip is taken to be one).
pub(crate) fn looks_published(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut start = vec![0; 64 * 1024];
    let n = file.read(&mut start).unwrap_or(0);
    start.truncate(n);
    if start.starts_with(b"PK\x03\x04") {
        return true;
    }
    matches!(
        detect_start(&start),
        Some(
            Publication::AeMonthly
                | Publication::RttFullExtract
                | Publication::AmbSys
                | Publication::CancerWaitingTimes
                | Publication::Fingertips
        )
    )
}
