//! One result shape for every chart of `docs/methods/run-charts.md` and `docs/methods/spc.md`:
//! XmR, run, p′ and u′, chosen per segment (`auto`: a run chart for a short segment, else the
//! indicator's chart, else XmR), with per-point centre, limits and point types, per-segment
//! runs analysis, and the variation and assurance icons of the whole series.
//!
//! XmR segments come unchanged from [`crate::spc::spc`]; run charts from
//! [`crate::runchart`]; p′ and u′ charts from [`crate::laney`] plus the runs analysis.

use serde::Serialize;

use crate::laney::{
    CountError, LaneyInput, LaneyKind, LaneyOutput, NoSigma, first_bad_count, laney_limits,
    laney_points,
};
use crate::profile::{Hit, Judged, Profile, judge};
use crate::runchart::{
    RunRules, RunsAnalysis, analysis, analysis_in_pieces, codes_in_pieces, flag_long_runs,
    flag_trend_points, longest_trend, longest_trend_in_pieces, median, pieces,
    runs_analysis_with_codes,
};
use crate::spc::{
    AssuranceIcon, Improvement, PointType, Rule, SpcOptions, SpcResult, VariationIcon, constants,
};

/// A kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// XmR (Making Data Count), `spc.md`.
    Xmr,
    /// Run chart with the median and the runs analysis.
    Run,
    /// Laney's p′ chart of proportions.
    PPrime,
    /// Laney's u′ chart of rates.
    UPrime,
}

impl ChartKind {
    /// The name as written on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ChartKind::Xmr => "xmr",
            ChartKind::Run => "run",
            ChartKind::PPrime => "pprime",
            ChartKind::UPrime => "uprime",
        }
    }

    /// The chart in words ("run chart").
    pub fn describe(self) -> &'static str {
        match self {
            ChartKind::Xmr => "XmR chart",
            ChartKind::Run => "run chart",
            ChartKind::PPrime => "p′ chart",
            ChartKind::UPrime => "u′ chart",
        }
    }

    /// The Laney chart this is, if any.
    pub fn laney(self) -> Option<LaneyKind> {
        match self {
            ChartKind::PPrime => Some(LaneyKind::P),
            ChartKind::UPrime => Some(LaneyKind::U),
            ChartKind::Xmr | ChartKind::Run => None,
        }
    }

    /// Whether the chart needs numerators and denominators.
    pub fn needs_counts(self) -> bool {
        self.laney().is_some()
    }

    /// What its centre line is: `median` on a run chart, else `mean`.
    pub fn centre_name(self) -> &'static str {
        match self {
            ChartKind::Run => "median",
            ChartKind::Xmr | ChartKind::PPrime | ChartKind::UPrime => "mean",
        }
    }
}

crate::spc::display_as_str!(ChartKind, ChartVariationIcon);

/// Which chart to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartChoice {
    /// Per segment: a run chart when the segment has fewer than `min_points` points, else the
    /// indicator's chart (the `Some`), else XmR.
    Auto(Option<ChartKind>),
    /// This chart for every segment.
    Only(ChartKind),
}

impl ChartChoice {
    /// The name as written on the command line (`auto` or the chart's).
    pub fn as_str(self) -> &'static str {
        match self {
            ChartChoice::Auto(_) => "auto",
            ChartChoice::Only(k) => k.as_str(),
        }
    }
}

/// Why a segment got its chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum ChoiceReason {
    /// The chart was asked for.
    Asked,
    /// `auto`: fewer points than the minimum for limits.
    FewPoints {
        /// Points in the segment.
        points: usize,
        /// The minimum (`--min-points`).
        min_points: usize,
    },
    /// `auto`: enough points, and the indicator names this chart.
    Indicator,
    /// `auto`: enough points, and no chart named: XmR.
    Default,
}

impl ChoiceReason {
    /// The choice in words, for example "9 points, fewer than 15: run chart".
    pub fn describe(self, chart: ChartKind) -> String {
        match self {
            ChoiceReason::Asked => format!("{} as asked", chart.describe()),
            ChoiceReason::FewPoints { points, min_points } => format!(
                "{points} point{}, fewer than {min_points}: {}",
                if points == 1 { "" } else { "s" },
                chart.describe()
            ),
            ChoiceReason::Indicator => format!("the indicator's {}", chart.describe()),
            ChoiceReason::Default => format!("enough points: {}", chart.describe()),
        }
    }
}

/// The `auto` rule of `docs/methods/run-charts.md`: a run chart when a segment has fewer than
/// `min_points` points (XmR limits from fewer are unreliable), otherwise the chart set for the
/// indicator, otherwise XmR.
pub fn auto_chart(
    points: usize,
    min_points: usize,
    indicator: Option<ChartKind>,
) -> (ChartKind, ChoiceReason) {
    if points < min_points {
        (
            ChartKind::Run,
            ChoiceReason::FewPoints { points, min_points },
        )
    } else if let Some(k) = indicator {
        (k, ChoiceReason::Indicator)
    } else {
        (ChartKind::Xmr, ChoiceReason::Default)
    }
}

/// The options of every chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartOptions {
    /// Which chart (default XmR).
    pub chart: ChartChoice,
    /// `auto` picks a run chart for segments with fewer points than this (default 15).
    pub min_points: usize,
    /// Which way is better.
    pub improvement: Improvement,
    /// The target, if any, on the output scale.
    pub target: Option<f64>,
    /// Each segment's centre (and limits) from its first N points (N ≥ 12).
    pub fix_after: Option<usize>,
    /// Run chart, p′ and u′ rules (default Anhøj).
    pub run_rules: RunRules,
    /// XmR: screen out large moving ranges (default on, as `spc.md`).
    pub xmr_screen_outliers: bool,
    /// p′ and u′: screen out large moving ranges of z (default off, Laney's method).
    pub laney_screen_outliers: bool,
    /// Proportions and rates are printed times this (default 100, percent).
    pub multiplier: f64,
    /// XmR: points on one side of the mean that make a shift (default 7).
    pub shift_length: usize,
    /// XmR: rising or falling points that make a trend (default 7).
    pub trend_length: usize,
    /// XmR: the rule profile (default `ptd-0.2.2`; its screening is `xmr_screen_outliers`).
    pub profile: Profile,
    /// Indices of points with a gap before them: values either side are not consecutive (no
    /// moving range, run, crossing, trend or window spans a gap), on every chart.
    pub breaks: Vec<usize>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            chart: ChartChoice::Only(ChartKind::Xmr),
            min_points: 15,
            improvement: Improvement::Increase,
            target: None,
            fix_after: None,
            run_rules: RunRules::Anhoj,
            xmr_screen_outliers: true,
            laney_screen_outliers: false,
            multiplier: 100.0,
            shift_length: 7,
            trend_length: 7,
            profile: Profile::default(),
            breaks: Vec::new(),
        }
    }
}

/// The data of a series, in date order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChartInput<'a> {
    /// Values (XmR and run charts).
    Values(&'a [f64]),
    /// Numerators and denominators (any chart: p′ and u′ need them; XmR and run charts use
    /// x / n times the multiplier).
    Counts {
        /// The numerators x_i.
        numerators: &'a [f64],
        /// The denominators n_i.
        denominators: &'a [f64],
    },
}

impl ChartInput<'_> {
    fn len(&self) -> usize {
        match self {
            ChartInput::Values(v) => v.len(),
            ChartInput::Counts { numerators, .. } => numerators.len(),
        }
    }
}

/// Errors in the data or options, by zero-based position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    /// No points.
    #[error("the series has no points")]
    Empty,
    /// More points than an XmR chart can list the rules behind each flag for.
    #[error("the series has {0} points; at most {max} can be judged", max = crate::profile::MAX_JUDGED_POINTS)]
    TooManyPoints(usize),
    /// A value that is not a finite number.
    #[error("value {value} at position {index} is not a finite number")]
    NotFinite {
        /// Zero-based position.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A numerator or denominator the chart cannot use.
    #[error("at position {index}: {error}")]
    BadCount {
        /// Zero-based position.
        index: usize,
        /// What is wrong.
        error: CountError,
    },
    /// Different numbers of numerators and denominators.
    #[error("{numerators} numerators but {denominators} denominators")]
    LengthMismatch {
        /// Numerators given.
        numerators: usize,
        /// Denominators given.
        denominators: usize,
    },
    /// A p′ or u′ chart without numerators and denominators.
    #[error("a {} needs numerators and denominators", .0.describe())]
    NeedsCounts(ChartKind),
    /// `--fix-after` below the minimum.
    #[error("fix_after {0} is too small; expected 12 or more")]
    FixAfterTooSmall(usize),
    /// A run length below 2.
    #[error("{0} {1} is too small; expected 2 or more")]
    RunLengthTooSmall(&'static str, usize),
    /// A multiplier that is not a positive finite number.
    #[error("multiplier {0} is not a positive number")]
    BadMultiplier(f64),
}

/// A segment's limits.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Limits {
    /// No limits: a run chart, or limits undefined.
    None,
    /// The same limits for every point (XmR).
    Constant {
        /// Lower process limit.
        lpl: f64,
        /// Upper process limit.
        upl: f64,
    },
    /// Limits per point (p′, u′): `centre ± 3 · s_i · σ_z`, clamped to 0 and `top`, times
    /// `multiplier`, computed on demand by [`Limits::at`] (storing s_i alone halves the memory
    /// of a long chart and spares a pass over it, and gives the same bits: see
    /// [`crate::laney::laney_limits`]).
    Spread {
        /// p̄ or ū on the proportion scale.
        centre: f64,
        /// The clamp above: 1 for p′, infinity for u′.
        top: f64,
        /// The output scale.
        multiplier: f64,
        /// σ_z, the ratio of the spread of z to what the counts alone would give.
        sigma_z: f64,
        /// s_i, the standard deviation of each point's proportion from its denominator, in
        /// the segment's order.
        sigma: Vec<f64>,
    },
}

impl Limits {
    /// The limits of the segment's point `j` (0 = its first), if any.
    pub fn at(&self, j: usize) -> Option<(f64, f64)> {
        match self {
            Limits::None => None,
            Limits::Constant { lpl, upl } => Some((*lpl, *upl)),
            Limits::Spread {
                centre,
                top,
                multiplier,
                sigma_z,
                sigma,
            } => Some(laney_limits(
                *centre,
                *top,
                *multiplier,
                *sigma.get(j)? * *sigma_z,
            )),
        }
    }
}

/// One segment of a chart: its chart, centre, limits, runs analysis and counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartSegment {
    /// The chart drawn for it.
    pub chart: ChartKind,
    /// Why.
    pub reason: ChoiceReason,
    /// Index of its first point.
    pub start: usize,
    /// Number of points.
    pub n: usize,
    /// Number of base points the centre (and limits) come from.
    pub base: usize,
    /// Centre line on the output scale: the mean (XmR), median (run) or p̄, ū (× multiplier).
    pub centre: f64,
    /// Limits on the output scale.
    pub limits: Limits,
    /// XmR: the average moving range after screening.
    pub amr: Option<f64>,
    /// p′, u′: σ_z.
    pub sigma_z: Option<f64>,
    /// p′, u′: why there is no σ_z.
    pub no_sigma: Option<NoSigma>,
    /// Moving ranges (of values for XmR, of z for p′ and u′) screened out.
    pub screened: usize,
    /// The runs analysis (run, p′, u′; none for XmR, whose rules are `spc.md`'s).
    pub runs: Option<RunsAnalysis>,
    /// Common-cause points.
    pub common_cause: usize,
    /// Improvement points.
    pub improvement: usize,
    /// Concern points.
    pub concern: usize,
    /// Neutral special-cause points.
    pub neutral: usize,
}

/// The variation icon of a chart: those of `spc.md` §10, and `neutral` when a run chart (or
/// p′, u′) has too few crossings and nothing else to flag (`docs/methods/run-charts.md` §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartVariationIcon {
    /// An icon of `spc.md` §10, from the last point.
    Spc(VariationIcon),
    /// Too few crossings: a non-random pattern that flags no point.
    TooFewCrossings,
}

impl ChartVariationIcon {
    /// The name as printed (`neutral` for too few crossings).
    pub fn as_str(self) -> &'static str {
        match self {
            ChartVariationIcon::Spc(v) => v.as_str(),
            ChartVariationIcon::TooFewCrossings => "neutral",
        }
    }

    /// The icon of `spc.md` §10, if it is one.
    pub fn spc(self) -> Option<VariationIcon> {
        match self {
            ChartVariationIcon::Spc(v) => Some(v),
            ChartVariationIcon::TooFewCrossings => None,
        }
    }

    /// The icon in plain English (see [`VariationIcon::label`]).
    pub fn label(self) -> &'static str {
        match self {
            ChartVariationIcon::Spc(v) => v.label(),
            ChartVariationIcon::TooFewCrossings => {
                "Non-random variation: too few crossings of the centre line"
            }
        }
    }

    /// The text that goes with the icon, if any ("too few crossings").
    pub fn text(self) -> Option<&'static str> {
        match self {
            ChartVariationIcon::Spc(_) => None,
            ChartVariationIcon::TooFewCrossings => Some("too few crossings"),
        }
    }
}

impl Serialize for ChartVariationIcon {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One point of a chart, for output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChartPoint {
    /// The value on the output scale.
    pub value: f64,
    /// Its segment's centre.
    pub centre: f64,
    /// Its lower limit, if any.
    pub lpl: Option<f64>,
    /// Its upper limit, if any.
    pub upl: Option<f64>,
    /// Its classification.
    pub point_type: PointType,
    /// The rule that flagged it, if any.
    pub rule: Option<Rule>,
    /// Index of its segment.
    pub segment: usize,
}

/// The result for a whole series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartResult {
    /// Segments in order.
    pub segments: Vec<ChartSegment>,
    /// Each point's value on the output scale (x / n × multiplier from counts).
    pub values: Vec<f64>,
    /// Each point's classification.
    pub point_type: Vec<PointType>,
    /// The rule that first flagged each point: outside the limits, trend, two of three (XmR)
    /// or shift (a run longer than the longest expected).
    pub rule: Vec<Option<Rule>>,
    /// The variation icon, from the last point.
    pub variation_icon: ChartVariationIcon,
    /// The assurance icon, with a target, a direction other than neutral, and limits on the
    /// last point's chart (never for a run chart).
    pub assurance_icon: Option<AssuranceIcon>,
    /// Warnings, in words.
    pub warnings: Vec<String>,
    /// The whole series judged as XmR under the profile, when any segment is XmR (see
    /// [`ChartResult::xmr`]).
    #[serde(skip)]
    xmr: Option<Judged>,
    /// The points with a gap before them (no run behind a hit spans one).
    #[serde(skip)]
    breaks: Vec<usize>,
    /// `false` when the XmR profile withholds the icons (too few points under `mdc`).
    pub icons: bool,
    /// The XmR profile's name ("ptd-0.2.2", "mdc, 6-point").
    pub profile: String,
}

impl ChartResult {
    /// Every rule behind point `i`'s flag, with its run or window (XmR: every rule of the
    /// profile; run, p′, u′: the rule that flagged it); empty for a common-cause point.
    pub fn hits(&self, i: usize) -> Vec<Hit> {
        let Some(seg) = self.segment_of_point(i) else {
            return Vec::new();
        };
        if let (ChartKind::Xmr, Some(x)) = (seg.chart, &self.xmr) {
            return x.hits.get(i).map(<[Hit]>::to_vec).unwrap_or_default();
        }
        let Some(r) = self.rule.get(i).copied().flatten() else {
            return Vec::new();
        };
        let limits = seg.limits.at(i - seg.start);
        vec![single_hit(
            &self.values,
            seg,
            &self.breaks,
            i,
            r,
            seg.centre,
            limits,
        )]
    }

    /// Point `i` with its segment's centre and its limits. `None` past the end.
    pub fn point(&self, i: usize) -> Option<ChartPoint> {
        let segment = self.segment_of(i)?;
        let seg = self.segments.get(segment)?;
        let limits = seg.limits.at(i.checked_sub(seg.start)?);
        Some(ChartPoint {
            value: *self.values.get(i)?,
            centre: seg.centre,
            lpl: limits.map(|l| l.0),
            upl: limits.map(|l| l.1),
            point_type: *self.point_type.get(i)?,
            rule: *self.rule.get(i)?,
            segment,
        })
    }

    /// Every point, in order.
    pub fn points(&self) -> impl Iterator<Item = ChartPoint> + '_ {
        (0..self.values.len()).filter_map(|i| self.point(i))
    }

    /// The XmR profile's judgement of the whole series (its segments, every rule behind each
    /// flag, its icons and the profile's name), when any segment is XmR: what an XmR chart
    /// reports beyond the points, and what its XmR segments were read from.
    pub fn xmr(&self) -> Option<&Judged> {
        self.xmr.as_ref()
    }

    /// The segment of point `i`.
    pub fn segment_of_point(&self, i: usize) -> Option<&ChartSegment> {
        self.segments.get(self.segment_of(i)?)
    }

    /// Index of point `i`'s segment, `None` past the end. Found from the segments' starts
    /// rather than held for every point: few charts have more than a handful of segments.
    pub fn segment_of(&self, i: usize) -> Option<usize> {
        (i < self.point_type.len()).then(|| crate::spc::segment_at(&self.segments, |s| s.start, i))
    }
}

/// Checks the data and options; returns the segment starts (0 first, sorted, unique).
///
/// The counts are checked by [`check_all_counts`] or, for p′ and u′ segments, as those
/// charts are computed.
fn validate(
    input: &ChartInput,
    segment_starts: &[usize],
    options: &ChartOptions,
) -> Result<Vec<usize>, ChartError> {
    let n = input.len();
    if n == 0 {
        return Err(ChartError::Empty);
    }
    match *input {
        ChartInput::Values(values) => {
            // In blocks without an early exit, which the compiler vectorises; the culprit is
            // looked for only in a block that fails.
            for (b, block) in values.chunks(256).enumerate() {
                if !block.iter().fold(true, |ok, v| ok & v.is_finite())
                    && let Some((i, &value)) =
                        block.iter().enumerate().find(|(_, v)| !v.is_finite())
                {
                    return Err(ChartError::NotFinite {
                        index: b * 256 + i,
                        value,
                    });
                }
            }
        }
        ChartInput::Counts {
            numerators,
            denominators,
        } => {
            if numerators.len() != denominators.len() {
                return Err(ChartError::LengthMismatch {
                    numerators: numerators.len(),
                    denominators: denominators.len(),
                });
            }
        }
    }
    if let Some(f) = options.fix_after
        && f < constants::MIN_FIX_AFTER
    {
        return Err(ChartError::FixAfterTooSmall(f));
    }
    // An array rather than a Vec: this runs once per series, and short series are many.
    let fixed = match options.run_rules {
        RunRules::Fixed {
            shift_length,
            trend_length,
        } => [shift_length, trend_length],
        RunRules::Anhoj => [options.shift_length, options.trend_length],
    };
    let lengths = [
        ("shift_length", options.shift_length),
        ("trend_length", options.trend_length),
        ("shift_length", fixed[0]),
        ("trend_length", fixed[1]),
    ];
    if let Some(&(name, len)) = lengths.iter().find(|(_, len)| *len < 2) {
        return Err(ChartError::RunLengthTooSmall(name, len));
    }
    if !(options.multiplier.is_finite() && options.multiplier > 0.0) {
        return Err(ChartError::BadMultiplier(options.multiplier));
    }
    let mut starts = vec![0];
    starts.extend(segment_starts.iter().copied().filter(|&s| s > 0 && s < n));
    starts.sort_unstable();
    starts.dedup();
    Ok(starts)
}

/// Checks every numerator and denominator ([`crate::laney::check_counts`]): for p′ when any segment may be
/// a p′ chart, since proportions must not exceed 1 there, else for u′.
fn check_all_counts(
    numerators: &[f64],
    denominators: &[f64],
    options: &ChartOptions,
) -> Result<(), ChartError> {
    let kind = match options.chart {
        ChartChoice::Only(ChartKind::PPrime) | ChartChoice::Auto(Some(ChartKind::PPrime)) => {
            LaneyKind::P
        }
        _ => LaneyKind::U,
    };
    let blocks = numerators.chunks(256).zip(denominators.chunks(256));
    for (b, (xs, ds)) in blocks.enumerate() {
        if let Some((i, error)) = first_bad_count(kind, xs, ds) {
            return Err(ChartError::BadCount {
                index: b * 256 + i,
                error,
            });
        }
    }
    Ok(())
}

/// Scratch space reused from one call to the next on a thread, so that repeated calls
/// neither allocate it nor fault its pages in again.
#[derive(Default)]
struct Workspace {
    /// Values: a copy for the median, or moving ranges of z.
    values: Vec<f64>,
    /// Per-point codes of the runs analysis.
    codes: Vec<u32>,
}

thread_local! {
    static WORKSPACE: std::cell::RefCell<Workspace> = std::cell::RefCell::default();
}

/// Scratch space for series longer than this many points is released after the call.
const RETAINED_POINTS: usize = 1 << 21;

/// Runs the chosen chart on `input` (in date order), with segments starting at
/// `segment_starts` (indices; 0 is implied).
pub fn chart(
    input: ChartInput,
    segment_starts: &[usize],
    options: &ChartOptions,
) -> Result<ChartResult, ChartError> {
    chart_given(Given::Borrowed(input), segment_starts, options)
}

/// [`chart`] of `values`, which become the result's values rather than being copied: a
/// series read into a vector of its own is not held twice.
pub fn chart_values(
    values: Vec<f64>,
    segment_starts: &[usize],
    options: &ChartOptions,
) -> Result<ChartResult, ChartError> {
    chart_given(Given::Values(values), segment_starts, options)
}

/// The data of a chart as the caller has it: borrowed, or values it gives up.
enum Given<'a> {
    Borrowed(ChartInput<'a>),
    Values(Vec<f64>),
}

impl Given<'_> {
    fn input(&self) -> ChartInput<'_> {
        match self {
            Given::Borrowed(input) => *input,
            Given::Values(values) => ChartInput::Values(values),
        }
    }
}

/// [`chart`] of the data given, on the fastest path the processor has.
fn chart_given(
    given: Given,
    segment_starts: &[usize],
    options: &ChartOptions,
) -> Result<ChartResult, ChartError> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2, as just checked.
        return unsafe { chart_avx2(given, segment_starts, options) };
    }
    chart_portable(given, segment_starts, options)
}

/// [`chart`] compiled for AVX2: the checks of the counts and the arithmetic over the points
/// take four lanes at a time where SSE2 takes two. The results are the same bits (see
/// [`crate::laney`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn chart_avx2(
    given: Given,
    segment_starts: &[usize],
    options: &ChartOptions,
) -> Result<ChartResult, ChartError> {
    chart_portable(given, segment_starts, options)
}

/// [`chart`] for any processor, inlined into each entry point.
#[inline(always)]
fn chart_portable(
    given: Given,
    segment_starts: &[usize],
    options: &ChartOptions,
) -> Result<ChartResult, ChartError> {
    let input = given.input();
    let starts = validate(&input, segment_starts, options)?;
    let n = input.len();
    let choices = choose_charts(input, &starts, options)?;
    let multiplier = match input {
        ChartInput::Values(_) => 1.0,
        ChartInput::Counts { .. } => options.multiplier,
    };
    let any_xmr = choices.iter().any(|(k, _)| *k == ChartKind::Xmr);
    // Values given up are the output values as they are (what `output_values` copies); the
    // segments read values from `values` only, so the input keeps none of them.
    let (input, values) = match given {
        Given::Borrowed(input) => (input, output_values(input, any_xmr, multiplier)),
        Given::Values(values) => (ChartInput::Values(&[]), values),
    };
    let xmr = if any_xmr {
        Some(judge_xmr(&values, &starts, options)?)
    } else {
        None
    };
    let mut chart = Charting {
        input,
        options,
        xmr,
        multiplier,
        filled: !values.is_empty(),
        values,
        point_type: vec![PointType::CommonCause; n],
        rule: vec![None; n],
        segments: Vec::with_capacity(starts.len()),
        warnings: Vec::new(),
    };
    WORKSPACE.with(|ws| {
        let mut fresh = Workspace::default();
        let mut held = ws.try_borrow_mut();
        // Only a re-entrant call on this thread finds it borrowed; it then starts afresh.
        let ws: &mut Workspace = match held.as_deref_mut() {
            Ok(ws) => ws,
            Err(_) => &mut fresh,
        };
        for (k, (&start, &choice)) in starts.iter().zip(&choices).enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(n);
            chart.segment(k, start, end, choice, ws)?;
        }
        if n > RETAINED_POINTS {
            *ws = Workspace::default();
        }
        Ok::<(), ChartError>(())
    })?;
    Ok(chart.finish())
}

/// The chart of each segment, and why; an error if one needs counts the input lacks, or if
/// the counts of a chart that does not check them as it goes are bad.
fn choose_charts(
    input: ChartInput,
    starts: &[usize],
    options: &ChartOptions,
) -> Result<Vec<(ChartKind, ChoiceReason)>, ChartError> {
    let n = input.len();
    let choices: Vec<(ChartKind, ChoiceReason)> = starts
        .iter()
        .enumerate()
        .map(|(k, &start)| {
            let len = starts.get(k + 1).copied().unwrap_or(n) - start;
            match options.chart {
                ChartChoice::Only(kind) => (kind, ChoiceReason::Asked),
                ChartChoice::Auto(indicator) => auto_chart(len, options.min_points, indicator),
            }
        })
        .collect();
    if let (ChartInput::Values(_), Some(&(kind, _))) =
        (&input, choices.iter().find(|(k, _)| k.needs_counts()))
    {
        return Err(ChartError::NeedsCounts(kind));
    }
    // p′ and u′ segments check their counts as they go, in cache; any other chart of counts
    // needs them all checked first.
    if let ChartInput::Counts {
        numerators,
        denominators,
    } = input
        && choices.iter().any(|(k, _)| k.laney().is_none())
    {
        check_all_counts(numerators, denominators, options)?;
    }
    Ok(choices)
}

/// The values on the output scale: the values themselves, or x / n × multiplier, which
/// the segments fill in (left empty here) unless an XmR chart needs them all first.
fn output_values(input: ChartInput, any_xmr: bool, multiplier: f64) -> Vec<f64> {
    match input {
        ChartInput::Values(v) => v.to_vec(),
        ChartInput::Counts {
            numerators,
            denominators,
        } if any_xmr => numerators
            .iter()
            .zip(denominators)
            .map(|(&x, &d)| x / d * multiplier)
            .collect(),
        ChartInput::Counts { .. } => Vec::new(),
    }
}

/// The whole series judged as XmR under the options' profile, for its XmR segments.
fn judge_xmr(
    values: &[f64],
    starts: &[usize],
    options: &ChartOptions,
) -> Result<Judged, ChartError> {
    let spc_options = SpcOptions {
        improvement: options.improvement,
        target: options.target,
        fix_after: options.fix_after,
        screen_outliers: options.xmr_screen_outliers,
        shift_length: options.shift_length,
        trend_length: options.trend_length,
    };
    let profile = Profile {
        screen_outliers: options.xmr_screen_outliers,
        ..options.profile
    };
    // `judge` checks the same options as `validate`, so it cannot fail here; an error is
    // passed on all the same rather than assumed away.
    judge(values, starts, &options.breaks, &spc_options, &profile).map_err(ChartError::from)
}

/// An XmR error is the chart error of the same name: every chart reports one set of errors.
impl From<crate::spc::SpcError> for ChartError {
    fn from(e: crate::spc::SpcError) -> Self {
        match e {
            crate::spc::SpcError::Empty => ChartError::Empty,
            crate::spc::SpcError::FixAfterTooSmall(f) => ChartError::FixAfterTooSmall(f),
            crate::spc::SpcError::RunLengthTooSmall(a, b) => ChartError::RunLengthTooSmall(a, b),
            crate::spc::SpcError::NotFinite { index, value } => {
                ChartError::NotFinite { index, value }
            }
            crate::spc::SpcError::TooManyPoints(n) => ChartError::TooManyPoints(n),
        }
    }
}

/// A chart being built segment by segment: what every segment reads, and the per-point and
/// per-segment results so far.
struct Charting<'a> {
    input: ChartInput<'a>,
    options: &'a ChartOptions,
    /// The XmR judgement of the whole series, when any segment is XmR.
    xmr: Option<Judged>,
    multiplier: f64,
    /// Whether `values` held every output value from the start.
    filled: bool,
    values: Vec<f64>,
    point_type: Vec<PointType>,
    rule: Vec<Option<Rule>>,
    segments: Vec<ChartSegment>,
    warnings: Vec<String>,
}

impl Charting<'_> {
    /// Charts segment `k`, points `start..end`, as `kind`.
    fn segment(
        &mut self,
        k: usize,
        start: usize,
        end: usize,
        (kind, reason): (ChartKind, ChoiceReason),
        ws: &mut Workspace,
    ) -> Result<(), ChartError> {
        let options = self.options;
        let multiplier = self.multiplier;
        let n = self.point_type.len();
        let len = end - start;
        let base = options.fix_after.map_or(len, |f| f.min(len));
        let gaps = self.gaps(k, start, end, kind);
        let types = &mut self.point_type[start..end];
        let rules = &mut self.rule[start..end];
        let counts = match self.input {
            ChartInput::Counts {
                numerators,
                denominators,
            } => Some((&numerators[start..end], &denominators[start..end])),
            ChartInput::Values(_) => None,
        };
        let (mut seg, seg_values) = match (kind, &self.xmr, kind.laney(), counts) {
            (ChartKind::Xmr, Some(x), _, _) => (
                xmr_segment(&x.result, k, start, end, types, rules, &mut self.warnings),
                None,
            ),
            (ChartKind::Run, _, _, None) => (
                run_segment(
                    &self.values[start..end],
                    base,
                    1.0,
                    options,
                    &gaps,
                    types,
                    rules,
                    ws,
                ),
                None,
            ),
            (ChartKind::Run, _, _, Some((x, d))) => {
                // Analysed on the proportion scale, as qicharts2 does.
                let mut p: Vec<f64> = x.iter().zip(d).map(|(&x, &d)| x / d).collect();
                let seg = run_segment(&p, base, multiplier, options, &gaps, types, rules, ws);
                p.iter_mut().for_each(|v| *v *= multiplier);
                (seg, Some(p))
            }
            (_, _, Some(lk), Some((x, d))) => {
                let (seg, p) = laney_chart_segment(
                    lk, x, d, base, multiplier, options, &gaps, types, rules, ws,
                )
                .map_err(|(i, error)| ChartError::BadCount {
                    index: start + i,
                    error,
                })?;
                (seg, Some(p))
            }
            // `validate` and the check above rule these out.
            _ => return Err(ChartError::NeedsCounts(kind)),
        };
        if let (Some(v), false) = (seg_values, self.filled) {
            if self.values.is_empty() && len == n {
                self.values = v;
            } else {
                self.values.extend_from_slice(&v);
            }
        }
        seg.chart = kind;
        seg.reason = reason;
        seg.start = start;
        seg.n = len;
        seg.base = base;
        self.note_no_analysis(k, &seg);
        count_types(&mut seg, &self.point_type[start..end], options.improvement);
        self.segments.push(seg);
        Ok(())
    }

    /// The gaps inside segment `k`, relative to its start (run, p′ and u′ charts; the XmR
    /// chart takes them whole), with a warning for them and for a short base.
    fn gaps(&mut self, k: usize, start: usize, end: usize, kind: ChartKind) -> Vec<usize> {
        let len = end - start;
        crate::spc::fix_after_warning(k, len, self.options.fix_after, &mut self.warnings);
        let gaps: Vec<usize> = self
            .options
            .breaks
            .iter()
            .filter(|&&b| b > start && b < end)
            .map(|&b| b - start)
            .collect();
        if !gaps.is_empty() && kind != ChartKind::Xmr {
            self.warnings.push(format!(
                "segment {}: {} gap{} in the series: values either side of a gap are not treated as consecutive (no run, crossing, trend or moving range spans a gap; join_gaps joins them)",
                k + 1,
                gaps.len(),
                if gaps.len() == 1 { "" } else { "s" }
            ));
        }
        gaps
    }

    /// Warns when segment `k` has no runs analysis or no limits.
    fn note_no_analysis(&mut self, k: usize, seg: &ChartSegment) {
        if seg.runs.is_some_and(|r| r.n_useful == 0) {
            self.warnings.push(format!(
                "segment {}: every point is on the centre line, so there is no runs analysis",
                k + 1
            ));
        }
        if let Some(why) = seg.no_sigma {
            self.warnings.push(format!(
                "segment {}: the limits are undefined: {}",
                k + 1,
                why.describe()
            ));
        }
    }

    /// The result, with the XmR hits and the icons of the last point.
    fn finish(self) -> ChartResult {
        let options = self.options;
        let (segments, point_type) = (self.segments, self.point_type);
        let n = point_type.len();
        let icons = match (&self.xmr, segments.last()) {
            (Some(x), Some(s)) if s.chart == ChartKind::Xmr => x.icons,
            _ => true,
        };
        let profile_name = Profile {
            screen_outliers: options.xmr_screen_outliers,
            ..options.profile
        }
        .name(options.shift_length, options.trend_length);
        let last = n - 1;
        // The segments cover 0..n, so the last point is the last segment's.
        let last_seg = &segments[segments.len() - 1];
        let last_type = point_type[last];
        let variation_icon = match last_seg.runs {
            Some(r)
                if r.crossings_signal
                    && !r.long_run_signal
                    && !r.trend_signal
                    && last_type == PointType::CommonCause =>
            {
                ChartVariationIcon::TooFewCrossings
            }
            _ => ChartVariationIcon::Spc(VariationIcon::of(last_type, options.improvement)),
        };
        // A run chart has no limits to hold a target against.
        let assurance_icon = match last_seg.chart {
            ChartKind::Run => None,
            _ => AssuranceIcon::of(
                options.target,
                options.improvement,
                last_seg.limits.at(last - last_seg.start),
            ),
        };
        ChartResult {
            segments,
            values: self.values,
            point_type,
            rule: self.rule,
            variation_icon,
            assurance_icon,
            warnings: self.warnings,
            // The hits of run, p′ and u′ points follow from their rules and values when asked
            // for (see [`ChartResult::hits`]); the XmR profile's, which can be several per
            // point, are kept with its judgement.
            xmr: self.xmr,
            breaks: options.breaks.clone(),
            icons,
            profile: profile_name,
        }
    }
}

/// The run or window behind point `i`'s flag by rule `r` on a run, p′ or u′ chart (values on
/// the output scale): the point itself outside its limits, the run on its side of the centre
/// for a shift, the longest rising or falling run through it for a trend; neither spans a gap
/// (a point of `breaks` has a gap before it).
fn single_hit(
    values: &[f64],
    seg: &ChartSegment,
    breaks: &[usize],
    i: usize,
    r: Rule,
    centre: f64,
    limits: Option<(f64, f64)>,
) -> Hit {
    let lo = breaks
        .iter()
        .copied()
        .filter(|&b| b <= i)
        .fold(seg.start, usize::max);
    let hi = breaks
        .iter()
        .copied()
        .filter(|&b| b > i)
        .map(|b| b - 1)
        .fold(seg.start + seg.n - 1, usize::min);
    let y = values.get(i).copied().unwrap_or(f64::NAN);
    let one = |high: bool| Hit {
        rule: r,
        first: i,
        last: i,
        position: 1,
        len: 1,
        beyond: 0,
        high,
    };
    let span = |first: usize, last: usize, high: bool| Hit {
        rule: r,
        first,
        last,
        position: i - first + 1,
        len: last - first + 1,
        beyond: 0,
        high,
    };
    let get = |k: usize| values.get(k).copied().unwrap_or(f64::NAN);
    match r {
        Rule::OutsideLimits => one(limits.is_some_and(|(_, u)| y > u)),
        Rule::Shift | Rule::TwoOfThree => {
            let high = y > centre;
            let same = |k: usize| (get(k) > centre) == high && get(k) != centre;
            // Points on the centre neither continue nor break a run (docs/methods/run-charts.md §2).
            let (mut a, mut b) = (i, i);
            while a > lo && (same(a - 1) || get(a - 1) == centre) {
                a -= 1;
            }
            while b < hi && (same(b + 1) || get(b + 1) == centre) {
                b += 1;
            }
            span(a, b, high)
        }
        Rule::Trend => {
            let run = |up: bool| {
                let step = |k: usize| {
                    if up {
                        get(k) > get(k - 1)
                    } else {
                        get(k) < get(k - 1)
                    }
                };
                let (mut a, mut b) = (i, i);
                while a > lo && step(a) {
                    a -= 1;
                }
                while b < hi && step(b + 1) {
                    b += 1;
                }
                (a, b)
            };
            let (up, down) = (run(true), run(false));
            if up.1 - up.0 >= down.1 - down.0 {
                span(up.0, up.1, true)
            } else {
                span(down.0, down.1, false)
            }
        }
    }
}

/// An empty segment record, filled in by the caller and the chart's function.
fn blank_segment(centre: f64, limits: Limits) -> ChartSegment {
    ChartSegment {
        chart: ChartKind::Run,
        reason: ChoiceReason::Asked,
        start: 0,
        n: 0,
        base: 0,
        centre,
        limits,
        amr: None,
        sigma_z: None,
        no_sigma: None,
        screened: 0,
        runs: None,
        common_cause: 0,
        improvement: 0,
        concern: 0,
        neutral: 0,
    }
}

/// Segment `k` (points `start..end`) of the XmR result `x`, with its warnings worded as
/// [`spc`] words them.
fn xmr_segment(
    x: &SpcResult,
    k: usize,
    start: usize,
    end: usize,
    types: &mut [PointType],
    rules: &mut [Option<Rule>],
    warnings: &mut Vec<String>,
) -> ChartSegment {
    types.copy_from_slice(&x.point_type[start..end]);
    rules.copy_from_slice(&x.rule[start..end]);
    let Some(s) = x.segments.get(k) else {
        return blank_segment(f64::NAN, Limits::None);
    };
    if s.n < constants::MIN_POINTS {
        warnings.push(format!(
            "segment {} has {} points, fewer than {}: its limits are unreliable",
            k + 1,
            s.n,
            constants::MIN_POINTS
        ));
    }
    if s.amr.is_none() {
        warnings.push(format!(
            "segment {}: no moving range remains after screening (for example a constant base), so the limits are undefined; only the trend and shift rules were applied",
            k + 1
        ));
    }
    let limits = match (s.lpl, s.upl) {
        (Some(lpl), Some(upl)) => Limits::Constant { lpl, upl },
        _ => Limits::None,
    };
    ChartSegment {
        amr: s.amr,
        screened: s.screened,
        ..blank_segment(s.mean, limits)
    }
}

/// One run-chart segment (`docs/methods/run-charts.md`): `ys` on the scale analysed, printed
/// times `multiplier`. With gaps before the points of `gaps` (relative), no run, crossing or
/// trend spans a gap (see [`crate::runchart::analysis_in_pieces`]).
#[allow(clippy::too_many_arguments)]
fn run_segment(
    ys: &[f64],
    base: usize,
    multiplier: f64,
    options: &ChartOptions,
    gaps: &[usize],
    types: &mut [PointType],
    rules: &mut [Option<Rule>],
    ws: &mut Workspace,
) -> ChartSegment {
    // A segment has at least one point, so its base has too.
    let centre = median(&ys[..base.max(1)], &mut ws.values).unwrap_or(f64::NAN);
    let runs = if gaps.is_empty() {
        let runs = runs_analysis_with_codes(ys, centre, options.run_rules, &mut ws.codes);
        flag_trend_points(
            ys,
            &runs,
            options.run_rules,
            options.improvement,
            types,
            rules,
        );
        flag_long_runs(&ws.codes, &runs, options.improvement, types, rules);
        runs
    } else {
        let (counts, pieces) = codes_in_pieces(ys, centre, gaps, &mut ws.codes);
        let runs = analysis_in_pieces(counts, pieces, options.run_rules, || {
            longest_trend_in_pieces(ys, gaps)
        });
        flag_in_pieces(ys, gaps, &ws.codes, &runs, options, types, rules);
        runs
    };
    ChartSegment {
        runs: Some(runs),
        ..blank_segment(centre * multiplier, Limits::None)
    }
}

/// Trends and long runs flagged within each part between gaps (their codes restart at each
/// part, see [`codes_in_pieces`]).
fn flag_in_pieces(
    ys: &[f64],
    gaps: &[usize],
    codes: &[u32],
    runs: &RunsAnalysis,
    options: &ChartOptions,
    types: &mut [PointType],
    rules: &mut [Option<Rule>],
) {
    for piece in pieces(ys.len(), gaps) {
        flag_trend_points(
            &ys[piece.clone()],
            runs,
            options.run_rules,
            options.improvement,
            &mut types[piece.clone()],
            &mut rules[piece.clone()],
        );
    }
    for piece in pieces(ys.len(), gaps) {
        flag_long_runs(
            &codes[piece.clone()],
            runs,
            options.improvement,
            &mut types[piece.clone()],
            &mut rules[piece],
        );
    }
}

/// One p′ or u′ segment (`docs/methods/laney.md`): limits and points outside them
/// (the first rule), the runs analysis around p̄ on the proportion scale, then trends (fixed
/// rules) and long runs where no earlier rule applies. Returns the segment and its values on
/// the output scale.
#[allow(clippy::too_many_arguments)]
fn laney_chart_segment(
    kind: LaneyKind,
    x: &[f64],
    d: &[f64],
    base: usize,
    multiplier: f64,
    options: &ChartOptions,
    gaps: &[usize],
    types: &mut [PointType],
    rules: &mut [Option<Rule>],
    ws: &mut Workspace,
) -> Result<(ChartSegment, Vec<f64>), (usize, CountError)> {
    let input = LaneyInput {
        kind,
        x,
        n: d,
        base,
        screen: options.laney_screen_outliers,
        multiplier,
        types: PointType::special_causes(options.improvement),
        breaks: gaps,
    };
    let mut out = LaneyOutput {
        point_type: types,
        rule: rules,
        codes: &mut ws.codes,
        ranges: &mut ws.values,
    };
    let l = laney_points(&input, &mut out)?;
    // Trends look at the proportions themselves (fixed rules only).
    let proportions = || -> Vec<f64> { x.iter().zip(d).map(|(&x, &d)| x / d).collect() };
    let runs = if gaps.is_empty() {
        let runs = analysis(l.runs, options.run_rules, || longest_trend(&proportions()));
        if runs.trend_signal {
            flag_trend_points(
                &proportions(),
                &runs,
                options.run_rules,
                options.improvement,
                types,
                rules,
            );
        }
        flag_long_runs(&ws.codes, &runs, options.improvement, types, rules);
        runs
    } else {
        // No run, crossing or trend spans a gap: the runs are counted again, part by part.
        let p = proportions();
        let (counts, pieces) = codes_in_pieces(&p, l.centre, gaps, &mut ws.codes);
        let runs = analysis_in_pieces(counts, pieces, options.run_rules, || {
            longest_trend_in_pieces(&p, gaps)
        });
        flag_in_pieces(&p, gaps, &ws.codes, &runs, options, types, rules);
        runs
    };
    let limits = match l.sigma_z {
        Ok(sigma_z) => Limits::Spread {
            centre: l.centre,
            top: l.top,
            multiplier,
            sigma_z,
            sigma: l.sigma,
        },
        Err(_) => Limits::None,
    };
    let seg = ChartSegment {
        sigma_z: l.sigma_z.ok(),
        no_sigma: l.sigma_z.err(),
        screened: l.screened,
        runs: Some(runs),
        ..blank_segment(l.centre * multiplier, limits)
    };
    Ok((seg, l.values))
}

/// Counts the segment's point types by direction, in one pass.
fn count_types(seg: &mut ChartSegment, types: &[PointType], improvement: Improvement) {
    let (up_type, _) = PointType::special_causes(improvement);
    let (common, up) = types.iter().fold((0usize, 0usize), |(c, u), &t| {
        (
            c + usize::from(t == PointType::CommonCause),
            u + usize::from(t == up_type),
        )
    });
    let down = types.len() - common - up;
    seg.common_cause = common;
    (seg.improvement, seg.concern, seg.neutral) = improvement.split(up, down);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn options(chart: ChartChoice, screen: bool) -> ChartOptions {
        ChartOptions {
            chart,
            laney_screen_outliers: screen,
            xmr_screen_outliers: screen,
            ..ChartOptions::default()
        }
    }

    proptest! {
        /// The entry point compiled for this processor (AVX2 where it has it) gives the same
        /// bits as the portable build: every float through its `Debug` form, which tells
        /// apart every value but NaN payloads.
        #[test]
        fn the_processor_specific_build_equals_the_portable_one(
            pairs in prop::collection::vec((0u32..2_000, 1u32..2_000), 1..1_300),
            cut in 0usize..1_300,
            which in 0usize..5,
            screen in any::<bool>(),
            bad in any::<bool>(),
        ) {
            let n: Vec<f64> = pairs.iter().map(|&(_, d)| f64::from(d)).collect();
            let mut x: Vec<f64> = pairs.iter().map(|&(a, d)| f64::from(a % (d + 1))).collect();
            if bad {
                let i = cut % x.len();
                x[i] = n[i] + 1.0;
            }
            let chart_choice = [
                ChartChoice::Only(ChartKind::PPrime),
                ChartChoice::Only(ChartKind::UPrime),
                ChartChoice::Only(ChartKind::Run),
                ChartChoice::Only(ChartKind::Xmr),
                ChartChoice::Auto(Some(ChartKind::PPrime)),
            ][which];
            let o = options(chart_choice, screen);
            let input = || ChartInput::Counts { numerators: &x, denominators: &n };
            let fast = format!("{:?}", chart(input(), &[cut], &o));
            let portable = format!("{:?}", chart_portable(Given::Borrowed(input()), &[cut], &o));
            prop_assert_eq!(fast, portable);
        }

        /// Values given up to [`chart_values`] chart as the same values borrowed do, bit for
        /// bit (results and errors alike), whatever the chart, the segments and the values
        /// (a value that is not finite included).
        #[test]
        fn values_given_up_chart_as_borrowed(
            v in proptest::collection::vec(prop_oneof![
                20 => (0u32..400).prop_map(|k| f64::from(k) / 4.0),
                1 => Just(f64::NAN),
            ], 0..80),
            cut in 0usize..90,
            which in 0usize..4,
            screen in any::<bool>(),
        ) {
            let chart_choice = [
                ChartChoice::Only(ChartKind::Xmr),
                ChartChoice::Only(ChartKind::Run),
                ChartChoice::Only(ChartKind::PPrime),
                ChartChoice::Auto(None),
            ][which];
            let o = options(chart_choice, screen);
            let borrowed = format!("{:?}", chart(ChartInput::Values(&v), &[cut], &o));
            let given = format!("{:?}", chart_values(v.clone(), &[cut], &o));
            prop_assert_eq!(borrowed, given);
        }
    }
}
