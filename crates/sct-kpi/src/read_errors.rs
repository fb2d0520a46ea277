//! The errors of one reading of a KPI data file, or of part of one, kept as a reading reports
//! them: the errors of its rows in the order of the rows, then those of its series in the
//! order of their keys, the first [`MAX_ERRORS`] of them listed and the rest counted. A file
//! read a part at a time ([`crate::ipr_stream`]) gathers each part's, and ends with the list
//! the whole file's reading gives, without holding the whole file's series.

use sct_core::diagnostic::{Diagnostic, Diagnostics};

/// Most errors reported for one file; the rest are counted.
pub(crate) const MAX_ERRORS: usize = 50;

/// The errors of a reading: those listed, in two parts, and how many there were in all.
#[derive(Debug)]
pub(crate) struct ReadErrors {
    /// The file, as messages name it.
    file: String,
    /// The first errors of rows, in the order of the rows (at most [`MAX_ERRORS`]).
    rows: Vec<Diagnostic>,
    /// The first errors of series, in the order of their keys, as many as fit after `rows`
    /// in [`MAX_ERRORS`].
    series: Vec<Diagnostic>,
    /// Every error found, listed or not.
    count: usize,
}

impl ReadErrors {
    /// The errors of a reading of `file` that listed `kept` (its first errors, those of rows
    /// before those of series), of which the first `of_rows` are errors of rows, and found
    /// `count` in all.
    pub(crate) fn new(
        file: &str,
        mut kept: Vec<Diagnostic>,
        of_rows: usize,
        count: usize,
    ) -> ReadErrors {
        let series = kept.split_off(of_rows.min(kept.len()));
        ReadErrors {
            file: file.to_string(),
            rows: kept,
            series,
            count,
        }
    }

    /// Adds the errors of the next part of the same file: its rows come after these rows,
    /// and its series' keys after these series' keys.
    pub(crate) fn merge(&mut self, later: ReadErrors) {
        let room = MAX_ERRORS - self.rows.len();
        self.rows.extend(later.rows.into_iter().take(room));
        // A part keeps as many errors of series as fit after its own errors of rows, which
        // is at least as many as fit after every part's: enough for the whole file's list.
        self.series.extend(later.series);
        self.series.truncate(MAX_ERRORS);
        self.count += later.count;
    }

    /// The list a reading reports: the first [`MAX_ERRORS`] errors, rows' then series', and
    /// how many more there were.
    pub(crate) fn into_diagnostics(self) -> Diagnostics {
        let mut listed = self.rows;
        let room = MAX_ERRORS - listed.len();
        listed.extend(self.series.into_iter().take(room));
        let mut diags = Diagnostics(listed);
        if self.count > MAX_ERRORS {
            diags.push(Diagnostic::more_errors(self.count - MAX_ERRORS).in_file(&self.file));
        }
        diags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` errors named `name` 0, 1, …
    fn errors(name: &str, n: usize) -> Vec<Diagnostic> {
        (0..n)
            .map(|i| Diagnostic::error(format!("{name} {i}")))
            .collect()
    }

    /// What a reading of rows with `rows` errors and series with `series` errors lists.
    fn reading(name: &str, rows: usize, series: usize) -> ReadErrors {
        let all: Vec<Diagnostic> = errors(&format!("{name} row"), rows)
            .into_iter()
            .chain(errors(&format!("{name} series"), series))
            .collect();
        let kept = all.into_iter().take(MAX_ERRORS).collect();
        ReadErrors::new("d.csv", kept, rows, rows + series)
    }

    fn messages(d: &Diagnostics) -> Vec<String> {
        d.iter().map(|d| d.message.clone()).collect()
    }

    #[test]
    fn parts_merged_list_what_the_whole_files_reading_lists() {
        // Every way of splitting rows' and series' errors between two parts, the whole
        // reading listing all rows' errors before any series'.
        for (a_rows, a_series, b_rows, b_series) in [
            (0, 0, 1, 1),
            (2, 3, 4, 5),
            (30, 30, 30, 30),
            (49, 2, 0, 60),
            (0, 60, 0, 60),
            (60, 60, 1, 1),
            (10, 45, 39, 10),
        ] {
            let mut merged = reading("a", a_rows, a_series);
            merged.merge(reading("b", b_rows, b_series));
            let whole: Vec<Diagnostic> = errors("a row", a_rows)
                .into_iter()
                .chain(errors("b row", b_rows))
                .chain(errors("a series", a_series))
                .chain(errors("b series", b_series))
                .collect();
            let count = whole.len();
            let kept: Vec<Diagnostic> = whole.into_iter().take(MAX_ERRORS).collect();
            let of_rows = a_rows + b_rows;
            let expected = ReadErrors::new("d.csv", kept, of_rows, count).into_diagnostics();
            assert_eq!(
                messages(&merged.into_diagnostics()),
                messages(&expected),
                "{a_rows} {a_series} {b_rows} {b_series}"
            );
        }
    }

    #[test]
    fn errors_past_the_most_listed_are_counted() {
        let listed = reading("a", 70, 5).into_diagnostics();
        assert_eq!(listed.0.len(), MAX_ERRORS + 1);
        assert_eq!(listed.0[MAX_ERRORS].message, "25 more errors not shown");
        assert_eq!(reading("a", 3, 4).into_diagnostics().0.len(), 7);
    }
}
