//! Loading: TOML text (and the TOML equivalent of JSON and workbook responses) into the model, with every parse error turned into a diagnostic that
//! names the file, line and column; and the registry of known frameworks.

mod batched;
pub mod json;
pub mod registry;
pub mod response;

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::SourceFile;

pub use batched::{BATCH_BYTES, parse_toml_in_batches};
#[doc(hidden)]
pub use batched::{entries_found, parse_in_batches_of};
pub use registry::{FrameworkContent, FrameworkRegistry, LoadedFramework, Origin};
pub use response::{ReadResponse, ResponseReader, ResponseReaders, load_response};

/// Parses a TOML document into `T`, or returns one error diagnostic located in `src`.
pub fn parse_toml<T: DeserializeOwned>(src: &SourceFile) -> Result<T, Diagnostics> {
    toml::from_str::<T>(&src.text).map_err(|e| {
        let message = tidy_toml_message(e.message());
        let d = match e.span() {
            Some(span) => src.error_at(span, message),
            None => Diagnostic::error(message).in_file(&src.name),
        };
        Diagnostics(vec![d])
    })
}

/// The toml crate's messages are terse ("missing field `id`"); keep them, but make the
/// common ones say what the user should write.
fn tidy_toml_message(message: &str) -> String {
    let m = message.trim_end();
    if let Some(field) = m.strip_prefix("missing field ") {
        return format!("missing field {field}; it is required here");
    }
    if m.starts_with("unknown field") {
        return format!("{m} (field names are case-sensitive; check the spelling)");
    }
    m.to_string()
}
