//! What a workflow hands back: the document in the format asked for, ready to be written
//! (to a file, standard output, an HTTP response), and the notices the user should see.

use std::io::Write;

use sct_core::Diagnostic;

use crate::error::Error;

/// Writes a document too large to hold whole straight into a stream.
pub type Stream<'a> = Box<dyn FnOnce(&mut dyn Write) -> Result<(), StreamError> + 'a>;

/// Why a streamed document stopped: the stream refused (a full disk, a closed pipe), or the
/// document could not be made (a user's template failing half-way). Either way, whatever
/// was written is not a whole document and must be discarded.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The stream could not be written.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The document could not be made.
    #[error(transparent)]
    Workflow(#[from] Error),
}

/// A finished document.
pub enum Document<'a> {
    /// Text (HTML, Markdown, CSV, JSON, TOML, SVG).
    Text(String),
    /// Bytes (a workbook, a PNG).
    Bytes(Vec<u8>),
    /// Written as it is made, for documents of hundreds of megabytes.
    Streamed(Stream<'a>),
}

impl std::fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Document::Text(t) => write!(f, "Document::Text({} bytes)", t.len()),
            Document::Bytes(b) => write!(f, "Document::Bytes({} bytes)", b.len()),
            Document::Streamed(_) => write!(f, "Document::Streamed"),
        }
    }
}

impl Document<'_> {
    /// Writes the whole document into `out`.
    pub fn write_to(self, out: &mut dyn Write) -> Result<(), StreamError> {
        match self {
            Document::Text(t) => out.write_all(t.as_bytes())?,
            Document::Bytes(b) => out.write_all(&b)?,
            Document::Streamed(stream) => stream(out)?,
        }
        Ok(())
    }

    /// The whole document in memory (for tests, and for callers that want it whole).
    pub fn into_bytes(self) -> Result<Vec<u8>, StreamError> {
        match self {
            Document::Text(t) => Ok(t.into_bytes()),
            Document::Bytes(b) => Ok(b),
            stream => {
                let mut bytes = Vec::new();
                stream.write_to(&mut bytes)?;
                Ok(bytes)
            }
        }
    }
}

/// How the command that ran a workflow should end, beyond writing its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outcome {
    /// Everything asked for was done.
    #[default]
    Done,
    /// The document was made, but some input was left out (named in the notices): a
    /// comparison that skipped invalid responses.
    Partial,
    /// The document reports invalid input (a checking command's JSON with `valid: false`).
    Invalid,
}

/// A workflow's result: the document, the notices (warnings and notes) to show beside it,
/// and how the run ended.
#[derive(Debug)]
pub struct Output<'a> {
    /// The document.
    pub document: Document<'a>,
    /// Warnings and notes, in the order they arose.
    pub notices: Vec<Diagnostic>,
    /// How the run ended.
    pub outcome: Outcome,
}

impl<'a> Output<'a> {
    /// A document with no notices.
    pub fn new(document: Document<'a>) -> Self {
        Output {
            document,
            notices: Vec::new(),
            outcome: Outcome::Done,
        }
    }

    /// A text document with no notices.
    pub fn text(text: String) -> Self {
        Output::new(Document::Text(text))
    }

    /// A binary document with no notices.
    pub fn bytes(bytes: Vec<u8>) -> Self {
        Output::new(Document::Bytes(bytes))
    }

    /// The same output with `notices` before its own.
    pub fn with_notices(mut self, mut notices: Vec<Diagnostic>) -> Self {
        notices.append(&mut self.notices);
        self.notices = notices;
        self
    }
}
