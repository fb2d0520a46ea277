//! Moderation: several raters' responses for one organisation and round consolidated into the
//! record a moderator fills in (`moderate`), and the agreed response made from the filled
//! record (`apply`), after checking that the record still says what the raters' files say.
//! The method (the median, the flags, Krippendorff's alpha) is in `docs/methods/moderation.md`.

use std::path::{Component, Path, PathBuf};

use sct_core::model::{CapabilityToolkit, Date, Rater};
use sct_core::moderation::consolidate;
use sct_core::moderation_record::{
    AgreedInputs, Field, ReadRecord, Record, agreed_response, check_agreed, check_locked,
    read_record_toml, record_toml,
};
use sct_core::provenance::SCT_VERSION;
use sct_core::setting::Setting;
use sct_core::{Assessment, Diagnostic, Diagnostics, ResolveOptions, SourceFile};

use sct_report::render::Templates;

use crate::document::Output;
use crate::error::Result;
use crate::format::formats;
use crate::session::Session;

formats! {
    /// Formats of the moderation record (`moderate`).
    pub enum ModerateFormat {
        /// The moderation workbook: a column pair per rater, the moderator's cells shaded.
        Xlsx => ["xlsx"],
        /// The same record as TOML, for teams without Excel.
        Toml => ["toml"],
        /// The consolidated view to read before the meeting: a self-contained web page.
        Html => ["html", "htm"],
        /// The same view as Markdown.
        Md => ["md"],
        /// The consolidation as JSON (schema `sct-moderation/1`), every level named.
        Json => ["json"],
    }
    fallback Toml
}

/// Options of [`moderate`].
#[derive(Debug, Clone)]
pub struct ModerateOptions {
    /// The raters' responses (TOML, JSON or workbooks, any mix), each one rater's view.
    pub responses: Vec<PathBuf>,
    /// The folder the record will be kept in: the record names the raters' files relative to
    /// it, so that `apply` finds them beside it. `None` names them as given.
    pub record_dir: Option<PathBuf>,
    /// The format.
    pub format: ModerateFormat,
    /// Templates to use instead of the bundled ones (HTML and Markdown).
    pub template_dir: Option<PathBuf>,
}

/// The moderation record of several raters' responses for one organisation and round (or,
/// as HTML, Markdown or JSON, the consolidated view to read before the meeting): per
/// capability each rater's level and confidence, the spread, median, flags and pooled
/// evidence, with the moderator's cells (agreed level pre-filled with the median, rationale,
/// evidence accepted) to fill in. Responses for different organisations or rounds, or two by
/// the same rater, are refused naming both files.
///
/// ```no_run
/// use sct_workflows::{Session, moderate::{ModerateFormat, ModerateOptions, moderate}};
/// let session = Session::bundled()?;
/// let output = moderate(&session, &ModerateOptions {
///     responses: vec!["ann.toml".into(), "bob.xlsx".into()],
///     record_dir: Some(".".into()),
///     format: ModerateFormat::Xlsx,
///     template_dir: None,
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn moderate(session: &Session, options: &ModerateOptions) -> Result<Output<'static>> {
    let paths: Vec<&Path> = options.responses.iter().map(PathBuf::as_path).collect();
    let (raters, toolkit) = read_raters(session, &paths)?;
    let mut c = consolidate(toolkit, &raters)?;
    if let Some(dir) = &options.record_dir {
        for (source, path) in c.raters.iter_mut().zip(&paths) {
            source.file = relative_to(path, dir);
        }
    }
    let record = Record::from_consolidation(&c, toolkit);
    let made_by = format!(
        "Made by sct {SCT_VERSION} from {} raters' responses for {} ({}).",
        c.raters.len(),
        c.organisation_name,
        c.ods_code
    );
    Ok(match options.format {
        ModerateFormat::Xlsx => Output::bytes(sct_xlsx::moderation::moderation_workbook(
            &record, toolkit, &made_by,
        )?),
        ModerateFormat::Toml => Output::text(record_toml(&record, &made_by)),
        ModerateFormat::Json => Output::text(sct_report::moderation::json(&c, toolkit)),
        ModerateFormat::Html | ModerateFormat::Md => {
            let name = if options.format == ModerateFormat::Html {
                "moderation.html"
            } else {
                "moderation.md"
            };
            let templates = Templates::load_only(options.template_dir.as_deref(), &[name])?;
            Output::text(if options.format == ModerateFormat::Html {
                sct_report::moderation::html(&templates, &c, toolkit)?
            } else {
                sct_report::moderation::markdown(&templates, &c, toolkit)?
            })
        }
    })
}

/// Reads and resolves the raters' responses, every file's errors reported together.
fn read_raters<'s>(
    session: &'s Session,
    paths: &[&Path],
) -> Result<(Vec<Assessment>, &'s CapabilityToolkit)> {
    let mut raters = Vec::new();
    let mut toolkit = None;
    let mut diags = Diagnostics::default();
    for path in paths {
        match session.sct.validate_file(path, ResolveOptions::default()) {
            Ok((a, fw)) => {
                toolkit.get_or_insert(fw.toolkit);
                raters.push(a);
            }
            Err(sct_core::Error::Invalid(d)) => diags.extend(d),
            Err(e) => return Err(e.into()),
        }
    }
    match toolkit {
        Some(toolkit) if !diags.has_errors() => Ok((raters, toolkit)),
        _ if diags.has_errors() => Err(sct_core::Error::Invalid(diags).into()),
        _ => Err(sct_core::moderation::ModerationError::TooFew { count: 0 }.into()),
    }
}

/// `file` named relative to `dir` (both as given, or from the working folder), with `/`
/// between parts; as given when one of them cannot be resolved.
fn relative_to(file: &Path, dir: &Path) -> String {
    let as_given = || file.display().to_string();
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let (Ok(file_abs), Ok(dir_abs)) = (file.canonicalize(), dir.canonicalize()) else {
        return as_given();
    };
    let f: Vec<Component> = file_abs.components().collect();
    let d: Vec<Component> = dir_abs.components().collect();
    let common = f.iter().zip(&d).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return as_given();
    }
    let mut parts: Vec<String> = d[common..].iter().map(|_| "..".to_string()).collect();
    parts.extend(
        f[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// Options of [`apply`].
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// The filled moderation record (`.xlsx` or `.toml`).
    pub record: PathBuf,
    /// The moderator's name, instead of the record's.
    pub moderator: Option<String>,
    /// The moderator's role, instead of the record's.
    pub moderator_role: Option<String>,
    /// The date the levels were agreed, instead of the record's.
    pub on: Option<Date>,
}

/// The agreed response of a filled moderation record. The raters' files the record names
/// (relative to its folder) are read again and must have the checksums it records; what the
/// record says of them (every cell but the moderator's) must still be what they say; each
/// agreed level must be a level, and one outside every rater's level needs a rationale.
/// Every problem is reported at once with its cell (or line), and nothing is made.
///
/// ```no_run
/// use sct_workflows::{Session, moderate::{ApplyOptions, apply}};
/// let session = Session::bundled()?;
/// let output = apply(&session, &ApplyOptions {
///     record: "moderation.xlsx".into(),
///     moderator: Some("Dr A. Chair".into()),
///     moderator_role: None,
///     on: None,
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply(session: &Session, options: &ApplyOptions) -> Result<Output<'static>> {
    let read = read_record(&options.record)?;
    let base = options
        .record
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let (raters, toolkit) = reread_raters(session, &read, &base)?;
    let mut c = consolidate(toolkit, &raters)?;
    for (source, row) in c.raters.iter_mut().zip(&read.record.raters) {
        source.file = row.file.text.trim().to_string();
    }
    let expected = Record::from_consolidation(&c, toolkit);
    let mut diags = check_locked(&read, &expected);
    let mut agreed = Vec::with_capacity(c.capabilities.len());
    for cap in &c.capabilities {
        let row = read
            .record
            .capabilities
            .iter()
            .find(|r| r.id.text.trim() == cap.id);
        match row.map(|row| check_agreed(&read, row, cap, toolkit)) {
            Some(Ok(a)) => agreed.push(a),
            Some(Err(d)) => {
                diags.push(*d);
                agreed.push(sct_core::moderation_record::Agreed::Blank);
            }
            None => agreed.push(sct_core::moderation_record::Agreed::Blank),
        }
    }
    let (moderator, on) = moderator(&read, options, &mut diags);
    if diags.has_errors() {
        diags.sort_for_reading();
        return Err(sct_core::Error::Invalid(diags).into());
    }
    let doc = agreed_response(&AgreedInputs {
        record: &read.record,
        agreed: &agreed,
        consolidation: &c,
        raters: &raters,
        toolkit,
        moderator: &moderator,
        on,
    });
    let comment = [format!(
        "Agreed by {} from {} raters' responses (moderation record {}); made by sct {SCT_VERSION}.",
        moderator.label(),
        c.raters.len(),
        options.record.display()
    )];
    let text = sct_core::response_text::response_toml(&doc, &comment);
    // What is written is a response sct accepts: checked as any response is.
    let name = format!("the agreed response of {}", options.record.display());
    let (agreed, _) = session.sct.validate_source(
        &SourceFile::from_text(name, text.clone()),
        ResolveOptions::default(),
    )?;
    Ok(Output::text(text).with_notices(agreed.warnings.iter().cloned().collect()))
}

/// Reads a record: a workbook by its extension, else TOML.
fn read_record(path: &Path) -> Result<ReadRecord> {
    let name = path.display().to_string();
    let is_xlsx = crate::format::extension(Some(path)).as_deref() == Some("xlsx");
    let read = if is_xlsx {
        let bytes = sct_files::read_input(path).map_err(|source| sct_core::Error::Io {
            path: path.to_path_buf(),
            action: "read",
            source,
        })?;
        sct_xlsx::moderation::read_moderation_workbook(&name, &bytes)
    } else {
        read_record_toml(SourceFile::read(path)?)
    };
    read.map_err(|d| sct_core::Error::Invalid(d).into())
}

/// Reads again each rater's file the record names, checking its checksum.
fn reread_raters<'s>(
    session: &'s Session,
    read: &ReadRecord,
    base: &Path,
) -> Result<(Vec<Assessment>, &'s CapabilityToolkit)> {
    let mut raters = Vec::new();
    let mut toolkit = None;
    let mut diags = Diagnostics::default();
    for row in &read.record.raters {
        let file = row.file.text.trim();
        let path = base.join(file);
        let response = match session.sct.read_response(&path) {
            Ok(r) => r,
            Err(e) => {
                diags.push(
                    read.error_at(
                        &row.file,
                        format!("cannot read the rater's file {file}: {e}"),
                    )
                    .expected(
                        "the raters' files beside the record, named as the record names them",
                    ),
                );
                continue;
            }
        };
        if let Some(d) = checksum(read, &row.sha256, file, &response.source.sha256) {
            diags.push(d);
            continue;
        }
        match session
            .sct
            .validate_read(&response, ResolveOptions::default())
        {
            Ok((a, fw)) => {
                toolkit.get_or_insert(fw.toolkit);
                raters.push(a);
            }
            Err(sct_core::Error::Invalid(d)) => diags.extend(d),
            Err(e) => return Err(e.into()),
        }
    }
    if diags.has_errors() {
        return Err(sct_core::Error::Invalid(diags).into());
    }
    let count = raters.len();
    toolkit
        .map(|t| (raters, t))
        .ok_or_else(|| sct_core::moderation::ModerationError::TooFew { count }.into())
}

/// A rater's file whose checksum is not the one the record was made with.
fn checksum(read: &ReadRecord, recorded: &Field, file: &str, actual: &str) -> Option<Diagnostic> {
    let recorded_text = recorded.text.trim();
    (!recorded_text.eq_ignore_ascii_case(actual)).then(|| {
        read.error_at(
            recorded,
            format!(
                "{file} has SHA-256 {actual}, not the {recorded_text} recorded here: the workbook was made from different raters' files (or one has changed since)"
            ),
        )
        .expected("the raters' files the record was made from, unchanged")
        .hint("make the record again from the raters' files as they are now, and moderate that")
    })
}

/// The moderator and date: the options' where given, else the record's.
fn moderator(
    read: &ReadRecord,
    options: &ApplyOptions,
    diags: &mut Diagnostics,
) -> (Rater, Option<Date>) {
    let m = &read.record.moderator;
    let given = |o: &Option<String>, f: &Field| {
        o.clone()
            .unwrap_or_else(|| f.text.clone())
            .trim()
            .to_string()
    };
    let rater = Rater {
        name: given(&options.moderator, &m.name),
        role: given(&options.moderator_role, &m.role),
        email: String::new(),
    };
    if rater.name.is_empty() {
        diags.push(
            read.error_at(&m.name, "no moderator is named")
                .expected(format!("the moderator's name ({})", read.place_of(&m.name)))
                .settings([Setting::Moderator]),
        );
    }
    let on = match (options.on, m.on.text.trim()) {
        (Some(d), _) => Some(d),
        (None, "") => None,
        (None, text) => match Date::parse(text) {
            Ok(d) => Some(d),
            Err(e) => {
                diags.push(
                    read.error_at(&m.on, e)
                        .expected("the date the levels were agreed")
                        .settings([Setting::ModeratedOn]),
                );
                None
            }
        },
    };
    (rater, on)
}
