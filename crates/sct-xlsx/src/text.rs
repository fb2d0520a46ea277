//! How a response's text is written into answer cells so that it reads back exactly, whatever
//! it holds, while the common case stays what a person would type.
//!
//! - A text cell holds the text as it is. A cell that is blank (or holds only spaces) reads as
//!   not answered.
//! - An evidence cell holds one item a line; blank lines are ignored.
//! - Either may instead hold a text (or, in an evidence cell, a line) in double quotes with
//!   JSON's escapes: `"first line\nsecond line"`, `""` for an empty text, `\"` for a quote,
//!   `\\` for a backslash, `\u0007` for a control character. A cell or line that is exactly
//!   such a quoted string reads as the text it spells; anything else reads as typed. The writer
//!   quotes only what would otherwise read back differently: line breaks inside an evidence
//!   item, blank or empty items, control characters other than a line break or tab (Excel does
//!   not show them, and other programs drop them), and text that already looks quoted.
//! - A cell holds at most [`CELL_LIMIT`] characters (UTF-16 units, as Excel counts them). A
//!   longer text is split: the first part stays in its cell and the rest continue, in order, on
//!   the rows of the "More text" sheet (see [`crate::layout::MORE_TEXT_SHEET`]). The parts are
//!   joined before the cell is decoded, so a split may fall anywhere.

/// The most characters an Excel cell holds, counted in UTF-16 units as Excel counts them.
pub const CELL_LIMIT: usize = 32_767;

/// Characters that are written escaped inside quotes and make a text be quoted: control
/// characters other than line break and tab (Excel neither shows nor keeps them reliably) and
/// the two non-characters XML cannot carry.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// The text in double quotes with JSON's escapes (every control character escaped, so the
/// result is printable).
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || hidden(c) => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The text a quoted string spells, when `s` is exactly one JSON string literal.
pub fn unquote(s: &str) -> Option<String> {
    // The first and last characters are the quotes themselves: no blanks around them.
    if s.len() < 2 || !s.starts_with('"') || !s.ends_with('"') {
        return None;
    }
    serde_json::from_str::<String>(s).ok()
}

/// Whether a text reads back as itself when written as it is.
fn plain(text: &str) -> bool {
    !text.trim().is_empty() && !text.chars().any(hidden) && unquote(text).is_none()
}

/// A text cell's content for `text` (empty for an empty text: a blank cell).
pub fn encode_text(text: &str) -> String {
    if text.is_empty() || plain(text) {
        text.to_string()
    } else {
        quote(text)
    }
}

/// The text a text cell holds: `None` when blank.
pub fn decode_text(cell: &str) -> Option<String> {
    if let Some(text) = unquote(cell) {
        return Some(text);
    }
    (!cell.trim().is_empty()).then(|| cell.to_string())
}

/// An evidence cell's content for `items`, one a line.
pub fn encode_lines(items: &[String]) -> String {
    items
        .iter()
        .map(|item| {
            if plain(item) && !item.contains('\n') {
                item.clone()
            } else {
                quote(item)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The items an evidence cell holds: one a line, blank lines skipped, quoted lines decoded.
pub fn decode_lines(cell: &str) -> Vec<String> {
    cell.split('\n')
        // A line break typed as CR LF (pasted from elsewhere) is one line break.
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter_map(|line| match unquote(line) {
            Some(item) => Some(item),
            None => (!line.trim().is_empty()).then(|| line.to_string()),
        })
        .collect()
}

/// A text's length as Excel counts it (UTF-16 units).
pub fn excel_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// `text` split into parts of at most [`CELL_LIMIT`] UTF-16 units each, at character
/// boundaries; a single part when it fits in one cell (an empty text gives one empty part).
pub fn split_for_cells(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units + c.len_utf16() > CELL_LIMIT {
            parts.push(&text[start..i]);
            start = i;
            units = 0;
        }
        units += c.len_utf16();
    }
    parts.push(&text[start..]);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn common_text_is_written_as_typed() {
        assert_eq!(encode_text("We have a JSNA"), "We have a JSNA");
        assert_eq!(encode_text("=1+1"), "=1+1");
        assert_eq!(
            encode_text("line one\nline two\ttab"),
            "line one\nline two\ttab"
        );
        assert_eq!(
            encode_lines(&["a".into(), "b c".into(), "\"quoted\" and more".into()]),
            "a\nb c\n\"quoted\" and more"
        );
    }

    #[test]
    fn what_would_read_differently_is_quoted() {
        assert_eq!(encode_text("  "), "\"  \"");
        assert_eq!(encode_text("a\r\nb"), "\"a\\r\\nb\"");
        assert_eq!(encode_text("\"x\""), "\"\\\"x\\\"\"");
        assert_eq!(encode_text("bell\u{7}"), "\"bell\\u0007\"");
        assert_eq!(
            encode_lines(&["two\nlines".into(), String::new(), " ".into()]),
            "\"two\\nlines\"\n\"\"\n\" \""
        );
    }

    #[test]
    fn a_person_may_type_the_quoted_form_too() {
        assert_eq!(
            decode_lines("first\n\n\"multi\\nline\"\n\"\"\r\nlast"),
            ["first", "multi\nline", "", "last"]
        );
        assert_eq!(decode_text("\"\""), Some(String::new()));
        assert_eq!(decode_text(" "), None);
        assert_eq!(decode_text("\"half"), Some("\"half".into()));
    }

    #[test]
    fn long_text_splits_within_the_cell_limit_at_character_boundaries() {
        let text = "é😀".repeat(CELL_LIMIT);
        let parts = split_for_cells(&text);
        assert!(parts.iter().all(|p| excel_len(p) <= CELL_LIMIT));
        assert_eq!(parts.concat(), text);
        assert_eq!(split_for_cells(""), [""]);
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[\r\n\t \"\\\\=a\u{0}-\u{1f}\u{7f}\u{85}\u{fffe}\u{ffff}]{0,12}",
        ]
    }

    proptest! {
        #[test]
        fn any_text_and_any_items_decode_to_themselves(
            text in any_text(),
            items in proptest::collection::vec(any_text(), 0..6),
        ) {
            let encoded = encode_text(&text);
            prop_assert_eq!(decode_text(&encoded).unwrap_or_default(), text);
            prop_assert!(!encoded.chars().any(hidden));
            prop_assert_eq!(decode_lines(&encode_lines(&items)), items);
        }
    }
}
