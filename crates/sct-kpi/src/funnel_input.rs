//! `sct kpi funnel` input and output: a CSV of organisations in (`org,numerator,denominator`
//! or `org,observed,expected`), CSV and JSON out (`docs/methods/funnels.md`).

use std::collections::HashMap;

use serde_json::{Value, json};

use sct_core::csv_out::CsvWriter;
use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::source::SourceFile;

use crate::funnel::{
    ARCSINE_METHOD, ArcsineFunnel, ArcsineRow, FunnelError, OVERDISPERSION_METHOD,
    PROPORTION_METHOD, ProportionFunnel, ProportionInput, ProportionRow, QuickHasher, QuickMap,
    RATIO_METHOD, RatioFunnel, RatioInput, RatioRow, proportions, proportions_overdispersed,
    ratios,
};
use crate::number::NumberError;
use crate::spc_input::{at, column, csv_with_header, header_at};

/// Which funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelKind {
    /// Proportions (Fingertips), columns `org,numerator,denominator`.
    Proportion,
    /// Indirectly standardised ratios (Spiegelhalter), columns `org,observed,expected`.
    Ratio,
}

impl FunnelKind {
    /// The default multiplier: 100 (percent) for proportions, 1 for ratios.
    pub fn default_multiplier(self) -> f64 {
        match self {
            FunnelKind::Proportion => 100.0,
            FunnelKind::Ratio => 1.0,
        }
    }

    fn columns(self) -> [&'static str; 3] {
        match self {
            FunnelKind::Proportion => ["org", "numerator", "denominator"],
            FunnelKind::Ratio => ["org", "observed", "expected"],
        }
    }
}

/// A computed funnel of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Funnel {
    /// A proportion funnel (the Fingertips method).
    Proportion(ProportionFunnel),
    /// A proportion funnel with limits adjusted for over-dispersion (the arcsine method).
    OverdispersedProportion(ArcsineFunnel),
    /// A ratio funnel.
    Ratio(RatioFunnel),
}

/// One row as read: organisation, the two numbers, its line.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelRow {
    /// The organisation.
    pub org: String,
    /// Numerator or observed.
    pub a: f64,
    /// Denominator or expected.
    pub b: f64,
    /// One-based line in the file.
    pub line: usize,
}

/// Reads a funnel CSV: every row checked against the method's rules, errors naming the file
/// and line, an organisation given twice named with both lines.
pub fn read_funnel_rows(src: &SourceFile, kind: FunnelKind) -> Result<Vec<FunnelRow>, Diagnostics> {
    let (_, headers) = csv_with_header(src)?;
    let cols = funnel_columns(src, &headers, kind)?;
    // The rows are read as bytes and only the three fields used are trimmed: the reader of
    // `csv_with_header` trims every field of every row into a new record, a tenth of a
    // large funnel's time. The text is UTF-8 and a field is cut from it at ASCII bytes, so
    // each field is UTF-8 too.
    let mut reader = csv::ReaderBuilder::new().from_reader(src.text.as_bytes());
    let mut diags = Diagnostics::default();
    if let Err(e) = reader.byte_headers() {
        // Read once already by `csv_with_header`, so not met; its error if it were.
        let line = sct_core::csv_line::record_line(src.text.as_bytes(), e.position());
        diags.push(
            Diagnostic::error(format!("cannot read the header row: {e}")).at(at(src, line.max(1))),
        );
        return Err(diags);
    }
    // At most a row a line: sized once rather than grown (and rehashed) row by row, up to a
    // bound, so that a file of blank lines reserves no more than a large funnel needs.
    let lines = (src.text.bytes().filter(|&b| b == b'\n').count() + 1).min(1 << 21);
    let mut rows = Vec::with_capacity(lines);
    let mut seen = SeenOrgs {
        by_hash: QuickMap::with_capacity_and_hasher(lines, Default::default()),
        collided: HashMap::new(),
    };
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = sct_core::csv_line::record_line(src.text.as_bytes(), record.position());
                let field = |i: usize| {
                    let bytes = record.get(i).unwrap_or_default();
                    std::str::from_utf8(bytes).unwrap_or_default().trim()
                };
                let fields = cols.map(field);
                let Some(row) = funnel_row(src, kind, fields, line, &mut diags) else {
                    continue;
                };
                if let Some(first) = seen.line_of(&rows, &row.org) {
                    diags.push(
                        Diagnostic::error(format!(
                            "organisation {} appears twice, on lines {first} and {line}",
                            row.org
                        ))
                        .at(at(src, line))
                        .expected("one row per organisation"),
                    );
                    continue;
                }
                seen.insert(&row.org, rows.len(), line);
                rows.push(row);
            }
            Err(e) => {
                let line = sct_core::csv_line::record_line(src.text.as_bytes(), e.position());
                diags.push(Diagnostic::csv_row(&e, None).at(at(src, line)));
                break;
            }
        }
    }
    if rows.is_empty() && !diags.has_errors() {
        diags.push(
            Diagnostic::error("the file has a header but no data rows")
                .in_file(&src.name)
                .expected("one row per organisation"),
        );
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(rows)
    }
}

/// The organisations of the rows read so far, to find one given twice without a copy of
/// each name: the hash of a name leads to its row, and the rare name whose hash an earlier
/// one already has is kept by name instead.
#[derive(Default)]
struct SeenOrgs {
    /// A name's hash → the index of the first row with a name of that hash.
    by_hash: QuickMap<u64, usize>,
    /// Names whose hash an earlier, different name has → their first line.
    collided: HashMap<String, usize>,
}

impl SeenOrgs {
    fn hash(org: &str) -> u64 {
        use std::hash::BuildHasher;
        std::hash::BuildHasherDefault::<QuickHasher>::default().hash_one(org)
    }

    /// The line of the row before with the organisation `org`, if any.
    fn line_of(&self, rows: &[FunnelRow], org: &str) -> Option<usize> {
        self.line_of_hashed(rows, org, Self::hash(org))
    }

    /// [`SeenOrgs::line_of`] with the hash of `org` given.
    fn line_of_hashed(&self, rows: &[FunnelRow], org: &str, hash: u64) -> Option<usize> {
        match self.by_hash.get(&hash).map(|&i| &rows[i]) {
            Some(row) if row.org == org => Some(row.line),
            Some(_) => self.collided.get(org).copied(),
            None => None,
        }
    }

    /// Records that `org`, not seen before, is the row at `index`, on line `line`.
    fn insert(&mut self, org: &str, index: usize, line: usize) {
        self.insert_hashed(org, index, line, Self::hash(org));
    }

    /// [`SeenOrgs::insert`] with the hash of `org` given.
    fn insert_hashed(&mut self, org: &str, index: usize, line: usize, hash: u64) {
        match self.by_hash.entry(hash) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(index);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.collided.insert(org.to_string(), line);
            }
        }
    }
}

/// The names the organisation column may have: the funnel's own `org`, or the long form's
/// `organisation` (a file cut from the KPI data keeps its header).
const ORG_COLUMNS: [&str; 2] = ["org", "organisation"];

/// The positions of the method's organisation and two number columns, or an error saying
/// the header lacks them (with a hint when the file has the other method's two columns).
fn funnel_columns(
    src: &SourceFile,
    headers: &csv::StringRecord,
    kind: FunnelKind,
) -> Result<[usize; 3], Diagnostics> {
    let [org_col, a_col, b_col] = kind.columns();
    let org = ORG_COLUMNS.iter().find_map(|name| column(headers, name));
    let (Some(oi), Some(ai), Some(bi)) = (org, column(headers, a_col), column(headers, b_col))
    else {
        let have = headers.iter().collect::<Vec<_>>().join(", ");
        let mut error = Diagnostic::error(format!(
            "the header has no `{org_col}`, `{a_col}` and `{b_col}` columns (it has: {have})"
        ))
        .at(header_at(src, headers))
        .expected(format!(
            "columns {org_col} (or organisation),{a_col},{b_col}"
        ));
        let (other, hint) = match kind {
            FunnelKind::Proportion => (
                FunnelKind::Ratio,
                "for observed and expected counts draw a ratio funnel",
            ),
            FunnelKind::Ratio => (
                FunnelKind::Proportion,
                "for numerators and denominators draw a proportion funnel",
            ),
        };
        let [_, other_a, other_b] = other.columns();
        if column(headers, other_a).is_some() && column(headers, other_b).is_some() {
            error = error
                .hint(hint)
                .settings([sct_core::setting::Setting::FunnelType]);
        }
        return Err(Diagnostics(vec![error]));
    };
    Ok([oi, ai, bi])
}

/// One row from its organisation and two number fields (trimmed), checked against the
/// method's rules (but not yet for a repeated organisation); `None` when it is an error
/// (pushed to `diags`).
fn funnel_row(
    src: &SourceFile,
    kind: FunnelKind,
    [org, a_text, b_text]: [&str; 3],
    line: usize,
    diags: &mut Diagnostics,
) -> Option<FunnelRow> {
    let [org_col, a_col, b_col] = kind.columns();
    let org = org.to_string();
    let number = |text: &str, name: &str, diags: &mut Diagnostics| match crate::number::parse(text)
    {
        Ok(v) => Some(v),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("`{name}` \"{text}\" {e}"))
                    .at(at(src, line))
                    .expected(match e {
                        NumberError::TooLarge => e.expected(),
                        NumberError::NotANumber => "a finite number such as 42 or 17.5",
                    }),
            );
            None
        }
    };
    if org.is_empty() {
        diags.push(
            Diagnostic::error(format!("`{org_col}` is empty"))
                .at(at(src, line))
                .expected("an organisation code or name"),
        );
        return None;
    }
    let (Some(a), Some(b)) = (number(a_text, a_col, diags), number(b_text, b_col, diags)) else {
        return None;
    };
    if let Some(problem) = row_problem(kind, a, b) {
        diags.push(
            Diagnostic::error(format!("{org}: {problem}"))
                .at(at(src, line))
                .expected(match kind {
                    FunnelKind::Proportion => {
                        "numerator ≥ 0, denominator > 0, numerator ≤ denominator"
                    }
                    FunnelKind::Ratio => {
                        "observed a whole number ≥ 0, expected > 0, both at most 1e9"
                    }
                }),
        );
        return None;
    }
    Some(FunnelRow { org, a, b, line })
}

/// The largest observed or expected count of a ratio: far above any count of events an
/// organisation reports, and below the sizes at which the exact Poisson limits' incomplete
/// gamma function stops converging in reasonable time (found by fuzzing).
pub const MAX_RATIO_COUNT: f64 = 1e9;

/// What is wrong with one row's numbers, if anything.
fn row_problem(kind: FunnelKind, a: f64, b: f64) -> Option<String> {
    match kind {
        FunnelKind::Ratio if a > MAX_RATIO_COUNT || b > MAX_RATIO_COUNT => Some(format!(
            "observed {a} or expected {b} is above {MAX_RATIO_COUNT:e}, the largest count the exact Poisson limits take"
        )),
        FunnelKind::Proportion if b <= 0.0 => {
            Some(format!("denominator {b} is not greater than 0"))
        }
        FunnelKind::Proportion if a < 0.0 => Some(format!("numerator {a} is negative")),
        FunnelKind::Proportion if a > b => {
            Some(format!("numerator {a} is greater than denominator {b}"))
        }
        FunnelKind::Ratio if b <= 0.0 => Some(format!("expected {b} is not greater than 0")),
        FunnelKind::Ratio if a < 0.0 || a.fract() != 0.0 => {
            Some(format!("observed {a} is not a whole number of 0 or more"))
        }
        _ => None,
    }
}

/// The one indicator a CSV's `indicator` column names, when it has that column and every row
/// names the same one (a file cut from the long-form KPI data): what a chart of it shows.
/// `None` when there is no such column, it is empty, or rows name different indicators.
pub fn single_indicator(src: &SourceFile) -> Option<String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(src.text.as_bytes());
    let col = column(reader.headers().ok()?, "indicator")?;
    let mut found: Option<String> = None;
    for record in reader.records() {
        let value = record.ok()?.get(col)?.trim().to_string();
        match &found {
            _ if value.is_empty() => return None,
            Some(f) if *f != value => return None,
            Some(_) => {}
            None => found = Some(value),
        }
    }
    found
}

/// Computes the funnel of rows read by [`read_funnel_rows`]: with `overdispersion`,
/// proportions by the arcsine method and ratios with the SHMI adjustment.
pub fn compute(
    rows: &[FunnelRow],
    kind: FunnelKind,
    multiplier: f64,
    overdispersion: bool,
) -> Result<Funnel, FunnelError> {
    match kind {
        FunnelKind::Proportion => {
            let input: Vec<ProportionInput> = rows
                .iter()
                .map(|r| ProportionInput {
                    org: r.org.clone(),
                    numerator: r.a,
                    denominator: r.b,
                })
                .collect();
            if overdispersion {
                proportions_overdispersed(&input, multiplier).map(Funnel::OverdispersedProportion)
            } else {
                proportions(&input, multiplier).map(Funnel::Proportion)
            }
        }
        FunnelKind::Ratio => {
            let input: Vec<RatioInput> = rows
                .iter()
                .map(|r| RatioInput {
                    org: r.org.clone(),
                    observed: r.a,
                    expected: r.b,
                })
                .collect();
            ratios(&input, multiplier, overdispersion).map(Funnel::Ratio)
        }
    }
}

/// A diagnostic for an error of [`compute`], at the line of the organisation it names.
pub fn located(src: &SourceFile, rows: &[FunnelRow], error: &FunnelError) -> Diagnostic {
    let mut d = Diagnostic::error(error.to_string());
    match error {
        FunnelError::Multiplier(_) => d = d.settings([sct_core::setting::Setting::Multiplier]),
        FunnelError::TooFewForOverdispersion(_) => {
            d = d
                .expected("two or more organisations")
                .settings([sct_core::setting::Setting::Overdispersion]);
        }
        _ => {}
    }
    let row = match error {
        FunnelError::BadRow { org, .. } => rows.iter().find(|r| &r.org == org),
        _ => None,
    };
    match row {
        Some(r) => d.at(at(src, r.line)),
        None => d.in_file(&src.name),
    }
}

/// The CSV: one row per organisation in input order, columns as `docs/methods/funnels.md`
/// describes them.
pub fn to_csv(funnel: &Funnel) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_csv(funnel, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// One CSV row's fields as text in one reused buffer, numbers as `format!("{v}")` writes
/// them but without a `String` for each.
#[derive(Default)]
struct Fields {
    text: Vec<u8>,
    ends: Vec<usize>,
    /// Whether a field may need a quote or a `'` in front (see [`Fields::append_to`]).
    special: bool,
}

/// Whether a field written as it is would read back differently: it holds a byte CSV
/// quotes, or it begins as a formula does (and is not a plain number), so that
/// [`CsvWriter`] would change it.
fn is_special(field: &str) -> bool {
    field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        || !matches!(
            sct_core::csv_out::neutralise(field),
            std::borrow::Cow::Borrowed(_)
        )
}

impl Fields {
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.special = false;
    }

    fn text(&mut self, s: &str) {
        self.special |= is_special(s);
        self.text.extend_from_slice(s.as_bytes());
        self.ends.push(self.text.len());
    }

    /// Numbers, as [`sct_core::decimal::push_f64`] writes them (the bytes of `Display`).
    fn numbers(&mut self, values: &[f64]) {
        for &v in values {
            // A finite number is written as a plain decimal: nothing to quote or neutralise.
            self.special |= !v.is_finite();
            sct_core::decimal::push_f64(&mut self.text, v);
            self.ends.push(self.text.len());
        }
    }

    fn flag(&mut self, v: bool) {
        self.text(if v { "1" } else { "0" });
    }

    /// The fields, for [`CsvWriter::write_row`]; every field was pushed as UTF-8 text.
    fn slices(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(a, &b)| std::str::from_utf8(&self.text[a..b]).unwrap_or_default())
    }

    /// The row as [`CsvWriter`] writes it, appended to `buf`: when no field needs a quote
    /// or a `'` (every number, and most organisation codes) the fields joined by commas,
    /// which is what it would write, else through it.
    fn append_to(&self, buf: &mut Vec<u8>) {
        if self.special {
            let mut w = CsvWriter::to_writer(&mut *buf);
            // Writing to memory cannot fail.
            let _ = w.write_row(self.slices()).and_then(|()| w.flush());
            return;
        }
        let mut start = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(&self.text[start..end]);
            start = end;
        }
        buf.push(b'\n');
    }
}

/// Rows a thread formats at a time: small enough that the threads finish together when one
/// of them is slowed (by another process, or the thread writing the file), large enough that
/// taking them costs nothing. Writing numbers as text is, after the exact limits, most of a
/// large funnel's time; a funnel of fewer than [`sct_core::pieces::PARALLEL_FROM`] blocks is
/// formatted on one thread.
const CSV_BLOCK: usize = 512;

/// The header and then every row (made by `record`) written into `out` as CSV, the rows
/// formatted [`CSV_BLOCK`] at a time on the machine's cores and written in order
/// ([`sct_core::pieces::write_pieces`]); each row is formatted on its own, so the bytes are
/// those of one thread.
fn write_table<T: Sync>(
    header: &[&str],
    rows: &[T],
    record: impl Fn(&T, &mut Fields) + Sync,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut fields = Fields::default();
    header.iter().for_each(|h| fields.text(h));
    let mut head = Vec::new();
    fields.append_to(&mut head);
    out.write_all(&head)?;
    let block = |fields: &mut Fields, range: std::ops::Range<usize>, buf: &mut Vec<u8>| {
        for r in &rows[range] {
            fields.clear();
            record(r, fields);
            fields.append_to(buf);
        }
    };
    sct_core::pieces::write_pieces(rows.len(), CSV_BLOCK, out, Fields::default, block)
}

/// [`to_csv`] written straight into `out`.
pub fn write_csv(funnel: &Funnel, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    match funnel {
        Funnel::Proportion(f) => write_table(
            &[
                "org",
                "numerator",
                "denominator",
                "value",
                "baseline",
                "lower_95",
                "upper_95",
                "lower_998",
                "upper_998",
                "significance",
            ],
            &f.rows,
            |r, fields| {
                fields.text(&r.org);
                fields.numbers(&[r.numerator, r.denominator]);
                fields.numbers(&[
                    r.value,
                    r.baseline,
                    r.lower_95,
                    r.upper_95,
                    r.lower_998,
                    r.upper_998,
                ]);
                fields.text(r.significance.label());
            },
            out,
        )?,
        Funnel::OverdispersedProportion(f) => {
            write_table(&ARCSINE_COLUMNS, &f.rows, arcsine_record, out)?;
        }
        Funnel::Ratio(f) => {
            let mut header = vec![
                "org",
                "observed",
                "expected",
                "ratio",
                "lower_95",
                "upper_95",
                "lower_998",
                "upper_998",
            ];
            if f.overdispersion.is_some() {
                header.extend(["od_lower_95", "od_upper_95", "od_lower_998", "od_upper_998"]);
            }
            header.extend(["outlier_95", "outlier_998"]);
            write_table(&header, &f.rows, ratio_record, out)?;
        }
    }
    out.flush()
}

/// One row of a ratio funnel, into `fields`.
fn ratio_record(r: &RatioRow, fields: &mut Fields) {
    fields.text(&r.org);
    fields.numbers(&[r.observed, r.expected]);
    fields.numbers(&[r.ratio, r.lower_95, r.upper_95, r.lower_998, r.upper_998]);
    if let Some(od) = &r.od_limits {
        fields.numbers(od);
    }
    fields.flag(r.outlier_95);
    fields.flag(r.outlier_998);
}

/// The columns of a proportion funnel with over-dispersion, in the order of
/// `docs/methods/funnels.md`.
const ARCSINE_COLUMNS: [&str; 17] = [
    "org",
    "numerator",
    "denominator",
    "value",
    "baseline",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "od_lower_95",
    "od_upper_95",
    "od_lower_998",
    "od_upper_998",
    "outlier_95",
    "outlier_998",
    "z",
    "z_winsorised",
];

/// One row of [`ARCSINE_COLUMNS`], into `fields`.
fn arcsine_record(r: &ArcsineRow, fields: &mut Fields) {
    fields.text(&r.org);
    fields.numbers(&[r.numerator, r.denominator]);
    fields.numbers(&[
        r.value,
        r.baseline,
        r.lower_95,
        r.upper_95,
        r.lower_998,
        r.upper_998,
        r.od_lower_95,
        r.od_upper_95,
        r.od_lower_998,
        r.od_upper_998,
    ]);
    fields.flag(r.outlier_95);
    fields.flag(r.outlier_998);
    fields.numbers(&[r.z, r.z_winsorised]);
}

/// The method in words for a funnel (with the over-dispersion estimate when there is one).
pub fn method_text(funnel: &Funnel) -> String {
    match funnel {
        Funnel::Proportion(_) => PROPORTION_METHOD.to_string(),
        Funnel::OverdispersedProportion(_) => ARCSINE_METHOD.to_string(),
        Funnel::Ratio(f) => match &f.overdispersion {
            None => RATIO_METHOD.to_string(),
            Some(_) => format!("{RATIO_METHOD} {OVERDISPERSION_METHOD}"),
        },
    }
}

/// The over-dispersion note for standard error, e.g. `over-dispersion: φ = 2.31, τ² = 0.0123
/// (from 38 of 42 organisations; 1 with O = 0 left out)`.
pub fn overdispersion_note(funnel: &Funnel) -> Option<String> {
    if let Funnel::OverdispersedProportion(f) = funnel {
        let od = &f.overdispersion;
        return Some(format!(
            "over-dispersion: φ = {:.6}, τ² = {:.6} on the arcsine scale (from all {} organisations, z-scores winsorised to [{:.4}, {:.4}]); the limits are adjusted for it{}",
            od.phi,
            od.tau2,
            od.organisations,
            od.q10,
            od.q90,
            if od.tau2 == 0.0 {
                " (τ² = 0: no more spread than chance, so the adjusted limits equal the unadjusted ones)"
            } else {
                ""
            }
        ));
    }
    let Funnel::Ratio(RatioFunnel {
        overdispersion: Some(od),
        rows,
        ..
    }) = funnel
    else {
        return None;
    };
    let phi = od.phi.map_or(
        "not estimated (no organisations left after winsorising)".to_string(),
        |p| format!("{p:.6}"),
    );
    Some(format!(
        "over-dispersion: φ = {phi}, τ² = {:.6} (from {} of {} organisations after dropping the top and bottom 10 % of z; {} with O = 0 left out)",
        od.tau2,
        od.kept,
        rows.len(),
        od.zero_observed
    ))
}

/// The JSON output: the method, the centre, the over-dispersion estimate and every row with
/// the CSV's fields (schema `sct-kpi-funnel/1`).
pub fn to_json(funnel: &Funnel) -> Value {
    let mut value = match funnel {
        Funnel::Proportion(f) => json!({
            "type": "proportion",
            "method": method_text(funnel),
            "multiplier": f.multiplier,
            "baseline": f.baseline,
            "rows": f.rows.iter().map(|r| json!({
                "org": r.org,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "value": r.value,
                "baseline": r.baseline,
                "lower_95": r.lower_95,
                "upper_95": r.upper_95,
                "lower_998": r.lower_998,
                "upper_998": r.upper_998,
                "significance": r.significance.label(),
            })).collect::<Vec<_>>(),
        }),
        Funnel::OverdispersedProportion(f) => {
            serde_json::to_value(ArcsineJson::of(f, method_text(funnel))).unwrap_or_default()
        }
        Funnel::Ratio(f) => json!({
            "type": "ratio",
            "method": method_text(funnel),
            "multiplier": f.multiplier,
            "centre": f.centre,
            "overdispersion": f.overdispersion.as_ref().map(|od| json!({
                "phi": od.phi,
                "tau2": od.tau2,
                "organisations_with_z": od.with_z,
                "kept_after_winsorising": od.kept,
                "zero_observed_left_out": od.zero_observed,
            })),
            "rows": f.rows.iter().map(|r| {
                let mut row = json!({
                    "org": r.org,
                    "observed": r.observed,
                    "expected": r.expected,
                    "ratio": r.ratio,
                    "lower_95": r.lower_95,
                    "upper_95": r.upper_95,
                    "lower_998": r.lower_998,
                    "upper_998": r.upper_998,
                });
                if let (Some(od), Some(obj)) = (r.od_limits, row.as_object_mut()) {
                    obj.insert("od_lower_95".into(), json!(od[0]));
                    obj.insert("od_upper_95".into(), json!(od[1]));
                    obj.insert("od_lower_998".into(), json!(od[2]));
                    obj.insert("od_upper_998".into(), json!(od[3]));
                }
                if let Some(obj) = row.as_object_mut() {
                    obj.insert("outlier_95".into(), json!(u8::from(r.outlier_95)));
                    obj.insert("outlier_998".into(), json!(u8::from(r.outlier_998)));
                }
                row
            }).collect::<Vec<_>>(),
        }),
    };
    value["schema"] = json!("sct-kpi-funnel/1");
    value
}

/// [`to_json`] as pretty JSON and a newline, serialised straight into `out` with no value
/// tree: a funnel of a million organisations is written as it is read out. The fields are
/// in [`to_json`]'s order (its maps are sorted by key), so the bytes are the same.
pub fn write_json(funnel: &Funnel, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    match funnel {
        Funnel::Proportion(f) => serde_json::to_writer_pretty(
            &mut *out,
            &ProportionJson {
                baseline: f.baseline,
                method: method_text(funnel),
                multiplier: f.multiplier,
                rows: Seq(&f.rows, |r| Row::Proportion(ProportionRowJson::of(r))),
                schema: "sct-kpi-funnel/1",
                kind: "proportion",
            },
        ),
        Funnel::OverdispersedProportion(f) => {
            serde_json::to_writer_pretty(&mut *out, &ArcsineJson::of(f, method_text(funnel)))
        }
        Funnel::Ratio(f) => serde_json::to_writer_pretty(
            &mut *out,
            &RatioJson {
                centre: f.centre,
                method: method_text(funnel),
                multiplier: f.multiplier,
                overdispersion: f.overdispersion.as_ref().map(|od| OverdispersionJson {
                    kept_after_winsorising: od.kept,
                    organisations_with_z: od.with_z,
                    phi: od.phi,
                    tau2: od.tau2,
                    zero_observed_left_out: od.zero_observed,
                }),
                rows: Seq(&f.rows, |r| Row::Ratio(RatioRowJson::of(r))),
                schema: "sct-kpi-funnel/1",
                kind: "ratio",
            },
        ),
    }
    .map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// Rows serialised as a JSON array, each made as it is written.
struct Seq<'a, T>(&'a [T], for<'r> fn(&'r T) -> Row<'r>);

/// One row of either funnel, as written.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Row<'a> {
    Proportion(ProportionRowJson<'a>),
    Arcsine(ArcsineRowJson<'a>),
    Ratio(RatioRowJson<'a>),
}

impl<T> serde::Serialize for Seq<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(self.1))
    }
}

#[derive(serde::Serialize)]
struct ProportionJson<'a> {
    baseline: f64,
    method: String,
    multiplier: f64,
    rows: Seq<'a, ProportionRow>,
    schema: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(serde::Serialize)]
struct ProportionRowJson<'a> {
    baseline: f64,
    denominator: f64,
    lower_95: f64,
    lower_998: f64,
    numerator: f64,
    org: &'a str,
    significance: &'static str,
    upper_95: f64,
    upper_998: f64,
    value: f64,
}

impl ProportionRowJson<'_> {
    fn of(r: &ProportionRow) -> ProportionRowJson<'_> {
        ProportionRowJson {
            baseline: r.baseline,
            denominator: r.denominator,
            lower_95: r.lower_95,
            lower_998: r.lower_998,
            numerator: r.numerator,
            org: &r.org,
            significance: r.significance.label(),
            upper_95: r.upper_95,
            upper_998: r.upper_998,
            value: r.value,
        }
    }
}

/// A proportion funnel with over-dispersion as JSON, fields in key order (as [`to_json`]'s
/// sorted maps write them); the rows carry the CSV's columns.
#[derive(serde::Serialize)]
struct ArcsineJson<'a> {
    baseline: f64,
    method: String,
    multiplier: f64,
    overdispersion: ArcsineOverdispersionJson,
    rows: Seq<'a, ArcsineRow>,
    schema: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

impl ArcsineJson<'_> {
    fn of(f: &ArcsineFunnel, method: String) -> ArcsineJson<'_> {
        let od = &f.overdispersion;
        ArcsineJson {
            baseline: f.baseline,
            method,
            multiplier: f.multiplier,
            overdispersion: ArcsineOverdispersionJson {
                method: "arcsine",
                organisations: od.organisations,
                phi: od.phi,
                q10: od.q10,
                q90: od.q90,
                tau2: od.tau2,
            },
            rows: Seq(&f.rows, |r| Row::Arcsine(ArcsineRowJson::of(r))),
            schema: "sct-kpi-funnel/1",
            kind: "proportion",
        }
    }
}

#[derive(serde::Serialize)]
struct ArcsineOverdispersionJson {
    method: &'static str,
    organisations: usize,
    phi: f64,
    q10: f64,
    q90: f64,
    tau2: f64,
}

#[derive(serde::Serialize)]
struct ArcsineRowJson<'a> {
    baseline: f64,
    denominator: f64,
    lower_95: f64,
    lower_998: f64,
    numerator: f64,
    od_lower_95: f64,
    od_lower_998: f64,
    od_upper_95: f64,
    od_upper_998: f64,
    org: &'a str,
    outlier_95: u8,
    outlier_998: u8,
    upper_95: f64,
    upper_998: f64,
    value: f64,
    z: f64,
    z_winsorised: f64,
}

impl ArcsineRowJson<'_> {
    fn of(r: &ArcsineRow) -> ArcsineRowJson<'_> {
        ArcsineRowJson {
            baseline: r.baseline,
            denominator: r.denominator,
            lower_95: r.lower_95,
            lower_998: r.lower_998,
            numerator: r.numerator,
            od_lower_95: r.od_lower_95,
            od_lower_998: r.od_lower_998,
            od_upper_95: r.od_upper_95,
            od_upper_998: r.od_upper_998,
            org: &r.org,
            outlier_95: u8::from(r.outlier_95),
            outlier_998: u8::from(r.outlier_998),
            upper_95: r.upper_95,
            upper_998: r.upper_998,
            value: r.value,
            z: r.z,
            z_winsorised: r.z_winsorised,
        }
    }
}

#[derive(serde::Serialize)]
struct RatioJson<'a> {
    centre: f64,
    method: String,
    multiplier: f64,
    overdispersion: Option<OverdispersionJson>,
    rows: Seq<'a, RatioRow>,
    schema: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(serde::Serialize)]
struct OverdispersionJson {
    kept_after_winsorising: usize,
    organisations_with_z: usize,
    phi: Option<f64>,
    tau2: f64,
    zero_observed_left_out: usize,
}

#[derive(serde::Serialize)]
struct RatioRowJson<'a> {
    expected: f64,
    lower_95: f64,
    lower_998: f64,
    observed: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    od_lower_95: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    od_lower_998: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    od_upper_95: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    od_upper_998: Option<f64>,
    org: &'a str,
    outlier_95: u8,
    outlier_998: u8,
    ratio: f64,
    upper_95: f64,
    upper_998: f64,
}

impl RatioRowJson<'_> {
    fn of(r: &RatioRow) -> RatioRowJson<'_> {
        let od = |i: usize| r.od_limits.map(|l| l[i]);
        RatioRowJson {
            expected: r.expected,
            lower_95: r.lower_95,
            lower_998: r.lower_998,
            observed: r.observed,
            od_lower_95: od(0),
            od_lower_998: od(2),
            od_upper_95: od(1),
            od_upper_998: od(3),
            org: &r.org,
            outlier_95: u8::from(r.outlier_95),
            outlier_998: u8::from(r.outlier_998),
            ratio: r.ratio,
            upper_95: r.upper_95,
            upper_998: r.upper_998,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows as read before the fields were trimmed one by one: every field trimmed by
    /// the reader, duplicates found by name.
    fn read_as_before(src: &SourceFile, kind: FunnelKind) -> Result<Vec<FunnelRow>, Diagnostics> {
        let (mut reader, headers) = csv_with_header(src)?;
        let cols = funnel_columns(src, &headers, kind)?;
        let mut diags = Diagnostics::default();
        let mut rows = Vec::new();
        let mut first_line: HashMap<String, usize> = HashMap::new();
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    let line =
                        sct_core::csv_line::record_line(src.text.as_bytes(), record.position());
                    let fields = cols.map(|i| record.get(i).unwrap_or(""));
                    let Some(row) = funnel_row(src, kind, fields, line, &mut diags) else {
                        continue;
                    };
                    if let Some(first) = first_line.get(&row.org) {
                        diags.push(
                            Diagnostic::error(format!(
                                "organisation {} appears twice, on lines {first} and {line}",
                                row.org
                            ))
                            .at(at(src, line))
                            .expected("one row per organisation"),
                        );
                        continue;
                    }
                    first_line.insert(row.org.clone(), line);
                    rows.push(row);
                }
                Err(e) => {
                    let line = sct_core::csv_line::record_line(src.text.as_bytes(), e.position());
                    diags.push(Diagnostic::csv_row(&e, None).at(at(src, line)));
                    break;
                }
            }
        }
        if rows.is_empty() && !diags.has_errors() {
            diags.push(
                Diagnostic::error("the file has a header but no data rows")
                    .in_file(&src.name)
                    .expected("one row per organisation"),
            );
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(rows)
        }
    }

    fn same_as_before(text: &str) {
        let Ok(src) = SourceFile::from_bytes("f.csv".into(), text.as_bytes().to_vec()) else {
            return;
        };
        for kind in [FunnelKind::Proportion, FunnelKind::Ratio] {
            let got = format!("{:?}", read_funnel_rows(&src, kind));
            assert_eq!(got, format!("{:?}", read_as_before(&src, kind)), "{text:?}");
        }
    }

    #[test]
    fn the_organisation_column_may_be_named_as_the_kpi_datas() {
        let read = |text: &str, kind| {
            let src = SourceFile::from_text("f.csv", text);
            read_funnel_rows(&src, kind)
        };
        let org = read(
            "org,numerator,denominator\nA,1,2\nB,3,4\n",
            FunnelKind::Proportion,
        );
        let organisation = read(
            "organisation,numerator,denominator\nA,1,2\nB,3,4\n",
            FunnelKind::Proportion,
        );
        assert!(org.is_ok());
        assert_eq!(format!("{organisation:?}"), format!("{org:?}"));
    }

    #[test]
    fn the_other_methods_hint_is_given_only_when_the_file_suits_it() {
        let error = |text: &str, kind| {
            let src = SourceFile::from_text("f.csv", text);
            read_funnel_rows(&src, kind).unwrap_err().0.remove(0)
        };
        let ratio_file = error("org,observed,expected\nA,1,2\n", FunnelKind::Proportion);
        assert_eq!(
            ratio_file.hint.as_deref(),
            Some("for observed and expected counts draw a ratio funnel")
        );
        assert_eq!(
            ratio_file.settings,
            [sct_core::setting::Setting::FunnelType]
        );
        let proportion_file = error("org,numerator,denominator\nA,1,2\n", FunnelKind::Ratio);
        assert_eq!(
            proportion_file.hint.as_deref(),
            Some("for numerators and denominators draw a proportion funnel")
        );
        // A column misnamed: the message names what was found, and no method is suggested.
        let misnamed = error(
            "ods_code,numerator,denominator\nA,1,2\n",
            FunnelKind::Proportion,
        );
        assert!(
            misnamed
                .message
                .contains("(it has: ods_code, numerator, denominator)")
        );
        assert_eq!(misnamed.hint, None);
        assert!(misnamed.settings.is_empty());
    }

    #[test]
    fn fields_trimmed_one_by_one_read_as_the_trimming_reader_read_them() {
        for text in [
            "org,numerator,denominator\nA,1,2\nB,3,4\n",
            "\u{feff} org , numerator,denominator \n A ,\t1 , 2\u{a0}\n\u{2003}B\u{3000},3,4\r\n",
            "org,observed,expected\n\"A, the first\",1,2\n\" A\",2,3\nA,4,5\n A ,6,7\n",
            "org,observed,expected\nA,1,2\nA,1,2\n\"A\",3,4\nB,x,2\n,1,2\nC,1\nD,1,2\n",
            "org,numerator,denominator,observed,expected\nA,1,2,3,4\nB,5,4,1.5,0\n",
            "org,numerator,denominator\n",
            "org,numerator\nA,1\n",
            "x\n\"unclosed,1,2\n",
        ] {
            same_as_before(text);
        }
    }

    proptest::proptest! {
        #[test]
        fn any_funnel_file_reads_as_the_trimming_reader_read_it(
            rows in proptest::collection::vec(
                (
                    "[ \t\u{a0}]{0,2}[AB\u{e9}\"]{0,3}[ \u{2003}]{0,1}",
                    "[ ]{0,1}(-?[0-9]{1,3}(\\.5)?|x|1e10)[ \t]{0,1}",
                    "[0-9]{1,3}(\\.25)?|0|-1",
                ),
                0..12,
            ),
            header in proptest::sample::select(vec![
                "org,numerator,denominator", "org,observed,expected", " org ,observed, expected",
            ]),
        ) {
            let mut text = format!("{header}\n");
            for (org, a, b) in rows {
                text.push_str(&format!("{org},{a},{b}\n"));
            }
            same_as_before(&text);
        }
    }

    #[test]
    fn organisations_whose_hashes_collide_are_told_apart_by_name() {
        let row = |org: &str, line| FunnelRow {
            org: org.into(),
            a: 1.0,
            b: 2.0,
            line,
        };
        let mut seen = SeenOrgs::default();
        let mut rows = Vec::new();
        // Every name given the same hash: the first is found by its row, the others by name.
        for (i, org) in ["A", "B", "C"].into_iter().enumerate() {
            assert_eq!(seen.line_of_hashed(&rows, org, 7), None);
            seen.insert_hashed(org, i, i + 2, 7);
            rows.push(row(org, i + 2));
        }
        for (i, org) in ["A", "B", "C"].into_iter().enumerate() {
            assert_eq!(seen.line_of_hashed(&rows, org, 7), Some(i + 2));
        }
        assert_eq!(seen.line_of_hashed(&rows, "D", 7), None);
        assert_eq!(seen.line_of(&rows, "D"), None);
    }

    #[test]
    fn reads_rows_and_names_bad_lines_and_duplicates() {
        let src = SourceFile::from_text(
            "p.csv",
            "org,numerator,denominator\nA,5,10\nB,11,10\nA,1,2\nC,x,3\n",
        );
        let err = read_funnel_rows(&src, FunnelKind::Proportion)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("p.csv:3:1") && err.contains("greater than denominator"),
            "{err}"
        );
        assert!(err.contains("appears twice, on lines 2 and 4"), "{err}");
        assert!(
            err.contains("p.csv:5:1") && err.contains("\"x\" is not a number"),
            "{err}"
        );
    }

    #[test]
    fn wrong_columns_point_to_the_other_type() {
        let src = SourceFile::from_text("r.csv", "org,observed,expected\nA,5,10\n");
        let err = read_funnel_rows(&src, FunnelKind::Proportion).unwrap_err();
        let d = &err.0[0];
        assert!(d.hint.as_deref().unwrap().contains("ratio funnel"), "{err}");
        assert_eq!(d.settings, [sct_core::setting::Setting::FunnelType]);
    }

    #[test]
    fn csv_columns_follow_the_spec() {
        let src = SourceFile::from_text("r.csv", "org,observed,expected\nA,5,10\nB,20,10\nC,0,2\n");
        let rows = read_funnel_rows(&src, FunnelKind::Ratio).unwrap();
        let f = compute(&rows, FunnelKind::Ratio, 1.0, true).unwrap();
        let text = to_csv(&f);
        assert!(text.starts_with("org,observed,expected,ratio,lower_95,upper_95,lower_998,upper_998,od_lower_95,od_upper_95,od_lower_998,od_upper_998,outlier_95,outlier_998\n"), "{text}");
        assert!(
            overdispersion_note(&f)
                .unwrap()
                .contains("1 with O = 0 left out")
        );
        let plain = compute(&rows, FunnelKind::Ratio, 1.0, false).unwrap();
        assert!(to_csv(&plain).starts_with("org,observed,expected,ratio,lower_95,upper_95,lower_998,upper_998,outlier_95,outlier_998\n"));
    }

    #[test]
    fn proportions_with_overdispersion_write_the_spec_columns_and_estimate() {
        let src = SourceFile::from_text(
            "p.csv",
            "org,numerator,denominator\nA,0,10\nB,20,20\nC,30,100\nD,45,120\nE,200,500\nF,90,300\n",
        );
        let rows = read_funnel_rows(&src, FunnelKind::Proportion).unwrap();
        let f = compute(&rows, FunnelKind::Proportion, 100.0, true).unwrap();
        let text = to_csv(&f);
        assert!(text.starts_with("org,numerator,denominator,value,baseline,lower_95,upper_95,lower_998,upper_998,od_lower_95,od_upper_95,od_lower_998,od_upper_998,outlier_95,outlier_998,z,z_winsorised\n"), "{text}");
        assert!(text.contains("\nB,20,20,100,"), "{text}");
        let json = to_json(&f);
        assert_eq!(json["type"], "proportion");
        assert_eq!(json["overdispersion"]["organisations"], 6);
        let tau2 = json["overdispersion"]["tau2"].as_f64().unwrap();
        assert!((tau2 - 0.01424393478491192).abs() < 1e-15, "{tau2}");
        assert!(json["overdispersion"]["q10"].as_f64().unwrap() < 0.0);
        assert_eq!(json["rows"][0]["outlier_998"], 1);
        assert!(json["rows"][0].get("significance").is_none());
        let note = overdispersion_note(&f).unwrap();
        assert!(
            note.contains("φ = 7.504017")
                && note.contains("τ² = 0.014244")
                && note.contains("adjusted"),
            "{note}"
        );
        assert!(method_text(&f).contains("arcsine"));
        let one = read_funnel_rows(
            &SourceFile::from_text("one.csv", "org,numerator,denominator\nA,1,2\n"),
            FunnelKind::Proportion,
        )
        .unwrap();
        let err = compute(&one, FunnelKind::Proportion, 100.0, true).unwrap_err();
        let d = located(&src, &one, &err);
        assert!(
            d.message.contains("at least two organisations"),
            "{}",
            d.message
        );
        assert_eq!(d.settings, [sct_core::setting::Setting::Overdispersion]);
    }

    #[test]
    fn rows_formatted_on_threads_are_those_csv_writer_writes() {
        // Enough rows to be shared out, some of them with organisations that need a quote
        // or a `'` in front, on both sides of where the rows are divided, the last block
        // short.
        let n = 2 * sct_core::pieces::PARALLEL_FROM * CSV_BLOCK + 3;
        let tricky = [
            "=cmd",
            "a,b",
            "say \"hi\"",
            "-3",
            "-x",
            "line\nbreak",
            "\tT",
        ];
        let mut text = String::from("org,observed,expected\n");
        for i in 0..n {
            let org = match tricky.get(i % 1000) {
                Some(t) => format!("{t}{i}"),
                None => format!("O{i}"),
            };
            let org = if org.contains(['"', ',', '\n']) {
                format!("\"{}\"", org.replace('"', "\"\""))
            } else {
                org
            };
            text.push_str(&format!("{org},{},{}\n", i % 37, 0.5 + i as f64 * 0.37));
        }
        let rows = read_funnel_rows(&SourceFile::from_text("r.csv", &text), FunnelKind::Ratio)
            .expect("rows");
        let Funnel::Ratio(f) = compute(&rows, FunnelKind::Ratio, 1.0, true).expect("funnel") else {
            panic!("a ratio funnel");
        };
        let mut w = CsvWriter::new();
        let mut fields = Fields::default();
        for r in &f.rows {
            fields.clear();
            ratio_record(r, &mut fields);
            w.row(fields.slices());
        }
        let got = to_csv(&Funnel::Ratio(f));
        let body = got.split_once('\n').expect("a header").1;
        assert_eq!(body, w.finish());
        assert!(
            body.contains("\n'=cmd1000,") && body.contains("'-x4004,"),
            "{body}"
        );
    }

    #[test]
    fn a_single_indicator_column_names_the_chart() {
        let one = SourceFile::from_text(
            "f.csv",
            "org,indicator,numerator,denominator\nA,ae-4-hour,1,2\nB,ae-4-hour,2,3\n",
        );
        assert_eq!(single_indicator(&one).as_deref(), Some("ae-4-hour"));
        let two = SourceFile::from_text(
            "f.csv",
            "org,indicator,numerator,denominator\nA,ae-4-hour,1,2\nB,fds,2,3\n",
        );
        assert_eq!(single_indicator(&two), None);
        let none = SourceFile::from_text("f.csv", "org,numerator,denominator\nA,1,2\n");
        assert_eq!(single_indicator(&none), None);
    }

    #[test]
    fn huge_expected_counts_are_refused_and_the_largest_allowed_is_quick() {
        // Found by the `funnel_input` fuzz target: an expected count of 5e15 kept the exact
        // Poisson limits' incomplete gamma function running for minutes.
        let src = SourceFile::from_text(
            "r.csv",
            "org,observed,expected\nA,50,45.2\nC,30,4999999999999991.4\n",
        );
        let err = read_funnel_rows(&src, FunnelKind::Ratio).expect_err("refused");
        let text = format!("{err:?}");
        assert!(text.contains("beyond ±1e15"), "{text}");
        let src = SourceFile::from_text(
            "r.csv",
            "org,observed,expected\nA,50,45.2\nC,30,4999999999991.4\n",
        );
        let err = read_funnel_rows(&src, FunnelKind::Ratio).expect_err("refused");
        let text = format!("{err:?}");
        assert!(text.contains("above 1e9"), "{text}");
        let src = SourceFile::from_text(
            "r.csv",
            "org,observed,expected\nA,50,45.2\nC,1000000000,1000000000\n",
        );
        let rows = read_funnel_rows(&src, FunnelKind::Ratio).expect("allowed");
        let funnel = compute(&rows, FunnelKind::Ratio, 1.0, true).expect("limits");
        assert!(format!("{funnel:?}").contains("1000000000"));
    }
}
