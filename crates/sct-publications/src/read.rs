//! Reading one published file: its bytes, checksum and layout, then the reader for it.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::detect::{Publication, detect};
use crate::error::PublicationError;
use crate::model::Extract;

/// Reads a published data file, telling its layout from its first row unless `layout` names
/// it. `name` is how errors and the extract name the file.
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    layout: Option<Publication>,
) -> Result<Extract, PublicationError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        PublicationError::Csv {
            file: name.to_string(),
            line,
            message: "a byte is not valid UTF-8; expected text (save the file as UTF-8 or ASCII)"
                .into(),
        }
    })?;
    let text = text.trim_start_matches('\u{feff}');
    let publication = match layout {
        Some(p) => p,
        None => detect_text(name, text)?,
    };
    let (periods, observations) = match publication {
        Publication::AeMonthly => crate::ae::read(name, text)?,
        Publication::OdsTrusts | Publication::OnsSubIcbLookup => {
            return Err(PublicationError::UnknownLayout {
                file: name.to_string(),
                start: first_line(text),
                known: format!(
                    "{} (this file is an organisation lookup: give it as the lookup, not as data)",
                    Publication::AeMonthly.title()
                ),
            });
        }
    };
    Ok(Extract {
        file: name.to_string(),
        sha256: sha256_hex(bytes),
        publication,
        periods,
        observations,
    })
}

/// Reads a published data file from disk.
pub fn read_file(path: &Path, layout: Option<Publication>) -> Result<Extract, PublicationError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| PublicationError::Io {
        file: name.clone(),
        source,
    })?;
    read_bytes(&name, &bytes, layout)
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").chars().take(60).collect()
}

/// The layout of a file's text, from its first row.
fn detect_text(name: &str, text: &str) -> Result<Publication, PublicationError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let first: Vec<String> = reader
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let fields: Vec<&str> = first.iter().map(String::as_str).collect();
    detect(&fields).ok_or_else(|| PublicationError::UnknownLayout {
        file: name.to_string(),
        start: first_line(text),
        known: Publication::known(),
    })
}

/// The SHA-256 of some bytes, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
