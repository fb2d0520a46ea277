//! How text from input files is quoted in messages for a terminal: control characters shown
//! as escapes (an input file cannot clear the screen, retitle the window or move the cursor
//! to print a fake "ok"), and long text cut to a bounded excerpt (a 100 MB field does not
//! become 100 MB of error text).

use std::borrow::Cow;

/// Whether `c` would act on a terminal instead of showing: the C0 controls but line feed and
/// tab (escape, carriage return, backspace, bell), delete, the C1 controls (some terminals
/// take U+009B as an escape sequence's start), and the bidirectional embeddings, overrides
/// and isolates, which reorder the rest of a line as it is shown.
pub fn is_hidden_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every [`is_hidden_control`] character shown as an escape (`\u{1b}`), as
/// Rust writes it; line feeds and tabs are kept, as messages and source lines use them.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hidden_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hidden_control(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How many characters [`visible`] shows for `c` (1, or the length of its escape).
pub fn visible_width(c: char) -> usize {
    if is_hidden_control(c) {
        format!("\\u{{{:x}}}", u32::from(c)).len()
    } else {
        1
    }
}

/// The most characters of one message, expected value or hint shown: longer text keeps its
/// first two thirds and last third of this, with the number of characters left out between.
pub const EXCERPT_CHARS: usize = 300;

/// `text` cut to about `max` characters when longer: its start and its end (where a
/// message's closing words are), with `… (N more characters) …` between.
pub fn excerpt(text: &str, max: usize) -> Cow<'_, str> {
    // Cheap for short text: a character is at most 4 bytes.
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let total = text.chars().count();
    if total <= max {
        return Cow::Borrowed(text);
    }
    let head = max * 2 / 3;
    let tail = max - head;
    let head_end = text.char_indices().nth(head).map_or(text.len(), |(i, _)| i);
    let tail_start = text
        .char_indices()
        .rev()
        .nth(tail.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    let left_out = total - head - tail;
    Cow::Owned(format!(
        "{}… ({left_out} more characters) …{}",
        &text[..head_end],
        &text[tail_start..]
    ))
}

/// "1 warning", "2 warnings": a count and its noun, plural where it is not one.
pub fn count_of(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {}", plural(noun))
    }
}

/// The plural of one of the nouns sct counts in its messages ("warning", "rating",
/// "capability", "level", "indicator", "successor").
pub fn plural(noun: &str) -> String {
    match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ => format!("{noun}s"),
    }
}

/// The first `most` of `items`, comma-separated, then " and N more" for the rest: a list in a
/// message stays short however long it is.
pub fn first_few(items: &[&str], most: usize) -> String {
    let shown = items.len().min(most);
    let mut text = items[..shown].join(", ");
    if items.len() > shown {
        text.push_str(&format!(" and {} more", items.len() - shown));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn counts_take_the_plural_except_of_one() {
        assert_eq!(count_of(1, "warning"), "1 warning");
        assert_eq!(count_of(0, "warning"), "0 warnings");
        assert_eq!(count_of(3, "capability"), "3 capabilities");
        assert_eq!(count_of(2, "day"), "2 days");
    }

    #[test]
    fn first_few_names_at_most_the_first_and_counts_the_rest() {
        assert_eq!(first_few(&["a", "b"], 5), "a, b");
        assert_eq!(first_few(&["a", "b", "c"], 2), "a, b and 1 more");
        assert_eq!(first_few(&[], 5), "");
    }

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(
            visible("a\u{1b}[2J\u{1b}]0;pwned\u{7}\rok\tx\ny\u{9b}\u{202e}"),
            "a\\u{1b}[2J\\u{1b}]0;pwned\\u{7}\\u{d}ok\tx\ny\\u{9b}\\u{202e}"
        );
        assert!(matches!(visible("plain text, “quoted”"), Cow::Borrowed(_)));
        assert_eq!(visible_width('\u{1b}'), "\\u{1b}".len());
        assert_eq!(visible_width('é'), 1);
    }

    #[test]
    fn long_text_keeps_its_start_and_end() {
        let long = format!(
            "column `value`: \"{}\" is not a number",
            "9".repeat(1_000_000)
        );
        let short = excerpt(&long, EXCERPT_CHARS);
        assert!(short.chars().count() < EXCERPT_CHARS + 40, "{short}");
        assert!(short.starts_with("column `value`: \"999"));
        assert!(short.ends_with("999\" is not a number"));
        assert!(short.contains("… (999734 more characters) …"), "{short}");
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("ééééé", 5), "ééééé");
    }

    proptest! {
        #[test]
        fn visible_text_has_no_controls_but_line_feeds_and_tabs(s in any::<String>()) {
            let v = visible(&s);
            prop_assert!(!v.chars().any(is_hidden_control), "{:?}", v);
            prop_assert_eq!(
                v.chars().count(),
                s.chars().map(visible_width).sum::<usize>()
            );
        }

        #[test]
        fn excerpts_are_bounded_and_keep_both_ends(s in "\\PC{0,400}", max in 12usize..200) {
            let e = excerpt(&s, max);
            let n = s.chars().count();
            if n <= max {
                prop_assert_eq!(&*e, &s);
            } else {
                let head: String = s.chars().take(max * 2 / 3).collect();
                let tail: String = s.chars().skip(n - (max - max * 2 / 3)).collect();
                prop_assert!(e.starts_with(&head) && e.ends_with(&tail), "{:?}", e);
                prop_assert!(e.chars().count() <= max + 40);
            }
        }
    }
}
