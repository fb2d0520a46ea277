//! The numbers `sct` takes from KPI data and KPI sets, and why there is a largest one.

/// The largest magnitude of a number `sct` takes from KPI data (values, numerators,
/// denominators, SPC series, funnel counts) or a KPI set (targets, plans, plausible ranges),
/// and of a value computed from a numerator and denominator: 10^15. Far above any count or
/// sum of money an ICB reports (the NHS's yearly budget in pence is about 2 × 10^13), below
/// 2^53, where whole numbers stop being exact, and small enough that no sum, mean, moving
/// range or pooled proportion of such numbers can overflow, as `1e308` did (an infinite
/// value, or NaN limits that made every point "not significant").
pub const MAX_MAGNITUDE: f64 = 1e15;

/// The largest multiplier a KPI set may give (per billion): with [`MAX_MAGNITUDE`], a
/// multiplier times a numerator cannot overflow.
pub const MAX_MULTIPLIER: f64 = 1e9;

/// What is wrong with a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// Not a number at all (or NaN).
    #[error("is not a number")]
    NotANumber,
    /// A number beyond ±[`MAX_MAGNITUDE`], infinity included.
    #[error("is beyond ±1e15, the largest magnitude sct takes")]
    TooLarge,
}

impl NumberError {
    /// What was expected instead, for a diagnostic.
    pub fn expected(self) -> &'static str {
        match self {
            NumberError::NotANumber => {
                "a finite number such as 65.1 (no thousands separators or % sign)"
            }
            NumberError::TooLarge => "a number from -1e15 to 1e15",
        }
    }
}

/// Checks a number: not NaN, and within ±[`MAX_MAGNITUDE`].
pub fn check(v: f64) -> Result<f64, NumberError> {
    if v.is_nan() {
        Err(NumberError::NotANumber)
    } else if v.abs() > MAX_MAGNITUDE {
        Err(NumberError::TooLarge)
    } else {
        Ok(v)
    }
}

/// Parses a number's text (surrounding spaces allowed) and [`check`]s it.
pub fn parse(text: &str) -> Result<f64, NumberError> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| NumberError::NotANumber)
        .and_then(check)
}

/// A number as a message shows it: as written for everyday sizes, in exponent form for the
/// very large or very small (`1e308`, not 309 digits).
pub fn show(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-6..1e15).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_huge_and_tiny_numbers_in_exponent_form() {
        assert_eq!(show(1e308), "1e308");
        assert_eq!(show(-2.5e-9), "-2.5e-9");
        assert_eq!(show(65.1), "65.1");
        assert_eq!(show(0.0), "0");
        assert_eq!(show(f64::NAN), "NaN");
    }

    #[test]
    fn numbers_beyond_the_largest_magnitude_or_not_finite_are_refused() {
        assert_eq!(parse("65.1"), Ok(65.1));
        assert_eq!(parse("-1e15"), Ok(-1e15));
        assert_eq!(parse("1e308"), Err(NumberError::TooLarge));
        assert_eq!(parse("-1.000001e15"), Err(NumberError::TooLarge));
        for big in ["inf", "-infinity", "1e400"] {
            assert_eq!(parse(big), Err(NumberError::TooLarge), "{big}");
        }
        for bad in ["NaN", "x", ""] {
            assert_eq!(parse(bad), Err(NumberError::NotANumber), "{bad}");
        }
    }
}
