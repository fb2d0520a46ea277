//! # sct-core
//!
//! The core of `sct`, the strategic commissioning toolkit: frameworks as data (a capability
//! toolkit and assessment rounds, loaded from TOML), assessment responses, validation with
//! located diagnostics, and transparent scoring.
//!
//! Data flows one way: [`model`] types are [`load`]ed from files, checked by [`validate`],
//! and computed on by [`score`] and [`milestones`]; presentation lives in other crates.
//!
//! ```
//! use sct_core::{Sct, SourceFile};
//!
//! let sct = Sct::bundled()?;
//! let response = SourceFile::from_text("my-icb.toml", r#"
//!     round = "baseline-2026-03"
//!     assessed = 2026-03-20
//!     [organisation]
//!     name = "NHS Bristol, North Somerset and South Gloucestershire ICB"
//!     ods_code = "QUY"
//!     [capabilities.integrated-needs-assessment]
//!     level = "embedding"
//!     confidence = "high"
//!     evidence = ["Integrated needs assessment approved by the board, February 2026"]
//! "#);
//! let report = sct.score_source(&response, Default::default(), None)?;
//! let domain = &report.domains[0];
//! assert_eq!(domain.id, "understanding-context");
//! assert_eq!(domain.summary.score, Some(3.0));
//! assert_eq!(domain.summary.coverage.answered, 1);
//! println!("{}", report.method.description);
//! # Ok::<(), sct_core::Error>(())
//! ```

pub mod agreement;
pub mod assessment;
pub mod csv_line;
pub mod csv_out;
pub mod decimal;
pub mod derived;
pub mod diagnostic;
pub mod diff;
pub mod error;
pub mod individuals;
pub mod load;
pub mod milestones;
pub mod model;
pub mod moderation;
pub mod moderation_record;
pub mod output;
pub mod pieces;
pub mod plan;
pub mod provenance;
pub mod quote;
pub mod response_text;
pub mod schema;
pub mod score;
pub mod setting;
pub mod source;
pub mod team;
pub mod template;
pub mod validate;

use std::path::{Path, PathBuf};

pub use assessment::Assessment;
pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use error::{Error, Result};
pub use load::{FrameworkRegistry, LoadedFramework, ReadResponse, ResponseReader, ResponseReaders};
pub use model::{Date, Organisations};
pub use score::ScoreReport;
pub use source::SourceFile;
pub use validate::ResolveOptions;

/// A response resolved and scored, with the frameworks it was assessed against.
#[derive(Debug, Clone)]
pub struct Assessed<'a> {
    /// The resolved response.
    pub assessment: Assessment,
    /// Its toolkit and round.
    pub frameworks: validate::ResolvedFrameworks<'a>,
    /// Its score.
    pub score: ScoreReport,
}

/// Frameworks and organisations loaded once, ready to validate and score responses.
#[derive(Debug, Clone)]
pub struct Sct {
    /// Known frameworks.
    pub registry: FrameworkRegistry,
    /// Known organisations.
    pub organisations: Organisations,
    /// Readers of response formats beyond TOML and JSON (for example `sct-xlsx`'s workbook
    /// reader); the `*_file` methods pick one by the file's extension.
    pub readers: ResponseReaders,
}

impl Sct {
    /// The bundled frameworks and organisation table.
    pub fn bundled() -> Result<Sct> {
        Ok(Sct {
            registry: FrameworkRegistry::bundled()?,
            organisations: Organisations::bundled(),
            readers: ResponseReaders::default(),
        })
    }

    /// The bundled frameworks plus framework directories (later ones override earlier), and
    /// optionally a user's own organisations table (and successions table).
    pub fn with(
        framework_dirs: &[PathBuf],
        organisations: Option<(&Path, Option<&Path>)>,
    ) -> Result<Sct> {
        let registry = FrameworkRegistry::with_dirs(framework_dirs)?;
        let organisations = match organisations {
            None => Organisations::bundled(),
            Some((orgs, succ)) => {
                let o = SourceFile::read(orgs)?;
                let s = succ.map(SourceFile::read).transpose()?;
                Organisations::parse(&o, s.as_ref())?
            }
        };
        Ok(Sct {
            registry,
            organisations,
            readers: ResponseReaders::default(),
        })
    }

    /// Adds a reader of another response format (see [`ResponseReader`]).
    pub fn with_reader(mut self, reader: std::sync::Arc<dyn ResponseReader>) -> Sct {
        self.readers.add(reader);
        self
    }

    /// Reads a response file in any known format (TOML, JSON, or a registered reader's),
    /// without validating it.
    pub fn read_response(&self, path: &Path) -> Result<ReadResponse> {
        self.readers.read(path, &self.registry)
    }

    /// Resolves a response read by [`Sct::read_response`]. The reader's own findings and
    /// validation's are reported together, so a workbook with several problems lists them
    /// all at once.
    pub fn validate_read(
        &self,
        read: &ReadResponse,
        options: ResolveOptions,
    ) -> Result<(Assessment, validate::ResolvedFrameworks<'_>)> {
        let mut found = read.diagnostics.clone();
        // Errors first, then warnings, each in line order: the order a person fixes them.
        let invalid = |mut d: Diagnostics| {
            d.sort_for_reading();
            Err(Error::Invalid(d))
        };
        match self.validate_source(&read.source, options) {
            Ok((mut assessment, fw)) if !found.has_errors() => {
                found.extend(std::mem::take(&mut assessment.warnings));
                assessment.warnings = found;
                Ok((assessment, fw))
            }
            Ok(_) => invalid(found),
            Err(Error::Invalid(d)) => {
                found.extend(d);
                invalid(found)
            }
            Err(e) if found.has_errors() => {
                found.push(Diagnostic::error(e.to_string()).in_file(&read.source.name));
                invalid(found)
            }
            Err(e) => Err(e),
        }
    }

    /// Resolves a response (already read) against its frameworks.
    pub fn validate_source(
        &self,
        src: &SourceFile,
        options: ResolveOptions,
    ) -> Result<(Assessment, validate::ResolvedFrameworks<'_>)> {
        let doc = load::parse_toml::<model::ResponseDoc>(src).map_err(Error::Invalid)?;
        let fw = validate::resolve_frameworks(src, &doc, &self.registry)?;
        let assessment = validate::resolve_response(src, &doc, &fw, &self.organisations, options)?;
        Ok((assessment, fw))
    }

    /// Reads and resolves a response file.
    pub fn validate_file(
        &self,
        path: &Path,
        options: ResolveOptions,
    ) -> Result<(Assessment, validate::ResolvedFrameworks<'_>)> {
        let read = self.read_response(path)?;
        self.validate_read(&read, options)
    }

    /// Resolves and scores a response. `as_of` dates milestone statuses (default: the
    /// assessed date).
    pub fn score_source(
        &self,
        src: &SourceFile,
        options: ResolveOptions,
        as_of: Option<Date>,
    ) -> Result<ScoreReport> {
        let (assessment, fw) = self.validate_source(src, options)?;
        let provenance =
            provenance::Provenance::new(&fw.files(), &src.name, &src.sha256, &self.organisations);
        Ok(score::score(&fw, &assessment, as_of, provenance))
    }

    /// Reads and resolves every response file in `dir` (`*.toml`, `*.json` and the formats of
    /// the registered readers, such as `*.xlsx`; in name order) as an individual
    /// self-assessment. Errors from all files are reported together.
    pub fn load_individuals(&self, dir: &Path) -> Result<Vec<Assessment>> {
        let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            action: "read",
            source,
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && self.readers.is_response_file(p))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(Error::Invalid(Diagnostics(vec![Diagnostic::error(format!("no self-assessment files (*.toml, *.json, *.xlsx) in {}", dir.display()))
                .expected("a directory of individual self-assessment files, each made from the round's individual template")
                .settings([crate::setting::Setting::Individuals])])));
        }
        let mut people = Vec::new();
        let mut diags = Diagnostics::default();
        for f in files {
            match self.validate_file(&f, ResolveOptions::default()) {
                Ok((a, _)) => people.push(a),
                Err(Error::Invalid(d)) => diags.extend(d),
                Err(e) => return Err(e),
            }
        }
        if diags.has_errors() {
            return Err(Error::Invalid(diags));
        }
        Ok(people)
    }

    /// Reads, resolves and scores a response file, keeping the resolved response and its
    /// frameworks for reports.
    pub fn assess_file(
        &self,
        path: &Path,
        options: ResolveOptions,
        as_of: Option<Date>,
    ) -> Result<Assessed<'_>> {
        let read = self.read_response(path)?;
        let src = &read.source;
        let (assessment, frameworks) = self.validate_read(&read, options)?;
        let provenance = provenance::Provenance::new(
            &frameworks.files(),
            &src.name,
            &src.sha256,
            &self.organisations,
        );
        let score = score::score(&frameworks, &assessment, as_of, provenance);
        Ok(Assessed {
            assessment,
            frameworks,
            score,
        })
    }

    /// Reads, resolves and scores a response file.
    pub fn score_file(
        &self,
        path: &Path,
        options: ResolveOptions,
        as_of: Option<Date>,
    ) -> Result<ScoreReport> {
        Ok(self.assess_file(path, options, as_of)?.score)
    }
}
