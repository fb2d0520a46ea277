//! Statistical process control: NHS England's *Making Data Count* XmR method with the
//! defaults of NHSRplotthedots 0.2.2, exactly as `shared/spec/spc.md` defines it. The section
//! numbers in comments refer to that specification's "Method".
//!
//! The core works on values already in date order and segment start indices; reading files,
//! sorting dates and resolving rebase dates happen in [`crate::spc_input`].

use serde::{Deserialize, Serialize};

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
}

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
    #[error("--fix-after {0} is too small; expected 12 or more")]
    FixAfterTooSmall(usize),
    /// A run length below 2.
    #[error("--{0} {1} is too small; expected 2 or more")]
    RunLengthTooSmall(&'static str, usize),
    /// A value that is not a finite number.
    #[error("value {value} at position {index} is not a finite number")]
    NotFinite {
        /// Zero-based position.
        index: usize,
        /// The value.
        value: f64,
    },
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

/// The result for a whole series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpcResult {
    /// Segments in order.
    pub segments: Vec<Segment>,
    /// Each point's classification.
    pub point_type: Vec<PointType>,
    /// The rule that first flagged each point, if any.
    pub rule: Vec<Option<Rule>>,
    /// Index of each point's segment.
    pub segment_of: Vec<usize>,
    /// The variation icon.
    pub variation_icon: VariationIcon,
    /// The assurance icon, with a target and a direction other than neutral.
    pub assurance_icon: Option<AssuranceIcon>,
    /// Warnings, in words.
    pub warnings: Vec<String>,
}

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

/// Runs the method on `values` (in date order), with segments starting at `segment_starts`
/// (indices; 0 is implied).
pub fn spc(
    values: &[f64],
    segment_starts: &[usize],
    options: &SpcOptions,
) -> Result<SpcResult, SpcError> {
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
            "shift-length",
            options.shift_length,
        ));
    }
    if options.trend_length < 2 {
        return Err(SpcError::RunLengthTooSmall(
            "trend-length",
            options.trend_length,
        ));
    }
    let n = values.len();
    let mut starts: Vec<usize> = std::iter::once(0)
        .chain(segment_starts.iter().copied().filter(|&s| s > 0 && s < n))
        .collect();
    starts.sort_unstable();
    starts.dedup();

    let mut point_type = vec![PointType::CommonCause; n];
    let mut rule = vec![None; n];
    let mut segment_of = vec![0; n];
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
        if ys.len() < constants::MIN_POINTS {
            warnings.push(format!(
                "segment {} has {} points, fewer than {}: its limits are unreliable",
                k + 1,
                ys.len(),
                constants::MIN_POINTS
            ));
        }
        if amr.is_none() {
            warnings.push(format!(
                "segment {}: no moving range remains after screening (for example a constant base), so the limits are undefined; only the trend and shift rules were applied",
                k + 1
            ));
        }
        if let Some(f) = options.fix_after
            && ys.len() < f
        {
            warnings.push(format!(
                "segment {} has {} points, fewer than --fix-after {f}: all are base points",
                k + 1,
                ys.len()
            ));
        }
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
            segment_of[start + i] = k;
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
    let last_seg = &segments[segment_of[n - 1]];
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
        segment_of,
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
