//! Run charts against `shared/spec/runchart.md`: its worked example, the limits of randomness
//! against exact values, and hand-worked cases for each rule (points on the median, an even
//! number of base points, a segment with no useful point, too few crossings, fixed rules,
//! rebase and fixing, the `auto` choice).

use approx::assert_relative_eq;
use sct_kpi::chart::{
    ChartChoice, ChartInput, ChartKind, ChartOptions, ChartResult, ChartVariationIcon,
    ChoiceReason, Limits, auto_chart, chart,
};
use sct_kpi::runchart::{RunRules, crossings_min, longest_run_max, median, runs_analysis};
use sct_kpi::spc::{AssuranceIcon, Improvement, PointType, Rule, SpcOptions, VariationIcon, spc};

fn run_options() -> ChartOptions {
    ChartOptions {
        chart: ChartChoice::Only(ChartKind::Run),
        ..ChartOptions::default()
    }
}

fn run(values: &[f64], options: &ChartOptions) -> ChartResult {
    chart(ChartInput::Values(values), &[], options).expect("valid")
}

fn types(r: &ChartResult) -> Vec<PointType> {
    r.point_type.clone()
}

const C: PointType = PointType::CommonCause;
const UP: PointType = PointType::SpecialCauseImprovement;
const DOWN: PointType = PointType::SpecialCauseConcern;

#[test]
fn worked_example_longest_run_10_against_7_and_1_crossing_against_6_signal() {
    // 20 points, the first 10 below the median and the last 10 above.
    let y: Vec<f64> = (1..=20).map(f64::from).collect();
    let r = run(&y, &run_options());
    let s = &r.segments[0];
    assert_eq!(s.chart, ChartKind::Run);
    assert_relative_eq!(s.centre, 10.5);
    assert_eq!(s.limits, Limits::None);
    let a = s.runs.expect("a runs analysis");
    assert_eq!(a.n_useful, 20);
    assert_eq!(a.longest_run, Some(10));
    assert_eq!(a.longest_run_max, Some(7));
    assert_eq!(a.crossings, Some(1));
    assert_eq!(a.crossings_min, Some(6));
    assert!(a.long_run_signal && a.crossings_signal && a.runs_signal);
    // Both runs are longer than 7: every point is special cause by its side.
    let mut expected = vec![DOWN; 10];
    expected.extend([UP; 10]);
    assert_eq!(types(&r), expected);
    assert!(r.rule.iter().all(|x| *x == Some(Rule::Shift)));
    assert_eq!(
        r.variation_icon,
        ChartVariationIcon::Spc(VariationIcon::ImprovementHigh)
    );
    assert_eq!(r.assurance_icon, None, "a run chart has no assurance icon");
    assert_eq!((s.improvement, s.concern, s.common_cause), (10, 10, 0));
}

#[test]
fn crossings_min_is_r_qbinom_at_five_percent() {
    // qbinom(0.05, n_useful - 1, 0.5), checked exactly (Python integers).
    assert_eq!(crossings_min(20), Some(6));
    assert_eq!(crossings_min(10), Some(2));
    assert_eq!(crossings_min(100), Some(41));
    assert_eq!(crossings_min(1), Some(0));
    assert_eq!(crossings_min(6), Some(1));
    assert_eq!(crossings_min(18), Some(5));
    assert_eq!(crossings_min(0), None);
}

/// The exact quantiles for 0 ≤ m < 5,000, from the step file.
fn exact_quantiles() -> Vec<usize> {
    let text = include_str!("data/qbinom05_steps.txt");
    let mut q = vec![0usize];
    for c in text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::chars)
    {
        let last = *q.last().expect("q(0)");
        q.push(last + usize::from(c == '1'));
    }
    q
}

#[test]
fn crossings_min_matches_exact_values_for_every_count_to_5000() {
    let q = exact_quantiles();
    assert_eq!(q.len(), 5000);
    for (m, &k) in q.iter().enumerate() {
        assert_eq!(crossings_min(m + 1), Some(k), "n_useful = {}", m + 1);
    }
}

#[test]
fn crossings_min_matches_high_precision_values_for_large_counts() {
    // (m, qbinom(0.05, m, 0.5)) from 50-digit arithmetic (mpmath), P(X <= k) summed exactly.
    for (m, k) in [
        (9_999, 4_917),
        (12_345, 6_081),
        (99_999, 49_739),
        (123_456, 61_439),
        (999_999, 499_177),
        (2_000_000, 998_837),
        (9_999_999, 4_997_399),
    ] {
        assert_eq!(crossings_min(m + 1), Some(k), "m = {m}");
    }
}

#[test]
fn longest_run_max_is_round_log2_plus_3() {
    for (n, max) in [
        (1, 3),
        (2, 4),
        (3, 5),
        (4, 5),
        (5, 5),
        (6, 6),
        (11, 6),
        (12, 7),
        (20, 7),
        (22, 7),
        (23, 8),
        (45, 8),
        (46, 9),
        (90, 9),
        (91, 10),
        (1_000_000, 23),
    ] {
        assert_eq!(longest_run_max(n), Some(max), "n_useful = {n}");
    }
    assert_eq!(longest_run_max(0), None);
}

#[test]
fn points_on_the_median_neither_continue_nor_break_a_run() {
    // Sorted: 1 1 2 2 2 3 3, median 2. Useful: 1 (−), 3 (+), 3 (+), 1 (−): three runs.
    let y = [1.0, 3.0, 2.0, 3.0, 1.0, 2.0, 2.0];
    let a = runs_analysis(&y, 2.0, RunRules::Anhoj);
    assert_eq!(a.n_useful, 4);
    assert_eq!(a.longest_run, Some(2));
    assert_eq!(a.crossings, Some(2));
    assert_eq!(a.longest_run_max, Some(5));
    assert_eq!(a.crossings_min, Some(0));
    assert!(!a.runs_signal);
    let r = run(&y, &run_options());
    assert_relative_eq!(r.segments[0].centre, 2.0);
    assert!(r.point_type.iter().all(|t| *t == C));
}

#[test]
fn a_point_on_the_median_inside_a_long_run_is_not_flagged() {
    // Nine 1s with the median 5 among them, then nine 9s: n = 19, median 5 (the 10th value).
    let mut y = vec![1.0, 1.0, 1.0, 1.0, 5.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    y.extend([9.0; 9]);
    let r = run(&y, &run_options());
    let a = r.segments[0].runs.expect("runs");
    assert_relative_eq!(r.segments[0].centre, 5.0);
    assert_eq!(a.n_useful, 18);
    assert_eq!(
        a.longest_run,
        Some(9),
        "the point on the median does not break the run"
    );
    assert_eq!(a.longest_run_max, Some(7)); // round(log2 18) + 3 = 4 + 3
    assert_eq!(a.crossings, Some(1));
    assert_eq!(a.crossings_min, Some(5)); // qbinom(0.05, 17, 0.5)
    assert!(a.runs_signal);
    let mut expected = vec![DOWN; 10];
    expected[4] = C;
    expected.extend([UP; 9]);
    assert_eq!(types(&r), expected);
    assert_eq!(r.rule[4], None);
}

#[test]
fn an_even_number_of_base_points_takes_the_mean_of_the_middle_two() {
    let mut scratch = Vec::new();
    assert_eq!(median(&[3.0, 1.0, 4.0, 2.0], &mut scratch), Some(2.5));
    // Two points on the median of 1, 2, 2, 3.
    let y = [2.0, 1.0, 3.0, 2.0];
    let r = run(&y, &run_options());
    assert_relative_eq!(r.segments[0].centre, 2.0);
    let a = r.segments[0].runs.expect("runs");
    assert_eq!(
        (a.n_useful, a.longest_run, a.crossings),
        (2, Some(1), Some(1))
    );
    // 3 1 4 2 around 2.5: + − + −, four runs of one.
    let a = runs_analysis(&[3.0, 1.0, 4.0, 2.0], 2.5, RunRules::Anhoj);
    assert_eq!(
        (a.n_useful, a.longest_run, a.crossings),
        (4, Some(1), Some(3))
    );
    assert_eq!(a.crossings_min, Some(0));
}

#[test]
fn the_mean_of_the_middle_two_is_rounded_as_r_rounds_it() {
    // The exact mean of the doubles 0.1 and 0.2 lies halfway between two doubles; R's median
    // (long double mean, then rounding to even) gives 0.15000000000000002, not 0.15.
    let mut scratch = Vec::new();
    assert_eq!(
        median(&[0.2, 0.1], &mut scratch),
        Some(0.150_000_000_000_000_02)
    );
    // So a point of 0.15 is below the median, not on it.
    let a = runs_analysis(
        &[0.15, 0.2, 0.1],
        median(&[0.2, 0.1], &mut scratch).expect("median"),
        RunRules::Anhoj,
    );
    assert_eq!(a.n_useful, 3);
}

#[test]
fn a_segment_with_no_useful_point_has_empty_figures_and_no_signal() {
    let y = [5.0; 6];
    let r = run(&y, &run_options());
    let a = r.segments[0].runs.expect("runs");
    assert_eq!(a.n_useful, 0);
    assert_eq!(
        (
            a.longest_run,
            a.longest_run_max,
            a.crossings,
            a.crossings_min
        ),
        (None, None, None, None)
    );
    assert!(!a.runs_signal);
    assert!(r.point_type.iter().all(|t| *t == C));
    assert_eq!(
        r.variation_icon,
        ChartVariationIcon::Spc(VariationIcon::CommonCause)
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("every point is on the centre line")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn too_few_crossings_alone_flags_nothing_and_gives_the_neutral_icon() {
    // Runs of 5 and 5 around the median 5.5 of 1..10 shuffled within sides: 10 useful points,
    // longest 5 ≤ round(log2 10) + 3 = 6, but 1 crossing < qbinom(0.05, 9, 0.5) = 2.
    let y = [3.0, 1.0, 5.0, 2.0, 4.0, 8.0, 6.0, 10.0, 7.0, 9.0];
    let r = run(&y, &run_options());
    let a = r.segments[0].runs.expect("runs");
    assert_eq!(a.longest_run, Some(5));
    assert_eq!(a.longest_run_max, Some(6));
    assert_eq!(a.crossings, Some(1));
    assert_eq!(a.crossings_min, Some(2));
    assert!(a.crossings_signal && !a.long_run_signal && a.runs_signal);
    assert!(r.point_type.iter().all(|t| *t == C), "no point is flagged");
    assert_eq!(r.variation_icon, ChartVariationIcon::TooFewCrossings);
    assert_eq!(r.variation_icon.as_str(), "neutral");
    assert_eq!(r.variation_icon.text(), Some("too few crossings"));
}

#[test]
fn with_both_rules_the_icon_follows_the_last_point() {
    // The worked example reversed: the last run is below the median.
    let y: Vec<f64> = (1..=20).rev().map(f64::from).collect();
    let r = run(&y, &run_options());
    assert_eq!(
        r.variation_icon,
        ChartVariationIcon::Spc(VariationIcon::ConcernLow)
    );
    let neutral = run(
        &y,
        &ChartOptions {
            improvement: Improvement::Neutral,
            ..run_options()
        },
    );
    assert_eq!(
        neutral.variation_icon,
        ChartVariationIcon::Spc(VariationIcon::NeutralLow)
    );
    assert_eq!(neutral.point_type[0], PointType::SpecialCauseNeutralHigh);
    let down = run(
        &y,
        &ChartOptions {
            improvement: Improvement::Decrease,
            ..run_options()
        },
    );
    assert_eq!(
        down.variation_icon,
        ChartVariationIcon::Spc(VariationIcon::ImprovementLow)
    );
}

#[test]
fn fixed_rules_flag_shifts_of_shift_length_and_trends_of_trend_length() {
    let fixed = ChartOptions {
        run_rules: RunRules::Fixed {
            shift_length: 8,
            trend_length: 6,
        },
        ..run_options()
    };
    // A shift: 8 points below the median 5 of 16 points, then 8 above.
    let y = [
        1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 9.0, 8.0, 9.0, 8.0, 9.0, 8.0, 9.0, 8.0,
    ];
    let r = run(&y, &fixed);
    let a = r.segments[0].runs.expect("runs");
    assert_eq!(a.longest_run, Some(8));
    assert_eq!(a.longest_run_max, Some(7), "a run of 8 or more is a shift");
    assert_eq!(a.crossings_min, None, "fixed rules have no crossings rule");
    assert!(a.long_run_signal && !a.trend_signal && a.runs_signal);
    let mut expected = vec![DOWN; 8];
    expected.extend([UP; 8]);
    assert_eq!(types(&r), expected);
    // Seven below is not a shift of 8.
    let r = run(&y[1..15], &fixed);
    assert!(!r.segments[0].runs.expect("runs").long_run_signal);

    // A trend: 6 rising points in a series that crosses the median often.
    let y = [5.0, 1.0, 9.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0, 1.0, 9.0, 2.0];
    let r = run(&y, &fixed);
    let a = r.segments[0].runs.expect("runs");
    assert!(a.trend_signal && a.runs_signal && !a.long_run_signal);
    let mut expected = vec![C; 12];
    // Points 3..=8 (2, 3, 4, 6, 7, 8) rise: six points, five rises.
    for t in &mut expected[3..=8] {
        *t = UP;
    }
    assert_eq!(types(&r), expected);
    assert!(r.rule[3..=8].iter().all(|x| *x == Some(Rule::Trend)));
    // Five rising points are not a trend of 6, and a tie breaks one.
    let tie = [5.0, 1.0, 9.0, 2.0, 3.0, 4.0, 4.0, 7.0, 8.0, 1.0, 9.0, 2.0];
    let r = run(&tie, &fixed);
    assert!(!r.segments[0].runs.expect("runs").trend_signal);
    // Anhøj rules never look at trends.
    let r = run(&y, &run_options());
    assert!(!r.segments[0].runs.expect("runs").trend_signal);
}

#[test]
fn rebase_and_fix_after_work_per_segment() {
    // Two segments of 14: the first 1..=14 (median 7.5), the second 1..=14 shuffled.
    let mut y: Vec<f64> = (1..=14).map(f64::from).collect();
    y.extend([
        7.0, 8.0, 6.0, 9.0, 5.0, 10.0, 4.0, 11.0, 3.0, 12.0, 2.0, 13.0, 1.0, 14.0,
    ]);
    let r = chart(ChartInput::Values(&y), &[14], &run_options()).expect("valid");
    assert_eq!(r.segments.len(), 2);
    assert_relative_eq!(r.segments[0].centre, 7.5);
    assert_relative_eq!(r.segments[1].centre, 7.5);
    let (a, b) = (
        r.segments[0].runs.expect("runs"),
        r.segments[1].runs.expect("runs"),
    );
    assert_eq!((a.longest_run, a.longest_run_max), (Some(7), Some(7)));
    assert_eq!(a.crossings, Some(1));
    assert_eq!(a.crossings_min, Some(4)); // qbinom(0.05, 13, 0.5)
    assert!(a.crossings_signal);
    assert_eq!((b.longest_run, b.crossings), (Some(1), Some(13)));
    assert!(!b.runs_signal);
    assert_eq!(r.segment_of(13), Some(0));
    assert_eq!(r.segment_of(14), Some(1));
    // Fixed after 12: the median of 1..=12 is 6.5, and the runs are judged on every point.
    let fixed = ChartOptions {
        fix_after: Some(12),
        ..run_options()
    };
    let r = chart(ChartInput::Values(&y), &[14], &fixed).expect("valid");
    assert_relative_eq!(r.segments[0].centre, 6.5);
    assert_eq!(r.segments[0].base, 12);
    assert_eq!(r.segments[0].runs.expect("runs").n_useful, 14);
    // The second segment's first 12: 7 8 6 9 5 10 4 11 3 12 2 13, median 7.5.
    assert_relative_eq!(r.segments[1].centre, 7.5);
    // --fix-after below 12 is an error as in spc.md.
    let bad = ChartOptions {
        fix_after: Some(5),
        ..run_options()
    };
    assert!(chart(ChartInput::Values(&y), &[], &bad).is_err());
}

#[test]
fn auto_picks_a_run_chart_for_short_segments_else_the_indicators_chart_else_xmr() {
    assert_eq!(
        auto_chart(9, 15, None),
        (
            ChartKind::Run,
            ChoiceReason::FewPoints {
                points: 9,
                min_points: 15
            }
        )
    );
    assert_eq!(auto_chart(9, 15, Some(ChartKind::PPrime)).0, ChartKind::Run);
    assert_eq!(
        auto_chart(15, 15, Some(ChartKind::PPrime)),
        (ChartKind::PPrime, ChoiceReason::Indicator)
    );
    assert_eq!(
        auto_chart(15, 15, None),
        (ChartKind::Xmr, ChoiceReason::Default)
    );
    assert_eq!(
        ChoiceReason::FewPoints {
            points: 9,
            min_points: 15
        }
        .describe(ChartKind::Run),
        "9 points, fewer than 15: run chart"
    );
    // A series of 24 rebased at 16: an XmR chart of 16 points, then a run chart of 8.
    let y: Vec<f64> = (0..24).map(|i| f64::from(i % 5)).collect();
    let options = ChartOptions {
        chart: ChartChoice::Auto(None),
        ..ChartOptions::default()
    };
    let r = chart(ChartInput::Values(&y), &[16], &options).expect("valid");
    assert_eq!(r.segments[0].chart, ChartKind::Xmr);
    assert_eq!(r.segments[1].chart, ChartKind::Run);
    assert!(r.segments[0].runs.is_none());
    assert!(matches!(r.segments[0].limits, Limits::Constant { .. }));
    assert_eq!(r.segments[1].limits, Limits::None);
}

#[test]
fn xmr_segments_are_exactly_those_of_spc() {
    let y: Vec<f64> = (0..40)
        .map(|i| f64::from((i * 37) % 11) + if i > 25 { 6.0 } else { 0.0 })
        .collect();
    let options = ChartOptions {
        target: Some(3.0),
        ..ChartOptions::default()
    };
    let r = chart(ChartInput::Values(&y), &[20], &options).expect("valid");
    let s = spc(
        &y,
        &[20],
        &SpcOptions {
            target: Some(3.0),
            ..SpcOptions::default()
        },
    )
    .expect("valid");
    assert_eq!(r.point_type, s.point_type);
    assert_eq!(r.rule, s.rule);
    assert_eq!(r.variation_icon, ChartVariationIcon::Spc(s.variation_icon));
    assert_eq!(r.assurance_icon, s.assurance_icon);
    for (a, b) in r.segments.iter().zip(&s.segments) {
        assert_eq!(a.centre, b.mean);
        assert_eq!(
            a.limits,
            Limits::Constant {
                lpl: b.lpl.expect("limits"),
                upl: b.upl.expect("limits")
            }
        );
    }
    assert_eq!(r.warnings, s.warnings);
}

#[test]
fn a_run_chart_never_has_an_assurance_icon() {
    let y: Vec<f64> = (1..=20).map(f64::from).collect();
    let r = run(
        &y,
        &ChartOptions {
            target: Some(100.0),
            ..run_options()
        },
    );
    assert_eq!(r.assurance_icon, None);
    // But an XmR chart from `auto` does.
    let r = chart(
        ChartInput::Values(&y),
        &[],
        &ChartOptions {
            chart: ChartChoice::Auto(None),
            target: Some(100.0),
            ..ChartOptions::default()
        },
    )
    .expect("valid");
    assert_eq!(r.assurance_icon, Some(AssuranceIcon::Fail));
}

#[test]
fn bad_values_and_options_are_errors_not_panics() {
    assert!(chart(ChartInput::Values(&[]), &[], &run_options()).is_err());
    assert!(chart(ChartInput::Values(&[1.0, f64::NAN]), &[], &run_options()).is_err());
    let fixed = ChartOptions {
        run_rules: RunRules::Fixed {
            shift_length: 1,
            trend_length: 6,
        },
        ..run_options()
    };
    assert!(chart(ChartInput::Values(&[1.0, 2.0]), &[], &fixed).is_err());
    // A p′ chart needs counts.
    let p = ChartOptions {
        chart: ChartChoice::Only(ChartKind::PPrime),
        ..ChartOptions::default()
    };
    assert!(chart(ChartInput::Values(&[1.0, 2.0]), &[], &p).is_err());
    // A one-point series is a run chart with one useful point at most.
    let r = run(&[4.0], &run_options());
    assert_eq!(r.segments[0].runs.expect("runs").n_useful, 0);
}
