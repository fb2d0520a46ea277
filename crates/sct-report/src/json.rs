//! JSON documents with a `schema` key naming their format and its version, so that a script
//! reading one can check what it has; the version changes only when the format changes
//! incompatibly.

use serde::Serialize;

/// `value`'s fields after a leading `schema` key.
#[derive(Serialize)]
struct Versioned<'a, T: Serialize> {
    schema: &'static str,
    #[serde(flatten)]
    body: &'a T,
}

/// `value` (which serialises as an object) as pretty JSON with a leading `schema` key, and a
/// newline.
pub fn with_schema<T: Serialize>(schema: &'static str, value: &T) -> String {
    let mut out = Vec::new();
    if write_with_schema(schema, value, &mut out).is_err() {
        out = b"\n".to_vec();
    }
    String::from_utf8(out).unwrap_or_default()
}

/// [`with_schema`] serialised straight into `out`, with no copy of the document in memory.
pub fn write_with_schema<T: Serialize>(
    schema: &'static str,
    value: &T,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &Versioned {
            schema,
            body: value,
        },
    )
    .map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_comes_first_and_the_fields_follow() {
        #[derive(Serialize)]
        struct Report {
            title: &'static str,
            rows: Vec<u32>,
        }
        let text = with_schema(
            "sct-example/1",
            &Report {
                title: "t",
                rows: vec![1, 2],
            },
        );
        let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(v["schema"], "sct-example/1");
        assert_eq!(v["title"], "t");
        assert_eq!(v["rows"], serde_json::json!([1, 2]));
        assert!(text.trim_start().starts_with("{\n  \"schema\""), "{text}");
    }
}
