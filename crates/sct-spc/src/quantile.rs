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
/// P(a, x) = `p`. For shapes of 1 or more one or two Halley steps from the Cornish–Fisher
/// approximation of DiDonato and Morris (1986) find it; where they do not settle, and for
/// smaller shapes, a Newton iteration guarded by bisection, which converges for any shape.
pub fn gamma_quantile(a: f64, p: f64) -> Option<f64> {
    if !(a > 0.0 && a.is_finite() && p > 0.0 && p < 1.0) {
        return None;
    }
    if a >= 1.0
        && let Some(x) = halley_quantile(a, p)
    {
        return Some(x);
    }
    bracketed_quantile(a, p)
}

/// The regularised incomplete gamma functions P(a, x) and Q(a, x) = 1 − P(a, x) of one shape
/// `a` ≥ 1, with what depends on `a` alone computed once.
struct IncompleteGamma {
    a: f64,
    /// ln(aᵃ e⁻ᵃ / Γ(a)): with it, ln(xᵃ e⁻ˣ / Γ(a)) = this − a·(t − ln(1 + t)) for
    /// t = (x − a)/a, which keeps the large terms a·ln x and x from cancelling.
    ln_norm: f64,
}

/// Relative change at which a continued fraction is taken to have converged.
const CONVERGED: f64 = f64::EPSILON / 4.0;

impl IncompleteGamma {
    fn new(a: f64) -> Self {
        let ln_norm = if a >= 10.0 {
            // Stirling: ln Γ(a) = (a − ½) ln a − a + ½ ln 2π + μ(a), so ln_norm = ½ ln(a/2π) − μ(a),
            // with μ's series, whose first omitted term is below 2e-14 at a = 10.
            let r = 1.0 / (a * a);
            let mu = (1.0 / 12.0
                - r * (1.0 / 360.0 - r * (1.0 / 1260.0 - r * (1.0 / 1680.0 - r / 1188.0))))
                / a;
            0.5 * (a / std::f64::consts::TAU).ln() - mu
        } else {
            a * a.ln() - a - ln_gamma(a)
        };
        IncompleteGamma { a, ln_norm }
    }

    /// xᵃ e⁻ˣ / Γ(a), the factor in front of both the series and the continued fraction
    /// (x times the density at x).
    fn prefix(&self, x: f64) -> f64 {
        let t = (x - self.a) / self.a;
        (self.ln_norm - self.a * (t - t.ln_1p())).exp()
    }

    /// P(a, x) / prefix by the continued fraction of DLMF 8.9.2 (modified Lentz), for
    /// x ≤ a: a third of the terms of the power series near the lower quantiles.
    fn lower_fraction(&self, x: f64) -> f64 {
        const TINY: f64 = 1e-300;
        // 1 / (a − a·x/(a + 1 + x/(a + 2 − (a + 1)·x/(a + 3 + 2x/(a + 4 − …))))).
        let (mut f, mut c, mut d) = (self.a, self.a, 0.0);
        for n in 1..100_000u32 {
            let k = f64::from(n / 2);
            let an = if n % 2 == 1 { -(self.a + k) * x } else { k * x };
            let bn = self.a + f64::from(n);
            d = bn + an * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = bn + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let delta = c * d;
            f *= delta;
            if (delta - 1.0).abs() <= CONVERGED {
                break;
            }
        }
        1.0 / f
    }

    /// Q(a, x) / prefix by Legendre's continued fraction (modified Lentz), for x > a.
    fn upper_fraction(&self, x: f64) -> f64 {
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - self.a;
        let (mut c, mut d) = (1.0 / TINY, 1.0 / b);
        let mut h = d;
        for i in 1..100_000 {
            let i = f64::from(i);
            let an = -i * (i - self.a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() <= CONVERGED {
                break;
            }
        }
        h
    }

    /// (P(a, x), Q(a, x), prefix): the tail on the side of a where x lies (the smaller one)
    /// computed directly, the other as its complement.
    fn both(&self, x: f64) -> (f64, f64, f64) {
        let prefix = self.prefix(x);
        if x <= self.a {
            let lower = prefix * self.lower_fraction(x);
            (lower, 1.0 - lower, prefix)
        } else {
            let upper = prefix * self.upper_fraction(x);
            (1.0 - upper, upper, prefix)
        }
    }
}

/// Where Halley's method starts for shape `a` ≥ 1: for a ≥ 10 the Cornish–Fisher expansion
/// of DiDonato and Morris (1986, eq. 31), within about 1e-5 standard deviations of the
/// quantile at a = 30 and 1e-9 at a = 1000, so that one evaluation of the incomplete gamma
/// function is usually enough; below, Wilson–Hilferty ((X/a)^⅓ nearly normal with mean
/// 1 − 1/(9a) and variance 1/(9a)). `None` when the approximation is not positive.
fn starting_point(a: f64, p: f64) -> Option<f64> {
    let s = normal_quantile(p);
    let x = if a >= 10.0 {
        let r = a.sqrt();
        let s2 = s * s;
        a + s * r + (s2 - 1.0) / 3.0 + s * (s2 - 7.0) / (36.0 * r)
            - (3.0 * s2 * s2 + 7.0 * s2 - 16.0) / (810.0 * a)
            + s * (9.0 * s2 * s2 + 256.0 * s2 - 433.0) / (38880.0 * a * r)
    } else {
        let v = 1.0 / (9.0 * a);
        let cube = 1.0 - v + s * v.sqrt();
        a * cube * cube * cube
    };
    (x > 0.0 && x.is_finite()).then_some(x)
}

/// The gamma quantile for shape `a` ≥ 1 by Halley's method from [`starting_point`]: one or
/// two evaluations of the incomplete gamma function, against ten or so for the bracketed
/// Newton iteration. `None` when the start is unusable or the steps do not settle; then
/// [`bracketed_quantile`] is used.
fn halley_quantile(a: f64, p: f64) -> Option<f64> {
    let gamma = IncompleteGamma::new(a);
    let mut x = starting_point(a, p)?;
    // Near the quantile of a large shape Halley's error falls from e to about e³/a (a the
    // variance), so a step below (ε·x·a/2)^⅓ leaves an error below half a unit in the last
    // place of x; for small shapes the density bends more, and 1e-5·x bounds it.
    let settled = (0.5 * f64::EPSILON * x * a).cbrt().min(1e-5 * x);
    let upper = p > 0.5;
    for _ in 0..16 {
        let (lower_tail, upper_tail, prefix) = gamma.both(x);
        // As in the bracketed search, the tail nearer the target is compared, so that
        // neither loses precision to 1 − p.
        let excess = if upper {
            (1.0 - p) - upper_tail
        } else {
            lower_tail - p
        };
        let density = prefix / x;
        if !(density > 0.0 && density.is_finite() && excess.is_finite()) {
            return None;
        }
        let newton = excess / density;
        // The density's logarithmic derivative, (a − 1)/x − 1, gives Halley's correction.
        let damping = 1.0 - 0.5 * newton * ((a - 1.0) / x - 1.0);
        let step = if (0.5..2.0).contains(&damping) {
            newton / damping
        } else {
            newton
        };
        let next = x - step;
        if !(next > 0.0 && next.is_finite()) {
            return None;
        }
        if step.abs() <= settled {
            return Some(next);
        }
        x = next;
    }
    None
}

/// The gamma quantile by a Newton iteration guarded by bisection, which converges for any
/// shape (the quantiles of small shapes can be far below 1).
fn bracketed_quantile(a: f64, p: f64) -> Option<f64> {
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

    #[test]
    fn halley_steps_agree_with_the_bracketed_search() {
        // Both ways to the same root, over the shapes where the start changes (Wilson–Hilferty
        // below 10) and beyond the benchmark's expected counts. The bracketed search loses
        // digits as a grows (its a·ln x − x cancels), hence 1e-11 rather than the 1e-13 the
        // Halley steps meet against 40-digit references.
        for a in [1.0, 1.7, 4.2, 9.99, 10.0, 37.5, 1010.0, 123_456.7] {
            for p in [0.001, 0.025, 0.3, 0.5, 0.975, 0.999] {
                let fast = halley_quantile(a, p);
                let slow = bracketed_quantile(a, p).unwrap();
                if let Some(fast) = fast {
                    assert_relative_eq!(fast, slow, max_relative = 1e-11);
                } else {
                    // Only where the start is not positive (small shapes, far lower tail).
                    assert!(a < 10.0 && p < 0.5, "a = {a}, p = {p}");
                }
            }
        }
    }
}
