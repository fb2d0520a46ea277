//! The plain rows of a series taken straight from a batch's typed values: after a row that
//! went into its series with nothing else to record, the rows after it of the same
//! organisation and indicator (by their text ids) are checked as [`Reading::clean_row`]
//! checks a row, from their values as the file holds them (a period's text parsed once, a
//! double or an integer as it is), and pushed into the series; the first that is not plain,
//! or whose fields the reading takes from text (a float, a number held as text), is left to
//! the reading of every field ([`super::hand_on`]).
//!
//! [`Reading::clean_row`]: crate::data::Reading

use crate::data::{Reading, Row, plain_value, row_numbers};
use crate::kpiset::{Indicator, ValueType};
use crate::number::check;
use crate::period::Period;

use super::{Batch, Kind, RowsOut, Values, cached, day_period, decimals_of};

/// A number or date column of a batch as the plain rows read it.
struct Typed<'b> {
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
    /// One the plain rows do not read (text, a float).
    Other,
}

impl<'b> Typed<'b> {
    fn of(b: Option<&'b Batch>, date: bool) -> Typed<'b> {
        let Some(b) = b else {
            return Typed {
                values: Num::Absent,
                def: &[],
                max_def: 0,
                next: 0,
            };
        };
        let values = match &b.values {
            Values::Double(v) if !date => Num::Double(v),
            Values::Int64(v) if !date => Num::Int64(v),
            Values::Int32(v) if date == (b.col.kind == Kind::Date) => Num::Int32(v),
            _ => Num::Other,
        };
        Typed {
            values,
            def: &b.def,
            max_def: b.col.max_def,
            next: b.next,
        }
    }

    /// Row `i`'s value as a double (`None` when empty), and where the next row's is; `Err`
    /// for a value the plain rows do not read.
    #[inline(always)]
    fn at(&self, i: usize) -> Result<(Option<f64>, usize), ()> {
        let present = self.max_def == 0 || self.def.get(i) == Some(&self.max_def);
        let k = self.next;
        let v = match (self.values, present) {
            (Num::Absent, _) => return Ok((None, k)),
            (Num::Other, _) => return Err(()),
            (_, false) => return Ok((None, k)),
            (Num::Double(v), true) => v.get(k).copied(),
            (Num::Int64(v), true) => v.get(k).map(|&v| v as f64),
            (Num::Int32(v), true) => v.get(k).map(|&v| f64::from(v)),
        };
        Ok((Some(v.ok_or(())?), k + 1))
    }

    /// Row `i`'s date (days since 1970-01-01), and where the next row's is.
    #[inline(always)]
    fn day(&self, i: usize) -> Option<(i32, usize)> {
        let present = self.max_def == 0 || self.def.get(i) == Some(&self.max_def);
        match (self.values, present) {
            (Num::Int32(v), true) => Some((*v.get(self.next)?, self.next + 1)),
            _ => None,
        }
    }
}

/// Takes the plain rows from row `from` of the batches (all read) of the series the row
/// before went into, for as long as they come; the index of the first row not taken.
pub(super) fn take(
    batches: &mut [Option<Batch>],
    from: usize,
    want: usize,
    reading: &mut Reading<'_>,
    out: &mut RowsOut<'_>,
) -> usize {
    let (Some((org, ind_id)), Some(ind)) = (out.clean, out.clean_ind) else {
        return from;
    };
    let Some((_, series)) = &mut reading.current else {
        return from;
    };
    let ids = |c: usize| match &batches[c] {
        Some(Batch {
            values: Values::Ids(ids),
            ..
        }) => Some(&ids[..]),
        _ => None,
    };
    let (Some(orgs), Some(inds)) = (ids(0), ids(1)) else {
        return from;
    };
    let period_ids = ids(2);
    let mut period_days = Typed::of(batches[2].as_ref(), true);
    let mut nums = [3, 4, 5].map(|c| Typed::of(batches[c].as_ref(), false));
    let mut i = from;
    while i < want.min(orgs.len()).min(inds.len()) && orgs[i] == org && inds[i] == ind_id {
        let line = out.line + 1;
        let period = match period_ids {
            Some(p) => {
                let Some(text) = p.get(i).and_then(|&id| Some((id, out.texts[2].get(id)?))) else {
                    break;
                };
                match cached(&mut out.periods, text.0, || Period::parse(text.1).ok()) {
                    Some(p) => (p, period_days.next),
                    None => break,
                }
            }
            None => match period_days
                .day(i)
                .and_then(|(d, n)| Some((day_period(d)?, n)))
            {
                Some(p) => p,
                None => break,
            },
        };
        let (Ok(v), Ok(n), Ok(d)) = (nums[0].at(i), nums[1].at(i), nums[2].at(i)) else {
            break;
        };
        let places = || match (nums[0].values, v.0) {
            (Num::Double(_), Some(value)) => decimals_of(value),
            _ => Some(0),
        };
        let Some(row) = plain_row(ind, period.0, (v.0, n.0, d.0), places, line) else {
            break;
        };
        series.push(row);
        reading.rows_read += 1;
        reading.rows_kept += 1;
        out.line = line;
        period_days.next = period.1;
        (nums[0].next, nums[1].next, nums[2].next) = (v.1, n.1, d.1);
        i += 1;
    }
    // Where the rows not taken read on from.
    for (c, next) in [
        (2, period_days.next),
        (3, nums[0].next),
        (4, nums[1].next),
        (5, nums[2].next),
    ] {
        if let Some(b) = batches[c]
            .as_mut()
            .filter(|b| !matches!(b.values, Values::Ids(_)))
        {
            b.next = next;
        }
    }
    i
}

/// What [`Reading::clean_row`] makes of a row of `ind` of this period and these numbers
/// (`places` gives the value's decimal places as written, `None` when they cannot be told
/// without writing it), each number as reading its text would give (not yet checked);
/// `None` for a row that is not plain. The same checks in the same order.
///
/// [`Reading::clean_row`]: crate::data::Reading
#[inline(always)]
fn plain_row(
    ind: &Indicator,
    period: Period,
    (value, numerator, denominator): (Option<f64>, Option<f64>, Option<f64>),
    places: impl FnOnce() -> Option<i32>,
    line: u64,
) -> Option<Row> {
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
    let value = plain_value(value, computed, places)?;
    Some(Row {
        period,
        value,
        numerator,
        denominator,
        line,
    })
}
