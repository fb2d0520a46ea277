//! Gaps in run, p′ and u′ charts: values either side of a gap are not consecutive, so no run,
//! crossing, trend or moving range of z spans one (as no moving range, run or window of the
//! XmR chart does). Hand-worked against `runchart.md`'s formulas.

use approx::assert_relative_eq;
use sct_kpi::chart::{ChartChoice, ChartInput, ChartKind, ChartOptions, chart};
use sct_kpi::runchart::RunRules;
use sct_kpi::spc::{Improvement, PointType};

fn options(kind: ChartKind, breaks: Vec<usize>) -> ChartOptions {
    ChartOptions {
        chart: ChartChoice::Only(kind),
        improvement: Improvement::Increase,
        multiplier: 1.0,
        breaks,
        ..ChartOptions::default()
    }
}

/// 8 points above the median, then 8 below. Joined: one run of 8 on each side, longer than
/// round(log2 16) + 3 = 7, so all 16 are special cause; 1 crossing, fewer than
/// qbinom(0.05, 15, 0.5) = 4. With gaps before points 4, 8 and 12 the runs are 4 long (no
/// long run); the 4 parts give 0 crossings over 16 − 4 = 12 pairs of consecutive points, fewer
/// than qbinom(0.05, 12, 0.5) = 3: only the crossings rule fires, so no point is flagged. With
/// gaps before 4 and 12 only, the middle part holds the one crossing: 1 crossing over 13
/// pairs, fewer than qbinom(0.05, 13, 0.5) = 4.
#[test]
fn a_gap_breaks_the_runs_of_a_run_chart() {
    let ys: Vec<f64> = [10.0; 8].into_iter().chain([0.0; 8]).collect();
    let joined = chart(
        ChartInput::Values(&ys),
        &[],
        &options(ChartKind::Run, vec![]),
    )
    .unwrap();
    let r = joined.segments[0].runs.unwrap();
    assert_eq!((r.longest_run, r.longest_run_max), (Some(8), Some(7)));
    assert_eq!((r.crossings, r.crossings_min), (Some(1), Some(4)));
    assert!(
        joined
            .point_type
            .iter()
            .all(|t| *t != PointType::CommonCause)
    );

    let gapped = chart(
        ChartInput::Values(&ys),
        &[],
        &options(ChartKind::Run, vec![4, 8, 12]),
    )
    .unwrap();
    let r = gapped.segments[0].runs.unwrap();
    assert_eq!(r.n_useful, 16);
    assert_eq!((r.longest_run, r.longest_run_max), (Some(4), Some(7)));
    assert_eq!((r.crossings, r.crossings_min), (Some(0), Some(3)));
    assert!(!r.long_run_signal && r.crossings_signal);
    assert!(
        gapped
            .point_type
            .iter()
            .all(|t| *t == PointType::CommonCause)
    );
    assert_eq!(gapped.variation_icon.as_str(), "neutral");
    assert!(
        gapped.warnings.iter().any(|w| w.contains("3 gaps")),
        "{:?}",
        gapped.warnings
    );
    let two = chart(
        ChartInput::Values(&ys),
        &[],
        &options(ChartKind::Run, vec![4, 12]),
    )
    .unwrap();
    let r = two.segments[0].runs.unwrap();
    assert_eq!(
        (r.longest_run, r.crossings, r.crossings_min),
        (Some(4), Some(1), Some(4))
    );
}

/// A trend (fixed rules) of 7 rising points, split by a gap into 4 and 3: no trend.
#[test]
fn a_gap_breaks_a_trend() {
    let ys = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 3.0, 4.0, 3.5];
    let mut o = options(ChartKind::Run, vec![]);
    o.run_rules = RunRules::Fixed {
        shift_length: 8,
        trend_length: 7,
    };
    let joined = chart(ChartInput::Values(&ys), &[], &o).unwrap();
    assert!(joined.segments[0].runs.unwrap().trend_signal);
    assert_eq!(joined.point_type[0], PointType::SpecialCauseImprovement);
    o.breaks = vec![4];
    let gapped = chart(ChartInput::Values(&ys), &[], &o).unwrap();
    assert!(!gapped.segments[0].runs.unwrap().trend_signal);
    assert!(
        gapped
            .point_type
            .iter()
            .all(|t| *t == PointType::CommonCause)
    );
}

/// Laney p′: σ_z is the mean of |z_i − z_(i−1)| over consecutive points / 1.128; the moving
/// range across a gap is left out.
#[test]
fn a_gap_leaves_out_the_moving_range_of_z_across_it() {
    let x = [20.0, 30.0, 25.0, 40.0, 22.0, 35.0, 28.0, 31.0];
    let n = [100.0, 120.0, 110.0, 130.0, 100.0, 125.0, 115.0, 120.0];
    let p_bar = x.iter().sum::<f64>() / n.iter().sum::<f64>();
    let z: Vec<f64> = x
        .iter()
        .zip(&n)
        .map(|(&x, &n)| (x / n - p_bar) / (p_bar * (1.0 - p_bar) / n).sqrt())
        .collect();
    let sigma = |skip: Option<usize>| {
        let ranges: Vec<f64> = (1..z.len())
            .filter(|&i| Some(i) != skip)
            .map(|i| (z[i] - z[i - 1]).abs())
            .collect();
        ranges.iter().sum::<f64>() / ranges.len() as f64 / 1.128
    };
    let input = ChartInput::Counts {
        numerators: &x,
        denominators: &n,
    };
    let joined = chart(input, &[], &options(ChartKind::PPrime, vec![])).unwrap();
    assert_relative_eq!(
        joined.segments[0].sigma_z.unwrap(),
        sigma(None),
        max_relative = 1e-12
    );
    let gapped = chart(input, &[], &options(ChartKind::PPrime, vec![4])).unwrap();
    assert_relative_eq!(
        gapped.segments[0].sigma_z.unwrap(),
        sigma(Some(4)),
        max_relative = 1e-12
    );
    assert!(sigma(Some(4)) != sigma(None));
    // u′ too.
    let gapped_u = chart(input, &[], &options(ChartKind::UPrime, vec![4])).unwrap();
    let u_bar = p_bar;
    let zu: Vec<f64> = x
        .iter()
        .zip(&n)
        .map(|(&x, &n)| (x / n - u_bar) / (u_bar / n).sqrt())
        .collect();
    let ranges: Vec<f64> = (1..zu.len())
        .filter(|&i| i != 4)
        .map(|i| (zu[i] - zu[i - 1]).abs())
        .collect();
    assert_relative_eq!(
        gapped_u.segments[0].sigma_z.unwrap(),
        ranges.iter().sum::<f64>() / ranges.len() as f64 / 1.128,
        max_relative = 1e-12
    );
}

/// With no gap, the gap-aware code is not used: the result is that of no breaks at all.
#[test]
fn no_gap_changes_nothing() {
    let ys: Vec<f64> = (0..30).map(|i| ((i * 7) % 11) as f64).collect();
    for kind in [ChartKind::Run, ChartKind::Xmr] {
        let a = chart(ChartInput::Values(&ys), &[], &options(kind, vec![])).unwrap();
        let b = chart(ChartInput::Values(&ys), &[], &options(kind, vec![0, 30])).unwrap();
        assert_eq!(a.point_type, b.point_type);
        assert_eq!(a.segments[0].runs, b.segments[0].runs);
    }
}
