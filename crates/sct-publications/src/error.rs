//! The one error type of the publication readers: each says which file, where in it, what
//! was found and what was expected.

/// Why a published file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PublicationError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file's layout is none `sct` knows.
    #[error(
        "{file} is not a publication sct knows (its first line starts {start:?}); expected one of: {known}"
    )]
    UnknownLayout {
        /// The file.
        file: String,
        /// The start of its first line.
        start: String,
        /// The publications known, in words.
        known: String,
    },
    /// A column of a known publication is missing (or renamed).
    #[error("{file} is missing the column \"{expected}\" of {publication}; {}", match nearest { Some(n) => format!("the nearest header is \"{n}\""), None => "no header is close".to_string() })]
    MissingColumn {
        /// The file.
        file: String,
        /// The publication it looked like.
        publication: String,
        /// The header expected.
        expected: String,
        /// The most similar header found, if any.
        nearest: Option<String>,
    },
    /// A cell does not hold what its column should.
    #[error("{file}:{line}: {column} is {found:?}; expected {expected}")]
    BadCell {
        /// The file.
        file: String,
        /// One-based line (or sheet row).
        line: usize,
        /// The column's header.
        column: String,
        /// What the cell holds.
        found: String,
        /// What it should hold.
        expected: String,
    },
    /// A line could not be parsed as CSV.
    #[error("{file}:{line}: {message}")]
    Csv {
        /// The file.
        file: String,
        /// One-based line.
        line: usize,
        /// What went wrong.
        message: String,
    },
    /// A file holds no rows of data.
    #[error("{file} has a header but no rows of data")]
    NoRows {
        /// The file.
        file: String,
    },
}

impl PublicationError {
    /// A CSV parser error, located in `text`.
    pub(crate) fn csv(file: &str, text: &[u8], err: &csv::Error) -> PublicationError {
        let line = err.position().map_or(0, |p| {
            crate::lines::line_at(text, usize::try_from(p.byte()).unwrap_or(usize::MAX))
        });
        let message = match err.kind() {
            csv::ErrorKind::Utf8 { .. } => {
                "a field is not valid UTF-8; expected text (save the file as UTF-8)".to_string()
            }
            csv::ErrorKind::Io(e) => e.to_string(),
            _ => err.to_string(),
        };
        PublicationError::Csv {
            file: file.to_string(),
            line,
            message,
        }
    }
}
