//! Escaping for Markdown outputs (GitHub-flavoured Markdown, as rendered by GitHub, GitLab,
//! editors' previews and any viewer that also renders HTML), one function per context a user
//! string can be put in. The Markdown templates escape every value with [`text`] unless a
//! filter says otherwise (see [`crate::render`]), so a template cannot forget.
//!
//! | context | function | what the result cannot do |
//! |---|---|---|
//! | text, a table cell, a heading, a link's text | [`text`] | hold HTML, a line break, a cell-ending `\|`, or start emphasis, code, a link or an image |
//! | a code span (outside tables) | [`code`] | end the span early, or hold a line break |
//!
//! No output puts a user string in a link's URL.

/// `s` as Markdown text that renders as `s`, anywhere text may go: in a paragraph, a list
/// item, a table cell or a heading. Markdown punctuation is backslash-escaped; `<`, `>` and
/// `&` become entities, so no HTML and no autolink can start; line breaks become spaces, so
/// a table row or heading cannot be ended early.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `s` as a whole code span (backticks included) that shows `s` as it is, line breaks as
/// spaces. The fence is one backtick longer than the longest run of backticks in `s`, and a
/// space pads each side when `s` begins or ends with a backtick (or with spaces on both
/// sides), as CommonMark strips one such space: nothing in `s` can close the span early.
/// Inside a code span nothing is markup, so `<` stays `<` and shows as itself. Not for
/// table cells (a `|` there ends the cell whatever surrounds it): use [`text`].
pub fn code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| if matches!(c, '\n' | '\r') { ' ' } else { c })
        .collect();
    if s.is_empty() {
        // "``" would be two literal backticks, not an empty span.
        return "` `".to_string();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let all_spaces = s.chars().all(|c| c == ' ');
    let pad = s.starts_with('`')
        || s.ends_with('`')
        || (s.starts_with(' ') && s.ends_with(' ') && !all_spaces);
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{s}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The characters of `md` that are not backslash-escaped.
    fn unescaped(md: &str) -> Vec<char> {
        let mut out = Vec::new();
        let mut chars = md.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                chars.next();
            } else {
                out.push(c);
            }
        }
        out
    }

    /// What CommonMark shows for a code span `span`: its content, or `None` if `span` is not
    /// one code span (it closes early, or not at all).
    fn code_content(span: &str) -> Option<String> {
        let n = span.chars().take_while(|&c| c == '`').count();
        let inner = span.get(n..span.len().checked_sub(n)?)?;
        if n == 0 || !span.ends_with(&"`".repeat(n)) || inner.ends_with('`') {
            return None;
        }
        // A run of exactly n backticks inside would close the span there.
        let runs = inner.split(|c| c != '`').filter(|r| !r.is_empty());
        if runs.into_iter().any(|r| r.len() == n) || inner.contains(['\n', '\r']) {
            return None;
        }
        let strip = inner.len() >= 2
            && inner.starts_with(' ')
            && inner.ends_with(' ')
            && !inner.chars().all(|c| c == ' ');
        Some(if strip {
            inner[1..inner.len() - 1].to_string()
        } else {
            inner.to_string()
        })
    }

    #[test]
    fn text_neutralises_markup() {
        assert_eq!(
            text("a|b *c* <script>x</script>\n[l](u)"),
            "a\\|b \\*c\\* &lt;script&gt;x&lt;/script&gt; \\[l\\](u)"
        );
    }

    #[test]
    fn code_spans_hold_backticks_and_html_as_text() {
        assert_eq!(code("report.toml"), "`report.toml`");
        assert_eq!(code("a`<img src=x>`.toml"), "``a`<img src=x>`.toml``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("a\nb"), "`a b`");
        assert_eq!(code(""), "` `");
    }

    proptest! {
        /// Text can hold no HTML, no line break (which would end a table row or heading), no
        /// unescaped pipe (which would end a cell) and nothing that starts inline markup.
        #[test]
        fn markdown_text_holds_no_html_line_break_or_markup(s in any::<String>()) {
            let md = text(&s);
            prop_assert!(!md.contains(['<', '>', '\n', '\r']), "{:?}", md);
            for c in unescaped(&md) {
                prop_assert!(!"|`*_[]#~!".contains(c), "unescaped {:?} in {:?}", c, md);
            }
            prop_assert!(
                md.match_indices('&').all(|(i, _)| {
                    ["&lt;", "&gt;", "&amp;"].iter().any(|e| md[i..].starts_with(e))
                }),
                "a raw & in {:?}", md
            );
        }

        /// A code span is one span, closed where it should be, showing the string as it is.
        #[test]
        fn markdown_code_spans_are_balanced_and_show_the_string(s in any::<String>()) {
            let span = code(&s);
            let shown = code_content(&span);
            let expected = if s.is_empty() {
                " ".to_string()
            } else {
                s.replace(['\n', '\r'], " ")
            };
            prop_assert_eq!(shown, Some(expected), "{:?}", span);
        }

        #[test]
        fn markdown_code_spans_survive_backtick_runs(s in "[`a< ]{0,12}") {
            let span = code(&s);
            let expected = if s.is_empty() { " ".to_string() } else { s.clone() };
            prop_assert_eq!(code_content(&span), Some(expected), "{:?}", span);
        }
    }
}
