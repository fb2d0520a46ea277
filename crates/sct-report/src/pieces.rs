//! Pages whose bulk is written by sct, not by the template: the template prints a small
//! marker ([`marker`]) where a piece goes (a timeframe's table rows, the items under an icon,
//! every chart), and the rendered page is passed through a [`Splicer`] on its way to the
//! output, which writes each piece at its marker straight from the report. No piece is ever
//! held whole, nor handed to the template engine (which copies a value it filters): the
//! integrated performance report of every organisation runs to hundreds of megabytes.
//!
//! A marker is an HTML comment, `<!--sct:piece:KEY-->`. Both escapers (HTML, and Markdown
//! text) turn `<` into `&lt;`, so no value a template prints escaped, and so no string from a
//! user's file, can produce one: only the template's own text and the values it marks `safe`.

use std::collections::BTreeSet;
use std::io::Write;

use crate::render::ReportError;
use crate::template_bounds::LimitedWriter;

/// What every marker begins with.
const PREFIX: &[u8] = b"<!--sct:piece:";
/// What every marker ends with.
const SUFFIX: &[u8] = b"-->";
/// The longest key a marker may hold; a longer comment is text, passed on as it is.
const MAX_KEY: usize = 64;

/// The marker a template prints where the piece `key` goes (`key` holds no `-->`).
pub fn marker(key: &str) -> String {
    format!("<!--sct:piece:{key}-->")
}

/// Writes the piece named by a key into a stream: `Ok(Ok(true))` when written, `Ok(Ok(false))`
/// for a key it does not know (the marker is then left as it is), `Ok(Err(_))` when the piece
/// could not be made, `Err(_)` when the stream could not be written.
pub type PieceWriter<'a> =
    dyn FnMut(&str, &mut dyn Write) -> std::io::Result<Result<bool, ReportError>> + 'a;

/// A stream that passes a rendered page into `out`, writing each piece at its marker.
///
/// A user's template is bounded by `out` (a `LimitedWriter`): the page's own text counts
/// against its limit, and so does every piece printed again; the first of each piece is
/// the report's data, as the pieces were when the template engine held them, and does not.
pub struct Splicer<'a, 'w> {
    out: LimitedWriter<&'w mut dyn Write>,
    pieces: &'a mut PieceWriter<'a>,
    /// Bytes held back: the beginning of what may be a marker.
    pending: Vec<u8>,
    /// The pieces written once.
    written: BTreeSet<String>,
    /// Why a piece could not be made.
    failed: Option<ReportError>,
}

impl<'a, 'w> Splicer<'a, 'w> {
    /// A splicer into `out`, taking at most `limit` bytes besides each piece's first writing.
    pub fn new(out: &'w mut dyn Write, limit: usize, pieces: &'a mut PieceWriter<'a>) -> Self {
        Splicer {
            out: LimitedWriter::new(out, limit),
            pieces,
            pending: Vec::new(),
            written: BTreeSet::new(),
            failed: None,
        }
    }

    /// Writes what is held back (the page has ended, so it is no marker).
    pub fn finish(&mut self) -> std::io::Result<()> {
        self.splice(true)
    }

    /// Whether the output limit was reached.
    pub fn exceeded(&self) -> bool {
        self.out.exceeded()
    }

    /// The refusal of the output limit, in words.
    pub fn refusal(&self) -> String {
        self.out.refusal()
    }

    /// Why a piece could not be made, if one could not.
    pub fn take_failure(&mut self) -> Option<ReportError> {
        self.failed.take()
    }

    /// Writes the pending bytes up to the last that may begin a marker (all of them at the
    /// `end`), each whole marker replaced by its piece.
    fn splice(&mut self, end: bool) -> std::io::Result<()> {
        let mut from = 0;
        while let Some(at) = find(&self.pending[from..], PREFIX).map(|i| from + i) {
            let key_at = at + PREFIX.len();
            let window = &self.pending[key_at..self.pending.len().min(key_at + MAX_KEY + 3)];
            match find(window, SUFFIX) {
                Some(k) if is_key(&window[..k]) => {
                    self.out.write_all(&self.pending[from..at])?;
                    let key = String::from_utf8_lossy(&window[..k]).into_owned();
                    let whole = key_at + k + SUFFIX.len();
                    if !self.piece(&key)? {
                        self.out.write_all(&self.pending[at..whole])?;
                    }
                    from = whole;
                }
                // Cut off by the end of what has come so far: wait for the rest.
                None if !end && window.len() < MAX_KEY + 3 => {
                    self.out.write_all(&self.pending[from..at])?;
                    self.pending.drain(..at);
                    return Ok(());
                }
                // Too long for a marker, or no key: text.
                _ => {
                    self.out.write_all(&self.pending[from..key_at])?;
                    from = key_at;
                }
            }
        }
        let keep = if end {
            0
        } else {
            partial_prefix(&self.pending[from..])
        };
        let upto = self.pending.len() - keep;
        self.out.write_all(&self.pending[from..upto])?;
        self.pending.drain(..upto);
        Ok(())
    }

    /// Writes the piece `key`: false when no piece has that key.
    fn piece(&mut self, key: &str) -> std::io::Result<bool> {
        let first = !self.written.contains(key);
        let out: &mut dyn Write = if first {
            self.out.get_mut()
        } else {
            &mut self.out
        };
        match (self.pieces)(key, out)? {
            Ok(known) => {
                if known && first {
                    self.written.insert(key.to_string());
                }
                Ok(known)
            }
            Err(e) => {
                self.failed = Some(e);
                Err(std::io::Error::other(format!(
                    "the piece {key} could not be made"
                )))
            }
        }
    }
}

impl Write for Splicer<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.splice(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Whether `bytes` can be a piece's key: ASCII letters, digits, `_`, `-` and `:`.
fn is_key(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':'))
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// How many bytes at the end of `bytes` begin [`PREFIX`] (a marker cut by a write).
fn partial_prefix(bytes: &[u8]) -> usize {
    (1..PREFIX.len().min(bytes.len() + 1))
        .rev()
        .find(|&n| bytes.ends_with(&PREFIX[..n]))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `page` written in chunks of `sizes` (cycled) through a splicer whose pieces are
    /// `[key]`'s text repeated, once per writing.
    fn spliced(page: &str, sizes: &[usize]) -> String {
        let mut out = Vec::new();
        let mut pieces = |key: &str, w: &mut dyn Write| {
            if key == "unknown" {
                return Ok(Ok(false));
            }
            w.write_all(format!("[{key}]").as_bytes())?;
            Ok(Ok(true))
        };
        let mut s = Splicer::new(&mut out, usize::MAX, &mut pieces);
        let bytes = page.as_bytes();
        let (mut at, mut i) = (0, 0);
        while at < bytes.len() {
            let n = sizes[i % sizes.len()].max(1).min(bytes.len() - at);
            s.write_all(&bytes[at..at + n]).unwrap();
            at += n;
            i += 1;
        }
        s.finish().unwrap();
        drop(s);
        String::from_utf8(out).unwrap()
    }

    /// What the splicer should write: each known marker replaced, the rest as it is.
    fn expected(page: &str) -> String {
        let mut out = String::new();
        let mut rest = page;
        while let Some(i) = rest.find("<!--sct:piece:") {
            out.push_str(&rest[..i]);
            let after = &rest[i + PREFIX.len()..];
            match after.find("-->") {
                Some(k) if k <= MAX_KEY && is_key(&after.as_bytes()[..k]) => {
                    if after[..k] == *"unknown" {
                        out.push_str(&rest[i..i + PREFIX.len() + k + 3]);
                    } else {
                        out.push_str(&format!("[{}]", &after[..k]));
                    }
                    rest = &after[k + 3..];
                }
                _ => {
                    out.push_str(&rest[i..i + PREFIX.len()]);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn markers_are_replaced_by_their_pieces_whatever_the_writes() {
        let page = "a <!--sct:piece:rows:kpi--> b <!--sct:piece:unknown--><!--sct:piece:charts-->\n<!--sct:piece:<!--sct:piece:x-->";
        for size in 1..page.len() {
            assert_eq!(spliced(page, &[size]), expected(page), "writes of {size}");
        }
        assert_eq!(
            expected(page),
            "a [rows:kpi] b <!--sct:piece:unknown-->[charts]\n<!--sct:piece:[x]"
        );
    }

    #[test]
    fn a_repeated_piece_counts_against_the_limit_and_the_first_does_not() {
        let mut out = Vec::new();
        let mut pieces = |_: &str, w: &mut dyn Write| {
            w.write_all(&[b'x'; 100])?;
            Ok(Ok(true))
        };
        let mut s = Splicer::new(&mut out, 150, &mut pieces);
        s.write_all(b"<!--sct:piece:a-->").unwrap();
        s.write_all(b"<!--sct:piece:a-->").unwrap();
        assert!(s.write_all(b"<!--sct:piece:a-->").is_err());
        assert!(s.exceeded());
    }

    proptest! {
        /// Any page, cut into any writes, comes out with exactly its markers replaced.
        #[test]
        fn any_page_in_any_writes_is_spliced_exactly(
            parts in proptest::collection::vec(
                prop_oneof![
                    "[a-z<!>\\- ]{0,12}",
                    Just("<!--sct:piece:".to_string()),
                    Just("-->".to_string()),
                    Just("<!--sct:piece:k-->".to_string()),
                    Just("<!--sct:piece:unknown-->".to_string()),
                ],
                0..12,
            ),
            sizes in proptest::collection::vec(1usize..20, 1..5),
        ) {
            let page = parts.concat();
            prop_assert_eq!(spliced(&page, &sizes), expected(&page));
        }
    }
}
