//! The SPC method checked against examples worked by hand from `shared/spec/spc.md`. Each test
//! shows the arithmetic; the section numbers are the spec's.

use approx::assert_relative_eq;
use sct_kpi::spc::{
    AssuranceIcon, Improvement, PointType, Rule, SpcOptions, VariationIcon, accurate_mean, spc,
};

use PointType::*;

fn opts(improvement: Improvement) -> SpcOptions {
    SpcOptions {
        improvement,
        ..SpcOptions::default()
    }
}

#[test]
fn limits_without_signals_and_the_assurance_icon() {
    // y = 1 3 2 4 3 5: mean 18/6 = 3; moving ranges 2 1 2 1 2, AMR 8/5 = 1.6 (none ≥ 3.267 × 1.6
    // = 5.2272 is screened); limits 3 ± 2.66 × 1.6 = 3 ± 4.256.
    let y = [1.0, 3.0, 2.0, 4.0, 3.0, 5.0];
    let r = spc(
        &y,
        &[],
        &SpcOptions {
            target: Some(8.0),
            ..opts(Improvement::Increase)
        },
    )
    .unwrap();
    let s = &r.segments[0];
    assert_relative_eq!(s.mean, 3.0);
    assert_relative_eq!(s.amr.unwrap(), 1.6);
    assert_relative_eq!(s.lpl.unwrap(), -1.256, epsilon = 1e-12);
    assert_relative_eq!(s.upl.unwrap(), 7.256, epsilon = 1e-12);
    assert!(r.point_type.iter().all(|p| *p == CommonCause));
    assert_eq!(r.variation_icon, VariationIcon::CommonCause);
    // §11, increase: target 8 > upl → fail; -2 < lpl → pass; 5 between → inconsistent.
    assert_eq!(r.assurance_icon, Some(AssuranceIcon::Fail));
    let with = |t: f64, d| {
        spc(
            &y,
            &[],
            &SpcOptions {
                target: Some(t),
                ..opts(d)
            },
        )
        .unwrap()
        .assurance_icon
    };
    assert_eq!(with(-2.0, Improvement::Increase), Some(AssuranceIcon::Pass));
    assert_eq!(
        with(5.0, Improvement::Increase),
        Some(AssuranceIcon::Inconsistent)
    );
    // Decrease swaps pass and fail.
    assert_eq!(with(8.0, Improvement::Decrease), Some(AssuranceIcon::Pass));
    assert_eq!(with(-2.0, Improvement::Decrease), Some(AssuranceIcon::Fail));
    // A target equal to a limit is inconsistent; neutral or no target gives no icon.
    assert_eq!(
        with(r.segments[0].upl.unwrap(), Improvement::Increase),
        Some(AssuranceIcon::Inconsistent)
    );
    assert_eq!(
        with(r.segments[0].lpl.unwrap(), Improvement::Increase),
        Some(AssuranceIcon::Inconsistent)
    );
    assert_eq!(with(8.0, Improvement::Neutral), None);
    assert_eq!(
        spc(&y, &[], &opts(Improvement::Increase))
            .unwrap()
            .assurance_icon,
        None
    );
    // §12: six points is fewer than 13.
    assert!(r.warnings.iter().any(|w| w.contains("fewer than 13")));
}

/// 5 6 5 6 5 6 5 6 5 6 5 20: mean 80/12 = 6.6667; moving ranges ten 1s and a 15; AMR 25/11 =
/// 2.2727; 15 ≥ 3.267 × 2.2727 = 7.425 is screened, so AMR = 10/10 = 1 and the limits are
/// 6.6667 ± 2.66. The 20 is outside (a); the eleven points before it are all below the mean, a
/// shift (d) of 11 ≥ 7; none is beyond the near band (6.6667 − 1.7733 = 4.893 < 5).
const SPIKE: [f64; 12] = [5.0, 6.0, 5.0, 6.0, 5.0, 6.0, 5.0, 6.0, 5.0, 6.0, 5.0, 20.0];

#[test]
fn screening_outside_and_shift() {
    let r = spc(&SPIKE, &[], &opts(Improvement::Increase)).unwrap();
    let s = &r.segments[0];
    assert_relative_eq!(s.mean, 80.0 / 12.0, epsilon = 1e-12);
    assert_relative_eq!(s.amr.unwrap(), 1.0);
    assert_eq!(s.screened, 1);
    assert_relative_eq!(s.upl.unwrap(), 80.0 / 12.0 + 2.66, epsilon = 1e-12);
    assert_eq!(&r.point_type[..11], &[SpecialCauseConcern; 11]);
    assert_eq!(r.rule[0], Some(Rule::Shift));
    assert_eq!(r.point_type[11], SpecialCauseImprovement);
    assert_eq!(r.rule[11], Some(Rule::OutsideLimits));
    assert_eq!(r.variation_icon, VariationIcon::ImprovementHigh);
    assert_eq!((s.common_cause, s.improvement, s.concern), (0, 1, 11));

    // Without screening AMR stays 25/11 and the limits widen (upper 6.6667 + 6.0455 =
    // 12.712); the 20 is still outside.
    let r = spc(
        &SPIKE,
        &[],
        &SpcOptions {
            screen_outliers: false,
            ..opts(Improvement::Increase)
        },
    )
    .unwrap();
    assert_relative_eq!(r.segments[0].amr.unwrap(), 25.0 / 11.0, epsilon = 1e-12);
    assert_eq!(r.rule[11], Some(Rule::OutsideLimits));
    assert_eq!(r.segments[0].screened, 0);

    // Decrease: below the mean is better, the spike is a concern.
    let r = spc(&SPIKE, &[], &opts(Improvement::Decrease)).unwrap();
    assert_eq!(r.point_type[0], SpecialCauseImprovement);
    assert_eq!(r.point_type[11], SpecialCauseConcern);
    assert_eq!(r.variation_icon, VariationIcon::ConcernHigh);
    // Neutral: high and low.
    let r = spc(&SPIKE, &[], &opts(Improvement::Neutral)).unwrap();
    assert_eq!(r.point_type[0], SpecialCauseNeutralLow);
    assert_eq!(r.point_type[11], SpecialCauseNeutralHigh);
    assert_eq!(r.variation_icon, VariationIcon::NeutralHigh);
    // A shift length of 12 no longer flags the eleven.
    let r = spc(
        &SPIKE,
        &[],
        &SpcOptions {
            shift_length: 12,
            ..opts(Improvement::Increase)
        },
    )
    .unwrap();
    assert_eq!(r.point_type[0], CommonCause);
}

#[test]
fn a_trend_of_seven_rising_points() {
    // 5 1 2 3 4 5 6 7 3: the points 1..7 (indices 1 to 7) rise strictly: 7 points, a trend.
    // Mean 36/9 = 4; moving ranges 4 1 1 1 1 1 1 4, AMR 1.75; limits 4 ± 4.655: none outside;
    // near band 4 ± 3.1033: none beyond; sides + − − − 0 + + + −: no shift.
    let y = [5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 3.0];
    let r = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    let expected = [
        CommonCause,
        SpecialCauseImprovement,
        SpecialCauseImprovement,
        SpecialCauseImprovement,
        SpecialCauseImprovement,
        SpecialCauseImprovement,
        SpecialCauseImprovement,
        SpecialCauseImprovement,
        CommonCause,
    ];
    assert_eq!(r.point_type, expected);
    assert!(r.rule[1..8].iter().all(|x| *x == Some(Rule::Trend)));
    // Six rising points are not a trend; a trend length of 6 makes 2..7 one.
    let r = spc(&y[1..7], &[], &opts(Improvement::Increase)).unwrap();
    assert!(r.point_type.iter().all(|p| *p == CommonCause));
    let r = spc(
        &y[1..7],
        &[],
        &SpcOptions {
            trend_length: 6,
            ..opts(Improvement::Increase)
        },
    )
    .unwrap();
    assert!(r.point_type.iter().all(|p| *p == SpecialCauseImprovement));
    // A tie breaks a trend: 1 2 3 3 4 5 6 7 has runs of 3 and 5 points.
    let r = spc(
        &[1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        &[],
        &SpcOptions {
            screen_outliers: false,
            ..opts(Improvement::Increase)
        },
    )
    .unwrap();
    assert!(r.rule.iter().all(|x| *x != Some(Rule::Trend)));
}

#[test]
fn the_peak_of_a_rise_and_fall_takes_the_direction_of_the_next_point() {
    // 1 2 3 4 5 6 7 6 5 4 3 2 1: a rising trend (indices 0..6) and a falling one (6..12).
    // Mean 49/13 = 3.7692; moving ranges all 1, AMR 1; limits 3.7692 ± 2.66 = 1.1092, 6.4292:
    // the 7 (index 6) and the two 1s (0 and 12) are outside (a), which comes first.
    let y = [
        1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0,
    ];
    let r = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    assert_relative_eq!(
        r.segments[0].lpl.unwrap(),
        49.0 / 13.0 - 2.66,
        epsilon = 1e-12
    );
    assert_eq!(r.rule[0], Some(Rule::OutsideLimits));
    assert_eq!(r.point_type[0], SpecialCauseConcern, "below the mean");
    assert_eq!(r.rule[6], Some(Rule::OutsideLimits));
    assert_eq!(r.point_type[6], SpecialCauseImprovement, "above the mean");
    // 1..5 rise into the next trend point: improvement; 7..11 fall: concern; 12 is outside.
    assert!(
        r.point_type[1..6]
            .iter()
            .all(|p| *p == SpecialCauseImprovement)
    );
    assert!(
        r.point_type[7..12]
            .iter()
            .all(|p| *p == SpecialCauseConcern)
    );
    assert_eq!(r.variation_icon, VariationIcon::ConcernLow);

    // Without the outside rule in play (limits undefined by a shorter, constant base? no:
    // use fix-after on a wide base) the peak itself is a trend point whose next point falls.
    let mut wide: Vec<f64> = [0.0, 14.0].repeat(6).to_vec();
    wide.extend_from_slice(&y);
    // The base (first 12 points) has mean 7 and AMR 14: limits 7 ± 37.24, nothing outside.
    let r = spc(
        &wide,
        &[],
        &SpcOptions {
            fix_after: Some(12),
            ..opts(Improvement::Increase)
        },
    )
    .unwrap();
    assert_relative_eq!(r.segments[0].mean, 7.0);
    assert_eq!(r.rule[12 + 6], Some(Rule::Trend));
    assert_eq!(
        r.point_type[12 + 6],
        SpecialCauseConcern,
        "the peak: the next point falls"
    );
    assert_eq!(r.point_type[12 + 5], SpecialCauseImprovement);
    assert_eq!(
        r.point_type[12 + 12],
        SpecialCauseConcern,
        "the last point: this − previous falls"
    );
}

#[test]
fn two_of_three_beyond_two_sigma() {
    // 3 4 3 4 3 4 3 4 3 4 6 6 3.5: mean 50.5/13 = 3.8846; moving ranges nine 1s, 2, 0, 2.5:
    // AMR 13.5/12 = 1.125; limits 3.8846 ± 2.9925 (0.8921, 6.8771); near band ± 1.995
    // (upper 5.8796). The window 4 6 6 (indices 9, 10, 11) is all above the mean with two
    // points beyond the near band and inside the limits: those two are flagged, not the 4.
    let y = [
        3.0, 4.0, 3.0, 4.0, 3.0, 4.0, 3.0, 4.0, 3.0, 4.0, 6.0, 6.0, 3.5,
    ];
    let r = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    assert_relative_eq!(r.segments[0].amr.unwrap(), 1.125);
    let flagged: Vec<usize> = (0..y.len())
        .filter(|&i| r.point_type[i] != CommonCause)
        .collect();
    assert_eq!(flagged, vec![10, 11]);
    assert_eq!(r.rule[10], Some(Rule::TwoOfThree));
    assert_eq!(r.point_type[10], SpecialCauseImprovement);
    // One point beyond is not enough.
    let mut one = y;
    one[11] = 5.0;
    let r = spc(&one, &[], &opts(Improvement::Increase)).unwrap();
    assert!(
        r.point_type.iter().all(|p| *p == CommonCause),
        "{:?}",
        r.point_type
    );
}

#[test]
fn a_constant_base_has_undefined_limits_and_only_trend_and_shift_rules() {
    let y = [5.0; 10];
    let r = spc(
        &y,
        &[],
        &SpcOptions {
            target: Some(6.0),
            ..opts(Improvement::Increase)
        },
    )
    .unwrap();
    // Every moving range is 0 ≥ 3.267 × 0, so screening drops them all.
    assert_eq!(
        (r.segments[0].amr, r.segments[0].lpl, r.segments[0].upl),
        (None, None, None)
    );
    assert_relative_eq!(r.segments[0].mean, 5.0);
    assert!(r.point_type.iter().all(|p| *p == CommonCause));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("limits are undefined"))
    );
    assert_eq!(r.assurance_icon, Some(AssuranceIcon::Inconsistent));
    // Without screening the zero moving ranges remain: limits equal the mean.
    let r = spc(
        &y,
        &[],
        &SpcOptions {
            screen_outliers: false,
            ..opts(Improvement::Increase)
        },
    )
    .unwrap();
    assert_eq!(r.segments[0].upl, Some(5.0));
    assert!(r.point_type.iter().all(|p| *p == CommonCause));
}

#[test]
fn fixing_limits_after_twelve_points() {
    // Twelve points 1 3 1 3 …: mean 2, AMR 2, limits 2 ± 5.32 = 7.32; then 8.
    let mut y = [1.0, 3.0].repeat(6);
    y.push(8.0);
    let fixed = spc(
        &y,
        &[],
        &SpcOptions {
            fix_after: Some(12),
            ..opts(Improvement::Increase)
        },
    )
    .unwrap();
    assert_relative_eq!(fixed.segments[0].mean, 2.0);
    assert_eq!(fixed.segments[0].base, 12);
    assert_eq!(fixed.point_type[12], SpecialCauseImprovement);
    // Unfixed, the 8 joins the base: mean 32/13, AMR 27/12 = 2.25, upl 2.4615 + 5.985 = 8.4465.
    let free = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    assert_relative_eq!(free.segments[0].amr.unwrap(), 2.25);
    assert_eq!(free.point_type[12], CommonCause);
    assert!(
        spc(
            &y,
            &[],
            &SpcOptions {
                fix_after: Some(11),
                ..opts(Improvement::Increase)
            }
        )
        .is_err()
    );
}

#[test]
fn rebasing_starts_a_new_segment() {
    // 1 3 1 3 1 3 | 11 13 11 13 11 13: each segment has mean 2 or 12 and AMR 2; the jump
    // from 3 to 11 is not a moving range of either.
    let y = [
        1.0, 3.0, 1.0, 3.0, 1.0, 3.0, 11.0, 13.0, 11.0, 13.0, 11.0, 13.0,
    ];
    let r = spc(&y, &[6], &opts(Improvement::Increase)).unwrap();
    assert_eq!(r.segments.len(), 2);
    assert_relative_eq!(r.segments[0].mean, 2.0);
    assert_relative_eq!(r.segments[1].mean, 12.0);
    assert_relative_eq!(r.segments[1].amr.unwrap(), 2.0);
    assert_eq!(r.segment_of(6), Some(1));
    assert!(r.point_type.iter().all(|p| *p == CommonCause));
    assert_eq!(
        r.warnings
            .iter()
            .filter(|w| w.contains("fewer than 13"))
            .count(),
        2
    );
    // Unrebased, the second half is a shift above the mean? Only 6 points: no. But all six
    // upper points lie above the mean of 7 and outside 7 ± 2.66 × (8+20)/11... check a signal.
    let r = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    assert!(r.point_type.iter().any(|p| *p != CommonCause));
}

#[test]
fn the_mean_is_accurate() {
    // A naive running sum of 0.1 ten times is 0.9999999999999999.
    let y = [0.1; 10];
    assert_eq!(y.iter().sum::<f64>(), 0.9999999999999999);
    assert_eq!(accurate_mean(&y), 0.1);
    let big = [1e16, 1.0, -1e16, 1.0];
    assert_eq!(accurate_mean(&big), 0.5);
}
