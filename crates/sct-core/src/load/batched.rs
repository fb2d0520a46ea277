//! Parsing a long TOML document a batch of entries at a time. The toml crate holds a whole
//! document's tokens and tree while it parses (about thirty times the text: over 1 GB for a
//! theory of change of 100,000 nodes), so memory would grow with what is read, not with what
//! is kept. A document that is a preamble followed by array-of-tables entries (`[[nodes]]`,
//! `[[links]]`, … and nothing else) is cut before entries, and each batch of entries parsed on
//! its own, at its own byte offsets, so every span (and every location found later) is the
//! whole document's. Anything else, and any batch that does not parse, falls back to parsing
//! the whole document: results and errors are the same either way.

use serde::de::DeserializeOwned;

use crate::diagnostic::Diagnostics;
use crate::source::SourceFile;

/// Text at least this long is parsed in batches of about this much, or of a thirty-second of
/// the text when that is more: each batch is parsed behind as many spaces as precede it, so
/// the spaces cost at most 32 times the text, and a batch's tree (some thirty times its text)
/// stays about the size of the text, below the model it becomes.
pub const BATCH_BYTES: usize = 2 << 20;

/// Parses `src` into `T` as [`super::parse_toml`] does, a batch of entries at a time when it is
/// long: the preamble (the text before the first entry) into `T`, each batch of entries into
/// `E` (which should refuse fields it does not know), added to `T` by `add`. The same value
/// and the same errors as [`super::parse_toml`], in memory that grows with one batch.
pub fn parse_toml_in_batches<T, E>(
    src: &SourceFile,
    add: impl FnMut(&mut T, E),
) -> Result<T, Diagnostics>
where
    T: DeserializeOwned,
    E: DeserializeOwned,
{
    parse_in_batches_of(src, BATCH_BYTES.max(src.text.len() / 32), add)
}

/// [`parse_toml_in_batches`] with batches of `batch` bytes (small in tests, to cut often).
#[doc(hidden)]
pub fn parse_in_batches_of<T, E>(
    src: &SourceFile,
    batch: usize,
    add: impl FnMut(&mut T, E),
) -> Result<T, Diagnostics>
where
    T: DeserializeOwned,
    E: DeserializeOwned,
{
    if src.text.len() >= batch
        && let Some(value) = batches(&src.text, batch, add)
    {
        return Ok(value);
    }
    super::parse_toml(src)
}

/// How many entries a document would be cut before, if it can be cut (for tests).
#[doc(hidden)]
pub fn entries_found(text: &str) -> Option<usize> {
    entry_starts(text).map(|e| e.len())
}

/// The value parsed batch by batch, or `None` when the document cannot be cut or a batch
/// does not parse.
fn batches<T, E>(text: &str, batch: usize, mut add: impl FnMut(&mut T, E)) -> Option<T>
where
    T: DeserializeOwned,
    E: DeserializeOwned,
{
    let entries = entry_starts(text)?;
    let first = entries.first()?.0;
    let preamble = &text[..first];
    // An entry name the preamble already defines (`nodes = []`) is an error of the whole
    // document that no batch would see.
    let keys: toml::Table = toml::from_str(preamble).ok()?;
    if entries.iter().any(|(_, name)| keys.contains_key(*name)) {
        return None;
    }
    let mut value: T = toml::from_str(preamble).ok()?;
    let mut start = first;
    let mut padded = Vec::new();
    for &(at, _) in &entries[1..] {
        if at - start >= batch {
            add(&mut value, parse_at(text, start, at, &mut padded)?);
            start = at;
        }
    }
    add(&mut value, parse_at(text, start, text.len(), &mut padded)?);
    Some(value)
}

/// `text[start..end]` parsed at its own offsets: after as many spaces as what comes before
/// it (one token, which the parser does not check character by character).
fn parse_at<E: DeserializeOwned>(
    text: &str,
    start: usize,
    end: usize,
    padded: &mut Vec<u8>,
) -> Option<E> {
    padded.clear();
    if start > 0 {
        padded.resize(start, b' ');
        padded[start - 1] = b'\n';
    }
    padded.extend_from_slice(&text.as_bytes()[start..end]);
    toml::from_str(std::str::from_utf8(padded).ok()?).ok()
}

/// Where each array-of-tables entry starts, with its name: the offsets of the header lines
/// `[[name]]` (a bare name) outside every string, comment and value, if from the first of
/// them on every table header is one. `None` otherwise, or when the text cannot be followed
/// (an unterminated string or bracket).
fn entry_starts(text: &str) -> Option<Vec<(usize, &str)>> {
    let b = text.as_bytes();
    let mut entries = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        if line_start && depth == 0 {
            // Skip the indentation; a header line starts with `[`.
            while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
                i += 1;
            }
            line_start = false;
            if i < b.len() && b[i] == b'[' {
                let end = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |e| i + e);
                match array_header(&text[i..end]) {
                    Some(name) => entries.push((i, name)),
                    None if !entries.is_empty() => return None,
                    None => {}
                }
                i = end;
                continue;
            }
            continue;
        }
        match c {
            b'\n' => line_start = true,
            b'#' => {
                i += b[i..].iter().position(|&x| x == b'\n')?;
                continue;
            }
            b'"' | b'\'' => {
                i = string_end(b, i)?;
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.checked_sub(1)?,
            _ => {}
        }
        i += 1;
    }
    (depth == 0).then_some(entries)
}

/// The name of an array-of-tables header line `[[name]]` (optionally spaced, then a comment),
/// for a bare name; `None` for any other header.
fn array_header(line: &str) -> Option<&str> {
    let inner = line.strip_prefix("[[")?;
    let close = inner.find("]]")?;
    let name = inner[..close].trim_matches([' ', '\t']);
    let rest = inner[close + 2..].trim_start_matches([' ', '\t', '\r']);
    let bare = !name.is_empty()
        && name
            .bytes()
            .all(|x| x.is_ascii_alphanumeric() || x == b'_' || x == b'-');
    (bare && (rest.is_empty() || rest.starts_with('#'))).then_some(name)
}

/// The offset just past the string starting at `b[at]` (a quote): basic or literal, on one
/// line or many; `None` if it does not end.
fn string_end(b: &[u8], at: usize) -> Option<usize> {
    let q = b[at];
    let escapes = q == b'"';
    if b.get(at + 1) == Some(&q) && b.get(at + 2) == Some(&q) {
        let mut i = at + 3;
        loop {
            match *b.get(i)? {
                b'\\' if escapes => i += 2,
                x if x == q && b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q) => {
                    // Up to two more quotes belong to the string, before its closing three.
                    let mut end = i + 3;
                    while end < i + 5 && b.get(end) == Some(&q) {
                        end += 1;
                    }
                    return Some(end);
                }
                _ => i += 1,
            }
        }
    }
    let mut i = at + 1;
    loop {
        match *b.get(i)? {
            b'\\' if escapes => i += 2,
            b'\n' => return None,
            x if x == q => return Some(i + 1),
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_start_at_their_headers_and_not_inside_strings_or_values() {
        let text = "kind = \"t\"\n[documents]\na = 1\n[[nodes]]\nid = \"a\"\ntext = \"\"\"\n[[nodes]]\n\"\"\"\nv = [\n[1],\n]\n  [[links]] # x\nfrom = 'a'\n";
        let starts = entry_starts(text).unwrap();
        let names: Vec<&str> = starts.iter().map(|(_, n)| *n).collect();
        assert_eq!(names, ["nodes", "links"]);
        assert!(text[starts[1].0..].starts_with("[[links]]"));
        // A table header after the first entry: the document is parsed whole.
        assert_eq!(entry_starts("[[nodes]]\na = 1\n[other]\nb = 2\n"), None);
        assert_eq!(entry_starts("[[nodes]]\na = 1\n[nodes.x]\nb = 2\n"), None);
        // An unterminated string cannot be followed.
        assert_eq!(entry_starts("[[nodes]]\na = \"x\n"), None);
    }

    #[test]
    fn multi_line_strings_may_end_in_quotes() {
        let b = br#"a = """x"""" + 1"#;
        assert_eq!(string_end(b, 4), Some(12));
        let b = br#"a = '''x'''''"#;
        assert_eq!(string_end(b, 4), Some(13));
        let b = br#"a = "x\"y" z"#;
        assert_eq!(string_end(b, 4), Some(10));
    }
}
