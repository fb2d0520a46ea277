//! Reading a response file, whatever its format. TOML is read as it is; JSON (built in) and
//! formats supplied by other crates through [`ResponseReader`] (the Excel workbook of
//! `sct-xlsx`) are turned into their TOML equivalent with the place of every value (see
//! [`crate::derived`]), so validation, scoring and every report treat all formats alike.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Diagnostics;
use crate::error::Error;
use crate::model::ResponseDoc;
use crate::source::SourceFile;

use super::{FrameworkRegistry, parse_toml};

/// Reads and parses a response file (TOML). Validation against its framework is separate:
/// see [`crate::validate::resolve_response`].
pub fn load_response(path: &Path) -> Result<(SourceFile, ResponseDoc), Error> {
    let src = SourceFile::read(path)?;
    let doc = parse_toml::<ResponseDoc>(&src).map_err(Error::Invalid)?;
    Ok((src, doc))
}

/// A response file as read, before parsing and validation.
#[derive(Debug, Clone)]
pub struct ReadResponse {
    /// The response as TOML: the file itself, or the TOML equivalent of another format with
    /// the places its values came from.
    pub source: SourceFile,
    /// What the reader found on its own (a cell that is not a date, a formula where a value
    /// belongs, a framework version that does not match). Errors here make the response
    /// invalid, but validation still runs so that every error is reported at once.
    pub diagnostics: Diagnostics,
}

/// Reads response files of a format other than TOML and JSON.
pub trait ResponseReader: fmt::Debug + Send + Sync {
    /// The file extensions this reader handles, lower-case, without the dot.
    fn extensions(&self) -> &'static [&'static str];

    /// Reads `path` into its TOML equivalent. `registry` holds the frameworks the file may
    /// have been made from (a reader may check that it matches one of them).
    fn read(&self, path: &Path, registry: &FrameworkRegistry) -> Result<ReadResponse, Error>;
}

/// The readers an [`crate::Sct`] uses for formats beyond TOML and JSON.
#[derive(Clone, Default)]
pub struct ResponseReaders(Vec<Arc<dyn ResponseReader>>);

impl fmt::Debug for ResponseReaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl ResponseReaders {
    /// Adds a reader; a later reader for the same extension wins.
    pub fn add(&mut self, reader: Arc<dyn ResponseReader>) {
        self.0.insert(0, reader);
    }

    /// The reader for a file's extension, if one is registered.
    pub fn for_path(&self, path: &Path) -> Option<&dyn ResponseReader> {
        let ext = extension(path)?;
        self.0
            .iter()
            .find(|r| r.extensions().contains(&ext.as_str()))
            .map(|r| r.as_ref())
    }

    /// Whether `path` is a response file these readers (or the built-in TOML and JSON
    /// readers) can read, judged by its name: used to pick files from a directory. Office's
    /// lock files (`~$name.xlsx`) are not.
    pub fn is_response_file(&self, path: &Path) -> bool {
        let lock_file = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("~$") || n.starts_with(".~lock"));
        !lock_file
            && (matches!(extension(path).as_deref(), Some("toml" | "json"))
                || self.for_path(path).is_some())
    }

    /// Reads a response file: JSON by its extension, a registered format by its reader, and
    /// anything else as TOML.
    /// `-` reads standard input: JSON when it starts with `{`, else TOML (a workbook cannot
    /// come through standard input).
    pub fn read(&self, path: &Path, registry: &FrameworkRegistry) -> Result<ReadResponse, Error> {
        if crate::source::is_stdin(path) {
            let source = SourceFile::read_stdin()?;
            if source.text.trim_start().starts_with('{') {
                return super::json::read_json_source(&source);
            }
            return Ok(ReadResponse {
                source,
                diagnostics: Diagnostics::default(),
            });
        }
        if extension(path).as_deref() == Some("json") {
            return super::json::read_json_response(path);
        }
        if let Some(reader) = self.for_path(path) {
            return reader.read(path, registry);
        }
        Ok(ReadResponse {
            source: SourceFile::read(path)?,
            diagnostics: Diagnostics::default(),
        })
    }
}

/// A path's extension, lower-case.
fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}
