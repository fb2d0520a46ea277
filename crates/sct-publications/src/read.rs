//! Reading one published file: its bytes, checksum and layout, then the reader for it. A zip
//! (as the RTT full extract is downloaded) is read through: the CSV inside it is streamed.

use std::io::{Cursor, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::detect::Publication;
use crate::error::PublicationError;
use crate::model::{Extract, Measure, Observation, Period};

/// How much of a file is looked at to tell its layout.
const SNIFF: usize = 64 * 1024;

/// Reads a published data file, telling its layout from its first row unless `layout` names
/// it. `name` is how errors and the extract name the file.
pub fn read_bytes(
    name: &str,
    bytes: &[u8],
    layout: Option<Publication>,
) -> Result<Extract, PublicationError> {
    let (publication, (periods, observations, series)) = if bytes.starts_with(b"PK\x03\x04") {
        read_zip(name, bytes, layout)?
    } else {
        read_plain(name, bytes, layout)?
    };
    Ok(Extract {
        file: name.to_string(),
        sha256: sha256_hex(bytes),
        publication,
        periods,
        observations,
        series,
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

/// What a reader found: periods, observations and the names of measures the file names.
type Parsed = (Vec<Period>, Vec<Observation>, Vec<(Measure, String)>);
type Read_ = (Publication, Parsed);

/// A reader's periods and observations, with no measure names of the file's own.
fn unnamed((periods, observations): (Vec<Period>, Vec<Observation>)) -> Parsed {
    (periods, observations, Vec::new())
}

/// Reads text of a layout that is read whole (not streamed).
fn read_text(publication: Publication, name: &str, text: &str) -> Result<Parsed, PublicationError> {
    Ok(match publication {
        Publication::AeMonthly => unnamed(crate::ae::read(name, text)?),
        Publication::AmbSys => unnamed(crate::ambsys::read(name, text)?),
        Publication::CancerWaitingTimes => unnamed(crate::cancer::read(name, text)?),
        Publication::Fingertips => crate::fingertips::read(name, text)?,
        Publication::RttFullExtract => unnamed(crate::rtt::read(name, text.as_bytes())?),
        Publication::OdsTrusts | Publication::OnsSubIcbLookup => {
            return Err(lookup_given_as_data(name, text.as_bytes()));
        }
    })
}

fn read_plain(
    name: &str,
    bytes: &[u8],
    layout: Option<Publication>,
) -> Result<Read_, PublicationError> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let publication = match layout {
        Some(p) => p,
        None => detect_start(name, &bytes[..bytes.len().min(SNIFF)])?,
    };
    let read = match publication {
        Publication::RttFullExtract => unnamed(crate::rtt::read(name, bytes)?),
        other => read_text(other, name, utf8(name, bytes)?)?,
    };
    Ok((publication, read))
}

/// The CSV inside a zip, streamed. The zip must hold one CSV (other files, such as a
/// readme, are ignored).
fn read_zip(
    name: &str,
    bytes: &[u8],
    layout: Option<Publication>,
) -> Result<Read_, PublicationError> {
    let bad_zip = |message: String| PublicationError::Csv {
        file: name.to_string(),
        line: 0,
        message,
    };
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad_zip(format!("is not a zip that can be read ({e}); expected the zip as downloaded, or the CSV inside it")))?;
    let csvs: Vec<String> = archive
        .file_names()
        .filter(|n| n.to_ascii_lowercase().ends_with(".csv"))
        .map(str::to_string)
        .collect();
    let [inner] = &csvs[..] else {
        return Err(bad_zip(format!(
            "holds {} CSV files ({}); expected one",
            csvs.len(),
            csvs.join(", ")
        )));
    };
    let inner_name = format!("{name} ({inner})");
    let mut entry = archive
        .by_name(inner)
        .map_err(|e| bad_zip(format!("cannot open {inner}: {e}")))?;
    let mut start = Vec::with_capacity(SNIFF);
    (&mut entry)
        .take(SNIFF as u64)
        .read_to_end(&mut start)
        .map_err(|e| bad_zip(format!("cannot inflate {inner}: {e}")))?;
    let start_text = start.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&start);
    let publication = match layout {
        Some(p) => p,
        None => detect_start(&inner_name, start_text)?,
    };
    let stream = Cursor::new(start_text.to_vec()).chain(entry);
    let read = match publication {
        Publication::RttFullExtract => unnamed(crate::rtt::read(&inner_name, stream)?),
        other => {
            let mut all = Vec::new();
            let mut stream = stream;
            stream
                .read_to_end(&mut all)
                .map_err(|e| bad_zip(format!("cannot inflate {inner}: {e}")))?;
            read_text(other, &inner_name, utf8(&inner_name, &all)?)?
        }
    };
    Ok((publication, read))
}

fn utf8<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, PublicationError> {
    std::str::from_utf8(bytes).map_err(|e| {
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
    })
}

fn lookup_given_as_data(name: &str, start: &[u8]) -> PublicationError {
    PublicationError::UnknownLayout {
        file: name.to_string(),
        start: first_line(start),
        known: format!(
            "{} (this file is an organisation lookup: give it as the lookup, not as data)",
            data_publications()
        ),
    }
}

/// The publications that hold data (not lookups), in words.
fn data_publications() -> String {
    [
        Publication::AeMonthly,
        Publication::RttFullExtract,
        Publication::AmbSys,
        Publication::CancerWaitingTimes,
        Publication::Fingertips,
    ]
    .iter()
    .map(|p| format!("{} ({})", p.title(), p.id()))
    .collect::<Vec<_>>()
    .join("; ")
}

fn first_line(bytes: &[u8]) -> String {
    let line = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
    String::from_utf8_lossy(line)
        .chars()
        .take(60)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// The layout of a file from its first bytes.
fn detect_start(name: &str, start: &[u8]) -> Result<Publication, PublicationError> {
    crate::detect::detect_start(start).ok_or_else(|| PublicationError::UnknownLayout {
        file: name.to_string(),
        start: first_line(start),
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
