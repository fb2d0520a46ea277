//! The special-cause rules (§7, §8) of one segment, one bit per point.
//!
//! Each fact about the points (above or below the mean, a rise or a fall from the point
//! before, outside the limits, beyond the near band) is a bit set: bit `j` of word `k` is
//! point `64 k + j` of the segment, and bits past its last point are zero. The rules are then
//! a few operations on whole words, 64 points at a time, with nothing carried from one point
//! to the next:
//!
//! - runs long enough for rule (b) or (d) come from ANDing a bit set with itself shifted
//!   (the points where such a run has become long enough), then ORing the result with
//!   itself shifted back (every point of such a run), in doubling steps;
//! - rule (c) from windows of three, each a bit set shifted by one and two points.
//!
//! A zero bit past either end of the segment has no side and no step, so no window or run
//! reaches over an end, as `docs/methods/spc.md` §7 requires within a segment.

use std::mem::MaybeUninit;

use super::{Bands, Improvement, PointType, Rule, SpcOptions};

/// Points in a word.
const BITS: usize = 64;

/// Bit sets of one segment's facts and runs, kept from one segment (and call) to the next.
#[derive(Default)]
pub(super) struct RuleBits {
    /// The point is above the mean.
    above: Vec<u64>,
    /// The point is below the mean.
    below: Vec<u64>,
    /// The point is higher than the one before it (in its segment).
    rise: Vec<u64>,
    /// The point is lower than the one before it.
    fall: Vec<u64>,
    /// Rule (a): outside the limits.
    outside: Vec<u64>,
    /// Beyond the near band on its own side of the mean, but not outside the limits.
    beyond: Vec<u64>,
    /// Rule (d): the point is in a run long enough on one side of the mean.
    shift: Vec<u64>,
    /// Rule (b): the step to the point belongs to a run of rises or of falls long enough.
    trend_steps: Vec<u64>,
    /// Rule (c): the windows of three starting at the point qualify.
    windows: Vec<u64>,
    /// Scratch space for runs.
    scratch: Vec<u64>,
    /// A value that is not a finite number was seen since [`RuleBits::all_finite`] last
    /// answered.
    not_finite: bool,
}

impl RuleBits {
    /// Whether every value judged since the last call was a finite number.
    pub(super) fn all_finite(&mut self) -> bool {
        !std::mem::take(&mut self.not_finite)
    }
}

/// The counts of one segment's points: (common cause, special cause above or rising).
pub(super) type Counts = (usize, usize);

/// Judges one segment's points `ys` against its `bands`: writes every point's rule and type
/// into `rule` and `point_type` (as long as `ys`) and returns the counts.
#[inline(always)]
pub(super) fn judge_segment(
    bits: &mut RuleBits,
    ys: &[f64],
    bands: &Bands,
    options: &SpcOptions,
    point_type: &mut [MaybeUninit<PointType>],
    rule: &mut [MaybeUninit<Option<Rule>>],
) -> Counts {
    facts(bits, ys, bands);
    // (d) A shift: L points on one side of the mean.
    long_runs(&bits.above, options.shift_length, &mut bits.shift);
    long_runs(&bits.below, options.shift_length, &mut bits.scratch);
    or_into(&mut bits.shift, &bits.scratch);
    // (b) A trend: L points make L − 1 steps, all rises or all falls. (A tie is no step.)
    long_runs(&bits.rise, options.trend_length - 1, &mut bits.trend_steps);
    long_runs(&bits.fall, options.trend_length - 1, &mut bits.scratch);
    or_into(&mut bits.trend_steps, &bits.scratch);
    windows(bits);
    classify(bits, ys.len(), options.improvement, point_type, rule)
}

/// Fills the bit sets of facts for the points `ys` (§7): the first point has no step.
#[inline(always)]
fn facts(bits: &mut RuleBits, ys: &[f64], b: &Bands) {
    let words = ys.len().div_ceil(BITS);
    for v in [
        &mut bits.above,
        &mut bits.below,
        &mut bits.rise,
        &mut bits.fall,
        &mut bits.outside,
        &mut bits.beyond,
    ] {
        // Every word is written below: resizing only zeroes what the scratch space gains.
        v.resize(words, 0);
    }
    for k in 0..words {
        let (start, end) = (k * BITS, ys.len().min(k * BITS + BITS));
        // The first point's step is to itself: neither a rise nor a fall.
        let from = start.max(1);
        let (mut f, finite) = word_facts(&ys[from..end], &ys[from - 1..end - 1], from - start, b);
        bits.not_finite |= !finite;
        if k == 0 {
            let (first, finite) = word_facts(&ys[..1], &ys[..1], 0, b);
            bits.not_finite |= !finite;
            for (w, x) in f.iter_mut().zip(first) {
                *w |= x;
            }
        }
        bits.above[k] = f[0];
        bits.below[k] = f[1];
        bits.rise[k] = f[2];
        bits.fall[k] = f[3];
        bits.outside[k] = f[4];
        bits.beyond[k] = f[5];
    }
}

/// The facts of the points `ys` (each after the one in `prevs`) as bits from `at` on: above,
/// below, rise, fall, outside, beyond. The same comparisons as `spc.md` §7 words them. Also
/// whether every one of `ys` is a finite number.
#[inline(always)]
fn word_facts(ys: &[f64], prevs: &[f64], at: usize, b: &Bands) -> ([u64; 6], bool) {
    let (mut above, mut below, mut rise, mut fall, mut outside, mut beyond) = (0, 0, 0, 0, 0, 0);
    let mut finite = true;
    for (j, (&y, &p)) in ys.iter().zip(prevs).enumerate() {
        let at = j + at;
        let up = y - b.mean > 0.0;
        let down = y - b.mean < 0.0;
        let out = (y > b.upl) | (y < b.lpl);
        let near = ((y > b.near_hi) & (y <= b.upl) & up) | ((y < b.near_lo) & (y >= b.lpl) & down);
        above |= u64::from(up) << at;
        below |= u64::from(down) << at;
        rise |= u64::from(y - p > 0.0) << at;
        fall |= u64::from(y - p < 0.0) << at;
        outside |= u64::from(out) << at;
        beyond |= u64::from(near) << at;
        finite &= y.is_finite();
    }
    ([above, below, rise, fall, outside, beyond], finite)
}

/// Sets `out` to the bits of `x` that lie in a run of at least `len` consecutive ones.
///
/// First the points where such a run has become long enough: a point whose `have` points up
/// to it are all ones, ANDed with the same shifted by `s ≤ have` points, has `have + s` such
/// points. Then every point of those runs: each such end ORed back over the `len − 1` points
/// before it, in the same doubling steps.
#[inline(always)]
fn long_runs(x: &[u64], len: usize, out: &mut Vec<u64>) {
    out.resize(x.len(), 0);
    if len < 2 {
        out.copy_from_slice(x);
        return;
    }
    // The first step (by one point) reads `x` itself: no copy of it first.
    for (i, o) in out.iter_mut().enumerate() {
        let prev = if i > 0 { x[i - 1] } else { 0 };
        *o = x[i] & ((x[i] << 1) | (prev >> 63));
    }
    let mut have = 2;
    while have < len {
        let s = have.min(len - have);
        and_shifted_up(out, s);
        have += s;
    }
    let mut have = 1;
    while have < len {
        let s = have.min(len - have);
        or_shifted_down(out, s);
        have += s;
    }
}

/// Point `i` of `w` ANDed with point `i − s` (none before the first: zero).
#[inline(always)]
fn and_shifted_up(w: &mut [u64], s: usize) {
    let (q, r) = (s / BITS, (s % BITS) as u32);
    // From the last word down, so that the words read (at or below `i`) are still unchanged.
    for i in (0..w.len()).rev() {
        let hi = if i >= q { w[i - q] } else { 0 };
        let lo = if i > q { w[i - q - 1] } else { 0 };
        w[i] &= if r == 0 {
            hi
        } else {
            (hi << r) | (lo >> (64 - r))
        };
    }
}

/// Point `i` of `w` ORed with point `i + s` (none past the last: zero).
#[inline(always)]
fn or_shifted_down(w: &mut [u64], s: usize) {
    let (q, r) = (s / BITS, (s % BITS) as u32);
    let n = w.len();
    // From the first word up, so that the words read (at or above `i`) are still unchanged.
    for i in 0..n {
        let lo = if i + q < n { w[i + q] } else { 0 };
        let hi = if i + q + 1 < n { w[i + q + 1] } else { 0 };
        w[i] |= if r == 0 {
            lo
        } else {
            (lo >> r) | (hi << (64 - r))
        };
    }
}

/// `a |= b`, word by word.
#[inline(always)]
fn or_into(a: &mut [u64], b: &[u64]) {
    for (a, &b) in a.iter_mut().zip(b) {
        *a |= b;
    }
}

/// Word `i` of `w` shifted so that each point gets the bit of the point `k` (1 to 63) later.
#[inline(always)]
fn later(w: &[u64], i: usize, k: u32) -> u64 {
    let next = w.get(i + 1).copied().unwrap_or(0);
    (w[i] >> k) | (next << (64 - k))
}

/// Word `i` of `w` shifted so that each point gets the bit of the point `k` (1 to 63) earlier.
#[inline(always)]
fn earlier(w: &[u64], i: usize, k: u32) -> u64 {
    let prev = if i > 0 { w[i - 1] } else { 0 };
    (w[i] << k) | (prev >> (64 - k))
}

/// Rule (c): marks the windows of three points, by their first point, that are all on one
/// side of the mean with at least two of them beyond the near band.
#[inline(always)]
fn windows(bits: &mut RuleBits) {
    let (above, below, beyond) = (&bits.above, &bits.below, &bits.beyond);
    bits.windows.resize(above.len(), 0);
    for (i, w) in bits.windows.iter_mut().enumerate() {
        let all_above = above[i] & later(above, i, 1) & later(above, i, 2);
        let all_below = below[i] & later(below, i, 1) & later(below, i, 2);
        let (a, b, c) = (beyond[i], later(beyond, i, 1), later(beyond, i, 2));
        let at_least_two = (a & b) | (c & (a | b));
        *w = (all_above | all_below) & at_least_two;
    }
}

/// §8 and §9: each point's first rule, direction and type from the bit sets, written out
/// point by point; returns the counts.
#[inline(always)]
fn classify(
    bits: &RuleBits,
    m: usize,
    improvement: Improvement,
    point_type: &mut [MaybeUninit<PointType>],
    rule: &mut [MaybeUninit<Option<Rule>>],
) -> Counts {
    let (up_type, down_type) = PointType::special_causes(improvement);
    let (steps, rise) = (&bits.trend_steps, &bits.rise);
    let (mut flagged_count, mut up_count) = (0, 0);
    let outputs = point_type.chunks_mut(BITS).zip(rule.chunks_mut(BITS));
    for (i, (types, rules)) in outputs.enumerate() {
        let outside = bits.outside[i];
        // (b) A point is in a trend if the steps to it or from it belong to a long enough run.
        let trend = steps[i] | later(steps, i, 1);
        // §8 (b): the step to the next point if that one is in a trend too, else the step
        // from the previous one; no step counts as falling.
        let next_in_trend = later(steps, i, 1) | later(steps, i, 2);
        let trend_up = (next_in_trend & later(rise, i, 1)) | (!next_in_trend & rise[i]);
        // (c) The windows containing this point start two points back, one back, and here.
        let w = &bits.windows;
        let near = bits.beyond[i] & (w[i] | earlier(w, i, 1) | earlier(w, i, 2));
        let shift = bits.shift[i];
        let flagged = outside | trend | near | shift;
        // §8: the first rule that applies, in the order a, b, c, d, gives the direction.
        let by_trend = !outside & trend;
        let up = flagged & ((by_trend & trend_up) | (!by_trend & bits.above[i]));
        flagged_count += flagged.count_ones() as usize;
        up_count += up.count_ones() as usize;
        let masks = Masks {
            outside,
            trend,
            near,
            shift,
            flagged,
            up,
        };
        write_points(&masks, types, rules, up_type, down_type);
    }
    (m - flagged_count, up_count)
}

/// One word's rule bits.
struct Masks {
    outside: u64,
    trend: u64,
    near: u64,
    shift: u64,
    flagged: u64,
    up: u64,
}

/// Writes the rule and type of each point of one word (as many as `types` holds).
#[inline(always)]
fn write_points(
    k: &Masks,
    types: &mut [MaybeUninit<PointType>],
    rules: &mut [MaybeUninit<Option<Rule>>],
    up_type: PointType,
    down_type: PointType,
) {
    for (j, (t, r)) in types.iter_mut().zip(rules).enumerate() {
        let bit = |x: u64| (x >> j) & 1 != 0;
        r.write(if bit(k.outside) {
            Some(Rule::OutsideLimits)
        } else if bit(k.trend) {
            Some(Rule::Trend)
        } else if bit(k.near) {
            Some(Rule::TwoOfThree)
        } else if bit(k.shift) {
            Some(Rule::Shift)
        } else {
            None
        });
        t.write(if !bit(k.flagged) {
            PointType::CommonCause
        } else if bit(k.up) {
            up_type
        } else {
            down_type
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The bits of `x` in runs of at least `len` ones, point by point.
    fn long_runs_one_by_one(x: &[bool], len: usize) -> Vec<bool> {
        let mut out = vec![false; x.len()];
        let mut first = 0;
        while first < x.len() {
            if !x[first] {
                first += 1;
                continue;
            }
            let mut last = first;
            while last + 1 < x.len() && x[last + 1] {
                last += 1;
            }
            if last - first + 1 >= len {
                out[first..=last].fill(true);
            }
            first = last + 1;
        }
        out
    }

    fn to_words(x: &[bool]) -> Vec<u64> {
        let mut words = vec![0; x.len().div_ceil(BITS)];
        for (i, &b) in x.iter().enumerate() {
            words[i / BITS] |= u64::from(b) << (i % BITS);
        }
        words
    }

    /// Runs of ones of every length, across words, some longer than a word or two.
    fn runs_of_bits() -> impl Strategy<Value = Vec<bool>> {
        proptest::collection::vec((any::<bool>(), 1usize..150), 1..12).prop_map(|pieces| {
            pieces
                .into_iter()
                .flat_map(|(b, n)| std::iter::repeat_n(b, n))
                .collect()
        })
    }

    proptest! {
        /// Runs long enough, found with whole words, are those found point by point, for run
        /// lengths shorter and longer than a word.
        #[test]
        fn long_runs_in_words_equal_runs_point_by_point(
            x in runs_of_bits(),
            len in prop_oneof![1usize..10, 1usize..300],
        ) {
            let mut got = Vec::new();
            long_runs(&to_words(&x), len, &mut got);
            prop_assert_eq!(got, to_words(&long_runs_one_by_one(&x, len)));
        }
    }
}
