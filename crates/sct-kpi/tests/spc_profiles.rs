//! Hand-worked cases for each difference between the `ptd-0.2.2` and `mdc` profiles
//! (`shared/spec/spc-profiles.md`). The arithmetic is in the comments.

use approx::assert_relative_eq;
use sct_kpi::profile::{self, Conflict, Profile, ProfileKind, judge};
use sct_kpi::spc::{Improvement, PointType, Rule, SpcOptions, VariationIcon};

fn alternating(pairs: usize) -> Vec<f64> {
    [10.0, 12.0].repeat(pairs)
}

fn opts() -> SpcOptions {
    SpcOptions {
        improvement: Improvement::Increase,
        ..SpcOptions::default()
    }
}

fn ptd() -> Profile {
    Profile::of(ProfileKind::Ptd022)
}

fn mdc() -> Profile {
    Profile::of(ProfileKind::Mdc)
}

fn label(i: usize) -> String {
    format!("p{}", i + 1)
}

/// 10, 12 ten times, then 19, 16, 12. Mean = (100 + 120 + 19 + 16 + 12) / 23 = 267 / 23 =
/// 11.6087. Moving ranges: 19 of 2, then 7, 3 and 4: 52 / 22 = 2.3636 (3.267 × 2.3636 = 7.72,
/// so nothing is screened). UPL = 11.6087 + 2.66 × 2.3636 = 17.8960; the near band starts at
/// 11.6087 + (2/3) × 2.66 × 2.3636 = 15.8002. The window 19, 16, 12 lies above the mean: 19 is
/// beyond the limit, 16 between the band and the limit.
#[test]
fn two_of_three_counts_points_beyond_the_limits_only_under_mdc() {
    let mut v = alternating(10);
    v.extend([19.0, 16.0, 12.0]);
    let p = judge(&v, &[], &[], &opts(), &ptd()).unwrap();
    let m = judge(&v, &[], &[], &opts(), &mdc()).unwrap();
    for j in [&p, &m] {
        let s = &j.result.segments[0];
        assert_relative_eq!(s.mean, 267.0 / 23.0, max_relative = 1e-12);
        assert_relative_eq!(s.amr.unwrap(), 52.0 / 22.0, max_relative = 1e-12);
        assert_relative_eq!(s.upl.unwrap(), 17.895968379, max_relative = 1e-9);
    }
    // ptd-0.2.2: only 16 is between the band and the limit, so no window has two.
    assert_eq!(p.result.point_type[20], PointType::SpecialCauseImprovement);
    assert_eq!(p.result.rule[20], Some(Rule::OutsideLimits));
    assert_eq!(p.result.point_type[21], PointType::CommonCause);
    // mdc: 19 counts too, so both 19 and 16 are flagged; 12, inside the band, is not.
    assert_eq!(m.result.point_type[21], PointType::SpecialCauseImprovement);
    assert_eq!(
        profile::rules_text(&m.hits[20]),
        "outside_limits;two_of_three"
    );
    assert_eq!(profile::rules_text(&m.hits[21]), "two_of_three");
    assert_eq!(m.result.point_type[22], PointType::CommonCause);
    assert_eq!(profile::differences(&m, &p), vec![21]);
    assert_eq!(
        profile::explanation(&m.hits[21], label),
        "2 of 3 points in a row more than two sigma above the mean (two_of_three, p20 to p22)"
    );
}

/// 10, 12 ten times, then 20, 19, 18, 17, 16, 15, 14: mean = (220 + 119) / 27 = 12.5556, all
/// seven above it (a shift, high) and falling (a trend, low). AMR = (19 × 2 + 8 + 6 × 1) / 26
/// = 2 unscreened; near band from 12.5556 + 3.5467 = 16.1022: 14 is inside it, so 14 is
/// flagged by the trend (low) and the shift (high) only: a conflict.
#[test]
fn a_point_in_a_falling_trend_above_the_mean_under_both_conflict_rules() {
    let mut v = alternating(10);
    v.extend([20.0, 19.0, 18.0, 17.0, 16.0, 15.0, 14.0]);
    let last = v.len() - 1;
    let improvement = judge(&v, &[], &[], &opts(), &mdc()).unwrap();
    let concern = Profile {
        conflict: Conflict::Concern,
        ..mdc()
    };
    let concern = judge(&v, &[], &[], &opts(), &concern).unwrap();
    let p = judge(&v, &[], &[], &opts(), &ptd()).unwrap();
    assert_relative_eq!(
        improvement.result.segments[0].mean,
        339.0 / 27.0,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        improvement.result.segments[0].amr.unwrap(),
        2.0,
        max_relative = 1e-12
    );
    assert_eq!(profile::rules_text(&improvement.hits[last]), "trend;shift");
    assert_eq!(
        improvement.result.point_type[last],
        PointType::SpecialCauseImprovement
    );
    assert_eq!(
        concern.result.point_type[last],
        PointType::SpecialCauseConcern
    );
    // ptd-0.2.2: the trend comes first and it is falling.
    assert_eq!(p.result.point_type[last], PointType::SpecialCauseConcern);
    assert_eq!(
        improvement.variation_icon(),
        Some(VariationIcon::ImprovementHigh)
    );
    assert_eq!(concern.variation_icon(), Some(VariationIcon::ConcernLow));
    assert_eq!(
        profile::explanation(&improvement.hits[last], label),
        "7th of 7 points in a row falling (trend, p21 to p27); 7th of 7 points in a row above the mean (shift, p21 to p27)"
    );
}

/// Twelve points, the last far above the rest: `ptd-0.2.2` still computes limits (with a
/// warning) and flags it; `mdc` gives no limits, flags or icons. A thirteenth point brings
/// `mdc`'s limits back.
#[test]
fn twelve_points_under_mdc_get_no_limits_flags_or_icons() {
    let mut v = alternating(5);
    v.extend([11.0, 40.0]);
    let o = SpcOptions {
        target: Some(11.0),
        ..opts()
    };
    let p = judge(&v, &[], &[], &o, &ptd()).unwrap();
    let m = judge(&v, &[], &[], &o, &mdc()).unwrap();
    assert!(p.result.segments[0].upl.is_some());
    assert_eq!(p.result.point_type[11], PointType::SpecialCauseImprovement);
    assert!(p.result.warnings[0].contains("unreliable"));
    let s = &m.result.segments[0];
    assert!(s.upl.is_none() && s.lpl.is_none());
    assert_relative_eq!(s.mean, 161.0 / 12.0, max_relative = 1e-12);
    assert!(
        m.result
            .point_type
            .iter()
            .all(|t| *t == PointType::CommonCause)
    );
    assert_eq!((m.variation_icon(), m.assurance_icon()), (None, None));
    assert!(m.result.warnings[0].contains("fewer than 13 (min_points)"));
    v.insert(0, 12.0);
    let m13 = judge(&v, &[], &[], &o, &mdc()).unwrap();
    assert!(m13.result.segments[0].upl.is_some() && m13.variation_icon().is_some());
}

/// 10, 12 ten times, then 30, 12, 10, 12, 18.5: mean = 302.5 / 25 = 12.1. Moving ranges: 19
/// of 2, 18, 18, 2, 2, 6.5: 84.5 / 24 = 3.5208. Screening (ptd-0.2.2) drops both 18s (at
/// least 3.267 × 3.5208 = 11.50): AMR = 48.5 / 22 = 2.2045, UPL = 12.1 + 5.8640 = 17.9640, so
/// 18.5 is outside. mdc keeps them: UPL = 12.1 + 9.3654 = 21.4654, and 18.5 is common cause.
#[test]
fn a_spike_whose_screening_changes_the_limits() {
    let mut v = alternating(10);
    v.extend([30.0, 12.0, 10.0, 12.0, 18.5]);
    let p = judge(&v, &[], &[], &opts(), &ptd()).unwrap();
    let m = judge(&v, &[], &[], &opts(), &mdc()).unwrap();
    let (ps, ms) = (&p.result.segments[0], &m.result.segments[0]);
    assert_relative_eq!(ps.mean, 12.1, max_relative = 1e-12);
    assert_eq!(ps.screened, 2);
    assert_relative_eq!(ps.amr.unwrap(), 48.5 / 22.0, max_relative = 1e-12);
    assert_relative_eq!(
        ps.upl.unwrap(),
        12.1 + 2.66 * 48.5 / 22.0,
        max_relative = 1e-12
    );
    assert_eq!(ms.screened, 0);
    assert_relative_eq!(ms.amr.unwrap(), 84.5 / 24.0, max_relative = 1e-12);
    assert_relative_eq!(ms.upl.unwrap(), 21.465416667, max_relative = 1e-9);
    assert_eq!(p.result.point_type[24], PointType::SpecialCauseImprovement);
    assert_eq!(m.result.point_type[24], PointType::CommonCause);
    assert_eq!(p.variation_icon(), Some(VariationIcon::ImprovementHigh));
    assert_eq!(m.variation_icon(), Some(VariationIcon::CommonCause));
    // --screen-outliers turns screening back on under mdc.
    let screened = Profile {
        screen_outliers: true,
        ..mdc()
    };
    let m2 = judge(&v, &[], &[], &opts(), &screened).unwrap();
    assert_eq!(m2.result.segments[0].amr, ps.amr);
}

/// A gap is not joined: the moving range across it is left out, and runs stop at it.
#[test]
fn gaps_break_moving_ranges_and_runs() {
    // Seven points above a long baseline's mean, with a gap after the fourth.
    let mut v = alternating(10);
    v.extend([14.0; 7]);
    let joined = judge(&v, &[], &[], &opts(), &ptd()).unwrap();
    let gapped = judge(&v, &[], &[24], &opts(), &ptd()).unwrap();
    assert_eq!(joined.result.rule[26], Some(Rule::Shift));
    assert_eq!(gapped.result.rule[26], None, "4 + 3 points are two runs");
    // The moving range 14 → 14 across the gap is not counted: 19 × 2 + 2 + 5 × 0 over 26.
    assert_relative_eq!(
        gapped.result.segments[0].amr.unwrap(),
        40.0 / 25.0,
        max_relative = 1e-12
    );
    assert_relative_eq!(
        joined.result.segments[0].amr.unwrap(),
        40.0 / 26.0,
        max_relative = 1e-12
    );
    assert!(gapped.result.warnings.iter().any(|w| w.contains("1 gap")));
}

/// `--shift-length 6 --trend-length 6` is part of the profile's name, and six points make a
/// shift.
#[test]
fn six_point_mdc() {
    // 10, 12 ten times, 10, then six points of 14: mean 314 / 27 = 11.63, so the 10 before
    // them is below the mean and the run above it is exactly six long.
    let mut v = alternating(10);
    v.push(10.0);
    v.extend([14.0; 6]);
    let o = SpcOptions {
        shift_length: 6,
        trend_length: 6,
        ..opts()
    };
    let m = judge(&v, &[], &[], &o, &mdc()).unwrap();
    assert_eq!(m.profile, "mdc, 6-point");
    assert_eq!(m.result.rule[26], Some(Rule::Shift));
    let seven = judge(&v, &[], &[], &opts(), &mdc()).unwrap();
    assert_eq!(seven.profile, "mdc");
    assert_eq!(seven.result.rule[26], None);
}

/// A sustained shift of 12 points (mean (24 × 11 + 6 × 31) / 36 = 12.5) is suggested as a rebase, with its evidence; never applied.
#[test]
fn sustained_shifts_are_suggested_not_applied() {
    let mut v = alternating(12);
    v.extend([15.0, 16.0].repeat(6));
    let j = judge(&v, &[], &[], &opts(), &ptd()).unwrap();
    assert_eq!(j.result.segments.len(), 1, "nothing applied");
    let s = profile::suggest_rebases(&v, &j);
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].start, s[0].len, s[0].high), (24, 12, true));
    assert_relative_eq!(s[0].shift_mean, 15.5, max_relative = 1e-12);
    let text = profile::suggestion_text(&s[0], label);
    assert!(
        text.starts_with("12 points in a row above the mean of 12.5 from p25 to p36"),
        "{text}"
    );
    assert!(text.contains("not applied"));
    // Rebased there, it is no longer suggested.
    let r = judge(&v, &[24], &[], &opts(), &ptd()).unwrap();
    assert!(profile::suggest_rebases(&v, &r).is_empty());
}
