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
    /// Stores word `k` of the six facts, in the order above, below, rise, fall, outside,
    /// beyond (the order both ways of finding them gather them in).
    #[inline(always)]
    fn store_facts(&mut self, k: usize, f: [u64; 6]) {
        self.above[k] = f[0];
        self.below[k] = f[1];
        self.rise[k] = f[2];
        self.fall[k] = f[3];
        self.outside[k] = f[4];
        self.beyond[k] = f[5];
    }

    /// Whether every value judged since the last call was a finite number.
    pub(super) fn all_finite(&mut self) -> bool {
        !std::mem::take(&mut self.not_finite)
    }
}

/// The counts of one segment's points: (common cause, special cause above or rising).
pub(super) type Counts = (usize, usize);

/// Judges one segment's points `ys` against its `bands`: writes every point's rule and type
/// into `rule` and `point_type` (as long as `ys`) and returns the counts. With `AVX512` (the
/// caller has checked the processor has AVX-512 F and BW), eight points are compared and 64
/// written at once: the same comparisons, the same bits.
#[inline(always)]
pub(super) fn judge_segment<const AVX512: bool>(
    bits: &mut RuleBits,
    ys: &[f64],
    bands: &Bands,
    options: &SpcOptions,
    point_type: &mut [MaybeUninit<PointType>],
    rule: &mut [MaybeUninit<Option<Rule>>],
) -> Counts {
    facts::<AVX512>(bits, ys, bands);
    // (d) A shift: L points on one side of the mean.
    long_runs(&bits.above, options.shift_length, &mut bits.shift);
    long_runs(&bits.below, options.shift_length, &mut bits.scratch);
    or_into(&mut bits.shift, &bits.scratch);
    // (b) A trend: L points make L − 1 steps, all rises or all falls. (A tie is no step.)
    long_runs(&bits.rise, options.trend_length - 1, &mut bits.trend_steps);
    long_runs(&bits.fall, options.trend_length - 1, &mut bits.scratch);
    or_into(&mut bits.trend_steps, &bits.scratch);
    windows(bits);
    classify::<AVX512>(bits, ys.len(), options.improvement, point_type, rule)
}

/// Fills the bit sets of facts for the points `ys` (§7): the first point has no step.
#[inline(always)]
fn facts<const AVX512: bool>(bits: &mut RuleBits, ys: &[f64], b: &Bands) {
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
    #[cfg(target_arch = "x86_64")]
    if AVX512 {
        // SAFETY: AVX-512 F is there (the caller's promise); every bit set holds `words`.
        unsafe { avx512::facts(bits, ys, b) };
        return;
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
        bits.store_facts(k, f);
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
/// point by point (with `AVX512`, a word's 64 points at once); returns the counts.
#[inline(always)]
fn classify<const AVX512: bool>(
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
        #[cfg(target_arch = "x86_64")]
        if AVX512 {
            // SAFETY: AVX-512 F and BW are there (the caller's promise).
            unsafe { avx512::write_points(&masks, types, rules, up_type, down_type) };
            continue;
        }
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

/// The facts and the writing of a word's points with AVX-512: a comparison of eight points
/// gives eight bits of a bit set at once, and a word's 64 point types (or rules) are one
/// 64-byte store. (The AVX-512 intrinsics are stable since Rust 1.89, the workspace's
/// `rust-version`.)
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::{
        __m512d, _CMP_GE_OQ, _CMP_GT_OQ, _CMP_LE_OQ, _CMP_LT_OQ, _mm512_abs_pd, _mm512_loadu_pd,
        _mm512_mask_blend_epi8, _mm512_mask_cmp_pd_mask, _mm512_mask_storeu_epi8,
        _mm512_maskz_loadu_pd, _mm512_permutexvar_pd, _mm512_set1_epi8, _mm512_set1_pd,
        _mm512_setr_epi64, _mm512_sub_pd,
    };
    use std::mem::MaybeUninit;

    use super::{BITS, Bands, Masks, PointType, Rule, RuleBits};

    /// [`super::facts`] eight points at a time: the same comparisons as `word_facts`
    /// (ordered, so false for NaN), the same bits.
    ///
    /// # Safety
    /// The processor must have AVX-512 F, and every bit set of `bits` must hold a word for each
    /// 64 points of `ys`.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn facts(bits: &mut RuleBits, ys: &[f64], b: &Bands) {
        let n = ys.len();
        let (mean, zero) = (_mm512_set1_pd(b.mean), _mm512_set1_pd(0.0));
        let (lpl, upl) = (_mm512_set1_pd(b.lpl), _mm512_set1_pd(b.upl));
        let (near_lo, near_hi) = (_mm512_set1_pd(b.near_lo), _mm512_set1_pd(b.near_hi));
        let infinity = _mm512_set1_pd(f64::INFINITY);
        // The first point's step is to itself: its previous value is its own.
        let first_prevs = _mm512_setr_epi64(0, 0, 1, 2, 3, 4, 5, 6);
        let mut finite = true;
        for k in 0..n.div_ceil(BITS) {
            let mut f = [0u64; 6];
            for c in (k * BITS..n.min(k * BITS + BITS)).step_by(8) {
                let m = u8::MAX >> (8 - (n - c).min(8));
                // SAFETY: the lanes of `m` are points `c..n` of `ys`, and their previous ones
                // from `c - 1` (when `c > 0`); masked-out lanes are not read.
                let (y, p): (__m512d, __m512d) = unsafe {
                    // Whole chunks (all but a segment's last) are read without a mask, which
                    // the processor streams faster.
                    let y = if m == u8::MAX {
                        _mm512_loadu_pd(ys.as_ptr().add(c))
                    } else {
                        _mm512_maskz_loadu_pd(m, ys.as_ptr().add(c))
                    };
                    let p = if c == 0 {
                        _mm512_permutexvar_pd(first_prevs, y)
                    } else if m == u8::MAX {
                        _mm512_loadu_pd(ys.as_ptr().add(c - 1))
                    } else {
                        _mm512_maskz_loadu_pd(m, ys.as_ptr().add(c - 1))
                    };
                    (y, p)
                };
                let d = _mm512_sub_pd(y, mean);
                let step = _mm512_sub_pd(y, p);
                let up = _mm512_mask_cmp_pd_mask::<_CMP_GT_OQ>(m, d, zero);
                let down = _mm512_mask_cmp_pd_mask::<_CMP_LT_OQ>(m, d, zero);
                let out = _mm512_mask_cmp_pd_mask::<_CMP_GT_OQ>(m, y, upl)
                    | _mm512_mask_cmp_pd_mask::<_CMP_LT_OQ>(m, y, lpl);
                let near_up = _mm512_mask_cmp_pd_mask::<_CMP_GT_OQ>(up, y, near_hi)
                    & _mm512_mask_cmp_pd_mask::<_CMP_LE_OQ>(m, y, upl);
                let near_down = _mm512_mask_cmp_pd_mask::<_CMP_LT_OQ>(down, y, near_lo)
                    & _mm512_mask_cmp_pd_mask::<_CMP_GE_OQ>(m, y, lpl);
                let rise = _mm512_mask_cmp_pd_mask::<_CMP_GT_OQ>(m, step, zero);
                let fall = _mm512_mask_cmp_pd_mask::<_CMP_LT_OQ>(m, step, zero);
                finite &= _mm512_mask_cmp_pd_mask::<_CMP_LT_OQ>(m, _mm512_abs_pd(y), infinity) == m;
                let at = c - k * BITS;
                for (w, x) in f
                    .iter_mut()
                    .zip([up, down, rise, fall, out, near_up | near_down])
                {
                    *w |= u64::from(x) << at;
                }
            }
            bits.store_facts(k, f);
        }
        bits.not_finite |= !finite;
    }

    /// The byte that represents `x`.
    fn byte<T: Copy>(x: T) -> i8 {
        const { assert!(size_of::<T>() == 1) };
        // SAFETY: `T` is one byte (checked above), every bit of it initialised.
        unsafe { std::mem::transmute_copy::<T, i8>(&x) }
    }

    /// [`super::write_points`] for a word at once: each rule and type is blended from the bytes
    /// of the values they can take, by the word's bits, in the reverse of their priority.
    ///
    /// # Safety
    /// The processor must have AVX-512 F and BW.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) unsafe fn write_points(
        k: &Masks,
        types: &mut [MaybeUninit<PointType>],
        rules: &mut [MaybeUninit<Option<Rule>>],
        up_type: PointType,
        down_type: PointType,
    ) {
        let splat = |x: i8| _mm512_set1_epi8(x);
        let mut r = splat(byte::<Option<Rule>>(None));
        for (mask, rule) in [
            (k.shift, Rule::Shift),
            (k.near, Rule::TwoOfThree),
            (k.trend, Rule::Trend),
            (k.outside, Rule::OutsideLimits),
        ] {
            r = _mm512_mask_blend_epi8(mask, r, splat(byte(Some(rule))));
        }
        let t = _mm512_mask_blend_epi8(k.up, splat(byte(down_type)), splat(byte(up_type)));
        let t = _mm512_mask_blend_epi8(k.flagged, splat(byte(PointType::CommonCause)), t);
        let len = types.len().min(rules.len()).min(BITS);
        let m = u64::MAX >> (BITS - len);
        // SAFETY: the first `len` bytes of each slice are written (a byte is a value, of the
        // size checked in `byte`); the values written are representations of real values.
        unsafe {
            _mm512_mask_storeu_epi8(types.as_mut_ptr().cast(), m, t);
            _mm512_mask_storeu_epi8(rules.as_mut_ptr().cast(), m, r);
        }
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
