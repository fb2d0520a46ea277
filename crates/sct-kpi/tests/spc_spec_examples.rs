//! Worked examples for the rules, icons and options of `shared/spec/spc.md` that
//! `spc_rules.rs` does not already work through. Every expectation is computed by hand from the
//! spec's text, and the arithmetic is in the comment above it; "§n" is the spec's Method step n.
//!
//! Many examples fix the limits with `fix_after: Some(12)` on a simple base, so that the points
//! after it can be placed exactly where a rule needs them:
//!
//! - `BASE_1`  = −0.5 0.5 × 6 (or 0.5 −0.5 × 6): mean 0; eleven moving ranges of 1, AMR 1 (cut
//!   3.267 screens none); limits 0 ± 2.66 (exactly 2.66 and −2.66 in floating point); near band
//!   ± (2/3) × 2.66 = ±1.77333.
//! - `BASE_14` = 0 14 × 6: mean 7; moving ranges all 14, AMR 14 (cut 45.74 screens none);
//!   limits 7 ± 37.24 = −30.24, 44.24; near band 7 ± 24.8267 = −17.8267, 31.8267.
//! - `BASE_20` = 20 0 × 6: mean 10; moving ranges all 20, AMR 20 (cut 65.34); limits
//!   10 ± 53.2 = −43.2, 63.2; near band 10 ± 35.4667 = −25.4667, 45.4667.

use approx::assert_relative_eq;
use sct_kpi::spc::{
    AssuranceIcon, Improvement, PointType, Rule, SpcOptions, SpcResult, VariationIcon, spc,
};

use PointType::*;
use Rule::*;

fn opts(improvement: Improvement) -> SpcOptions {
    SpcOptions {
        improvement,
        ..SpcOptions::default()
    }
}

fn fixed12(improvement: Improvement) -> SpcOptions {
    SpcOptions {
        fix_after: Some(12),
        ..opts(improvement)
    }
}

/// −0.5 0.5 repeated: twelve points, ending above the mean (see the module comment).
fn base_1() -> Vec<f64> {
    [-0.5, 0.5].repeat(6)
}

/// Asserts that exactly the points in `flags` are special causes, of the given type and first
/// rule, and that every other point is common cause with no rule.
#[track_caller]
fn assert_flags(r: &SpcResult, flags: &[(usize, PointType, Rule)]) {
    let got: Vec<(usize, PointType, Rule)> = (0..r.point_type.len())
        .filter(|&i| r.point_type[i] != CommonCause || r.rule[i].is_some())
        .map(|i| {
            (
                i,
                r.point_type[i],
                r.rule[i].expect("a special cause has a rule"),
            )
        })
        .collect();
    assert_eq!(got, flags);
}

/// The same special-cause type and rule for each index in `range`.
fn each(
    range: std::ops::RangeInclusive<usize>,
    t: PointType,
    rule: Rule,
) -> Vec<(usize, PointType, Rule)> {
    range.map(|i| (i, t, rule)).collect()
}

// ---------------------------------------------------------------------------------------------
// §5 Screening
// ---------------------------------------------------------------------------------------------

#[test]
fn a_moving_range_exactly_at_the_screening_cut_is_dropped() {
    // y = 0 794 0 794 0 794 0 794 0 794 0 793 4060 (13 points).
    // Moving ranges: 794 × 10, |793 − 0| = 793, |4060 − 793| = 3267; sum 7940 + 793 + 3267 =
    // 12000, AMR 12000 / 12 = 1000 exactly. Cut 3.267 × 1000 = 3267 (also in floating point).
    // §5 drops MR ≥ cut, so the 3267 goes: AMR = 8733 / 11 = 793.90909…
    // Mean (screening never changes it) = (5 × 794 + 793 + 4060) / 13 = 8823 / 13 = 678.69231.
    // Limits 678.69231 ± 2.66 × 793.90909 = ± 2111.79818: lpl −1433.10587, upl 2790.49049.
    // Near band ± 1407.86545: upper 2086.55776, lower −729.17314, and no point is beyond it.
    // (a): 4060 > upl. Sides: the 0s below, 794, 793 and 4060 above, so − + − + … − (index 10)
    // then + + : the longest run on one side is 2. Steps alternate until 0 → 793 → 4060: a
    // rising run of 3 points. So only index 12 is flagged.
    let y = [
        0.0, 794.0, 0.0, 794.0, 0.0, 794.0, 0.0, 794.0, 0.0, 794.0, 0.0, 793.0, 4060.0,
    ];
    assert_eq!(3.267_f64 * 1000.0, 3267.0, "the cut is exact");
    let r = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    let s = &r.segments[0];
    assert_eq!(s.screened, 1);
    assert_relative_eq!(s.amr.unwrap(), 8733.0 / 11.0, max_relative = 1e-12);
    assert_relative_eq!(s.mean, 8823.0 / 13.0, max_relative = 1e-12);
    assert_relative_eq!(
        s.upl.unwrap(),
        8823.0 / 13.0 + 2.66 * 8733.0 / 11.0,
        max_relative = 1e-12
    );
    assert_relative_eq!(s.lpl.unwrap(), -1433.1058741258741, max_relative = 1e-9);
    assert_flags(&r, &[(12, SpecialCauseImprovement, OutsideLimits)]);
    assert_eq!(r.variation_icon, VariationIcon::ImprovementHigh);

    // --no-screen-outliers keeps all twelve: AMR 1000, limits 678.69231 ± 2660 (upl 3338.69231);
    // the mean is the same, and 4060 is still outside.
    let r = spc(
        &y,
        &[],
        &SpcOptions {
            screen_outliers: false,
            ..opts(Improvement::Increase)
        },
    )
    .unwrap();
    let s = &r.segments[0];
    assert_eq!(s.screened, 0);
    assert_eq!(s.amr, Some(1000.0));
    assert_relative_eq!(s.mean, 8823.0 / 13.0, max_relative = 1e-12);
    assert_relative_eq!(s.upl.unwrap(), 8823.0 / 13.0 + 2660.0, max_relative = 1e-12);
    assert_flags(&r, &[(12, SpecialCauseImprovement, OutsideLimits)]);
}

#[test]
fn screening_recomputes_the_average_moving_range_once_only() {
    // y = 0 1 0 1 0 1 0 1 0 1 0 5 105: moving ranges ten 1s, 5 and 100; sum 115, AMR 115 / 12
    // = 9.58333; cut 3.267 × 9.58333 = 31.30875: only the 100 goes (5 < 31.3).
    // AMR once more = (10 + 5) / 11 = 15 / 11 = 1.363636. (A second round would cut at
    // 3.267 × 1.363636 = 4.4550 and drop the 5 too, giving AMR 1: the spec says once.)
    // Mean 115 / 13 = 8.846154; limits 8.846154 ± 2.66 × 15/11 = ± 3.627273: lpl 5.218881,
    // upl 12.473427. Every 0, 1 and the 5 (< 5.2189) is below the lower limit (a, concern);
    // 105 is above the upper one (a, improvement).
    let y = [
        0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 5.0, 105.0,
    ];
    let r = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    let s = &r.segments[0];
    assert_eq!(s.screened, 1);
    assert_relative_eq!(s.amr.unwrap(), 15.0 / 11.0, max_relative = 1e-12);
    assert_relative_eq!(s.mean, 115.0 / 13.0, max_relative = 1e-12);
    assert_relative_eq!(
        s.lpl.unwrap(),
        115.0 / 13.0 - 2.66 * 15.0 / 11.0,
        max_relative = 1e-12
    );
    let mut expected = each(0..=11, SpecialCauseConcern, OutsideLimits);
    expected.push((12, SpecialCauseImprovement, OutsideLimits));
    assert_flags(&r, &expected);
}

// ---------------------------------------------------------------------------------------------
// §4 An accurate mean: a point equal to the mean is on it
// ---------------------------------------------------------------------------------------------

#[test]
fn a_point_equal_to_the_accurate_mean_breaks_a_shift() {
    // y = 0.2 0.4 0.2 0.1 0.2 0.4 0.2 −0.1 −0.1 −0.1 −0.1 0 0. With d the double nearest 0.1,
    // 0.2 and 0.4 are exactly 2d and 4d, so the deviations from d sum to
    // (d + 3d + d + 0 + d + 3d + d) − (4 × 2d + 2 × d) = 10d − 10d = 0: the mean is exactly d,
    // the value 0.1. (A naive running sum gives 0.09999999999999996, below 0.1, which would put
    // the 0.1 above the mean and make indices 0..6 a shift of 7.)
    // Moving ranges 0.2 0.2 0.1 0.1 0.2 0.2 0.3 0 0 0 0.1 0: sum 1.4, AMR 1.4 / 12 = 0.116667;
    // cut 0.381150 screens none. Limits 0.1 ± 0.310333 (−0.210333, 0.410333): none outside.
    // Near band 0.1 ± 0.206889 (upper 0.306889, lower −0.106889): the 0.4s are beyond, but no
    // window of three same-side points holds two of them (the 0.1 on the mean has side 0).
    // Trend: steps + − − + + − − 0 0 0 + 0, no six alike. Shift: sides + + + 0 + + + − − − − −
    // −: runs 3, 3 and 6. Nothing is flagged.
    let y = [
        0.2, 0.4, 0.2, 0.1, 0.2, 0.4, 0.2, -0.1, -0.1, -0.1, -0.1, 0.0, 0.0,
    ];
    let naive = y.iter().sum::<f64>() / 13.0;
    assert!(naive < 0.1, "the naive mean {naive} would be below 0.1");
    let r = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    let s = &r.segments[0];
    assert_eq!(s.mean, 0.1, "the mean is exactly the value 0.1");
    assert_relative_eq!(s.amr.unwrap(), 1.4 / 12.0, max_relative = 1e-12);
    assert_relative_eq!(
        s.upl.unwrap(),
        0.1 + 2.66 * 1.4 / 12.0,
        max_relative = 1e-12
    );
    assert_flags(&r, &[]);
    assert_eq!(r.variation_icon, VariationIcon::CommonCause);
}

// ---------------------------------------------------------------------------------------------
// §7 (a) and (c): strict inequalities, and the two-of-three windows
// ---------------------------------------------------------------------------------------------

#[test]
fn a_point_exactly_on_a_limit_is_not_outside_but_is_beyond_the_near_band() {
    // BASE_1 (limits exactly ±2.66), then
    //   idx 12 2.66, 13 0.5, 14 2.66, 15 −2.66, 16 −0.5, 17 −2.66, 18 2.67, 19 0.5.
    // (a) is strict: 2.66 is not > upl 2.66 and −2.66 is not < lpl −2.66; 2.67 > 2.66 is.
    // Beyond the near band (±1.77333) but not outside: 12, 14 (above) and 15, 17 (below).
    // (c) windows: (12 13 14) all above, two beyond → 12 and 14 (not 13);
    //              (15 16 17) all below, two beyond → 15 and 17 (not 16);
    //              (11 12 13) all above but only 12 beyond; the others mix sides.
    // Sides from index 11: + + + + − − − + +: no run of 7. Steps alternate: no trend.
    let mut y = base_1();
    y.extend([2.66, 0.5, 2.66, -2.66, -0.5, -2.66, 2.67, 0.5]);
    let r = spc(&y, &[], &fixed12(Improvement::Increase)).unwrap();
    let s = &r.segments[0];
    assert_eq!(
        (s.mean, s.amr, s.lpl, s.upl),
        (0.0, Some(1.0), Some(-2.66), Some(2.66))
    );
    assert_flags(
        &r,
        &[
            (12, SpecialCauseImprovement, TwoOfThree),
            (14, SpecialCauseImprovement, TwoOfThree),
            (15, SpecialCauseConcern, TwoOfThree),
            (17, SpecialCauseConcern, TwoOfThree),
            (18, SpecialCauseImprovement, OutsideLimits),
        ],
    );
    assert_eq!(r.variation_icon, VariationIcon::CommonCause);
}

#[test]
fn two_of_three_windows_edge_cases() {
    // BASE_1 (mean 0, limits ±2.66, near band ±1.77333), then blocks separated by −0.5:
    //   (i)   12 2, 13 2, 14 2            all three beyond: (11 12 13), (12 13 14) → all three.
    //         15 −0.5
    //   (ii)  16 2, 17 0.5, 18 2          (16 17 18) all above, 16 and 18 beyond → those two,
    //                                     not the 0.5 in the middle.
    //         19 −0.5
    //   (iii) 20 3, 21 2, 22 0.5          3 is outside (a); (20 21 22) has only 21 beyond and
    //                                     not outside → 21 is not flagged.
    //         23 −0.5
    //   (iv)  24 2, 25 2, 26 0            (24 25 26): 0 is on the mean (side 0); (23 24 25):
    //                                     −0.5 is below → 24 and 25 are not flagged.
    //         27 0.5
    //   (v)   28 −2, 29 −2, 30 0.5        the windows holding both mix sides (0.5 either side)
    //                                     → not flagged.
    //   (vi)  31 3, 32 2, 33 2            (31 32 33) all above: 31 outside, 32 and 33 beyond
    //                                     and inside → 32 and 33 by (c); 31 by (a).
    //         34 −0.5
    // Sides from index 11: + + + + − + + + − + + + − + + 0 + − − + + + + −: longest run 4.
    // Steps: + 0 0 − + − + − + − − − + 0 − + − 0 + + − 0 −: longest rise or fall 3 steps.
    let mut y = base_1();
    y.extend([
        2.0, 2.0, 2.0, -0.5, 2.0, 0.5, 2.0, -0.5, 3.0, 2.0, 0.5, -0.5, 2.0, 2.0, 0.0, 0.5, -2.0,
        -2.0, 0.5, 3.0, 2.0, 2.0, -0.5,
    ]);
    assert_eq!(y.len(), 35);
    let r = spc(&y, &[], &fixed12(Improvement::Increase)).unwrap();
    assert_flags(
        &r,
        &[
            (12, SpecialCauseImprovement, TwoOfThree),
            (13, SpecialCauseImprovement, TwoOfThree),
            (14, SpecialCauseImprovement, TwoOfThree),
            (16, SpecialCauseImprovement, TwoOfThree),
            (18, SpecialCauseImprovement, TwoOfThree),
            (20, SpecialCauseImprovement, OutsideLimits),
            (31, SpecialCauseImprovement, OutsideLimits),
            (32, SpecialCauseImprovement, TwoOfThree),
            (33, SpecialCauseImprovement, TwoOfThree),
        ],
    );
    // §9 with no better direction: above the mean is neutral high.
    let r = spc(&y, &[], &fixed12(Improvement::Neutral)).unwrap();
    assert_eq!(r.point_type[12], SpecialCauseNeutralHigh);
    assert_eq!(r.point_type[20], SpecialCauseNeutralHigh);
    assert_eq!(r.point_type[21], CommonCause);
}

// ---------------------------------------------------------------------------------------------
// §7 (d) Shifts
// ---------------------------------------------------------------------------------------------

/// 0.5 −0.5 × 6 (mean 0, limits ±2.66, ending below the mean), then
///   12..18 seven 1s (above), 19 −1, 20..25 six 1s, 26 −1, 27..29 1 1 1, 30 0 (on the mean),
///   31..33 1 1 1, 34..40 seven −1s (below).
fn shifts() -> Vec<f64> {
    let mut y = [0.5, -0.5].repeat(6);
    y.extend([1.0; 7]);
    y.push(-1.0);
    y.extend([1.0; 6]);
    y.push(-1.0);
    y.extend([1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0]);
    y.extend([-1.0; 7]);
    y
}

#[test]
fn a_shift_is_seven_points_and_a_point_on_the_mean_breaks_it() {
    // shifts(): every value is inside the near band (|±1| < 1.77333) and the limits, so (a) and
    // (c) never apply; ties and single steps make no trend (longest rise or fall: 1 step).
    // Runs of one side: 12..18 seven above → shift; 20..25 six above → not; 27..29 and 31..33
    // three each, split by the 0 on the mean → not (seven if the 0 counted as above);
    // 34..40 seven below → shift. The last point is a concern below the mean.
    let y = shifts();
    assert_eq!(y.len(), 41);
    let r = spc(&y, &[], &fixed12(Improvement::Increase)).unwrap();
    let mut expected = each(12..=18, SpecialCauseImprovement, Shift);
    expected.extend(each(34..=40, SpecialCauseConcern, Shift));
    assert_flags(&r, &expected);
    assert_eq!(r.variation_icon, VariationIcon::ConcernLow);

    // §9/§10 decrease swaps them: the last point is an improvement, below: improvement_low.
    let r = spc(&y, &[], &fixed12(Improvement::Decrease)).unwrap();
    let mut expected = each(12..=18, SpecialCauseConcern, Shift);
    expected.extend(each(34..=40, SpecialCauseImprovement, Shift));
    assert_flags(&r, &expected);
    assert_eq!(r.variation_icon, VariationIcon::ImprovementLow);

    // Neutral: high above, low below; the last point gives neutral_low.
    let r = spc(&y, &[], &fixed12(Improvement::Neutral)).unwrap();
    let mut expected = each(12..=18, SpecialCauseNeutralHigh, Shift);
    expected.extend(each(34..=40, SpecialCauseNeutralLow, Shift));
    assert_flags(&r, &expected);
    assert_eq!(r.variation_icon, VariationIcon::NeutralLow);
}

#[test]
fn the_shift_length_option_sets_the_run() {
    // shifts() with --shift-length 6: the six 1s at 20..25 are now a shift; the runs of three
    // either side of the 0 on the mean are still not.
    let r = spc(
        &shifts(),
        &[],
        &SpcOptions {
            shift_length: 6,
            ..fixed12(Improvement::Increase)
        },
    )
    .unwrap();
    let mut expected = each(12..=18, SpecialCauseImprovement, Shift);
    expected.extend(each(20..=25, SpecialCauseImprovement, Shift));
    expected.extend(each(34..=40, SpecialCauseConcern, Shift));
    assert_flags(&r, &expected);
}

#[test]
fn two_of_three_comes_before_shift_for_the_rule_reported() {
    // BASE_1 (ending with 0.5 at index 11, above; index 10 is −0.5), then 12: 2, 13: 2,
    // 14..18: five 1s. Sides 11..18 are eight above → a shift (d) of 8, from index 11.
    // (c): (11 12 13) = 0.5 2 2 and (12 13 14) = 2 2 1 are all above with 12 and 13 beyond
    // 1.77333 and inside 2.66 → 12 and 13. Steps + 0 − 0 0 0 0: no trend; nothing outside.
    // §8: 12 and 13 take (c), the rest of the run (d); both give the side of the mean, above.
    let mut y = base_1();
    y.extend([2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    let r = spc(&y, &[], &fixed12(Improvement::Increase)).unwrap();
    let mut expected = vec![(11, SpecialCauseImprovement, Shift)];
    expected.extend(each(12..=13, SpecialCauseImprovement, TwoOfThree));
    expected.extend(each(14..=18, SpecialCauseImprovement, Shift));
    assert_flags(&r, &expected);
}

// ---------------------------------------------------------------------------------------------
// §7 (b) and §8 Trends and their direction
// ---------------------------------------------------------------------------------------------

/// BASE_14 (mean 7, limits −30.24 and 44.24, near band −17.8267 to 31.8267), then
///   idx 12..18: 1 2 3 4 5 6 7, 19..25: 7 6 5 4 3 2 1, 26..31: 2 3 4 5 6 7.
fn peaks() -> Vec<f64> {
    let mut y = [0.0, 14.0].repeat(6);
    y.extend([
        1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 5.0,
        6.0, 7.0,
    ]);
    y
}

#[test]
fn a_tie_at_the_peak_counts_as_falling_and_the_valley_takes_the_next_step() {
    // peaks(): every value lies within the limits and the near band, so only (b) and (d) can
    // apply. Steps: 14 → 1 falls, then 12..18 rise (7 points: a trend), 18 → 19 is a tie (7 7,
    // which breaks the run), 19..25 fall (7 points: a trend), 25..31 rise (7 points: a trend;
    // index 25, the valley, is in two trends).
    // §8 (b) directions (the next point is in a trend → sign(next − this), else
    // sign(this − previous), 0 counting as falling):
    //   12..17: next rises → up (improvement with increase);
    //   18 (the first 7): next (the second 7) is in a trend, sign(7 − 7) = 0 → falling;
    //   19..24: next falls → down;
    //   25 (the valley 1): next is 2 → up;  26..30: next rises → up;
    //   31 (the last point): no next, sign(7 − 6) → up.
    // (d): 20..30 (6 5 4 3 2 1 2 3 4 5 6) are eleven points below 7, a shift, but (b) comes
    // first: 26..30 are below the mean yet rising, so improvements. 12..17 are six below the
    // mean, then 18 and 19 sit on it.
    let y = peaks();
    assert_eq!(y.len(), 32);
    let r = spc(&y, &[], &fixed12(Improvement::Increase)).unwrap();
    let s = &r.segments[0];
    assert_eq!((s.mean, s.amr), (7.0, Some(14.0)));
    let mut expected = each(12..=17, SpecialCauseImprovement, Trend);
    expected.extend(each(18..=24, SpecialCauseConcern, Trend));
    expected.extend(each(25..=31, SpecialCauseImprovement, Trend));
    assert_flags(&r, &expected);
    assert_eq!(r.variation_icon, VariationIcon::ImprovementHigh);

    // Decrease: the same directions with the types swapped; the last point rises: concern_high.
    let r = spc(&y, &[], &fixed12(Improvement::Decrease)).unwrap();
    let mut expected = each(12..=17, SpecialCauseConcern, Trend);
    expected.extend(each(18..=24, SpecialCauseImprovement, Trend));
    expected.extend(each(25..=31, SpecialCauseConcern, Trend));
    assert_flags(&r, &expected);
    assert_eq!(r.variation_icon, VariationIcon::ConcernHigh);
}

#[test]
fn the_trend_length_option_sets_the_run() {
    // peaks() with --trend-length 8: no run of 8 points rises or falls (each is 7), so no
    // trend; what remains is the shift of eleven points below the mean at 20..30 (d,
    // concern). 12..17 are only six below, and 31 (7) is on the mean, so common cause.
    let r = spc(
        &peaks(),
        &[],
        &SpcOptions {
            trend_length: 8,
            ..fixed12(Improvement::Increase)
        },
    )
    .unwrap();
    assert_flags(&r, &each(20..=30, SpecialCauseConcern, Shift));
    assert_eq!(r.variation_icon, VariationIcon::CommonCause);
}

/// BASE_20 (mean 10, limits −43.2 and 63.2, near band −25.4667 to 45.4667; it ends with 0),
/// then seven points from `tail`.
fn base_20_then(tail: [f64; 7]) -> Vec<f64> {
    let mut y = [20.0, 0.0].repeat(6);
    y.extend(tail);
    y
}

#[test]
fn a_falling_trend_above_the_mean_takes_its_direction_from_the_trend() {
    // BASE_20, then 12..18: 63 60 57 54 51 48 45.
    // (a): all ≤ 63.2 and ≥ −43.2, none outside.
    // (b): 0 → 63 rises, then six falls: 12..18 is a falling trend of 7.
    // (c): 63 .. 48 are > 45.4667 and ≤ 63.2: beyond the near band, all above the mean →
    //      every window in 12..18 qualifies (45 is not beyond).
    // (d): index 11 (0) is below; 12..18 are seven above 10 → a shift.
    // §8: (b) comes before (c) and (d), so the direction is the trend's: falling. With
    // increase that is a concern, though the points are above the mean.
    let y = base_20_then([63.0, 60.0, 57.0, 54.0, 51.0, 48.0, 45.0]);
    let r = spc(&y, &[], &fixed12(Improvement::Increase)).unwrap();
    assert_relative_eq!(r.segments[0].upl.unwrap(), 63.2, max_relative = 1e-12);
    assert_flags(&r, &each(12..=18, SpecialCauseConcern, Trend));
    assert_eq!(r.variation_icon, VariationIcon::ConcernLow);
    // Decrease: a falling trend is an improvement, the last point is one: improvement_low.
    let r = spc(&y, &[], &fixed12(Improvement::Decrease)).unwrap();
    assert_flags(&r, &each(12..=18, SpecialCauseImprovement, Trend));
    assert_eq!(r.variation_icon, VariationIcon::ImprovementLow);
    // Neutral: falling is low.
    let r = spc(&y, &[], &fixed12(Improvement::Neutral)).unwrap();
    assert_flags(&r, &each(12..=18, SpecialCauseNeutralLow, Trend));
    assert_eq!(r.variation_icon, VariationIcon::NeutralLow);
}

#[test]
fn a_rising_trend_from_the_last_base_point() {
    // BASE_20, then 12..18: 45 48 51 54 57 60 63. The base's last point (11, value 0) rises to
    // 45, so the rising run is 11..18, eight points: a trend, all rising (§8: each next point
    // is in the trend and higher; 18 has no next, 63 − 60 > 0). Index 11 is below the mean but
    // its direction is the trend's.
    let y = base_20_then([45.0, 48.0, 51.0, 54.0, 57.0, 60.0, 63.0]);
    for (improvement, t, icon) in [
        (
            Improvement::Increase,
            SpecialCauseImprovement,
            VariationIcon::ImprovementHigh,
        ),
        (
            Improvement::Decrease,
            SpecialCauseConcern,
            VariationIcon::ConcernHigh,
        ),
        (
            Improvement::Neutral,
            SpecialCauseNeutralHigh,
            VariationIcon::NeutralHigh,
        ),
    ] {
        let r = spc(&y, &[], &fixed12(improvement)).unwrap();
        assert_flags(&r, &each(11..=18, t, Trend));
        assert_eq!(r.variation_icon, icon);
    }
}

// ---------------------------------------------------------------------------------------------
// §2 Segments: nothing crosses a boundary
// ---------------------------------------------------------------------------------------------

#[test]
fn a_shift_does_not_run_across_a_rebase() {
    // Segment 1 = 0 8 0 8 6 6 6 6: mean 40/8 = 5; MRs 8 8 8 2 0 0 0, AMR 26/7 = 3.714286 (cut
    // 12.13); limits 5 ± 9.88 (−4.88, 14.88); near band ± 6.58667 (upper 11.58667).
    // Segment 2 = 6 6 0 8 0 8 0 8: mean 36/8 = 4.5; MRs 0 6 8 8 8 8 8, AMR 46/7 = 6.571429
    // (cut 21.47); limits 4.5 ± 17.48 (−12.98, 21.98); near band ± 11.65333.
    // Sides: segment 1 − + − + + + + +, segment 2 + + − + − + − +. Five above at the end of
    // segment 1 and two at the start of segment 2: seven in a row only across the boundary.
    // Nothing is near a limit, and no trend. So nothing is flagged.
    let y = [
        0.0, 8.0, 0.0, 8.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 0.0, 8.0, 0.0, 8.0, 0.0, 8.0,
    ];
    let r = spc(&y, &[8], &opts(Improvement::Increase)).unwrap();
    assert_eq!(r.segments.len(), 2);
    assert_relative_eq!(r.segments[0].mean, 5.0);
    assert_relative_eq!(r.segments[0].amr.unwrap(), 26.0 / 7.0, max_relative = 1e-12);
    assert_relative_eq!(r.segments[1].mean, 4.5);
    assert_relative_eq!(r.segments[1].amr.unwrap(), 46.0 / 7.0, max_relative = 1e-12);
    assert_relative_eq!(r.segments[1].lpl.unwrap(), -12.98, max_relative = 1e-12);
    assert_flags(&r, &[]);
    // Without the rebase: mean 76/16 = 4.75, MRs 26 + 0 + 46 = 72 over 15, AMR 4.8 (cut
    // 15.68), limits 4.75 ± 12.768; indices 3..9 (8 6 6 6 6 6 6) are seven above 4.75: a shift.
    let r = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    assert_relative_eq!(r.segments[0].amr.unwrap(), 4.8, max_relative = 1e-12);
    assert_flags(&r, &each(3..=9, SpecialCauseImprovement, Shift));
}

#[test]
fn a_trend_does_not_run_across_a_rebase() {
    // Segment 1 = 10 0 10 0 10 0 2 4 6: mean 42/9 = 4.666667; MRs 10 × 5, 2 × 3: AMR 56/8 = 7
    // (cut 22.87); limits 4.666667 ± 18.62; near band ± 12.41333 (−7.74667, 17.08).
    // Segment 2 = 8 10 12 0 12 0 12: mean 54/7 = 7.714286; MRs 2 2 12 12 12 12: AMR 52/6 =
    // 8.666667 (cut 28.31); limits ± 23.05333; near band ± 15.36889 (−7.654603, 23.08317).
    // Within segment 1 the rise 0 2 4 6 is 4 points; within segment 2, 8 10 12 is 3. Across the
    // boundary 0 2 4 6 8 10 12 would be 7. No value is outside or beyond the near band;
    // sides + − + − + − − − + and + + + − + − +: no shift. Nothing is flagged.
    let y = [
        10.0, 0.0, 10.0, 0.0, 10.0, 0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 0.0, 12.0, 0.0, 12.0,
    ];
    let r = spc(&y, &[9], &opts(Improvement::Increase)).unwrap();
    assert_relative_eq!(r.segments[0].amr.unwrap(), 7.0, max_relative = 1e-12);
    assert_relative_eq!(r.segments[1].mean, 54.0 / 7.0, max_relative = 1e-12);
    assert_relative_eq!(r.segments[1].amr.unwrap(), 52.0 / 6.0, max_relative = 1e-12);
    assert_flags(&r, &[]);
    // Without the rebase: mean 96/16 = 6; MRs 56 + |8 − 6| + 52 = 110 over 15, AMR 7.333333;
    // limits 6 ± 19.50667, nothing outside: indices 5..11 are a rising trend of 7.
    let r = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    assert_flags(&r, &each(5..=11, SpecialCauseImprovement, Trend));
}

#[test]
fn a_two_of_three_window_does_not_span_a_rebase() {
    // --fix-after 12, rebase at index 14.
    // Segment 1 = BASE_1 then 0.5 2 (14 points): mean 0, limits ±2.66, near band ±1.77333.
    //   Index 13 (2) is beyond; the window (11 12 13) = 0.5 0.5 2 has only that one.
    // Segment 2 = 3, then −0.5 0.5 × 5, −0.5 (12 points, all base): sum 3 − 3 + 2.5 = 2.5,
    //   mean 2.5/12 = 0.208333; MRs 3.5 and ten 1s: AMR 13.5/11 = 1.227273 (cut 4.0095);
    //   limits 0.208333 ± 3.264545 (−3.056212, 3.472879); near band ± 2.176364 (upper
    //   2.384697). Index 14 (3) is beyond and inside; (14 15 16) = 3 −0.5 0.5 mixes sides.
    // Across the boundary the window (12 13 14) = 0.5 2 3 is all above its own segment's mean
    // with two beyond: it would flag 13 and 14. Nothing else can: no runs of 7 either side,
    // no trend. So nothing is flagged.
    let mut y = base_1();
    y.extend([0.5, 2.0, 3.0]);
    y.extend([-0.5, 0.5].repeat(5));
    y.push(-0.5);
    assert_eq!(y.len(), 26);
    let r = spc(&y, &[14], &fixed12(Improvement::Increase)).unwrap();
    assert_eq!(r.segments[1].base, 12);
    assert_relative_eq!(r.segments[1].mean, 2.5 / 12.0, max_relative = 1e-12);
    assert_relative_eq!(
        r.segments[1].amr.unwrap(),
        13.5 / 11.0,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        r.segments[1].upl.unwrap(),
        2.5 / 12.0 + 2.66 * 13.5 / 11.0,
        max_relative = 1e-12
    );
    assert_flags(&r, &[]);
}

#[test]
fn a_trend_point_looks_at_the_next_point_only_in_its_own_segment() {
    // --fix-after 12, rebase at index 19.
    // Segment 1 = BASE_14 then 1 2 3 4 5 6 7 (19 points): mean 7, limits −30.24 and 44.24.
    //   14 → 1 falls, then 12..18 rise: a trend. 12..17 are six below the mean, 18 is on it.
    // Segment 2 = 6 5 4 3 2 1 0 14 0 14 0 14 (12 points, all base): mean 63/12 = 5.25; MRs
    //   1 × 6 and 14 × 5: AMR 76/11 = 6.909091 (cut 22.57); limits 5.25 ± 18.378182
    //   (−13.128182, 23.628182); near band ± 12.252121 (−7.002121, 17.502121): nothing beyond.
    //   19..25 fall: a trend. Sides + − − − − − − + − + − +: no run of 7.
    // §8: index 18 (the last of segment 1) has its next point, 19, in a trend, but in another
    // segment: so its direction is sign(7 − 6), rising (looking across, 6 − 7 would fall).
    // §10: the last point (30, 14) is common cause, whatever came before.
    let mut y = [0.0, 14.0].repeat(6);
    y.extend([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
    y.extend([
        6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0, 14.0, 0.0, 14.0, 0.0, 14.0,
    ]);
    assert_eq!(y.len(), 31);
    let r = spc(&y, &[19], &fixed12(Improvement::Increase)).unwrap();
    assert_relative_eq!(r.segments[1].mean, 5.25);
    assert_relative_eq!(
        r.segments[1].amr.unwrap(),
        76.0 / 11.0,
        max_relative = 1e-12
    );
    let mut expected = each(12..=18, SpecialCauseImprovement, Trend);
    expected.extend(each(19..=25, SpecialCauseConcern, Trend));
    assert_flags(&r, &expected);
    assert_eq!(r.variation_icon, VariationIcon::CommonCause);
    let counts = |k: usize| {
        let s = &r.segments[k];
        (s.common_cause, s.improvement, s.concern, s.neutral)
    };
    assert_eq!(counts(0), (12, 7, 0, 0));
    assert_eq!(counts(1), (5, 0, 7, 0));
}

// ---------------------------------------------------------------------------------------------
// §3 --fix-after, §5 undefined limits, §11 assurance, §12 few points
// ---------------------------------------------------------------------------------------------

#[test]
fn fix_after_applies_to_each_segment_and_a_shorter_segment_uses_all_its_points() {
    // --fix-after 12, rebase at index 14.
    // Segment 1 = 1 3 × 6, 20 20 (14 points): base = the first 12, mean 2, MRs all 2, AMR 2
    //   (the jump 3 → 20 is not a base moving range, so nothing is screened); limits 2 ± 5.32
    //   (−3.32, 7.32): both 20s are outside (a), improvements.
    // Segment 2 = 10 12 × 4 (8 points, fewer than 12): all 8 are base points; mean 11, AMR 2,
    //   limits 11 ± 5.32 (5.68, 16.32); nothing flagged.
    let mut y = [1.0, 3.0].repeat(6);
    y.extend([20.0, 20.0]);
    y.extend([10.0, 12.0].repeat(4));
    let r = spc(&y, &[14], &fixed12(Improvement::Increase)).unwrap();
    let (s1, s2) = (&r.segments[0], &r.segments[1]);
    assert_eq!((s1.n, s1.base, s1.screened), (14, 12, 0));
    assert_eq!((s1.mean, s1.amr), (2.0, Some(2.0)));
    assert_relative_eq!(s1.upl.unwrap(), 7.32, max_relative = 1e-12);
    assert_eq!((s2.start, s2.n, s2.base), (14, 8, 8));
    assert_eq!((s2.mean, s2.amr), (11.0, Some(2.0)));
    assert_relative_eq!(s2.lpl.unwrap(), 5.68, max_relative = 1e-12);
    assert_flags(
        &r,
        &[
            (12, SpecialCauseImprovement, OutsideLimits),
            (13, SpecialCauseImprovement, OutsideLimits),
        ],
    );
    // §12: segment 1 has 14 points (no warning); segment 2 has 8.
    let few: Vec<&String> = r
        .warnings
        .iter()
        .filter(|w| w.contains("fewer than 13"))
        .collect();
    assert_eq!(few.len(), 1, "{:?}", r.warnings);
    assert!(few[0].contains("segment 2"), "{few:?}");
}

#[test]
fn undefined_limits_leave_only_the_trend_and_shift_rules() {
    // --fix-after 12 on twelve 5s: mean 5, every base MR is 0, AMR 0, cut 0 and 0 ≥ 0 drops
    // them all: AMR and limits undefined (§5). Then 12: 100, 13: 5, 14..20: seven 6s.
    // (a) and (c) do not apply, so the 100 is common cause. Sides: 100 above, 5 on the mean,
    // the 6s seven above → a shift (d), improvements. Steps 0 → +95 → −95 → +1 → ties: no
    // trend.
    let mut y = vec![5.0; 12];
    y.extend([100.0, 5.0]);
    y.extend([6.0; 7]);
    let r = spc(
        &y,
        &[],
        &SpcOptions {
            target: Some(0.0),
            ..fixed12(Improvement::Increase)
        },
    )
    .unwrap();
    let s = &r.segments[0];
    assert_eq!((s.mean, s.amr, s.lpl, s.upl), (5.0, None, None, None));
    assert_flags(&r, &each(14..=20, SpecialCauseImprovement, Shift));
    assert_eq!(r.variation_icon, VariationIcon::ImprovementHigh);
    assert!(r.warnings.iter().any(|w| w.contains("undefined")));
    // §11: no limits to compare a target with → inconsistent.
    assert_eq!(r.assurance_icon, Some(AssuranceIcon::Inconsistent));

    // A trend with undefined limits: 5 × 12 then 6 7 8 9 10 11 12. The last base point (11,
    // value 5, on the mean) rises to 6: the rising run is 11..18, eight points, all up.
    let mut y = vec![5.0; 12];
    y.extend([6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]);
    let r = spc(&y, &[], &fixed12(Improvement::Increase)).unwrap();
    assert_eq!(r.segments[0].amr, None);
    assert_flags(&r, &each(11..=18, SpecialCauseImprovement, Trend));

    // --no-screen-outliers keeps the zero moving ranges: AMR 0, limits 5 and 5 (defined), so
    // in the first series the 100 and the 6s are outside (a); the 5 at 13 equals both limits
    // and is not outside (strict).
    let mut y = vec![5.0; 12];
    y.extend([100.0, 5.0]);
    y.extend([6.0; 7]);
    let r = spc(
        &y,
        &[],
        &SpcOptions {
            screen_outliers: false,
            ..fixed12(Improvement::Increase)
        },
    )
    .unwrap();
    let s = &r.segments[0];
    assert_eq!((s.amr, s.lpl, s.upl), (Some(0.0), Some(5.0), Some(5.0)));
    let mut expected = vec![(12, SpecialCauseImprovement, OutsideLimits)];
    expected.extend(each(14..=20, SpecialCauseImprovement, OutsideLimits));
    assert_flags(&r, &expected);
}

#[test]
fn one_and_two_point_series() {
    // One point: no moving range at all, so AMR and limits are undefined, with both warnings.
    let r = spc(&[42.0], &[], &opts(Improvement::Increase)).unwrap();
    let s = &r.segments[0];
    assert_eq!((s.mean, s.amr, s.lpl, s.upl), (42.0, None, None, None));
    assert_flags(&r, &[]);
    assert_eq!(r.variation_icon, VariationIcon::CommonCause);
    assert!(r.warnings.iter().any(|w| w.contains("undefined")));
    assert!(r.warnings.iter().any(|w| w.contains("fewer than 13")));
    // Two points 1 4: mean 2.5; one MR 3, AMR 3; cut 9.801 keeps it; limits 2.5 ± 7.98.
    let r = spc(&[1.0, 4.0], &[], &opts(Improvement::Increase)).unwrap();
    let s = &r.segments[0];
    assert_eq!((s.mean, s.amr, s.screened), (2.5, Some(3.0), 0));
    assert_relative_eq!(s.lpl.unwrap(), -5.48, max_relative = 1e-12);
    assert_relative_eq!(s.upl.unwrap(), 10.48, max_relative = 1e-12);
    assert_flags(&r, &[]);
}

#[test]
fn the_assurance_icon_uses_the_last_segments_limits() {
    // 1 3 1 3 1 3 | 11 13 11 13 11 13 (rebase at 6): segment 1 mean 2, AMR 2, limits −3.32 and
    // 7.32; segment 2 mean 12, AMR 2, limits 6.68 and 17.32. The last point is in segment 2.
    //   target  5: increase 5 < 6.68 → pass;  decrease 5 < lpl → fail.
    //               (against segment 1's limits it would be inconsistent)
    //   target  8: between 6.68 and 17.32 → inconsistent either way.
    //               (against segment 1's, 8 > 7.32: fail for increase, pass for decrease)
    //   target 18: increase 18 > 17.32 → fail; decrease → pass.
    let y = [
        1.0, 3.0, 1.0, 3.0, 1.0, 3.0, 11.0, 13.0, 11.0, 13.0, 11.0, 13.0,
    ];
    let icon = |t: f64, improvement| {
        spc(
            &y,
            &[6],
            &SpcOptions {
                target: Some(t),
                ..opts(improvement)
            },
        )
        .unwrap()
        .assurance_icon
    };
    use AssuranceIcon::*;
    use Improvement::*;
    assert_eq!(icon(5.0, Increase), Some(Pass));
    assert_eq!(icon(5.0, Decrease), Some(Fail));
    assert_eq!(icon(8.0, Increase), Some(Inconsistent));
    assert_eq!(icon(8.0, Decrease), Some(Inconsistent));
    assert_eq!(icon(18.0, Increase), Some(Fail));
    assert_eq!(icon(18.0, Decrease), Some(Pass));
    assert_eq!(icon(18.0, Neutral), None);
    // A target equal to either limit of the last segment is inconsistent, for decrease too.
    let r = spc(&y, &[6], &opts(Decrease)).unwrap();
    let (l, u) = (r.segments[1].lpl.unwrap(), r.segments[1].upl.unwrap());
    assert_relative_eq!(l, 6.68, max_relative = 1e-12);
    assert_eq!(icon(l, Decrease), Some(Inconsistent));
    assert_eq!(icon(u, Decrease), Some(Inconsistent));
    assert_eq!(icon(l, Increase), Some(Inconsistent));
    assert_eq!(icon(u, Increase), Some(Inconsistent));

    // A rebase at a last point of 50 makes a one-point segment with undefined limits: any
    // target is then inconsistent, though segment 2's limits would give pass for −1000.
    let mut y2 = y.to_vec();
    y2.push(50.0);
    let r = spc(
        &y2,
        &[6, 12],
        &SpcOptions {
            target: Some(-1000.0),
            ..opts(Increase)
        },
    )
    .unwrap();
    assert_eq!(r.segments.len(), 3);
    assert_eq!(r.segments[2].upl, None);
    assert_eq!(r.assurance_icon, Some(Inconsistent));
}

#[test]
fn thirteen_points_are_enough_and_twelve_are_not() {
    // §12: fewer than 13 points in a segment → "limits unreliable" warning; 13 → none.
    // 1 3 × 6 then 2: 13 points (mean 26/13 = 2, MRs 2 × 11 and 1, AMR 23/12).
    let mut y = [1.0, 3.0].repeat(6);
    let r = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    assert!(r.warnings.iter().any(|w| w.contains("fewer than 13")));
    assert!(r.segments[0].upl.is_some(), "few points still get limits");
    y.push(2.0);
    let r = spc(&y, &[], &opts(Improvement::Increase)).unwrap();
    assert_relative_eq!(r.segments[0].mean, 2.0);
    assert_relative_eq!(
        r.segments[0].amr.unwrap(),
        23.0 / 12.0,
        max_relative = 1e-12
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // --fix-after 12 on 20 points: the segment has 20 points, so no warning though the base
    // has 12.
    let y: Vec<f64> = [1.0, 3.0].repeat(10);
    let r = spc(&y, &[], &fixed12(Improvement::Increase)).unwrap();
    assert_eq!(r.segments[0].base, 12);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn fix_after_below_twelve_is_an_error_and_twelve_is_not() {
    let y: Vec<f64> = [1.0, 3.0].repeat(10);
    for n in [0, 1, 11] {
        let o = SpcOptions {
            fix_after: Some(n),
            ..opts(Improvement::Increase)
        };
        assert!(spc(&y, &[], &o).is_err(), "--fix-after {n}");
    }
    let r = spc(&y, &[], &fixed12(Improvement::Increase)).unwrap();
    assert_eq!(r.segments[0].base, 12);
}
