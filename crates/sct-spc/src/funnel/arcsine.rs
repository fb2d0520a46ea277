//! Proportions with over-dispersion: the arcsine method of FunnelPlotR 0.5.0
//! (`funnel_plot(data_type = "PR", draw_adjusted = TRUE, trim_by = 0.1)`), after
//! Spiegelhalter (2005), "Handling over-dispersion of performance indicators"
//! (`docs/methods/funnels.md`).
//!
//! Proportions are compared on the variance-stabilising scale `θ = asin(√(x/n))`, where a
//! proportion's standard error is `1/(2√n)` whatever its value. z-scores there are
//! winsorised at 10 % each end, φ is their mean square, τ² the between-organisation variance
//! on that scale, and the limits `sin²(θ₀ ± z·√(1/(4n) + τ²))` are mapped back to the
//! proportion scale.
//!
//! ```
//! use sct_spc::funnel::{ProportionInput, proportions_overdispersed};
//! let rows: Vec<ProportionInput> = [(40.0, 100.0), (70.0, 120.0), (20.0, 90.0), (55.0, 110.0)]
//!     .iter()
//!     .enumerate()
//!     .map(|(i, &(x, n))| ProportionInput { org: format!("O{i}"), numerator: x, denominator: n })
//!     .collect();
//! let funnel = proportions_overdispersed(&rows, 100.0)?;
//! assert!(funnel.overdispersion.tau2 > 0.0);
//! assert!(funnel.rows.iter().all(|r| r.od_upper_95 >= r.upper_95));
//! # Ok::<(), sct_spc::funnel::FunnelError>(())
//! ```

use std::f64::consts::FRAC_PI_2;

use serde::Serialize;

use super::{FunnelError, OD_Z_95, OD_Z_998, ProportionInput, check_rows, random_effects_tau2};

/// The share of z-scores winsorised at each end.
pub const WINSORISE: f64 = 0.1;

/// The method in words, for reports and chart descriptions.
pub const ARCSINE_METHOD: &str = "Proportions with over-dispersion, the arcsine method (FunnelPlotR 0.5.0, after Spiegelhalter 2005): the centre line is the pooled proportion p; each proportion x/n becomes θ = asin(√(x/n)) with standard error 1/(2√n), z = (θ − asin(√p))·2√n; the z-scores are winsorised at their 10th and 90th percentiles, φ is the mean of their squares, τ² = (kφ − (k − 1)) / (Σw − Σw²/Σw) with w = 4n when kφ ≥ k − 1 (else 0), and the limits at denominator n are sin²(asin(√p) ± z·√(1/(4n) + τ²)) with z = 1.959964 (95 %) and 3.090232 (99.8 %), 0 or the whole scale where the angle passes an end; an organisation is an outlier when its value lies outside the adjusted limits (the limits themselves count as inside).";

/// The over-dispersion estimate of a proportion funnel, on the arcsine scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArcsineOverdispersion {
    /// φ: the mean of the squared winsorised z-scores.
    pub phi: f64,
    /// τ²: the between-organisation variance on the arcsine scale (0 when φ shows no
    /// over-dispersion).
    pub tau2: f64,
    /// The organisations in the estimate: all of them (winsorising keeps every one).
    pub organisations: usize,
    /// Q(0.1): the 10th percentile of the z-scores (R's type 7), the floor of winsorising.
    pub q10: f64,
    /// Q(0.9): the 90th percentile, the ceiling.
    pub q90: f64,
}

/// One organisation on a proportion funnel with over-dispersion. Values and limits are × M.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArcsineRow {
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
    /// Unadjusted (τ² = 0) 95 % lower limit.
    pub lower_95: f64,
    /// Unadjusted 95 % upper limit.
    pub upper_95: f64,
    /// Unadjusted 99.8 % lower limit.
    pub lower_998: f64,
    /// Unadjusted 99.8 % upper limit.
    pub upper_998: f64,
    /// Adjusted 95 % lower limit.
    pub od_lower_95: f64,
    /// Adjusted 95 % upper limit.
    pub od_upper_95: f64,
    /// Adjusted 99.8 % lower limit.
    pub od_lower_998: f64,
    /// Adjusted 99.8 % upper limit.
    pub od_upper_998: f64,
    /// Outside the adjusted 95 % limits.
    pub outlier_95: bool,
    /// Outside the adjusted 99.8 % limits.
    pub outlier_998: bool,
    /// The z-score on the arcsine scale.
    pub z: f64,
    /// The z-score after winsorising, as it enters φ.
    pub z_winsorised: f64,
}

/// A proportion funnel with limits adjusted for over-dispersion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArcsineFunnel {
    /// The multiplier M (100 = percent).
    pub multiplier: f64,
    /// Σ numerators / Σ denominators × M.
    pub baseline: f64,
    /// The pooled proportion, unscaled.
    pub pooled: f64,
    /// The over-dispersion estimate.
    pub overdispersion: ArcsineOverdispersion,
    /// The organisations, in input order.
    pub rows: Vec<ArcsineRow>,
}

/// R's default (type 7) quantile of `sorted` (ascending, not empty) at probability `q`:
/// linear interpolation between order statistics at `h = 1 + (k − 1)·q`.
pub fn quantile_type7(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q; // zero-based h − 1
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
}

/// The limits at denominator `n` around the pooled angle `theta0`, for normal quantile `z`
/// and between-organisation variance `tau2`, unscaled: `sin²(θ₀ ± z·√(1/(4n) + τ²))`, 0 below
/// an angle of 0 and 1 above π/2, where `sin²` would fold back.
pub fn arcsine_limits(theta0: f64, n: f64, tau2: f64, z: f64) -> (f64, f64) {
    let half = z * (1.0 / (4.0 * n) + tau2).sqrt();
    let (a, b) = (theta0 - half, theta0 + half);
    let lower = if a < 0.0 { 0.0 } else { a.sin().powi(2) };
    let upper = if b > FRAC_PI_2 { 1.0 } else { b.sin().powi(2) };
    (lower, upper)
}

/// The z-score of `x` of `n` on the arcsine scale against the pooled angle `theta0`.
pub fn arcsine_z(x: f64, n: f64, theta0: f64) -> f64 {
    ((x / n).sqrt().asin() - theta0) * 2.0 * n.sqrt()
}

/// Winsorises the z-scores at Q(0.1) and Q(0.9) and estimates φ and τ² (weights 4n).
fn estimate(zs: &[f64], denominators: &[f64]) -> (ArcsineOverdispersion, Vec<f64>) {
    let mut sorted = zs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (q10, q90) = (
        quantile_type7(&sorted, WINSORISE),
        quantile_type7(&sorted, 1.0 - WINSORISE),
    );
    let winsorised: Vec<f64> = zs.iter().map(|z| z.max(q10).min(q90)).collect();
    let k = zs.len();
    let phi = winsorised.iter().map(|z| z * z).sum::<f64>() / k as f64;
    let weights: Vec<f64> = denominators.iter().map(|n| 4.0 * n).collect();
    let od = ArcsineOverdispersion {
        phi,
        tau2: random_effects_tau2(phi, &weights),
        organisations: k,
        q10,
        q90,
    };
    (od, winsorised)
}

/// Computes a proportion funnel with limits adjusted for over-dispersion by the arcsine
/// method, multiplier `m` (default 100); at least two organisations.
pub fn proportions_overdispersed(
    rows: &[ProportionInput],
    m: f64,
) -> Result<ArcsineFunnel, FunnelError> {
    check_rows(rows, m, |r| &r.org, ProportionInput::problem)?;
    if rows.len() < 2 {
        return Err(FunnelError::TooFewForOverdispersion(rows.len()));
    }
    let (num, den) = rows
        .iter()
        .fold((0.0, 0.0), |(a, b), r| (a + r.numerator, b + r.denominator));
    let p = num / den;
    let theta0 = p.sqrt().asin();
    let zs: Vec<f64> = rows
        .iter()
        .map(|r| arcsine_z(r.numerator, r.denominator, theta0))
        .collect();
    let ns: Vec<f64> = rows.iter().map(|r| r.denominator).collect();
    let (od, winsorised) = estimate(&zs, &ns);
    let out = rows
        .iter()
        .zip(zs.iter().zip(&winsorised))
        .map(|(r, (&z, &z_winsorised))| {
            let n = r.denominator;
            let limits = |tau2: f64, zq: f64| {
                let (a, b) = arcsine_limits(theta0, n, tau2, zq);
                (a * m, b * m)
            };
            let (lower_95, upper_95) = limits(0.0, OD_Z_95);
            let (lower_998, upper_998) = limits(0.0, OD_Z_998);
            let (od_lower_95, od_upper_95) = limits(od.tau2, OD_Z_95);
            let (od_lower_998, od_upper_998) = limits(od.tau2, OD_Z_998);
            let value = r.numerator / n * m;
            let outside = |lo: f64, hi: f64| !(lo <= value && value <= hi);
            ArcsineRow {
                org: r.org.clone(),
                numerator: r.numerator,
                denominator: n,
                value,
                baseline: p * m,
                lower_95,
                upper_95,
                lower_998,
                upper_998,
                od_lower_95,
                od_upper_95,
                od_lower_998,
                od_upper_998,
                outlier_95: outside(od_lower_95, od_upper_95),
                outlier_998: outside(od_lower_998, od_upper_998),
                z,
                z_winsorised,
            }
        })
        .collect();
    Ok(ArcsineFunnel {
        multiplier: m,
        baseline: p * m,
        pooled: p,
        overdispersion: od,
        rows: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn rows(v: &[(&str, f64, f64)]) -> Vec<ProportionInput> {
        v.iter()
            .map(|&(org, numerator, denominator)| ProportionInput {
                org: org.into(),
                numerator,
                denominator,
            })
            .collect()
    }

    /// Checks one row's eight limits, in CSV order, and its outlier flags.
    fn assert_row(r: &ArcsineRow, limits: [f64; 8], outliers: (bool, bool)) {
        let got = [
            r.lower_95,
            r.upper_95,
            r.lower_998,
            r.upper_998,
            r.od_lower_95,
            r.od_upper_95,
            r.od_lower_998,
            r.od_upper_998,
        ];
        for (g, w) in got.into_iter().zip(limits) {
            assert_relative_eq!(g, w, max_relative = 1e-12);
        }
        assert_eq!((r.outlier_95, r.outlier_998), outliers, "{}", r.org);
    }

    #[test]
    fn type_7_quantiles_interpolate_between_order_statistics() {
        // k = 5: h = 1 + 4 × 0.1 = 1.4, so Q(0.1) = z₁ + 0.4 (z₂ − z₁); Q(0.9): h = 4.6.
        let z = [-2.0, -1.0, 0.0, 3.0, 5.0];
        assert_relative_eq!(quantile_type7(&z, 0.1), -1.6, max_relative = 1e-15);
        assert_relative_eq!(quantile_type7(&z, 0.9), 4.2, max_relative = 1e-15);
        // k = 6: h = 1.5 and 5.5, half way.
        let z = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
        assert_eq!(quantile_type7(&z, 0.1), 1.5);
        assert_eq!(quantile_type7(&z, 0.9), 24.0);
        // k = 11: h = 2 exactly.
        let z: Vec<f64> = (0..11).map(f64::from).collect();
        assert_eq!(quantile_type7(&z, 0.1), 1.0);
        assert_eq!(quantile_type7(&z, 0.9), 9.0);
    }

    /// Worked by hand from the formulas of `docs/methods/funnels.md` (double precision):
    /// p = 385/1050, θ₀ = asin(√p) = 0.6504317654807465; a zero numerator (z = −4.1137) and
    /// x = n (z = 8.2320) are the two winsorised, to Q(0.1) = z₍₁₎ + 0.5 (z₍₂₎ − z₍₁₎) and
    /// Q(0.9) (k = 6, h = 1.5 and 5.5).
    #[test]
    fn hand_worked_with_a_zero_numerator_and_a_full_one() {
        let f = proportions_overdispersed(
            &rows(&[
                ("A", 0.0, 10.0),
                ("B", 20.0, 20.0),
                ("C", 30.0, 100.0),
                ("D", 45.0, 120.0),
                ("E", 200.0, 500.0),
                ("F", 90.0, 300.0),
            ]),
            100.0,
        )
        .unwrap();
        assert_relative_eq!(f.baseline, 38500.0 / 1050.0, max_relative = 1e-14);
        let od = &f.overdispersion;
        assert_relative_eq!(od.q10, -3.282999684177737, max_relative = 1e-12);
        assert_relative_eq!(od.q90, 4.8826858570847484, max_relative = 1e-12);
        assert_relative_eq!(od.phi, 7.504016696730814, max_relative = 1e-12);
        // kφ − (k − 1) = 40.024; Σw = 4200, Σw² / Σw = 4 × 361700 / 1050.
        assert_relative_eq!(od.tau2, 0.01424393478491192, max_relative = 1e-12);
        assert_eq!(od.organisations, 6);
        assert_relative_eq!(f.rows[0].z, -4.1136916828872865, max_relative = 1e-12);
        assert_eq!(f.rows[0].z_winsorised, od.q10);
        assert_eq!(f.rows[1].z_winsorised, od.q90);
        assert_eq!(f.rows[2].z, f.rows[2].z_winsorised);
        assert_eq!((f.rows[0].value, f.rows[1].value), (0.0, 100.0));
        assert_row(
            &f.rows[0],
            [
                11.15497932089759,
                67.13841987474224,
                2.5958957842389756,
                82.48859683654841,
                6.716836282066032,
                74.26071148639708,
                0.14626757110888947,
                90.79899277477402,
            ],
            (true, true),
        );
        assert_row(
            &f.rows[4],
            [
                32.49934676225243,
                40.93635990557022,
                30.15521950599741,
                43.43236301544336,
                16.068031874089307,
                60.229406299172325,
                7.384312875958019,
                73.11235476603757,
            ],
            (false, false),
        );
    }

    /// p = 0.8412 per 1,000: every upper limit at n = 3 and n = 4 passes π/2 and is set to
    /// M = 1000, so x = n there is inside; the 95 % upper limit at n = 10 does not fold.
    #[test]
    fn upper_limits_fold_to_the_multiplier() {
        let f = proportions_overdispersed(
            &rows(&[
                ("P", 0.0, 3.0),
                ("Q", 4.0, 4.0),
                ("R", 50.0, 60.0),
                ("S", 170.0, 200.0),
                ("T", 9.0, 10.0),
            ]),
            1000.0,
        )
        .unwrap();
        assert_relative_eq!(
            f.overdispersion.phi,
            1.6114697158657794,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            f.overdispersion.tau2,
            0.008513252609336025,
            max_relative = 1e-12
        );
        assert_row(
            &f.rows[1],
            [
                386.467167935637,
                1000.0,
                143.34927326751256,
                1000.0,
                355.26349986198005,
                1000.0,
                109.56074801806484,
                1000.0,
            ],
            (false, false),
        );
        assert_row(
            &f.rows[4],
            [
                565.373981524796,
                990.0250553015671,
                387.8139096983956,
                1000.0,
                516.6528656674636,
                997.387419525706,
                314.3002126100335,
                1000.0,
            ],
            (false, false),
        );
        // A zero numerator at n = 3, below even the adjusted 99.8 % lower limit.
        assert!(f.rows[0].outlier_998);
    }

    /// p = 0.1029: kφ = 1.0999 < k − 1 = 4, so τ² = 0 and the adjusted limits are the
    /// unadjusted ones; at n = 2 and n = 5 the lower limits pass 0 and are set to 0, so a
    /// zero numerator there is inside.
    #[test]
    fn lower_limits_fold_to_zero_and_no_overdispersion_means_tau2_0() {
        let f = proportions_overdispersed(
            &rows(&[
                ("U", 0.0, 2.0),
                ("V", 1.0, 5.0),
                ("W", 12.0, 100.0),
                ("X", 40.0, 400.0),
                ("Y", 30.0, 300.0),
            ]),
            100.0,
        )
        .unwrap();
        assert_relative_eq!(
            f.overdispersion.phi,
            0.2199814716130189,
            max_relative = 1e-12
        );
        assert_eq!(f.overdispersion.tau2, 0.0);
        let u = [0.0, 72.55732300511107, 0.0, 97.71441821656478];
        let mut both = [0.0; 8];
        both[..4].copy_from_slice(&u);
        both[4..].copy_from_slice(&u);
        assert_row(&f.rows[0], both, (false, false));
        let w = [
            5.129785242236683,
            16.960984668229177,
            2.92797255839305,
            21.40455122853288,
        ];
        both[..4].copy_from_slice(&w);
        both[4..].copy_from_slice(&w);
        assert_row(&f.rows[2], both, (false, false));
    }

    #[test]
    fn the_multiplier_scales_values_and_limits_but_not_the_estimate() {
        let input = rows(&[
            ("A", 0.0, 10.0),
            ("B", 20.0, 20.0),
            ("C", 30.0, 100.0),
            ("D", 45.0, 120.0),
        ]);
        let pct = proportions_overdispersed(&input, 100.0).unwrap();
        let per_k = proportions_overdispersed(&input, 1000.0).unwrap();
        assert_eq!(pct.overdispersion, per_k.overdispersion);
        for (a, b) in pct.rows.iter().zip(&per_k.rows) {
            assert_relative_eq!(a.od_upper_998 * 10.0, b.od_upper_998, max_relative = 1e-14);
            assert_relative_eq!(a.lower_95 * 10.0, b.lower_95, max_relative = 1e-14);
            assert_eq!(a.outlier_95, b.outlier_95);
        }
        assert_eq!(per_k.rows[1].value, 1000.0);
    }

    #[test]
    fn one_organisation_and_bad_rows_are_refused() {
        assert_eq!(
            proportions_overdispersed(&rows(&[("A", 1.0, 2.0)]), 100.0),
            Err(FunnelError::TooFewForOverdispersion(1))
        );
        assert!(matches!(
            proportions_overdispersed(&rows(&[("A", 3.0, 2.0), ("B", 1.0, 2.0)]), 100.0),
            Err(FunnelError::BadRow { .. })
        ));
        assert!(matches!(
            proportions_overdispersed(&rows(&[("A", 1.0, 2.0), ("A", 1.0, 2.0)]), 100.0),
            Err(FunnelError::Duplicate { .. })
        ));
    }
}
