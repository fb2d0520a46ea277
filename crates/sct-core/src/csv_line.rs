//! The line a CSV record starts on, for the locations of errors in CSV files.
//!
//! The csv crate gives each record the position its reader stood at when it began looking
//! for it: just after the first byte of the previous record's terminator. When that
//! terminator is `\r\n` (as Excel saves CSV, and as the bundled ICB table is) the `\n` is
//! still ahead, and so are any blank lines, so the position's line is the line above the
//! record (BurntSushi/rust-csv#395). The record really starts after that run of `\r` and
//! `\n` bytes; both helpers here add the newlines in it. Lines are counted by `\n`, as
//! everywhere else in `sct` (`str::lines`, [`crate::SourceFile::line_col`]).

use std::collections::VecDeque;
use std::io::Read;

/// The UTF-8 byte-order mark, which the csv crate skips at the start of its input.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// The one-based line the record at `position` starts on, in `text`, the bytes the CSV
/// reader read (a byte-order mark included). `None` (no position) gives 0, "no line".
pub fn record_line(text: &[u8], position: Option<&csv::Position>) -> usize {
    let Some(position) = position else {
        return 0;
    };
    let mut from = usize::try_from(position.byte())
        .unwrap_or(usize::MAX)
        .min(text.len());
    // The reader skips a byte-order mark without counting it as a line.
    if from == 0 && text.starts_with(BOM) {
        from = BOM.len();
    }
    let newlines = text[from..]
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .filter(|&&b| b == b'\n')
        .count();
    usize::try_from(position.line())
        .unwrap_or(usize::MAX)
        .saturating_add(newlines)
}

/// A reader that remembers the runs of `\r` and `\n` bytes it passes on, so that a CSV
/// reader streaming from it can be told the line each record starts on
/// ([`LineTracker::record_line`]) without the whole text in memory.
///
/// What it remembers is dropped as records are asked about: ask about every record read
/// (in order), or it keeps an entry for each CRLF line read since the last one asked about.
/// A lone line break needs no entry (the reader consumes it with the record before it), so
/// a file with LF endings and no blank lines costs nothing but the search for line breaks.
#[derive(Debug)]
pub struct LineTracker<R> {
    inner: R,
    /// Bytes passed on so far.
    offset: u64,
    /// Runs of two or more `\r`/`\n` bytes (or any at the start of the text) not yet behind
    /// the last record asked about.
    runs: VecDeque<Run>,
    /// The run the last byte passed on belongs to, which the next read may extend.
    open: Option<Run>,
    /// The first bytes passed on (up to a byte-order mark's length), to know whether the
    /// text starts with one.
    head: Vec<u8>,
}

/// A run of line-break bytes: its byte range, and the `\n` bytes in it after its first byte.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: u64,
    end: u64,
    /// `\n` bytes after the first: the lines a reader standing after the first byte (where
    /// the record before left it) still has to pass.
    newlines_after_first: u64,
    first_is_newline: bool,
}

impl<R> LineTracker<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        LineTracker {
            inner,
            offset: 0,
            runs: VecDeque::new(),
            open: None,
            head: Vec::new(),
        }
    }

    /// The reader wrapped.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The reader wrapped, to read the rest of it.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The one-based line the record at `position` starts on (as [`record_line`] would give
    /// for the whole text). Positions must be asked about in order: what lies before one is
    /// forgotten. `None` gives 0.
    pub fn record_line(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return 0;
        };
        let mut from = position.byte();
        // The reader skips a byte-order mark without counting it as a line.
        if from == 0 && self.head == BOM {
            from = BOM.len() as u64;
        }
        while self.runs.front().is_some_and(|r| r.end <= from) {
            self.runs.pop_front();
        }
        let run = self
            .runs
            .front()
            .or(self.open.as_ref())
            .filter(|r| r.start <= from && from < r.end);
        // A reader stands at the start of the text, or just after the first byte of the
        // run that ended the record before.
        let newlines = match run {
            Some(r) if from == r.start => r.newlines_after_first + u64::from(r.first_is_newline),
            Some(r) => r.newlines_after_first,
            None => 0,
        };
        position.line().saturating_add(newlines)
    }

    /// Keeps a finished run if a record's line can depend on it.
    fn close(&mut self, run: Run) {
        if run.end - run.start >= 2 || run.start <= BOM.len() as u64 {
            self.runs.push_back(run);
        }
    }
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let want = BOM.len().saturating_sub(self.head.len()).min(n);
        self.head.extend_from_slice(&buf[..want]);
        for i in memchr::memchr2_iter(b'\r', b'\n', &buf[..n]) {
            let newline = buf[i] == b'\n';
            let at = self.offset + i as u64;
            match &mut self.open {
                Some(run) if run.end == at => {
                    run.end += 1;
                    run.newlines_after_first += u64::from(newline);
                }
                open => {
                    let next = Run {
                        start: at,
                        end: at + 1,
                        newlines_after_first: 0,
                        first_is_newline: newline,
                    };
                    if let Some(done) = open.replace(next) {
                        self.close(done);
                    }
                }
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A CSV text of `rows` (fields are generated without commas; some quoted, with line
    /// breaks inside), each row preceded by `blank` empty lines, with `eol` line endings;
    /// and the line each row starts on, counted independently of the csv crate.
    fn text_and_lines(rows: &[(Vec<String>, usize)], eol: &str, bom: bool) -> (String, Vec<u64>) {
        let mut text = String::from(if bom { "\u{feff}" } else { "" });
        let mut lines = Vec::new();
        for (fields, blank) in rows {
            text.push_str(&eol.repeat(*blank));
            lines.push(text.matches('\n').count() as u64 + 1);
            let quoted: Vec<String> = fields
                .iter()
                .map(|f| {
                    if f.contains('\n') || f.contains('\r') {
                        format!("\"{f}\"")
                    } else {
                        f.clone()
                    }
                })
                .collect();
            text.push_str(&quoted.join(","));
            text.push_str(eol);
        }
        (text, lines)
    }

    fn field() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9 .]{1,6}",
            "[a-z]{1,3}(\r\n|\n)[a-z]{1,3}",
            Just(String::new()),
        ]
    }

    fn rows() -> impl Strategy<Value = Vec<(Vec<String>, usize)>> {
        proptest::collection::vec(
            (proptest::collection::vec(field(), 2..=2), 0usize..3),
            1..12,
        )
        .prop_map(|mut rows| {
            // A row of empty fields is a line of one comma: never an empty line.
            for (fields, _) in &mut rows {
                if fields.iter().all(String::is_empty) {
                    fields[0] = "x".into();
                }
            }
            rows
        })
    }

    proptest! {
        /// Whatever the line endings, blank lines, byte-order mark or line breaks inside
        /// quoted fields, each record's line is the line it starts on.
        #[test]
        fn every_record_is_located_on_the_line_it_starts_on(
            rows in rows(),
            crlf in any::<bool>(),
            bom in any::<bool>(),
        ) {
            let (text, lines) = text_and_lines(&rows, if crlf { "\r\n" } else { "\n" }, bom);
            let mut whole = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            let mut streamed = csv::ReaderBuilder::new()
                .has_headers(false)
                .buffer_capacity(7)
                .from_reader(LineTracker::new(text.as_bytes()));
            let mut record = csv::StringRecord::new();
            for &want in &lines {
                prop_assert!(whole.read_record(&mut record).unwrap());
                let got = record_line(text.as_bytes(), record.position());
                prop_assert_eq!(got as u64, want);
                prop_assert!(streamed.read_record(&mut record).unwrap());
                let got = streamed.get_mut().record_line(record.position());
                prop_assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn a_crlf_record_is_on_its_own_line_not_the_one_above() {
        let text = b"a,b\r\nc,d\r\n\r\ne,f\r\n";
        let mut reader = csv::Reader::from_reader(&text[..]);
        let lines: Vec<usize> = reader
            .records()
            .map(|r| record_line(text, r.unwrap().position()))
            .collect();
        assert_eq!(lines, [2, 4]);
    }
}
