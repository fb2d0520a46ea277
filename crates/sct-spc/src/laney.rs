//! Laney's p′ chart (proportions) and u′ chart (rates), exactly as `docs/methods/laney.md`
//! defines them, to match the R package qicharts2: limits that follow each period's
//! denominator, widened (or narrowed) by σ_z, the variation of the z-scores between periods.
//!
//! This module computes one segment's centre, σ_z and limits; [`crate::chart`] adds the runs
//! analysis ([`crate::runchart`]), point types and icons for a whole series. The order of
//! every floating-point operation follows qicharts2 (`qic.pp`, `qic.up`), so results agree to
//! the last bit or nearly.

use serde::Serialize;

use crate::runchart::{RunCounts, RunScanner};
use crate::spc::{
    PointType, Rule, RunningSum, accurate_mean, accurate_mean_from_sum, compensated_sum, constants,
};

/// Which of Laney's charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LaneyKind {
    /// p′: proportions x / n, with 0 ≤ x ≤ n.
    P,
    /// u′: rates x / n, with x ≥ 0.
    U,
}

/// A numerator or denominator that the charts cannot use.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum CountError {
    /// A numerator below 0.
    #[error("the numerator {x} is negative")]
    NegativeNumerator {
        /// The numerator.
        x: f64,
    },
    /// A denominator of 0 or below.
    #[error("the denominator {n} is not above 0")]
    DenominatorNotPositive {
        /// The denominator.
        n: f64,
    },
    /// For p′, a numerator above its denominator.
    #[error("the numerator {x} is above the denominator {n}")]
    NumeratorAboveDenominator {
        /// The numerator.
        x: f64,
        /// The denominator.
        n: f64,
    },
    /// A numerator or denominator that is not a finite number.
    #[error("the numerator {x} or denominator {n} is not a finite number")]
    NotFinite {
        /// The numerator.
        x: f64,
        /// The denominator.
        n: f64,
    },
}

/// Checks one numerator and denominator for `kind`: x ≥ 0, n > 0 and, for p′, x ≤ n.
pub fn check_counts(kind: LaneyKind, x: f64, n: f64) -> Result<(), CountError> {
    if !x.is_finite() || !n.is_finite() {
        Err(CountError::NotFinite { x, n })
    } else if x < 0.0 {
        Err(CountError::NegativeNumerator { x })
    } else if n <= 0.0 {
        Err(CountError::DenominatorNotPositive { n })
    } else if kind == LaneyKind::P && x > n {
        Err(CountError::NumeratorAboveDenominator { x, n })
    } else {
        Ok(())
    }
}

/// Checks a block of counts as [`check_counts`] does, and returns the index in the block of
/// the first pair it refuses, with why. Every pair of a block is tested without an early exit,
/// which the compiler vectorises; the culprit is looked for only in a block that fails.
#[inline(always)]
pub(crate) fn first_bad_count(
    kind: LaneyKind,
    x: &[f64],
    n: &[f64],
) -> Option<(usize, CountError)> {
    let cap = match kind {
        LaneyKind::P => 1.0,
        LaneyKind::U => f64::INFINITY,
    };
    // NaN fails every comparison, so it fails this check too.
    let ok = x.iter().zip(n).fold(true, |ok, (&x, &n)| {
        ok & (x >= 0.0) & (n > 0.0) & x.is_finite() & n.is_finite() & (x <= n * cap)
    });
    if ok {
        return None;
    }
    x.iter()
        .zip(n)
        .enumerate()
        .find_map(|(i, (&x, &n))| check_counts(kind, x, n).err().map(|e| (i, e)))
}

/// Why σ_z, and so the limits, could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoSigma {
    /// Fewer than two base points: no moving range of z.
    TooFewPoints,
    /// p̄ is 0 or 1 (p′) or ū is 0 (u′): every s_i is 0 and no z-score exists.
    DegenerateCentre,
    /// Screening dropped every moving range (for example, constant z-scores).
    AllScreened,
}

impl NoSigma {
    /// The reason in words.
    pub fn describe(self) -> &'static str {
        match self {
            NoSigma::TooFewPoints => "fewer than two base points, so no moving range of z",
            NoSigma::DegenerateCentre => {
                "the centre is 0 (or, for p′, 1), so the binomial or Poisson sigma is 0 and no z-score exists"
            }
            NoSigma::AllScreened => "screening dropped every moving range of z",
        }
    }
}

/// One segment of a p′ or u′ chart, on the proportion (or rate) scale.
#[derive(Debug, Clone, PartialEq)]
pub struct LaneySegment {
    /// p̄ (or ū) = Σx / Σn over the base points.
    pub centre: f64,
    /// σ_z, or why there is none.
    pub sigma_z: Result<f64, NoSigma>,
    /// Moving ranges of z dropped by screening.
    pub screened: usize,
    /// x_i / n_i for every point.
    pub values: Vec<f64>,
    /// Lower limit of every point (empty without σ_z).
    pub lpl: Vec<f64>,
    /// Upper limit of every point (empty without σ_z).
    pub upl: Vec<f64>,
}

/// The p′ or u′ chart of one segment: numerators `x` and denominators `n` (checked by the
/// caller with [`check_counts`]), the first `base` of them the base points (at least 1),
/// moving ranges of z screened when `screen`. `scratch` is reused space.
///
/// 1. centre c = Σx / Σn over the base points;
/// 2. s_i = √(c (1 − c) / n_i) for p′, √(c / n_i) for u′;
/// 3. z_i = (p_i − c) / s_i over the base points; σ_z = mean |z_i − z_(i−1)| / 1.128, after
///    dropping moving ranges at or above 3.267 × their mean when `screen`;
/// 4. limits c ± 3 · s_i · σ_z, the upper clamped at 1 (p′ only) and the lower at 0.
///
/// The order of every floating-point operation is qicharts2's. This is the plain,
/// step-by-step computation; [`crate::chart::chart`] uses a faster one over the same
/// operations, which a property test checks against this bit for bit.
pub fn laney_segment(
    kind: LaneyKind,
    x: &[f64],
    n: &[f64],
    base: usize,
    screen: bool,
    scratch: &mut Vec<f64>,
) -> LaneySegment {
    let m = x.len().min(n.len());
    let (x, n) = (&x[..m], &n[..m]);
    let base = base.clamp(1, m.max(1)).min(m);
    // Compensated sums (as accurate as R's extended-precision `sum()` here; exact for whole
    // counts below 2^53).
    let centre = compensated_sum(&x[..base]) / compensated_sum(&n[..base]);
    let variance = match kind {
        LaneyKind::P => centre * (1.0 - centre),
        LaneyKind::U => centre,
    };
    // Steps 2 and 3 in one pass: p_i into `values`, s_i into `upl` and z_i into `lpl` for
    // now (z of the later points is computed too, which costs less than a second loop, and
    // is overwritten by the limits).
    let (mut values, mut upl, mut lpl) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
    let outputs = values.iter_mut().zip(upl.iter_mut().zip(lpl.iter_mut()));
    for ((p, (s, z)), (&x, &n)) in outputs.zip(x.iter().zip(n)) {
        *p = x / n;
        *s = (variance / n).sqrt();
        *z = (*p - centre) / *s;
    }
    let (sigma_z, screened) = if base < 2 {
        (Err(NoSigma::TooFewPoints), 0)
    } else if variance.is_nan() || variance <= 0.0 {
        (Err(NoSigma::DegenerateCentre), 0)
    } else {
        sigma_z(&lpl[..base], screen, scratch)
    };
    match sigma_z {
        Ok(sz) => {
            // Step 4, as qicharts2 computes it: s_i · σ_z first, then c ± 3 × that, then
            // the clamps.
            let top = match kind {
                LaneyKind::P => 1.0,
                LaneyKind::U => f64::INFINITY,
            };
            for (lo, hi) in lpl.iter_mut().zip(upl.iter_mut()) {
                (*lo, *hi) = laney_limits(centre, top, 1.0, *hi * sz);
            }
        }
        Err(_) => {
            lpl = Vec::new();
            upl = Vec::new();
        }
    }
    LaneySegment {
        centre,
        sigma_z,
        screened,
        values,
        lpl,
        upl,
    }
}

/// σ_z from the base points' z-scores (step 3), and the number of moving ranges screened out.
fn sigma_z(z: &[f64], screen: bool, ranges: &mut Vec<f64>) -> (Result<f64, NoSigma>, usize) {
    ranges.clear();
    ranges.extend(z[1..].iter().zip(z).map(|(&b, &a)| (b - a).abs()));
    let sum = compensated_sum(ranges);
    sigma_from_ranges(ranges, sum, screen)
}

/// σ_z from the moving ranges of z (step 3): their mean / 1.128, after screening when
/// `screen`, given `sum`, their [`compensated_sum`]. Returns it (or why there is none) and
/// the number screened out. Inlined for the caller's instruction set, as
/// [`accurate_mean_from_sum`] is.
#[inline(always)]
fn sigma_from_ranges(
    ranges: &mut Vec<f64>,
    sum: f64,
    screen: bool,
) -> (Result<f64, NoSigma>, usize) {
    let amr = accurate_mean_from_sum(ranges, sum);
    if !screen {
        return (Ok(amr / 1.128), 0);
    }
    let cut = constants::SCREEN * amr;
    let before = ranges.len();
    ranges.retain(|&r| r < cut);
    let screened = before - ranges.len();
    if ranges.is_empty() {
        (Err(NoSigma::AllScreened), screened)
    } else {
        (Ok(accurate_mean(ranges) / 1.128), screened)
    }
}

/// The limits of one point on the output scale from its spread `t` = s_i · σ_z, as qicharts2
/// computes them: c − 3t and c + 3t, the lower clamped at 0 and the upper at `top` (1 for p′,
/// infinity for u′), times `multiplier`. Exactly the bits of [`laney_segment`]'s limits times
/// `multiplier`.
#[inline(always)]
pub fn laney_limits(centre: f64, top: f64, multiplier: f64, t: f64) -> (f64, f64) {
    let (l, h) = (centre - 3.0 * t, centre + 3.0 * t);
    (
        (if l < 0.0 { 0.0 } else { l }) * multiplier,
        (if h > top { top } else { h }) * multiplier,
    )
}

/// A p′ or u′ segment, from [`laney_points`].
pub(crate) struct LaneyPoints {
    /// p̄ (or ū), on the proportion scale.
    pub centre: f64,
    /// The clamp above: 1 for p′, infinity for u′.
    pub top: f64,
    /// σ_z, or why there is none.
    pub sigma_z: Result<f64, NoSigma>,
    /// Moving ranges of z screened out.
    pub screened: usize,
    /// p_i × multiplier.
    pub values: Vec<f64>,
    /// s_i (empty without σ_z): the limits are [`laney_limits`] of s_i · σ_z.
    pub sigma: Vec<f64>,
    /// The runs analysis' counts around the centre, on the proportion scale.
    pub runs: RunCounts,
}

/// Points handled at a time by [`laney_points`]: their proportions and sigmas stay in the
/// first-level cache between the passes over them.
const BLOCK: usize = 512;

/// What [`laney_points`] reads: one segment's counts and how to chart them.
pub(crate) struct LaneyInput<'a> {
    /// p′ or u′.
    pub kind: LaneyKind,
    /// The numerators.
    pub x: &'a [f64],
    /// The denominators.
    pub n: &'a [f64],
    /// How many points from the start the centre and σ_z come from.
    pub base: usize,
    /// Whether large moving ranges of z are screened out.
    pub screen: bool,
    /// The output scale (100 for percent).
    pub multiplier: f64,
    /// The point types of a point above and below its limits.
    pub types: (PointType, PointType),
    /// Gaps before these points (relative to the segment): no moving range spans one.
    pub breaks: &'a [usize],
}

/// Where [`laney_points`] writes: every point's type and rule, and reused space for the runs
/// codes and the moving ranges.
pub(crate) struct LaneyOutput<'a> {
    /// Each point's type.
    pub point_type: &'a mut [PointType],
    /// Each point's first rule.
    pub rule: &'a mut [Option<Rule>],
    /// The runs codes (see [`RunScanner`]).
    pub codes: &'a mut Vec<u32>,
    /// The moving ranges of z.
    pub ranges: &'a mut Vec<f64>,
}

/// The same figures as [`laney_segment`], bit for bit, on the output scale, with the runs
/// codes (into `codes`, see [`RunScanner`]) and every point's type and rule set: the points
/// outside their limits (compared on the output scale, as qicharts2 does) `up_type` or
/// `down_type`, the others common cause (the first rule, so nothing is overwritten).
///
/// A chart of a million points is bound by memory traffic as much as by arithmetic, so this
/// makes two sweeps over the points after the base sums, each result written once: the first
/// computes p_i and s_i block by block (blocks of [`BLOCK`] points, which stay in cache), and
/// from them the output values, the runs codes, the moving ranges of z (into `ranges`, reused
/// space) and s_i; the second, once σ_z is known, the points outside the limits (the limits
/// themselves follow on demand from s_i and σ_z, see [`laney_limits`], so s_i is written once
/// and never rewritten). Every loop but the runs scan is one the compiler vectorises.
///
/// The counts are checked ([`first_bad_count`]) block by block in the first sweep, while they
/// are in cache, rather than in a pass of their own: a refused pair gives its index in `x`
/// and why, and nothing else.
pub(crate) fn laney_points(
    input: &LaneyInput<'_>,
    out: &mut LaneyOutput<'_>,
) -> Result<LaneyPoints, (usize, CountError)> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, as just checked.
        return unsafe { laney_points_avx2(input, out) };
    }
    laney_points_portable(input, out)
}

/// [`laney_points`] compiled for AVX2, whose vector divisions and square roots take four
/// lanes at the cost of SSE2's two. IEEE division and square root are exactly rounded at any
/// vector width, and Rust never fuses a multiply and an add on its own, so the results are
/// the same bits as [`laney_points_portable`]'s.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn laney_points_avx2(
    input: &LaneyInput<'_>,
    out: &mut LaneyOutput<'_>,
) -> Result<LaneyPoints, (usize, CountError)> {
    laney_points_portable(input, out)
}

/// [`laney_points`] for any processor (inlined into each entry point, so that each is
/// compiled for its own instruction set).
#[inline(always)]
fn laney_points_portable(
    input: &LaneyInput<'_>,
    out: &mut LaneyOutput<'_>,
) -> Result<LaneyPoints, (usize, CountError)> {
    let &LaneyInput {
        kind,
        x,
        n,
        base,
        screen,
        multiplier,
        types: (up_type, down_type),
        breaks,
    } = input;
    let LaneyOutput {
        point_type,
        rule,
        codes,
        ranges,
    } = out;
    let (point_type, rule) = (&mut **point_type, &mut **rule);
    let m = x.len().min(n.len()).min(point_type.len()).min(rule.len());
    let (x, n) = (&x[..m], &n[..m]);
    let base = base.clamp(1, m.max(1)).min(m);
    // Step 1 ([`compensated_sum`], inlined).
    let (xs, ns) = (&x[..base], &n[..base]);
    let (sum_x, sum_n) = RunningSum::totals(xs, ns);
    let centre = sum_x / sum_n;
    let variance = match kind {
        LaneyKind::P => centre * (1.0 - centre),
        LaneyKind::U => centre,
    };
    let degenerate = variance.is_nan() || variance <= 0.0;
    // Steps 2 and 3, the output values and the runs codes.
    let mut scanner = RunScanner::default();
    let mut range_sum = RunningSum::default();
    let mut runs = RunCounts::default();
    codes.clear();
    codes.reserve(m);
    ranges.clear();
    ranges.reserve(base.saturating_sub(1));
    let mut values = Vec::with_capacity(m);
    let mut sigma = Vec::with_capacity(m);
    let (mut p, mut z) = ([0.0; BLOCK], [0.0; BLOCK + 1]);
    for (b, (xs, ns)) in x.chunks(BLOCK).zip(n.chunks(BLOCK)).enumerate() {
        let k = xs.len();
        if let Some((i, error)) = first_bad_count(kind, xs, ns) {
            return Err((b * BLOCK + i, error));
        }
        let p = &mut p[..k];
        for (p, (&x, &n)) in p.iter_mut().zip(xs.iter().zip(ns)) {
            *p = x / n;
        }
        // Written straight into the result (no copy from a block of its own); read back below
        // while in cache.
        sigma.extend(ns.iter().map(|&n| (variance / n).sqrt()));
        let s = &sigma[b * BLOCK..];
        codes.extend(p.iter().map(|&p| scanner.push(p, centre)));
        // Counted now, while the block's codes are in cache, rather than in another sweep.
        runs = runs.merge(RunCounts::of(&codes[b * BLOCK..]));
        values.extend(p.iter().map(|&p| p * multiplier));
        // z of this block's base points, after the last z of the block before.
        let in_base = base.saturating_sub(b * BLOCK).min(k);
        if in_base > 0 && !degenerate {
            let zs = &mut z[1..=in_base];
            for ((z, &p), &s) in zs.iter_mut().zip(p.iter()).zip(s.iter()) {
                *z = (p - centre) / s;
            }
            let first = usize::from(b == 0); // the very first z has no moving range
            let moving = z[1 + first..=in_base].iter().zip(&z[first..in_base]);
            ranges.extend(moving.map(|(&b, &a)| (b - a).abs()));
            // Summed now, in cache, for the mean of the moving ranges.
            range_sum.feed(ranges);
            z[0] = z[in_base];
        }
    }
    let (sigma_z, screened) = laney_sigma_z(ranges, breaks, base, degenerate, &range_sum, screen);
    // Step 4 and the first rule, on the output scale.
    let top = match kind {
        LaneyKind::P => 1.0,
        LaneyKind::U => f64::INFINITY,
    };
    match sigma_z {
        Ok(sz) => flag_outside_limits(
            &values,
            &sigma,
            (centre, top, multiplier, sz),
            (up_type, down_type),
            point_type,
            rule,
        ),
        Err(_) => sigma = Vec::new(),
    }
    Ok(LaneyPoints {
        centre,
        top,
        sigma_z,
        screened,
        values,
        sigma,
        runs,
    })
}

/// σ_z of the base (spc.md's p′ and u′ step 3) from the moving ranges of z, leaving out those
/// across a gap, and how many ranges screening set aside; why there is none.
#[inline(always)]
fn laney_sigma_z(
    ranges: &mut Vec<f64>,
    breaks: &[usize],
    base: usize,
    degenerate: bool,
    range_sum: &RunningSum,
    screen: bool,
) -> (Result<f64, NoSigma>, usize) {
    // A gap before point j + 1 (`breaks`, relative to the segment) leaves out the moving
    // range of z from point j to j + 1: values either side of a gap are not consecutive.
    let gapped_sum = (!breaks.is_empty() && !degenerate).then(|| {
        let mut j = 0;
        ranges.retain(|_| {
            j += 1;
            !breaks.contains(&j)
        });
        compensated_sum(ranges)
    });
    if base < 2 {
        (Err(NoSigma::TooFewPoints), 0)
    } else if degenerate {
        (Err(NoSigma::DegenerateCentre), 0)
    } else if ranges.is_empty() {
        (Err(NoSigma::TooFewPoints), 0)
    } else {
        let sum = gapped_sum.unwrap_or_else(|| range_sum.total(ranges));
        sigma_from_ranges(ranges, sum, screen)
    }
}

/// Flags the points outside the limits (step 4 and the first rule, on the output scale):
/// the limits from the centre, the top of the scale, the multiplier and σ_z.
#[inline(always)]
fn flag_outside_limits(
    values: &[f64],
    sigma: &[f64],
    (centre, top, multiplier, sz): (f64, f64, f64, f64),
    (up_type, down_type): (PointType, PointType),
    point_type: &mut [PointType],
    rule: &mut [Option<Rule>],
) {
    // Backwards: the last points written (and the moving ranges read since) are the likeliest
    // still in cache.
    let points = values.iter().zip(sigma.iter());
    let flags = point_type.iter_mut().zip(rule.iter_mut());
    for ((&y, &s), (pt, r)) in points.zip(flags).rev() {
        let (lo, hi) = laney_limits(centre, top, multiplier, s * sz);
        let (above, below) = (y > hi, y < lo);
        *r = if above | below {
            Some(Rule::OutsideLimits)
        } else {
            None
        };
        *pt = if above {
            up_type
        } else if below {
            down_type
        } else {
            PointType::CommonCause
        };
    }
}
