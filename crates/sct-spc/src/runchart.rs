//! Run charts with the Anhøj rules (or fixed rules), exactly as `docs/methods/run-charts.md`
//! defines them, to match the R package qicharts2. The section numbers in comments refer to
//! that specification's "Run chart" list.
//!
//! This module holds the runs analysis of one segment: its centre (the median of the base
//! points), the limits of randomness and the points it flags. The same analysis runs, with
//! p̄ as the centre, on Laney's p′ and u′ charts ([`crate::laney`]); [`crate::chart`] puts
//! segments and charts together into a whole series' result.

use serde::Serialize;

use crate::spc::{Improvement, PointType, Rule, accurate_mean};

/// Which rules judge the runs of a run chart (and of p′ and u′ charts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunRules {
    /// The Anhøj rules (default): a run longer than `round(log2(n_useful)) + 3`, or fewer
    /// crossings than the 5 % quantile of Binomial(n_useful − 1, ½).
    Anhoj,
    /// Fixed rules: a run of at least `shift_length` points on one side of the centre, or
    /// `trend_length` points each strictly above (or each strictly below) the one before.
    Fixed {
        /// Points on one side of the centre that make a shift.
        shift_length: usize,
        /// Rising or falling points that make a trend.
        trend_length: usize,
    },
}

impl RunRules {
    /// The rule set's name as written on the command line and in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            RunRules::Anhoj => "anhoj",
            RunRules::Fixed { .. } => "fixed",
        }
    }

    /// The rule set in words, for outputs.
    pub fn describe(self) -> String {
        match self {
            RunRules::Anhoj => "Anhøj rules: longest run above round(log2(n_useful)) + 3, or \
                                crossings below the 5% quantile of Binomial(n_useful - 1, 0.5)"
                .to_string(),
            RunRules::Fixed {
                shift_length,
                trend_length,
            } => format!(
                "fixed rules: a shift of {shift_length} or more points on one side of the centre, \
                 or a trend of {trend_length} or more points each rising or each falling"
            ),
        }
    }
}

/// The runs analysis of one segment (§2–5). Counts are over every point of the segment, base
/// and later points alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RunsAnalysis {
    /// Points not on the centre.
    pub n_useful: usize,
    /// Length of the longest run (`None` with no useful point).
    pub longest_run: Option<usize>,
    /// The longest run expected by chance: `round(log2(n_useful)) + 3` with the Anhøj rules,
    /// `shift_length − 1` with fixed rules (`None` with no useful point).
    pub longest_run_max: Option<usize>,
    /// Number of runs − 1 (`None` with no useful point).
    pub crossings: Option<usize>,
    /// The fewest crossings expected by chance (Anhøj rules only; `None` with fixed rules or
    /// no useful point).
    pub crossings_min: Option<usize>,
    /// The longest run is longer than `longest_run_max`.
    pub long_run_signal: bool,
    /// There are fewer crossings than `crossings_min`.
    pub crossings_signal: bool,
    /// Fixed rules only: a trend of `trend_length` or more points.
    pub trend_signal: bool,
    /// Any of the three.
    pub runs_signal: bool,
}

/// `round(log2(n_useful)) + 3` (§4; Schilling 2012), as R computes it.
///
/// R's `round()` rounds halves to even. Mathematically `log2(n)` of a whole number is never
/// `k + ½` (that would make `n = 2^k·√2`, irrational), but the floating-point `log2` can land
/// on one: the first whole number where it does is 99,516,432,383,215 (about 2^46.5, log2
/// = 46.5 exactly in `f64`), where rounding halves away from zero would give 47 and R gives 46.
/// A unit test checks every candidate (the whole numbers next to 2^(k + ½)) below it. So
/// rounding to even matters only for series of about 10^14 points, and this uses
/// [`f64::round_ties_even`], as R does. Returns `None` for `n_useful` = 0.
pub fn longest_run_max(n_useful: usize) -> Option<usize> {
    if n_useful == 0 {
        return None;
    }
    let r = (n_useful as f64).log2().round_ties_even();
    // log2 of a usize is below 64.
    Some(r as usize + 3)
}

/// Useful points below this get `crossings_min` from an exact table.
const EXACT_LIMIT: usize = 124;

/// `crossings_min` of `n_useful` = 0, 1, … 123, exactly: the smallest k with
/// 20 · Σ_{j ≤ k} C(n_useful − 1, j) ≥ 2^(n_useful − 1), built at compile time from rows of
/// Pascal's triangle in 128-bit integers (C(122, j) < 2^122, so 20 · 2^122 still fits).
const EXACT_CROSSINGS_MIN: [u32; EXACT_LIMIT] = exact_crossings_min();

const fn exact_crossings_min() -> [u32; EXACT_LIMIT] {
    let mut table = [0u32; EXACT_LIMIT];
    let mut row = [0u128; EXACT_LIMIT]; // row m of Pascal's triangle
    row[0] = 1;
    let mut m = 0;
    while m + 1 < EXACT_LIMIT {
        if m > 0 {
            let mut j = m;
            while j > 0 {
                row[j] += row[j - 1];
                j -= 1;
            }
        }
        let total = 1u128 << m;
        let mut sum = 0u128;
        let mut k = 0;
        loop {
            sum += row[k];
            if 20 * sum >= total {
                break;
            }
            k += 1;
        }
        table[m + 1] = k as u32;
        m += 1;
    }
    table
}

/// `crossings_min` (§4; Chen 2010): R's `qbinom(0.05, n_useful − 1, 0.5)`, the smallest k
/// with P(X ≤ k) ≥ 0.05 for X ~ Binomial(n_useful − 1, ½). Returns `None` for `n_useful` = 0.
///
/// Exact (integer arithmetic) up to 123 useful points; beyond, the binomial probabilities are
/// computed in floating point with Loader's saddle-point method (about 1e-15 relative) and
/// summed, which decides correctly unless P(X ≤ k) is within about 1e-12 of 0.05: checked
/// against exact values for every count up to 5,000 and spot values up to 10 million (the
/// nearest any of these comes to 0.05 is a relative 5e-7). R's own `qbinom` allows a relative
/// 64 · 2⁻⁵² of slack there, so no difference can be seen.
pub fn crossings_min(n_useful: usize) -> Option<usize> {
    match n_useful {
        0 => None,
        n if n < EXACT_LIMIT => Some(EXACT_CROSSINGS_MIN[n] as usize),
        n => Some(binomial_half_quantile_05(n - 1)),
    }
}

/// The smallest k with P(X ≤ k) ≥ 0.05, X ~ Binomial(m, ½), in floating point (see
/// [`crossings_min`]). Meant for m of about 100 or more.
fn binomial_half_quantile_05(m: usize) -> usize {
    let mf = m as f64;
    // A start from the normal approximation with continuity correction (z(0.05) = −1.645),
    // then steps of one.
    let guess = (mf / 2.0 - 0.5 - 1.644_853_626_951_472_2 * mf.sqrt() / 2.0).round();
    let mut k = (guess.max(1.0) as usize).min(m);
    let mut pmf = binomial_half_pmf(m, k);
    let mut cdf = pmf * lower_tail_ratio(m, k);
    if cdf >= 0.05 {
        // Step down while P(X ≤ k − 1) still reaches 0.05.
        while k > 0 {
            let below = cdf - pmf;
            if below < 0.05 {
                break;
            }
            pmf *= k as f64 / (mf - k as f64 + 1.0);
            cdf = below;
            k -= 1;
        }
    } else {
        while cdf < 0.05 && k < m {
            pmf *= (mf - k as f64) / (k as f64 + 1.0);
            k += 1;
            cdf += pmf;
        }
    }
    k
}

/// P(X ≤ k) / P(X = k) for X ~ Binomial(m, ½): 1 + r_k + r_k r_(k−1) + …, with
/// r_j = P(X = j − 1) / P(X = j) = j / (m − j + 1), summed until the terms no longer count.
fn lower_tail_ratio(m: usize, k: usize) -> f64 {
    let mf = m as f64;
    let (mut term, mut sum) = (1.0_f64, 1.0_f64);
    let mut j = k;
    while j > 0 {
        term *= j as f64 / (mf - j as f64 + 1.0);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
        j -= 1;
    }
    sum
}

/// P(X = k) for X ~ Binomial(m, ½), 0 < k < m, by Loader's saddle-point expansion:
/// exp(δ(m) − δ(k) − δ(m − k) − D(k, m/2) − D(m − k, m/2)) / √(2π k (m − k) / m), with δ the
/// error of Stirling's formula and D the deviance term [`bd0`]. Accurate to about 1e-15
/// relative, without ever forming a factorial.
fn binomial_half_pmf(m: usize, k: usize) -> f64 {
    if k == 0 || k >= m {
        return 0.5_f64.powi(m as i32);
    }
    let (mf, kf) = (m as f64, k as f64);
    let rest = mf - kf;
    let half = mf / 2.0;
    let lc = stirling_error(mf)
        - stirling_error(kf)
        - stirling_error(rest)
        - bd0(kf, half)
        - bd0(rest, half);
    let f = std::f64::consts::TAU * kf * rest / mf;
    lc.exp() / f.sqrt()
}

/// δ(n) = ln n! − ln(√(2πn) (n/e)^n) for a whole number n ≥ 1: the asymptotic series
/// 1/(12n) − 1/(360n³) + 1/(1260n⁵) − 1/(1680n⁷) + 1/(1188n⁹) above 15 (its error is then
/// below 1e-17), and ln n! summed directly below.
fn stirling_error(n: f64) -> f64 {
    if n > 15.0 {
        let nn = n * n;
        const S0: f64 = 1.0 / 12.0;
        const S1: f64 = 1.0 / 360.0;
        const S2: f64 = 1.0 / 1260.0;
        const S3: f64 = 1.0 / 1680.0;
        const S4: f64 = 1.0 / 1188.0;
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
    } else {
        let ln_factorial: f64 = (2..=n as u32).map(|i| f64::from(i).ln()).sum();
        ln_factorial - (0.5 * (std::f64::consts::TAU * n).ln() + n * n.ln() - n)
    }
}

/// D(x, np) = x ln(x / np) + np − x, the deviance term of the saddle-point expansion, by a
/// series when x is near np (where the direct formula cancels).
fn bd0(x: f64, np: f64) -> f64 {
    if (x - np).abs() < 0.1 * (x + np) {
        let v = (x - np) / (x + np);
        let v2 = v * v;
        let mut s = (x - np) * v;
        let mut ej = 2.0 * x * v;
        for j in 1..1000 {
            ej *= v2;
            let s1 = s + ej / f64::from(2 * j + 1);
            if s1 == s {
                return s1;
            }
            s = s1;
        }
        s
    } else {
        x * (x / np).ln() + np - x
    }
}

/// The median of `values` as R's `median()` computes it (§1): the middle value, or the mean
/// of the two middle values (by [`accurate_mean`], as R's `mean()`). `scratch` is reused
/// space. Returns `None` for no values. A median of −0 is returned as 0.
pub fn median(values: &[f64], scratch: &mut Vec<f64>) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    scratch.clear();
    scratch.extend_from_slice(values);
    let half = n / 2;
    let (lower, mid, _) = scratch.select_nth_unstable_by(half, f64::total_cmp);
    let m = if n % 2 == 1 {
        *mid
    } else {
        let below = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        accurate_mean(&[below, *mid])
    };
    Some(m + 0.0)
}

/// Runs counted in one pass over a segment (§2–3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RunCounts {
    n_useful: usize,
    runs: usize,
    longest: usize,
}

/// The side of the centre: 1 above, −1 below, 0 on it.
#[inline(always)]
fn side(y: f64, centre: f64) -> i8 {
    i8::from(y > centre) - i8::from(y < centre)
}

/// The runs analysis of a segment, one point at a time (§2–3): gives each point a code
/// `length × 4 + side + 1`, where `length` is the length so far of the run the point belongs
/// to (points on the centre carry the last one on) and `side` is −1, 0 or 1. Points on the
/// centre neither continue nor break a run. [`RunCounts::of`] counts from the codes, and
/// [`flag_long_runs`] reads them backwards. Written with arithmetic and selects rather than
/// branches, since whether a point continues a run is as good as random, and with as little
/// carried from one point to the next as possible.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RunScanner {
    /// Length of the run so far.
    current: u32,
    /// Side of the last useful point.
    last: i8,
}

/// The longest run a [`RunScanner`] code can hold.
const MAX_RUN: u32 = u32::MAX / 4;

impl RunScanner {
    /// Takes the next point, `y` against `centre`, and returns its code.
    #[inline(always)]
    pub(crate) fn push(&mut self, y: f64, centre: f64) -> u32 {
        let s = side(y, centre);
        let useful = s != 0;
        let restart = useful & (s != self.last);
        // Saturating: a run of a billion points would need more memory than any series has.
        let next = self.current.saturating_add(u32::from(useful)).min(MAX_RUN);
        self.current = if restart { 1 } else { next };
        self.last = if useful { s } else { self.last };
        self.current * 4 + (s + 1) as u32
    }
}

impl RunCounts {
    /// Counts from the codes of [`RunScanner`]: useful points (side code not 1), runs (useful
    /// points whose run so far has length 1) and the longest run. One pass the compiler
    /// vectorises.
    pub(crate) fn of(codes: &[u32]) -> RunCounts {
        let (n_useful, runs, longest) =
            codes
                .iter()
                .fold((0usize, 0usize, 0u32), |(n, r, l), &code| {
                    let useful = code & 3 != 1;
                    (
                        n + usize::from(useful),
                        r + usize::from(useful & (code >> 2 == 1)),
                        l.max(code >> 2),
                    )
                });
        RunCounts {
            n_useful,
            runs,
            longest: longest as usize,
        }
    }

    /// The counts of two consecutive stretches of codes from one scanner: a code already
    /// carries its run's length so far, so the counts simply add up (and the longest is the
    /// longer). Lets a caller count each block of codes while it is still in cache.
    pub(crate) fn merge(self, later: RunCounts) -> RunCounts {
        RunCounts {
            n_useful: self.n_useful + later.n_useful,
            runs: self.runs + later.runs,
            longest: self.longest.max(later.longest),
        }
    }
}

/// The runs analysis of one segment's values `ys` around `centre` (§2–5), without flagging
/// points: see [`flag_runs`].
pub fn runs_analysis(ys: &[f64], centre: f64, rules: RunRules) -> RunsAnalysis {
    runs_analysis_with_codes(ys, centre, rules, &mut Vec::new())
}

/// [`runs_analysis`], keeping each point's code (see [`RunScanner`]) in `codes` for
/// [`flag_long_runs`].
pub(crate) fn runs_analysis_with_codes(
    ys: &[f64],
    centre: f64,
    rules: RunRules,
    codes: &mut Vec<u32>,
) -> RunsAnalysis {
    let mut scanner = RunScanner::default();
    codes.clear();
    codes.resize(ys.len(), 0);
    for (code, &y) in codes.iter_mut().zip(ys) {
        *code = scanner.push(y, centre);
    }
    analysis(RunCounts::of(codes), rules, || longest_trend(ys))
}

/// The limits of randomness and the signals from the counts (§4–5). `longest_trend` gives the
/// number of points in the longest trend, asked for only with fixed rules.
pub(crate) fn analysis(
    c: RunCounts,
    rules: RunRules,
    longest_trend: impl FnOnce() -> usize,
) -> RunsAnalysis {
    analysis_in_pieces(c, 1, rules, longest_trend)
}

/// The parts of `0..len` between gaps: a gap comes before each point of `breaks` (sorted).
pub(crate) fn pieces(len: usize, breaks: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::with_capacity(breaks.len() + 1);
    let mut start = 0;
    for &b in breaks.iter().filter(|&&b| b > 0 && b < len) {
        if b > start {
            out.push(start..b);
            start = b;
        }
    }
    if start < len {
        out.push(start..len);
    }
    out
}

/// The runs codes of `ys` around `centre` (see [`RunScanner`]) when a gap comes before each
/// point of `breaks`: no run continues across a gap, so each part between gaps is scanned
/// afresh. Returns the counts and how many parts have a useful point.
pub(crate) fn codes_in_pieces(
    ys: &[f64],
    centre: f64,
    breaks: &[usize],
    codes: &mut Vec<u32>,
) -> (RunCounts, usize) {
    codes.clear();
    codes.reserve(ys.len());
    let mut with_useful = 0;
    for piece in pieces(ys.len(), breaks) {
        let mut scanner = RunScanner::default();
        let mut useful = false;
        for &y in &ys[piece] {
            let code = scanner.push(y, centre);
            useful |= code & 3 != 1;
            codes.push(code);
        }
        with_useful += usize::from(useful);
    }
    (RunCounts::of(codes), with_useful)
}

/// The longest trend of `ys` within the parts between gaps.
pub(crate) fn longest_trend_in_pieces(ys: &[f64], breaks: &[usize]) -> usize {
    pieces(ys.len(), breaks)
        .into_iter()
        .map(|p| longest_trend(&ys[p]))
        .max()
        .unwrap_or(0)
}

/// [`analysis`] of a segment whose useful points fall in `pieces` parts between gaps (1 with
/// no gap, where this is `docs/methods/run-charts.md` exactly). No run spans a gap, so the runs of each part
/// are counted apart: `crossings` counts the changes of side between consecutive useful points
/// of a part (runs − parts), and `crossings_min` is taken over those pairs of consecutive
/// points, the 5 % quantile of Binomial(n_useful − parts, ½). `longest_run_max` stays that of
/// `n_useful`.
pub(crate) fn analysis_in_pieces(
    c: RunCounts,
    pieces: usize,
    rules: RunRules,
    longest_trend: impl FnOnce() -> usize,
) -> RunsAnalysis {
    let pieces = pieces.max(1);
    if c.n_useful == 0 {
        let trend_signal = match rules {
            RunRules::Fixed { trend_length, .. } => longest_trend() >= trend_length,
            RunRules::Anhoj => false,
        };
        return RunsAnalysis {
            n_useful: 0,
            longest_run: None,
            longest_run_max: None,
            crossings: None,
            crossings_min: None,
            long_run_signal: false,
            crossings_signal: false,
            trend_signal,
            runs_signal: trend_signal,
        };
    }
    let crossings = c.runs.saturating_sub(pieces);
    let (longest_run_max, crossings_min, trend_signal) = match rules {
        RunRules::Anhoj => (
            longest_run_max(c.n_useful),
            crossings_min(c.n_useful.saturating_sub(pieces - 1).max(1)),
            false,
        ),
        RunRules::Fixed {
            shift_length,
            trend_length,
        } => (
            Some(shift_length.saturating_sub(1)),
            None,
            longest_trend() >= trend_length,
        ),
    };
    let long_run_signal = longest_run_max.is_some_and(|max| c.longest > max);
    let crossings_signal = crossings_min.is_some_and(|min| crossings < min);
    RunsAnalysis {
        n_useful: c.n_useful,
        longest_run: Some(c.longest),
        longest_run_max,
        crossings: Some(crossings),
        crossings_min,
        long_run_signal,
        crossings_signal,
        trend_signal,
        runs_signal: long_run_signal | crossings_signal | trend_signal,
    }
}

/// The number of points in the longest sequence whose every step is a strict rise, or every
/// step a strict fall (a tie breaks it; one point counts 1).
pub(crate) fn longest_trend(ys: &[f64]) -> usize {
    let (mut longest, mut current, mut last_step) = (usize::from(!ys.is_empty()), 1usize, 0i8);
    for w in ys.windows(2) {
        let step = side(w[1], w[0]);
        current = if step != 0 && step == last_step {
            current + 1
        } else if step != 0 {
            2
        } else {
            1
        };
        longest = longest.max(current);
        last_step = step;
    }
    longest
}

/// Flags the points of one segment that the runs analysis `runs` found (§6), where no other
/// rule has flagged them yet (`rule[i]` is `None`): with a trend (fixed rules), every point of
/// a trend, by its direction as in `spc.md` §8 (b); then every useful point of a run longer
/// than `longest_run_max`, by its side. A point on the centre belongs to no run and is not
/// flagged by one. When only the crossings rule fires, no point is flagged. `scratch` is
/// reused space.
#[allow(clippy::too_many_arguments)]
pub fn flag_runs(
    ys: &[f64],
    centre: f64,
    runs: &RunsAnalysis,
    rules: RunRules,
    improvement: Improvement,
    point_type: &mut [PointType],
    rule: &mut [Option<Rule>],
    scratch: &mut Vec<u32>,
) {
    flag_trend_points(ys, runs, rules, improvement, point_type, rule);
    if runs.long_run_signal {
        runs_analysis_with_codes(ys, centre, rules, scratch);
        flag_long_runs(scratch, runs, improvement, point_type, rule);
    }
}

/// With fixed rules and a trend signal, flags every point of a trend where no other rule has
/// flagged it yet (see [`flag_runs`]).
pub(crate) fn flag_trend_points(
    ys: &[f64],
    runs: &RunsAnalysis,
    rules: RunRules,
    improvement: Improvement,
    point_type: &mut [PointType],
    rule: &mut [Option<Rule>],
) {
    if runs.trend_signal
        && let RunRules::Fixed { trend_length, .. } = rules
    {
        let (up_type, down_type) = PointType::special_causes(improvement);
        flag_trends(ys, trend_length, up_type, down_type, point_type, rule);
    }
}

/// Flags every useful point of a run longer than `longest_run_max`, where no other rule has
/// flagged it yet, from the codes of [`runs_analysis_with_codes`]. One backward pass: the
/// length of a whole run is the length so far at its last point.
pub(crate) fn flag_long_runs(
    codes: &[u32],
    runs: &RunsAnalysis,
    improvement: Improvement,
    point_type: &mut [PointType],
    rule: &mut [Option<Rule>],
) {
    let (Some(max), true) = (runs.longest_run_max, runs.long_run_signal) else {
        return;
    };
    let (up_type, down_type) = PointType::special_causes(improvement);
    let max = u32::try_from(max).unwrap_or(u32::MAX);
    let (mut whole, mut next) = (0u32, 1u32); // `next`: the side code of the next useful point
    for (&code, (t, r)) in codes
        .iter()
        .zip(point_type.iter_mut().zip(rule.iter_mut()))
        .rev()
    {
        let s = code & 3; // 0 below, 1 on the centre, 2 above
        let useful = s != 1;
        let end_of_run = u32::from(useful & (s != next));
        whole = (code >> 2) * end_of_run + whole * (1 - end_of_run);
        next = if useful { s } else { next };
        let flag = useful & (whole > max) & r.is_none();
        let flagged_type = if s == 2 { up_type } else { down_type };
        *t = if flag { flagged_type } else { *t };
        *r = if flag { Some(Rule::Shift) } else { *r };
    }
}

/// Flags trends of at least `trend_length` points (fixed rules): each step strictly up, or
/// each strictly down, a tie breaking the trend. Direction as `spc.md` §8 (b): the step to the
/// next point if that one is in a trend too, else the step from the previous one; no step
/// counts as falling.
fn flag_trends(
    ys: &[f64],
    trend_length: usize,
    up_type: PointType,
    down_type: PointType,
    point_type: &mut [PointType],
    rule: &mut [Option<Rule>],
) {
    let m = ys.len();
    let mut in_trend = vec![false; m];
    // Maximal runs of equal non-zero steps: points first..=last.
    let mut first = 0usize;
    let mut last_step = 0i8;
    for i in 1..=m {
        let step = if i < m { side(ys[i], ys[i - 1]) } else { 0 };
        if i == m || step == 0 || step != last_step {
            // The run of steps ending at point i − 1, if any, spans points first..=i − 1.
            if last_step != 0 && i - first >= trend_length {
                in_trend[first..i].fill(true);
            }
            first = i - 1;
        }
        last_step = step;
    }
    for i in 0..m {
        if !in_trend[i] || rule[i].is_some() {
            continue;
        }
        let step = if i + 1 < m && in_trend[i + 1] {
            side(ys[i + 1], ys[i])
        } else if i > 0 {
            side(ys[i], ys[i - 1])
        } else {
            0
        };
        rule[i] = Some(Rule::Trend);
        point_type[i] = if step > 0 { up_type } else { down_type };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floating_point_quantile_agrees_with_the_exact_table() {
        // The exact table covers m ≤ 122; the floating-point path must agree wherever its
        // saddle-point terms apply (k above 15).
        for m in 40..EXACT_LIMIT - 1 {
            assert_eq!(
                binomial_half_quantile_05(m),
                EXACT_CROSSINGS_MIN[m + 1] as usize,
                "m = {m}"
            );
        }
    }

    #[test]
    fn the_binomial_probabilities_are_accurate() {
        // P(X = 61) for X ~ Binomial(122, ½) = C(122, 61) / 2^122, from exact integers:
        // C(122, 61) = 383_291_933_432_261_050_330_199_012_527_412_832 (≈ 3.83e35).
        let exact = 383_291_933_432_261_050_330_199_012_527_412_832_f64 / 2f64.powi(122);
        let got = binomial_half_pmf(122, 61);
        assert!((got / exact - 1.0).abs() < 1e-14, "{got} vs {exact}");
    }

    #[test]
    fn log2_lands_on_a_half_first_at_99_516_432_383_215_where_r_rounds_to_even() {
        // The only candidates for exact halves are the whole numbers next to 2^(k + ½).
        let mut first = None;
        for k in 0..62 {
            let centre = 2f64.powf(f64::from(k) + 0.5);
            let lo = centre.floor() as u64;
            for n in lo.saturating_sub(2)..=lo + 3 {
                let l = (n.max(1) as f64).log2();
                if l - l.floor() == 0.5 && first.is_none() {
                    first = Some(n);
                }
            }
        }
        const N: u64 = 99_516_432_383_215;
        assert_eq!(first, Some(N));
        assert_eq!((N as f64).log2(), 46.5);
        assert_eq!(
            longest_run_max(N as usize),
            Some(46 + 3),
            "R: round(46.5) = 46"
        );
        assert_eq!(longest_run_max(N as usize - 1), Some(46 + 3));
        assert_eq!(longest_run_max(N as usize + 1), Some(47 + 3));
    }
}
