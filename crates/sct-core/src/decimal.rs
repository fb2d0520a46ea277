//! Numbers and dates written as text straight into a byte buffer, without `core::fmt`: the
//! same bytes `format!("{v}")` (shortest round trip, never an exponent), serde_json and
//! chrono's `%Y-%m-%d` give, several times faster. Outputs of a million rows are written
//! this way (`sct kpi spc`), so that formatting costs less than computing.
//!
//! The shortest digits come from `zmij` (the formatter serde_json itself uses, so JSON
//! numbers are serde_json's bytes by construction); for `Display`'s plain form they are
//! moved around the decimal point here, and a number exactly halfway between two shortest
//! candidates takes the one `Display` takes. The tests check the bytes against `format!`
//! over many values: integers, negatives, the tiny and the huge, and the halfway cases.

use chrono::{Datelike, NaiveDate};

/// Appends `v` as `format!("{v}")` writes it: the shortest digits that read back as `v`, in
/// plain decimal form (`0.0000001`, `100000000000000000000`, `-0`, `NaN`, `inf`).
pub fn push_f64(out: &mut Vec<u8>, v: f64) {
    if !v.is_finite() {
        out.extend_from_slice(if v.is_nan() {
            b"NaN"
        } else if v > 0.0 {
            b"inf"
        } else {
            b"-inf"
        });
        return;
    }
    if v == 0.0 {
        out.extend_from_slice(if v.is_sign_negative() { b"-0" } else { b"0" });
        return;
    }
    if push_hundredths(out, v) {
        return;
    }
    let mut buffer = zmij::Buffer::new();
    let (negative, mut digits, exponent) = shortest(buffer.format_finite(v).as_bytes());
    // When `v` lies exactly halfway between two shortest candidates, zmij takes the even
    // one and `Display` the one further from zero; the even one ends in 2, 4, 6 or 8 (a
    // shortest form has no trailing zero), so the other is one more, with no carry.
    if digits % 2 == 0 && is_halfway(v.abs(), digits, exponent) {
        digits += 1;
    }
    plain(out, negative, digits, exponent);
}

/// Whether `a` is exactly (D + ½)·10ᵏ for the shortest digits D = `digits` and k =
/// `exponent`. That is (2D + 1) / (2ʲ·5ʲ⁻¹) with j = 1 − k, a binary fraction only when
/// 5ʲ⁻¹ divides 2D + 1, so k ≤ 0 and at most 25 places (2D + 1 < 2·10¹⁷); the quotient,
/// odd, must then be `a`·2ʲ, which is exact in binary.
fn is_halfway(a: f64, digits: u64, exponent: i32) -> bool {
    if !(-24..=0).contains(&exponent) {
        return false;
    }
    let j = (1 - exponent) as u32;
    let twice = 2 * digits + 1;
    let fives = 5u64.pow(j - 1);
    if !twice.is_multiple_of(fives) {
        return false;
    }
    let odd = twice / fives;
    odd < 1 << 53 && odd as f64 == a * (1u64 << j) as f64
}

/// The sign, the shortest significant digits D (without trailing zeros) and the exponent k
/// of a finite, non-zero number as zmij prints it (`1.5`, `0.001`, `1e-7`, `-1.5e+20`), so
/// that it is ±D·10ᵏ.
fn shortest(text: &[u8]) -> (bool, u64, i32) {
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let (mantissa, mut exponent) = match text.iter().position(|&b| b == b'e') {
        Some(e) => (&text[..e], parse_exponent(&text[e + 1..])),
        None => (text, 0),
    };
    let mut digits = 0u64;
    let mut fraction = false;
    for &b in mantissa {
        if b == b'.' {
            fraction = true;
        } else {
            // At most 17 significant digits: they fit a u64.
            digits = digits * 10 + u64::from(b - b'0');
            if fraction {
                exponent -= 1;
            }
        }
    }
    while digits.is_multiple_of(10) && digits != 0 {
        digits /= 10;
        exponent += 1;
    }
    (negative, digits, exponent)
}

/// Appends `v` as serde_json writes it (`1.0`, `1e-7`, `null` when not finite).
pub fn push_json_f64(out: &mut Vec<u8>, v: f64) {
    if v.is_finite() {
        let mut buffer = zmij::Buffer::new();
        out.extend_from_slice(buffer.format_finite(v).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

/// The fast case of [`push_f64`], for values written with at most two decimals (what most
/// measurements are): when `k / 100` reads back as `v` for an integer `k`, its digits with
/// the trailing zeros dropped are the shortest (below 10⁹ two such decimals are more than a
/// unit in the last place apart, so no shorter decimal reads back as `v`). Returns whether it
/// wrote `v`.
#[inline]
fn push_hundredths(out: &mut Vec<u8>, v: f64) -> bool {
    let a = v.abs();
    if !(0.01..1e9).contains(&a) {
        return false;
    }
    // Rounded by adding a half and truncating (`round` is a call into libm on baseline
    // x86-64): a `k` off by one from `round`'s at a tie fails the check below, and the
    // number is then written the long way.
    let k = (a * 100.0 + 0.5) as u64;
    if k as f64 / 100.0 != a {
        return false;
    }
    if v < 0.0 {
        out.push(b'-');
    }
    push_u64(out, k / 100);
    let cents = k % 100;
    if cents != 0 {
        out.push(b'.');
        out.push(b'0' + (cents / 10) as u8);
        if !cents.is_multiple_of(10) {
            out.push(b'0' + (cents % 10) as u8);
        }
    }
    true
}

/// Writes ±`digits`·10^`exponent` in `Display`'s plain decimal form (`0.0000001`, `1.5`,
/// `150000000000000000000`).
fn plain(out: &mut Vec<u8>, negative: bool, digits: u64, exponent: i32) {
    if negative {
        out.push(b'-');
    }
    // The digits on the stack, last first (a number written is mostly 16 or 17 of them).
    let mut buffer = [0u8; 20];
    let mut at = buffer.len();
    let mut rest = digits;
    loop {
        at -= 1;
        buffer[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let text = &buffer[at..];
    let n = text.len() as i64;
    let point = n + i64::from(exponent);
    if point <= 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-point) as usize));
        out.extend_from_slice(text);
    } else if point >= n {
        out.extend_from_slice(text);
        out.extend(std::iter::repeat_n(b'0', (point - n) as usize));
    } else {
        let (whole, fraction) = text.split_at(point as usize);
        out.extend_from_slice(whole);
        out.push(b'.');
        out.extend_from_slice(fraction);
    }
}

/// The exponent after zmij's `e` (`+20`, `-7`, `20`).
fn parse_exponent(text: &[u8]) -> i32 {
    let (sign, digits) = match text.split_first() {
        Some((b'-', rest)) => (-1, rest),
        Some((b'+', rest)) => (1, rest),
        _ => (1, text),
    };
    sign * digits
        .iter()
        .fold(0i32, |n, &d| n * 10 + i32::from(d - b'0'))
}

/// Appends `v` in decimal, as `format!("{v}")` writes it.
pub fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    // Counts in rows (segments, run lengths) are mostly one digit.
    if v < 10 {
        out.push(b'0' + v as u8);
        return;
    }
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Appends `date` as chrono's `%Y-%m-%d` writes it (`2024-01-31`; years past 9999 with a
/// sign, as chrono writes them).
pub fn push_date(out: &mut Vec<u8>, date: NaiveDate) {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        out.extend_from_slice(date.format("%Y-%m-%d").to_string().as_bytes());
        return;
    }
    let (y, m, d) = (year as usize, date.month() as usize, date.day() as usize);
    let pair = |n: usize| &PAIRS[2 * n..2 * n + 2];
    let (century, rest, month, day) = (pair(y / 100), pair(y % 100), pair(m), pair(d));
    out.extend_from_slice(&[
        century[0], century[1], rest[0], rest[1], b'-', month[0], month[1], b'-', day[0], day[1],
    ]);
}

/// The two digits of every number below 100, one after the other (`00`, `01`, … `99`).
const PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shown(v: f64) -> String {
        let mut out = Vec::new();
        push_f64(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    fn json(v: f64) -> String {
        let mut out = Vec::new();
        push_json_f64(&mut out, v);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let cases = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.1 + 0.2,
            100.23,
            -100.2,
            99.99,
            1e-7,
            1.5e-7,
            123456789.12,
            1e9,
            1e15,
            1e16,
            1e17,
            1.2345e20,
            1e21,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            68.5223989405,
            131.24450106,
            99.88345,
            0.01,
            0.005,
            9007199254740993.0,
            1658206780088562.2,
            // Halfway between two shortest forms (exact sums: the halves are in the ulp).
            1658206780088562.0 + 0.25,
            -1052730259603333.0 - 0.25,
            662936471232937.0 + 0.25,
            4503599627370495.5,
            10.0 + 1.0 / 65536.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for v in cases {
            assert_eq!(shown(v), format!("{v}"), "{v:e}");
        }
    }

    #[test]
    fn json_numbers_are_serde_jsons() {
        for v in [0.0, -0.0, 1.0, 0.1, 1e-7, 1e16, 1.5e300, 100.23, f64::NAN] {
            assert_eq!(json(v), serde_json::to_string(&v).unwrap(), "{v:e}");
        }
    }

    #[test]
    fn integers_and_dates_are_written_as_format_writes_them() {
        for v in [0, 1, 9, 10, 99, 100, 12345, u64::MAX] {
            let mut out = Vec::new();
            push_u64(&mut out, v);
            assert_eq!(out, v.to_string().as_bytes());
        }
        for (y, m, d) in [
            (2024, 1, 31),
            (1, 2, 3),
            (0, 1, 1),
            (9999, 12, 31),
            (12000, 6, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let mut out = Vec::new();
            push_date(&mut out, date);
            assert_eq!(out, date.format("%Y-%m-%d").to_string().as_bytes());
        }
    }

    #[test]
    fn a_million_values_of_every_size_are_written_as_display_writes_them() {
        // A fixed stream of bit patterns (every exponent, every sign), of decimals with few
        // digits, which take the fast path, and of binary fractions.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut out = Vec::new();
        for i in 0..1_000_000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = match i % 4 {
                0 => f64::from_bits(x),
                1 => (x % 2_000_000) as f64 / 100.0 - 10_000.0,
                2 => (x % 1_000_000_007) as f64 / 10f64.powi((x >> 40) as i32 % 12),
                // Binary fractions, among them numbers halfway between two shortest forms.
                _ => (x >> 11) as f64 / 2f64.powi((x % 60) as i32),
            };
            out.clear();
            push_f64(&mut out, v);
            assert_eq!(std::str::from_utf8(&out).unwrap(), format!("{v}"), "{v:e}");
        }
    }

    proptest! {
        #[test]
        fn any_f64_is_written_as_display_and_serde_json_write_it(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            prop_assert_eq!(shown(v), format!("{v}"));
            if v.is_finite() {
                prop_assert_eq!(json(v), serde_json::to_string(&v).unwrap());
            }
        }

        #[test]
        fn any_binary_fraction_is_written_as_display_writes_it(
            mantissa in 0u64..1 << 53,
            places in 0i32..64,
            negative in any::<bool>(),
        ) {
            // Binary fractions of 16 or 17 digits are where two shortest candidates can be
            // equally near (1658206780088562.25 is written ...562.3).
            let v = mantissa as f64 / 2f64.powi(places);
            let v = if negative { -v } else { v };
            prop_assert_eq!(shown(v), format!("{v}"));
        }

        #[test]
        fn any_decimal_is_written_as_display_writes_it(k in any::<i64>(), scale in 0i32..20) {
            let v = k as f64 / 10f64.powi(scale);
            prop_assert_eq!(shown(v), format!("{v}"));
        }
    }
}
