//! Responses read from formats other than TOML (a JSON file, an Excel workbook) are turned into
//! their TOML equivalent, so that one parser and one set of checks serve every format. Each
//! value written into that text remembers its *place* in the original (a JSON path such as
//! `capabilities.x.level`, or a cell such as `'3.1 Understanding'!H6`), and a diagnostic at a
//! value's span names the place instead of a line of text the user never saw.
//!
//! [`DerivedToml`] builds the text and its places; [`Places`] maps spans back to places.

use std::ops::Range;

use crate::source::{SourceFile, sha256_hex};

/// Where each span of a derived TOML text came from, sorted by span start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places(Vec<(Range<usize>, String)>);

impl Places {
    /// The place of the value or key starting at or containing byte `offset`, if any.
    pub fn at(&self, offset: usize) -> Option<&str> {
        let i = self.0.partition_point(|(r, _)| r.start <= offset);
        let (range, place) = self.0.get(i.checked_sub(1)?)?;
        (range.contains(&offset) || range.start == offset).then_some(place.as_str())
    }

    /// Number of places recorded.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no place is recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One entry of a derived table.
#[derive(Debug, Clone)]
enum Entry {
    Value { value: toml::Value, place: String },
    Table(Table),
}

/// A table of a derived document, keeping the order entries were added.
#[derive(Debug, Clone, Default)]
struct Table {
    place: Option<String>,
    entries: Vec<(String, Entry)>,
}

impl Table {
    fn child(&mut self, key: &str) -> &mut Table {
        let i = match self.entries.iter().position(|(k, _)| k == key) {
            Some(i) => {
                if !matches!(self.entries[i].1, Entry::Table(_)) {
                    // A value and a table cannot share a key: the table wins, as a later
                    // write of the same path does.
                    self.entries[i].1 = Entry::Table(Table::default());
                }
                i
            }
            None => {
                self.entries
                    .push((key.to_string(), Entry::Table(Table::default())));
                self.entries.len() - 1
            }
        };
        match &mut self.entries[i].1 {
            Entry::Table(t) => t,
            Entry::Value { .. } => unreachable!("replaced by a table above"),
        }
    }

    fn has_values(&self) -> bool {
        self.entries
            .iter()
            .any(|(_, e)| matches!(e, Entry::Value { .. }))
    }
}

/// Builds the TOML equivalent of a response read from another format, recording where each
/// value came from.
#[derive(Debug, Clone, Default)]
pub struct DerivedToml {
    root: Table,
}

impl DerivedToml {
    /// An empty document.
    pub fn new() -> Self {
        DerivedToml::default()
    }

    /// Sets the value at `path` (tables are created as needed), read from `place`. Setting
    /// a path twice keeps the later value.
    pub fn set(&mut self, path: &[&str], value: toml::Value, place: impl Into<String>) {
        let Some((last, parents)) = path.split_last() else {
            return;
        };
        let table = parents.iter().fold(&mut self.root, |t, k| t.child(k));
        let entry = Entry::Value {
            value,
            place: place.into(),
        };
        match table.entries.iter_mut().find(|(k, _)| k == last) {
            Some((_, e)) => *e = entry,
            None => table.entries.push((last.to_string(), entry)),
        }
    }

    /// Makes sure the table at `path` exists, and names the place that stands for it (a
    /// diagnostic about the table's key, such as an unknown capability id, names it).
    pub fn table(&mut self, path: &[&str], place: impl Into<String>) {
        let t = path.iter().fold(&mut self.root, |t, k| t.child(k));
        t.place = Some(place.into());
    }

    /// The TOML text and the places of its values and table keys.
    pub fn render(&self) -> (String, Places) {
        let mut out = String::new();
        let mut places = Vec::new();
        write_values(&self.root, &mut out, &mut places);
        write_tables(&self.root, &mut Vec::new(), &mut out, &mut places);
        places.sort_by_key(|(r, _): &(Range<usize>, String)| r.start);
        (out, Places(places))
    }

    /// The document as a source file named `name`, whose checksum is that of the original
    /// bytes (`sha256`), so provenance records the file the user gave.
    pub fn into_source(self, name: impl Into<String>, sha256: impl Into<String>) -> SourceFile {
        let (text, places) = self.render();
        SourceFile::derived(name, text, sha256.into(), places)
    }

    /// As [`DerivedToml::into_source`], with the checksum of `bytes`.
    pub fn into_source_of(self, name: impl Into<String>, bytes: &[u8]) -> SourceFile {
        self.into_source(name, sha256_hex(bytes))
    }
}

/// A key as TOML writes it: bare when it can be, quoted otherwise.
fn key_text(key: &str) -> String {
    if !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        key.to_string()
    } else {
        toml::Value::String(key.to_string()).to_string()
    }
}

fn write_values(table: &Table, out: &mut String, places: &mut Vec<(Range<usize>, String)>) {
    for (key, entry) in &table.entries {
        if let Entry::Value { value, place } = entry {
            let k = key_text(key);
            let key_start = out.len();
            out.push_str(&k);
            places.push((key_start..out.len(), place.clone()));
            out.push_str(" = ");
            let start = out.len();
            out.push_str(&value.to_string());
            places.push((start..out.len(), place.clone()));
            out.push('\n');
        }
    }
}

fn write_tables(
    table: &Table,
    path: &mut Vec<String>,
    out: &mut String,
    places: &mut Vec<(Range<usize>, String)>,
) {
    for (key, entry) in &table.entries {
        let Entry::Table(child) = entry else {
            continue;
        };
        path.push(key_text(key));
        if child.has_values() || child.entries.is_empty() || child.place.is_some() {
            out.push('[');
            let (last, parents) = path.split_last().expect("just pushed");
            for p in parents {
                out.push_str(p);
                out.push('.');
            }
            let start = out.len();
            out.push_str(last);
            if let Some(place) = &child.place {
                places.push((start..out.len(), place.clone()));
            }
            out.push_str("]\n");
            write_values(child, out, places);
        }
        write_tables(child, path, out, places);
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_values_before_tables_and_maps_spans_to_places() {
        let mut d = DerivedToml::new();
        d.set(&["round"], "r".into(), "Organisation!C3");
        d.table(&["capabilities", "a-b"], "'Sheet 1'!A5");
        d.set(
            &["capabilities", "a-b", "level"],
            "Mastered".into(),
            "'Sheet 1'!H5",
        );
        d.set(
            &["organisation", "name"],
            "N \"x\"".into(),
            "Organisation!C5",
        );
        d.set(&["odd key"], toml::Value::Integer(3), "x");
        let (text, places) = d.render();
        assert_eq!(
            text,
            "round = \"r\"\n\"odd key\" = 3\n[capabilities.a-b]\nlevel = \"Mastered\"\n[organisation]\nname = 'N \"x\"'\n"
        );
        let at = |needle: &str| places.at(text.find(needle).unwrap());
        assert_eq!(at("\"Mastered\""), Some("'Sheet 1'!H5"));
        assert_eq!(at("a-b]"), Some("'Sheet 1'!A5"));
        assert_eq!(at("level"), Some("'Sheet 1'!H5"));
        assert_eq!(at("[organisation]"), None);
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(
            parsed["capabilities"]["a-b"]["level"].as_str(),
            Some("Mastered")
        );
    }
}
