//! The JSON Schema of the protocol's documents, for plugin authors in any language. The
//! checked-in copy, `schema/plugin-protocol.schema.json`, is tested to match
//! [`json_schema`].

use schemars::JsonSchema;
use serde::Serialize;

use crate::protocol::{ComputeReply, ComputeRequest, DescribeReply, Handshake};

/// The checked-in schema, as built into this crate.
pub const CHECKED_IN: &str = include_str!("../schema/plugin-protocol.schema.json");

/// Every document of the protocol, for one schema with a definition of each.
#[derive(Serialize, JsonSchema)]
#[allow(dead_code)]
struct Documents {
    /// `handshake`'s output.
    handshake: Handshake,
    /// `describe`'s output.
    describe_reply: DescribeReply,
    /// `compute`'s input.
    compute_request: ComputeRequest,
    /// `compute`'s output.
    compute_reply: ComputeReply,
}

/// The schema, pretty-printed with a final newline.
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(Documents);
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "title".into(),
            format!(
                "sct plugin protocol {} (properties name the documents; see $defs)",
                crate::PROTOCOL_VERSION
            )
            .into(),
        );
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checked_in_schema_is_current() {
        let now = json_schema();
        if now != CHECKED_IN {
            if std::env::var_os("SCT_UPDATE_SCHEMA").is_some() {
                let path = concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/schema/plugin-protocol.schema.json"
                );
                std::fs::write(path, &now).unwrap();
            }
            panic!(
                "schema/plugin-protocol.schema.json is out of date: rerun with SCT_UPDATE_SCHEMA=1 to rewrite it"
            );
        }
    }

    #[test]
    fn the_schema_defines_every_document() {
        let v: serde_json::Value = serde_json::from_str(CHECKED_IN).unwrap();
        for d in [
            "Handshake",
            "ComputeRequest",
            "Point",
            "EvidenceItem",
            "PluginError",
        ] {
            assert!(v["$defs"].get(d).is_some(), "no definition of {d}");
        }
    }
}
