//! Loading a cohort: the files named (directories walked for responses and, by name, the
//! organisations and KPI tables they hold), each response through one entry point
//! ([`load_response`]), bad files stopped on or skipped, an organisation given twice in a
//! round refused naming both files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use sct_core::model::ResponseType;
use sct_core::{Assessed, Date, Diagnostic, Diagnostics, Error, ResolveOptions, Sct};

/// The name of an organisations table found in a cohort directory (as `--orgs`).
pub const ORGS_FILE_NAME: &str = "orgs.csv";
/// The name of KPI data found in a cohort directory (as `--kpis`).
pub const KPIS_FILE_NAME: &str = "kpis.csv";

/// The files a cohort is made of.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CohortFiles {
    /// Response files, in path order.
    pub responses: Vec<PathBuf>,
    /// An organisations table found in a directory given.
    pub orgs: Option<PathBuf>,
    /// KPI data found in a directory given.
    pub kpis: Option<PathBuf>,
}

/// Whether `path` is a response file to take from a cohort directory: TOML, or a format a
/// reader registered with `sct` reads (the filled `.xlsx` workbook when the CLI installs the
/// workbook reader). JSON files are read when named, but not picked up from a directory,
/// where they are far more likely to be earlier outputs (`cohort.json`) than responses.
pub fn is_response_file(sct: &Sct, path: &Path) -> bool {
    let json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    !json && sct.readers.is_response_file(path)
}

/// Expands the paths given: files are taken as they are, directories walked (in name
/// order, recursively) for response files, plus `orgs.csv` and `kpis.csv` at their top.
pub fn collect_files(sct: &Sct, paths: &[PathBuf]) -> Result<CohortFiles, Error> {
    let mut out = CohortFiles::default();
    for p in paths {
        if p.is_dir() {
            for name in [ORGS_FILE_NAME, KPIS_FILE_NAME] {
                let f = p.join(name);
                if f.is_file() {
                    let slot = if name == ORGS_FILE_NAME {
                        &mut out.orgs
                    } else {
                        &mut out.kpis
                    };
                    slot.get_or_insert(f);
                }
            }
            walk(sct, p, &mut out.responses)?;
        } else if p.exists() {
            out.responses.push(p.clone());
        } else {
            return Err(Error::Io {
                path: p.clone(),
                action: "read",
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no such file or directory",
                ),
            });
        }
    }
    out.responses.sort();
    out.responses.dedup();
    if out.responses.is_empty() {
        return Err(Error::Invalid(Diagnostics(vec![
            Diagnostic::error("no assessment responses found").expected(
                "response files (*.toml, or *.xlsx workbooks), or directories holding them",
            ),
        ])));
    }
    Ok(out)
}

fn walk(sct: &Sct, dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        action: "read",
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(sct, &p, out)?;
        } else if is_response_file(sct, &p) {
            out.push(p);
        }
    }
    Ok(())
}

/// One capability's answer in a cohort: a level rank, n/a, or unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "rank")]
pub enum Cell {
    /// Answered with this one-based level rank.
    Level(u8),
    /// Does not apply.
    NotApplicable,
    /// Not answered.
    Unanswered,
}

impl Cell {
    /// The level rank, if answered.
    pub fn rank(self) -> Option<u8> {
        match self {
            Cell::Level(r) => Some(r),
            _ => None,
        }
    }
}

/// An organisation's response, reduced to what a comparison needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgResponse {
    /// ODS code (upper case).
    pub code: String,
    /// Name as given in the response.
    pub name: String,
    /// Round id (`(no round)` when the response names none).
    pub round: String,
    /// Assessed date.
    pub assessed: Option<Date>,
    /// Toolkit id and version, `id@version`.
    pub toolkit: String,
    /// The response's notice (e.g. that its data are synthetic).
    pub notice: String,
    /// Answers by capability id.
    pub answers: BTreeMap<String, Cell>,
    /// Domain scores by domain id (None when no capability of it was answered).
    pub domain_scores: BTreeMap<String, Option<f64>>,
    /// Domain levels by domain id: the rank of the level the domain's score reaches (the
    /// toolkit's banding), so domains compare at the answers' resolution.
    pub domain_levels: BTreeMap<String, Option<u8>>,
    /// Overall score.
    pub overall: Option<f64>,
    /// Answered over applicable capabilities.
    pub coverage: Option<f64>,
    /// The file.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
}

/// One person's self-assessment, reduced to their levels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonResponse {
    /// Their organisation's ODS code.
    pub code: String,
    /// Round id.
    pub round: String,
    /// Role group.
    pub role_group: String,
    /// Levels by capability id (answered ones only).
    pub levels: BTreeMap<String, u8>,
    /// The file.
    pub file: String,
}

/// A response as loaded: an organisation's or a person's.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadedResponse {
    /// An organisation's assessment.
    Organisation(OrgResponse),
    /// A person's self-assessment.
    Individual(PersonResponse),
}

/// A file left out with `--skip-invalid`, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedFile {
    /// The file.
    pub file: String,
    /// The error, as printed.
    pub error: String,
}

/// The round id used for a response that names none.
pub const NO_ROUND: &str = "(no round)";

/// Loads one response file: the single entry point for every response format (TOML, JSON,
/// and whatever readers `sct` has registered, such as the filled `.xlsx` workbook).
pub fn load_response(sct: &Sct, path: &Path) -> Result<LoadedResponse, Error> {
    if !sct.readers.is_response_file(path) {
        return Err(Error::Invalid(Diagnostics(vec![
            Diagnostic::error("not a response format sct reads")
                .in_file(path.display().to_string())
                .expected("a response file (*.toml, *.json, or a filled *.xlsx workbook)"),
        ])));
    }
    let assessed = sct.assess_file(path, ResolveOptions::default(), None)?;
    Ok(reduce(&assessed))
}

fn reduce(a: &Assessed<'_>) -> LoadedResponse {
    let s = &a.assessment;
    let round = s.round.clone().unwrap_or_else(|| NO_ROUND.to_string());
    let code = s.ods_code.trim().to_ascii_uppercase();
    if s.response_type == ResponseType::Individual {
        return LoadedResponse::Individual(PersonResponse {
            code,
            round,
            role_group: s
                .person
                .as_ref()
                .map(|p| p.role_group.clone())
                .unwrap_or_default(),
            levels: s
                .answers
                .iter()
                .filter_map(|(id, ans)| ans.rank().map(|r| (id.clone(), r.min(255) as u8)))
                .collect(),
            file: s.source_name.clone(),
        });
    }
    let answers = s
        .answers
        .iter()
        .map(|(id, ans)| {
            let cell = match &ans.level {
                sct_core::assessment::AnswerLevel::Level { rank } => {
                    Cell::Level((*rank).min(255) as u8)
                }
                sct_core::assessment::AnswerLevel::NotApplicable { .. } => Cell::NotApplicable,
                sct_core::assessment::AnswerLevel::Unanswered => Cell::Unanswered,
            };
            (id.clone(), cell)
        })
        .collect();
    LoadedResponse::Organisation(OrgResponse {
        code,
        name: s.organisation_name.clone(),
        round,
        assessed: s.assessed,
        toolkit: format!("{}@{}", s.toolkit_id, s.toolkit_version),
        notice: s.notice.clone(),
        answers,
        domain_scores: a
            .score
            .domains
            .iter()
            .map(|d| (d.id.clone(), d.summary.score))
            .collect(),
        domain_levels: a
            .score
            .domains
            .iter()
            .map(|d| {
                let rank = d.summary.level.as_ref().and_then(|id| {
                    a.frameworks
                        .toolkit
                        .levels
                        .iter()
                        .position(|l| l.id.get_ref() == id)
                        .map(|i| (i + 1).min(255) as u8)
                });
                (d.id.clone(), rank)
            })
            .collect(),
        overall: a.score.overall.score,
        coverage: a.score.overall.coverage.ratio,
        file: s.source_name.clone(),
        sha256: s.source_sha256.clone(),
    })
}

/// Everything loaded from a cohort's response files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    /// Organisations' responses, in file order.
    pub organisations: Vec<OrgResponse>,
    /// People's self-assessments, in file order.
    pub people: Vec<PersonResponse>,
    /// Files left out (only with `skip_invalid`).
    pub skipped: Vec<SkippedFile>,
}

/// Loads every response: on a bad file, stops with its error, or with `skip_invalid`
/// records it and goes on. `progress` is called after each file (for a progress bar).
/// Loading runs on up to `threads` threads; the result is in file order whatever the
/// number. An organisation given twice in one round is an error naming both files.
pub fn load_cohort(
    sct: &Sct,
    files: &[PathBuf],
    skip_invalid: bool,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<Loaded, Error> {
    let threads = threads.clamp(1, 16).min(files.len().max(1));
    let chunk = files.len().div_ceil(threads).max(1);
    let results: Vec<Result<LoadedResponse, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|f| {
                            let r = load_response(sct, f);
                            progress();
                            r
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut loaded = Loaded::default();
    for (file, result) in files.iter().zip(results) {
        match result {
            Ok(LoadedResponse::Organisation(o)) => loaded.organisations.push(o),
            Ok(LoadedResponse::Individual(p)) => loaded.people.push(p),
            Err(e) if skip_invalid => loaded.skipped.push(SkippedFile {
                file: file.display().to_string(),
                error: e.to_string(),
            }),
            Err(e) => return Err(e),
        }
    }
    check_duplicates(&loaded.organisations)?;
    Ok(loaded)
}

/// An organisation may answer each round once: a second response is an error naming both.
pub fn check_duplicates(orgs: &[OrgResponse]) -> Result<(), Error> {
    let mut seen: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    let mut diags = Diagnostics::default();
    for o in orgs {
        if let Some(first) = seen.insert((o.round.as_str(), o.code.as_str()), o.file.as_str()) {
            diags.push(
                Diagnostic::error(format!(
                    "{} answers round {} twice: {first} and {}",
                    o.code, o.round, o.file
                ))
                .in_file(&o.file)
                .expected("one response per organisation per round")
                .hint("remove one of the two files, or correct its ods_code or round"),
            );
        }
    }
    if diags.has_errors() {
        Err(Error::Invalid(diags))
    } else {
        Ok(())
    }
}
