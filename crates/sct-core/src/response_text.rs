//! Writing a response as TOML or JSON, as `sct convert` does: every field that holds an
//! answer, blanks left out (a blank and a missing field mean the same: not answered yet), the
//! `[organisation]` table always present. Dates are TOML dates in TOML and `YYYY-MM-DD`
//! strings in JSON. Reading either back gives the same response.

use crate::model::ResponseDoc;

/// Fields holding dates, written as TOML dates.
const DATE_FIELDS: [&str; 4] = ["assessed", "target_date", "completed_on", "on"];

/// The response as a tree of plain values with blanks removed.
fn pruned(doc: &ResponseDoc) -> toml::Table {
    let mut table = match toml::Value::try_from(doc) {
        Ok(toml::Value::Table(t)) => t,
        // A response is a struct of strings, lists and tables: it always serialises to a table.
        _ => toml::Table::new(),
    };
    prune(&mut table);
    table
        .entry("organisation")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    table
}

/// Removes blank strings, empty lists and tables left empty, depth first.
fn prune(table: &mut toml::Table) {
    table.retain(|_, v| {
        if let toml::Value::Table(t) = v {
            prune(t);
        }
        !is_blank(v)
    });
}

fn is_blank(v: &toml::Value) -> bool {
    match v {
        toml::Value::String(s) => s.is_empty(),
        toml::Value::Array(a) => a.is_empty(),
        toml::Value::Table(t) => t.is_empty(),
        _ => false,
    }
}

/// Turns `YYYY-MM-DD` strings of date fields into TOML dates.
fn dates_to_toml(table: &mut toml::Table) {
    for (key, value) in table.iter_mut() {
        match value {
            toml::Value::Table(t) => dates_to_toml(t),
            toml::Value::String(s) if DATE_FIELDS.contains(&key.as_str()) => {
                if let Ok(dt) = s.parse::<toml::value::Datetime>() {
                    *value = toml::Value::Datetime(dt);
                }
            }
            _ => {}
        }
    }
}

/// The response as TOML, headed by `comment` lines (each prefixed `# `).
pub fn response_toml(doc: &ResponseDoc, comment: &[String]) -> String {
    let mut table = pruned(doc);
    dates_to_toml(&mut table);
    let mut out = String::new();
    for line in comment {
        out.push_str("# ");
        out.push_str(line);
        out.push('\n');
    }
    if !comment.is_empty() {
        out.push('\n');
    }
    // Serialising a table of plain values cannot fail.
    out.push_str(&toml::to_string_pretty(&table).unwrap_or_default());
    out
}

/// The response as pretty JSON, ending in a newline.
pub fn response_json(doc: &ResponseDoc) -> String {
    let table = pruned(doc);
    let mut s = serde_json::to_string_pretty(&table).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
type = "organisation"
round = "baseline-2026-03"
assessed = 2026-03-20
notice = ""
[organisation]
name = "N"
ods_code = "QUY"
[capabilities.a]
level = "embedding"
evidence = ["x", "y"]
target_date = "2027-03-31"
[capabilities.b]
level = ""
[milestones.m]
status = "on-track"
completed_on = ""
"#;

    #[test]
    fn toml_and_json_leave_out_blanks_and_read_back_the_same() {
        let doc: ResponseDoc = toml::from_str(TEXT).unwrap();
        let toml_text = response_toml(&doc, &["converted".into()]);
        assert!(toml_text.starts_with("# converted\n\n"), "{toml_text}");
        assert!(toml_text.contains("assessed = 2026-03-20\n"), "{toml_text}");
        assert!(
            toml_text.contains("target_date = 2027-03-31\n"),
            "{toml_text}"
        );
        assert!(!toml_text.contains("notice"), "{toml_text}");
        assert!(!toml_text.contains("[capabilities.b]"), "{toml_text}");
        let back: ResponseDoc = toml::from_str(&toml_text).unwrap();
        assert_eq!(back.capabilities.len(), 1);
        assert_eq!(back.capabilities, {
            let mut c = doc.capabilities.clone();
            c.retain(|k, _| k.get_ref() == "a");
            c
        });
        assert_eq!(back.assessed, doc.assessed);
        let json = response_json(&doc);
        assert!(json.contains("\"assessed\": \"2026-03-20\""), "{json}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["capabilities"]["a"]["evidence"][1], "y");
        assert_eq!(v["milestones"]["m"]["status"], "on-track");
    }
}
