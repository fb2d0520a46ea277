//! JSON Schemas of the file formats, so editors can complete and check the TOML.

use crate::model::{AssessmentRound, CapabilityToolkit, ResponseDoc};

/// The kinds `sct schema` knows.
pub const SCHEMA_KINDS: [&str; 3] = ["capability", "assessment-round", "response"];

/// The JSON Schema of a kind (`capability`, `assessment-round` or `response`), pretty-printed.
pub fn schema_for(kind: &str) -> Option<String> {
    let schema = match kind {
        "capability" => schemars::schema_for!(CapabilityToolkit),
        "assessment-round" => schemars::schema_for!(AssessmentRound),
        "response" => schemars::schema_for!(ResponseDoc),
        _ => return None,
    };
    serde_json::to_string_pretty(&schema).ok()
}
