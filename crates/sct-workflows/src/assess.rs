//! The assessment workflows: score, report, chart, plan, validate, template and convert. Each
//! reads a response (TOML, JSON or a filled workbook) against the session's frameworks.

use std::path::PathBuf;

use sct_core::assessment::AnswerLevel;
use sct_core::individuals::{IndividualsSummary, check_individuals, summarise};
use sct_core::model::{Rater, ResponseDoc, ResponseType};
use sct_core::plan::{self, PlanInputs};
use sct_core::setting::Setting;
use sct_core::validate::{ResolvedFrameworks, resolve_frameworks};
use sct_core::{Assessed, Date, Diagnostic, ResolveOptions};
use sct_report::charts::{self, ChartFormat};
use sct_report::render::{ReportError, Templates};
use sct_report::{assessment, report};

use crate::document::{Outcome, Output};
use crate::error::{Error, Result};
use crate::format::formats;
use crate::session::Session;

formats! {
    /// Formats of `score`.
    pub enum ScoreFormat {
        /// A table for people.
        Table => [],
        /// JSON (schema `sct-score/1`).
        Json => ["json"],
        /// CSV: the assessment, each domain and each capability.
        Csv => ["csv"],
        /// An Excel workbook: summary, capabilities, milestones, method and provenance sheets.
        Xlsx => ["xlsx"],
    }
    fallback Table
}

formats! {
    /// Formats of `report`.
    pub enum ReportFormat {
        /// One self-contained HTML file.
        Html => ["html", "htm"],
        /// GitHub-flavoured Markdown.
        Md => ["md"],
        /// JSON.
        Json => ["json"],
        /// CSV.
        Csv => ["csv"],
        /// A Word document to edit: the board summary first, charts as images with alt text.
        Docx => ["docx"],
    }
    fallback Md
}

formats! {
    /// Formats of `plan`.
    pub enum PlanFormat {
        /// One self-contained HTML file, with the timeline drawn inline.
        Html => ["html", "htm"],
        /// GitHub-flavoured Markdown.
        Md => ["md"],
        /// JSON (schema sct-plan/1).
        Json => ["json"],
        /// CSV, one row per priority.
        Csv => ["csv"],
        /// An Excel workbook.
        Xlsx => ["xlsx"],
        /// A Word document to edit: the summary first, the timeline as an image with alt text.
        Docx => ["docx"],
    }
    fallback Md
}

formats! {
    /// Formats of a chart drawn alone.
    pub enum ImageFormat {
        /// Scalable vector graphics.
        Svg => ["svg"],
        /// A PNG image.
        Png => ["png"],
    }
    fallback Svg
}

formats! {
    /// Formats of a response (`template`, `convert`).
    pub enum ResponseFormat {
        /// TOML, the native format (a template has every descriptor as comments).
        Toml => ["toml"],
        /// An Excel workbook: a sheet per domain, dropdowns, locked descriptors.
        Xlsx => ["xlsx"],
        /// JSON with the same fields as the TOML.
        Json => ["json"],
    }
    fallback Toml
}

formats! {
    /// Formats of the checking workflows (`validate`, `frameworks validate`, `toc check`,
    /// `plugins check`).
    pub enum CheckFormat {
        /// Lines for people.
        Text => [],
        /// One JSON document with a `schema` key.
        Json => ["json"],
    }
    fallback Text
}

/// Which chart of an assessment to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum AssessmentChart {
    /// Radar of domain scores with the target overlay.
    Radar,
    /// One domain's capability levels against targets.
    Bars,
}

/// Options of [`score`].
#[derive(Debug, Clone)]
pub struct ScoreOptions {
    /// The response file (`-` for standard input).
    pub response: PathBuf,
    /// Judge milestones as of this date (default: the assessed date).
    pub as_of: Option<Date>,
    /// Treat unanswered capabilities as errors.
    pub strict: bool,
    /// The format.
    pub format: ScoreFormat,
}

/// Scores a response: domain and overall levels, coverage, confidence, milestones.
///
/// ```
/// use sct_workflows::{Session, assess::{ScoreFormat, ScoreOptions, score}};
/// let session = Session::bundled()?;
/// let options = ScoreOptions {
///     response: "../../examples/baseline-2026-03/bnssg-illustrative.toml".into(),
///     as_of: None,
///     strict: false,
///     format: ScoreFormat::Json,
/// };
/// let json = String::from_utf8(score(&session, &options)?.document.into_bytes()?)?;
/// assert!(json.contains("\"schema\": \"sct-score/1\""));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn score(session: &Session, options: &ScoreOptions) -> Result<Output<'static>> {
    let resolve = ResolveOptions {
        strict: options.strict,
    };
    let report = session
        .sct
        .score_file(&options.response, resolve, options.as_of)?;
    Ok(match options.format {
        ScoreFormat::Table => Output::text(sct_report::score_table(&report)),
        ScoreFormat::Json => Output::text(sct_report::score_json(&report)),
        ScoreFormat::Csv => Output::text(sct_report::score_csv(&report)),
        ScoreFormat::Xlsx => Output::bytes(sct_report::score_xlsx(&report)?),
    })
}

/// Options of [`report()`].
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The organisation's response file.
    pub response: PathBuf,
    /// A folder of individual self-assessments of the same organisation.
    pub individuals: Option<PathBuf>,
    /// A folder with the user's own copies of the report's templates.
    pub template_dir: Option<PathBuf>,
    /// An earlier response to say what changed since (default: the one the response's
    /// `[previous]` names, when it is found unchanged).
    pub previous: Option<PathBuf>,
    /// Date milestones and the report as of this date (default: the assessed date).
    pub as_of: Option<Date>,
    /// Treat unanswered capabilities as errors.
    pub strict: bool,
    /// The format.
    pub format: ReportFormat,
}

/// The board report of an assessment: summary, charts, every capability, milestones, the
/// plan's first priorities, method and provenance.
///
/// ```
/// use sct_workflows::{Session, assess::{ReportFormat, ReportOptions, report}};
/// let session = Session::bundled()?;
/// let options = ReportOptions {
///     response: "../../examples/baseline-2026-03/bnssg-illustrative.toml".into(),
///     individuals: None,
///     template_dir: None,
///     previous: None,
///     as_of: None,
///     strict: false,
///     format: ReportFormat::Md,
/// };
/// let md = String::from_utf8(report(&session, &options)?.document.into_bytes()?)?;
/// assert!(md.trim_start().starts_with("# "));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn report(session: &Session, options: &ReportOptions) -> Result<Output<'static>> {
    let sct = &session.sct;
    let resolve = ResolveOptions {
        strict: options.strict,
    };
    let assessed = sct.assess_file(&options.response, resolve, options.as_of)?;
    let individuals = individuals(session, &assessed, options.individuals.as_ref())?;
    let mut r = report::build(
        &assessed.score,
        assessed.frameworks.toolkit,
        &assessed.assessment,
        individuals,
        options.as_of,
    );
    // The development plan's top priorities (an individual self-assessment has no plan).
    r.report.plan = plan::build(plan_inputs(session, &assessed, None, None))
        .ok()
        .map(|p| report::plan_excerpt(&p));
    // What changed since the last assessment, when it is known.
    let mut notices = Vec::new();
    r.report.since = crate::diff::since(
        session,
        &options.response,
        (&assessed.assessment, &assessed.frameworks),
        options.previous.as_deref(),
        &mut notices,
    )?
    .map(report::since_last);
    let templates = Templates::load(options.template_dir.as_deref())?;
    let output = match options.format {
        ReportFormat::Html => Output::text(assessment::html(&templates, &r)?),
        ReportFormat::Md => Output::text(assessment::markdown(&templates, &r)?),
        ReportFormat::Json => Output::text(assessment::json(&r)),
        ReportFormat::Csv => Output::text(assessment::csv(&r)),
        ReportFormat::Docx => Output::bytes(sct_report::docx::assessment::docx(&r)?),
    };
    Ok(output.with_notices(notices))
}

/// The people's self-assessments of `dir`, checked against the organisation's and summarised.
fn individuals(
    session: &Session,
    assessed: &Assessed<'_>,
    dir: Option<&PathBuf>,
) -> Result<Option<IndividualsSummary>> {
    let Some(dir) = dir else {
        return Ok(None);
    };
    let toolkit = assessed.frameworks.toolkit;
    let people = session.sct.load_individuals(dir)?;
    check_individuals(&people, &assessed.assessment.ods_code, toolkit)?;
    Ok(Some(summarise(toolkit, &assessed.assessment, &people)))
}

fn plan_inputs<'a>(
    session: &'a Session,
    assessed: &'a Assessed<'a>,
    individuals: Option<&'a IndividualsSummary>,
    previous: Option<&'a sct_core::assessment::Assessment>,
) -> PlanInputs<'a> {
    PlanInputs {
        frameworks: &assessed.frameworks,
        assessment: &assessed.assessment,
        score: &assessed.score,
        individuals,
        previous,
        organisations: &session.sct.organisations,
    }
}

/// Options of [`chart`].
#[derive(Debug, Clone)]
pub struct ChartOptions {
    /// Which chart.
    pub kind: AssessmentChart,
    /// The response file.
    pub response: PathBuf,
    /// The domain, for a bar chart.
    pub domain: Option<String>,
    /// The format.
    pub format: ImageFormat,
}

/// One chart of an assessment, for slides: the radar of domain scores, or one domain's bars.
pub fn chart(session: &Session, options: &ChartOptions) -> Result<Output<'static>> {
    let assessed = session
        .sct
        .assess_file(&options.response, ResolveOptions::default(), None)?;
    let r = report::build(
        &assessed.score,
        assessed.frameworks.toolkit,
        &assessed.assessment,
        None,
        None,
    );
    let format = match options.format {
        ImageFormat::Png => ChartFormat::Png,
        ImageFormat::Svg => ChartFormat::Svg,
    };
    let bytes = match options.kind {
        AssessmentChart::Radar => charts::radar(&assessment::radar_chart(&r), format),
        AssessmentChart::Bars => {
            let ids: Vec<&str> = r.score.domains.iter().map(|d| d.id.as_str()).collect();
            let Some(id) = options.domain.as_deref() else {
                return Err(Error::options(
                    "a bar chart draws one domain, and none was chosen",
                    format!("a domain, one of: {}", ids.join(", ")),
                    [Setting::Domain],
                ));
            };
            let Some(chart) = assessment::domain_bar_chart(&r, id) else {
                return Err(Error::options(
                    format!("\"{id}\" is not a domain of {}", r.score.toolkit),
                    format!("one of: {}", ids.join(", ")),
                    [Setting::Domain],
                ));
            };
            charts::bars(&chart, format)
        }
    }
    .map_err(ReportError::Chart)?;
    Ok(Output::bytes(bytes))
}

/// Options of [`plan()`].
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// The organisation's response file.
    pub response: PathBuf,
    /// A folder of individual self-assessments of the same organisation.
    pub individuals: Option<PathBuf>,
    /// An earlier response (of the organisation or its predecessor), for progress.
    pub against: Option<PathBuf>,
    /// A folder with the user's own copies of the plan's templates.
    pub template_dir: Option<PathBuf>,
    /// Date milestones and the plan as of this date (default: the assessed date).
    pub as_of: Option<Date>,
    /// Treat unanswered capabilities as errors.
    pub strict: bool,
    /// The format.
    pub format: PlanFormat,
}

/// The development plan an assessment informs: priorities, support, individual development,
/// timeline and progress since an earlier round.
///
/// ```
/// use sct_workflows::{Session, assess::{PlanFormat, PlanOptions, plan}};
/// let session = Session::bundled()?;
/// let options = PlanOptions {
///     response: "../../examples/baseline-2026-03/bnssg-illustrative.toml".into(),
///     individuals: None,
///     against: None,
///     template_dir: None,
///     as_of: None,
///     strict: false,
///     format: PlanFormat::Json,
/// };
/// let json = String::from_utf8(plan(&session, &options)?.document.into_bytes()?)?;
/// assert!(json.contains("sct-plan/1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan(session: &Session, options: &PlanOptions) -> Result<Output<'static>> {
    use sct_report::plan as present;
    let sct = &session.sct;
    let resolve = ResolveOptions {
        strict: options.strict,
    };
    let assessed = sct.assess_file(&options.response, resolve, options.as_of)?;
    let individuals = individuals(session, &assessed, options.individuals.as_ref())?;
    let previous = match &options.against {
        Some(path) => Some(sct.validate_file(path, ResolveOptions::default())?.0),
        None => None,
    };
    let plan = plan::build(plan_inputs(
        session,
        &assessed,
        individuals.as_ref(),
        previous.as_ref(),
    ))?;
    let templates = |name: &str| Templates::load_only(options.template_dir.as_deref(), &[name]);
    Ok(match options.format {
        PlanFormat::Xlsx => Output::bytes(present::xlsx(&plan)?),
        PlanFormat::Docx => Output::bytes(sct_report::docx::plan::docx(&plan)?),
        PlanFormat::Json => Output::text(present::json(&plan)),
        PlanFormat::Csv => Output::text(present::csv(&plan)),
        PlanFormat::Html => Output::text(present::html(&templates("plan.html")?, &plan)?),
        PlanFormat::Md => Output::text(present::markdown(&templates("plan.md")?, &plan)?),
    })
}

/// Options of [`validate`].
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// The response file.
    pub response: PathBuf,
    /// Treat unanswered capabilities as errors.
    pub strict: bool,
    /// The format.
    pub format: CheckFormat,
}

/// Checks a response: ids, levels, confidence, targets, dates, the organisation; says its
/// coverage. Invalid input is an error, except in JSON, where it is reported in the document
/// (`valid: false` and the located diagnostics) with [`Outcome::Invalid`].
pub fn validate(session: &Session, options: &ValidateOptions) -> Result<Output<'static>> {
    let resolve = ResolveOptions {
        strict: options.strict,
    };
    let name = if sct_core::source::is_stdin(&options.response) {
        sct_core::source::STDIN_NAME.to_string()
    } else {
        options.response.display().to_string()
    };
    let a = match session.sct.validate_file(&options.response, resolve) {
        Ok((a, _)) => a,
        Err(e) => return invalid_as_json(options.format, "sct-validate/1", Some(&name), e),
    };
    let count =
        |want: fn(&AnswerLevel) -> bool| a.answers.values().filter(|x| want(&x.level)).count();
    let answered = count(|l| matches!(l, AnswerLevel::Level { .. }));
    let na = count(|l| matches!(l, AnswerLevel::NotApplicable { .. }));
    let applicable = a.answers.len() - na;
    let text = match options.format {
        CheckFormat::Text => {
            let pct = if applicable > 0 {
                answered as f64 * 100.0 / applicable as f64
            } else {
                0.0
            };
            format!(
                "{name}: valid ({} {}); coverage {answered} of {applicable} applicable capabilities answered ({pct:.0}%), {na} n/a; {}\n",
                a.toolkit_id,
                a.toolkit_version,
                sct_core::quote::count_of(a.warnings.warning_count(), "warning")
            )
        }
        CheckFormat::Json => json_text(&serde_json::json!({
            "schema": "sct-validate/1",
            "file": name,
            "valid": true,
            "toolkit": a.toolkit_id,
            "toolkit_version": a.toolkit_version,
            "coverage": { "answered": answered, "not_applicable": na, "applicable": applicable },
            "diagnostics": a.warnings,
        })),
    };
    let notices = match options.format {
        CheckFormat::Text => a.warnings.iter().cloned().collect(),
        CheckFormat::Json => Vec::new(),
    };
    Ok(Output::text(text).with_notices(notices))
}

/// Pretty JSON and a newline.
pub(crate) fn json_text(value: &serde_json::Value) -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(value).unwrap_or_default()
    )
}

/// For a checking workflow in JSON: invalid input as a document in that workflow's schema
/// (`valid: false` and the diagnostics, each located) with [`Outcome::Invalid`]; in text, or
/// any other error, the error itself.
pub(crate) fn invalid_as_json(
    format: CheckFormat,
    schema: &str,
    file: Option<&str>,
    error: impl Into<Error>,
) -> Result<Output<'static>> {
    match (format, error.into()) {
        (CheckFormat::Json, Error::Core(sct_core::Error::Invalid(diags))) => {
            let mut v =
                serde_json::json!({ "schema": schema, "valid": false, "diagnostics": diags });
            if let Some(file) = file {
                v["file"] = file.into();
            }
            let mut out = Output::text(json_text(&v));
            out.outcome = Outcome::Invalid;
            Ok(out)
        }
        (_, other) => Err(other),
    }
}

/// Options of [`template`].
#[derive(Debug, Clone)]
pub struct TemplateOptions {
    /// The round (or capability toolkit) to make a response for.
    pub framework: String,
    /// Its version (default: the latest known).
    pub version: Option<String>,
    /// An individual self-assessment rather than the organisation's.
    pub individual: bool,
    /// An earlier response to start from: its answers carried forward, marked carried over
    /// (the type of response then follows the earlier one's).
    pub from: Option<PathBuf>,
    /// The organisation's ODS code, when starting from a predecessor's response.
    pub organisation: Option<String>,
    /// Where the template will be written, so that `[previous]` can name the earlier
    /// response relative to it.
    pub written_to: Option<PathBuf>,
    /// The format (TOML or a workbook; JSON too when starting from an earlier response).
    pub format: ResponseFormat,
    /// The rater, when the template is one rater's view of a team assessment (an
    /// organisation's response only): named in `[rater]`, with `[status]` a draft.
    pub rater: Option<Rater>,
}

/// A blank response to fill in: TOML with every descriptor as comments, or a workbook. With
/// [`TemplateOptions::from`], the next round's response started from the last one.
pub fn template(session: &Session, options: &TemplateOptions) -> Result<Output<'static>> {
    let frameworks = template_frameworks(session, &options.framework, options.version.as_deref())?;
    if let Some(from) = &options.from {
        return crate::carry::template_from(session, options, &frameworks, from);
    }
    let response_type = if options.individual {
        ResponseType::Individual
    } else {
        ResponseType::Organisation
    };
    if let Some(rater) = &options.rater {
        return rater_template(&frameworks, options, rater);
    }
    match options.format {
        ResponseFormat::Xlsx => {
            let (bytes, _) = sct_xlsx::response_workbook(&frameworks, response_type, None)?;
            Ok(Output::bytes(bytes))
        }
        ResponseFormat::Toml => Ok(Output::text(sct_core::template::response_template(
            frameworks.toolkit_file,
            frameworks.toolkit,
            frameworks.round,
            response_type,
        ))),
        ResponseFormat::Json => Err(Error::options(
            "a template is written as TOML or an Excel workbook, not JSON",
            "a TOML or Excel output (a JSON response can be made by converting a response)",
            [Setting::Output, Setting::Format],
        )),
    }
}

/// One rater's template: the organisation's, with the rater and a draft status, as TOML or
/// (read back from that TOML, so the two say the same) a workbook.
fn rater_template(
    frameworks: &ResolvedFrameworks<'_>,
    options: &TemplateOptions,
    rater: &Rater,
) -> Result<Output<'static>> {
    if options.individual {
        return Err(Error::options(
            "an individual self-assessment names its person, not a rater",
            "a rater for an organisation's response, or an individual template without one",
            [],
        ));
    }
    if rater.name.trim().is_empty() {
        return Err(Error::options(
            "the rater's name is blank",
            "the rater's name, as the team knows them",
            [],
        ));
    }
    let text = sct_core::template::rater_template(
        frameworks.toolkit_file,
        frameworks.toolkit,
        frameworks.round,
        rater,
    );
    match options.format {
        ResponseFormat::Toml => Ok(Output::text(text)),
        ResponseFormat::Xlsx => {
            let source = sct_core::SourceFile::from_text("template.toml", text);
            let doc = sct_core::load::parse_toml::<ResponseDoc>(&source)
                .map_err(sct_core::Error::Invalid)?;
            let (bytes, _) =
                sct_xlsx::response_workbook(frameworks, ResponseType::Organisation, Some(&doc))?;
            Ok(Output::bytes(bytes))
        }
        ResponseFormat::Json => Err(Error::options(
            "a template is written as TOML or an Excel workbook, not JSON",
            "a TOML or Excel output (a JSON response can be made by converting a response)",
            [Setting::Output, Setting::Format],
        )),
    }
}

/// The toolkit (and round) a template is made for: `framework` names a round or a toolkit.
fn template_frameworks<'a>(
    session: &'a Session,
    framework: &str,
    version: Option<&str>,
) -> Result<ResolvedFrameworks<'a>> {
    let registry = &session.sct.registry;
    let fw = registry.get(framework, version)?;
    let unknown = |wanted: String| sct_core::Error::UnknownFramework {
        wanted,
        known: "see `sct frameworks list`".into(),
    };
    if let Some(round) = fw.as_round() {
        let toolkit_file = registry.get(
            round.toolkit.id.get_ref(),
            Some(round.toolkit.version.get_ref()),
        )?;
        let toolkit = toolkit_file
            .as_toolkit()
            .ok_or_else(|| unknown(format!("capability toolkit {}", round.toolkit.id.get_ref())))?;
        return Ok(ResolvedFrameworks {
            toolkit_file,
            toolkit,
            round: Some((fw, round)),
        });
    }
    let toolkit = fw.as_toolkit().ok_or_else(|| {
        unknown(format!(
            "a round or capability toolkit called {framework} ({} is a {} framework)",
            fw.id(),
            fw.header.kind
        ))
    })?;
    Ok(ResolvedFrameworks {
        toolkit_file: fw,
        toolkit,
        round: None,
    })
}

/// Options of [`convert`].
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// The response to convert (TOML, JSON or a filled workbook).
    pub response: PathBuf,
    /// The format to convert it to.
    pub format: ResponseFormat,
}

impl ResponseFormat {
    /// The format `convert` writes: `given`, else the one the output's extension names; an
    /// error saying what would do when neither says.
    pub fn for_conversion(
        given: Option<ResponseFormat>,
        output: Option<&std::path::Path>,
    ) -> Result<ResponseFormat> {
        use crate::format::Format;
        if let Some(f) = given {
            return Ok(f);
        }
        let ext = crate::format::extension(output);
        ext.as_deref()
            .and_then(ResponseFormat::from_extension)
            .ok_or_else(|| {
                Error::options(
                    match ext {
                        Some(ext) => format!("cannot tell the output format from \".{ext}\""),
                        None => "no output format: name an output file or a format".to_string(),
                    },
                    "an output file ending .toml, .xlsx or .json, or the format toml, xlsx or json",
                    [Setting::Output, Setting::Format],
                )
            })
    }
}

/// A response in another format (TOML, JSON or a workbook), validated first, so what is
/// written is a response sct accepts; converting there and back gives the same response.
pub fn convert(session: &Session, options: &ConvertOptions) -> Result<Output<'static>> {
    use sct_core::response_text::{response_json, response_toml};
    let sct = &session.sct;
    let read = sct.read_response(&options.response)?;
    let (assessment, _) = sct.validate_read(&read, ResolveOptions::default())?;
    let notices: Vec<Diagnostic> = assessment.warnings.iter().cloned().collect();
    let doc = sct_core::load::parse_toml::<ResponseDoc>(&read.source)
        .map_err(sct_core::Error::Invalid)?;
    let output = match options.format {
        ResponseFormat::Toml => {
            let comment = vec![
                format!(
                    "Converted by sct {} from {} (sha256 {}).",
                    sct_core::provenance::SCT_VERSION,
                    options.response.display(),
                    read.source.sha256
                ),
                "Level descriptors: `sct template ROUND` writes them as comments; `sct frameworks show TOOLKIT` lists them.".to_string(),
            ];
            Output::text(response_toml(&doc, &comment))
        }
        ResponseFormat::Json => Output::text(response_json(&doc)),
        ResponseFormat::Xlsx => {
            let frameworks = resolve_frameworks(&read.source, &doc, &sct.registry)?;
            let (bytes, notes) =
                sct_xlsx::response_workbook(&frameworks, doc.response_type, Some(&doc))?;
            let mut out = Output::bytes(bytes);
            out.notices = notes.into_iter().map(Diagnostic::warning).collect();
            out
        }
    };
    Ok(output.with_notices(notices))
}
