//! Laney's p′ chart (proportions) and u′ chart (rates), exactly as `shared/spec/runchart.md`
//! defines them, to match the R package qicharts2: limits that follow each period's
//! denominator, widened (or narrowed) by σ_z, the variation of the z-scores between periods.
//!
//! This module computes one segment's centre, σ_z and limits; [`crate::chart`] adds the runs
//! analysis ([`crate::runchart`]), point types and icons for a whole series. The order of
//! every floating-point operation follows qicharts2 (`qic.pp`, `qic.up`), so results agree to
//! the last bit or nearly.

use serde::Serialize;

use crate::spc::{accurate_mean, constants};

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

/// A compensated (Neumaier) sum, as accurate as R's extended-precision `sum()` for these
/// purposes.
fn accurate_sum(values: &[f64]) -> f64 {
    let (mut sum, mut err) = (0.0_f64, 0.0_f64);
    for &x in values {
        let s = sum + x;
        let z = s - sum;
        err += (sum - (s - z)) + (x - z);
        sum = s;
    }
    sum + err
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
pub fn laney_segment(
    kind: LaneyKind,
    x: &[f64],
    n: &[f64],
    base: usize,
    screen: bool,
    scratch: &mut Vec<f64>,
) -> LaneySegment {
    let m = x.len().min(n.len());
    let base = base.clamp(1, m.max(1)).min(m);
    let centre = accurate_sum(&x[..base]) / accurate_sum(&n[..base]);
    let values: Vec<f64> = x[..m].iter().zip(&n[..m]).map(|(&x, &n)| x / n).collect();
    let variance = match kind {
        LaneyKind::P => centre * (1.0 - centre),
        LaneyKind::U => centre,
    };
    let (sigma_z, screened) = sigma_z(
        variance,
        centre,
        &values[..base],
        &n[..base],
        screen,
        scratch,
    );
    let (lpl, upl) = match sigma_z {
        Ok(sz) => limits(kind, centre, variance, sz, &n[..m]),
        Err(_) => (Vec::new(), Vec::new()),
    };
    LaneySegment {
        centre,
        sigma_z,
        screened,
        values,
        lpl,
        upl,
    }
}

/// σ_z of the base points (step 3), and the number of moving ranges screened out.
fn sigma_z(
    variance: f64,
    centre: f64,
    p: &[f64],
    n: &[f64],
    screen: bool,
    ranges: &mut Vec<f64>,
) -> (Result<f64, NoSigma>, usize) {
    if p.len() < 2 {
        return (Err(NoSigma::TooFewPoints), 0);
    }
    if variance.is_nan() || variance <= 0.0 {
        return (Err(NoSigma::DegenerateCentre), 0);
    }
    ranges.clear();
    let mut prev_z = f64::NAN;
    for (i, (&p, &n)) in p.iter().zip(n).enumerate() {
        let z = (p - centre) / (variance / n).sqrt();
        if i > 0 {
            ranges.push((z - prev_z).abs());
        }
        prev_z = z;
    }
    let amr = accurate_mean(ranges);
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

/// Limits of every point (step 4), computed as qicharts2 does: s_i · σ_z first, then
/// c ± 3 × that, then the clamps.
fn limits(
    kind: LaneyKind,
    centre: f64,
    variance: f64,
    sigma_z: f64,
    n: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let mut lpl = Vec::with_capacity(n.len());
    let mut upl = Vec::with_capacity(n.len());
    let top = match kind {
        LaneyKind::P => 1.0,
        LaneyKind::U => f64::INFINITY,
    };
    for &n in n {
        let sd = (variance / n).sqrt() * sigma_z;
        let lo = centre - 3.0 * sd;
        let hi = centre + 3.0 * sd;
        lpl.push(if lo < 0.0 { 0.0 } else { lo });
        upl.push(if hi > top { top } else { hi });
    }
    (lpl, upl)
}
