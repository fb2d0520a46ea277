//! Line numbers of CSV records. The `csv` crate's own count is one short after a CRLF line
//! ending (it counts the `\n` of `\r\n` as part of the next record), so lines are counted
//! here from the record's byte offset, moving forward only, once over the text.

use crate::columns::Header;
use crate::error::PublicationError;

/// Counts lines up to each record's start, in one pass over the text.
pub(crate) struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    /// A counter over `text`, at its first line.
    pub(crate) fn new(text: &'a [u8]) -> LineCounter<'a> {
        LineCounter {
            text,
            at: 0,
            line: 1,
        }
    }

    /// The one-based line of the record that starts at byte `start` (after any line-ending
    /// bytes left over from the record before). Offsets must not go backwards.
    pub(crate) fn line_of(&mut self, start: usize) -> usize {
        let mut start = start.min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.at {
            self.line += self.text[self.at..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.at = start;
        }
        self.line
    }

    /// The line of a record, from its position.
    pub(crate) fn of(&mut self, record: &csv::StringRecord) -> usize {
        let start = record
            .position()
            .map_or(self.at, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        self.line_of(start)
    }
}

/// One CSV record with its one-based line, or where it could not be read.
pub(crate) type Record = Result<(csv::StringRecord, usize), PublicationError>;

/// A CSV text's records with their lines, blank records left out, errors located.
pub(crate) fn records<'a>(file: &'a str, text: &'a str) -> impl Iterator<Item = Record> + 'a {
    let mut lines = LineCounter::new(text.as_bytes());
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .into_records()
        .filter(|r| {
            !r.as_ref()
                .is_ok_and(|rec| rec.iter().all(|f| f.trim().is_empty()))
        })
        .map(move |r| {
            r.map(|record| {
                let line = lines.of(&record);
                (record, line)
            })
            .map_err(|e| PublicationError::csv(file, text.as_bytes(), &e))
        })
}

/// A CSV text's header row and the records after it; a text with no row is
/// [`PublicationError::NoRows`].
pub(crate) fn header_and_records<'a>(
    file: &'a str,
    text: &'a str,
) -> Result<(Header, impl Iterator<Item = Record> + 'a), PublicationError> {
    let mut all = records(file, text);
    match all.next() {
        Some(first) => Ok((Header::new(first?.0.iter()), all)),
        None => Err(PublicationError::NoRows { file: file.into() }),
    }
}

/// The one-based line of byte `at` of `text`, for an error (one pass, so only on the error
/// path).
pub(crate) fn line_at(text: &[u8], at: usize) -> usize {
    LineCounter::new(text).line_of(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_right_after_crlf_and_lf_alike() {
        for text in ["a,b\r\n1,\"x\r\ny\"\r\n3,4\r\n", "a,b\n1,\"x\ny\"\n3,4\n"] {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            let mut lines = LineCounter::new(text.as_bytes());
            let got: Vec<usize> = reader.records().map(|r| lines.of(&r.unwrap())).collect();
            assert_eq!(got, [1, 2, 4], "{text:?}");
        }
    }
}
