//! A series' observations stored by column rather than as a list of structs: the period type
//! once for the series (every observation of a series has the same), each period as its first
//! day (4 bytes), the value (8), the numerator and denominator only when the series has them
//! (8 each, with a bit for each one left empty), and the line (4 bytes, 8 past 4 billion
//! lines). A series of counts takes 16 bytes an observation and one of proportions 32, where a
//! list of [`Observation`]s takes 56: what lets a national extract (hundreds of millions of
//! rows) be held in memory.
//!
//! Observations are handed out by value ([`Observations::iter`], [`Observations::get`]),
//! rebuilt from their columns.

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::data::Observation;
use crate::period::{Period, PeriodType};

/// The period types of a series' observations: one for all of them (the usual, and always so
/// for a series read from data), or one each.
#[derive(Clone, Debug, Default)]
enum Kinds {
    /// No observation yet.
    #[default]
    None,
    /// Every observation's.
    One(PeriodType),
    /// Each observation's, once two differ.
    Each(Vec<PeriodType>),
}

/// An optional number of every observation: empty while none has one, else one a row, with a
/// bitmap of the rows that have none (empty while every row has one).
#[derive(Clone, Debug, Default)]
struct Optional {
    values: Vec<f64>,
    missing: Vec<u64>,
}

impl Optional {
    /// Sets row `i`'s bit in the bitmap of rows without a number.
    fn mark_missing(&mut self, i: usize) {
        let word = i / 64;
        if self.missing.len() <= word {
            self.missing.resize(word + 1, 0);
        }
        self.missing[word] |= 1 << (i % 64);
    }

    /// Adds the number of row `len` (the rows before it already added), making room for
    /// `room` rows with the first.
    #[inline(always)]
    fn push(&mut self, len: usize, v: Option<f64>, room: usize) {
        // The usual rows, on every row read: a number after numbers, or none before any.
        match v {
            Some(v) if self.values.len() == len && !self.values.is_empty() => {
                self.values.push(v);
                return;
            }
            None if self.values.is_empty() => return,
            _ => {}
        }
        self.push_other(len, v, room);
    }

    /// [`Optional::push`] of the first number, or of a missing one after numbers.
    #[inline(never)]
    fn push_other(&mut self, len: usize, v: Option<f64>, room: usize) {
        match v {
            Some(v) => {
                if self.values.is_empty() {
                    // Room for as many numbers as the other columns have rows.
                    self.values.reserve_exact(room.max(len + 1));
                }
                if self.values.len() < len {
                    // The first number of the series: the rows before it had none.
                    let from = self.values.len();
                    self.values.resize(len, 0.0);
                    (from..len).for_each(|i| self.mark_missing(i));
                }
                self.values.push(v);
            }
            None if self.values.is_empty() => {}
            None => {
                self.values.push(0.0);
                self.mark_missing(len);
            }
        }
    }

    /// Adds the numbers of rows `len` on, as [`Optional::push`] of each would.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    fn extend(&mut self, len: usize, run: &[Option<f64>], room: usize) {
        let given = run.iter().filter(|v| v.is_some()).count();
        if given == 0 && self.values.is_empty() {
            return;
        }
        if given == run.len() && len == 0 && self.values.is_empty() {
            self.values.reserve_exact(room);
        }
        if given == run.len() && self.values.len() == len && (len > 0 || given > 0) {
            self.values
                .extend(run.iter().map(|v| v.unwrap_or_default()));
        } else {
            for (k, &v) in run.iter().enumerate() {
                self.push(len + k, v, room);
            }
        }
    }

    #[inline]
    fn get(&self, i: usize) -> Option<f64> {
        let v = *self.values.get(i)?;
        let missing = self
            .missing
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0);
        (!missing).then_some(v)
    }

    /// Keeps the rows `order` names, in that order.
    fn gather(&mut self, order: &[u32]) {
        if self.values.is_empty() {
            return;
        }
        let mut out = Optional::default();
        for (k, &i) in order.iter().enumerate() {
            out.push(k, self.get(i as usize), order.len());
        }
        *self = out;
    }

    fn shrink(&mut self) {
        self.values.shrink_to_fit();
        self.missing.shrink_to_fit();
    }

    fn bytes(&self) -> usize {
        self.values.capacity() * 8 + self.missing.capacity() * 8
    }
}

/// Each observation's line: 4 bytes while every line fits in 32 bits.
#[derive(Clone, Debug)]
enum Lines {
    Short(Vec<u32>),
    Long(Vec<u64>),
}

impl Default for Lines {
    fn default() -> Self {
        Lines::Short(Vec::new())
    }
}

impl Lines {
    #[inline]
    fn push(&mut self, line: u64) {
        match self {
            Lines::Short(v) => match u32::try_from(line) {
                Ok(l) => v.push(l),
                Err(_) => {
                    let mut long: Vec<u64> = v.iter().map(|&l| u64::from(l)).collect();
                    long.push(line);
                    *self = Lines::Long(long);
                }
            },
            Lines::Long(v) => v.push(line),
        }
    }

    /// Adds the lines `first` to `first + n - 1`.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    fn extend(&mut self, first: u64, n: usize) {
        let last = first + n as u64;
        match self {
            Lines::Short(v) if u32::try_from(last).is_ok() => {
                v.extend((first as u32..).take(n));
            }
            _ => (first..last).for_each(|l| self.push(l)),
        }
    }

    #[inline]
    fn get(&self, i: usize) -> u64 {
        match self {
            Lines::Short(v) => u64::from(v[i]),
            Lines::Long(v) => v[i],
        }
    }

    fn gather(&mut self, order: &[u32]) {
        match self {
            Lines::Short(v) => *v = order.iter().map(|&i| v[i as usize]).collect(),
            Lines::Long(v) => *v = order.iter().map(|&i| v[i as usize]).collect(),
        }
    }

    fn truncate(&mut self, n: usize) {
        match self {
            Lines::Short(v) => v.truncate(n),
            Lines::Long(v) => v.truncate(n),
        }
    }

    fn shrink(&mut self) {
        match self {
            Lines::Short(v) => v.shrink_to_fit(),
            Lines::Long(v) => v.shrink_to_fit(),
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Lines::Short(v) => v.capacity() * 4,
            Lines::Long(v) => v.capacity() * 8,
        }
    }
}

/// Observations gathered by column before they are added at once
/// ([`Observations::extend_run`]): each one's period start, value, numerator and
/// denominator.
#[cfg_attr(not(feature = "parquet"), allow(dead_code))]
#[derive(Debug, Default)]
pub(crate) struct Run {
    pub(crate) starts: Vec<NaiveDate>,
    pub(crate) values: Vec<f64>,
    pub(crate) numerators: Vec<Option<f64>>,
    pub(crate) denominators: Vec<Option<f64>>,
}

#[cfg_attr(not(feature = "parquet"), allow(dead_code))]
impl Run {
    /// Empties it, keeping its room.
    pub(crate) fn clear(&mut self) {
        self.starts.clear();
        self.values.clear();
        self.numerators.clear();
        self.denominators.clear();
    }

    /// Its observations `rows`, as slices.
    pub(crate) fn part(&self, rows: std::ops::Range<usize>) -> RunRef<'_> {
        RunRef {
            starts: &self.starts[rows.clone()],
            values: &self.values[rows.clone()],
            numerators: &self.numerators[rows.clone()],
            denominators: &self.denominators[rows],
        }
    }
}

/// Observations by column, as [`Run`] holds them, borrowed: the same length each.
#[cfg_attr(not(feature = "parquet"), allow(dead_code))]
#[derive(Debug, Clone, Copy)]
pub(crate) struct RunRef<'a> {
    pub(crate) starts: &'a [NaiveDate],
    pub(crate) values: &'a [f64],
    pub(crate) numerators: &'a [Option<f64>],
    pub(crate) denominators: &'a [Option<f64>],
}

#[cfg_attr(not(feature = "parquet"), allow(dead_code))]
impl<'a> RunRef<'a> {
    /// How many observations.
    pub(crate) fn len(&self) -> usize {
        self.starts.len()
    }

    /// Its observations, of period type `kind`, the first on line `first_line`.
    pub(crate) fn rows(
        self,
        kind: PeriodType,
        first_line: u64,
    ) -> impl Iterator<Item = Observation> + 'a {
        (0..self.len()).map(move |i| Observation {
            period: Period {
                kind,
                start: self.starts[i],
            },
            value: self.values[i],
            numerator: self.numerators[i],
            denominator: self.denominators[i],
            line: first_line + i as u64,
        })
    }
}

/// A series' observations, oldest first, stored by column (see the module).
#[derive(Clone, Default)]
pub struct Observations {
    kinds: Kinds,
    starts: Vec<NaiveDate>,
    values: Vec<f64>,
    numerators: Optional,
    denominators: Optional,
    lines: Lines,
}

impl Observations {
    /// No observations.
    pub fn new() -> Observations {
        Observations::default()
    }

    /// No observations, with room for `n` (the numerators and denominators get theirs when
    /// the first is given).
    pub fn with_capacity(n: usize) -> Observations {
        Observations {
            starts: Vec::with_capacity(n),
            values: Vec::with_capacity(n),
            lines: Lines::Short(Vec::with_capacity(n)),
            ..Observations::default()
        }
    }

    /// How many observations there are.
    #[inline]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Adds an observation after the others.
    #[inline]
    pub fn push(&mut self, o: Observation) {
        let i = self.len();
        match &mut self.kinds {
            Kinds::None => self.kinds = Kinds::One(o.period.kind),
            Kinds::One(k) if *k == o.period.kind => {}
            Kinds::One(k) => {
                let mut each = vec![*k; i];
                each.push(o.period.kind);
                self.kinds = Kinds::Each(each);
            }
            Kinds::Each(each) => each.push(o.period.kind),
        }
        self.starts.push(o.period.start);
        self.values.push(o.value);
        let room = self.starts.capacity();
        self.numerators.push(i, o.numerator, room);
        self.denominators.push(i, o.denominator, room);
        self.lines.push(o.line);
    }

    /// Adds a run of observations of one period type `kind` after the others, as
    /// [`Observations::push`] of each would: the period starts, values, numerators and
    /// denominators by column, the lines `first_line` on, one a row. Columns are extended
    /// whole where they can be (the usual run: every row with a numerator and denominator,
    /// or none); otherwise row by row.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn extend_run(&mut self, kind: PeriodType, run: RunRef<'_>, first_line: u64) {
        let n = run.len();
        match &self.kinds {
            Kinds::None if n > 0 => self.kinds = Kinds::One(kind),
            Kinds::One(k) if *k == kind => {}
            Kinds::None => {}
            _ => {
                // Another period type among them: row by row, which records it.
                run.rows(kind, first_line).for_each(|o| self.push(o));
                return;
            }
        }
        let len = self.len();
        let room = self.starts.capacity().max(len + n);
        self.starts.extend_from_slice(run.starts);
        self.values.extend_from_slice(run.values);
        self.numerators.extend(len, run.numerators, room);
        self.denominators.extend(len, run.denominators, room);
        self.lines.extend(first_line, n);
    }

    /// The period of observation `i` (which must exist).
    #[inline]
    fn period(&self, i: usize) -> Period {
        let kind = match &self.kinds {
            Kinds::One(k) => *k,
            Kinds::Each(each) => each[i],
            Kinds::None => PeriodType::Day,
        };
        Period {
            kind,
            start: self.starts[i],
        }
    }

    /// Observation `i`, if there is one.
    #[inline]
    pub fn get(&self, i: usize) -> Option<Observation> {
        (i < self.len()).then(|| Observation {
            period: self.period(i),
            value: self.values[i],
            numerator: self.numerators.get(i),
            denominator: self.denominators.get(i),
            line: self.lines.get(i),
        })
    }

    /// The oldest observation.
    pub fn first(&self) -> Option<Observation> {
        self.get(0)
    }

    /// The latest observation.
    pub fn last(&self) -> Option<Observation> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    /// The latest period, without building the observation.
    pub fn last_period(&self) -> Option<Period> {
        self.len().checked_sub(1).map(|i| self.period(i))
    }

    /// The observations, oldest first.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            of: self,
            front: 0,
            back: self.len(),
        }
    }

    /// The periods, oldest first.
    pub fn periods(&self) -> impl DoubleEndedIterator<Item = Period> + ExactSizeIterator + '_ {
        (0..self.len()).map(|i| self.period(i))
    }

    /// The values used, oldest first.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The observations as a list.
    pub fn to_vec(&self) -> Vec<Observation> {
        self.iter().collect()
    }

    /// Bytes of memory the observations hold (their columns' capacity).
    pub fn heap_bytes(&self) -> usize {
        let kinds = match &self.kinds {
            Kinds::Each(e) => e.capacity(),
            _ => 0,
        };
        kinds
            + self.starts.capacity() * 4
            + self.values.capacity() * 8
            + self.numerators.bytes()
            + self.denominators.bytes()
            + self.lines.bytes()
    }

    /// Gives back spare capacity.
    pub fn shrink_to_fit(&mut self) {
        if let Kinds::Each(e) = &mut self.kinds {
            e.shrink_to_fit();
        }
        self.starts.shrink_to_fit();
        self.values.shrink_to_fit();
        self.numerators.shrink();
        self.denominators.shrink();
        self.lines.shrink();
    }

    /// Whether the observations from `from` on (of one period type) are in strictly
    /// increasing period order after the one before `from`.
    pub(crate) fn increasing_from(&self, from: usize) -> bool {
        let from = from.saturating_sub(1);
        matches!(self.kinds, Kinds::None | Kinds::One(_))
            && self.starts[from.min(self.starts.len())..]
                .windows(2)
                .all(|w| w[0] < w[1])
    }

    /// The value and line of observation `i` (which must exist).
    pub(crate) fn value_and_line(&self, i: usize) -> (f64, u64) {
        (self.values[i], self.lines.get(i))
    }

    /// Keeps the observations `order` names, in that order.
    pub(crate) fn gather(&mut self, order: &[u32]) {
        if let Kinds::Each(each) = &mut self.kinds {
            *each = order.iter().map(|&i| each[i as usize]).collect();
        }
        self.starts = order.iter().map(|&i| self.starts[i as usize]).collect();
        self.values = order.iter().map(|&i| self.values[i as usize]).collect();
        self.numerators.gather(order);
        self.denominators.gather(order);
        self.lines.gather(order);
        if order.is_empty() {
            self.kinds = Kinds::None;
        }
    }

    /// Drops every observation after the first `n`.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn truncate(&mut self, n: usize) {
        if n >= self.len() {
            return;
        }
        let order: Vec<u32> = (0..n as u32).collect();
        if n == 0 {
            *self = Observations::default();
            return;
        }
        self.starts.truncate(n);
        self.values.truncate(n);
        self.lines.truncate(n);
        if let Kinds::Each(each) = &mut self.kinds {
            each.truncate(n);
        }
        self.numerators.gather(&order);
        self.denominators.gather(&order);
    }

    /// Whether any observation has a numerator above its denominator (both given).
    pub(crate) fn any_numerator_above_denominator(&self) -> bool {
        let (n, d) = (&self.numerators, &self.denominators);
        if n.values.is_empty() || d.values.is_empty() {
            return false;
        }
        let none_missing = n.missing.is_empty() && d.missing.is_empty();
        if none_missing {
            // The usual: every row has both, compared straight from the columns.
            return n.values.iter().zip(&d.values).any(|(n, d)| n > d);
        }
        (0..self.len()).any(|i| matches!((n.get(i), d.get(i)), (Some(n), Some(d)) if n > d))
    }

    /// The period type of every observation, when they all have one (and there are some).
    pub(crate) fn one_kind(&self) -> Option<PeriodType> {
        match self.kinds {
            Kinds::One(kind) => Some(kind),
            _ => None,
        }
    }

    /// Each observation's first day, oldest first.
    pub(crate) fn starts(&self) -> &[NaiveDate] {
        &self.starts
    }
}

/// The observations of a series by value, oldest first.
#[derive(Clone)]
pub struct Iter<'a> {
    of: &'a Observations,
    front: usize,
    back: usize,
}

impl Iterator for Iter<'_> {
    type Item = Observation;

    #[inline]
    fn next(&mut self) -> Option<Observation> {
        if self.front >= self.back {
            return None;
        }
        self.front += 1;
        self.of.get(self.front - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }

    fn nth(&mut self, n: usize) -> Option<Observation> {
        self.front = self.front.saturating_add(n).min(self.back);
        self.next()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Observation> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.of.get(self.back)
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Observations {
    type Item = Observation;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl FromIterator<Observation> for Observations {
    fn from_iter<I: IntoIterator<Item = Observation>>(iter: I) -> Self {
        let mut o = Observations::default();
        iter.into_iter().for_each(|x| o.push(x));
        o
    }
}

impl From<Vec<Observation>> for Observations {
    fn from(v: Vec<Observation>) -> Self {
        v.into_iter().collect()
    }
}

impl PartialEq for Observations {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Observations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Serialised as the list of observations it holds.
impl Serialize for Observations {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(period: &str, value: f64, n: Option<f64>, d: Option<f64>, line: u64) -> Observation {
        Observation {
            period: Period::parse(period).unwrap(),
            value,
            numerator: n,
            denominator: d,
            line,
        }
    }

    #[test]
    fn observations_come_back_as_they_were_pushed() {
        let list = vec![
            obs("2024-04", 1.0, None, None, 2),
            obs("2024-05", 2.0, Some(3.0), None, 3),
            obs("2024-06", -0.0, None, Some(4.0), u64::from(u32::MAX) + 7),
            obs("2024/25", f64::NAN, Some(f64::NAN), Some(0.0), 9),
            obs("2024-07", 5.0, None, None, 10),
        ];
        let o: Observations = list.clone().into();
        assert_eq!(o.len(), 5);
        let back = o.to_vec();
        assert_eq!(format!("{back:?}"), format!("{list:?}"));
        assert_eq!(
            o.iter().rev().map(|x| x.line).collect::<Vec<_>>(),
            [10, 9, u64::from(u32::MAX) + 7, 3, 2]
        );
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            serde_json::to_string(&list).unwrap()
        );
        let mut t = o.clone();
        t.truncate(2);
        assert_eq!(t.to_vec(), list[..2].to_vec());
    }

    proptest::proptest! {
        #[test]
        fn a_run_added_at_once_is_its_rows_pushed_one_by_one(
            before in proptest::collection::vec((0u8..3, 0u8..3), 0..70),
            runs in proptest::collection::vec(proptest::collection::vec((0u8..3, 0u8..3), 0..70), 1..4),
            kinds in proptest::collection::vec(0u8..3, 1..4),
            first_line in proptest::prop_oneof![0u64..100, (u64::from(u32::MAX) - 80)..(u64::from(u32::MAX) + 5)],
        ) {
            // Numerators and denominators given, missing or mixed, before and within runs,
            // runs of the period type before them or of another.
            let number = |n: u8, i: usize| match n {
                0 => None,
                1 => Some(i as f64),
                _ => Some(-(i as f64) - 0.5),
            };
            let kind = |k: u8| [PeriodType::Month, PeriodType::Quarter, PeriodType::Day][k as usize];
            let mut one_by_one = Observations::new();
            let mut at_once = Observations::new();
            let mut line = first_line;
            for (i, &(n, d)) in before.iter().enumerate() {
                let o = Observation {
                    period: Period { kind: PeriodType::Month, start: NaiveDate::from_num_days_from_ce_opt(700_000 + i as i32).unwrap() },
                    value: i as f64,
                    numerator: number(n, i),
                    denominator: number(d, i),
                    line,
                };
                one_by_one.push(o.clone());
                at_once.push(o);
                line += 1;
            }
            for (r, rows) in runs.iter().enumerate() {
                let k = kind(kinds[r % kinds.len()]);
                let mut run = Run::default();
                for (i, &(n, d)) in rows.iter().enumerate() {
                    run.starts.push(NaiveDate::from_num_days_from_ce_opt(800_000 + i as i32).unwrap());
                    run.values.push(i as f64 * 0.5);
                    run.numerators.push(number(n, i));
                    run.denominators.push(number(d, i));
                }
                let run = run.part(0..rows.len());
                run.rows(k, line).for_each(|o| one_by_one.push(o));
                at_once.extend_run(k, run, line);
                line += rows.len() as u64;
            }
            proptest::prop_assert_eq!(format!("{:?}", at_once.to_vec()), format!("{:?}", one_by_one.to_vec()));
        }
    }

    #[test]
    fn a_series_of_counts_takes_16_bytes_an_observation() {
        let mut o = Observations::new();
        for m in 0..120u32 {
            let p = Period::parse(&format!("{}-{:02}", 2016 + m / 12, m % 12 + 1)).unwrap();
            o.push(Observation {
                period: p,
                value: f64::from(m),
                numerator: None,
                denominator: None,
                line: u64::from(m) + 2,
            });
        }
        o.shrink_to_fit();
        assert_eq!(o.heap_bytes(), 120 * 16);
    }
}
