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
    let mut s = serde_json::to_string_pretty(&Versioned {
        schema,
        body: value,
    })
    .unwrap_or_default();
    s.push('\n');
    s
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
