//! Decimals and timestamps, which data platforms export where a spreadsheet would hold a
//! number or a date: each read as the text the same column written as CSV holds, so that
//! the reading takes it as it takes the CSV's. A decimal is its digits with its scale's
//! places (`1250` at scale 2 is `12.50`, two places, as the CSV's); a timestamp at midnight
//! is its day (as a date column's), and any other its date and time, which no period reads.

use std::fmt::Write as _;

use parquet::basic::{LogicalType, TimeUnit};
use parquet::data_type::Int96;

/// Nanoseconds in a day.
const NANOS_A_DAY: i64 = 86_400_000_000_000;

/// The Julian day of 1970-01-01, from which INT96 timestamps count their days.
const JULIAN_EPOCH: i64 = 2_440_588;

/// The largest decimal precision read: 38 digits, the most an `i128` always holds.
pub(super) const MOST_DIGITS: i32 = 38;

/// The scale of a decimal column that can be read (`0..=precision`, precision at most
/// [`MOST_DIGITS`]); `None` otherwise.
pub(super) fn decimal_scale(precision: i32, scale: i32) -> Option<u8> {
    let fits = (1..=MOST_DIGITS).contains(&precision) && (0..=precision).contains(&scale);
    fits.then_some(scale as u8)
}

/// The timestamp units a day of a timestamp's logical type has.
pub(super) fn units_a_day(logical: &LogicalType) -> Option<i64> {
    let LogicalType::Timestamp(t) = logical else {
        return None;
    };
    Some(match t.unit {
        TimeUnit::MILLIS => 86_400_000,
        TimeUnit::MICROS => 86_400_000_000,
        TimeUnit::NANOS => NANOS_A_DAY,
    })
}

/// Writes the decimal `unscaled × 10^-scale` as its digits with `scale` places.
pub(super) fn write_decimal(unscaled: i128, scale: u8, out: &mut String) {
    let digits = unscaled.unsigned_abs().to_string();
    if unscaled < 0 {
        out.push('-');
    }
    let places = usize::from(scale);
    if places == 0 {
        out.push_str(&digits);
        return;
    }
    // At least one digit before the point: `5` at scale 2 is `0.05`.
    let zeros = (places + 1).saturating_sub(digits.len());
    let padded: String = std::iter::repeat_n('0', zeros)
        .chain(digits.chars())
        .collect();
    let (whole, part) = padded.split_at(padded.len() - places);
    out.push_str(whole);
    out.push('.');
    out.push_str(part);
}

/// The number a decimal's text (`unscaled` with `scale` places) reads as, found without
/// writing it: while the digits are below 2^53 and the power of ten exact (22 places at
/// most), one correctly rounded division gives the correctly rounded number, as reading the
/// text does; `None` beyond.
#[inline]
pub(super) fn exact_decimal(unscaled: i128, scale: u8) -> Option<f64> {
    const EXACT: u128 = 1 << 53;
    let power = crate::data::POW10.get(usize::from(scale))?;
    (unscaled.unsigned_abs() < EXACT).then(|| unscaled as f64 / power)
}

/// The integer a decimal's big-endian two's-complement bytes hold (FIXED_LEN_BYTE_ARRAY
/// and BYTE_ARRAY decimals); `None` beyond an `i128` or for no bytes.
pub(super) fn decimal_of_bytes(bytes: &[u8]) -> Option<i128> {
    let (&first, _) = bytes.split_first()?;
    let fill = if first & 0x80 != 0 { 0xff } else { 0 };
    let extra = bytes.len().saturating_sub(16);
    // Bytes beyond sixteen may only repeat the sign, and the sign must not change.
    let (high, low) = bytes.split_at(extra);
    if high.iter().any(|&b| b != fill) || (extra > 0 && (low[0] & 0x80) != (fill & 0x80)) {
        return None;
    }
    let mut full = [fill; 16];
    full[16 - low.len()..].copy_from_slice(low);
    Some(i128::from_be_bytes(full))
}

/// An INT96 timestamp (nanoseconds into a Julian day) in nanoseconds since 1970-01-01,
/// held at the ends of the range beyond it (years before 1677 or after 2262, which then
/// read as a time no period is).
pub(super) fn int96_nanos(v: &Int96) -> i64 {
    let [low, high, day] = *v.data() else {
        return i64::MIN;
    };
    let nanos = (i64::from(high) << 32) | i64::from(low);
    let days = i64::from(day as i32) - JULIAN_EPOCH;
    days.checked_mul(NANOS_A_DAY)
        .and_then(|n| n.checked_add(nanos))
        .unwrap_or(if days < 0 { i64::MIN } else { i64::MAX })
}

/// A timestamp of `units_a_day` units a day: its day (since 1970-01-01) when it is at
/// midnight, else `Err` with its day and nanoseconds into it.
pub(super) fn stamp_day(v: i64, units_a_day: i64) -> Result<i64, (i64, i64)> {
    let (day, into) = (v.div_euclid(units_a_day), v.rem_euclid(units_a_day));
    match into {
        0 => Ok(day),
        _ => Err((day, into * (NANOS_A_DAY / units_a_day))),
    }
}

/// Writes a time `nanos` into day `day` (since 1970-01-01) as `YYYY-MM-DD HH:MM:SS`, with
/// the fraction of a second it has, as a CSV export writes it.
pub(super) fn write_stamp(day: i64, nanos: i64, out: &mut String) {
    let secs = day
        .checked_mul(86_400)
        .and_then(|s| s.checked_add(nanos / 1_000_000_000));
    let at = secs.and_then(|s| chrono::DateTime::from_timestamp(s, (nanos % 1_000_000_000) as u32));
    match at {
        Some(at) => {
            let _ = write!(out, "{}", at.naive_utc());
        }
        // Beyond chrono's range: the count, which no period reads either.
        None => {
            let _ = write!(out, "day {day} + {nanos} ns");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decimal(unscaled: i128, scale: u8) -> String {
        let mut s = String::new();
        write_decimal(unscaled, scale, &mut s);
        s
    }

    #[test]
    fn decimals_are_written_with_their_scales_places() {
        assert_eq!(decimal(1250, 2), "12.50");
        assert_eq!(decimal(-1250, 2), "-12.50");
        assert_eq!(decimal(5, 2), "0.05");
        assert_eq!(decimal(-5, 3), "-0.005");
        assert_eq!(decimal(0, 1), "0.0");
        assert_eq!(decimal(42, 0), "42");
        assert_eq!(decimal(i128::MIN, 0), i128::MIN.to_string());
    }

    #[test]
    fn decimal_bytes_are_big_endian_twos_complement() {
        assert_eq!(decimal_of_bytes(&[0x04, 0xe2]), Some(1250));
        assert_eq!(decimal_of_bytes(&[0xfb, 0x1e]), Some(-1250));
        assert_eq!(decimal_of_bytes(&[0xff]), Some(-1));
        assert_eq!(decimal_of_bytes(&[]), None);
        let mut wide = vec![0xff; 4];
        wide.extend([0xff; 15]);
        wide.push(0xfe);
        assert_eq!(decimal_of_bytes(&wide), Some(-2));
        let mut too_wide = vec![0x01];
        too_wide.extend([0; 16]);
        assert_eq!(decimal_of_bytes(&too_wide), None);
        // Seventeen bytes whose last sixteen would read as negative: not a sign repeated.
        let mut flips = vec![0x00, 0x80];
        flips.extend([0; 15]);
        assert_eq!(decimal_of_bytes(&flips), None);
    }

    #[test]
    fn timestamps_at_midnight_are_days_and_others_times() {
        let ms = 86_400_000;
        assert_eq!(stamp_day(19_814 * ms, ms), Ok(19_814));
        assert_eq!(stamp_day(-ms, ms), Ok(-1));
        assert_eq!(stamp_day(19_814 * ms + 1, ms), Err((19_814, 1_000_000)));
        let mut s = String::new();
        write_stamp(19_814, 37_800_000_000_000, &mut s);
        assert_eq!(s, "2024-04-01 10:30:00");
        s.clear();
        write_stamp(19_814, 1_000_000, &mut s);
        assert_eq!(s, "2024-04-01 00:00:00.001");
    }

    proptest::proptest! {
        #[test]
        fn a_decimal_read_from_its_digits_is_the_number_its_text_reads_as(
            unscaled in proptest::prop_oneof![
                proptest::num::i64::ANY,
                -(1i64 << 53) + 1..(1i64 << 53),
                -100_000i64..100_000,
            ],
            scale in 0u8..30,
        ) {
            let mut text = String::new();
            write_decimal(i128::from(unscaled), scale, &mut text);
            let read: f64 = text.parse().unwrap();
            match exact_decimal(i128::from(unscaled), scale) {
                Some(v) => proptest::prop_assert_eq!(v.to_bits(), read.to_bits(), "{}", text),
                None => proptest::prop_assert!(unscaled.unsigned_abs() >= 1 << 53 || scale > 22),
            }
        }
    }

    #[test]
    fn int96_counts_julian_days() {
        let mut v = Int96::new();
        // 2024-04-01 is Julian day 2,460,402; 10:30 is 37,800 s into it.
        let nanos: i64 = 37_800_000_000_000;
        v.set_data(nanos as u32, (nanos >> 32) as u32, 2_460_402);
        assert_eq!(int96_nanos(&v), 19_814 * NANOS_A_DAY + nanos);
        v.set_data(0, 0, (JULIAN_EPOCH - 1) as u32);
        assert_eq!(int96_nanos(&v), -NANOS_A_DAY);
        // A day millions of years before 1970 is held at the range's end.
        v.set_data(0, 0, u32::MAX);
        assert_eq!(int96_nanos(&v), i64::MIN);
    }
}
