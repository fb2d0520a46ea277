//! Combining periods: weeks into months, months into quarters, quarters into years, and the
//! periods of a year to date. How values combine follows the indicator's value type: counts
//! are summed; proportions are recomputed from summed numerators and denominators (never by
//! averaging percentages); rates from summed numerators over the mean denominator (the
//! population at risk over the period); means from summed totals over summed counts.

use chrono::Duration;
use serde::Serializer;

use crate::data::Observation;
use crate::kpiset::{Aggregation, ValueType};
use crate::period::{Period, PeriodType};

/// Serialises a period in its written form (`2025-04`, `2025/26 Q1`).
pub fn serialize_period<S: Serializer>(p: &Period, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(p)
}

/// The period of `kind` containing a date.
pub fn period_of(date: chrono::NaiveDate, kind: PeriodType) -> Period {
    Period::containing(date, kind)
}

/// The period of `kind` that a shorter period belongs to. An ISO week belongs to the month,
/// quarter or year that holds its Thursday, as ISO 8601 assigns weeks to years, so every week
/// is counted once.
pub fn parent(p: Period, kind: PeriodType) -> Period {
    Period::containing(day_counted(p), kind)
}

/// The day of `p` that says which longer period it is part of: its first, or a week's
/// Thursday (ISO 8601: a week belongs where most of its days are).
fn day_counted(p: Period) -> chrono::NaiveDate {
    if p.kind == PeriodType::Week {
        // Checked: a week at the very end of the calendar chrono can hold keeps its start.
        p.start
            .checked_add_days(chrono::Days::new(3))
            .unwrap_or(p.start)
    } else {
        p.start
    }
}

/// How many periods of `part` make up `whole`.
pub fn parts_in(whole: Period, part: PeriodType) -> usize {
    // Months make up quarters and (financial) years whole: three and twelve of them, found
    // without stepping through them (every aggregated series asks once a period).
    match (part, whole.kind) {
        (PeriodType::Month, PeriodType::Quarter) => return 3,
        (PeriodType::Month, PeriodType::Year) => return 12,
        _ => {}
    }
    let mut p = Period::containing(whole.start - Duration::days(7), part);
    let mut n = 0;
    while p.start <= whole.end() + Duration::days(7) {
        if parent(p, whole.kind) == whole {
            n += 1;
        }
        p = p.next();
    }
    n
}

/// One aggregated period.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregated {
    /// The combined observation.
    pub observation: Observation,
    /// How many shorter periods it was made from.
    pub parts: usize,
    /// How many shorter periods the period has.
    pub expected_parts: usize,
}

/// The combination of several periods' observations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Combined {
    /// The value.
    pub value: f64,
    /// Summed numerator, for ratios.
    pub numerator: Option<f64>,
    /// Summed (or, for rates, mean) denominator.
    pub denominator: Option<f64>,
}

/// Combines observations by value type, or as the indicator's `aggregation` overrides it.
/// Errors say why they cannot be combined.
pub fn combine(
    obs: &[Observation],
    value_type: ValueType,
    multiplier: Option<f64>,
    aggregation: Option<Aggregation>,
) -> Result<Combined, String> {
    let Some(last) = obs.last() else {
        return Err("no periods to combine".into());
    };
    match aggregation {
        Some(Aggregation::Latest) => {
            return Ok(Combined {
                value: last.value,
                numerator: last.numerator,
                denominator: last.denominator,
            });
        }
        Some(Aggregation::Mean) => {
            return Ok(Combined {
                value: obs.iter().map(|o| o.value).sum::<f64>() / obs.len() as f64,
                numerator: None,
                denominator: None,
            });
        }
        None => {}
    }
    if value_type == ValueType::Count {
        return Ok(Combined {
            value: obs.iter().map(|o| o.value).sum(),
            numerator: None,
            denominator: None,
        });
    }
    let mut n = 0.0;
    let mut d = 0.0;
    for o in obs {
        match (o.numerator, o.denominator) {
            (Some(a), Some(b)) => {
                n += a;
                d += b;
            }
            _ => {
                let how = match value_type {
                    ValueType::Mean => {
                        "a mean is combined from its totals (numerator) and counts (denominator)"
                    }
                    _ => {
                        "a proportion or rate is recomputed from its numerators and denominators, never by averaging values"
                    }
                };
                return Err(format!(
                    "{} (line {}) has no numerator and denominator; {how}",
                    o.period, o.line
                ));
            }
        }
    }
    if value_type == ValueType::Rate {
        d /= obs.len() as f64;
    }
    if d == 0.0 {
        return Err("the combined denominator is 0".into());
    }
    Ok(Combined {
        value: multiplier.unwrap_or(1.0) * n / d,
        numerator: Some(n),
        denominator: Some(d),
    })
}

/// Aggregates observations (in period order, all of one shorter type) into periods of `kind`.
pub fn aggregate(
    obs: &[Observation],
    kind: PeriodType,
    value_type: ValueType,
    multiplier: Option<f64>,
    aggregation: Option<Aggregation>,
) -> Result<Vec<Aggregated>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < obs.len() {
        let whole = parent(obs[i].period, kind);
        // The periods are in order: those of `whole` run up to the first counted from the
        // day `whole` ends, told by a comparison each (at the very end of the calendar,
        // where the next period cannot be made, by finding each one's parent).
        let end = whole.next().start;
        let mut j = i + 1;
        if end > whole.start {
            while j < obs.len() && day_counted(obs[j].period) < end {
                j += 1;
            }
        } else {
            while j < obs.len() && parent(obs[j].period, kind) == whole {
                j += 1;
            }
        }
        let group = &obs[i..j];
        let c = combine(group, value_type, multiplier, aggregation)?;
        out.push(Aggregated {
            observation: Observation {
                period: whole,
                value: c.value,
                numerator: c.numerator,
                denominator: c.denominator,
                line: group.last().map_or(0, |o| o.line),
            },
            parts: group.len(),
            expected_parts: parts_in(whole, obs[i].period.kind),
        });
        i = j;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn obs(period: &str, value: f64, n: Option<f64>, d: Option<f64>) -> Observation {
        Observation {
            period: Period::parse(period).unwrap(),
            value,
            numerator: n,
            denominator: d,
            line: 2,
        }
    }

    proptest::proptest! {
        #[test]
        fn rows_are_grouped_by_the_period_they_are_part_of(
            steps in proptest::collection::vec(1u32..40, 1..80),
            part in 0usize..4,
            start in 0i64..4000,
        ) {
            // Days, weeks, months or quarters in order, each once, some far apart, made up
            // into every longer period type; each group is the rows with that parent.
            let part = [PeriodType::Day, PeriodType::Week, PeriodType::Month, PeriodType::Quarter][part];
            let day = chrono::NaiveDate::from_ymd_opt(2001, 1, 1).unwrap() + Duration::days(start);
            let mut p = Period::containing(day, part);
            let mut rows = Vec::new();
            for &step in &steps {
                rows.push(Observation { period: p, value: 1.0, numerator: None, denominator: None, line: rows.len() as u64 });
                for _ in 0..step {
                    p = p.next();
                }
            }
            for whole in [PeriodType::Week, PeriodType::Month, PeriodType::Quarter, PeriodType::Year] {
                if whole <= part {
                    continue;
                }
                let out = aggregate(&rows, whole, ValueType::Count, None, None).unwrap();
                let mut expected: Vec<(Period, usize)> = Vec::new();
                for r in &rows {
                    match expected.last_mut() {
                        Some((w, n)) if *w == parent(r.period, whole) => *n += 1,
                        _ => expected.push((parent(r.period, whole), 1)),
                    }
                }
                let got: Vec<(Period, usize)> = out.iter().map(|a| (a.observation.period, a.parts)).collect();
                proptest::prop_assert_eq!(got, expected);
            }
        }
    }

    #[test]
    fn proportions_are_recomputed_never_averaged() {
        // 90 % of 10 and 50 % of 1000: the quarter is 509 / 1010, not the mean 70 %.
        let months = [
            obs("2024-04", 90.0, Some(9.0), Some(10.0)),
            obs("2024-05", 50.0, Some(500.0), Some(1000.0)),
        ];
        let q = aggregate(
            &months,
            PeriodType::Quarter,
            ValueType::Proportion,
            Some(100.0),
            None,
        )
        .unwrap();
        assert_eq!(q.len(), 1);
        assert_relative_eq!(q[0].observation.value, 100.0 * 509.0 / 1010.0);
        assert_eq!((q[0].parts, q[0].expected_parts), (2, 3));
    }

    #[test]
    fn counts_sum_rates_use_the_mean_population_and_means_use_totals() {
        let m = [
            obs("2024-04", 3.0, None, None),
            obs("2024-05", 4.0, None, None),
        ];
        assert_eq!(
            combine(&m, ValueType::Count, None, None).unwrap().value,
            7.0
        );
        let r = [
            obs("2024-04", 0.0, Some(10.0), Some(1000.0)),
            obs("2024-05", 0.0, Some(20.0), Some(3000.0)),
        ];
        // 30 events over a mean population of 2000, per 100,000.
        assert_relative_eq!(
            combine(&r, ValueType::Rate, Some(100_000.0), None)
                .unwrap()
                .value,
            1500.0
        );
        let means = [
            obs("2024-04", 30.0, Some(300.0), Some(10.0)),
            obs("2024-05", 40.0, Some(1200.0), Some(30.0)),
        ];
        assert_relative_eq!(
            combine(&means, ValueType::Mean, None, None).unwrap().value,
            37.5
        );
        let err = combine(&m, ValueType::Mean, None, None).unwrap_err();
        assert!(err.contains("2024-04 (line 2)"), "{err}");
    }

    #[test]
    fn snapshots_take_the_latest_and_run_rates_the_mean() {
        let q = [
            obs("2024/25 Q1", 100.0, None, None),
            obs("2024/25 Q2", 120.0, None, None),
        ];
        let latest = combine(&q, ValueType::Count, None, Some(Aggregation::Latest)).unwrap();
        assert_eq!(latest.value, 120.0);
        let mean = combine(&q, ValueType::Rate, Some(1.0), Some(Aggregation::Mean)).unwrap();
        assert_eq!(mean.value, 110.0);
    }

    #[test]
    fn weeks_belong_to_the_period_holding_their_thursday() {
        // 2024-W14 runs Monday 1 April to Sunday 7 April; 2024-W13 (25–31 March) has its
        // Thursday on 28 March, so it is in 2023/24.
        let w = |s| Period::parse(s).unwrap();
        assert_eq!(
            parent(w("2024-W14"), PeriodType::Year).to_string(),
            "2024/25"
        );
        assert_eq!(
            parent(w("2024-W13"), PeriodType::Year).to_string(),
            "2023/24"
        );
        assert_eq!(parts_in(w("2024/25 Q1"), PeriodType::Week), 13);
        assert_eq!(parts_in(w("2024-04"), PeriodType::Week), 4);
        assert_eq!(parts_in(w("2024/25"), PeriodType::Month), 12);
        assert_eq!(parts_in(w("2024-02"), PeriodType::Day), 29);
        // Months of quarters and years, as stepping through them counts them.
        for year in 1990..2100 {
            for whole in [
                format!("{year}/{:02}", (year + 1) % 100),
                format!("{year}/{:02} Q3", (year + 1) % 100),
            ] {
                let whole = Period::parse(&whole).unwrap();
                let mut p = Period::containing(whole.start, PeriodType::Month);
                let mut n = 0;
                while p.start <= whole.end() {
                    n += usize::from(parent(p, whole.kind) == whole);
                    p = p.next();
                }
                assert_eq!(parts_in(whole, PeriodType::Month), n, "{whole}");
            }
        }
    }
}
