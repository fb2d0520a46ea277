//! Periods as NHS analysts write them: ISO dates (`2025-04-01`), ISO weeks (`2025-W14`),
//! months (`2025-04`), NHS financial quarters (`2025/26 Q1` = April to June 2025, also
//! `2025-26 Q1`) and financial years (`2025/26`). Each period has a type, a first day and a
//! successor, so gaps can be found and series ordered.

use std::fmt;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The kind of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeriodType {
    /// A calendar day.
    Day,
    /// An ISO week (Monday to Sunday).
    Week,
    /// A calendar month.
    Month,
    /// An NHS financial quarter (Q1 = April to June).
    Quarter,
    /// An NHS financial year (April to March).
    Year,
}

impl PeriodType {
    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodType::Day => "day",
            PeriodType::Week => "week",
            PeriodType::Month => "month",
            PeriodType::Quarter => "quarter",
            PeriodType::Year => "year",
        }
    }
}

/// One period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// The kind of period.
    pub kind: PeriodType,
    /// Its first day (a Monday for weeks, 1 April for years and Q1).
    pub start: NaiveDate,
}

/// The forms a period may be written in, for error messages.
pub const ACCEPTED_FORMS: &str = "a date (2025-04-01), an ISO week (2025-W14), a month (2025-04), an NHS financial quarter (2025/26 Q1 or 2025-26 Q1) or an NHS financial year (2025/26)";

fn fy_start_year(first: &str, second: &str) -> Option<i32> {
    let y: i32 = first.parse().ok()?;
    if first.len() != 4 || second.len() != 2 {
        return None;
    }
    let next: i32 = second.parse().ok()?;
    // "2025/26": the second part must be the following year's last two digits.
    ((y + 1).rem_euclid(100) == next).then_some(y)
}

/// A month (`2025-04`) or a date (`2025-04-01`) written with every digit, read without a
/// format parser: what extracts hold on every row. Anything else (and any date that does not
/// exist) is `None`, and left to the general parser, which says what is wrong.
#[inline]
fn plain_month_or_day(b: &[u8]) -> Option<Period> {
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if !(b.len() == 7 || b.len() == 10) || b[4] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = digits(5..7)?;
    let (kind, day) = if b.len() == 7 {
        (PeriodType::Month, 1)
    } else if b[7] == b'-' {
        (PeriodType::Day, digits(8..10)?)
    } else {
        return None;
    };
    let start = NaiveDate::from_ymd_opt(year, month, day)?;
    Some(Period { kind, start })
}

impl Period {
    /// Parses any accepted form; the error says which forms are accepted.
    pub fn parse(text: &str) -> Result<Period, String> {
        let s = text.trim();
        let bad = || format!("\"{text}\" is not a period; expected {ACCEPTED_FORMS}");
        let bytes = s.as_bytes();
        // Every form starts with a four-digit year: no sign, so that what parses prints back
        // the same (chrono alone would take "-122-02" as a month of the year −122).
        if !bytes
            .get(..4)
            .is_some_and(|y| y.iter().all(u8::is_ascii_digit))
        {
            return Err(bad());
        }
        // Financial year or quarter: YYYY/YY or YYYY-YY, optionally " Qn".
        // With a hyphen only the quarter form is accepted ("2025-26 Q1"): "2025-04" is a month.
        if bytes.len() >= 7
            && s.is_char_boundary(7)
            && (bytes[4] == b'/'
                || (bytes[4] == b'-' && s[7..].trim_start().starts_with(['Q', 'q'])))
        {
            let (fy, rest) = s.split_at(7);
            let year = fy_start_year(&fy[..4], &fy[5..7]).ok_or_else(bad)?;
            let rest = rest.trim();
            if rest.is_empty() {
                let start = NaiveDate::from_ymd_opt(year, 4, 1).ok_or_else(bad)?;
                return Ok(Period {
                    kind: PeriodType::Year,
                    start,
                });
            }
            let q: u32 = rest
                .strip_prefix(['Q', 'q'])
                .and_then(|n| n.parse().ok())
                .filter(|n| (1..=4).contains(n))
                .ok_or_else(bad)?;
            let (y, m) = if q == 4 {
                (year + 1, 1)
            } else {
                (year, 4 + 3 * (q - 1))
            };
            let start = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
            return Ok(Period {
                kind: PeriodType::Quarter,
                start,
            });
        }
        // ISO week: YYYY-Www.
        if let Some((y, w)) = s
            .split_once(['-'])
            .filter(|(_, w)| w.starts_with(['W', 'w']))
        {
            let year: i32 = y.parse().ok().filter(|_| y.len() == 4).ok_or_else(bad)?;
            let week: u32 = w[1..]
                .parse()
                .ok()
                .filter(|_| w.len() == 3)
                .ok_or_else(bad)?;
            let start = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(bad)?;
            return Ok(Period {
                kind: PeriodType::Week,
                start,
            });
        }
        if let Some(p) = plain_month_or_day(bytes) {
            return Ok(p);
        }
        match s.len() {
            7 => {
                let start =
                    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").map_err(|_| bad())?;
                Ok(Period {
                    kind: PeriodType::Month,
                    start,
                })
            }
            10 => {
                let start = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad())?;
                Ok(Period {
                    kind: PeriodType::Day,
                    start,
                })
            }
            _ => Err(bad()),
        }
    }

    /// The period after this one.
    pub fn next(self) -> Period {
        let start = match self.kind {
            PeriodType::Day => self.start + Duration::days(1),
            PeriodType::Week => self.start + Duration::days(7),
            PeriodType::Month => add_months(self.start, 1),
            PeriodType::Quarter => add_months(self.start, 3),
            PeriodType::Year => add_months(self.start, 12),
        };
        Period {
            kind: self.kind,
            start,
        }
    }

    /// The period before this one.
    pub fn previous(self) -> Period {
        let start = match self.kind {
            PeriodType::Day => self.start - Duration::days(1),
            PeriodType::Week => self.start - Duration::days(7),
            PeriodType::Month => sub_months(self.start, 1),
            PeriodType::Quarter => sub_months(self.start, 3),
            PeriodType::Year => sub_months(self.start, 12),
        };
        Period {
            kind: self.kind,
            start,
        }
    }

    /// How many periods of this one's kind lie strictly between it and `later` (0 when
    /// `later` is not after it), counted by arithmetic rather than by stepping through them,
    /// so a gap of any length is counted exactly and at once.
    pub fn periods_between(self, later: Period) -> u64 {
        let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
        // Days are counted only for days and weeks: a difference of dates is the costlier.
        let days = || (later.start - self.start).num_days();
        let steps = match self.kind {
            PeriodType::Day => days(),
            PeriodType::Week => days().div_euclid(7),
            PeriodType::Month => months(later.start) - months(self.start),
            PeriodType::Quarter => (months(later.start) - months(self.start)).div_euclid(3),
            PeriodType::Year => (months(later.start) - months(self.start)).div_euclid(12),
        };
        u64::try_from(steps - 1).unwrap_or(0)
    }

    /// The period of `kind` that contains `date`.
    pub fn containing(date: NaiveDate, kind: PeriodType) -> Period {
        let day = Period {
            kind: PeriodType::Day,
            start: date,
        };
        match kind {
            PeriodType::Day => day,
            PeriodType::Week => Period {
                kind,
                start: date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
            },
            PeriodType::Month => day.month(),
            PeriodType::Quarter => day.quarter(),
            PeriodType::Year => day.financial_year(),
        }
    }

    /// The last day of the period.
    pub fn end(self) -> NaiveDate {
        self.next().start - Duration::days(1)
    }

    /// The day that places this period in a month, quarter or financial year: its first day,
    /// or for an ISO week its Thursday, as ISO 8601 assigns weeks to years. A week that
    /// straddles a boundary (2025-W14 runs from Monday 31 March) is so counted once, in the
    /// same financial year whether its year to date is taken week by week or from the months
    /// its weeks are aggregated into.
    fn anchor_day(self) -> NaiveDate {
        if self.kind == PeriodType::Week {
            // Checked: a week at the very end of the calendar chrono can hold keeps its start.
            self.start
                .checked_add_days(chrono::Days::new(3))
                .unwrap_or(self.start)
        } else {
            self.start
        }
    }

    /// The financial year (as a period) that holds this period: the one containing its first
    /// day, or a week's Thursday.
    pub fn financial_year(self) -> Period {
        let d = self.anchor_day();
        let y = if d.month() >= 4 {
            d.year()
        } else {
            d.year() - 1
        };
        Period {
            kind: PeriodType::Year,
            start: NaiveDate::from_ymd_opt(y, 4, 1).unwrap_or(d),
        }
    }

    /// The financial quarter that holds this period: the one containing its first day, or a
    /// week's Thursday.
    pub fn quarter(self) -> Period {
        let d = self.anchor_day();
        let m = ((d.month0() + 9) % 12) / 3 * 3; // months since April at the quarter's start
        let start = add_months(
            NaiveDate::from_ymd_opt(self.financial_year().start.year(), 4, 1).unwrap_or(d),
            m,
        );
        Period {
            kind: PeriodType::Quarter,
            start,
        }
    }

    /// The month that holds this period: the one containing its first day, or a week's
    /// Thursday.
    pub fn month(self) -> Period {
        let d = self.anchor_day();
        Period {
            kind: PeriodType::Month,
            start: d.with_day(1).unwrap_or(d),
        }
    }
}

fn sub_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_sub_months(chrono::Months::new(months))
        .unwrap_or(d)
}

fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(months))
        .unwrap_or(d)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written as bytes, not through `write!`'s padding: an IPR names a few hundred
        // thousand periods, and formatting was a fifth of its work.
        let mut text = [0u8; 10];
        match self.written_in(&mut text) {
            Some(n) => f.write_str(std::str::from_utf8(&text[..n]).map_err(|_| fmt::Error)?),
            None => self.write_general(f),
        }
    }
}

impl Period {
    /// The period's text (what `{}` writes), made with one allocation of its length: the
    /// name reviews give each period they list.
    pub fn label(&self) -> String {
        let mut text = [0u8; 10];
        match self.written_in(&mut text) {
            // Every byte written is an ASCII digit or separator.
            Some(n) => String::from_utf8(text[..n].to_vec()).unwrap_or_default(),
            None => self.to_string(),
        }
    }

    /// The period's text written into `text` (its length), for a year in 0..=9999 (every
    /// year written with four digits); `None` for any other, which
    /// [`Period::write_general`] writes.
    fn written_in(&self, text: &mut [u8; 10]) -> Option<usize> {
        let d = self.start;
        let four = |year: i32| (0..=9999).contains(&year).then_some(year as u32);
        let two = |v: u32| [b'0' + (v / 10 % 10) as u8, b'0' + (v % 10) as u8];
        // The year's four digits, then what follows them (up to six bytes).
        let (year, tail, len) = match self.kind {
            PeriodType::Day => {
                let ([m0, m1], [d0, d1]) = (two(d.month()), two(d.day()));
                (four(d.year())?, [b'-', m0, m1, b'-', d0, d1], 6)
            }
            PeriodType::Month => {
                let [m0, m1] = two(d.month());
                (four(d.year())?, [b'-', m0, m1, 0, 0, 0], 3)
            }
            PeriodType::Week => {
                let w = d.iso_week();
                let [w0, w1] = two(w.week());
                (four(w.year())?, [b'-', b'W', w0, w1, 0, 0], 4)
            }
            PeriodType::Quarter => {
                let fy = four(self.financial_year().start.year())?;
                let [y0, y1] = two(fy + 1);
                let q = b'1' + (((d.month0() + 9) % 12) / 3) as u8;
                (fy, [b'/', y0, y1, b' ', b'Q', q], 6)
            }
            PeriodType::Year => {
                let year = four(d.year())?;
                let [y0, y1] = two(year + 1);
                (year, [b'/', y0, y1, 0, 0, 0], 3)
            }
        };
        let [c0, c1] = two(year / 100);
        let [y0, y1] = two(year);
        // Whole arrays copied (no copy of a length known only when running).
        *text = [
            c0, c1, y0, y1, tail[0], tail[1], tail[2], tail[3], tail[4], tail[5],
        ];
        Some(4 + len)
    }

    /// The period's text through `write!` (chrono's signed form for a year outside
    /// 0..=9999): what [`Period::written_in`] writes where it can.
    fn write_general(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        let d = self.start;
        let plain_year = (0..=9999).contains(&d.year());
        match self.kind {
            PeriodType::Day if plain_year => {
                write!(f, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
            }
            PeriodType::Day => write!(f, "{}", d.format("%Y-%m-%d")),
            PeriodType::Week => {
                let w = d.iso_week();
                write!(f, "{:04}-W{:02}", w.year(), w.week())
            }
            PeriodType::Month if plain_year => write!(f, "{:04}-{:02}", d.year(), d.month()),
            PeriodType::Month => write!(f, "{}", d.format("%Y-%m")),
            PeriodType::Quarter => {
                let fy = self.financial_year().start.year();
                let q = ((d.month0() + 9) % 12) / 3 + 1;
                write!(f, "{fy:04}/{:02} Q{q}", (fy + 1).rem_euclid(100))
            }
            PeriodType::Year => write!(f, "{:04}/{:02}", d.year(), (d.year() + 1).rem_euclid(100)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    proptest::proptest! {
        /// The bytes written are what `write!` writes, for every kind and any day chrono
        /// holds (years outside 0..=9999 included, which go through `write!` itself).
        #[test]
        fn periods_are_written_as_write_writes_them(days in -4_000_000i32..4_000_000, kind in 0usize..5) {
            let kinds = [PeriodType::Day, PeriodType::Week, PeriodType::Month, PeriodType::Quarter, PeriodType::Year];
            let day = NaiveDate::from_num_days_from_ce_opt(days);
            proptest::prop_assume!(day.is_some());
            let p = Period::containing(day.unwrap_or_default(), kinds[kind]);
            let mut general = String::new();
            p.write_general(&mut general).unwrap();
            proptest::prop_assert_eq!(&p.to_string(), &general);
            proptest::prop_assert_eq!(p.label(), general);
        }
    }

    #[test]
    fn periods_near_year_bounds_are_written_as_write_writes_them() {
        for y in [-1, 0, 1, 999, 1000, 1999, 2000, 2099, 9998, 9999, 10000] {
            for m in 1..=12 {
                let Some(day) = NaiveDate::from_ymd_opt(y, m, 1) else {
                    continue;
                };
                for kind in [
                    PeriodType::Day,
                    PeriodType::Week,
                    PeriodType::Month,
                    PeriodType::Quarter,
                    PeriodType::Year,
                ] {
                    for day in [day, day.pred_opt().unwrap_or(day)] {
                        let p = Period::containing(day, kind);
                        let mut general = String::new();
                        p.write_general(&mut general).unwrap();
                        assert_eq!(p.to_string(), general, "{p:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn plain_months_and_days_read_as_the_format_parser_reads_them() {
        for y in ["0000", "1999", "2024", "2025", "9999"] {
            for m in 0..=13 {
                let month = format!("{y}-{m:02}");
                let general = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok();
                let plain = plain_month_or_day(month.as_bytes()).map(|p| p.start);
                assert_eq!(plain, general, "{month}");
                for d in 0..=32 {
                    let day = format!("{month}-{d:02}");
                    let general = NaiveDate::parse_from_str(&day, "%Y-%m-%d").ok();
                    let plain = plain_month_or_day(day.as_bytes()).map(|p| p.start);
                    assert_eq!(plain, general, "{day}");
                }
            }
        }
    }

    #[test]
    fn every_form_parses_to_its_first_day() {
        assert_eq!(
            p("2025-04-17"),
            Period {
                kind: PeriodType::Day,
                start: d("2025-04-17")
            }
        );
        assert_eq!(
            p("2025-W14"),
            Period {
                kind: PeriodType::Week,
                start: d("2025-03-31")
            }
        );
        assert_eq!(
            p("2026-W01").start,
            d("2025-12-29"),
            "ISO week 1 of 2026 starts in December 2025"
        );
        assert_eq!(
            p("2025-04"),
            Period {
                kind: PeriodType::Month,
                start: d("2025-04-01")
            }
        );
        assert_eq!(
            p("2025/26 Q1"),
            Period {
                kind: PeriodType::Quarter,
                start: d("2025-04-01")
            }
        );
        assert_eq!(p("2025-26 Q1"), p("2025/26 Q1"));
        assert_eq!(p("2025/26 Q4").start, d("2026-01-01"));
        assert_eq!(p("2025/26 Q3").start, d("2025-10-01"));
        assert_eq!(
            p("2025/26"),
            Period {
                kind: PeriodType::Year,
                start: d("2025-04-01")
            }
        );
        assert_eq!(p("1999/00").start, d("1999-04-01"));
    }

    #[test]
    fn bad_periods_name_the_accepted_forms() {
        for bad in [
            "2025/27",
            "2025/26 Q5",
            "2025-13",
            "2025-W54",
            "April 2025",
            "",
            "2025-02-30",
            "25/26",
            // Signed years (found by the `period` fuzz target).
            "-122-02",
            "+025-W14",
        ] {
            let err = Period::parse(bad).unwrap_err();
            assert!(
                err.contains("NHS financial quarter (2025/26 Q1"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn display_round_trips_and_next_steps_one_period() {
        for s in [
            "2025-04-17",
            "2025-W14",
            "2025-04",
            "2025/26 Q1",
            "2025/26 Q4",
            "2025/26",
            "2026-W01",
            // Years before 1000 keep their four digits (found by the `period` fuzz target:
            // "0025-W14" printed as "25-W14", which does not parse).
            "0025-W14",
            "0025/26 Q2",
            "0999/00",
        ] {
            assert_eq!(p(s).to_string(), s);
        }
        assert_eq!(p("2025/26 Q4").next().to_string(), "2026/27 Q1");
        assert_eq!(p("2025-12").next().to_string(), "2026-01");
        assert_eq!(p("2025/26").end(), d("2026-03-31"));
        assert_eq!(p("2026-02").quarter().to_string(), "2025/26 Q4");
        assert_eq!(p("2025-06").quarter().to_string(), "2025/26 Q1");
        assert_eq!(p("2026-03-31").financial_year().to_string(), "2025/26");
        for s in ["2025-04-17", "2025-W01", "2025-03", "2025/26 Q1", "2025/26"] {
            assert_eq!(p(s).next().previous(), p(s));
        }
        assert_eq!(
            Period::containing(d("2025-04-03"), PeriodType::Week).to_string(),
            "2025-W14"
        );
        assert_eq!(
            Period::containing(d("2026-02-10"), PeriodType::Quarter).to_string(),
            "2025/26 Q4"
        );
    }

    #[test]
    fn a_week_across_a_boundary_belongs_where_its_thursday_is() {
        // 2025-W14 runs Monday 31 March to Sunday 6 April: its Thursday is 3 April.
        let w14 = p("2025-W14");
        assert_eq!(w14.financial_year().to_string(), "2025/26");
        assert_eq!(w14.quarter().to_string(), "2025/26 Q1");
        assert_eq!(w14.month().to_string(), "2025-04");
        // 2024-W14 runs 1 to 7 April 2024, wholly in 2024/25; 2026-W14 (30 March to 5 April
        // 2026) has its Thursday on 2 April, so it is in 2026/27 although it starts in March.
        assert_eq!(p("2024-W14").financial_year().to_string(), "2024/25");
        assert_eq!(p("2026-W14").financial_year().to_string(), "2026/27");
        // 2025-W13 (24 to 30 March) is the last week of 2024/25.
        assert_eq!(p("2025-W13").financial_year().to_string(), "2024/25");
        assert_eq!(p("2025-W13").month().to_string(), "2025-03");
        // A week in two months: 2025-W31 runs 28 July to 3 August, Thursday 31 July.
        assert_eq!(p("2025-W31").month().to_string(), "2025-07");
        // Other periods are placed by their first day, as before.
        assert_eq!(p("2025-03-31").financial_year().to_string(), "2024/25");
        assert_eq!(p("2025-04").financial_year().to_string(), "2025/26");
    }
}
