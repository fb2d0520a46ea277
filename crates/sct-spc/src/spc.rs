//! Statistical process control: NHS England's *Making Data Count* XmR method with the
//! defaults of NHSRplotthedots 0.2.2, exactly as `docs/methods/spc.md` defines it. The section
//! numbers in comments refer to that specification's "Method".
//!
//! The core works on values already in date order and segment start indices; reading files,
//! sorting dates and resolving rebase dates happen in the caller (`sct-kpi` reads files).

use serde::{Deserialize, Serialize};

mod rules;

/// Which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Improvement {
    /// Higher is better.
    Increase,
    /// Lower is better.
    Decrease,
    /// Neither.
    Neutral,
}

impl Improvement {
    /// The name as written on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Improvement::Increase => "increase",
            Improvement::Decrease => "decrease",
            Improvement::Neutral => "neutral",
        }
    }

    /// A segment's special-cause points counted as (improvement, concern, neutral) from those
    /// above and below the centre: with a better direction, one side improves and the other
    /// concerns; without one, both are neutral.
    #[inline]
    pub fn split(self, up: usize, down: usize) -> (usize, usize, usize) {
        match self {
            Improvement::Increase => (up, down, 0),
            Improvement::Decrease => (down, up, 0),
            Improvement::Neutral => (0, 0, up + down),
        }
    }
}

/// A point's classification (§9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PointType {
    /// No special cause.
    CommonCause,
    /// A special cause in the better direction.
    SpecialCauseImprovement,
    /// A special cause in the worse direction.
    SpecialCauseConcern,
    /// A special cause upwards, with no better direction.
    SpecialCauseNeutralHigh,
    /// A special cause downwards, with no better direction.
    SpecialCauseNeutralLow,
}

impl PointType {
    /// The name as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            PointType::CommonCause => "common_cause",
            PointType::SpecialCauseImprovement => "special_cause_improvement",
            PointType::SpecialCauseConcern => "special_cause_concern",
            PointType::SpecialCauseNeutralHigh => "special_cause_neutral_high",
            PointType::SpecialCauseNeutralLow => "special_cause_neutral_low",
        }
    }

    /// The point type in words, for people ("special cause: concern").
    pub fn label(self) -> &'static str {
        match self {
            PointType::CommonCause => "common cause",
            PointType::SpecialCauseImprovement => "special cause: improvement",
            PointType::SpecialCauseConcern => "special cause: concern",
            PointType::SpecialCauseNeutralHigh => "special cause: high",
            PointType::SpecialCauseNeutralLow => "special cause: low",
        }
    }

    /// §9: the point types of a special cause above and below the centre, for a direction.
    #[inline]
    pub fn special_causes(improvement: Improvement) -> (PointType, PointType) {
        match improvement {
            Improvement::Increase => (
                PointType::SpecialCauseImprovement,
                PointType::SpecialCauseConcern,
            ),
            Improvement::Decrease => (
                PointType::SpecialCauseConcern,
                PointType::SpecialCauseImprovement,
            ),
            Improvement::Neutral => (
                PointType::SpecialCauseNeutralHigh,
                PointType::SpecialCauseNeutralLow,
            ),
        }
    }
}

/// The rule that first flagged a point (§7, in the order a, b, c, d).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// (a) Outside the process limits.
    OutsideLimits,
    /// (b) A run of rising or falling points.
    Trend,
    /// (c) Two of three points beyond two sigma on one side.
    TwoOfThree,
    /// (d) A run of points on one side of the mean.
    Shift,
}

/// The variation icon (§10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VariationIcon {
    /// Common cause variation.
    CommonCause,
    /// Special cause improvement, higher is better.
    ImprovementHigh,
    /// Special cause improvement, lower is better.
    ImprovementLow,
    /// Special cause concern, where lower is better (the value is high).
    ConcernHigh,
    /// Special cause concern, where higher is better (the value is low).
    ConcernLow,
    /// Special cause upwards, no better direction.
    NeutralHigh,
    /// Special cause downwards, no better direction.
    NeutralLow,
}

impl VariationIcon {
    /// The name as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            VariationIcon::CommonCause => "common_cause",
            VariationIcon::ImprovementHigh => "improvement_high",
            VariationIcon::ImprovementLow => "improvement_low",
            VariationIcon::ConcernHigh => "concern_high",
            VariationIcon::ConcernLow => "concern_low",
            VariationIcon::NeutralHigh => "neutral_high",
            VariationIcon::NeutralLow => "neutral_low",
        }
    }

    /// The icon in plain English, as Making Data Count words it.
    pub fn label(self) -> &'static str {
        match self {
            VariationIcon::CommonCause => "Common cause variation",
            VariationIcon::ImprovementHigh => "Special cause variation: improvement (higher)",
            VariationIcon::ImprovementLow => "Special cause variation: improvement (lower)",
            VariationIcon::ConcernHigh => "Special cause variation: concern (higher)",
            VariationIcon::ConcernLow => "Special cause variation: concern (lower)",
            VariationIcon::NeutralHigh => {
                "Special cause variation: neither better nor worse (higher)"
            }
            VariationIcon::NeutralLow => {
                "Special cause variation: neither better nor worse (lower)"
            }
        }
    }

    /// §10: the icon of a series from its last point's type; every chart uses this rule.
    pub fn of(last: PointType, improvement: Improvement) -> VariationIcon {
        match (last, improvement) {
            (PointType::CommonCause, _) => VariationIcon::CommonCause,
            (PointType::SpecialCauseImprovement, Improvement::Decrease) => {
                VariationIcon::ImprovementLow
            }
            (PointType::SpecialCauseImprovement, _) => VariationIcon::ImprovementHigh,
            (PointType::SpecialCauseConcern, Improvement::Decrease) => VariationIcon::ConcernHigh,
            (PointType::SpecialCauseConcern, _) => VariationIcon::ConcernLow,
            (PointType::SpecialCauseNeutralHigh, _) => VariationIcon::NeutralHigh,
            (PointType::SpecialCauseNeutralLow, _) => VariationIcon::NeutralLow,
        }
    }
}

/// The assurance icon (§11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssuranceIcon {
    /// The process reliably meets the target.
    Pass,
    /// The process reliably fails the target.
    Fail,
    /// The process will sometimes meet and sometimes miss the target.
    Inconsistent,
}

impl AssuranceIcon {
    /// The name as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            AssuranceIcon::Pass => "pass",
            AssuranceIcon::Fail => "fail",
            AssuranceIcon::Inconsistent => "inconsistent",
        }
    }

    /// The icon in plain English; `None` is no icon (no target, or no better direction).
    pub fn label(icon: Option<AssuranceIcon>) -> &'static str {
        match icon {
            Some(AssuranceIcon::Pass) => "Consistently passing the target",
            Some(AssuranceIcon::Fail) => "Consistently failing the target",
            Some(AssuranceIcon::Inconsistent) => "Hit and miss: sometimes meets the target",
            None => "No assurance: no target or no better direction",
        }
    }

    /// Why a chart has no assurance icon, or the icon's label when it has one: a run chart has
    /// no process limits to judge a target by, which is not the same as having no target.
    pub fn label_or_why_none(
        icon: Option<AssuranceIcon>,
        has_limits: bool,
        target: Option<f64>,
        improvement: Improvement,
    ) -> &'static str {
        match (icon, target, improvement) {
            (Some(_), _, _) => AssuranceIcon::label(icon),
            (None, None, _) => "No assurance: no target",
            (None, Some(_), Improvement::Neutral) => "No assurance: no better direction",
            (None, Some(_), _) if !has_limits => {
                "No assurance: a run chart has no process limits to judge the target by"
            }
            (None, Some(_), _) => AssuranceIcon::label(None),
        }
    }

    /// §11: the icon from the target and the last point's limits (`None`: undefined, so
    /// inconsistent); no icon without a target or a better direction. Every chart uses this
    /// rule.
    pub fn of(
        target: Option<f64>,
        improvement: Improvement,
        limits: Option<(f64, f64)>,
    ) -> Option<AssuranceIcon> {
        let t = target?;
        Some(match (limits, improvement) {
            (_, Improvement::Neutral) => return None,
            (Some((l, _)), Improvement::Increase) if t < l => AssuranceIcon::Pass,
            (Some((_, u)), Improvement::Increase) if t > u => AssuranceIcon::Fail,
            (Some((_, u)), Improvement::Decrease) if t > u => AssuranceIcon::Pass,
            (Some((l, _)), Improvement::Decrease) if t < l => AssuranceIcon::Fail,
            _ => AssuranceIcon::Inconsistent,
        })
    }
}

/// `Display` as the name printed in files (`as_str`), so that callers format the value
/// rather than a copy of its name.
macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
pub(crate) use display_as_str;

display_as_str!(Improvement, PointType, VariationIcon, AssuranceIcon);

/// The constants of the XmR method.
pub mod constants {
    /// Limits are the mean ± this × the average moving range.
    pub const LIMIT: f64 = 2.66;
    /// A moving range at least this × the average moving range is screened out.
    pub const SCREEN: f64 = 3.267;
    /// Fewer points than this in a segment make the limits unreliable.
    pub const MIN_POINTS: usize = 13;
    /// The smallest `--fix-after`.
    pub const MIN_FIX_AFTER: usize = 12;
}

/// Options of the method.
#[derive(Debug, Clone, PartialEq)]
pub struct SpcOptions {
    /// Which way is better.
    pub improvement: Improvement,
    /// The target, if any.
    pub target: Option<f64>,
    /// Compute each segment's mean and limits from its first N points.
    pub fix_after: Option<usize>,
    /// Screen out large moving ranges before computing the limits (default on).
    pub screen_outliers: bool,
    /// Points in a run on one side of the mean that signal a shift (default 7).
    pub shift_length: usize,
    /// Points in a rising or falling run that signal a trend (default 7).
    pub trend_length: usize,
}

impl Default for SpcOptions {
    fn default() -> Self {
        SpcOptions {
            improvement: Improvement::Increase,
            target: None,
            fix_after: None,
            screen_outliers: true,
            shift_length: 7,
            trend_length: 7,
        }
    }
}

/// Errors in the options.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpcError {
    /// No points.
    #[error("the series has no points")]
    Empty,
    /// `--fix-after` below the minimum.
    #[error("fix_after {0} is too small; expected 12 or more")]
    FixAfterTooSmall(usize),
    /// A run length below 2.
    #[error("{0} {1} is too small; expected 2 or more")]
    RunLengthTooSmall(&'static str, usize),
    /// A value that is not a finite number.
    #[error("value {value} at position {index} is not a finite number")]
    NotFinite {
        /// Zero-based position.
        index: usize,
        /// The value.
        value: f64,
    },
    /// More points than the rules behind each flag can be listed for (see
    /// [`crate::profile::MAX_JUDGED_POINTS`]).
    #[error("the series has {0} points; at most {max} can be judged", max = crate::profile::MAX_JUDGED_POINTS)]
    TooManyPoints(usize),
}

/// One segment's centre line and limits (§2–6).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Index of its first point.
    pub start: usize,
    /// Number of points.
    pub n: usize,
    /// Number of base points the mean and limits come from.
    pub base: usize,
    /// Centre line.
    pub mean: f64,
    /// Average moving range after screening, or `None` when no moving range remains.
    pub amr: Option<f64>,
    /// Lower process limit.
    pub lpl: Option<f64>,
    /// Upper process limit.
    pub upl: Option<f64>,
    /// Moving ranges screened out.
    pub screened: usize,
    /// Points of each kind.
    pub common_cause: usize,
    /// Improvement points.
    pub improvement: usize,
    /// Concern points.
    pub concern: usize,
    /// Neutral special-cause points.
    pub neutral: usize,
}

impl Segment {
    /// The process limits (lower, upper), when defined.
    pub fn limits(&self) -> Option<(f64, f64)> {
        self.lpl.zip(self.upl)
    }
}

/// The result for a whole series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpcResult {
    /// Segments in order.
    pub segments: Vec<Segment>,
    /// Each point's classification.
    pub point_type: Vec<PointType>,
    /// The rule that first flagged each point, if any.
    pub rule: Vec<Option<Rule>>,
    /// The variation icon.
    pub variation_icon: VariationIcon,
    /// The assurance icon, with a target and a direction other than neutral.
    pub assurance_icon: Option<AssuranceIcon>,
    /// Warnings, in words.
    pub warnings: Vec<String>,
}

impl SpcResult {
    /// Index of point `i`'s segment, `None` past the end. Found from the segments' starts
    /// rather than held for every point: few charts have more than a handful of segments.
    pub fn segment_of(&self, i: usize) -> Option<usize> {
        (i < self.point_type.len()).then(|| segment_at(&self.segments, |s| s.start, i))
    }
}

/// Index of the segment (of `segments`, in order, the first starting at 0, each starting at
/// `start_of` it) that point `i` falls in.
pub(crate) fn segment_at<S>(segments: &[S], start_of: impl Fn(&S) -> usize, i: usize) -> usize {
    segments
        .partition_point(|s| start_of(s) <= i)
        .saturating_sub(1)
}

// ---------------------------------------------------------------------------------------------
// Accurate means (§4, §5)
// ---------------------------------------------------------------------------------------------

/// Knuth's two-sum: `a + b` as its rounded value and the exact rounding error, without
/// branches.
#[inline(always)]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let z = s - a;
    (s, (a - (s - z)) + (b - z))
}

/// Two lanes of `f64`, with element-wise arithmetic: the compiler keeps such a pair in one
/// vector register (SSE2, which every x86-64 has), so two lanes cost as much as one.
#[derive(Clone, Copy, Default)]
struct F2([f64; 2]);

impl std::ops::Add for F2 {
    type Output = F2;
    #[inline(always)]
    fn add(self, o: F2) -> F2 {
        F2([self.0[0] + o.0[0], self.0[1] + o.0[1]])
    }
}

impl std::ops::Sub for F2 {
    type Output = F2;
    #[inline(always)]
    fn sub(self, o: F2) -> F2 {
        F2([self.0[0] - o.0[0], self.0[1] - o.0[1]])
    }
}

/// Compensated accumulators for two lanes.
#[derive(Clone, Copy, Default)]
struct Acc2 {
    sum: F2,
    err: F2,
}

impl Acc2 {
    /// [`two_sum`] of the running sum and `x` in each lane, keeping the error.
    #[inline(always)]
    fn add(&mut self, x: F2) {
        let s = self.sum + x;
        let z = s - self.sum;
        self.err = self.err + ((self.sum - (s - z)) + (x - z));
        self.sum = s;
    }

    /// Adds the residual `x − m` in each lane, keeping the rounding errors of the subtraction
    /// and of the addition.
    #[inline(always)]
    fn add_residual(&mut self, x: F2, m: F2) {
        // `two_sum(x, −m)`, rearranged without changing a bit (negation is exact and rounding
        // is symmetric): `x + (−m) = x − m` and `−m − z = −(m + z)`.
        let r = x - m;
        let z1 = r - x;
        let e1 = (x - (r - z1)) - (m + z1);
        let s = self.sum + r;
        let z2 = s - self.sum;
        let e2 = (self.sum - (s - z2)) + (r - z2);
        self.err = self.err + (e1 + e2);
        self.sum = s;
    }
}

/// Compensated accumulation in four independent lanes: value `k` of a slice goes to lane
/// `k % 4`, so the additions do not wait on each other. The lane order is part of the result
/// (floating-point addition is not associative), so it never changes.
///
/// Whole chunks of four go through `add` (lanes 0 and 1, then 2 and 3), the rest (fewer than
/// four) one by one to the first lanes through `add_one`. Returns the lanes' sums and errors.
#[inline(always)]
fn feed_lanes(
    values: &[f64],
    add: impl Fn(&mut Acc2, F2),
    add_one: impl Fn(&mut f64, &mut f64, f64),
) -> ([f64; 4], [f64; 4]) {
    let (mut lo, mut hi) = (Acc2::default(), Acc2::default());
    let chunks = values.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        add(&mut lo, F2([c[0], c[1]]));
        add(&mut hi, F2([c[2], c[3]]));
    }
    let sums = [lo.sum.0[0], lo.sum.0[1], hi.sum.0[0], hi.sum.0[1]];
    let errs = [lo.err.0[0], lo.err.0[1], hi.err.0[0], hi.err.0[1]];
    feed_rest(sums, errs, rest, add_one)
}

/// The rest of [`feed_lanes`]. Out of line on purpose: inlined, these scalar steps lead the
/// compiler to give up vector instructions for lanes 2 and 3 in the main loop.
#[inline(never)]
fn feed_rest(
    mut sums: [f64; 4],
    mut errs: [f64; 4],
    rest: &[f64],
    add_one: impl Fn(&mut f64, &mut f64, f64),
) -> ([f64; 4], [f64; 4]) {
    for ((sum, err), &x) in sums.iter_mut().zip(&mut errs).zip(rest) {
        add_one(sum, err, x);
    }
    (sums, errs)
}

/// The lanes' sums added up, compensated, with their errors added back at the end.
fn lanes_total(sums: [f64; 4], errs: [f64; 4]) -> f64 {
    let (mut total, mut e_total) = (0.0_f64, errs[0] + errs[1] + errs[2] + errs[3]);
    for s in sums {
        let (t, e) = two_sum(total, s);
        total = t;
        e_total += e;
    }
    total + e_total
}

/// An accurate sum: compensated (two-sum) accumulation in four lanes (see [`feed_lanes`]).
#[inline(always)]
pub(crate) fn compensated_sum(values: &[f64]) -> f64 {
    let (sums, errs) = feed_lanes(values, Acc2::add, add_one);
    lanes_total(sums, errs)
}

/// [`two_sum`] of one lane's running sum and `x`, keeping the error.
#[inline(always)]
fn add_one(sum: &mut f64, err: &mut f64, x: f64) {
    let (s, e) = two_sum(*sum, x);
    *sum = s;
    *err += e;
}

/// [`compensated_sum`] of a slice that grows a piece at a time, so that it can be summed
/// while its pieces are still in cache: the same lanes, the same operations, the same bits.
#[derive(Clone, Copy, Default)]
pub(crate) struct RunningSum {
    /// Lanes 0 and 1.
    lo: Acc2,
    /// Lanes 2 and 3.
    hi: Acc2,
    /// How many values have been added.
    fed: usize,
}

impl RunningSum {
    /// Adds the whole chunks of four of `values[self.fed()..]`, where `values` is the slice
    /// so far; the rest waits for the next call or [`RunningSum::total`].
    #[inline(always)]
    pub(crate) fn feed(&mut self, values: &[f64]) {
        let chunks = values[self.fed.min(values.len())..].chunks_exact(4);
        self.fed += chunks.len() * 4;
        for c in chunks {
            self.lo.add(F2([c[0], c[1]]));
            self.hi.add(F2([c[2], c[3]]));
        }
    }

    /// The sums of `a` and `b` at once, each as [`compensated_sum`] gives it: two chains of
    /// additions that do not wait on each other, over two slices read in one pass.
    #[inline(always)]
    pub(crate) fn totals(a: &[f64], b: &[f64]) -> (f64, f64) {
        let (mut ra, mut rb) = (RunningSum::default(), RunningSum::default());
        let k = a.len().min(b.len()) / 4 * 4;
        for (ca, cb) in a[..k].chunks_exact(4).zip(b[..k].chunks_exact(4)) {
            ra.lo.add(F2([ca[0], ca[1]]));
            ra.hi.add(F2([ca[2], ca[3]]));
            rb.lo.add(F2([cb[0], cb[1]]));
            rb.hi.add(F2([cb[2], cb[3]]));
        }
        (ra.fed, rb.fed) = (k, k);
        (ra.total(a), rb.total(b))
    }

    /// The sum of `values`, the whole slice fed so far. Inlined, so that the caller's
    /// instruction set (see [`crate::laney`]) applies to the whole-chunk loop.
    #[inline(always)]
    pub(crate) fn total(mut self, values: &[f64]) -> f64 {
        self.feed(values);
        self.finish(&values[self.fed.min(values.len())..])
    }

    /// The sum of the values fed so far and `rest` (fewer than four, after them).
    #[inline(always)]
    fn finish(self, rest: &[f64]) -> f64 {
        let (lo, hi) = (self.lo, self.hi);
        let sums = [lo.sum.0[0], lo.sum.0[1], hi.sum.0[0], hi.sum.0[1]];
        let errs = [lo.err.0[0], lo.err.0[1], hi.err.0[0], hi.err.0[1]];
        let (sums, errs) = feed_rest(sums, errs, rest, add_one);
        lanes_total(sums, errs)
    }
}

/// The arithmetic mean computed as R's `mean()` does (§4): an accurate sum divided by n, then
/// a correction pass adding the mean of the residuals. R keeps both sums in extended
/// precision; here each residual `x − m` is split exactly into its rounded value and rounding
/// error (two-sum), and both parts are summed with compensation.
pub fn accurate_mean(values: &[f64]) -> f64 {
    accurate_mean_inline(values)
}

/// [`accurate_mean`] inlined, so that the caller's instruction set applies.
#[inline(always)]
fn accurate_mean_inline(values: &[f64]) -> f64 {
    accurate_mean_from_sum(values, compensated_sum(values))
}

/// [`accurate_mean`] given `sum`, the [`compensated_sum`] of `values`. Inlined, so that the
/// caller's instruction set (see [`crate::laney`]) applies to the correction pass.
#[inline(always)]
pub(crate) fn accurate_mean_from_sum(values: &[f64], sum: f64) -> f64 {
    let n = values.len() as f64;
    let m = sum / n;
    if !m.is_finite() {
        return m;
    }
    let (sums, errs) = feed_lanes(
        values,
        |acc, x| acc.add_residual(x, F2([m, m])),
        |sum, err, x| {
            let (r, e1) = two_sum(x, -m);
            let (s, e2) = two_sum(*sum, r);
            *sum = s;
            *err += e1 + e2;
        },
    );
    // The eight partial results are summed as a series of their own: sums, then errors.
    let [s0, s1, s2, s3] = sums;
    let [e0, e1, e2, e3] = errs;
    let residual = compensated_sum(&[s0, s1, s2, s3, e0, e1, e2, e3]);
    m + residual / n
}

// ---------------------------------------------------------------------------------------------
// Centre line and limits (§3–6)
// ---------------------------------------------------------------------------------------------

/// Mean, AMR and number of screened moving ranges of one segment's base points (§3–6).
/// `kept` is scratch space.
///
/// The passes are fused so that each accumulator sees exactly the additions of
/// [`accurate_mean`] over its own slice, in the same order, while independent chains of
/// additions overlap: one pass sums the values and their moving ranges, a second adds both
/// slices' residuals, the screening sums the kept ranges as it keeps them, and a last pass adds
/// the kept ranges' residuals. The ranges are made afresh from the values in each pass that
/// needs them (two subtractions cost less than reading a second array back from memory), and
/// only the kept ones are stored.
#[inline(always)]
fn centre_and_limits<const AVX2: bool>(
    base: &[f64],
    screen: bool,
    kept: &mut Vec<f64>,
) -> (f64, Option<f64>, usize) {
    centre_and_limits_by::<AVX2>(base, screen, kept, base.len() >= SCREEN_BY_ESTIMATE_FROM)
}

/// Bases of at least this many points are screened by an estimate of the AMR in the residual
/// pass (see [`means_and_screening`]), which saves reading them from memory once more; smaller
/// ones stay in cache between passes, where the exact cut costs less than the estimate's checks.
const SCREEN_BY_ESTIMATE_FROM: usize = 1 << 16;

/// [`centre_and_limits`], screening by an estimate of the AMR (`by_estimate`) or after the
/// residual pass: the same bits either way.
#[inline(always)]
fn centre_and_limits_by<const AVX2: bool>(
    base: &[f64],
    screen: bool,
    kept: &mut Vec<f64>,
    by_estimate: bool,
) -> (f64, Option<f64>, usize) {
    if base.len() < 2 {
        return (accurate_mean_inline(base), None, 0);
    }
    let (sum, range_sum) = sums_with_ranges(base);
    let fused = if screen && by_estimate {
        means_and_screening::<AVX2>(base, sum, range_sum, kept)
    } else {
        None
    };
    let (mean, amr, count, kept_sum) = match fused {
        Some(done) => done,
        None => {
            let (mean, amr) = means_with_ranges(base, sum, range_sum, kept);
            if !screen {
                return (mean, Some(amr), 0);
            }
            let (count, kept_sum) = keep_ranges_below::<AVX2>(base, constants::SCREEN * amr, kept);
            (mean, amr, count, kept_sum)
        }
    };
    let screened = base.len() - 1 - count;
    if count == 0 {
        (mean, None, screened)
    } else if screened == 0 {
        // Nothing was dropped: the mean of the same values, in the same order, is `amr`.
        (mean, Some(amr), 0)
    } else {
        let kept = &kept[..count];
        (mean, Some(accurate_mean_from_sum(kept, kept_sum)), screened)
    }
}

/// The whole chunks of four of `values` and of their moving ranges: chunk `j` of the ranges
/// is made from chunk `j` of the values and the same chunk one value later. (A plain loop over
/// these, not an iterator of pairs: its closure would not be inlined into the caller compiled
/// for AVX2.)
#[inline(always)]
fn chunk_pairs(
    values: &[f64],
) -> (
    std::slice::ChunksExact<'_, f64>,
    std::slice::ChunksExact<'_, f64>,
) {
    let whole = (values.len() - 1) / 4 * 4;
    (
        values[..whole].chunks_exact(4),
        values[1..=whole].chunks_exact(4),
    )
}

/// The moving ranges between a chunk of four values `a` and the same chunk one value later.
#[inline(always)]
fn ranges4(a: &[f64], b: &[f64]) -> [f64; 4] {
    [
        (b[0] - a[0]).abs(),
        (b[1] - a[1]).abs(),
        (b[2] - a[2]).abs(),
        (b[3] - a[3]).abs(),
    ]
}

/// The moving ranges of `values` after the whole chunks of [`chunk_pairs`] (fewer than
/// four), in the first places of the array; returns it and how many there are.
#[inline(always)]
fn last_ranges(values: &[f64]) -> ([f64; 3], usize) {
    let whole = (values.len() - 1) / 4 * 4;
    let mut rest = [0.0; 3];
    let count = values.len() - 1 - whole;
    for (k, r) in rest[..count].iter_mut().enumerate() {
        *r = (values[whole + k + 1] - values[whole + k]).abs();
    }
    (rest, count)
}

/// The [`compensated_sum`]s of `values` (at least two) and of their moving ranges, made in
/// one pass.
#[inline(always)]
fn sums_with_ranges(values: &[f64]) -> (f64, f64) {
    let (mut rv, mut rr) = (RunningSum::default(), RunningSum::default());
    let (firsts, seconds) = chunk_pairs(values);
    for (v, next) in firsts.zip(seconds) {
        let r = ranges4(v, next);
        rv.lo.add(F2([v[0], v[1]]));
        rv.hi.add(F2([v[2], v[3]]));
        rr.lo.add(F2([r[0], r[1]]));
        rr.hi.add(F2([r[2], r[3]]));
    }
    rv.fed = (values.len() - 1) / 4 * 4;
    let (rest, count) = last_ranges(values);
    (rv.total(values), rr.finish(&rest[..count]))
}

/// [`accurate_mean_from_sum`] of `values` (at least two) and of their moving ranges at once:
/// the residual passes of both in one loop. `ranges` is scratch space for the rare case of a
/// mean estimate that is not finite.
#[inline(always)]
fn means_with_ranges(values: &[f64], sum_v: f64, sum_r: f64, ranges: &mut Vec<f64>) -> (f64, f64) {
    let n = values.len();
    let (mv, mr) = (sum_v / n as f64, sum_r / (n - 1) as f64);
    if !mv.is_finite() || !mr.is_finite() {
        ranges.clear();
        ranges.extend(values.windows(2).map(|w| (w[1] - w[0]).abs()));
        return (
            accurate_mean_from_sum(values, sum_v),
            accurate_mean_from_sum(ranges, sum_r),
        );
    }
    let mut residuals = Residuals::default();
    residuals.feed(values, 0, (n - 1) / 4 * 4, mv, mr);
    residuals.finish(values, mv, mr)
}

/// The residual lanes of [`means_with_ranges`] (values, then their moving ranges), fed a run of
/// whole chunks at a time in order, so that the passes can go a block at a time.
#[derive(Clone, Copy, Default)]
struct Residuals {
    lv: Acc2,
    hv: Acc2,
    lr: Acc2,
    hr: Acc2,
}

impl Residuals {
    /// Adds the residuals from mean estimates `mv` and `mr` of the values `from..to` and of the
    /// moving ranges `from..to` (to the value one later), whole chunks of four from the first.
    #[inline(always)]
    fn feed(&mut self, values: &[f64], from: usize, to: usize, mv: f64, mr: f64) {
        let (fv, fr) = (F2([mv, mv]), F2([mr, mr]));
        let firsts = values[from..to].chunks_exact(4);
        let seconds = values[from + 1..=to].chunks_exact(4);
        for (v, next) in firsts.zip(seconds) {
            let r = ranges4(v, next);
            self.lv.add_residual(F2([v[0], v[1]]), fv);
            self.hv.add_residual(F2([v[2], v[3]]), fv);
            self.lr.add_residual(F2([r[0], r[1]]), fr);
            self.hr.add_residual(F2([r[2], r[3]]), fr);
        }
    }

    /// The two means, once every whole chunk has been fed.
    #[inline(always)]
    fn finish(self, values: &[f64], mv: f64, mr: f64) -> (f64, f64) {
        let n = values.len();
        let whole = (n - 1) / 4 * 4;
        let (rest, count) = last_ranges(values);
        (
            residual_mean(&values[whole..], n, self.lv, self.hv, mv),
            residual_mean(&rest[..count], n - 1, self.lr, self.hr, mr),
        )
    }
}

/// [`means_with_ranges`] and the screening of [`keep_ranges_below`] in one pass, a block at a
/// time: the screening cannot wait for the exact AVR (it needs the whole residual pass), so it
/// screens by the estimate `SCREEN × sum / count` and notes the nearest kept and dropped range
/// on each side of that cut. When the exact cut lies between them, no range is on the other side
/// of it, and the exact screening keeps the same ranges, so the same sum; otherwise the ranges
/// are screened again by the exact cut. Returns the mean, the AMR before screening, and the
/// number and sum of the kept ranges; `None` when the estimates are not finite.
#[inline(always)]
fn means_and_screening<const AVX2: bool>(
    values: &[f64],
    sum_v: f64,
    sum_r: f64,
    kept: &mut Vec<f64>,
) -> Option<(f64, f64, usize, f64)> {
    let n = values.len();
    let (mv, mr) = (sum_v / n as f64, sum_r / (n - 1) as f64);
    if !mv.is_finite() || !mr.is_finite() {
        return None;
    }
    let mut residuals = Residuals::default();
    let rough = constants::SCREEN * mr;
    let with = Some((&mut residuals, mv, mr));
    let (count, kept_sum, below, above) = keep_ranges_below_with::<AVX2>(values, rough, kept, with);
    let (mean, amr) = residuals.finish(values, mv, mr);
    let cut = constants::SCREEN * amr;
    if below < cut && cut <= above {
        return Some((mean, amr, count, kept_sum));
    }
    let (count, kept_sum) = keep_ranges_below::<AVX2>(values, cut, kept);
    Some((mean, amr, count, kept_sum))
}

/// The end of [`accurate_mean_from_sum`] for `n` values of mean estimate `m`, whose whole
/// chunks up to `rest` went into the lanes `lo` and `hi`.
#[inline(always)]
fn residual_mean(rest: &[f64], n: usize, mut lo: Acc2, mut hi: Acc2, m: f64) -> f64 {
    let f = F2([m, m]);
    let chunks = rest.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        lo.add_residual(F2([c[0], c[1]]), f);
        hi.add_residual(F2([c[2], c[3]]), f);
    }
    let sums = [lo.sum.0[0], lo.sum.0[1], hi.sum.0[0], hi.sum.0[1]];
    let errs = [lo.err.0[0], lo.err.0[1], hi.err.0[0], hi.err.0[1]];
    let (sums, errs) = feed_rest(sums, errs, rest, |sum, err, x| {
        let (r, e1) = two_sum(x, -m);
        let (s, e2) = two_sum(*sum, r);
        *sum = s;
        *err += e1 + e2;
    });
    let [s0, s1, s2, s3] = sums;
    let [e0, e1, e2, e3] = errs;
    let residual = compensated_sum(&[s0, s1, s2, s3, e0, e1, e2, e3]);
    m + residual / n as f64
}

/// Stores the moving ranges of `values` (at least two) below `cut` in `kept`, in order, and
/// returns how many there are with their [`compensated_sum`], added a block at a time while
/// the kept ranges are still in cache. With `AVX2` (the caller has checked the processor has
/// it), four ranges are compared and packed at once.
#[inline(always)]
fn keep_ranges_below<const AVX2: bool>(
    values: &[f64],
    cut: f64,
    kept: &mut Vec<f64>,
) -> (usize, f64) {
    let (count, sum, _, _) = keep_ranges_below_with::<AVX2>(values, cut, kept, None);
    (count, sum)
}

/// [`keep_ranges_below`], feeding the whole chunks of each block to `residuals` (with the mean
/// estimates of the values and ranges) before screening its ranges, while its values are in
/// cache, and returning also the largest range kept and the smallest at or above the cut (−∞
/// and +∞ when none). (Not a closure for each block: a closure would be compiled for any
/// processor, not for the caller's instruction set.)
#[inline(always)]
fn keep_ranges_below_with<const AVX2: bool>(
    values: &[f64],
    cut: f64,
    kept: &mut Vec<f64>,
    mut residuals: Option<(&mut Residuals, f64, f64)>,
) -> (usize, f64, f64, f64) {
    const BLOCK: usize = 256;
    let m = values.len() - 1;
    // Range `i` is written at or before place `i` (four at a time: before place `i + 4`):
    // resizing only zeroes what the scratch space gains.
    kept.resize(m, 0.0);
    let out = &mut kept[..m];
    let mut count = 0;
    let (mut below, mut above) = (f64::NEG_INFINITY, f64::INFINITY);
    let mut sum = RunningSum::default();
    for start in (0..m).step_by(BLOCK) {
        let end = (start + BLOCK).min(m);
        if let Some((residuals, mv, mr)) = &mut residuals {
            let whole = (values.len() - 1) / 4 * 4;
            residuals.feed(values, start.min(whole), end.min(whole), *mv, *mr);
        }
        let mut from = start;
        #[cfg(target_arch = "x86_64")]
        if AVX2 {
            let whole = start + (end - start) / 4 * 4;
            // SAFETY: AVX2 is there (the caller's promise); `count <= from` and `from + 4 <=
            // whole <= m`, so each store of four stays in `out`.
            let (c, b, a) = unsafe { keep_below_avx2(&values[start..=whole], cut, out, count) };
            (count, below, above) = (c, below.max(b), above.min(a));
            from = whole;
        }
        for (a, b) in values[from..end].iter().zip(&values[from + 1..=end]) {
            let r = (b - a).abs();
            out[count] = r;
            let keep = r < cut;
            count += usize::from(keep);
            below = if keep { below.max(r) } else { below };
            above = if r >= cut { above.min(r) } else { above };
        }
        sum.feed(&out[..count]);
    }
    (count, sum.total(&out[..count]), below, above)
}

/// For each mask of four lanes (bit `k`: lane `k` is kept), the 32-bit lane indices that move
/// the kept 64-bit lanes to the front, in order.
#[cfg(target_arch = "x86_64")]
const PACK: [[u32; 8]; 16] = {
    let mut table = [[0u32; 8]; 16];
    let mut mask = 0;
    while mask < 16 {
        let (mut to, mut lane) = (0, 0);
        while lane < 4 {
            if mask & (1 << lane) != 0 {
                table[mask][2 * to] = 2 * lane as u32;
                table[mask][2 * to + 1] = 2 * lane as u32 + 1;
                to += 1;
            }
            lane += 1;
        }
        mask += 1;
    }
    table
};

/// The moving ranges of `values` (one more than a multiple of four) below `cut`, written
/// packed into `out` from `count` on, four compared at a time; returns the new count, the
/// largest range kept and the smallest at or above the cut. The same comparisons as the scalar
/// loop (ordered: false for NaN), the same values.
///
/// # Safety
/// The processor must have AVX2, and `out` must hold `count + values.len() - 1` values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn keep_below_avx2(
    values: &[f64],
    cut: f64,
    out: &mut [f64],
    mut count: usize,
) -> (usize, f64, f64) {
    use std::arch::x86_64::{
        _CMP_GE_OQ, _CMP_LT_OQ, _mm256_andnot_pd, _mm256_blendv_pd, _mm256_castpd_ps,
        _mm256_castps_pd, _mm256_cmp_pd, _mm256_loadu_pd, _mm256_loadu_si256, _mm256_max_pd,
        _mm256_min_pd, _mm256_movemask_pd, _mm256_permutevar8x32_ps, _mm256_set1_pd,
        _mm256_storeu_pd, _mm256_sub_pd,
    };
    let (cuts, sign) = (_mm256_set1_pd(cut), _mm256_set1_pd(-0.0));
    let (lowest, highest) = (
        _mm256_set1_pd(f64::NEG_INFINITY),
        _mm256_set1_pd(f64::INFINITY),
    );
    let (mut below, mut above) = (lowest, highest);
    let chunks = (values.len() - 1) / 4;
    assert!(count + 4 * chunks <= out.len(), "room for the kept ranges");
    for j in 0..chunks {
        // SAFETY: 4 j + 4 < values.len(); `count + 4 <= out.len()` as `count <= 4 j` (a chunk
        // keeps at most its four) and the assertion above; the table is 16 rows of eight.
        unsafe {
            let a = _mm256_loadu_pd(values.as_ptr().add(4 * j));
            let b = _mm256_loadu_pd(values.as_ptr().add(4 * j + 1));
            let r = _mm256_andnot_pd(sign, _mm256_sub_pd(b, a));
            let keep = _mm256_cmp_pd::<_CMP_LT_OQ>(r, cuts);
            let drop = _mm256_cmp_pd::<_CMP_GE_OQ>(r, cuts);
            below = _mm256_max_pd(below, _mm256_blendv_pd(lowest, r, keep));
            above = _mm256_min_pd(above, _mm256_blendv_pd(highest, r, drop));
            let mask = _mm256_movemask_pd(keep) as usize;
            let pack = _mm256_loadu_si256(PACK[mask].as_ptr().cast());
            let packed = _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(r), pack));
            _mm256_storeu_pd(out.as_mut_ptr().add(count), packed);
            count += mask.count_ones() as usize;
        }
    }
    // SAFETY: plain stores of two vectors into arrays of four.
    let (mut b, mut a) = ([0.0; 4], [0.0; 4]);
    unsafe {
        _mm256_storeu_pd(b.as_mut_ptr(), below);
        _mm256_storeu_pd(a.as_mut_ptr(), above);
    }
    (
        count,
        b.into_iter().fold(f64::NEG_INFINITY, f64::max),
        a.into_iter().fold(f64::INFINITY, f64::min),
    )
}

// ---------------------------------------------------------------------------------------------
// The whole series
// ---------------------------------------------------------------------------------------------

/// Scratch space reused from one call to the next, so a call allocates only its result.
#[derive(Default)]
struct Workspace {
    /// Segment start indices.
    starts: Vec<usize>,
    /// The kept moving ranges of the current segment's base points.
    ranges: Vec<f64>,
    /// Bit sets of the current segment's facts and runs.
    rules: rules::RuleBits,
}

thread_local! {
    /// Each thread keeps its scratch space between calls (about 9 bytes a point of the largest
    /// series so far), so that repeated calls neither allocate it nor fault its pages in again.
    static WORKSPACE: std::cell::RefCell<Workspace> = std::cell::RefCell::default();
}

/// Scratch space for series longer than this many points is released after the call.
const RETAINED_POINTS: usize = 1 << 21;

/// Runs the method on `values` (in date order), with segments starting at `segment_starts`
/// (indices; 0 is implied).
pub fn spc(
    values: &[f64],
    segment_starts: &[usize],
    options: &SpcOptions,
) -> Result<SpcResult, SpcError> {
    WORKSPACE.with(|ws| match ws.try_borrow_mut() {
        Ok(mut ws) => {
            let result = spc_dispatch(&mut ws, values, segment_starts, options);
            if values.len() > RETAINED_POINTS {
                *ws = Workspace::default();
            }
            result
        }
        // Only reachable if a caller re-entered `spc` on this thread; then start afresh.
        Err(_) => spc_dispatch(&mut Workspace::default(), values, segment_starts, options),
    })
}

/// [`spc_with`] compiled for the processor: for AVX2 where it has it, else for any x86-64
/// (SSE2) or other processor.
fn spc_dispatch(
    ws: &mut Workspace,
    values: &[f64],
    segment_starts: &[usize],
    options: &SpcOptions,
) -> Result<SpcResult, SpcError> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512bw")
        && std::arch::is_x86_feature_detected!("avx2")
    {
        // SAFETY: the processor has AVX-512 F and BW and AVX2, as just checked.
        return unsafe { spc_avx512(ws, values, segment_starts, options) };
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, as just checked.
        return unsafe { spc_avx2(ws, values, segment_starts, options) };
    }
    spc_with::<false>(ws, values, segment_starts, options)
}

/// [`spc_with`] compiled for AVX2: the compensated sums and the comparisons of the rules take
/// four lanes at a time where SSE2 takes two. Every lane does the same IEEE operations in the
/// same order (Rust never fuses a multiply and an add on its own), so the results are the
/// same bits at any vector width.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn spc_avx2(
    ws: &mut Workspace,
    values: &[f64],
    segment_starts: &[usize],
    options: &SpcOptions,
) -> Result<SpcResult, SpcError> {
    spc_with::<true>(ws, values, segment_starts, options)
}

/// [`spc_with`] compiled for AVX-512 (F and BW) and AVX2: the rules compare eight points at a
/// time and write a word's 64 points at once, with the same comparisons, so the same bits.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx512f,avx512bw")]
fn spc_avx512(
    ws: &mut Workspace,
    values: &[f64],
    segment_starts: &[usize],
    options: &SpcOptions,
) -> Result<SpcResult, SpcError> {
    spc_with_level::<true, true>(ws, values, segment_starts, options)
}

/// Checks the values and options.
#[inline(always)]
pub(crate) fn validate(values: &[f64], options: &SpcOptions) -> Result<(), SpcError> {
    if values.is_empty() {
        return Err(SpcError::Empty);
    }
    first_not_finite(values)?;
    validate_options(options)
}

/// The first value that is not a finite number, as the error.
fn first_not_finite(values: &[f64]) -> Result<(), SpcError> {
    // Check in blocks without an early exit, which the compiler turns into vector code; look
    // for the culprit only in a block that fails.
    for (b, block) in values.chunks(256).enumerate() {
        if !block.iter().fold(true, |ok, v| ok & v.is_finite()) {
            let (i, &value) = block
                .iter()
                .enumerate()
                .find(|(_, v)| !v.is_finite())
                .expect("a value that is not finite");
            return Err(SpcError::NotFinite {
                index: b * 256 + i,
                value,
            });
        }
    }
    Ok(())
}

/// Checks the options.
fn validate_options(options: &SpcOptions) -> Result<(), SpcError> {
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

/// [`spc`] with the scratch space `ws`, for any processor (`AVX2` false) or one with AVX2.
#[inline(always)]
fn spc_with<const AVX2: bool>(
    ws: &mut Workspace,
    values: &[f64],
    segment_starts: &[usize],
    options: &SpcOptions,
) -> Result<SpcResult, SpcError> {
    spc_with_level::<AVX2, false>(ws, values, segment_starts, options)
}

/// [`spc`] with the scratch space `ws`, inlined into each entry point of [`spc_dispatch`]
/// with the passes it calls, so that each is compiled for its instruction set: `AVX2`, and
/// `AVX512` (F and BW, with AVX2) where the processor has them.
#[inline(always)]
fn spc_with_level<const AVX2: bool, const AVX512: bool>(
    ws: &mut Workspace,
    values: &[f64],
    segment_starts: &[usize],
    options: &SpcOptions,
) -> Result<SpcResult, SpcError> {
    // The values are checked for finite numbers as the rules read them (one pass over memory
    // fewer); a value that is not finite is reported before any error in the options, as
    // `validate` does, so with such an error everything is checked first.
    if values.is_empty() || validate_options(options).is_err() {
        validate(values, options)?;
    }
    let n = values.len();
    let starts = &mut ws.starts;
    starts.clear();
    starts.push(0);
    starts.extend(segment_starts.iter().copied().filter(|&s| s > 0 && s < n));
    starts.sort_unstable();
    starts.dedup();

    // Every point's type and rule are written below, segment by segment, into capacity that is
    // never zeroed first.
    let mut point_type: Vec<PointType> = Vec::with_capacity(n);
    let mut rule: Vec<Option<Rule>> = Vec::with_capacity(n);
    let mut segments = Vec::with_capacity(starts.len());
    let mut warnings = Vec::new();

    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(n);
        let ys = &values[start..end];
        let base_n = options.fix_after.map_or(ys.len(), |f| f.min(ys.len()));
        let (mean, amr, screened) =
            centre_and_limits::<AVX2>(&ys[..base_n], options.screen_outliers, &mut ws.ranges);
        let bands = Bands::new(mean, amr);
        let (lpl, upl) = match amr {
            Some(_) => (Some(bands.lpl), Some(bands.upl)),
            None => (None, None),
        };
        limits_warnings(k, ys.len(), amr.is_none(), &mut warnings);
        fix_after_warning(k, ys.len(), options.fix_after, &mut warnings);
        let (common_cause, up) = rules::judge_segment::<AVX512>(
            &mut ws.rules,
            ys,
            &bands,
            options,
            &mut point_type.spare_capacity_mut()[start..end],
            &mut rule.spare_capacity_mut()[start..end],
        );
        // §9: only common cause and two special-cause types occur with one direction.
        let down = ys.len() - common_cause - up;
        let (improvement, concern, neutral) = options.improvement.split(up, down);
        segments.push(Segment {
            start,
            n: ys.len(),
            base: base_n,
            mean,
            amr,
            lpl,
            upl,
            screened,
            common_cause,
            improvement,
            concern,
            neutral,
        });
    }
    // SAFETY: the segments cover 0..n, one after another, and `judge_segment` wrote the type
    // and rule of every point of each.
    unsafe {
        point_type.set_len(n);
        rule.set_len(n);
    }
    if !ws.rules.all_finite() {
        first_not_finite(values)?;
    }

    let variation_icon = VariationIcon::of(point_type[n - 1], options.improvement);
    // The segments cover 0..n, so the last point is the last segment's.
    let last_seg = &segments[segments.len() - 1];
    let assurance_icon = AssuranceIcon::of(options.target, options.improvement, last_seg.limits());
    Ok(SpcResult {
        segments,
        point_type,
        rule,
        variation_icon,
        assurance_icon,
        warnings,
    })
}

/// Warns when segment `k` (`len` points) is too short for reliable limits, or has no moving
/// range left to set them.
pub(crate) fn limits_warnings(k: usize, len: usize, no_amr: bool, warnings: &mut Vec<String>) {
    if len < constants::MIN_POINTS {
        warnings.push(format!(
            "segment {} has {} points, fewer than {}: its limits are unreliable",
            k + 1,
            len,
            constants::MIN_POINTS
        ));
    }
    if no_amr {
        warnings.push(format!(
            "segment {}: no moving range remains after screening (for example a constant base), so the limits are undefined; only the trend and shift rules were applied",
            k + 1
        ));
    }
}

/// Warns when segment `k` (`len` points) is shorter than the fixed base, so that all its
/// points are base points.
pub(crate) fn fix_after_warning(
    k: usize,
    len: usize,
    fix_after: Option<usize>,
    warnings: &mut Vec<String>,
) {
    if let Some(f) = fix_after
        && len < f
    {
        warnings.push(format!(
            "segment {} has {} points, fewer than fix_after {f}: all are base points",
            k + 1,
            len
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// The rules (§7, §8)
// ---------------------------------------------------------------------------------------------
//
// A segment's rules are worked out on bit sets, 64 points to a word, with no branch on the data
// and nothing carried from one point to the next (see `rules`).

/// A segment's mean, limits and near band (§6). Without limits, the limits and band are
/// infinite, so no finite value is outside them or beyond the band: rules (a) and (c) never
/// apply, as `docs/methods/spc.md` §5 requires.
pub(crate) struct Bands {
    pub(crate) mean: f64,
    pub(crate) lpl: f64,
    pub(crate) upl: f64,
    pub(crate) near_lo: f64,
    pub(crate) near_hi: f64,
}

impl Bands {
    pub(crate) fn new(mean: f64, amr: Option<f64>) -> Bands {
        match amr {
            Some(a) => {
                let near = 2.0 / 3.0 * constants::LIMIT * a;
                Bands {
                    mean,
                    lpl: mean - constants::LIMIT * a,
                    upl: mean + constants::LIMIT * a,
                    near_lo: mean - near,
                    near_hi: mean + near,
                }
            }
            None => Bands {
                mean,
                lpl: f64::NEG_INFINITY,
                upl: f64::INFINITY,
                near_lo: f64::NEG_INFINITY,
                near_hi: f64::INFINITY,
            },
        }
    }
}

/// The centre line and limits as they were computed before their passes were fused: one
/// accurate mean after another over a materialised slice. Kept as the oracle the fused
/// [`centre_and_limits`] must equal bit for bit.
#[cfg(test)]
mod oracle {
    use super::{accurate_mean, constants};

    /// Mean, AMR and number of screened moving ranges, pass by pass.
    pub(super) fn centre_and_limits(base: &[f64], screen: bool) -> (f64, Option<f64>, usize) {
        let mean = accurate_mean(base);
        if base.len() < 2 {
            return (mean, None, 0);
        }
        let mut ranges: Vec<f64> = base.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        let amr = accurate_mean(&ranges);
        if !screen {
            return (mean, Some(amr), 0);
        }
        let kept = keep_below(&mut ranges, constants::SCREEN * amr);
        let screened = ranges.len() - kept;
        if kept == 0 {
            (mean, None, screened)
        } else if screened == 0 {
            (mean, Some(amr), 0)
        } else {
            (mean, Some(accurate_mean(&ranges[..kept])), screened)
        }
    }

    /// Moves the values below `cut` to the front, in order; returns how many there are.
    fn keep_below(values: &mut [f64], cut: f64) -> usize {
        let mut kept = 0;
        for i in 0..values.len() {
            let x = values[i];
            values[kept] = x;
            kept += usize::from(x < cut);
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Series with ties, steps and runs, so that every rule and the screening have work.
    fn series() -> impl Strategy<Value = Vec<f64>> {
        proptest::collection::vec(
            prop_oneof![
                (0i32..40).prop_map(|k| f64::from(k) / 4.0),
                -1e3f64..1e3,
                Just(5.0),
            ],
            1..400,
        )
    }

    fn options() -> impl Strategy<Value = SpcOptions> {
        (
            prop_oneof![
                Just(Improvement::Increase),
                Just(Improvement::Decrease),
                Just(Improvement::Neutral)
            ],
            proptest::option::of(12usize..40),
            any::<bool>(),
            2usize..10,
            2usize..10,
        )
            .prop_map(|(improvement, fix_after, screen_outliers, shift, trend)| {
                SpcOptions {
                    improvement,
                    target: Some(5.0),
                    fix_after,
                    screen_outliers,
                    shift_length: shift,
                    trend_length: trend,
                }
            })
    }

    /// Segments, point types, rules and icons as bits: equal floats that differ in bits
    /// (0.0 and −0.0) count as different.
    fn bits(r: &SpcResult) -> String {
        let segments: Vec<_> = r
            .segments
            .iter()
            .map(|s| {
                (
                    s.start,
                    s.n,
                    s.base,
                    s.mean.to_bits(),
                    s.amr.map(f64::to_bits),
                    s.lpl.map(f64::to_bits),
                    s.upl.map(f64::to_bits),
                    s.screened,
                    (s.common_cause, s.improvement, s.concern, s.neutral),
                )
            })
            .collect();
        format!(
            "{segments:?} {:?} {:?} {:?} {:?} {:?}",
            r.point_type, r.rule, r.variation_icon, r.assurance_icon, r.warnings
        )
    }

    /// Series for the centre line and limits: every length from 1 (around the chunks of four
    /// and the blocks of the screening), constant runs, and values from tiny to huge.
    fn base_series() -> impl Strategy<Value = Vec<f64>> {
        let value = prop_oneof![
            (0i32..40).prop_map(|k| f64::from(k) / 4.0),
            -1e3f64..1e3,
            Just(5.0),
            (-1e-300f64..1e-300),
            (-1e300f64..1e300),
            Just(0.0),
            Just(-0.0),
            Just(f64::MIN_POSITIVE),
            Just(1e308),
            Just(-1e308),
        ];
        prop_oneof![
            proptest::collection::vec(value.clone(), 1..12),
            proptest::collection::vec(value, 1..700),
            (
                any::<f64>().prop_filter("finite", |v| v.is_finite()),
                1usize..600
            )
                .prop_map(|(v, n)| vec![v; n]),
        ]
    }

    proptest! {
        /// The fused centre line and limits are the bits of the pass-by-pass oracle.
        #[test]
        fn fused_centre_and_limits_equal_the_oracle(
            base in base_series(),
            screen in any::<bool>(),
        ) {
            let (mean, amr, screened) = centre_and_limits::<false>(&base, screen, &mut Vec::new());
            let (o_mean, o_amr, o_screened) = oracle::centre_and_limits(&base, screen);
            prop_assert_eq!(mean.to_bits(), o_mean.to_bits());
            prop_assert_eq!(amr.map(f64::to_bits), o_amr.map(f64::to_bits));
            prop_assert_eq!(screened, o_screened);
            // Scratch space left longer by a previous call gives the same bits.
            let mut used = vec![7.0; base.len() + 9];
            let again = centre_and_limits::<false>(&base, screen, &mut used);
            prop_assert_eq!(again.0.to_bits(), o_mean.to_bits());
            prop_assert_eq!(again.1.map(f64::to_bits), o_amr.map(f64::to_bits));
            // The screening four ranges at a time keeps the same ranges.
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                let packed = centre_and_limits::<true>(&base, screen, &mut used);
                prop_assert_eq!(packed.1.map(f64::to_bits), o_amr.map(f64::to_bits));
                prop_assert_eq!(packed.2, o_screened);
            }
        }

        /// Screening by an estimate of the AMR in the residual pass gives the bits of the
        /// pass-by-pass oracle (as bases that small are otherwise screened after that pass).
        #[test]
        fn screening_by_an_estimate_equals_the_oracle(base in base_series()) {
            let o = oracle::centre_and_limits(&base, true);
            let mut kept = Vec::new();
            let fused = centre_and_limits_by::<false>(&base, true, &mut kept, true);
            prop_assert_eq!(fused.0.to_bits(), o.0.to_bits());
            prop_assert_eq!(fused.1.map(f64::to_bits), o.1.map(f64::to_bits));
            prop_assert_eq!(fused.2, o.2);
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                let packed = centre_and_limits_by::<true>(&base, true, &mut kept, true);
                prop_assert_eq!(packed.1.map(f64::to_bits), o.1.map(f64::to_bits));
                prop_assert_eq!(packed.2, o.2);
            }
        }

        /// The screening notes the largest range kept and the smallest dropped, which decide
        /// whether a screening by an estimated cut stands.
        #[test]
        fn screening_notes_the_ranges_nearest_the_cut(
            base in base_series().prop_filter("two points", |b| b.len() >= 2),
            cut in prop_oneof![0.0f64..20.0, Just(2.5), Just(f64::INFINITY)],
        ) {
            let ranges: Vec<f64> = base.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
            let below = ranges.iter().copied().filter(|&r| r < cut).fold(f64::NEG_INFINITY, f64::max);
            let above = ranges.iter().copied().filter(|&r| r >= cut).fold(f64::INFINITY, f64::min);
            let mut kept = Vec::new();
            let (_, _, b, a) = keep_ranges_below_with::<false>(&base, cut, &mut kept, None);
            prop_assert_eq!((b.to_bits(), a.to_bits()), (below.to_bits(), above.to_bits()));
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                let (_, _, b, a) = keep_ranges_below_with::<true>(&base, cut, &mut kept, None);
                prop_assert_eq!((b.to_bits(), a.to_bits()), (below.to_bits(), above.to_bits()));
            }
        }

        /// The whole method with its scratch space reused after a longer series gives the
        /// bits of a fresh one (scratch space is resized, not cleared).
        #[test]
        fn reused_scratch_space_gives_the_same_bits(
            first in series(),
            values in series(),
            starts in proptest::collection::vec(0usize..400, 0..4),
            options in options(),
        ) {
            let mut ws = Workspace::default();
            let _ = spc_with::<false>(&mut ws, &first, &[], &options);
            let reused = spc_with::<false>(&mut ws, &values, &starts, &options);
            let fresh = spc_with::<false>(&mut Workspace::default(), &values, &starts, &options);
            match (reused, fresh) {
                (Ok(a), Ok(b)) => prop_assert_eq!(bits(&a), bits(&b)),
                (a, b) => prop_assert_eq!(a.err(), b.err()),
            }
        }

        /// Each variant the processor can run (AVX2; AVX-512 with AVX2) gives the bits of the
        /// core compiled for any processor.
        #[test]
        fn each_instruction_set_gives_the_portable_bits(
            mut values in series(),
            starts in proptest::collection::vec(0usize..400, 0..4),
            options in options(),
            bad in proptest::option::of((
                0usize..400,
                prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)],
            )),
        ) {
            // Now and then a value that is not finite, which every variant must find.
            if let Some((i, v)) = bad {
                let len = values.len();
                values[i % len] = v;
            }
            let portable = spc_with::<false>(&mut Workspace::default(), &values, &starts, &options);
            let mut variants = Vec::new();
            #[cfg(target_arch = "x86_64")]
            {
                use std::arch::is_x86_feature_detected as has;
                let ws = &mut Workspace::default();
                if has!("avx2") {
                    // SAFETY: the processor has AVX2, as just checked.
                    variants.push(unsafe { spc_avx2(ws, &values, &starts, &options) });
                }
                if has!("avx2") && has!("avx512f") && has!("avx512bw") {
                    // SAFETY: the processor has AVX2 and AVX-512 F and BW, as just checked.
                    variants.push(unsafe { spc_avx512(ws, &values, &starts, &options) });
                }
            }
            for variant in variants {
                match (&portable, variant) {
                    (Ok(a), Ok(b)) => prop_assert_eq!(bits(a), bits(&b)),
                    // As text: a NaN in the error is not equal to itself.
                    (a, b) => prop_assert_eq!(
                        format!("{:?}", a.clone().err()),
                        format!("{:?}", b.err())
                    ),
                }
            }
        }

        /// The core compiled for AVX2 gives the same bits as compiled for any processor.
        #[test]
        fn every_instruction_set_gives_the_same_bits(
            values in series(),
            starts in proptest::collection::vec(0usize..400, 0..4),
            options in options(),
        ) {
            let portable = spc_with::<false>(&mut Workspace::default(), &values, &starts, &options);
            let chosen = spc_dispatch(&mut Workspace::default(), &values, &starts, &options);
            match (portable, chosen) {
                (Ok(a), Ok(b)) => prop_assert_eq!(bits(&a), bits(&b)),
                (a, b) => prop_assert_eq!(a.err(), b.err()),
            }
        }
    }
}
