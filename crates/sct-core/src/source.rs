//! Reading input files into memory with the checks every loader needs: a file (not a
//! directory), not empty, not huge, valid UTF-8. Keeps the text so diagnostics can point
//! at a line and column, and the SHA-256 so outputs can record exactly what they read.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::derived::Places;
use crate::diagnostic::{Diagnostic, Location, Snippet};
use crate::error::Error;

/// Largest input file `sct` reads (64 MiB). Assessment and framework files are kilobytes;
/// anything far larger is almost certainly the wrong file, and refusing it early avoids
/// exhausting memory.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// The text of one input file, with its display name and checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name used in messages: the path as the user gave it, or `bundled:NAME`.
    pub name: String,
    /// The file's full text.
    pub text: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// For a response read from another format (JSON, a workbook), `text` is its TOML
    /// equivalent and these are the places (JSON paths, cells) its values came from:
    /// diagnostics name the place, never a line of `text`. `None` for files read as they are.
    pub places: Option<Places>,
    /// Where the lines of `text` start, built the first time a location is asked for.
    lines: LineIndex,
}

/// The byte offsets of the newlines of a file's text (and the text's length then), built
/// once, so that a file with thousands of findings (links without assumptions in a large
/// theory of change, say) is not scanned from its start again for each one.
#[derive(Debug, Clone, Default)]
struct LineIndex(std::sync::OnceLock<(usize, Vec<usize>)>);

/// A cache of what the text already says: it never makes two files differ.
impl PartialEq for LineIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for LineIndex {}

impl SourceFile {
    /// Wraps text that did not come from disk (bundled data, tests, stdin).
    pub fn from_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let sha256 = sha256_hex(text.as_bytes());
        SourceFile {
            name: name.into(),
            text,
            sha256,
            places: None,
            lines: LineIndex::default(),
        }
    }

    /// The TOML equivalent of a file in another format (see [`crate::derived`]): `sha256` is
    /// the checksum of the original file's bytes.
    pub fn derived(name: impl Into<String>, text: String, sha256: String, places: Places) -> Self {
        SourceFile {
            name: name.into(),
            text,
            sha256,
            places: Some(places),
            lines: LineIndex::default(),
        }
    }

    /// Reads `path`, refusing directories, empty files, files over [`MAX_INPUT_BYTES`] and
    /// bytes that are not UTF-8 (the error names the line and column of the first bad byte).
    /// The path `-` reads standard input instead, named [`STDIN_NAME`] in messages.
    pub fn read(path: &Path) -> Result<Self, Error> {
        Self::read_with(path, |_| ()).map(|(src, ())| src)
    }

    /// [`SourceFile::read`], with `work` given the file's text (once checked) on this thread
    /// while the checksum is computed on another, for a file of a megabyte or more: a large
    /// input is hashed and read at the same time. Returns the file and what `work` made.
    pub fn read_with<T>(path: &Path, work: impl FnOnce(&str) -> T) -> Result<(Self, T), Error> {
        if is_stdin(path) {
            let src = Self::read_stdin()?;
            let made = work(&src.text);
            return Ok((src, made));
        }
        let name = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|source| Error::Io {
            path: PathBuf::from(path),
            action: "read",
            source,
        })?;
        if meta.is_dir() {
            return Err(Error::IsDirectory {
                path: path.to_path_buf(),
            });
        }
        if meta.len() > MAX_INPUT_BYTES {
            return Err(Error::TooLarge {
                path: path.to_path_buf(),
                size: meta.len(),
                limit: MAX_INPUT_BYTES,
            });
        }
        let bytes = sct_files::read_input(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            action: "read",
            source,
        })?;
        Self::from_bytes_with(name, bytes, work)
    }

    /// Reads standard input to its end (at most [`MAX_INPUT_BYTES`]), checked as a file is.
    pub fn read_stdin() -> Result<Self, Error> {
        use std::io::Read;
        sct_files::note_stdin();
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| Error::Io {
                path: PathBuf::from(STDIN_NAME),
                action: "read",
                source,
            })?;
        Self::from_bytes(STDIN_NAME.to_string(), bytes)
    }

    /// Checks raw bytes as [`SourceFile::read`] does and wraps them.
    pub fn from_bytes(name: String, bytes: Vec<u8>) -> Result<Self, Error> {
        Self::from_bytes_with(name, bytes, |_| ()).map(|(src, ())| src)
    }

    /// [`SourceFile::from_bytes`], and `work` given the text as [`SourceFile::read_with`]
    /// gives it.
    fn from_bytes_with<T>(
        name: String,
        bytes: Vec<u8>,
        work: impl FnOnce(&str) -> T,
    ) -> Result<(Self, T), Error> {
        if bytes.len() as u64 > MAX_INPUT_BYTES {
            return Err(Error::TooLarge {
                path: PathBuf::from(&name),
                size: bytes.len() as u64,
                limit: MAX_INPUT_BYTES,
            });
        }
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::EmptyFile {
                path: PathBuf::from(name),
            });
        }
        match String::from_utf8(bytes) {
            Ok(text) => {
                let (sha256, made) = hash_beside(&text, work);
                let src = SourceFile {
                    name,
                    text,
                    sha256,
                    places: None,
                    lines: LineIndex::default(),
                };
                Ok((src, made))
            }
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                // The prefix up to `valid` is valid UTF-8 by definition.
                let prefix = String::from_utf8_lossy(&bytes[..valid]);
                let (line, column) = line_col_in(&prefix, prefix.len());
                Err(Error::NotUtf8 {
                    path: PathBuf::from(name),
                    line,
                    column,
                    byte: bytes[valid],
                })
            }
        }
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let (len, newlines) = self.lines.0.get_or_init(|| {
            let newlines = self.text.bytes().enumerate().filter(|&(_, b)| b == b'\n');
            (self.text.len(), newlines.map(|(i, _)| i).collect())
        });
        if *len != self.text.len() {
            // `text` was changed after the index was built (it is a public field).
            return line_col_in(&self.text, offset);
        }
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        // The newlines before `offset` are the lines before its own.
        let before = newlines.partition_point(|&nl| nl < offset);
        let line_start = before.checked_sub(1).map_or(0, |k| newlines[k] + 1);
        let column = self.text[line_start..offset].chars().count() + 1;
        (before + 1, column)
    }

    /// The location of a byte span, with the source line for display. For a derived source
    /// the location is the file alone (the place goes into the message: see
    /// [`SourceFile::error_at`]).
    pub fn location(&self, span: std::ops::Range<usize>) -> Location {
        if self.places.is_some() {
            return Location {
                file: self.name.clone(),
                line: 0,
                column: 0,
                snippet: None,
            };
        }
        let start = span.start.min(self.text.len());
        let (line, column) = self.line_col(start);
        // The line holding `start`, found from `start` (not by walking every earlier line).
        let mut at = start;
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i);
        let line_text = self.text[line_start..line_end].trim_end_matches('\r');
        let end = span.end.clamp(start, self.text.len());
        // Underlined characters are counted only as far as an excerpt shows them.
        let len = self.text[start..end]
            .lines()
            .next()
            .map(|l| l.chars().take(Snippet::UNDERLINE).count())
            .unwrap_or(0)
            .max(1);
        Location {
            file: self.name.clone(),
            line,
            column,
            snippet: Some(Snippet::at_byte(line_text, at - line_start, len)),
        }
    }

    /// An error diagnostic at a byte span of this file. For a derived source the message
    /// starts with the place the span came from, as in
    /// `'3.1 Understanding'!H6: "Mastered" is not a level ...`.
    pub fn error_at(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.placed(&span, message.into())).at(self.location(span))
    }

    /// `message`, prefixed with the place of `span` when this source is derived and the span
    /// has one.
    fn placed(&self, span: &std::ops::Range<usize>, message: String) -> String {
        match self.places.as_ref().and_then(|p| p.at(span.start)) {
            Some(place) if !span.is_empty() => format!("{place}: {message}"),
            _ => message,
        }
    }

    /// A warning diagnostic at a byte span of this file.
    pub fn warning_at(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::warning(self.placed(&span, message.into())).at(self.location(span))
    }
}

fn line_col_in(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    // Counting bytes rather than `matches` lets this vectorise: a file with hundreds of
    // findings stays fast.
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// The name standard input goes by in messages.
pub const STDIN_NAME: &str = "<stdin>";

/// Whether a path argument is `-`, meaning standard input (or output).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Inputs this large are hashed on a second thread while they are read.
const HASH_BESIDE_FROM: usize = 1 << 20;

/// The SHA-256 of `text`, and what `work` makes of it: side by side on two threads when the
/// text is large (the checksum takes a few milliseconds a megabyte), one after the other
/// when it is not.
fn hash_beside<T>(text: &str, work: impl FnOnce(&str) -> T) -> (String, T) {
    if text.len() < HASH_BESIDE_FROM {
        return (sha256_hex(text.as_bytes()), work(text));
    }
    std::thread::scope(|scope| {
        let hash = scope.spawn(|| sha256_hex(text.as_bytes()));
        let made = work(text);
        match hash.join() {
            Ok(sha256) => (sha256, made),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Opens an input file for streaming (a large CSV, say), with the errors
/// [`SourceFile::read`] gives for a missing file or a directory; the file is recorded as an
/// input, so no output of the same command can replace it.
pub fn open_input(path: &Path) -> Result<std::fs::File, Error> {
    if path.is_dir() {
        return Err(Error::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    sct_files::open_input(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        action: "read",
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_index_gives_what_a_scan_from_the_start_gives_at_every_offset() {
        let text = "a = 1\r\nbé = \"x\"\n\n  ü = [\n1,\n]\nlast line without newline";
        let src = SourceFile::from_text("t", text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                src.line_col(offset),
                line_col_in(text, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let src = SourceFile::from_text("t", "a = 1\nbé = \"x\"\n");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(6), (2, 1));
        // 'é' is two bytes, so byte 10 is the '=' of "bé =": the fourth character.
        assert_eq!(src.line_col(10), (2, 4));
    }

    #[test]
    fn invalid_utf8_reports_line_and_column_of_the_bad_byte() {
        let err =
            SourceFile::from_bytes("f.toml".into(), b"a = 1\nb = \"\xff\"\n".to_vec()).unwrap_err();
        match err {
            Error::NotUtf8 {
                line, column, byte, ..
            } => {
                assert_eq!((line, column, byte), (2, 6, 0xff));
            }
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn empty_and_whitespace_files_are_refused() {
        assert!(matches!(
            SourceFile::from_bytes("e".into(), b" \n\t".to_vec()),
            Err(Error::EmptyFile { .. })
        ));
    }

    #[test]
    fn sha256_matches_known_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
