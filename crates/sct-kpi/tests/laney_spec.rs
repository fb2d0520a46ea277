//! Laney's p′ and u′ charts against `shared/spec/runchart.md`. The expected figures were
//! worked out independently in 40-digit arithmetic (mpmath) from the spec's formulas:
//! p̄ = Σx/Σn, s_i, z_i, σ_z = mean |Δz| / 1.128, limits p̄ ± 3 s_i σ_z clamped to [0, 1].
//! They are written with the 17 significant digits printed there, one more than an `f64`
//! always holds, hence the `allow`.

#![allow(clippy::excessive_precision)]

use approx::assert_relative_eq;
use sct_kpi::chart::{
    ChartChoice, ChartError, ChartInput, ChartKind, ChartOptions, ChartResult, ChartVariationIcon,
    Limits, chart,
};
use sct_kpi::laney::{CountError, LaneyKind, NoSigma, laney_segment};
use sct_kpi::runchart::RunRules;
use sct_kpi::spc::{AssuranceIcon, Improvement, PointType, Rule, VariationIcon};

fn options(kind: ChartKind) -> ChartOptions {
    ChartOptions {
        chart: ChartChoice::Only(kind),
        ..ChartOptions::default()
    }
}

fn laney(x: &[f64], n: &[f64], options: &ChartOptions) -> ChartResult {
    chart(
        ChartInput::Counts {
            numerators: x,
            denominators: n,
        },
        &[],
        options,
    )
    .expect("valid")
}

fn limits(r: &ChartResult) -> (Vec<f64>, Vec<f64>) {
    r.points()
        .map(|p| (p.lpl.expect("lpl"), p.upl.expect("upl")))
        .unzip()
}

fn assert_all_close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_relative_eq!(*g, *w, epsilon = 1e-12, max_relative = 1e-12);
    }
}

#[test]
fn pprime_hand_worked_example() {
    let x = [10.0, 12.0, 15.0, 8.0, 20.0];
    let n = [100.0, 120.0, 110.0, 90.0, 130.0];
    let r = laney(&x, &n, &options(ChartKind::PPrime));
    let s = &r.segments[0];
    assert_eq!(s.chart, ChartKind::PPrime);
    assert_relative_eq!(s.centre, 11.818_181_818_181_818, max_relative = 1e-12);
    assert_relative_eq!(
        s.sigma_z.expect("sigma_z"),
        1.071_236_864_082_423_8,
        max_relative = 1e-12
    );
    assert_all_close(
        &r.values,
        &[
            10.0,
            10.0,
            13.636_363_636_363_637,
            8.888_888_888_888_889,
            15.384_615_384_615_385,
        ],
    );
    let (lpl, upl) = limits(&r);
    assert_all_close(
        &lpl,
        &[
            1.443_575_579_759_036,
            2.347_505_381_485_189_2,
            1.926_382_891_691_757_5,
            0.882_386_637_912_529_2,
            2.719_050_219_620_384,
        ],
    );
    assert_all_close(
        &upl,
        &[
            22.192_788_056_604_6,
            21.288_858_254_878_447,
            21.709_980_744_671_88,
            22.753_976_998_451_107,
            20.917_313_416_743_252,
        ],
    );
    assert!(r.point_type.iter().all(|t| *t == PointType::CommonCause));
    let a = s.runs.expect("runs");
    // Around p̄ = 0.118: − − + − +.
    assert_eq!(
        (a.n_useful, a.longest_run, a.crossings),
        (5, Some(2), Some(3))
    );
    assert_eq!((a.longest_run_max, a.crossings_min), (Some(5), Some(0)));
    assert!(!a.runs_signal);
}

#[test]
fn pprime_lower_limits_clamp_at_zero() {
    let x = [0.0, 1.0, 0.0, 2.0, 0.0, 1.0, 0.0, 0.0];
    let n = [40.0, 50.0, 45.0, 60.0, 55.0, 50.0, 40.0, 45.0];
    let r = laney(&x, &n, &options(ChartKind::PPrime));
    assert_relative_eq!(
        r.segments[0].centre,
        1.038_961_038_961_039,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        r.segments[0].sigma_z.expect("sigma_z"),
        1.319_145_865_627_071,
        max_relative = 1e-12
    );
    let (lpl, upl) = limits(&r);
    assert!(lpl.iter().all(|&l| l == 0.0), "{lpl:?}");
    assert_all_close(
        &upl,
        &[
            7.383_730_313_137_794,
            6.713_895_198_405_529,
            7.020_866_877_406_95,
            6.219_443_458_101_65,
            6.449_798_456_423_242,
            6.713_895_198_405_529,
            7.383_730_313_137_794,
            7.020_866_877_406_95,
        ],
    );
    // Points at 0 are on the clamped lower limit, not below it (strict).
    assert!(r.point_type.iter().all(|t| *t == PointType::CommonCause));
}

#[test]
fn pprime_upper_limits_clamp_at_one() {
    let x = [48.0, 50.0, 49.0, 45.0, 50.0, 47.0, 50.0, 49.0];
    let n = [50.0; 8];
    let r = laney(&x, &n, &options(ChartKind::PPrime));
    assert_relative_eq!(r.segments[0].centre, 97.0, max_relative = 1e-12);
    let (lpl, upl) = limits(&r);
    assert_all_close(&lpl, &[82.562_310_030_395_14; 8]);
    assert!(upl.iter().all(|&u| u == 100.0), "{upl:?}");
    // 100% is on the clamped upper limit, not above it.
    assert!(r.point_type.iter().all(|t| *t == PointType::CommonCause));
    // A multiplier of 1 prints proportions.
    let r = laney(
        &x,
        &n,
        &ChartOptions {
            multiplier: 1.0,
            ..options(ChartKind::PPrime)
        },
    );
    assert_relative_eq!(r.segments[0].centre, 0.97, max_relative = 1e-12);
    assert!(limits(&r).1.iter().all(|&u| u == 1.0));
}

#[test]
fn uprime_hand_worked_example() {
    let x = [3.0, 7.0, 2.0, 9.0, 4.0];
    let n = [1.2, 2.5, 0.8, 3.0, 1.5];
    let o = ChartOptions {
        multiplier: 1.0,
        ..options(ChartKind::UPrime)
    };
    let r = laney(&x, &n, &o);
    assert_relative_eq!(
        r.segments[0].centre,
        2.777_777_777_777_778,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        r.segments[0].sigma_z.expect("sigma_z"),
        0.236_349_769_152_278_15,
        max_relative = 1e-12
    );
    let (lpl, upl) = limits(&r);
    assert_all_close(
        &lpl,
        &[
            1.698_993_610_895_766,
            2.030_374_182_801_575,
            1.456_542_402_050_585_8,
            2.095_494_763_562_909,
            1.812_883_885_698_315_6,
        ],
    );
    assert_all_close(
        &upl,
        &[
            3.856_561_944_659_789_5,
            3.525_181_372_753_980_5,
            4.099_013_153_504_97,
            3.460_060_791_992_646,
            3.742_671_669_857_24,
        ],
    );
}

#[test]
fn uprime_clamps_only_the_lower_limit_and_flags_a_point_above_its_own() {
    let x = [3.0, 7.0, 2.0, 9.0, 4.0, 30.0];
    let n = [1.2, 2.5, 0.8, 3.0, 1.5, 2.0];
    let o = ChartOptions {
        multiplier: 1.0,
        target: Some(1.0),
        improvement: Improvement::Decrease,
        ..options(ChartKind::UPrime)
    };
    let r = laney(&x, &n, &o);
    assert_relative_eq!(r.segments[0].centre, 5.0, max_relative = 1e-12);
    let (lpl, upl) = limits(&r);
    assert!(lpl.iter().all(|&l| l == 0.0));
    assert_all_close(
        &upl,
        &[
            15.107_909_502_203_228,
            12.002_965_126_449_692,
            17.379_610_323_313_713,
            11.392_803_281_964_19,
            14.040_789_102_936_991,
            12.829_553_033_400_96,
        ],
    );
    assert_eq!(r.rule[5], Some(Rule::OutsideLimits));
    assert_eq!(r.point_type[5], PointType::SpecialCauseConcern);
    assert_eq!(
        r.variation_icon,
        ChartVariationIcon::Spc(VariationIcon::ConcernHigh)
    );
    // Decrease is better: the target 1 is inside the last point's limits 0 to 12.8.
    assert_eq!(r.assurance_icon, Some(AssuranceIcon::Inconsistent));
    let pass = laney(
        &x,
        &n,
        &ChartOptions {
            target: Some(13.0),
            ..o.clone()
        },
    );
    assert_eq!(pass.assurance_icon, Some(AssuranceIcon::Pass));
}

#[test]
fn screening_drops_large_moving_ranges_of_z_only_when_asked() {
    let x = [3.0, 7.0, 2.0, 9.0, 4.0, 30.0, 5.0, 6.0];
    let n = [1.2, 2.5, 0.8, 3.0, 1.5, 2.0, 2.0, 2.2];
    let o = ChartOptions {
        multiplier: 1.0,
        ..options(ChartKind::UPrime)
    };
    let plain = laney(&x, &n, &o);
    assert_relative_eq!(
        plain.segments[0].sigma_z.expect("sigma_z"),
        2.259_264_603_035_51,
        max_relative = 1e-12
    );
    assert_eq!(plain.segments[0].screened, 0);
    let screened = laney(
        &x,
        &n,
        &ChartOptions {
            laney_screen_outliers: true,
            ..o
        },
    );
    let s = &screened.segments[0];
    assert_relative_eq!(
        s.sigma_z.expect("sigma_z"),
        1.382_337_136_884_664,
        max_relative = 1e-12
    );
    // Moving ranges of z: 0.20 0.38 0.33 0.13 8.22 8.48 0.10, mean 2.55; the jump out of the
    // sixth point (8.48) is at or above 3.267 × 2.55 = 8.33, the jump into it (8.22) is not.
    assert_eq!(s.screened, 1);
    assert_relative_eq!(
        limits(&screened).1[5],
        10.452_516_030_442_024,
        max_relative = 1e-12
    );
}

#[test]
fn sigma_z_of_constant_z_scores_is_zero_and_the_limits_meet_the_centre() {
    // Every proportion is 1/4: every z is 0.
    let x = [5.0, 10.0, 25.0, 1.0];
    let n = [20.0, 40.0, 100.0, 4.0];
    let r = laney(&x, &n, &options(ChartKind::PPrime));
    assert_eq!(r.segments[0].sigma_z, Some(0.0));
    let (lpl, upl) = limits(&r);
    assert!(lpl.iter().chain(&upl).all(|&l| l == 25.0));
    // With screening, every moving range (0) is at or above 3.267 × 0: none is left.
    let r = laney(
        &x,
        &n,
        &ChartOptions {
            laney_screen_outliers: true,
            ..options(ChartKind::PPrime)
        },
    );
    assert_eq!(r.segments[0].no_sigma, Some(NoSigma::AllScreened));
    assert_eq!(r.segments[0].limits, Limits::None);
}

#[test]
fn limits_are_undefined_when_the_centre_is_zero_or_one() {
    let n = [10.0, 20.0, 30.0];
    for (x, why) in [
        ([0.0, 0.0, 0.0], NoSigma::DegenerateCentre),
        ([10.0, 20.0, 30.0], NoSigma::DegenerateCentre),
    ] {
        let r = laney(&x, &n, &options(ChartKind::PPrime));
        assert_eq!(r.segments[0].no_sigma, Some(why));
        assert_eq!(r.segments[0].limits, Limits::None);
        assert!(r.points().all(|p| p.lpl.is_none() && p.upl.is_none()));
        assert!(
            r.warnings
                .iter()
                .any(|w| w.contains("limits are undefined"))
        );
    }
    let one = laney(&[1.0], &[2.0], &options(ChartKind::PPrime));
    assert_eq!(one.segments[0].no_sigma, Some(NoSigma::TooFewPoints));
}

#[test]
fn the_runs_analysis_uses_pbar_as_the_centre() {
    // Ten low proportions then ten high ones, with noise so that they stay inside their
    // limits: a long run each side of p̄.
    let mut x = vec![8.0, 12.0, 9.0, 11.0, 10.0, 8.0, 12.0, 9.0, 11.0, 10.0];
    x.extend([13.0, 17.0, 14.0, 16.0, 15.0, 13.0, 17.0, 14.0, 16.0, 15.0]);
    let n = [100.0; 20];
    let r = laney(&x, &n, &options(ChartKind::PPrime));
    let a = r.segments[0].runs.expect("runs");
    assert_eq!((a.longest_run, a.longest_run_max), (Some(10), Some(7)));
    assert_eq!((a.crossings, a.crossings_min), (Some(1), Some(6)));
    assert!(a.runs_signal);
    assert!(
        r.rule.iter().all(|x| *x == Some(Rule::Shift)),
        "{:?}",
        r.rule
    );
    assert!(
        r.point_type[..10]
            .iter()
            .all(|t| *t == PointType::SpecialCauseConcern)
    );
    assert!(
        r.point_type[10..]
            .iter()
            .all(|t| *t == PointType::SpecialCauseImprovement)
    );
    // Fixed rules name themselves in the analysis.
    let fixed = laney(
        &x,
        &n,
        &ChartOptions {
            run_rules: RunRules::Fixed {
                shift_length: 8,
                trend_length: 6,
            },
            ..options(ChartKind::PPrime)
        },
    );
    assert_eq!(
        fixed.segments[0].runs.expect("runs").longest_run_max,
        Some(7)
    );
}

#[test]
fn bad_counts_are_errors_naming_the_position() {
    let p = options(ChartKind::PPrime);
    let err = |x: &[f64], n: &[f64], o: &ChartOptions| {
        chart(
            ChartInput::Counts {
                numerators: x,
                denominators: n,
            },
            &[],
            o,
        )
        .expect_err("invalid")
    };
    assert_eq!(
        err(&[1.0, 11.0], &[10.0, 10.0], &p),
        ChartError::BadCount {
            index: 1,
            error: CountError::NumeratorAboveDenominator { x: 11.0, n: 10.0 }
        }
    );
    assert_eq!(
        err(&[1.0, 1.0], &[10.0, 0.0], &p),
        ChartError::BadCount {
            index: 1,
            error: CountError::DenominatorNotPositive { n: 0.0 }
        }
    );
    assert_eq!(
        err(&[-1.0, 1.0], &[10.0, 10.0], &p),
        ChartError::BadCount {
            index: 0,
            error: CountError::NegativeNumerator { x: -1.0 }
        }
    );
    // Checked block by block as the chart is computed: the position is the series', in a
    // later block and a later segment alike, and the first bad pair is the one named.
    let mut x = vec![5.0; 1500];
    let n = vec![10.0; 1500];
    x[1100] = 12.0;
    x[1400] = -1.0;
    for starts in [&[][..], &[700][..], &[1100][..]] {
        let got = chart(
            ChartInput::Counts {
                numerators: &x,
                denominators: &n,
            },
            starts,
            &p,
        )
        .expect_err("invalid");
        assert_eq!(
            got,
            ChartError::BadCount {
                index: 1100,
                error: CountError::NumeratorAboveDenominator { x: 12.0, n: 10.0 }
            },
            "segments starting at {starts:?}"
        );
    }
    // With a run-chart segment among them (auto: too few points for p′), every pair is
    // checked before any chart, and the first bad one is still the one named.
    let auto = ChartOptions {
        chart: ChartChoice::Auto(Some(ChartKind::PPrime)),
        ..ChartOptions::default()
    };
    let got = chart(
        ChartInput::Counts {
            numerators: &x,
            denominators: &n,
        },
        &[1495],
        &auto,
    )
    .expect_err("invalid");
    assert!(
        matches!(got, ChartError::BadCount { index: 1100, .. }),
        "{got:?}"
    );
    // A rate may exceed 1.
    let u = options(ChartKind::UPrime);
    assert!(
        chart(
            ChartInput::Counts {
                numerators: &[11.0, 3.0],
                denominators: &[10.0, 10.0]
            },
            &[],
            &u
        )
        .is_ok()
    );
    assert!(matches!(
        err(&[1.0], &[1.0, 2.0], &u),
        ChartError::LengthMismatch { .. }
    ));
    assert!(matches!(
        err(
            &[1.0, 2.0],
            &[3.0, 4.0],
            &ChartOptions {
                multiplier: 0.0,
                ..u
            }
        ),
        ChartError::BadMultiplier(_)
    ));
}

#[test]
fn the_segment_function_works_on_the_proportion_scale() {
    let mut scratch = Vec::new();
    let s = laney_segment(
        LaneyKind::P,
        &[10.0, 12.0, 15.0, 8.0, 20.0],
        &[100.0, 120.0, 110.0, 90.0, 130.0],
        5,
        false,
        &mut scratch,
    );
    assert_relative_eq!(s.centre, 65.0 / 550.0, max_relative = 1e-15);
    assert_relative_eq!(s.upl[0], 0.221_927_880_566_046, max_relative = 1e-12);
    // Fixed after 3 points: p̄ from the first three only, limits for all five.
    let s = laney_segment(
        LaneyKind::P,
        &[10.0, 12.0, 15.0, 8.0, 20.0],
        &[100.0, 120.0, 110.0, 90.0, 130.0],
        3,
        false,
        &mut scratch,
    );
    assert_relative_eq!(s.centre, 37.0 / 330.0, max_relative = 1e-15);
    assert_eq!(s.upl.len(), 5);
}
