//! Quantiles of the standard normal and chi-square distributions at full double precision,
//! for funnel limits (`docs/methods/funnels.md`): the normal quantile through the inverse
//! complementary error function, the chi-square quantile (any positive degrees of freedom,
//! not only whole ones) by inverting the regularised incomplete gamma function.

use statrs::function::erf::erfc_inv;
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur, ln_gamma};

/// The standard normal quantile: the z with Φ(z) = `p`, for 0 < p < 1 (NaN otherwise).
///
/// ```
/// let z = sct_spc::quantile::normal_quantile(0.975);
/// assert!((z - 1.959963984540054).abs() < 1e-14);
/// ```
pub fn normal_quantile(p: f64) -> f64 {
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    // Φ⁻¹(p) = −√2 · erfc⁻¹(2p), accurate in both tails.
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
}

/// The quantile of the chi-square distribution with `df` degrees of freedom (any df > 0):
/// the x with P(χ²_df ≤ x) = `p`, for 0 < p < 1. `None` when df or p is out of range.
///
/// ```
/// let x = sct_spc::quantile::chi_square_quantile(0.975, 2.0).unwrap();
/// assert!((x - 7.377758908227871).abs() < 1e-12);
/// ```
pub fn chi_square_quantile(p: f64, df: f64) -> Option<f64> {
    gamma_quantile(df / 2.0, p).map(|x| 2.0 * x)
}

/// The quantile of the gamma distribution with shape `a` and scale 1: the x with
/// P(a, x) = `p`. Bisection guards a Newton iteration, so it converges for any shape.
pub fn gamma_quantile(a: f64, p: f64) -> Option<f64> {
    if !(a > 0.0 && a.is_finite() && p > 0.0 && p < 1.0) {
        return None;
    }
    // The tail nearer the target is computed directly so that neither loses precision to
    // 1 − p: below the median P(a, x) − p, above it (1 − p) − Q(a, x). Both rise with x.
    let upper = p > 0.5;
    let target = if upper { 1.0 - p } else { p };
    let excess = |x: f64| -> Option<f64> {
        if x <= 0.0 {
            return Some(-target);
        }
        Some(if upper {
            target - checked_gamma_ur(a, x).ok()?
        } else if x < 1e-10 {
            // statrs treats x below about 1e-15 as 0; there P(a, x) = x^a / Γ(a + 1) to a
            // relative error of about x.
            (a * x.ln() - ln_gamma(a + 1.0)).exp() - target
        } else {
            checked_gamma_lr(a, x).ok()? - target
        })
    };
    // Bracket the root geometrically in both directions: quantiles of small shapes can be
    // far below 1 (about 1e-60 for a = 0.05, p = 0.001), out of reach of plain bisection.
    // Both searches start from the same point, whose excess is computed once: it ends one
    // search at once and starts the other (the incomplete gamma function is most of the time).
    let (mut lo, mut hi) = (a.max(1.0), a.max(1.0));
    let start = excess(hi)?;
    let mut at_hi = start;
    while at_hi < 0.0 {
        hi *= 2.0;
        if !hi.is_finite() {
            return None;
        }
        at_hi = excess(hi)?;
    }
    let mut at_lo = start;
    while at_lo >= 0.0 {
        lo /= 2.0;
        if lo < f64::MIN_POSITIVE {
            return Some(lo);
        }
        at_lo = excess(lo)?;
    }
    let log_norm = ln_gamma(a);
    let mut x = if hi > 4.0 * lo {
        (lo * hi).sqrt()
    } else {
        0.5 * (lo + hi)
    };
    for _ in 0..400 {
        let fx = excess(x)?;
        if fx == 0.0 {
            return Some(x);
        }
        if fx < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let density = ((a - 1.0) * x.ln() - x - log_norm).exp();
        let newton = x - fx / density;
        let next = if newton.is_finite() && newton > lo && newton < hi {
            newton
        } else if hi > 4.0 * lo {
            // A wide bracket: halve it on the log scale.
            (lo * hi).sqrt()
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= 1e-15 * x.abs() || hi - lo <= 1e-15 * hi {
            return Some(next);
        }
        x = next;
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn normal_quantiles_match_published_values() {
        assert_relative_eq!(
            normal_quantile(0.975),
            1.959963984540054,
            max_relative = 1e-14
        );
        assert_relative_eq!(
            normal_quantile(0.999),
            3.090232306167813,
            max_relative = 1e-14
        );
        assert_relative_eq!(
            normal_quantile(0.025),
            -1.959963984540054,
            max_relative = 1e-14
        );
        assert!(normal_quantile(0.0).is_nan() && normal_quantile(1.0).is_nan());
    }

    #[test]
    fn chi_square_quantiles_match_tables() {
        // Whole degrees of freedom (reference values computed to 40 digits with mpmath).
        assert_relative_eq!(
            chi_square_quantile(0.975, 2.0).unwrap(),
            7.377758908227871,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            chi_square_quantile(0.025, 2.0).unwrap(),
            0.05063561596857975,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            chi_square_quantile(0.999, 1.0).unwrap(),
            10.827566170662733,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            chi_square_quantile(0.001, 10.0).unwrap(),
            1.478743463867665,
            max_relative = 1e-9
        );
        assert_relative_eq!(
            chi_square_quantile(0.5, 1.0).unwrap(),
            0.454936423119572,
            max_relative = 1e-12
        );
        // df = 2: χ² is exponential with mean 2, so the quantile is −2 ln(1 − p) exactly.
        for p in [0.001, 0.025, 0.3, 0.975, 0.999] {
            assert_relative_eq!(
                chi_square_quantile(p, 2.0).unwrap(),
                -2.0 * (1.0 - p).ln(),
                max_relative = 1e-12
            );
        }
    }

    #[test]
    fn gamma_quantile_inverts_the_incomplete_gamma_for_fractional_shapes() {
        for a in [0.05, 0.5, 1.3, 7.25, 151.5, 10_000.7] {
            for p in [0.001, 0.025, 0.5, 0.975, 0.999] {
                let x = gamma_quantile(a, p).unwrap();
                let back = if p > 0.5 {
                    1.0 - checked_gamma_ur(a, x).unwrap()
                } else if x < 1e-10 {
                    (a * x.ln() - ln_gamma(a + 1.0)).exp()
                } else {
                    checked_gamma_lr(a, x).unwrap()
                };
                assert_relative_eq!(back, p, max_relative = 1e-10);
            }
        }
        assert_eq!(gamma_quantile(0.0, 0.5), None);
        assert_eq!(gamma_quantile(1.0, 1.0), None);
    }
}
