//! The plain rows of a series taken straight from a batch's typed values: after a row that
//! went into its series with nothing else to record, the rows after it of the same
//! organisation and indicator (by their text ids) are checked as [`Reading::clean_row`]
//! checks a row, from their values as the file holds them (a period's text parsed once, a
//! double or an integer as it is), and pushed into the series; the first that is not plain,
//! or whose fields the reading takes from text (a float, a number held as text), is left to
//! the reading of every field ([`super::hand_on`]). The run is read by column and added to
//! its series at once. Used where the batch's plain rows were not found beforehand
//! ([`super::prepared`]): a file read on one core, or for some organisations only.
//!
//! [`Reading::clean_row`]: crate::data::Reading

use std::ops::Range;

use crate::data::{Reading, plain_value, row_numbers};
use crate::kpiset::{Indicator, ValueType};
use crate::number::{MAX_MAGNITUDE, check};
use crate::observations::Run;
use crate::period::{Period, PeriodType};

use super::decimal_time::exact_decimal;
use super::{Batch, Kind, RowsOut, Slot, Values, agrees_to_places, cached, day_period};

/// A number or date column of a batch as the plain rows read it.
pub(super) struct Typed<'b> {
    values: Num<'b>,
    /// Definition levels (empty when the column is required), and the level of a value.
    def: &'b [i16],
    max_def: i16,
    /// The next value to take, as [`Batch::advance`] counts.
    next: usize,
}

/// A column's values.
#[derive(Clone, Copy)]
enum Num<'b> {
    /// No such column: every row's is empty.
    Absent,
    Double(&'b [f64]),
    Int64(&'b [i64]),
    Int32(&'b [i32]),
    /// Decimals of the given places, as their digits.
    Decimal32(&'b [i32], u8),
    Decimal64(&'b [i64], u8),
    Decimal128(&'b [i128], u8),
    /// One the plain rows do not read (text, a float, a decimal of over 22 places).
    Other,
}

/// How a value column's decimal places are known, which a value that differs from the one
/// its counts give may differ by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Places {
    /// A double's: those of its shortest decimal, which `{}` writes.
    Shortest,
    /// An integer's (0) or a decimal's (its scale): those its text is written with.
    Fixed(i32),
}

impl<'b> Typed<'b> {
    /// Column `b` (a number column, or with `date` the period column) from its next value.
    pub(super) fn of(b: Option<&'b Batch>, date: bool) -> Typed<'b> {
        let Some(b) = b else {
            return Typed {
                values: Num::Absent,
                def: &[],
                max_def: 0,
                next: 0,
            };
        };
        // By the column's kind too: decimals and timestamps are held as integers.
        let values = match (&b.values, b.col.kind) {
            (Values::Double(v), Kind::Double) if !date => Num::Double(v),
            (Values::Int64(v), Kind::Int64) if !date => Num::Int64(v),
            (Values::Int32(v), Kind::Int32) if !date => Num::Int32(v),
            (Values::Int32(v), Kind::Date) if date => Num::Int32(v),
            (Values::Int32(v), Kind::Decimal { scale }) if !date && scale <= MOST_PLACES => {
                Num::Decimal32(v, scale)
            }
            (Values::Int64(v), Kind::Decimal { scale }) if !date && scale <= MOST_PLACES => {
                Num::Decimal64(v, scale)
            }
            (Values::Wide(v), Kind::Decimal { scale }) if !date && scale <= MOST_PLACES => {
                Num::Decimal128(v, scale)
            }
            _ => Num::Other,
        };
        Typed {
            values,
            def: &b.def,
            max_def: b.col.max_def,
            next: b.next,
        }
    }

    /// The numbers of `rows` by row into `out` (emptied first; `None` for an empty one),
    /// each as a double, as far as the column holds them; `false` for a column the plain
    /// rows do not read.
    pub(super) fn gather(&self, rows: Range<usize>, out: &mut Vec<Option<f64>>) -> bool {
        out.clear();
        match self.values {
            Num::Absent => out.resize(rows.len(), None),
            Num::Other => return false,
            Num::Double(v) => self.spread(rows, v, |&x| x, out),
            Num::Int64(v) => self.spread(rows, v, |&x| x as f64, out),
            Num::Int32(v) => self.spread(rows, v, |&x| f64::from(x), out),
            // NaN where the division would not be the text's number: the row is then not
            // plain, and the reading of every field reads its text.
            Num::Decimal32(v, scale) => self.spread(rows, v, |&x| decimal(x, scale), out),
            Num::Decimal64(v, scale) => self.spread(rows, v, |&x| decimal(x, scale), out),
            Num::Decimal128(v, scale) => self.spread(rows, v, |&x| decimal(x, scale), out),
        }
        true
    }

    /// [`Typed::gather`] of values of type `T`, each made a double by `f`.
    #[inline(always)]
    fn spread<T>(
        &self,
        rows: Range<usize>,
        values: &[T],
        f: impl Fn(&T) -> f64,
        out: &mut Vec<Option<f64>>,
    ) {
        let mut k = self.next;
        if self.max_def == 0 {
            // Required: one value a row.
            let there = values.get(k..).unwrap_or_default();
            out.extend(there.iter().take(rows.len()).map(|x| Some(f(x))));
            return;
        }
        let levels = self.def.get(rows).unwrap_or_default();
        // By runs of rows all with a number or all without (a series' rows have the same
        // columns, as a rule), each added at once.
        let max = self.max_def;
        let mut at = 0;
        while at < levels.len() {
            let present = levels[at] == max;
            let run = run_of(&levels[at..], max, present);
            if !present {
                out.resize(out.len() + run, None);
            } else {
                let there = values.get(k..).unwrap_or_default();
                out.extend(there.iter().take(run).map(|x| Some(f(x))));
                if there.len() < run {
                    // Fewer values than rows with one: the rows stop at the first without.
                    return;
                }
                k += run;
            }
            at += run;
        }
    }

    /// The column from row `row` of the batch on (when its next value is row 0's).
    pub(super) fn at_row(mut self, row: usize) -> Typed<'b> {
        self.next = self.next_after(0..row);
        self
    }

    /// How the values' decimal places are known.
    pub(super) fn places(&self) -> Places {
        match self.values {
            Num::Double(_) => Places::Shortest,
            Num::Decimal32(_, scale) | Num::Decimal64(_, scale) | Num::Decimal128(_, scale) => {
                Places::Fixed(i32::from(scale))
            }
            _ => Places::Fixed(0),
        }
    }

    /// Where the next value is once `rows` (from the row the next value is of) are taken.
    pub(super) fn next_after(&self, rows: Range<usize>) -> usize {
        match self.values {
            Num::Absent | Num::Other => self.next,
            _ if self.max_def == 0 => self.next + rows.len(),
            _ => {
                let levels = self.def.get(rows).unwrap_or_default();
                self.next + count_of(levels, self.max_def)
            }
        }
    }

    /// The dates of `rows` (days since 1970-01-01) by row into `out`, up to the first that
    /// is empty.
    pub(super) fn days(&self, rows: Range<usize>, out: &mut Vec<Option<f64>>) {
        out.clear();
        if let Num::Int32(v) = self.values {
            self.spread(rows, v, |&x| f64::from(x), out);
        }
        if let Some(empty) = out.iter().position(Option::is_none) {
            out.truncate(empty);
        }
    }
}

/// Takes the plain rows from row `from` of the batches (all read) of the series the row
/// before went into, for as long as they come; the index of the first row not taken. The
/// run of rows of that series is read by column (periods, then each number), checked row
/// by row as far as the rows are plain, and added to the series at once.
pub(super) fn take(
    batches: &mut [Option<Batch>],
    from: usize,
    want: usize,
    reading: &mut Reading<'_>,
    out: &mut RowsOut<'_>,
) -> usize {
    let Some(ind) = out.clean_ind else {
        return from;
    };
    let Some((kind, end)) = carried_on(batches, from, want, reading, out) else {
        return from;
    };
    let rows = from..end;
    let ids = |c: usize| batches[c].as_ref().and_then(Batch::text_ids);
    let period_ids = ids(2).map(|p| &p[rows.clone()]);
    let days = Typed::of(batches[2].as_ref(), true);
    let nums = [3, 4, 5].map(|c| Typed::of(batches[c].as_ref(), false));
    let mut run = std::mem::take(&mut out.run);
    run.clear();
    periods(period_ids, &days, rows.clone(), kind, &mut run, out);
    let mut given = std::mem::take(&mut out.given);
    let read = nums[0].gather(rows.clone(), &mut given)
        && nums[1].gather(rows.clone(), &mut run.numerators)
        && nums[2].gather(rows.clone(), &mut run.denominators);
    if read {
        values(ind, &given, nums[0].places(), &mut run);
    }
    let taken = run.values.len();
    if let Some(series) = reading.series.current().filter(|_| taken > 0) {
        series.extend_run(kind, run.part(0..taken), out.line + 1);
        reading.rows_read += taken as u64;
        reading.rows_kept += taken as u64;
        out.line += taken as u64;
    }
    skip_taken(batches, from..from + taken);
    (out.run, out.given) = (run, given);
    from + taken
}

/// The places a decimal's value is read with straight from its digits: as many as a
/// double's powers of ten hold exactly.
const MOST_PLACES: u8 = 22;

/// A decimal's digits `x` with `scale` places as the number its text reads as (see
/// [`exact_decimal`]), NaN where that is not exactly it.
#[inline(always)]
fn decimal<T: Copy + Into<i128>>(x: T, scale: u8) -> f64 {
    exact_decimal(x.into(), scale).unwrap_or(f64::NAN)
}

/// The period starts of `rows` into `run`, as far as each row's period is read and of the
/// series' period type `kind`: from the period texts' ids `ids` (of those rows) when the
/// column is text, else from the dates.
fn periods(
    ids: Option<&[u32]>,
    days: &Typed<'_>,
    rows: Range<usize>,
    kind: PeriodType,
    run: &mut Run,
    out: &mut RowsOut<'_>,
) {
    match ids {
        Some(ids) => {
            for &id in ids {
                match period_of(id, out) {
                    Some(p) if p.kind == kind => run.starts.push(p.start),
                    // The reading of every field takes it.
                    _ => return,
                }
            }
        }
        None => {
            let mut dates = std::mem::take(&mut out.given);
            days.days(rows, &mut dates);
            for &d in &dates {
                match d.and_then(|d| day_period(d as i32)) {
                    Some(p) if p.kind == kind => run.starts.push(p.start),
                    _ => break,
                }
            }
            out.given = dates;
        }
    }
}

/// The value each row keeps into `run` (whose numerators and denominators are the rows'),
/// given the values as written, `given`, up to the first row that is not plain.
fn values(ind: &Indicator, given: &[Option<f64>], places: Places, run: &mut Run) {
    let rows = run.starts.len().min(given.len());
    let counts = run.numerators.iter().zip(&run.denominators);
    for (&v, (&numerator, &denominator)) in given[..rows].iter().zip(counts) {
        let Some(value) = kept_value(ind, v, (numerator, denominator), places) else {
            return;
        };
        run.values.push(value);
    }
}

/// The value a row of `ind` keeps when it is plain (`None` when it is not), from its value
/// as written, `given` (whose decimal places are known as `places`), and its numerator and
/// denominator.
#[inline(always)]
pub(super) fn row_value(
    ind: &Indicator,
    given: Option<f64>,
    (numerator, denominator): (Option<f64>, Option<f64>),
    places: Places,
) -> Option<f64> {
    if let (Some(v), None, None) = (given, numerator, denominator)
        && (0.0..=MAX_MAGNITUDE).contains(&v)
    {
        // The usual row without counts: its value, a number of 0 or more, is kept as it
        // is (what `plain_numbers` finds, without the steps that cannot fail).
        return Some(v);
    }
    plain_numbers(ind, (given, numerator, denominator), places)
}

/// The values of rows with no counts (every numerator and denominator `None`) and a value
/// each from 0 to [`MAX_MAGNITUDE`], appended to `out`: what [`row_value`] gives each such
/// row, told for them all in one loop without a branch a row (in vector lanes); `false`,
/// appending none, when any row is otherwise (the rows are then each checked).
pub(super) fn without_counts(
    given: &[Option<f64>],
    (numerators, denominators): (&[Option<f64>], &[Option<f64>]),
    out: &mut Vec<f64>,
) -> bool {
    let rows = given.iter().zip(numerators).zip(denominators);
    let plain = rows.fold(true, |all, ((v, n), d)| {
        let kept = v.is_some_and(|v| (0.0..=MAX_MAGNITUDE).contains(&v));
        all & kept & n.is_none() & d.is_none()
    });
    let same = given.len() == numerators.len() && given.len() == denominators.len();
    if plain && same {
        out.extend(given.iter().map(|v| v.unwrap_or_default()));
    }
    plain && same
}

/// [`row_value`] of a row, with the usual row that has a value and both counts (each from
/// 0 to [`MAX_MAGNITUDE`], the denominator above 0) told without the steps that cannot fail
/// for it: no number is NaN, too large or negative, so the computed value is `m × n / d`
/// checked, and the row is plain when the value agrees with it as [`plain_numbers`] finds.
/// Any other row is checked by [`row_value`].
#[inline(always)]
pub(super) fn kept_value(
    ind: &Indicator,
    given: Option<f64>,
    (numerator, denominator): (Option<f64>, Option<f64>),
    places: Places,
) -> Option<f64> {
    let usual = |x: f64| (0.0..=MAX_MAGNITUDE).contains(&x);
    if let (Some(v), Some(n), Some(d)) = (given, numerator, denominator)
        && usual(v)
        && usual(n)
        && usual(d)
        && d > 0.0
    {
        // As `row_numbers` computes it; beyond the range (a tiny denominator) it is worded
        // there, and the row is not plain.
        let Ok(c) = check(ind.multiplier.unwrap_or(1.0) * n / d) else {
            return None;
        };
        return match places {
            Places::Shortest => {
                let off = (v - c).abs();
                (off <= 1e-9 || agrees_to_places(v, off)).then_some(c)
            }
            Places::Fixed(places) => plain_value(Some(v), Some(c), || Some(places)),
        };
    }
    row_value(ind, given, (numerator, denominator), places)
}

/// The period type of the series the row before went into (a row with nothing to record
/// but itself), and the end of the run of rows from `from` (before `want`) of its
/// organisation and indicator; `None` when no series is being carried on.
pub(super) fn carried_on(
    batches: &[Option<Batch>],
    from: usize,
    want: usize,
    reading: &mut Reading<'_>,
    out: &RowsOut<'_>,
) -> Option<(PeriodType, usize)> {
    let (org, ind) = out.clean?;
    let kind = reading.series.current()?.kind()?;
    let ids = |c: usize| batches[c].as_ref().and_then(Batch::text_ids);
    Some((kind, run_end(ids(0)?, ids(1)?, from, want, (org, ind))))
}

/// Moves the number and date columns' next values past `rows`, taken straight into their
/// series, for the rows after them.
pub(super) fn skip_taken(batches: &mut [Option<Batch>], rows: Range<usize>) {
    for (c, batch) in batches.iter_mut().enumerate().skip(2) {
        let next = Typed::of(batch.as_ref(), c == 2).next_after(rows.clone());
        if let Some(b) = batch
            .as_mut()
            .filter(|b| !matches!(b.values, Values::Ids(_)))
        {
            b.next = next;
        }
    }
}

/// The end of the run of rows from `from` (before `want`) of the organisation and indicator
/// ids `series`.
#[inline]
pub(super) fn run_end(
    orgs: &[u32],
    inds: &[u32],
    from: usize,
    want: usize,
    series: (u32, u32),
) -> usize {
    let end = want.min(orgs.len()).min(inds.len());
    let (orgs, inds) = (&orgs[from.min(end)..end], &inds[from.min(end)..end]);
    // By blocks, each told without a branch a row (in vector lanes): a series' rows are
    // many.
    let mut same = 0;
    for (o, i) in orgs.chunks_exact(BLOCK).zip(inds.chunks_exact(BLOCK)) {
        let all = o.iter().zip(i).fold(true, |all, (&o, &i)| {
            all & (o == series.0) & (i == series.1)
        });
        if !all {
            break;
        }
        same += BLOCK;
    }
    from + same
        + orgs[same..]
            .iter()
            .zip(&inds[same..])
            .position(|(&o, &i)| (o, i) != series)
            .unwrap_or(orgs.len() - same)
}

/// The rows a block of [`run_end`] and [`run_of`].
const BLOCK: usize = 16;

/// How many of `levels` from the first are, as the first is, `max` when `present` (or not
/// when not): found by blocks, each told without a branch a level (in vector lanes).
fn run_of(levels: &[i16], max: i16, present: bool) -> usize {
    let mut same = 0;
    for block in levels.chunks_exact(BLOCK) {
        if !block
            .iter()
            .fold(true, |all, &l| all & ((l == max) == present))
        {
            break;
        }
        same += BLOCK;
    }
    same + levels[same..]
        .iter()
        .position(|&l| (l == max) != present)
        .unwrap_or(levels.len() - same)
}

/// The period of the period text of id `id`, parsed the first time it is met.
#[inline(always)]
fn period_of(id: u32, out: &mut RowsOut<'_>) -> Option<Period> {
    if let Some(Slot::Found(p)) = out.periods.get(id as usize) {
        return *p;
    }
    let text = out.texts[2].get(id)?;
    cached(&mut out.periods, id, || Period::parse(text).ok())
}

/// The value [`Reading::clean_row`] keeps for a row of `ind` with these numbers (`places`
/// gives the value's decimal places as written, `None` when they cannot be told without
/// writing it), each number as reading its text would give (not yet checked); `None` for a
/// row that is not plain. The same checks in the same order.
///
/// [`Reading::clean_row`]: crate::data::Reading
#[inline(always)]
fn plain_numbers(
    ind: &Indicator,
    (value, numerator, denominator): (Option<f64>, Option<f64>, Option<f64>),
    places: Places,
) -> Option<f64> {
    let checked = |v: Option<f64>| match v {
        Some(v) => check(v).ok().map(Some),
        None => Some(None),
    };
    let (value, numerator, denominator) =
        (checked(value)?, checked(numerator)?, checked(denominator)?);
    let ratio = matches!(ind.value_type, ValueType::Proportion | ValueType::Rate);
    if ratio && denominator == Some(0.0) {
        return None;
    }
    let computed = row_numbers(ind, value, numerator, denominator).ok()?;
    match (value, computed, places) {
        // A double's places are those `{}` writes, found as `plain_value` would.
        (Some(v), Some(c), Places::Shortest) => {
            let off = (v - c).abs();
            (off <= 1e-9 || agrees_to_places(v, off)).then_some(c)
        }
        // An integer has none, a decimal its scale's.
        (_, _, Places::Fixed(places)) => plain_value(value, computed, || Some(places)),
        _ => plain_value(value, computed, || Some(0)),
    }
}

/// How many of `levels` are `level`: counted in lanes of 16 bits, a block at a time, which the
/// compiler turns into vector compares (a batch's definition levels are counted over every
/// run of plain rows).
fn count_of(levels: &[i16], level: i16) -> usize {
    // At most 64 a block: the lanes' sum cannot overflow 16 bits. The last block, shorter,
    // is counted in lanes too (a run of a series' rows is rarely a multiple of 64).
    levels
        .chunks(64)
        .map(|block| usize::from(block.iter().map(|&l| u16::from(l == level)).sum::<u16>()))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Numbers of `usual`, or now and then an odd one (0, a tiny or huge one, a negative,
    /// NaN or an infinity).
    fn odd_or(usual: std::ops::Range<f64>) -> impl Strategy<Value = f64> {
        prop_oneof![
            8 => usual,
            1 => prop_oneof![
                Just(0.0),
                Just(-0.0),
                Just(1e-300),
                Just(MAX_MAGNITUDE),
                Just(2e15),
                Just(-1.0),
                Just(f64::NAN),
                Just(f64::INFINITY),
                1e14..1e15,
            ],
        ]
    }

    /// A set of a proportion (counts, × 100) and a count (no counts).
    fn test_set() -> crate::kpiset::KpiSet {
        crate::data::test_set()
    }

    proptest::proptest! {
        #[test]
        fn levels_are_counted_as_one_by_one(levels in proptest::collection::vec(0i16..3, 0..300), level in 0i16..3) {
            let one_by_one = levels.iter().filter(|&&l| l == level).count();
            proptest::prop_assert_eq!(count_of(&levels, level), one_by_one);
        }

        #[test]
        fn rows_without_counts_keep_what_each_row_keeps(
            rows in proptest::collection::vec(
                (
                    proptest::option::weighted(0.95, prop_oneof![
                        12 => 0.0..=MAX_MAGNITUDE,
                        1 => -1.0..0.0,
                        1 => MAX_MAGNITUDE..2e15,
                        1 => prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(MAX_MAGNITUDE), Just(-0.0), Just(0.0)],
                    ]),
                    proptest::option::weighted(0.03, 0.0..1e3),
                    proptest::option::weighted(0.03, 0.0..1e3),
                ),
                0..12,
            ),
            places in prop_oneof![Just(Places::Shortest), (0i32..23).prop_map(Places::Fixed)],
            ratio in proptest::bool::ANY,
        ) {
            let set = test_set();
            let ind = &set.indicators[usize::from(!ratio)];
            let given: Vec<Option<f64>> = rows.iter().map(|r| r.0).collect();
            let numerators: Vec<Option<f64>> = rows.iter().map(|r| r.1).collect();
            let denominators: Vec<Option<f64>> = rows.iter().map(|r| r.2).collect();
            let mut out = vec![7.0];
            let fast = without_counts(&given, (&numerators, &denominators), &mut out);
            let each: Vec<Option<f64>> = rows
                .iter()
                .map(|&(v, n, d)| row_value(ind, v, (n, d), places))
                .collect();
            let plain = rows.iter().all(|&(v, n, d)| n.is_none() && d.is_none() && v.is_some_and(|v| (0.0..=MAX_MAGNITUDE).contains(&v)));
            proptest::prop_assert_eq!(fast, plain);
            if fast {
                // The same values, bit for bit, as each row keeps.
                let kept: Vec<Option<u64>> = each.iter().map(|v| v.map(f64::to_bits)).collect();
                let got: Vec<Option<u64>> = out[1..].iter().map(|v| Some(v.to_bits())).collect();
                proptest::prop_assert_eq!(got, kept);
            } else {
                proptest::prop_assert_eq!(out, vec![7.0]);
            }
        }

        #[test]
        fn rows_with_counts_keep_what_row_value_keeps(
            v in proptest::option::weighted(0.95, odd_or(0.0..200.0)),
            n in proptest::option::weighted(0.95, odd_or(0.0..2e4)),
            d in proptest::option::weighted(0.95, odd_or(0.0..2e4)),
            places in prop_oneof![Just(Places::Shortest), (0i32..23).prop_map(Places::Fixed)],
            ratio in proptest::bool::ANY,
            near in proptest::bool::ANY,
        ) {
            let set = test_set();
            let ind = &set.indicators[usize::from(!ratio)];
            // Often the value its counts give, to the places a value is written to.
            let v = match (v, n, d, near) {
                (Some(_), Some(n), Some(d), true) => {
                    let c = ind.multiplier.unwrap_or(1.0) * n / d;
                    Some((c * 10.0).round() / 10.0)
                }
                _ => v,
            };
            let kept = kept_value(ind, v, (n, d), places).map(f64::to_bits);
            let each = row_value(ind, v, (n, d), places).map(f64::to_bits);
            proptest::prop_assert_eq!(kept, each);
        }

        #[test]
        fn runs_of_levels_are_found_as_one_by_one(
            runs in proptest::collection::vec((0i16..2, 1usize..40), 1..8),
            max in 0i16..3,
        ) {
            let levels: Vec<i16> = runs.iter().flat_map(|&(l, n)| std::iter::repeat_n(l, n)).collect();
            let present = levels[0] == max;
            let one_by_one = levels.iter().take_while(|&&l| (l == max) == present).count();
            proptest::prop_assert_eq!(run_of(&levels, max, present), one_by_one);
        }

        #[test]
        fn runs_of_a_series_end_as_one_by_one(
            runs in proptest::collection::vec(((0u32..2, 0u32..2), 1usize..40), 0..8),
            from in 0usize..210,
            want in 0usize..210,
            series in (0u32..2, 0u32..2),
        ) {
            let rows: Vec<(u32, u32)> = runs.iter().flat_map(|&(r, n)| std::iter::repeat_n(r, n)).collect();
            let (orgs, inds): (Vec<u32>, Vec<u32>) = rows.iter().copied().unzip();
            let end = want.min(rows.len());
            let one_by_one = from + rows[from.min(end)..end]
                .iter()
                .take_while(|&&r| r == series)
                .count();
            proptest::prop_assert_eq!(run_end(&orgs, &inds, from, want, series), one_by_one);
        }
    }
}
