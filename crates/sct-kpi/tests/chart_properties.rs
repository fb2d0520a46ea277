//! Properties of run charts and Laney's p′ and u′ charts that hold for any series
//! (`shared/spec/runchart.md`).

use proptest::prelude::*;
use sct_kpi::chart::{ChartChoice, ChartInput, ChartKind, ChartOptions, Limits, chart};
use sct_kpi::laney::{LaneyKind, laney_segment};
use sct_kpi::runchart::RunRules;
use sct_kpi::spc::PointType;

fn only(kind: ChartKind) -> ChartOptions {
    ChartOptions {
        chart: ChartChoice::Only(kind),
        ..ChartOptions::default()
    }
}

/// Counts for a p′ chart: (x, n) with 0 ≤ x ≤ n, n ≥ 1.
fn proportions() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    proptest::collection::vec((1u32..5000, 0.0f64..=1.0), 2..60).prop_map(|v| {
        v.into_iter()
            .map(|(n, share)| ((f64::from(n) * share).floor(), f64::from(n)))
            .unzip()
    })
}

/// Longer counts for a p′ chart, across several of the fused pass's blocks.
fn long_proportions() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    proptest::collection::vec((1u32..5000, 0.0f64..=1.0), 400..1800).prop_map(|v| {
        v.into_iter()
            .map(|(n, share)| ((f64::from(n) * share).floor(), f64::from(n)))
            .unzip()
    })
}

/// Counts for a u′ chart: (x, n) with x ≥ 0 whole, n > 0.
fn rates() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    proptest::collection::vec((0u32..500, 0.1f64..50.0), 2..60)
        .prop_map(|v| v.into_iter().map(|(x, n)| (f64::from(x), n)).unzip())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Strictly alternating above and below: every run has one point (or two, where the
    /// median is one of the points and drops out), so neither rule can fire.
    #[test]
    fn a_strictly_alternating_series_never_signals(
        pairs in proptest::collection::vec((10.0f64..20.0, 0.0f64..10.0), 1..200),
        odd in any::<bool>(),
        low_first in any::<bool>(),
    ) {
        let mut y: Vec<f64> = pairs
            .iter()
            .flat_map(|&(hi, lo)| if low_first { [lo, hi] } else { [hi, lo] })
            .collect();
        if odd {
            y.pop();
        }
        let r = chart(ChartInput::Values(&y), &[], &only(ChartKind::Run)).unwrap();
        let a = r.segments[0].runs.unwrap();
        prop_assert!(!a.runs_signal, "{:?}", a);
        prop_assert!(r.point_type.iter().all(|t| *t == PointType::CommonCause));
    }

    /// Adding a constant to a run chart moves the centre by it and changes nothing else (whole
    /// numbers, so the arithmetic is exact).
    #[test]
    fn adding_a_constant_moves_the_centre_and_nothing_else(
        y in proptest::collection::vec(-1000i32..1000, 1..120),
        c in -10_000i32..10_000,
        fixed in any::<bool>(),
        rebase in 0usize..120,
    ) {
        let y: Vec<f64> = y.into_iter().map(f64::from).collect();
        let shifted: Vec<f64> = y.iter().map(|v| v + f64::from(c)).collect();
        let rules = if fixed {
            RunRules::Fixed { shift_length: 8, trend_length: 6 }
        } else {
            RunRules::Anhoj
        };
        let o = ChartOptions { run_rules: rules, ..only(ChartKind::Run) };
        let a = chart(ChartInput::Values(&y), &[rebase], &o).unwrap();
        let b = chart(ChartInput::Values(&shifted), &[rebase], &o).unwrap();
        prop_assert_eq!(&a.point_type, &b.point_type);
        prop_assert_eq!(&a.rule, &b.rule);
        prop_assert_eq!(a.variation_icon, b.variation_icon);
        prop_assert_eq!(a.segments.len(), b.segments.len());
        for (sa, sb) in a.segments.iter().zip(&b.segments) {
            // Medians of whole numbers are whole or halves: exact.
            prop_assert_eq!(sb.centre, sa.centre + f64::from(c));
            prop_assert_eq!(sa.runs, sb.runs);
            prop_assert_eq!((sa.start, sa.n, sa.base), (sb.start, sb.n, sb.base));
        }
    }

    /// p′ limits always contain p̄ (and are ordered, and within 0 to 100 %).
    #[test]
    fn pprime_limits_always_contain_pbar((x, n) in proportions(), screen in any::<bool>()) {
        let o = ChartOptions { laney_screen_outliers: screen, ..only(ChartKind::PPrime) };
        let r = chart(ChartInput::Counts { numerators: &x, denominators: &n }, &[], &o).unwrap();
        let s = &r.segments[0];
        if s.limits == Limits::None {
            // Only when p̄ is 0 or 1, or screening left nothing.
            prop_assert!(s.no_sigma.is_some());
        }
        for p in r.points() {
            if let (Some(l), Some(u)) = (p.lpl, p.upl) {
                prop_assert!(0.0 <= l && l <= s.centre && s.centre <= u && u <= 100.0,
                    "{} <= {} <= {}", l, s.centre, u);
            } else {
                prop_assert!(s.no_sigma.is_some());
            }
        }
    }

    /// u′ limits contain ū, the lower never below 0.
    #[test]
    fn uprime_limits_always_contain_ubar((x, n) in rates()) {
        let r = chart(
            ChartInput::Counts { numerators: &x, denominators: &n },
            &[],
            &only(ChartKind::UPrime),
        ).unwrap();
        let s = &r.segments[0];
        for p in r.points() {
            if let (Some(l), Some(u)) = (p.lpl, p.upl) {
                prop_assert!(0.0 <= l && l <= s.centre && s.centre <= u);
            }
        }
    }

    /// Constant z-scores (every proportion the same, whatever the denominators) give σ_z = 0
    /// and limits on p̄.
    #[test]
    fn sigma_z_of_constant_z_scores_is_zero(
        a in 0u32..=20,
        ks in proptest::collection::vec(1u32..1000, 2..50),
    ) {
        // p = a / 20 for every point: x = a·k, n = 20·k, so x / n rounds to the same double
        // as Σx / Σn, and every z is exactly 0.
        let x: Vec<f64> = ks.iter().map(|&k| f64::from(a * k)).collect();
        let n: Vec<f64> = ks.iter().map(|&k| f64::from(20 * k)).collect();
        let r = chart(
            ChartInput::Counts { numerators: &x, denominators: &n },
            &[],
            &only(ChartKind::PPrime),
        ).unwrap();
        let s = &r.segments[0];
        if a == 0 || a == 20 {
            prop_assert!(s.no_sigma.is_some(), "p̄ of 0 or 1 has no z-scores");
        } else {
            prop_assert_eq!(s.sigma_z, Some(0.0));
            prop_assert!(r.points().all(|p| p.lpl == Some(s.centre) && p.upl == Some(s.centre)));
            prop_assert!(r.point_type.iter().all(|t| *t == PointType::CommonCause));
        }
    }

    /// Whatever the data, the charts return a result or an error, never a panic, and the
    /// result has one entry per point.
    #[test]
    fn any_counts_give_a_result_or_an_error(
        v in proptest::collection::vec((-5.0f64..100.0, -5.0f64..100.0), 0..40),
        kind in prop_oneof![
            Just(ChartKind::PPrime), Just(ChartKind::UPrime), Just(ChartKind::Run), Just(ChartKind::Xmr)
        ],
        auto in any::<bool>(),
        starts in proptest::collection::vec(0usize..45, 0..3),
    ) {
        let (x, n): (Vec<f64>, Vec<f64>) = v.into_iter().unzip();
        let o = ChartOptions {
            chart: if auto { ChartChoice::Auto(Some(kind)) } else { ChartChoice::Only(kind) },
            min_points: 10,
            ..ChartOptions::default()
        };
        if let Ok(r) = chart(ChartInput::Counts { numerators: &x, denominators: &n }, &starts, &o) {
            prop_assert_eq!(r.point_type.len(), x.len());
            prop_assert_eq!(r.points().count(), x.len());
        }
    }

    /// The chart's fused one-pass p′ and u′ computation gives exactly (bit for bit) what the
    /// plain step-by-step [`laney_segment`] gives, times the multiplier.
    #[test]
    fn the_fused_laney_pass_equals_the_step_by_step_one(
        (x, n) in prop_oneof![proportions(), long_proportions()],
        u in any::<bool>(),
        screen in any::<bool>(),
        multiplier in prop_oneof![Just(1.0), Just(100.0), Just(1000.0), 0.1f64..500.0],
        fix in any::<bool>(),
    ) {
        let (kind, lk) = if u { (ChartKind::UPrime, LaneyKind::U) } else { (ChartKind::PPrime, LaneyKind::P) };
        // Fixed after 12 points, or after about two thirds (across a block boundary).
        let base = match (fix, x.len()) {
            (true, len) if len > 600 => len * 2 / 3,
            (true, len) if len > 12 => 12,
            (_, len) => len,
        };
        let o = ChartOptions {
            laney_screen_outliers: screen,
            multiplier,
            fix_after: (base < x.len()).then_some(base),
            ..only(kind)
        };
        let r = chart(ChartInput::Counts { numerators: &x, denominators: &n }, &[], &o).unwrap();
        let l = laney_segment(lk, &x, &n, base, screen, &mut Vec::new());
        let s = &r.segments[0];
        prop_assert_eq!(s.centre, l.centre * multiplier);
        prop_assert_eq!(s.sigma_z, l.sigma_z.ok());
        prop_assert_eq!(s.screened, l.screened);
        for (i, p) in r.points().enumerate() {
            prop_assert_eq!(p.value, l.values[i] * multiplier);
            prop_assert_eq!(p.lpl, l.lpl.get(i).map(|v| v * multiplier));
            prop_assert_eq!(p.upl, l.upl.get(i).map(|v| v * multiplier));
        }
    }
}
