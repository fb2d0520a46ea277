//! The optimised SPC core must give exactly what the first, straightforward implementation gave:
//! bitwise-equal means, moving ranges and limits, and identical point types, rules, icons and
//! warnings. `reference` below is that implementation, kept verbatim (commit 4360c03) as the
//! yardstick; the property tests run both on awkward random series (ties, constant runs,
//! integers, huge magnitudes, ramps, rebases, every option) and compare every field.

use proptest::prelude::*;
use sct_kpi::spc::{self, Improvement, SpcError, SpcOptions, SpcResult};

/// The implementation of `sct_kpi::spc` before it was optimised, unchanged apart from this
/// wrapper: readable, branchy, and allocation-happy, so it is easy to check against the spec.
mod reference {
    #![allow(clippy::needless_range_loop)]
    use sct_kpi::spc::{
        AssuranceIcon, Improvement, PointType, Rule, Segment, SpcError, SpcOptions, SpcResult,
        VariationIcon, constants,
    };

    /// Knuth's two-sum: `a + b` as its rounded value and the exact rounding error, without
    /// branches.
    #[inline(always)]
    fn two_sum(a: f64, b: f64) -> (f64, f64) {
        let s = a + b;
        let z = s - a;
        (s, (a - (s - z)) + (b - z))
    }

    /// An accurate sum: compensated (two-sum) accumulation in four independent lanes, so the
    /// additions do not wait on each other, with the lanes' errors added back at the end.
    fn compensated_sum(values: impl Iterator<Item = f64>) -> f64 {
        let mut sum = [0.0_f64; 4];
        let mut err = [0.0_f64; 4];
        let mut lane = 0;
        for x in values {
            let (s, e) = two_sum(sum[lane], x);
            sum[lane] = s;
            err[lane] += e;
            lane = (lane + 1) & 3;
        }
        let (mut total, mut e_total) = (0.0_f64, err[0] + err[1] + err[2] + err[3]);
        for s in sum {
            let (t, e) = two_sum(total, s);
            total = t;
            e_total += e;
        }
        total + e_total
    }

    /// The arithmetic mean computed as R's `mean()` does (§4): an accurate sum divided by n, then
    /// a correction pass adding the mean of the residuals. R keeps both sums in extended
    /// precision; here each residual `x − m` is split exactly into its rounded value and rounding
    /// error (two-sum), and both parts are summed with compensation.
    pub fn accurate_mean(values: &[f64]) -> f64 {
        let n = values.len() as f64;
        let m = compensated_sum(values.iter().copied()) / n;
        if !m.is_finite() {
            return m;
        }
        let mut sum = [0.0_f64; 4];
        let mut err = [0.0_f64; 4];
        for (k, &x) in values.iter().enumerate() {
            let (r, e1) = two_sum(x, -m);
            let lane = k & 3;
            let (s, e2) = two_sum(sum[lane], r);
            sum[lane] = s;
            err[lane] += e1 + e2;
        }
        let residual = compensated_sum(sum.into_iter().chain(err));
        m + residual / n
    }

    fn sign(x: f64) -> i8 {
        if x > 0.0 {
            1
        } else if x < 0.0 {
            -1
        } else {
            0
        }
    }

    /// Mean, AMR and limits of one segment's base points (§3–6).
    fn centre_and_limits(base: &[f64], screen: bool) -> (f64, Option<f64>, usize) {
        let mean = accurate_mean(base);
        let ranges: Vec<f64> = base.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        if ranges.is_empty() {
            return (mean, None, 0);
        }
        let amr = accurate_mean(&ranges);
        if !screen {
            return (mean, Some(amr), 0);
        }
        let cut = constants::SCREEN * amr;
        let kept: Vec<f64> = ranges.iter().copied().filter(|r| *r < cut).collect();
        let screened = ranges.len() - kept.len();
        if kept.is_empty() {
            (mean, None, screened)
        } else {
            (mean, Some(accurate_mean(&kept)), screened)
        }
    }

    /// The options' and values' errors, as the method checks them first.
    fn check(values: &[f64], options: &SpcOptions) -> Result<(), SpcError> {
        if values.is_empty() {
            return Err(SpcError::Empty);
        }
        if let Some((index, value)) = values
            .iter()
            .copied()
            .enumerate()
            .find(|(_, v)| !v.is_finite())
        {
            return Err(SpcError::NotFinite { index, value });
        }
        if let Some(n) = options.fix_after
            && n < constants::MIN_FIX_AFTER
        {
            return Err(SpcError::FixAfterTooSmall(n));
        }
        if options.shift_length < 2 {
            return Err(SpcError::RunLengthTooSmall(
                "shift_length",
                options.shift_length,
            ));
        }
        if options.trend_length < 2 {
            return Err(SpcError::RunLengthTooSmall(
                "trend_length",
                options.trend_length,
            ));
        }
        Ok(())
    }

    /// The warnings of segment `k` (zero-based) of `len` points.
    fn segment_warnings(k: usize, len: usize, has_amr: bool, options: &SpcOptions) -> Vec<String> {
        let mut warnings = Vec::new();
        if len < constants::MIN_POINTS {
            warnings.push(format!(
                "segment {} has {} points, fewer than {}: its limits are unreliable",
                k + 1,
                len,
                constants::MIN_POINTS
            ));
        }
        if !has_amr {
            warnings.push(format!(
            "segment {}: no moving range remains after screening (for example a constant base), so the limits are undefined; only the trend and shift rules were applied",
            k + 1
        ));
        }
        if let Some(f) = options.fix_after
            && len < f
        {
            warnings.push(format!(
                "segment {} has {} points, fewer than fix_after {f}: all are base points",
                k + 1,
                len
            ));
        }
        warnings
    }

    /// Runs the method on `values` (in date order), with segments starting at `segment_starts`
    /// (indices; 0 is implied).
    pub fn spc(
        values: &[f64],
        segment_starts: &[usize],
        options: &SpcOptions,
    ) -> Result<SpcResult, SpcError> {
        check(values, options)?;
        let n = values.len();
        let mut starts: Vec<usize> = std::iter::once(0)
            .chain(segment_starts.iter().copied().filter(|&s| s > 0 && s < n))
            .collect();
        starts.sort_unstable();
        starts.dedup();

        let mut point_type = vec![PointType::CommonCause; n];
        let mut rule = vec![None; n];
        let mut segments = Vec::with_capacity(starts.len());
        let mut warnings = Vec::new();
        // Scratch space reused across segments.
        let mut flags = Flags::default();

        for (k, &start) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(n);
            let ys = &values[start..end];
            let base_n = options.fix_after.map_or(ys.len(), |f| f.min(ys.len()));
            let (mean, amr, screened) = centre_and_limits(&ys[..base_n], options.screen_outliers);
            let (lpl, upl) = match amr {
                Some(a) => (
                    Some(mean - constants::LIMIT * a),
                    Some(mean + constants::LIMIT * a),
                ),
                None => (None, None),
            };
            warnings.extend(segment_warnings(k, ys.len(), amr.is_some(), options));
            flags.classify(ys, mean, amr, lpl, upl, options);
            let mut seg = Segment {
                start,
                n: ys.len(),
                base: base_n,
                mean,
                amr,
                lpl,
                upl,
                screened,
                common_cause: 0,
                improvement: 0,
                concern: 0,
                neutral: 0,
            };
            for i in 0..ys.len() {
                let (pt, r) = (flags.point_type(i, options.improvement), flags.rule[i]);
                match pt {
                    PointType::CommonCause => seg.common_cause += 1,
                    PointType::SpecialCauseImprovement => seg.improvement += 1,
                    PointType::SpecialCauseConcern => seg.concern += 1,
                    _ => seg.neutral += 1,
                }
                point_type[start + i] = pt;
                rule[start + i] = r;
            }
            segments.push(seg);
        }

        let last = point_type[n - 1];
        let variation_icon = match (last, options.improvement) {
            (PointType::CommonCause, _) => VariationIcon::CommonCause,
            (PointType::SpecialCauseImprovement, Improvement::Decrease) => {
                VariationIcon::ImprovementLow
            }
            (PointType::SpecialCauseImprovement, _) => VariationIcon::ImprovementHigh,
            (PointType::SpecialCauseConcern, Improvement::Decrease) => VariationIcon::ConcernHigh,
            (PointType::SpecialCauseConcern, _) => VariationIcon::ConcernLow,
            (PointType::SpecialCauseNeutralHigh, _) => VariationIcon::NeutralHigh,
            (PointType::SpecialCauseNeutralLow, _) => VariationIcon::NeutralLow,
        };
        let last_seg = &segments[segments.len() - 1];
        let assurance_icon = match (options.target, options.improvement) {
            (None, _) | (_, Improvement::Neutral) => None,
            (Some(t), dir) => Some(match (last_seg.lpl, last_seg.upl, dir) {
                (Some(l), _, Improvement::Increase) if t < l => AssuranceIcon::Pass,
                (_, Some(u), Improvement::Increase) if t > u => AssuranceIcon::Fail,
                (_, Some(u), Improvement::Decrease) if t > u => AssuranceIcon::Pass,
                (Some(l), _, Improvement::Decrease) if t < l => AssuranceIcon::Fail,
                _ => AssuranceIcon::Inconsistent,
            }),
        };
        Ok(SpcResult {
            segments,
            point_type,
            rule,
            variation_icon,
            assurance_icon,
            warnings,
        })
    }

    /// Per-point working state for one segment.
    #[derive(Default)]
    struct Flags {
        side: Vec<i8>,
        trend: Vec<bool>,
        shift: Vec<bool>,
        outside: Vec<bool>,
        beyond: Vec<bool>,
        two_of_three: Vec<bool>,
        rule: Vec<Option<Rule>>,
        direction: Vec<i8>,
    }

    /// Clears `v` and fills it with `m` copies of `x`, keeping its allocation.
    fn reset<T: Copy>(v: &mut Vec<T>, m: usize, x: T) {
        v.clear();
        v.resize(m, x);
    }

    impl Flags {
        /// Applies the rules (§7) and directions (§8) to one segment's points.
        fn classify(
            &mut self,
            ys: &[f64],
            mean: f64,
            amr: Option<f64>,
            lpl: Option<f64>,
            upl: Option<f64>,
            o: &SpcOptions,
        ) {
            let m = ys.len();
            self.side.clear();
            self.side.extend(ys.iter().map(|y| sign(y - mean)));
            reset(&mut self.trend, m, false);
            reset(&mut self.shift, m, false);
            reset(&mut self.outside, m, false);
            reset(&mut self.beyond, m, false);
            reset(&mut self.two_of_three, m, false);
            reset(&mut self.rule, m, None);
            reset(&mut self.direction, m, 0);

            // (b) Trend: runs of strictly rising (or falling) consecutive points.
            let mut run_start = 0; // index of the first point of the current monotone run
            let mut run_dir = 0i8;
            for i in 1..m {
                let d = sign(ys[i] - ys[i - 1]);
                if d == 0 {
                    run_dir = 0;
                    run_start = i;
                    continue;
                }
                if d != run_dir {
                    run_dir = d;
                    run_start = i - 1;
                }
                if i + 1 - run_start >= o.trend_length {
                    for t in &mut self.trend[run_start..=i] {
                        *t = true;
                    }
                }
            }
            // (d) Shift: runs on one side of the mean; a point on the mean breaks the run.
            let shift = &mut self.shift;
            let mut s = 0;
            while s < m {
                let side = self.side[s];
                let mut e = s + 1;
                while e < m && self.side[e] == side {
                    e += 1;
                }
                if side != 0 && e - s >= o.shift_length {
                    for f in &mut shift[s..e] {
                        *f = true;
                    }
                }
                s = e;
            }
            // (a) and (c) need limits.
            let (outside, beyond, two_of_three) =
                (&mut self.outside, &mut self.beyond, &mut self.two_of_three);
            if let (Some(a), Some(l), Some(u)) = (amr, lpl, upl) {
                let near = 2.0 / 3.0 * constants::LIMIT * a;
                let (near_hi, near_lo) = (mean + near, mean - near);
                for i in 0..m {
                    let y = ys[i];
                    outside[i] = y > u || y < l;
                    // Beyond the near band on its own side of the mean, but not outside the limits.
                    beyond[i] = (y > near_hi && y <= u && self.side[i] == 1)
                        || (y < near_lo && y >= l && self.side[i] == -1);
                }
                for w in 0..m.saturating_sub(2) {
                    let side = self.side[w];
                    if side == 0 || self.side[w + 1] != side || self.side[w + 2] != side {
                        continue;
                    }
                    let hits = usize::from(beyond[w])
                        + usize::from(beyond[w + 1])
                        + usize::from(beyond[w + 2]);
                    if hits >= 2 {
                        for j in w..w + 3 {
                            two_of_three[j] |= beyond[j];
                        }
                    }
                }
            }
            // The first rule that applies, in the order a, b, c, d, names the rule and direction.
            for i in 0..m {
                let (r, dir) = if self.outside[i] {
                    (Rule::OutsideLimits, self.side[i])
                } else if self.trend[i] {
                    let d = if i + 1 < m && self.trend[i + 1] {
                        sign(ys[i + 1] - ys[i])
                    } else {
                        sign(ys[i] - ys[i - 1])
                    };
                    (Rule::Trend, if d == 0 { -1 } else { d })
                } else if self.two_of_three[i] {
                    (Rule::TwoOfThree, self.side[i])
                } else if self.shift[i] {
                    (Rule::Shift, self.side[i])
                } else {
                    continue;
                };
                self.rule[i] = Some(r);
                self.direction[i] = dir;
            }
        }

        fn point_type(&self, i: usize, improvement: Improvement) -> PointType {
            if self.rule[i].is_none() {
                return PointType::CommonCause;
            }
            let up = self.direction[i] > 0;
            match (improvement, up) {
                (Improvement::Increase, true) | (Improvement::Decrease, false) => {
                    PointType::SpecialCauseImprovement
                }
                (Improvement::Increase, false) | (Improvement::Decrease, true) => {
                    PointType::SpecialCauseConcern
                }
                (Improvement::Neutral, true) => PointType::SpecialCauseNeutralHigh,
                (Improvement::Neutral, false) => PointType::SpecialCauseNeutralLow,
            }
        }
    }
}

/// A stretch of a test series, chosen to exercise one awkward case.
#[derive(Debug, Clone)]
enum Piece {
    /// Any values.
    Noise(Vec<f64>),
    /// Small integers: many ties between neighbours and points exactly on the mean.
    Ints(Vec<i8>),
    /// One value repeated: ties, a constant base, no moving range.
    Constant(f64, usize),
    /// An arithmetic progression, possibly flat: long trends.
    Ramp(f64, f64, usize),
    /// Huge magnitudes, where sums overflow or lose every digit.
    Large(Vec<f64>),
    /// A large offset plus small integers: neighbours that round to ties.
    Offset(f64, Vec<i8>),
}

impl Piece {
    fn push_onto(&self, out: &mut Vec<f64>) {
        match self {
            Piece::Noise(v) | Piece::Large(v) => out.extend(v),
            Piece::Ints(v) => out.extend(v.iter().map(|&x| f64::from(x))),
            Piece::Constant(c, n) => out.extend(std::iter::repeat_n(*c, *n)),
            Piece::Ramp(start, step, n) => out.extend((0..*n).map(|k| start + step * k as f64)),
            Piece::Offset(base, v) => out.extend(v.iter().map(|&x| base + f64::from(x))),
        }
    }
}

fn piece() -> impl Strategy<Value = Piece> {
    let large = prop_oneof![
        -1e308..1e308f64,
        -1e300..1e300f64,
        Just(f64::MAX),
        Just(-f64::MAX),
        -1.0..1.0f64,
    ];
    prop_oneof![
        3 => proptest::collection::vec(-1000.0..1000.0f64, 1..40).prop_map(Piece::Noise),
        3 => proptest::collection::vec(-3i8..4, 1..40).prop_map(Piece::Ints),
        2 => (prop_oneof![Just(0.0), Just(-0.0), -100.0..100.0f64], 1usize..20)
            .prop_map(|(c, n)| Piece::Constant(c, n)),
        2 => (-100.0..100.0f64, prop_oneof![Just(0.0), Just(1.0), Just(-1.0), -3.0..3.0f64], 1usize..20)
            .prop_map(|(s, d, n)| Piece::Ramp(s, d, n)),
        1 => proptest::collection::vec(large, 1..8).prop_map(Piece::Large),
        1 => (prop_oneof![Just(1e16), Just(-1e16), Just(9007199254740993.0), 1e15..1e17f64],
              proptest::collection::vec(-3i8..4, 1..30))
            .prop_map(|(b, v)| Piece::Offset(b, v)),
    ]
}

/// 1 to 300 points built from pieces; now and then a value that is not finite.
fn values() -> impl Strategy<Value = Vec<f64>> {
    (
        proptest::collection::vec(piece(), 1..25),
        1usize..=300,
        prop_oneof![
            20 => Just(None),
            1 => (0usize..300, prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)])
                .prop_map(Some),
        ],
    )
        .prop_map(|(pieces, max_len, bad)| {
            let mut v = Vec::new();
            for p in &pieces {
                p.push_onto(&mut v);
            }
            v.truncate(max_len);
            if let Some((i, x)) = bad
                && i < v.len()
            {
                v[i] = x;
            }
            v
        })
}

fn options() -> impl Strategy<Value = SpcOptions> {
    (
        prop_oneof![
            Just(Improvement::Increase),
            Just(Improvement::Decrease),
            Just(Improvement::Neutral)
        ],
        prop_oneof![
            Just(None),
            (-1200.0..1200.0f64).prop_map(Some),
            (-3i8..4).prop_map(|t| Some(f64::from(t))),
        ],
        prop_oneof![4 => Just(None), 4 => (12usize..60).prop_map(Some), 1 => (0usize..12).prop_map(Some)],
        any::<bool>(),
        prop_oneof![20 => 2usize..=10, 1 => 0usize..2],
        prop_oneof![20 => 2usize..=10, 1 => 0usize..2],
    )
        .prop_map(
            |(improvement, target, fix_after, screen_outliers, shift_length, trend_length)| SpcOptions {
                improvement,
                target,
                fix_after,
                screen_outliers,
                shift_length,
                trend_length,
            },
        )
}

/// Bitwise equality of floats: `0.0` and `-0.0` print differently, and both sides must make
/// the same NaN.
fn same_bits(a: Option<f64>, b: Option<f64>) -> bool {
    a.map(f64::to_bits) == b.map(f64::to_bits)
}

fn assert_same(
    got: &Result<SpcResult, SpcError>,
    want: &Result<SpcResult, SpcError>,
) -> Result<(), TestCaseError> {
    let (got, want) = match (got, want) {
        (Ok(g), Ok(w)) => (g, w),
        // Errors hold at most a NaN, which `==` would never match: compare what is printed.
        (g, w) => {
            prop_assert_eq!(format!("{g:?}"), format!("{w:?}"));
            return Ok(());
        }
    };
    prop_assert_eq!(got.segments.len(), want.segments.len());
    for (k, (g, w)) in got.segments.iter().zip(&want.segments).enumerate() {
        prop_assert!(
            same_bits(Some(g.mean), Some(w.mean)),
            "segment {k} mean {} vs {}",
            g.mean,
            w.mean
        );
        prop_assert!(
            same_bits(g.amr, w.amr),
            "segment {k} amr {:?} vs {:?}",
            g.amr,
            w.amr
        );
        prop_assert!(
            same_bits(g.lpl, w.lpl),
            "segment {k} lpl {:?} vs {:?}",
            g.lpl,
            w.lpl
        );
        prop_assert!(
            same_bits(g.upl, w.upl),
            "segment {k} upl {:?} vs {:?}",
            g.upl,
            w.upl
        );
        prop_assert_eq!(
            (g.start, g.n, g.base, g.screened),
            (w.start, w.n, w.base, w.screened),
            "segment {}",
            k
        );
        prop_assert_eq!(
            (g.common_cause, g.improvement, g.concern, g.neutral),
            (w.common_cause, w.improvement, w.concern, w.neutral),
            "segment {}",
            k
        );
    }
    prop_assert_eq!(&got.point_type, &want.point_type);
    prop_assert_eq!(&got.rule, &want.rule);
    // Each point's segment, as the reference's segments place it.
    for (k, w) in want.segments.iter().enumerate() {
        for i in w.start..w.start + w.n {
            prop_assert_eq!(got.segment_of(i), Some(k), "point {}", i);
        }
    }
    prop_assert_eq!(got.segment_of(got.point_type.len()), None);
    prop_assert_eq!(got.variation_icon, want.variation_icon);
    prop_assert_eq!(got.assurance_icon, want.assurance_icon);
    prop_assert_eq!(&got.warnings, &want.warnings);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// The safety net: the optimised core and the reference agree on everything.
    #[test]
    fn optimised_spc_matches_the_reference_exactly(
        y in values(),
        starts in proptest::collection::vec(0usize..320, 0..5),
        options in options(),
    ) {
        let got = spc::spc(&y, &starts, &options);
        let want = reference::spc(&y, &starts, &options);
        assert_same(&got, &want)?;
    }

    /// The same with many rebases, so short segments (0 to 3 moving ranges) are common.
    #[test]
    fn optimised_spc_matches_the_reference_with_many_short_segments(
        y in values(),
        starts in proptest::collection::vec(0usize..100, 0..40),
        options in options(),
    ) {
        let got = spc::spc(&y, &starts, &options);
        let want = reference::spc(&y, &starts, &options);
        assert_same(&got, &want)?;
    }

    /// `accurate_mean` itself, bit for bit, at every length modulo the lane count.
    #[test]
    fn accurate_mean_matches_the_reference_bit_for_bit(y in values()) {
        for len in [y.len(), y.len().min(9), y.len() / 2] {
            if len == 0 { continue; }
            let (got, want) = (spc::accurate_mean(&y[..len]), reference::accurate_mean(&y[..len]));
            prop_assert!(got.to_bits() == want.to_bits(), "{got} vs {want} on {:?}", &y[..len]);
        }
    }
}

/// The benchmark's shapes, long enough for runs of every kind, with and without rebases.
#[test]
fn optimised_spc_matches_the_reference_on_long_noisy_series() {
    let mut state = 12345u64;
    let y: Vec<f64> = (0..200_000)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state % 1000) as f64 / 100.0;
            let level = if (i / 40) % 3 == 0 { 50.0 } else { 55.0 };
            let ramp = if (i / 500) % 7 == 0 {
                (i % 500) as f64 * 0.5
            } else {
                0.0
            };
            level + noise + ramp
        })
        .collect();
    for starts in [vec![], vec![1000, 50_000, 50_013, 199_999]] {
        for improvement in [
            Improvement::Increase,
            Improvement::Decrease,
            Improvement::Neutral,
        ] {
            for fix_after in [None, Some(12), Some(5000)] {
                let options = SpcOptions {
                    improvement,
                    fix_after,
                    target: Some(53.0),
                    ..SpcOptions::default()
                };
                let got = spc::spc(&y, &starts, &options);
                let want = reference::spc(&y, &starts, &options);
                assert_same(&got, &want).unwrap();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Values exactly on a limit, an edge of the near band or the mean, where every strict
    /// inequality of the spec is tested. They come after the base points (`fix_after`), so
    /// they do not move the limits they sit on.
    #[test]
    fn optimised_spc_matches_the_reference_on_the_limits_and_the_mean(
        y in proptest::collection::vec(-50.0..50.0f64, 13..80),
        picks in proptest::collection::vec((12usize..80, 0usize..5), 1..30),
        options in options(),
    ) {
        let options = SpcOptions { fix_after: Some(12), ..options };
        let Ok(first) = reference::spc(&y, &[], &options) else { return Ok(()) };
        let s = &first.segments[0];
        let mut y = y;
        if let Some(a) = s.amr {
            let near = 2.0 / 3.0 * sct_kpi::spc::constants::LIMIT * a;
            let at = [s.mean, s.lpl.unwrap(), s.upl.unwrap(), s.mean - near, s.mean + near];
            for (i, k) in picks {
                if i < y.len() {
                    y[i] = at[k];
                }
            }
        }
        let got = spc::spc(&y, &[], &options);
        let want = reference::spc(&y, &[], &options);
        assert_same(&got, &want)?;
    }
}
