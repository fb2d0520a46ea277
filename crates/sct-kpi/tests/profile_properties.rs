//! Properties of the rule profiles: the straightforward evaluation of `ptd-0.2.2` agrees with
//! the optimised XmR core to the bit (so `--profile ptd-0.2.2` is `sct kpi spc` without
//! `--profile`), the fast path's explanations are the straightforward ones, and comparing a
//! profile with itself finds no difference.

use proptest::prelude::*;
use sct_kpi::profile::{self, Profile, ProfileKind};
use sct_kpi::spc::{self, Improvement, SpcOptions};

/// Series with many ties, constant stretches and the odd spike.
fn series() -> impl Strategy<Value = Vec<f64>> {
    prop_oneof![
        proptest::collection::vec(-5i32..5, 1..90)
            .prop_map(|v| v.into_iter().map(f64::from).collect()),
        proptest::collection::vec(-1000.0f64..1000.0, 1..90),
        proptest::collection::vec(0u8..4, 1..90).prop_map(|v| v
            .into_iter()
            .enumerate()
            .map(|(i, k)| i as f64 * 0.5 + f64::from(k) * if k == 3 { 40.0 } else { 1.0 })
            .collect()),
    ]
}

fn options() -> impl Strategy<Value = (SpcOptions, bool)> {
    (
        prop_oneof![
            Just(Improvement::Increase),
            Just(Improvement::Decrease),
            Just(Improvement::Neutral)
        ],
        proptest::option::of(-10.0f64..10.0),
        proptest::option::of(12usize..20),
        any::<bool>(),
        2usize..9,
        2usize..9,
    )
        .prop_map(|(improvement, target, fix_after, screen, shift, trend)| {
            (
                SpcOptions {
                    improvement,
                    target,
                    fix_after,
                    screen_outliers: screen,
                    shift_length: shift,
                    trend_length: trend,
                },
                screen,
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn ptd_detailed_equals_the_core(
        values in series(),
        (o, screen) in options(),
        starts in proptest::collection::vec(0usize..90, 0..3),
    ) {
        let core = spc::spc(&values, &starts, &o).unwrap();
        let p = Profile { screen_outliers: screen, ..Profile::of(ProfileKind::Ptd022) };
        let detailed = profile::judge_detailed(&values, &starts, &[], &o, &p).unwrap();
        prop_assert_eq!(&detailed.result.point_type, &core.point_type);
        prop_assert_eq!(&detailed.result.rule, &core.rule);
        prop_assert_eq!(detailed.result.variation_icon, core.variation_icon);
        prop_assert_eq!(detailed.result.assurance_icon, core.assurance_icon);
        prop_assert_eq!(&detailed.result.warnings, &core.warnings);
        for (a, b) in detailed.result.segments.iter().zip(&core.segments) {
            prop_assert_eq!(a.mean.to_bits(), b.mean.to_bits());
            prop_assert_eq!(a.amr.map(f64::to_bits), b.amr.map(f64::to_bits));
            prop_assert_eq!(a.lpl.map(f64::to_bits), b.lpl.map(f64::to_bits));
            prop_assert_eq!(a.upl.map(f64::to_bits), b.upl.map(f64::to_bits));
            prop_assert_eq!(a, b);
        }
        // The fast path gives the core's result and the straightforward explanations.
        let fast = profile::judge(&values, &starts, &[], &o, &p).unwrap();
        prop_assert_eq!(&fast.result, &core);
        prop_assert_eq!(&fast.hits, &detailed.hits);
        // Every flagged point is explained; no common-cause point is.
        for (t, h) in core.point_type.iter().zip(&fast.hits) {
            prop_assert_eq!(*t == spc::PointType::CommonCause, h.is_empty());
        }
    }

    #[test]
    fn comparing_a_profile_with_itself_lists_nothing(
        values in series(),
        (o, _) in options(),
        breaks in proptest::collection::vec(0usize..90, 0..3),
        mdc in any::<bool>(),
    ) {
        let kind = if mdc { ProfileKind::Mdc } else { ProfileKind::Ptd022 };
        let a = profile::judge(&values, &[], &breaks, &o, &Profile::of(kind)).unwrap();
        let b = profile::judge(&values, &[], &breaks, &o, &Profile::of(kind)).unwrap();
        prop_assert!(profile::differences(&a, &b).is_empty());
        // Under mdc too, a point is flagged exactly when it has a rule behind it.
        for (t, h) in a.result.point_type.iter().zip(&a.hits) {
            prop_assert_eq!(*t == spc::PointType::CommonCause, h.is_empty());
        }
    }
}
