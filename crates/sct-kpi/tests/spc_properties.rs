//! Properties of the SPC method that hold for any series.

use approx::assert_relative_eq;
use proptest::prelude::*;
use sct_kpi::spc::{Improvement, PointType, SpcOptions, accurate_mean, spc};

fn series() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(-1000.0f64..1000.0, 2..80)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_mean_lies_between_symmetric_limits(y in series()) {
        let r = spc(&y, &[], &SpcOptions::default()).unwrap();
        let s = &r.segments[0];
        if let (Some(l), Some(u)) = (s.lpl, s.upl) {
            prop_assert!(l <= s.mean && s.mean <= u);
            prop_assert!(((s.mean - l) - (u - s.mean)).abs() <= 1e-9 * (1.0 + s.mean.abs() + (u - l)));
        }
    }

    #[test]
    fn a_constant_series_has_no_special_cause(c in -1e6f64..1e6, n in 1usize..60, screen in any::<bool>()) {
        let y = vec![c; n];
        let r = spc(&y, &[], &SpcOptions { screen_outliers: screen, ..SpcOptions::default() }).unwrap();
        prop_assert!(r.point_type.iter().all(|p| *p == PointType::CommonCause));
    }

    #[test]
    fn reordering_never_changes_the_mean(y in series(), seed in any::<u64>()) {
        let mut shuffled = y.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        assert_relative_eq!(accurate_mean(&y), accurate_mean(&shuffled), epsilon = 1e-12, max_relative = 1e-14);
    }

    #[test]
    fn scaling_the_values_scales_the_mean_and_limits_and_keeps_the_signals(y in series(), k in 0.01f64..100.0) {
        let scaled: Vec<f64> = y.iter().map(|v| v * k).collect();
        let a = spc(&y, &[], &SpcOptions::default()).unwrap();
        let b = spc(&scaled, &[], &SpcOptions::default()).unwrap();
        assert_relative_eq!(b.segments[0].mean, a.segments[0].mean * k, epsilon = 1e-9, max_relative = 1e-9);
        if let (Some(u1), Some(u2)) = (a.segments[0].upl, b.segments[0].upl) {
            assert_relative_eq!(u2, u1 * k, epsilon = 1e-9, max_relative = 1e-9);
        }
    }

    #[test]
    fn increase_and_decrease_swap_improvement_and_concern(y in series()) {
        let up = spc(&y, &[], &SpcOptions { improvement: Improvement::Increase, ..SpcOptions::default() }).unwrap();
        let down = spc(&y, &[], &SpcOptions { improvement: Improvement::Decrease, ..SpcOptions::default() }).unwrap();
        for (a, b) in up.point_type.iter().zip(&down.point_type) {
            let swapped = match a {
                PointType::SpecialCauseImprovement => PointType::SpecialCauseConcern,
                PointType::SpecialCauseConcern => PointType::SpecialCauseImprovement,
                other => *other,
            };
            prop_assert_eq!(swapped, *b);
        }
    }
}
