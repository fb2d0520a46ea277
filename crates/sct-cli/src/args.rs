//! Parsers of numeric and date arguments: each value is checked against the range that
//! makes sense for it when the command line is read, so a slip (`--timeout 1e308`, `--as-of
//! 9999-12-31`, `--multiplier nan`) is a usage error naming the option (exit status 2), never
//! a panic or a silently absurd result further on.

/// The most points a count argument about a series may name (`--fix-after`, `--min-points`).
pub const MAX_POINTS: usize = 1_000_000;

/// The longest shift or trend a rule may ask for.
pub const MAX_RUN: usize = 1_000;

/// A whole number from `min` to `max`, for count arguments.
pub fn count_in(min: usize, max: usize) -> impl Fn(&str) -> Result<usize, String> + Clone {
    move |arg: &str| {
        let n: usize = arg
            .trim()
            .parse()
            .map_err(|_| format!("expected a whole number from {min} to {max}"))?;
        if (min..=max).contains(&n) {
            Ok(n)
        } else {
            Err(format!(
                "out of range; expected a whole number from {min} to {max}"
            ))
        }
    }
}

/// A finite number (no `inf`, `NaN` or value too large for a double).
pub fn finite_arg(arg: &str) -> Result<f64, String> {
    match arg.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err("expected a finite number, for example 70.7".to_string()),
    }
}

/// A scale for printed values: finite, above 0, at most a thousand million.
pub fn multiplier_arg(arg: &str) -> Result<f64, String> {
    let x = finite_arg(arg)?;
    if x > 0.0 && x <= 1e9 {
        Ok(x)
    } else {
        Err(
            "out of range; expected a number above 0 and at most 1000000000 (100 for percent)"
                .to_string(),
        )
    }
}

/// Seconds to wait for a plugin: above 0, at most a day.
pub fn timeout_arg(arg: &str) -> Result<f64, String> {
    let x =
        finite_arg(arg).map_err(|_| "expected a number of seconds, for example 30".to_string())?;
    if x > 0.0 && x <= 86_400.0 {
        Ok(x)
    } else {
        Err(
            "out of range; expected a number of seconds above 0 and at most 86400 (a day)"
                .to_string(),
        )
    }
}

/// A date argument (as [`date_arg`]) as the date it names.
pub fn date_value(arg: &str) -> Result<sct_core::Date, String> {
    date_arg(arg).and_then(|text| sct_core::Date::parse(&text))
}

/// A date argument, YYYY-MM-DD, from 1900 to 2199: the data `sct` reads are dated within
/// those years, and a date far outside them is a typing slip.
pub fn date_arg(arg: &str) -> Result<String, String> {
    let date = sct_core::Date::parse(arg)?;
    let year = chrono::Datelike::year(&date.0);
    if (1900..=2199).contains(&year) {
        Ok(arg.trim().to_string())
    } else {
        Err("out of range; expected a date from 1900-01-01 to 2199-12-31".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any text given as a number either is refused or gives a value in range.
        #[test]
        fn numeric_arguments_are_in_range_or_refused(text in "[-+]?[0-9]{0,400}(\\.[0-9]{0,20})?([eE][-+]?[0-9]{1,4})?|nan|inf|-inf|NaN|[ -~]{0,20}") {
            if let Ok(x) = timeout_arg(&text) {
                prop_assert!(x > 0.0 && x <= 86_400.0);
            }
            if let Ok(x) = multiplier_arg(&text) {
                prop_assert!(x > 0.0 && x <= 1e9);
            }
            if let Ok(x) = finite_arg(&text) {
                prop_assert!(x.is_finite());
            }
            if let Ok(n) = count_in(2, MAX_POINTS)(&text) {
                prop_assert!((2..=MAX_POINTS).contains(&n));
            }
        }

        /// Any date text either is refused or is a real day from 1900 to 2199.
        #[test]
        fn date_arguments_are_real_days_from_1900_to_2199_or_refused(
            y in 0u32..10_000, m in 0u32..14, d in 0u32..33, junk in "[ -~]{0,3}"
        ) {
            let text = format!("{y:04}-{m:02}-{d:02}{junk}");
            match date_arg(&text) {
                Ok(ok) => {
                    let date = sct_core::Date::parse(&ok).unwrap();
                    prop_assert!((1900..=2199).contains(&chrono::Datelike::year(&date.0)));
                }
                Err(e) => prop_assert!(e.starts_with("out of range") || e.contains("expected YYYY-MM-DD")),
            }
        }
    }

    #[test]
    fn a_timeout_of_1e308_is_refused_not_a_panic() {
        assert!(timeout_arg("1e308").unwrap_err().contains("at most 86400"));
        assert_eq!(timeout_arg("30").unwrap(), 30.0);
    }
}
