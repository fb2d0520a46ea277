//! Reading a response written as JSON (as `sct convert -o response.json` writes it): the same
//! fields as the TOML file. The JSON is turned into its TOML equivalent, and diagnostics name
//! the JSON path of the value at fault (`capabilities.x.level: "Mastered" is not a level ...`).

use std::path::Path;

use crate::derived::DerivedToml;
use crate::diagnostic::{Diagnostic, Diagnostics, Location, Snippet};
use crate::error::Error;
use crate::source::SourceFile;

use super::response::ReadResponse;

/// Reads a JSON response file into its TOML equivalent.
pub fn read_json_response(path: &Path) -> Result<ReadResponse, Error> {
    let src = SourceFile::read(path)?;
    read_json_source(&src)
}

/// As [`read_json_response`], for JSON text already read.
pub fn read_json_source(src: &SourceFile) -> Result<ReadResponse, Error> {
    let value: serde_json::Value = serde_json::from_str(&src.text).map_err(|e| {
        let line_text = src.text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
        Error::Invalid(Diagnostics(vec![
            Diagnostic::error(format!("not valid JSON: {e}"))
                .at(Location {
                    file: src.name.clone(),
                    line: e.line(),
                    column: e.column(),
                    snippet: Some(Snippet::at_column(line_text, e.column(), 1)),
                })
                .expected("a JSON object with the fields of a response (as `sct convert -o response.json` writes)"),
        ]))
    })?;
    let serde_json::Value::Object(fields) = value else {
        return Err(Error::Invalid(Diagnostics(vec![
            Diagnostic::error("the JSON document is not an object")
                .in_file(&src.name)
                .expected("a JSON object with the fields of a response"),
        ])));
    };
    let mut doc = DerivedToml::new();
    let mut diags = Diagnostics::default();
    let mut path = Vec::new();
    walk(&fields, &mut path, &mut doc, &mut diags, &src.name);
    Ok(ReadResponse {
        source: doc.into_source(src.name.clone(), src.sha256.clone()),
        diagnostics: diags,
    })
}

fn walk(
    fields: &serde_json::Map<String, serde_json::Value>,
    path: &mut Vec<String>,
    doc: &mut DerivedToml,
    diags: &mut Diagnostics,
    file: &str,
) {
    for (key, value) in fields {
        path.push(key.clone());
        let place = path.join(".");
        let keys: Vec<&str> = path.iter().map(String::as_str).collect();
        match value {
            serde_json::Value::Object(inner) => {
                doc.table(&keys, place);
                walk(inner, path, doc, diags, file);
            }
            // A null field is a field left out.
            serde_json::Value::Null => {}
            other => match to_toml(other) {
                Some(v) => doc.set(&keys, v, place),
                None => diags.push(
                    Diagnostic::error(format!("{place}: null inside a list"))
                        .in_file(file)
                        .expected("text, or leave the item out"),
                ),
            },
        }
        path.pop();
    }
}

/// A JSON value as TOML; `None` for a null inside a list, which TOML cannot hold.
fn to_toml(value: &serde_json::Value) -> Option<toml::Value> {
    Some(match value {
        serde_json::Value::Null => return None,
        serde_json::Value::Bool(b) => toml::Value::Boolean(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => toml::Value::String(s.clone()),
        serde_json::Value::Array(items) => {
            toml::Value::Array(items.iter().map(to_toml).collect::<Option<Vec<_>>>()?)
        }
        serde_json::Value::Object(m) => toml::Value::Table(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| Some((k.clone(), to_toml(v)?)))
                .collect::<Option<toml::Table>>()?,
        ),
    })
}
