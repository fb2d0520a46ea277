//! The one way `sct` writes CSV. Every CSV output (reports, scores, plans, reviews, the IPR,
//! SPC and run charts, funnels, comparisons, plugin results) goes through [`CsvWriter`], so
//! no output can forget the two rules a spreadsheet needs:
//!
//! - **Quoted as CSV requires** (RFC 4180): a field holding a comma, a double quote or a line
//!   break is written in double quotes, with its double quotes doubled.
//! - **Never a formula** (OWASP "CSV Injection"): a field that begins with `=`, `+`, `-`,
//!   `@`, a tab or a carriage return is written with a single quote (`'`) in front, so a
//!   spreadsheet shows it as text instead of running it. The one exception is a plain decimal
//!   number (an optional `-`, digits, and optionally a `.` and more digits, such as `-1.5`):
//!   a spreadsheet reads that as the number, never as a formula, and numbers are what sct
//!   writes most. The rule looks at the text alone, whoever wrote it, so a user's id of `-3`
//!   stays `-3` and a user's `-3+cmd|' /C calc'!A0` becomes `'-3+cmd|' /C calc'!A0`.
//!
//! Reading a field back gives either the text written or that text with one `'` in front.

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a field as a formula (OWASP).
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `field` as it is safe to write: with a `'` in front when it begins with one of
/// [`FORMULA_STARTS`] and is not a plain decimal number; otherwise unchanged.
pub fn neutralise(field: &str) -> Cow<'_, str> {
    match field.chars().next() {
        Some(c) if FORMULA_STARTS.contains(&c) && !is_plain_number(field) => {
            Cow::Owned(format!("'{field}"))
        }
        _ => Cow::Borrowed(field),
    }
}

/// Whether `s` is a plain decimal number, the way sct writes numbers: an optional `-`, one
/// or more ASCII digits, then optionally a `.` and one or more digits (`-1.5`, `0`, `-12`).
/// Spreadsheets read these as numbers, never as formulas.
pub fn is_plain_number(s: &str) -> bool {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && fraction.is_none_or(digits)
}

/// Significant digits a number keeps in CSV: far beyond any measurement, and short of the
/// 16-17 where binary floating point shows its noise.
pub const SIGNIFICANT_DIGITS: i32 = 12;

/// `v` as CSV text for R and pandas: rounded to [`SIGNIFICANT_DIGITS`] and written in its
/// shortest plain decimal form, so `0.1 + 1.1` reads `1.2`, not `1.2000000000000002`.
/// Never an exponent (`1e-7`), which some readers take as text.
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (SIGNIFICANT_DIGITS - 1 - magnitude).max(0) as usize;
    let fixed = format!("{v:.decimals$}");
    let trimmed = if fixed.contains('.') {
        fixed.trim_end_matches('0').trim_end_matches('.')
    } else {
        fixed.as_str()
    };
    match trimmed {
        "-0" => "0".to_string(),
        t => t.to_string(),
    }
}

/// An optional number as [`number`] writes it, or an empty field.
pub fn opt_number(v: Option<f64>) -> String {
    v.map(number).unwrap_or_default()
}

/// A CSV document written one row at a time, every field neutralised and quoted as needed,
/// into memory (the default, [`CsvWriter::new`]) or straight into a stream
/// ([`CsvWriter::to_writer`]). Rows may differ in length (nothing is dropped if one does).
#[derive(Debug)]
pub struct CsvWriter<W: std::io::Write = Vec<u8>> {
    inner: csv::Writer<W>,
}

impl Default for CsvWriter {
    fn default() -> Self {
        CsvWriter::new()
    }
}

impl CsvWriter {
    /// An empty document in memory.
    pub fn new() -> Self {
        CsvWriter::to_writer(Vec::new())
    }

    /// Appends one row: each field through [`neutralise`], quoted where CSV requires it.
    pub fn row<I>(&mut self, fields: I)
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        // Writing to memory cannot fail.
        let _ = self.write_row(fields);
    }

    /// The document's text.
    pub fn finish(self) -> String {
        let bytes = self.inner.into_inner().unwrap_or_default();
        // Every field written was a `&str`, so the bytes are UTF-8.
        String::from_utf8(bytes).unwrap_or_default()
    }
}

impl<W: std::io::Write> CsvWriter<W> {
    /// A document written into `out` as its rows come: a large output is never held whole.
    pub fn to_writer(out: W) -> Self {
        CsvWriter {
            inner: csv::WriterBuilder::new().flexible(true).from_writer(out),
        }
    }

    /// Writes one row (as [`CsvWriter::row`]), or the stream's error.
    pub fn write_row<I>(&mut self, fields: I) -> std::io::Result<()>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        for field in fields {
            self.inner
                .write_field(neutralise(field.as_ref()).as_bytes())?;
        }
        self.inner.write_record(std::iter::empty::<&[u8]>())?;
        Ok(())
    }

    /// Flushes what is buffered into the stream.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_are_written_without_floating_point_noise() {
        assert_eq!(number(0.1 + 1.1), "1.2");
        assert_eq!(number(3.2 - 2.0), "1.2");
        assert_eq!(number(68.63443519295778), "68.634435193");
        assert_eq!(number(12330.0), "12330");
        assert_eq!(number(-2.0656), "-2.0656");
        assert_eq!(number(1e-7), "0.0000001");
        assert_eq!(number(-0.0), "0");
        assert_eq!(opt_number(None), "");
        assert!(is_plain_number(&number(-1234.5678)));
    }

    fn read_back(text: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn formula_like_fields_get_a_quote_and_numbers_stay_numbers() {
        let mut w = CsvWriter::new();
        w.row([
            "=1+1", "+44 117", "-2+3", "@SUM(A1)", "\tx", "\rx", "-1.5", "-0.2", "12", "-", "a,b",
            "",
        ]);
        assert_eq!(
            w.finish(),
            "'=1+1,'+44 117,'-2+3,'@SUM(A1),'\tx,\"'\rx\",-1.5,-0.2,12,'-,\"a,b\",\n"
        );
    }

    #[test]
    fn plain_numbers_are_only_decimals() {
        for yes in ["0", "-1", "-1.5", "12.25", "-0.0"] {
            assert!(is_plain_number(yes), "{yes}");
        }
        for no in [
            "", "-", "-.5", "1.", "--1", "+1", "-1e5", "-inf", "-NaN", "1,5", "-1 ",
        ] {
            assert!(!is_plain_number(no), "{no}");
        }
    }

    proptest! {
        /// Whatever is written reads back unchanged or with one `'` in front, and no field
        /// read back begins as a formula does unless it is a plain number.
        #[test]
        fn csv_fields_read_back_unchanged_or_quoted_and_never_as_formulas(
            fields in proptest::collection::vec(any::<String>(), 1..6),
        ) {
            let mut w = CsvWriter::new();
            w.row(&fields);
            let back = read_back(&w.finish());
            prop_assert_eq!(back.len(), 1);
            prop_assert_eq!(back[0].len(), fields.len());
            for (read, written) in back[0].iter().zip(&fields) {
                prop_assert!(
                    read == written || *read == format!("'{written}"),
                    "{:?} read back as {:?}", written, read
                );
                if read.starts_with(FORMULA_STARTS) {
                    prop_assert!(is_plain_number(read), "{:?} reads as a formula", read);
                }
            }
        }

        #[test]
        fn formula_like_strings_always_read_back_quoted(
            start in proptest::sample::select(FORMULA_STARTS.to_vec()),
            rest in "[^0-9]\\PC*",
        ) {
            let field = format!("{start}{rest}");
            let mut w = CsvWriter::new();
            w.row([&field]);
            let back = read_back(&w.finish());
            prop_assert_eq!(&back[0][0], &format!("'{field}"));
        }
    }
}
