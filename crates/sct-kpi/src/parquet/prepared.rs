//! The plain rows of a batch found by column before its rows are handed on: those of its
//! first part on the thread that decodes it ([`super::ahead`]), the rest on the reading
//! thread ([`ahead_rows`]), which then adds runs of them to their series. A row is plain when its indicator
//! is one of the set's read from the file, its period reads, and its numbers are what
//! [`Reading::clean_row`] takes with nothing to record (no error, flag or skip); that needs
//! nothing of the rows before it. What it does need of them, that the row carries on the
//! series of the row before, in that series' period type, the reading thread checks
//! ([`take`]), and every other row goes the way it would without this.
//!
//! [`Reading::clean_row`]: crate::data::Reading

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveDate;

use crate::data::Reading;
use crate::kpiset::Indicator;
use crate::observations::Run;
use crate::period::{Period, PeriodType};

use super::plain::{Typed, carried_on, kept_value, skip_taken, without_counts};
use super::text::Texts;
use super::{Batch, RowsOut, Slot, cached, day_period};

/// How many of a batch's `rows` have their plain rows found on the decoding thread; the
/// rest the reading thread finds itself, while the decoding thread goes on to the next
/// batch. The share keeps the two threads about as busy: decoding the columns costs about
/// as much as the reading thread's adding the rows to their series (instructions counted
/// on the bench's 42 x 60 x 120 file), so each finds about half the plain rows.
pub(super) fn ahead_rows(rows: usize) -> usize {
    rows * 15 / 32
}

/// A batch's rows, each with what it puts into its series if it is plain.
pub(super) struct Prepared {
    /// By row: the period type of a plain row, `None` for any other.
    kinds: Vec<Option<PeriodType>>,
    /// By row: its period start, the value it keeps, its numerator and denominator (as
    /// read; any for a row not plain).
    run: Run,
}

impl Prepared {
    /// None yet, with room for `rows`.
    fn with_capacity(rows: usize) -> Prepared {
        Prepared {
            kinds: Vec::with_capacity(rows),
            run: Run {
                starts: Vec::with_capacity(rows),
                values: Vec::with_capacity(rows),
                numerators: Vec::with_capacity(rows),
                denominators: Vec::with_capacity(rows),
            },
        }
    }
}

/// What the thread that decodes the batches knows of the set and of the texts met: each
/// indicator text's place in the set and each period text's period, found once.
pub(super) struct Preparer<'a> {
    set: BTreeMap<&'a str, &'a Indicator>,
    indicators: Vec<Slot<Option<&'a Indicator>>>,
    periods: Vec<Slot<Option<Period>>>,
    given: Vec<Option<f64>>,
    days: Vec<Option<f64>>,
}

impl<'a> Preparer<'a> {
    /// For the set's indicators by id.
    pub(super) fn new(set: BTreeMap<&'a str, &'a Indicator>) -> Preparer<'a> {
        Preparer {
            set,
            indicators: Vec::new(),
            periods: Vec::new(),
            given: Vec::new(),
            days: Vec::new(),
        }
    }

    /// The plain rows among rows `rows` of a batch whose columns (by their place in the
    /// long form) are `batches`, just read, with the texts of its text columns.
    pub(super) fn prepare(
        &mut self,
        batches: &[Option<&Batch>; 6],
        texts: &[Texts; 6],
        rows: Range<usize>,
    ) -> Prepared {
        let mut p = Prepared::with_capacity(rows.len());
        let ids = |c: usize| batches[c]?.text_ids()?.get(rows.clone());
        let nums = [3, 4, 5].map(|c| Typed::of(batches[c], false).at_row(rows.start));
        let read = nums[0].gather(rows.clone(), &mut self.given)
            && nums[1].gather(rows.clone(), &mut p.run.numerators)
            && nums[2].gather(rows.clone(), &mut p.run.denominators);
        let Some(inds) = ids(1).filter(|_| read) else {
            return p;
        };
        let periods = ids(2);
        if periods.is_none() {
            let days = Typed::of(batches[2], true).at_row(rows.start);
            days.days(rows.clone(), &mut self.days);
        }
        let rows = rows.len();
        let places = nums[0].places();
        let n = [
            self.given.len(),
            p.run.numerators.len(),
            p.run.denominators.len(),
        ]
        .into_iter()
        .fold(rows.min(inds.len()), usize::min);
        // The periods, then the values by runs of rows of one indicator (the usual: a
        // series' rows together); each a tight loop of its own, the vectors extended by
        // column (no room checked a row).
        match periods {
            Some(ids) => self.periods_of(&ids[..n], &texts[2], &mut p),
            None => {
                let days = &self.days[..n.min(self.days.len())];
                let periods = days.iter().map(|d| d.and_then(|d| day_period(d as i32)));
                p.kinds.extend(periods.clone().map(|p| p.map(|p| p.kind)));
                p.run
                    .starts
                    .extend(periods.map(|p| p.map_or(NaiveDate::MIN, |p| p.start)));
                p.kinds.resize(n, None);
                p.run.starts.resize(n, NaiveDate::MIN);
            }
        }
        let mut i = 0;
        while i < n {
            let id = inds[i];
            let end = i + inds[i..n].iter().position(|&x| x != id).unwrap_or(n - i);
            let Some(ind) = self.indicator(id, &texts[1]) else {
                p.kinds[i..end].fill(None);
                p.run.values.resize(end, 0.0);
                i = end;
                continue;
            };
            // The usual run without counts, told at once; any other row by row.
            let counts = (&p.run.numerators[i..end], &p.run.denominators[i..end]);
            if without_counts(&self.given[i..end], counts, &mut p.run.values) {
                i = end;
                continue;
            }
            let rows = p.kinds[i..end]
                .iter_mut()
                .zip(&self.given[i..end])
                .zip(&p.run.numerators[i..end])
                .zip(&p.run.denominators[i..end]);
            p.run
                .values
                .extend(rows.map(|(((kind, &v), &numerator), &denominator)| {
                    let value = kept_value(ind, v, (numerator, denominator), places);
                    if value.is_none() {
                        *kind = None;
                    }
                    value.unwrap_or_default()
                }));
            i = end;
        }
        p
    }

    /// The period types and starts of the rows of period text ids `ids` into `p`: each
    /// text's period found once, then read by id, a column at a time.
    fn periods_of(&mut self, ids: &[u32], texts: &Texts, p: &mut Prepared) {
        let cache = &mut self.periods;
        p.kinds.extend(ids.iter().map(|&id| {
            cached(cache, id, || {
                texts.get(id).and_then(|t| Period::parse(t).ok())
            })
            .map(|p| p.kind)
        }));
        // Every id's period is known now (but a null's, which has none).
        p.run
            .starts
            .extend(ids.iter().map(|&id| match cache.get(id as usize) {
                Some(Slot::Found(Some(p))) => p.start,
                _ => NaiveDate::MIN,
            }));
    }

    /// The set's indicator (read from the file) of the indicator text of id `id`.
    #[inline]
    fn indicator(&mut self, id: u32, texts: &Texts) -> Option<&'a Indicator> {
        let set = &self.set;
        cached(&mut self.indicators, id, || {
            let text = texts.get(id)?;
            set.get(text).copied().filter(|i| i.measure.is_none())
        })
    }
}

/// Takes the plain rows from row `from` of the batches (all put in) that carry on the series
/// the row before went into, for as long as they come, as `prepared` (found for the rows
/// from row `first` on) has them; the index of the first row not taken.
pub(super) fn take(
    prepared: &Prepared,
    first: usize,
    batches: &mut [Option<Batch>],
    from: usize,
    want: usize,
    reading: &mut Reading<'_>,
    out: &mut RowsOut<'_>,
) -> usize {
    let Some(at) = from.checked_sub(first) else {
        return from;
    };
    let limit = want.min(first + prepared.kinds.len());
    // None of the rows from `from` on was prepared (the numbers are not typed, say).
    if from >= limit {
        return from;
    }
    let Some((kind, end)) = carried_on(batches, from, limit, reading, out) else {
        return from;
    };
    let taken = prepared.kinds[at..at + (end - from)]
        .iter()
        .take_while(|&&k| k == Some(kind))
        .count();
    let Some(series) = reading.series.current().filter(|_| taken > 0) else {
        return from;
    };
    series.extend_run(kind, prepared.run.part(at..at + taken), out.line + 1);
    reading.rows_read += taken as u64;
    reading.rows_kept += taken as u64;
    out.line += taken as u64;
    skip_taken(batches, from..from + taken);
    from + taken
}
