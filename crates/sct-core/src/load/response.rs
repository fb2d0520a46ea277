//! Reading a response file.

use std::path::Path;

use crate::error::Error;
use crate::model::ResponseDoc;
use crate::source::SourceFile;

use super::parse_toml;

/// Reads and parses a response file (TOML). Validation against its framework is separate:
/// see [`crate::validate::resolve_response`].
pub fn load_response(path: &Path) -> Result<(SourceFile, ResponseDoc), Error> {
    let src = SourceFile::read(path)?;
    let doc = parse_toml::<ResponseDoc>(&src).map_err(Error::Invalid)?;
    Ok((src, doc))
}
