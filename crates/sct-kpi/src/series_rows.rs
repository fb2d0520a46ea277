//! One series' rows as they are read, held in memory that grows with the periods kept, not
//! with the rows read: once the rows outnumber twice the periods seen so far, they are sorted
//! and each period's duplicates folded into its latest row (the one used, as a resubmission).
//! What the "duplicate rows" flag lists is kept as it goes: the first few duplicates in period
//! order and how many there were, exactly what sorting every row at the end would list.

use crate::data::{MAX_LISTED, Observation, Row};
use crate::observations::Observations;
use crate::period::{Period, PeriodType};

/// Rows past those already folded before the next fold (a series of a few dozen rows, the
/// usual, is never folded before its end).
const SLACK: usize = 64;

/// The first few items of a list, each made only if it will be shown, and how many there were.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    shown: Vec<String>,
    total: usize,
}

impl Listing {
    /// Counts one more item; `item` makes its text only while fewer than [`MAX_LISTED`] are shown.
    pub(crate) fn push_with(&mut self, item: impl FnOnce() -> String) {
        if self.shown.len() < MAX_LISTED {
            self.shown.push(item());
        }
        self.total += 1;
    }

    /// Whether nothing was counted.
    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// `what: a; b; c; and N more`, as every data-quality flag lists its items.
    pub(crate) fn message(&self, what: &str) -> String {
        crate::data::listed_of(&self.shown, self.total as u64, what)
    }
}

/// A row whose period an earlier row had: the two lines and values.
#[derive(Debug, Clone, Copy)]
struct Duplicate {
    period: Period,
    earlier_line: u64,
    earlier_value: f64,
    line: u64,
    value: f64,
}

impl Duplicate {
    fn text(&self) -> String {
        format!(
            "{} on lines {} and {}{}",
            self.period,
            self.earlier_line,
            self.line,
            if self.earlier_value == self.value {
                " (same value)".to_string()
            } else {
                format!(
                    " ({} then {}; line {} used)",
                    self.earlier_value, self.value, self.line
                )
            }
        )
    }
}

/// One series' rows, in the order they were read, folded as they come (see the module).
#[derive(Debug, Default)]
pub(crate) struct SeriesRows {
    /// A sorted prefix of one row per period (`folded` long), then rows in reading order;
    /// only rows of the first row's period type (a series with another is refused, naming
    /// the first such row, so the rest are never needed).
    rows: Observations,
    folded: usize,
    /// The first row's period type and line.
    first: Option<(PeriodType, u64)>,
    /// The first row of another period type, with its line.
    other_kind: Option<(Period, u64)>,
    /// The first [`MAX_LISTED`] duplicates by period, then by the order they were found (which
    /// within a period is reading order), with that order.
    duplicates: Vec<(Period, u64, Duplicate)>,
    /// Duplicates found.
    duplicate_count: u64,
}

/// A series' rows once read: one per period, in period order, and what was seen on the way.
pub(crate) struct Folded {
    /// One row per period, oldest first; the latest read of each period.
    pub rows: Observations,
    /// The first row's period type and line.
    pub first: (PeriodType, u64),
    /// The first row of another period type, with its line.
    pub other_kind: Option<(Period, u64)>,
    /// The rows that repeated a period.
    pub duplicates: Listing,
}

impl SeriesRows {
    /// No rows yet, with room for `n` (as many as the series before had, most likely as many
    /// as this one will: no growing, and no spare room to give back).
    pub(crate) fn with_capacity(n: usize) -> SeriesRows {
        SeriesRows {
            rows: Observations::with_capacity(n),
            ..SeriesRows::default()
        }
    }

    /// Rows held.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Adds the next row read.
    #[inline]
    pub(crate) fn push(&mut self, row: Row) {
        match self.first {
            None => self.first = Some((row.period.kind, row.line)),
            Some((kind, _)) if kind != row.period.kind => {
                if self.other_kind.is_none() {
                    self.other_kind = Some((row.period, row.line));
                }
                return;
            }
            Some(_) => {}
        }
        self.rows.push(Observation {
            period: row.period,
            value: row.value,
            numerator: row.numerator,
            denominator: row.denominator,
            line: row.line,
        });
        if self.rows.len() >= 2 * self.folded + SLACK {
            self.fold();
        }
    }

    /// The period type of the series' first row, once it has one.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn kind(&self) -> Option<PeriodType> {
        self.first.map(|(kind, _)| kind)
    }

    /// Adds the next rows read, a run of period type `kind`, the first on `first_line` and
    /// each on the line after, as [`SeriesRows::push`] of each would.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn extend_run(
        &mut self,
        kind: PeriodType,
        run: crate::observations::RunRef<'_>,
        first_line: u64,
    ) {
        if self.kind() != Some(kind) {
            for o in run.rows(kind, first_line) {
                self.push(Row {
                    period: o.period,
                    value: o.value,
                    numerator: o.numerator,
                    denominator: o.denominator,
                    line: o.line,
                });
            }
            return;
        }
        self.rows.extend_run(kind, run, first_line);
        if self.rows.len() >= 2 * self.folded + SLACK {
            self.fold();
        }
    }

    /// Sorts the rows by period (stably: reading order among a period's rows, the folded row
    /// first, since it was read before every row after it) and keeps the last of each period.
    fn fold(&mut self) {
        if self.rows.increasing_from(self.folded) {
            // Already one row per period in order (a file in series order): nothing to move.
            self.folded = self.rows.len();
            return;
        }
        let starts = self.rows.starts();
        let mut order: Vec<u32> = (0..starts.len() as u32).collect();
        order.sort_by_key(|&i| starts[i as usize]);
        let mut kept: Vec<u32> = Vec::with_capacity(order.len());
        let mut found = Vec::new();
        for &i in &order {
            match kept.last_mut() {
                Some(last) if starts[*last as usize] == starts[i as usize] => {
                    found.push((*last, i));
                    *last = i;
                }
                _ => kept.push(i),
            }
        }
        for (earlier, later) in found {
            let (earlier_value, earlier_line) = self.rows.value_and_line(earlier as usize);
            let (value, line) = self.rows.value_and_line(later as usize);
            let period = self.rows.get(later as usize).map(|o| o.period);
            if let Some(period) = period {
                self.found(Duplicate {
                    period,
                    earlier_line,
                    earlier_value,
                    line,
                    value,
                });
            }
        }
        self.rows.gather(&kept);
        self.folded = kept.len();
    }

    fn found(&mut self, d: Duplicate) {
        let key = (d.period, self.duplicate_count);
        self.duplicate_count += 1;
        let at = self
            .duplicates
            .partition_point(|(p, order, _)| (*p, *order) < key);
        if at < MAX_LISTED {
            self.duplicates.insert(at, (key.0, key.1, d));
            self.duplicates.truncate(MAX_LISTED);
        }
    }

    /// Gives back the spare room of a series put aside (its rows read, most likely all of
    /// them): a file of many short series would otherwise hold up to twice their rows.
    pub(crate) fn shrink(&mut self) {
        self.rows.shrink_to_fit();
    }

    /// The rows folded for the last time; `None` when no row was read.
    pub(crate) fn finish(mut self) -> Option<Folded> {
        let first = self.first?;
        self.fold();
        // The rows become the series' observations in place: keep no spare capacity.
        self.rows.shrink_to_fit();
        let duplicates = Listing {
            shown: self.duplicates.iter().map(|(_, _, d)| d.text()).collect(),
            total: self.duplicate_count as usize,
        };
        Some(Folded {
            rows: self.rows,
            first,
            other_kind: self.other_kind,
            duplicates,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(period: &str, value: f64, line: u64) -> Row {
        Row {
            period: Period::parse(period).unwrap(),
            value,
            numerator: None,
            denominator: None,
            line,
        }
    }

    #[test]
    fn a_series_read_many_times_over_holds_one_row_per_period() {
        let mut s = SeriesRows::default();
        let months = ["2024-04", "2024-05", "2024-06"];
        for line in 0..10_000u64 {
            s.push(row(months[(line % 3) as usize], line as f64, line + 2));
            assert!(s.rows.len() < 2 * 3 + SLACK, "{} rows held", s.rows.len());
        }
        let f = s.finish().unwrap();
        let lines: Vec<u64> = f.rows.iter().map(|r| r.line).collect();
        // The last read of each month: April on line 10,001 (the 10,000th row), May on 9,999.
        assert_eq!(lines, [10_001, 9_999, 10_000]);
        assert_eq!(f.duplicates.total, 9_997);
        assert_eq!(
            f.duplicates.shown[..2],
            [
                "2024-04 on lines 2 and 5 (0 then 3; line 5 used)",
                "2024-04 on lines 5 and 8 (3 then 6; line 8 used)"
            ]
        );
    }
}
