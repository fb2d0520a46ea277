//! Funnel plots: organisations compared on one indicator at one time, to
//! `docs/methods/funnels.md`.
//!
//! - Proportions by the Fingertips method: limits at denominator n are the proportions whose
//!   Wilson score interval just reaches the pooled proportion p, which is exactly
//!   `p ± z·√(p(1 − p)/n)` (z at full precision), clamped to [0, M] for display; each
//!   organisation's significance is judged against the unclamped limits.
//! - Indirectly standardised ratios by Spiegelhalter's method: exact Poisson limits at the
//!   expected count E from chi-square quantiles with non-integer degrees of freedom, and
//!   optionally limits widened for over-dispersion (the SHMI approach: trimmed z-scores,
//!   φ, additive random-effects τ²).
//! - Proportions with over-dispersion by the arcsine method of FunnelPlotR
//!   ([`proportions_overdispersed`]): winsorised z-scores on the arcsine scale, the same τ².
//!
//! ```
//! use sct_spc::funnel::{ProportionInput, proportions, Significance};
//! let rows = vec![
//!     ProportionInput { org: "A".into(), numerator: 50.0, denominator: 100.0 },
//!     ProportionInput { org: "B".into(), numerator: 420.0, denominator: 1000.0 },
//!     ProportionInput { org: "C".into(), numerator: 300.0, denominator: 500.0 },
//! ];
//! let funnel = proportions(&rows, 100.0)?;
//! assert!((funnel.baseline - 48.125).abs() < 1e-12);
//! assert_eq!(funnel.rows[2].significance, Significance::High001);
//! # Ok::<(), sct_spc::funnel::FunnelError>(())
//! ```

use serde::Serialize;

mod arcsine;
pub use arcsine::{
    ARCSINE_METHOD, ArcsineFunnel, ArcsineOverdispersion, ArcsineRow, WINSORISE, arcsine_limits,
    arcsine_z, proportions_overdispersed, quantile_type7,
};

use crate::number::{MAX_MULTIPLIER, check, show};
use crate::quantile::{Tail, chi_square_quantile, gamma_quantile_pair, normal_quantile};

/// The two-sided probability outside the 95 % limits, halved (one tail).
pub const TAIL_95: f64 = 0.025;
/// The one-tail probability outside the 99.8 % limits.
pub const TAIL_998: f64 = 0.001;
/// The z of the 95 % over-dispersion-adjusted limits, rounded as FunnelPlotR rounds it
/// (`docs/methods/funnels.md`).
pub const OD_Z_95: f64 = 1.959964;
/// The z of the 99.8 % over-dispersion-adjusted limits, rounded likewise.
pub const OD_Z_998: f64 = 3.090232;

/// What went wrong computing a funnel (inputs are checked row by row when read; these are
/// the checks of the whole set).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FunnelError {
    /// No rows.
    #[error("no organisations to compare")]
    Empty,
    /// A row's values are outside what the method accepts.
    #[error("{org}: {problem}")]
    BadRow {
        /// The organisation.
        org: String,
        /// What is wrong.
        problem: String,
    },
    /// The same organisation twice.
    #[error("organisation {org} appears twice (rows {first} and {second})")]
    Duplicate {
        /// The organisation.
        org: String,
        /// The first row (one-based among the rows given).
        first: usize,
        /// The second row.
        second: usize,
    },
    /// Over-dispersion of proportions estimated from fewer than two organisations (with one,
    /// τ² has a zero denominator).
    #[error(
        "over-dispersion needs at least two organisations to estimate the spread between them, and the file has {0}"
    )]
    TooFewForOverdispersion(usize),
    /// The multiplier is not above 0 and at most [`MAX_MULTIPLIER`].
    #[error("the multiplier must be above 0 and at most 1e9, not {}", show(*.0))]
    Multiplier(f64),
}

/// One organisation's numerator and denominator.
#[derive(Debug, Clone, PartialEq)]
pub struct ProportionInput {
    /// The organisation.
    pub org: String,
    /// Numerator, 0 ≤ numerator ≤ denominator.
    pub numerator: f64,
    /// Denominator, > 0.
    pub denominator: f64,
}

/// Where a proportion lies against the limits (first match wins, strict inequalities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Significance {
    /// Below the 99.8 % lower limit.
    #[serde(rename = "Low (0.001)")]
    Low001,
    /// Below the 95 % lower limit.
    #[serde(rename = "Low (0.025)")]
    Low025,
    /// Above the 99.8 % upper limit.
    #[serde(rename = "High (0.001)")]
    High001,
    /// Above the 95 % upper limit.
    #[serde(rename = "High (0.025)")]
    High025,
    /// Inside the 95 % limits.
    #[serde(rename = "Not significant")]
    NotSignificant,
}

impl Significance {
    /// The label outputs use, e.g. `Low (0.001)`.
    pub fn label(self) -> &'static str {
        match self {
            Significance::Low001 => "Low (0.001)",
            Significance::Low025 => "Low (0.025)",
            Significance::High001 => "High (0.001)",
            Significance::High025 => "High (0.025)",
            Significance::NotSignificant => "Not significant",
        }
    }

    /// Whether outside the 95 % limits.
    pub fn is_outlier(self) -> bool {
        self != Significance::NotSignificant
    }
}

/// One organisation on a proportion funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProportionRow {
    /// The organisation.
    pub org: String,
    /// Numerator.
    pub numerator: f64,
    /// Denominator.
    pub denominator: f64,
    /// numerator / denominator × M.
    pub value: f64,
    /// The pooled proportion × M.
    pub baseline: f64,
    /// 95 % lower limit × M, clamped to [0, M].
    pub lower_95: f64,
    /// 95 % upper limit × M, clamped.
    pub upper_95: f64,
    /// 99.8 % lower limit × M, clamped.
    pub lower_998: f64,
    /// 99.8 % upper limit × M, clamped.
    pub upper_998: f64,
    /// Against the unclamped limits.
    pub significance: Significance,
}

/// A proportion funnel: the pooled baseline and every organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProportionFunnel {
    /// The multiplier M (100 = percent).
    pub multiplier: f64,
    /// Σ numerators / Σ denominators × M.
    pub baseline: f64,
    /// The pooled proportion, unscaled.
    pub pooled: f64,
    /// The organisations, in input order.
    pub rows: Vec<ProportionRow>,
}

/// The method in words, for reports and chart descriptions.
pub const PROPORTION_METHOD: &str = "Fingertips method: the centre line is the pooled proportion (all numerators over all denominators); the 95 % and 99.8 % limits at each denominator are the proportions whose Wilson score interval just reaches it, p ± z·√(p(1 − p)/n) with z the standard normal quantiles Φ⁻¹(0.975) ≈ 1.959964 and Φ⁻¹(0.999) ≈ 3.090232 at full precision, shown clamped to the scale; an organisation is significant when its value lies strictly outside the unclamped limits.";

/// The method for ratios in words.
pub const RATIO_METHOD: &str = "Spiegelhalter's method: indirectly standardised ratio O/E against a centre of 1; exact Poisson 95 % and 99.8 % limits at each expected count E from chi-square quantiles, χ²(α/2; 2E)/2E and χ²(1 − α/2; 2E + 2)/2E; an organisation is an outlier when its ratio lies outside the limits (the limits themselves count as inside).";

/// The over-dispersion method in words.
pub const OVERDISPERSION_METHOD: &str = "Over-dispersion (the SHMI approach, Spiegelhalter 2012): z = √E · ln(O/E), the top and bottom 10 % of z dropped (organisations with O = 0 have no z), φ the mean of the remaining z², τ² = (kφ − (k − 1)) / (Σw − Σw²/Σw) with w = E when kφ ≥ k − 1 (else 0), and limits exp(± z · √(1/E + τ²)).";

/// The unclamped proportion limits at denominator `n` for pooled proportion `p` and
/// normal quantile `z`: the proportions whose Wilson score interval just reaches p.
pub fn proportion_limits(p: f64, n: f64, z: f64) -> (f64, f64) {
    let half = z * (p * (1.0 - p) / n).sqrt();
    (p - half, p + half)
}

fn check_multiplier(m: f64) -> Result<(), FunnelError> {
    // Bounded so that no limit times the multiplier can overflow.
    if m > 0.0 && m <= MAX_MULTIPLIER {
        Ok(())
    } else {
        Err(FunnelError::Multiplier(m))
    }
}

/// A quick hasher for the funnel's own tables (organisation codes, the bits of expected
/// counts): the tables are built from the input once and never face an adversary that
/// could gain from collisions, so SipHash's protection buys nothing and costs more than the
/// lookups it guards. Multiply-rotate in the manner of FxHash, mixed at the end so that the
/// table's bucket and tag bits both vary.
#[derive(Default, Clone, Copy)]
pub struct QuickHasher(u64);

impl std::hash::Hasher for QuickHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(word));
        }
        let mut rest = [0; 8];
        rest[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.write_u64(u64::from_le_bytes(rest) ^ chunks.remainder().len() as u64);
    }

    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        // The last steps of SplitMix64: every bit of the state reaches the top bits.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// A hash map with [`QuickHasher`].
pub type QuickMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<QuickHasher>>;

/// Rejects an organisation given twice, naming both rows.
fn check_duplicates<'a>(orgs: impl Iterator<Item = &'a str>) -> Result<(), FunnelError> {
    let mut seen = QuickMap::default();
    for (i, org) in orgs.enumerate() {
        if let Some(first) = seen.insert(org, i + 1) {
            return Err(FunnelError::Duplicate {
                org: org.to_string(),
                first,
                second: i + 1,
            });
        }
    }
    Ok(())
}

/// The checks every funnel makes before computing: the multiplier, at least one row, each
/// organisation once, and each row's own `problem` (the first found is the error).
fn check_rows<R>(
    rows: &[R],
    m: f64,
    org: impl Fn(&R) -> &String,
    problem: impl Fn(&R) -> Option<String>,
) -> Result<(), FunnelError> {
    check_multiplier(m)?;
    if rows.is_empty() {
        return Err(FunnelError::Empty);
    }
    check_duplicates(rows.iter().map(|r| org(r).as_str()))?;
    match rows.iter().find_map(|r| Some((org(r), problem(r)?))) {
        Some((org, problem)) => Err(FunnelError::BadRow {
            org: org.clone(),
            problem,
        }),
        None => Ok(()),
    }
}

impl ProportionInput {
    /// What is wrong with this row, if anything.
    fn problem(&self) -> Option<String> {
        if !(self.denominator.is_finite() && self.denominator > 0.0) {
            return Some(format!(
                "denominator {} is not greater than 0",
                self.denominator
            ));
        }
        if !(self.numerator.is_finite() && self.numerator >= 0.0) {
            return Some(format!("numerator {} is negative", self.numerator));
        }
        if self.numerator > self.denominator {
            return Some(format!(
                "numerator {} is greater than denominator {}",
                self.numerator, self.denominator
            ));
        }
        // Bounded so that the pooled sums cannot overflow (they were infinite, the pooled
        // proportion NaN, and every organisation "not significant").
        check(self.denominator)
            .err()
            .map(|e| format!("denominator {} {e}", show(self.denominator)))
    }
}

impl RatioInput {
    /// What is wrong with this row, if anything.
    fn problem(&self) -> Option<String> {
        if !(self.expected.is_finite() && self.expected > 0.0) {
            return Some(format!("expected {} is not greater than 0", self.expected));
        }
        if !(self.observed.is_finite() && self.observed >= 0.0 && self.observed.fract() == 0.0) {
            return Some(format!(
                "observed {} is not a whole number of 0 or more",
                self.observed
            ));
        }
        None
    }
}

/// Computes a proportion funnel with multiplier `m` (spec: default 100).
pub fn proportions(rows: &[ProportionInput], m: f64) -> Result<ProportionFunnel, FunnelError> {
    check_rows(rows, m, |r| &r.org, ProportionInput::problem)?;
    let (num, den) = rows
        .iter()
        .fold((0.0, 0.0), |(a, b), r| (a + r.numerator, b + r.denominator));
    let p = num / den;
    let (z95, z998) = (
        normal_quantile(1.0 - TAIL_95),
        normal_quantile(1.0 - TAIL_998),
    );
    let out = rows
        .iter()
        .map(|r| {
            let value = r.numerator / r.denominator * m;
            let (l95, u95) = proportion_limits(p, r.denominator, z95);
            let (l998, u998) = proportion_limits(p, r.denominator, z998);
            let (l95, u95, l998, u998) = (l95 * m, u95 * m, l998 * m, u998 * m);
            let significance = if value < l998 {
                Significance::Low001
            } else if value < l95 {
                Significance::Low025
            } else if value > u998 {
                Significance::High001
            } else if value > u95 {
                Significance::High025
            } else {
                Significance::NotSignificant
            };
            let clamp = |v: f64| v.clamp(0.0, m);
            ProportionRow {
                org: r.org.clone(),
                numerator: r.numerator,
                denominator: r.denominator,
                value,
                baseline: p * m,
                lower_95: clamp(l95),
                upper_95: clamp(u95),
                lower_998: clamp(l998),
                upper_998: clamp(u998),
                significance,
            }
        })
        .collect();
    Ok(ProportionFunnel {
        multiplier: m,
        baseline: p * m,
        pooled: p,
        rows: out,
    })
}

/// One organisation's observed and expected counts.
#[derive(Debug, Clone, PartialEq)]
pub struct RatioInput {
    /// The organisation.
    pub org: String,
    /// Observed count O ≥ 0, a whole number.
    pub observed: f64,
    /// Expected count E > 0.
    pub expected: f64,
}

/// Limits widened for over-dispersion, with the estimate behind them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overdispersion {
    /// φ: the mean squared z-score over the organisations kept (None when none were kept).
    pub phi: Option<f64>,
    /// τ²: the between-organisation variance on the log scale (0 when φ shows no
    /// over-dispersion).
    pub tau2: f64,
    /// Organisations with a z-score (O > 0).
    pub with_z: usize,
    /// Organisations kept after dropping the top and bottom 10 % of z.
    pub kept: usize,
    /// Organisations left out of the estimate because O = 0 (no z).
    pub zero_observed: usize,
}

/// One organisation on a ratio funnel. Every value is multiplied by M.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatioRow {
    /// The organisation.
    pub org: String,
    /// Observed count.
    pub observed: f64,
    /// Expected count.
    pub expected: f64,
    /// O / E × M.
    pub ratio: f64,
    /// Exact Poisson 95 % lower limit × M.
    pub lower_95: f64,
    /// Exact Poisson 95 % upper limit × M.
    pub upper_95: f64,
    /// Exact Poisson 99.8 % lower limit × M.
    pub lower_998: f64,
    /// Exact Poisson 99.8 % upper limit × M.
    pub upper_998: f64,
    /// Over-dispersion-adjusted limits × M (lower 95, upper 95, lower 99.8, upper 99.8), when
    /// asked for.
    pub od_limits: Option<[f64; 4]>,
    /// Outside the (adjusted, when asked for) 95 % limits.
    pub outlier_95: bool,
    /// Outside the (adjusted, when asked for) 99.8 % limits.
    pub outlier_998: bool,
}

/// A ratio funnel: every organisation against a centre of 1 × M.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatioFunnel {
    /// The multiplier M.
    pub multiplier: f64,
    /// The centre line, 1 × M.
    pub centre: f64,
    /// The over-dispersion estimate, when asked for.
    pub overdispersion: Option<Overdispersion>,
    /// The organisations, in input order.
    pub rows: Vec<RatioRow>,
}

/// Exact Poisson limits for the ratio O/E at expected count `e`, for one-tail probability
/// `tail`: `χ²(tail; 2E) / 2E` and `χ²(1 − tail; 2E + 2) / 2E`.
pub fn poisson_limits(e: f64, tail: f64) -> (f64, f64) {
    let lower = chi_square_quantile(tail, 2.0 * e).map_or(f64::NAN, |x| x / (2.0 * e));
    let upper = chi_square_quantile(1.0 - tail, 2.0 * e + 2.0).map_or(f64::NAN, |x| x / (2.0 * e));
    (lower, upper)
}

/// Over-dispersion-adjusted limits `exp(± z·√(1/E + τ²))` at expected count `e`.
pub fn overdispersed_limits(e: f64, tau2: f64, z: f64) -> (f64, f64) {
    let half = z * (1.0 / e + tau2).sqrt();
    ((-half).exp(), half.exp())
}

/// Average ranks (one-based) of `values`, ties sharing the mean of their ranks.
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        // Positions i..=j (zero-based) hold ranks i+1..=j+1; their mean is (i + j)/2 + 1.
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// τ², the between-organisation variance of the additive random-effects model, from the
/// over-dispersion factor `phi` of k organisations with inverse-variance `weights`
/// (Spiegelhalter 2005): 0 when `k·φ < k − 1` (no more spread than chance), else
/// `(k·φ − (k − 1)) / (Σw − Σw²/Σw)`, and 0 when that is negative or not finite (one
/// organisation). Shared by the ratio (w = E) and proportion (w = 4n) methods.
pub fn random_effects_tau2(phi: f64, weights: &[f64]) -> f64 {
    let k = weights.len() as f64;
    if k * phi < k - 1.0 {
        return 0.0;
    }
    let sw: f64 = weights.iter().sum();
    let sw2: f64 = weights.iter().map(|w| w * w).sum();
    let t = (k * phi - (k - 1.0)) / (sw - sw2 / sw);
    if t.is_finite() { t.max(0.0) } else { 0.0 }
}

/// Estimates over-dispersion from observed and expected counts (`docs/methods/funnels.md`).
pub fn estimate_overdispersion(rows: &[RatioInput]) -> Overdispersion {
    let with_z: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r.observed > 0.0)
        .map(|r| {
            (
                r.expected.sqrt() * (r.observed / r.expected).ln(),
                r.expected,
            )
        })
        .collect();
    let n = with_z.len();
    let zs: Vec<f64> = with_z.iter().map(|&(z, _)| z).collect();
    let ranks = average_ranks(&zs);
    let kept: Vec<(f64, f64)> = with_z
        .iter()
        .zip(&ranks)
        .filter(|(_, rank)| {
            let band = (*rank * 10.0 / (n as f64 + 1.0)).floor();
            band > 0.0 && band < 9.0
        })
        .map(|(&zw, _)| zw)
        .collect();
    let k = kept.len() as f64;
    let phi = (!kept.is_empty()).then(|| kept.iter().map(|(z, _)| z * z).sum::<f64>() / k);
    let weights: Vec<f64> = kept.iter().map(|&(_, w)| w).collect();
    let tau2 = phi.map_or(0.0, |phi| random_effects_tau2(phi, &weights));
    Overdispersion {
        phi,
        tau2,
        with_z: n,
        kept: kept.len(),
        zero_observed: rows.len() - n,
    }
}

/// Expected counts at least this many are shared out between threads: the exact Poisson
/// limits (four chi-square quantiles each) are most of a ratio funnel's time.
const PARALLEL_FROM: usize = 1024;

/// Distinct expected counts a thread takes at a time: small enough that the threads finish
/// together when one of them is slowed (by the over-dispersion estimate, or another
/// process), large enough that taking them costs nothing.
const BLOCK: usize = 64;

/// The probabilities of the exact limits, with what the quantiles at each need computed
/// once for every expected count: the lower limits' shape 2E/2 at the lower tails, the upper
/// limits' shape (2E + 2)/2 at the upper ones.
struct LimitTails {
    lower: [Tail; 2],
    upper: [Tail; 2],
}

impl LimitTails {
    fn new() -> Self {
        LimitTails {
            lower: [Tail::new(TAIL_95), Tail::new(TAIL_998)],
            upper: [Tail::new(1.0 - TAIL_95), Tail::new(1.0 - TAIL_998)],
        }
    }

    /// [`exact_limits`] at expected count `e`, the same numbers bit for bit: the quantiles
    /// of [`poisson_limits`], each shape's two computed together.
    fn limits(&self, e: f64) -> [f64; 4] {
        // As chi_square_quantile(p, df) = 2 · gamma_quantile(df / 2, p) computes them.
        let [l95, l998] = gamma_quantile_pair((2.0 * e) / 2.0, &self.lower);
        let [u95, u998] = gamma_quantile_pair((2.0 * e + 2.0) / 2.0, &self.upper);
        let ratio = |x: Option<f64>| x.map(|x| 2.0 * x).map_or(f64::NAN, |x| x / (2.0 * e));
        [ratio(l95), ratio(u95), ratio(l998), ratio(u998)]
    }
}

/// The exact Poisson limits at one expected count: 95 % lower and upper, 99.8 % lower and
/// upper (unscaled).
#[cfg(test)]
fn exact_limits(e: f64) -> [f64; 4] {
    let (l95, u95) = poisson_limits(e, TAIL_95);
    let (l998, u998) = poisson_limits(e, TAIL_998);
    [l95, u95, l998, u998]
}

/// The exact limits of every row, each distinct expected count computed once (published
/// expected counts are often rounded, so many organisations share one), and `beside` run on
/// this thread meanwhile. With enough distinct counts and more than one thread, the counts
/// are taken [`BLOCK`] at a time by every thread, this one once `beside` is done, so that no
/// thread waits for a slower one. The limits are a function of E alone, so they are those
/// computed row by row on one thread.
fn exact_limits_beside<T>(rows: &[RatioInput], beside: impl FnOnce() -> T) -> (Vec<[f64; 4]>, T) {
    let mut index = QuickMap::with_capacity_and_hasher(rows.len(), Default::default());
    let mut distinct = Vec::new();
    let slots: Vec<usize> = rows
        .iter()
        .map(|r| {
            *index.entry(r.expected.to_bits()).or_insert_with(|| {
                distinct.push(r.expected);
                distinct.len() - 1
            })
        })
        .collect();
    let tails = LimitTails::new();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(16));
    let (limits, made) = if distinct.len() < PARALLEL_FROM || threads < 2 {
        let made = beside();
        (distinct.iter().map(|&e| tails.limits(e)).collect(), made)
    } else {
        in_blocks(&distinct, threads, |e| tails.limits(e), beside)
    };
    (slots.into_iter().map(|i| limits[i]).collect(), made)
}

/// `f` over `items` on `threads` threads taking [`BLOCK`] items at a time, this thread
/// joining in once it has run `beside`; the results in the order of `items`.
fn in_blocks<U: Send + Copy + Default, T>(
    items: &[f64],
    threads: usize,
    f: impl Fn(f64) -> U + Sync,
    beside: impl FnOnce() -> T,
) -> (Vec<U>, T) {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let start = next.fetch_add(BLOCK, std::sync::atomic::Ordering::Relaxed);
            if start >= items.len() {
                return done;
            }
            let end = (start + BLOCK).min(items.len());
            done.push((
                start,
                items[start..end].iter().map(|&v| f(v)).collect::<Vec<U>>(),
            ));
        }
    };
    let (parts, made) = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let made = beside();
        let mut parts = work();
        for helper in helpers {
            parts.extend(
                helper
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            );
        }
        (parts, made)
    });
    let mut out = vec![U::default(); items.len()];
    for (start, values) in parts {
        out[start..start + values.len()].copy_from_slice(&values);
    }
    (out, made)
}

/// One organisation on a ratio funnel with multiplier `m`, given its exact limits: its
/// ratio, the over-dispersion limits when `od` is given (then outliers are judged against
/// those).
fn ratio_row(r: &RatioInput, exact: [f64; 4], m: f64, od: Option<&Overdispersion>) -> RatioRow {
    let e = r.expected;
    let ratio = r.observed / e * m;
    let poisson = exact.map(|v| v * m);
    let od_limits = od.map(|od| {
        let (a, b) = overdispersed_limits(e, od.tau2, OD_Z_95);
        let (c, d) = overdispersed_limits(e, od.tau2, OD_Z_998);
        [a * m, b * m, c * m, d * m]
    });
    let judged = od_limits.unwrap_or(poisson);
    let outside = |lo: f64, hi: f64| !(lo <= ratio && ratio <= hi);
    RatioRow {
        org: r.org.clone(),
        observed: r.observed,
        expected: e,
        ratio,
        lower_95: poisson[0],
        upper_95: poisson[1],
        lower_998: poisson[2],
        upper_998: poisson[3],
        od_limits,
        outlier_95: outside(judged[0], judged[1]),
        outlier_998: outside(judged[2], judged[3]),
    }
}

/// Computes a ratio funnel with multiplier `m` (spec: default 1), optionally with limits
/// adjusted for over-dispersion (then outliers are judged against those).
pub fn ratios(
    rows: &[RatioInput],
    m: f64,
    overdispersion: bool,
) -> Result<RatioFunnel, FunnelError> {
    check_rows(rows, m, |r| &r.org, RatioInput::problem)?;
    // The estimate is made while other threads compute the limits.
    let (exact, od) = exact_limits_beside(rows, || {
        overdispersion.then(|| estimate_overdispersion(rows))
    });
    let out: Vec<RatioRow> = rows
        .iter()
        .zip(exact)
        .map(|(r, exact)| ratio_row(r, exact, m, od.as_ref()))
        .collect();
    // An expected count so small that the ratio or a limit is infinite would be judged
    // against infinite limits, never an outlier: refused instead.
    for row in &out {
        let numbers = [
            row.ratio,
            row.lower_95,
            row.upper_95,
            row.lower_998,
            row.upper_998,
        ];
        let od_numbers = row.od_limits.iter().flatten();
        if numbers.iter().chain(od_numbers).any(|v| !v.is_finite()) {
            return Err(FunnelError::BadRow {
                org: row.org.clone(),
                problem: format!(
                    "expected {} is too small: the ratio {} / {} or its limits are too large to compute",
                    show(row.expected),
                    show(row.observed),
                    show(row.expected)
                ),
            });
        }
    }
    Ok(RatioFunnel {
        multiplier: m,
        centre: m,
        overdispersion: od,
        rows: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn prop(org: &str, numerator: f64, denominator: f64) -> ProportionInput {
        ProportionInput {
            org: org.into(),
            numerator,
            denominator,
        }
    }

    #[test]
    fn proportion_limits_are_the_wilson_inversion() {
        // p = 0.2, n = 100: p ± 1.959964 × 0.04 (hand-worked: √(0.2 × 0.8 / 100) = 0.04).
        let z = normal_quantile(0.975);
        let (lo, hi) = proportion_limits(0.2, 100.0, z);
        assert_relative_eq!(lo, 0.2 - 0.078398559381602, max_relative = 1e-12);
        assert_relative_eq!(hi, 0.2 + 0.078398559381602, max_relative = 1e-12);
        // The Wilson interval of x/n = hi has lower bound p; of x/n = lo, upper bound p.
        let wilson = |phat: f64, n: f64| {
            let z2 = z * z;
            let centre = (phat + z2 / (2.0 * n)) / (1.0 + z2 / n);
            let half = z / (1.0 + z2 / n) * (phat * (1.0 - phat) / n + z2 / (4.0 * n * n)).sqrt();
            (centre - half, centre + half)
        };
        assert_relative_eq!(wilson(hi, 100.0).0, 0.2, max_relative = 1e-12);
        assert_relative_eq!(wilson(lo, 100.0).1, 0.2, max_relative = 1e-12);
    }

    #[test]
    fn pooled_baseline_limits_at_given_denominators_and_clamping() {
        let f = proportions(
            &[
                prop("A", 10.0, 50.0),
                prop("B", 30.0, 150.0),
                prop("C", 1.0, 4.0),
            ],
            100.0,
        )
        .unwrap();
        // Pooled: 41 / 204, not the mean of the rates.
        assert_relative_eq!(f.baseline, 41.0 / 204.0 * 100.0, max_relative = 1e-12);
        let p: f64 = 41.0 / 204.0;
        let half = |n: f64, z: f64| z * (p * (1.0 - p) / n).sqrt() * 100.0;
        let b = &f.rows[1];
        assert_relative_eq!(
            b.upper_95,
            p * 100.0 + half(150.0, 1.959963984540054),
            max_relative = 1e-12
        );
        assert_relative_eq!(
            b.lower_998,
            p * 100.0 - half(150.0, 3.090232306167813),
            max_relative = 1e-12
        );
        // At n = 4 the 99.8 % lower limit is below 0: shown clamped to 0.
        assert_eq!(f.rows[2].lower_998, 0.0);
        assert!(
            f.rows
                .iter()
                .all(|r| r.significance == Significance::NotSignificant)
        );
    }

    #[test]
    fn a_classification_changes_when_a_numerator_crosses_a_limit() {
        // 10 organisations of 1000 at 200 events, one varying. Pooled p moves with it, so the
        // limits are recomputed each time; the crossing is found by hand-worked bounds.
        let run = |x: f64| {
            let mut rows: Vec<ProportionInput> = (0..9)
                .map(|i| prop(&format!("O{i}"), 200.0, 1000.0))
                .collect();
            rows.push(prop("X", x, 1000.0));
            proportions(&rows, 100.0).unwrap().rows[9].significance
        };
        // p = (1800 + x) / 10000; the 95 % upper limit for n = 1000 is p + 1.96·√(p(1−p)/1000).
        // x = 230: p = 0.203, limit 0.22794 → 23.0 % is High (0.025).
        // x = 225: p = 0.2025, limit 0.22741 → 22.5 % is Not significant.
        assert_eq!(run(225.0), Significance::NotSignificant);
        assert_eq!(run(230.0), Significance::High025);
        // 99.8 %: x = 245, p = 0.2045, limit 0.2045 + 3.0902·0.012762 = 0.24394 → High (0.001).
        assert_eq!(run(240.0), Significance::High025);
        assert_eq!(run(245.0), Significance::High001);
        assert_eq!(run(160.0), Significance::Low025);
        assert_eq!(run(150.0), Significance::Low001);
    }

    #[test]
    fn proportions_reject_bad_rows_and_duplicates() {
        assert!(matches!(
            proportions(&[prop("A", 5.0, 4.0)], 100.0),
            Err(FunnelError::BadRow { .. })
        ));
        assert!(matches!(
            proportions(&[prop("A", 1.0, 0.0)], 100.0),
            Err(FunnelError::BadRow { .. })
        ));
        assert!(matches!(
            proportions(&[prop("A", -1.0, 2.0)], 100.0),
            Err(FunnelError::BadRow { .. })
        ));
        assert_eq!(
            proportions(
                &[
                    prop("A", 1.0, 2.0),
                    prop("B", 1.0, 2.0),
                    prop("A", 1.0, 3.0)
                ],
                100.0
            ),
            Err(FunnelError::Duplicate {
                org: "A".into(),
                first: 1,
                second: 3
            })
        );
        assert_eq!(proportions(&[], 100.0), Err(FunnelError::Empty));
    }

    fn ratio(org: &str, observed: f64, expected: f64) -> RatioInput {
        RatioInput {
            org: org.into(),
            observed,
            expected,
        }
    }

    #[test]
    fn exact_poisson_limits_at_given_expected_counts() {
        // E = 1: lower = χ²(0.025; 2)/2 = −ln(0.975); upper = χ²(0.975; 4)/2.
        let (lo, hi) = poisson_limits(1.0, 0.025);
        assert_relative_eq!(lo, -(0.975f64).ln(), max_relative = 1e-12);
        assert_relative_eq!(hi, 11.143286781877794 / 2.0, max_relative = 1e-10);
        // E = 100: the Poisson 95 % bounds for 100 events, over 100 (Garwood: 81.36, 121.63).
        let (lo, hi) = poisson_limits(100.0, 0.025);
        assert_relative_eq!(lo, 0.8136, epsilon = 1e-4);
        assert_relative_eq!(hi, 1.2163, epsilon = 1e-4);
        // Non-integer E is used as given.
        let (lo, _) = poisson_limits(2.5, 0.001);
        assert!(lo > 0.0 && lo < 0.1);
    }

    // References computed with mpmath (40 digits) from the same chi-square definitions:
    // E, then the 95 % lower and upper and the 99.8 % lower and upper limits. They span
    // the shapes below 1 (the bracketed search), the small shapes where Wilson–Hilferty
    // starts far off, and the large ones where the continued fractions are long.
    const POISSON_REFERENCES: [(f64, [f64; 4]); 13] = [
        (
            0.42,
            [
                0.0002739142905098471,
                10.771033041502857,
                1.2857334135312215e-7,
                18.92232732947477,
            ],
        ),
        (
            1.0,
            [
                0.025317807984289876,
                5.571643390938899,
                0.0010005003335835335,
                9.233413476451586,
            ],
        ),
        (
            2.5,
            [
                0.1662423226973325,
                3.202552854925865,
                0.042042520525843834,
                4.864377269571371,
            ],
        ),
        (
            7.3,
            [
                0.4114555052140569,
                2.0310981861704938,
                0.22628507802060085,
                2.751851597323692,
            ],
        ),
        (
            10.0,
            [
                0.4795388696132434,
                1.839035604201778,
                0.29605203727437596,
                2.413397114541759,
            ],
        ),
        (
            10.1,
            [
                0.4816134416271722,
                1.8336749240943278,
                0.2982812083798814,
                2.4040013006953616,
            ],
        ),
        (
            33.3,
            [
                0.6896247994706863,
                1.4022439343537656,
                0.5485315199010563,
                1.6599067355438561,
            ],
        ),
        (
            100.0,
            [
                0.8136399125092314,
                1.2162679379242638,
                0.719213974950004,
                1.3492431906126447,
            ],
        ),
        (
            157.9,
            [
                0.8501065258853946,
                1.16871140841156,
                0.7719977932136494,
                1.2711772389685678,
            ],
        ),
        (
            500.5,
            [
                0.914299032188253,
                1.0915707457566728,
                0.8675424691517137,
                1.1459782335494517,
            ],
        ),
        (
            1009.9,
            [
                0.9392681942985757,
                1.0636281355983763,
                0.9055731238273075,
                1.1011082335470765,
            ],
        ),
        (
            1234.5,
            [
                0.9449880683392793,
                1.0573789494357941,
                0.9143512169449165,
                1.0911109185564531,
            ],
        ),
        (
            10000.7,
            [
                0.9804959260298357,
                1.0197944628009112,
                0.9693835001829217,
                1.0312879588647434,
            ],
        ),
    ];

    #[test]
    fn poisson_limits_at_fractional_expected_counts_match_40_digit_references() {
        for (e, want) in POISSON_REFERENCES {
            let (a, b) = poisson_limits(e, TAIL_95);
            let (c, d) = poisson_limits(e, TAIL_998);
            for (got, want) in [a, b, c, d].into_iter().zip(want) {
                assert_relative_eq!(got, want, max_relative = 1e-13);
            }
        }
    }

    #[test]
    fn ratio_outliers_are_judged_inclusive_and_scaled_by_m() {
        let f = ratios(
            &[
                ratio("A", 130.0, 100.0),
                ratio("B", 100.0, 100.0),
                ratio("C", 0.0, 3.0),
            ],
            100.0,
            false,
        )
        .unwrap();
        assert_relative_eq!(f.rows[0].ratio, 130.0);
        assert!(f.rows[0].outlier_95 && !f.rows[0].outlier_998);
        assert!(!f.rows[1].outlier_95);
        assert_relative_eq!(f.rows[1].upper_95, 121.63, epsilon = 0.01);
        // O = 0 at E = 3: lower 95 % limit χ²(0.025; 6)/6 = 0.2062 > 0, so an outlier.
        assert!(f.rows[2].outlier_95);
        assert_eq!(f.centre, 100.0);
    }

    #[test]
    fn overdispersion_estimate_hand_worked() {
        // 12 organisations; z = √E ln(O/E). n = 12 with z: bands floor(rank·10/13) drop ranks
        // 1 (band 0) and 12 (band 9); rank 11 → band 8 is kept.
        let rows: Vec<RatioInput> = [
            (50.0, 100.0),
            (80.0, 100.0),
            (90.0, 100.0),
            (95.0, 100.0),
            (100.0, 100.0),
            (105.0, 100.0),
            (110.0, 100.0),
            (120.0, 100.0),
            (130.0, 100.0),
            (140.0, 100.0),
            (150.0, 100.0),
            (200.0, 100.0),
        ]
        .iter()
        .enumerate()
        .map(|(i, &(o, e))| ratio(&format!("O{i}"), o, e))
        .collect();
        let od = estimate_overdispersion(&rows);
        assert_eq!((od.with_z, od.kept, od.zero_observed), (12, 10, 0));
        let zs: Vec<f64> = [
            80.0f64, 90.0, 95.0, 100.0, 105.0, 110.0, 120.0, 130.0, 140.0, 150.0,
        ]
        .iter()
        .map(|o| 10.0 * (o / 100.0).ln())
        .collect();
        let phi = zs.iter().map(|z| z * z).sum::<f64>() / 10.0;
        assert_relative_eq!(od.phi.unwrap(), phi, max_relative = 1e-12);
        // Σw = 1000, Σw² = 100000: denominator 1000 − 100 = 900.
        assert_relative_eq!(od.tau2, (10.0 * phi - 9.0) / 900.0, max_relative = 1e-12);
        let f = ratios(&rows, 1.0, true).unwrap();
        let [lo, hi, _, _] = f.rows[0].od_limits.unwrap();
        let half = 1.959964 * (0.01 + od.tau2).sqrt();
        assert_relative_eq!(lo, (-half).exp(), max_relative = 1e-12);
        assert_relative_eq!(hi, half.exp(), max_relative = 1e-12);
        // Adjusted limits are wider, so 150/100 is no longer an outlier at 95 %.
        assert!(f.rows[10].od_limits.is_some());
        assert!(!f.rows[10].outlier_95);
        let plain = ratios(&rows, 1.0, false).unwrap();
        assert!(plain.rows[10].outlier_95);
    }

    #[test]
    fn overdispersion_leaves_out_zero_counts_and_ties_share_ranks() {
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0]),
            vec![3.5, 1.0, 3.5, 2.0]
        );
        let rows = vec![
            ratio("A", 0.0, 5.0),
            ratio("B", 5.0, 5.0),
            ratio("C", 6.0, 5.0),
        ];
        let od = estimate_overdispersion(&rows);
        assert_eq!(od.zero_observed, 1);
        assert_eq!(od.with_z, 2);
        // n = 2: bands floor(10/3) = 3 and floor(20/3) = 6, both kept; kφ < k − 1 → τ² = 0.
        assert_eq!(od.kept, 2);
        assert_eq!(od.tau2, 0.0);
    }

    #[test]
    fn rows_shared_between_threads_are_the_rows_of_one_thread() {
        // 3,072 rows over 1,536 distinct expected counts (enough to share out), each twice.
        let rows: Vec<RatioInput> = (0..3 * PARALLEL_FROM)
            .map(|i| {
                ratio(
                    &format!("O{i}"),
                    (i % 97) as f64 * 3.0,
                    0.5 + (i % (3 * PARALLEL_FROM / 2)) as f64 * 0.37,
                )
            })
            .collect();
        for od in [false, true] {
            let f = ratios(&rows, 1.0, od).unwrap();
            let estimate = od.then(|| estimate_overdispersion(&rows));
            assert_eq!(f.rows.len(), rows.len());
            for (r, got) in rows.iter().zip(&f.rows) {
                // Debug writes each number so that it reads back to the same bits.
                let want = ratio_row(r, exact_limits(r.expected), 1.0, estimate.as_ref());
                assert_eq!(format!("{want:?}"), format!("{got:?}"));
            }
        }
    }

    #[test]
    fn limits_computed_together_are_the_poisson_limits_bit_for_bit() {
        let tails = LimitTails::new();
        let mut odd = vec![
            f64::MIN_POSITIVE,
            5e-324,
            1e-300,
            1e-10,
            0.5,
            0.9999,
            1.0,
            9.99,
            10.0,
            // The largest count the workflow takes (far beyond it the quantiles take long).
            1e9,
            f64::MAX,
        ];
        // Every tenth from 0.1 to 1,500 (the benchmark's expected counts and beyond).
        odd.extend((1..15_000).map(|t| f64::from(t) / 10.0));
        for e in odd {
            let want = exact_limits(e).map(f64::to_bits);
            assert_eq!(tails.limits(e).map(f64::to_bits), want, "E = {e:e}");
        }
    }

    #[test]
    fn blocks_shared_between_threads_keep_their_order() {
        let items: Vec<f64> = (0..5 * BLOCK + 7).map(|i| i as f64).collect();
        for threads in [2, 3, 7] {
            let (out, made) = in_blocks(&items, threads, |v| v * 2.0, || 42);
            assert_eq!(made, 42);
            let want: Vec<f64> = items.iter().map(|v| v * 2.0).collect();
            assert_eq!(out, want);
        }
    }

    #[test]
    fn ratios_reject_fractional_observed_and_zero_expected() {
        assert!(matches!(
            ratios(&[ratio("A", 1.5, 2.0)], 1.0, false),
            Err(FunnelError::BadRow { .. })
        ));
        assert!(matches!(
            ratios(&[ratio("A", 1.0, 0.0)], 1.0, false),
            Err(FunnelError::BadRow { .. })
        ));
        assert!(matches!(
            ratios(&[ratio("A", 1.0, 2.0), ratio("A", 2.0, 2.0)], 1.0, false),
            Err(FunnelError::Duplicate { .. })
        ));
        assert_eq!(
            ratios(&[ratio("A", 1.0, 2.0)], 0.0, false),
            Err(FunnelError::Multiplier(0.0))
        );
    }
}
