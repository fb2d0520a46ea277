//! SPC rule profiles (`docs/methods/spc-profiles.md`): `ptd-0.2.2`, which is `spc.md` exactly,
//! and `mdc`, NHS England's Making Data Count tools as this toolkit reads them; every rule that
//! flags a point with the run or window behind it (for explanations); gaps in a series; the
//! points two profiles judge differently; and candidate rebases.
//!
//! [`judge`] keeps the fast path fast: `ptd-0.2.2` on a series without gaps takes its centre
//! lines, limits, point types and icons from [`crate::spc::spc`] unchanged, and only the
//! explanations of its flagged points come from the straightforward evaluation here
//! ([`judge_detailed`]), which every other case uses in full. A property test pins the two
//! together (`tests/profile_properties.rs`).

use serde::{Deserialize, Serialize};

use crate::spc::{
    AssuranceIcon, Bands, Improvement, PointType, Rule, Segment, SpcError, SpcOptions, SpcResult,
    VariationIcon, accurate_mean, constants, spc,
};

/// A named set of SPC rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ProfileKind {
    /// NHSRplotthedots 0.2.2: `spc.md` exactly (the default).
    #[default]
    #[serde(rename = "ptd-0.2.2")]
    Ptd022,
    /// Making Data Count's tools: no screening, two of three counting points beyond the
    /// limits, every rule speaks (with a conflict rule), at least 13 points for limits.
    #[serde(rename = "mdc")]
    Mdc,
}

impl ProfileKind {
    /// The name as written on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::Ptd022 => "ptd-0.2.2",
            ProfileKind::Mdc => "mdc",
        }
    }

    /// Parses a profile name.
    pub fn parse(text: &str) -> Option<ProfileKind> {
        match text {
            "ptd-0.2.2" => Some(ProfileKind::Ptd022),
            "mdc" => Some(ProfileKind::Mdc),
            _ => None,
        }
    }
}

/// What a point flagged both high and low becomes under `mdc` (rule 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Conflict {
    /// Improvement (the default, as the MDC single-chart tool shows).
    #[default]
    Improvement,
    /// Concern.
    Concern,
}

impl Conflict {
    /// The name as written on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Conflict::Improvement => "improvement",
            Conflict::Concern => "concern",
        }
    }
}

/// A profile with its settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// Which rules.
    pub kind: ProfileKind,
    /// Screen out large moving ranges (`ptd-0.2.2`: on; `mdc`: off).
    pub screen_outliers: bool,
    /// `mdc`: what a point flagged both high and low becomes.
    pub conflict: Conflict,
    /// `mdc`: a segment with fewer points gets no limits, flags or icons (default 13).
    pub min_points: usize,
}

impl Default for Profile {
    fn default() -> Self {
        Profile::of(ProfileKind::Ptd022)
    }
}

impl Profile {
    /// A profile with its default settings.
    pub fn of(kind: ProfileKind) -> Profile {
        Profile {
            kind,
            screen_outliers: kind == ProfileKind::Ptd022,
            conflict: Conflict::Improvement,
            min_points: constants::MIN_POINTS,
        }
    }

    /// The profile's name in outputs, with run lengths other than 7 ("mdc, 6-point").
    pub fn name(&self, shift_length: usize, trend_length: usize) -> String {
        let base = self.kind.as_str();
        match (shift_length, trend_length) {
            (7, 7) => base.to_string(),
            (s, t) if s == t => format!("{base}, {s}-point"),
            (s, t) => format!("{base}, {s}-point shift, {t}-point trend"),
        }
    }

    /// The profile in words, as every output states it.
    pub fn describe(&self) -> String {
        match self.kind {
            ProfileKind::Ptd022 => format!(
                "ptd-0.2.2: NHSRplotthedots 0.2.2 as docs/methods/spc.md (moving ranges {}screened; the first rule that flags a point gives its direction)",
                if self.screen_outliers { "" } else { "not " }
            ),
            ProfileKind::Mdc => format!(
                "mdc: this toolkit's reading of NHS England's Making Data Count tools (moving ranges {}screened; two of three counts points beyond the limits; every rule gives a direction, conflicts read as {}; segments of fewer than {} points get no limits, flags or icons)",
                if self.screen_outliers { "" } else { "not " },
                self.conflict.as_str(),
                self.min_points
            ),
        }
    }
}

/// One rule's finding on one point: the rule, the run or window behind it, and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// The rule.
    pub rule: Rule,
    /// Index of the first point of the run or window (the point itself for outside limits).
    pub first: usize,
    /// Index of its last point.
    pub last: usize,
    /// The point's place in the run or window, from 1.
    pub position: usize,
    /// Points in the run or window.
    pub len: usize,
    /// Two of three: points of the window beyond the near band.
    pub beyond: usize,
    /// High (above the mean, or a rising trend) or low.
    pub high: bool,
}

/// A series judged under a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    /// Segments, point types, first rules and icons, as [`crate::spc::spc`] gives them.
    pub result: SpcResult,
    /// Every rule that flagged each point (empty for common cause).
    pub hits: PointHits,
    /// `false` when `mdc` withholds the icons (the last segment has too few points).
    pub icons: bool,
    /// The profile's name in outputs.
    pub profile: String,
    /// Indices of the points with a gap before them, treated as not consecutive.
    pub breaks: Vec<usize>,
}

impl Judged {
    /// The variation icon, unless withheld.
    pub fn variation_icon(&self) -> Option<VariationIcon> {
        self.icons.then_some(self.result.variation_icon)
    }

    /// The assurance icon, unless withheld or not applicable.
    pub fn assurance_icon(&self) -> Option<AssuranceIcon> {
        if self.icons {
            self.result.assurance_icon
        } else {
            None
        }
    }
}

/// The most points [`judge`] takes: each point has at most five hits (outside the limits, two
/// trends meeting at it, two of three, a shift), and the hits of a series are counted in `u32`.
pub const MAX_JUDGED_POINTS: usize = u32::MAX as usize / 5;

/// Every rule that flagged each point of a series (see [`Judged::hits`]): one list of hits in
/// point order with the place where each point's hits begin, so that a series of a million
/// points, most of them common cause, holds no list per point. `hits[i]` are point i's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PointHits {
    list: Vec<Hit>,
    /// `list[starts[i]..starts[i + 1]]` are point i's hits; one more entry than points.
    starts: Vec<u32>,
}

impl PointHits {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Point `i`'s hits, `None` past the end.
    pub fn get(&self, i: usize) -> Option<&[Hit]> {
        let (&a, &b) = (self.starts.get(i)?, self.starts.get(i + 1)?);
        Some(&self.list[a as usize..b as usize])
    }

    /// Each point's hits, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &[Hit]> + '_ {
        self.starts
            .windows(2)
            .map(|w| &self.list[w[0] as usize..w[1] as usize])
    }

    /// Adds `found` (sorted by point, each point's in the order the rules are tried) and
    /// closes every point before `end`.
    fn extend(&mut self, found: impl IntoIterator<Item = Hit>, end: usize) {
        for h in found {
            self.open_through(point_of(&h));
            self.list.push(h);
        }
        self.open_through(end);
    }

    /// Records where the hits of each point up to `p` begin, for those not yet recorded
    /// (the points before `p` get no more hits).
    fn open_through(&mut self, p: usize) {
        let at = u32::try_from(self.list.len()).expect("bounded by MAX_JUDGED_POINTS");
        if self.starts.len() <= p {
            self.starts.resize(p + 1, at);
        }
    }

    /// The hits of `n` points, once every point's have been added.
    fn finish(mut self, n: usize) -> Self {
        self.open_through(n);
        self
    }
}

impl std::ops::Index<usize> for PointHits {
    type Output = [Hit];

    fn index(&self, i: usize) -> &[Hit] {
        self.get(i).expect("point index within the series")
    }
}

impl<'a> IntoIterator for &'a PointHits {
    type Item = &'a [Hit];
    type IntoIter = Box<dyn ExactSizeIterator<Item = &'a [Hit]> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

/// The point a hit belongs to.
fn point_of(h: &Hit) -> usize {
    h.first + h.position - 1
}

/// Sorted, unique segment starts with 0 first (as [`crate::spc::spc`] reads them).
fn starts_of(n: usize, segment_starts: &[usize]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(segment_starts.iter().copied().filter(|&s| s > 0 && s < n));
    starts.sort_unstable();
    starts.dedup();
    starts
}

/// Judges `values` (in date order) with segments starting at `segment_starts` and gaps before
/// the points at `breaks` (values either side of a gap are not consecutive: no moving range,
/// run or window spans it; pass no breaks to join gaps).
pub fn judge(
    values: &[f64],
    segment_starts: &[usize],
    breaks: &[usize],
    options: &SpcOptions,
    profile: &Profile,
) -> Result<Judged, SpcError> {
    if values.len() > MAX_JUDGED_POINTS {
        return Err(SpcError::TooManyPoints(values.len()));
    }
    let mut breaks: Vec<usize> = breaks
        .iter()
        .copied()
        .filter(|&b| b > 0 && b < values.len())
        .collect();
    breaks.sort_unstable();
    breaks.dedup();
    if profile.kind == ProfileKind::Ptd022 && breaks.is_empty() {
        let options = SpcOptions {
            screen_outliers: profile.screen_outliers,
            ..options.clone()
        };
        let result = spc(values, segment_starts, &options)?;
        // One list of hits for the series: only flagged points add to it.
        let mut hits = PointHits::default();
        let starts = starts_of(values.len(), segment_starts);
        for (k, seg) in result.segments.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(values.len());
            if !result.point_type[seg.start..end]
                .iter()
                .any(|t| *t != PointType::CommonCause)
            {
                continue;
            }
            let linked = vec![true; end - seg.start];
            let bands = Bands::new(seg.mean, seg.amr);
            let found = segment_hits(
                &values[seg.start..end],
                &linked,
                &bands,
                ProfileKind::Ptd022,
                &options,
            );
            hits.extend(found.into_iter().map(|h| shifted(h, seg.start)), end);
        }
        let hits = hits.finish(values.len());
        return Ok(Judged {
            result,
            hits,
            icons: true,
            profile: profile.name(options.shift_length, options.trend_length),
            breaks,
        });
    }
    judge_detailed(values, segment_starts, &breaks, options, profile)
}

fn shifted(h: Hit, by: usize) -> Hit {
    Hit {
        first: h.first + by,
        last: h.last + by,
        ..h
    }
}

/// The straightforward evaluation of any profile, with gaps: what [`judge`] does for every
/// case but `ptd-0.2.2` without gaps (where it must agree with [`crate::spc::spc`] exactly).
pub fn judge_detailed(
    values: &[f64],
    segment_starts: &[usize],
    breaks: &[usize],
    options: &SpcOptions,
    profile: &Profile,
) -> Result<Judged, SpcError> {
    crate::spc::validate(values, options)?;
    if values.len() > MAX_JUDGED_POINTS {
        return Err(SpcError::TooManyPoints(values.len()));
    }
    let n = values.len();
    let starts = starts_of(n, segment_starts);
    let mut linked_all = vec![true; n];
    linked_all[0] = false;
    for &b in breaks {
        if b < n {
            linked_all[b] = false;
        }
    }
    let (up_type, down_type) = PointType::special_causes(options.improvement);
    let mut out = PointOutputs {
        point_type: vec![PointType::CommonCause; n],
        rule: vec![None; n],
        hits: PointHits::default(),
        up_type,
        down_type,
    };
    let mut segments = Vec::with_capacity(starts.len());
    let mut warnings = Vec::new();
    let mut icons = true;
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(n);
        let ys = &values[start..end];
        let mut linked = linked_all[start..end].to_vec();
        linked[0] = false;
        let base_n = options.fix_after.map_or(ys.len(), |f| f.min(ys.len()));
        let base = &ys[..base_n];
        let mean = accurate_mean(base);
        let short = profile.kind == ProfileKind::Mdc && ys.len() < profile.min_points;
        let (amr, screened) = if short {
            (None, 0)
        } else {
            average_moving_range(base, &linked[..base_n], profile.screen_outliers)
        };
        let bands = Bands::new(mean, amr);
        segment_warnings(
            k,
            ys.len(),
            short,
            amr.is_none(),
            options,
            profile,
            &mut warnings,
        );
        if short && end == n {
            icons = false;
        }
        let found = if short {
            Vec::new()
        } else {
            segment_hits(ys, &linked, &bands, profile.kind, options)
        };
        let seg = SegmentSpan {
            start,
            ys,
            linked: &linked,
            mean,
        };
        let (common, up) = out.classify(&seg, found, profile, options);
        let down = ys.len() - common - up;
        let (improvement, concern, neutral) = options.improvement.split(up, down);
        segments.push(Segment {
            start,
            n: ys.len(),
            base: base_n,
            mean,
            amr,
            lpl: amr.map(|_| bands.lpl),
            upl: amr.map(|_| bands.upl),
            screened,
            common_cause: common,
            improvement,
            concern,
            neutral,
        });
    }
    Ok(out.finish(segments, warnings, icons, breaks, options, profile))
}

/// One segment being judged: its first point and its values, whether each value
/// follows on from the one before (no gap) and its mean.
struct SegmentSpan<'a> {
    start: usize,
    ys: &'a [f64],
    linked: &'a [bool],
    mean: f64,
}

/// The per-point results of a judgement, filled segment by segment.
struct PointOutputs {
    point_type: Vec<PointType>,
    rule: Vec<Option<Rule>>,
    hits: PointHits,
    /// The point types of a high and a low special cause.
    up_type: PointType,
    down_type: PointType,
}

impl PointOutputs {
    /// Records the hits `found` of segment `seg` and each point's type and first rule; the
    /// counts of common-cause and high special-cause points.
    fn classify(
        &mut self,
        seg: &SegmentSpan,
        found: Vec<Hit>,
        profile: &Profile,
        options: &SpcOptions,
    ) -> (usize, usize) {
        let (up_type, down_type) = (self.up_type, self.down_type);
        let m = seg.ys.len();
        let mut in_trend = vec![false; m];
        for h in found.iter().filter(|h| h.rule == Rule::Trend) {
            in_trend[point_of(h)] = true;
        }
        let (mut common, mut up) = (0, 0);
        let mut rest = found.as_slice();
        for j in 0..m {
            let i = seg.start + j;
            // The hits are in point order: point j's lead the rest.
            let k = rest
                .iter()
                .position(|h| point_of(h) != j)
                .unwrap_or(rest.len());
            let (h, tail) = rest.split_at(k);
            rest = tail;
            let first = [
                Rule::OutsideLimits,
                Rule::Trend,
                Rule::TwoOfThree,
                Rule::Shift,
            ]
            .into_iter()
            .find(|r| h.iter().any(|x| x.rule == *r));
            self.rule[i] = first;
            let Some(first) = first else {
                common += 1;
                continue;
            };
            let high = direction(first, h, j, seg, &in_trend, profile, options);
            self.point_type[i] = if high { up_type } else { down_type };
            up += usize::from(high);
        }
        let end = seg.start + m;
        self.hits
            .extend(found.into_iter().map(|h| shifted(h, seg.start)), end);
        (common, up)
    }

    /// The judgement: these points with their `segments`, the icons of the last point and a
    /// warning for the gaps.
    fn finish(
        self,
        segments: Vec<Segment>,
        mut warnings: Vec<String>,
        icons: bool,
        breaks: &[usize],
        options: &SpcOptions,
        profile: &Profile,
    ) -> Judged {
        let n = self.point_type.len();
        let PointOutputs {
            point_type,
            rule,
            hits,
            ..
        } = self;
        let hits = hits.finish(n);
        let variation_icon = VariationIcon::of(point_type[n - 1], options.improvement);
        // The segments cover 0..n, so the last point is the last segment's.
        let last_seg = &segments[segments.len() - 1];
        let assurance_icon =
            AssuranceIcon::of(options.target, options.improvement, last_seg.limits());
        if !breaks.is_empty() {
            warnings.push(format!(
                "{} gap{} in the series: values either side of a gap are not treated as consecutive",
                breaks.len(),
                if breaks.len() == 1 { "" } else { "s" }
            ));
        }
        Judged {
            result: SpcResult {
                segments,
                point_type,
                rule,
                variation_icon,
                assurance_icon,
                warnings,
            },
            hits,
            icons,
            profile: profile.name(options.shift_length, options.trend_length),
            breaks: breaks.to_vec(),
        }
    }
}

/// Whether a special-cause point (index `j` of `seg`, first flagged by `first`, with hits
/// `h`) is high.
fn direction(
    first: Rule,
    h: &[Hit],
    j: usize,
    seg: &SegmentSpan,
    in_trend: &[bool],
    profile: &Profile,
    options: &SpcOptions,
) -> bool {
    // spc.md §8: the first rule's direction; (b) the step to the next point if it is
    // in a trend too, else the step from the previous one (no step counts as falling).
    let ptd_high = match first {
        Rule::Trend => {
            let step_up = |at: usize| seg.linked[at] && seg.ys[at] - seg.ys[at - 1] > 0.0;
            if j + 1 < seg.ys.len() && seg.linked[j + 1] && in_trend[j + 1] {
                step_up(j + 1)
            } else {
                j > 0 && step_up(j)
            }
        }
        _ => seg.ys[j] - seg.mean > 0.0,
    };
    match profile.kind {
        ProfileKind::Ptd022 => ptd_high,
        ProfileKind::Mdc => {
            let all_high = h.iter().all(|x| x.high);
            let all_low = h.iter().all(|x| !x.high);
            if all_high || all_low {
                all_high
            } else {
                match (options.improvement, profile.conflict) {
                    (Improvement::Neutral, _) => ptd_high,
                    (Improvement::Increase, Conflict::Improvement)
                    | (Improvement::Decrease, Conflict::Concern) => true,
                    _ => false,
                }
            }
        }
    }
}

/// The warnings of segment `k` (`len` points): too short for the profile or for reliable
/// limits, no moving range left, or shorter than the fixed base.
fn segment_warnings(
    k: usize,
    len: usize,
    short: bool,
    no_amr: bool,
    options: &SpcOptions,
    profile: &Profile,
    warnings: &mut Vec<String>,
) {
    if short {
        warnings.push(format!(
            "segment {} has {} points, fewer than {} (min_points): no limits, special-cause flags or icons under the mdc profile",
            k + 1,
            len,
            profile.min_points
        ));
    } else {
        crate::spc::limits_warnings(k, len, no_amr, warnings);
    }
    crate::spc::fix_after_warning(k, len, options.fix_after, warnings);
}

/// §5: the average moving range of consecutive (linked) base points, screened or not, and the
/// number screened out. Computed as [`crate::spc::spc`] computes it, to the bit.
fn average_moving_range(base: &[f64], linked: &[bool], screen: bool) -> (Option<f64>, usize) {
    let ranges: Vec<f64> = (1..base.len())
        .filter(|&i| linked[i])
        .map(|i| (base[i] - base[i - 1]).abs())
        .collect();
    if ranges.is_empty() {
        return (None, 0);
    }
    let amr = accurate_mean(&ranges);
    if !screen {
        return (Some(amr), 0);
    }
    let cut = constants::SCREEN * amr;
    let kept: Vec<f64> = ranges.iter().copied().filter(|&r| r < cut).collect();
    let screened = ranges.len() - kept.len();
    if kept.is_empty() {
        (None, screened)
    } else if screened == 0 {
        (Some(amr), 0)
    } else {
        (Some(accurate_mean(&kept)), screened)
    }
}

/// Every rule that flags each point of one segment (indices local to the segment), in point
/// order and, for each point, in the order the rules are tried (outside the limits, trend, two
/// of three, shift). `linked[i]` says point i follows point i − 1 with no gap (false for the
/// first).
fn segment_hits(
    ys: &[f64],
    linked: &[bool],
    b: &Bands,
    kind: ProfileKind,
    o: &SpcOptions,
) -> Vec<Hit> {
    let side: Vec<i8> = ys
        .iter()
        .map(|&y| {
            if y - b.mean > 0.0 {
                1
            } else if y - b.mean < 0.0 {
                -1
            } else {
                0
            }
        })
        .collect();
    // Each rule's hits come in point order; one stable sort by point then interleaves them,
    // keeping the rules' order at each point.
    let mut hits = Vec::new();
    // (a) Outside the limits.
    for (j, &y) in ys.iter().enumerate() {
        if (y > b.upl) | (y < b.lpl) {
            hits.push(Hit {
                rule: Rule::OutsideLimits,
                first: j,
                last: j,
                position: 1,
                len: 1,
                beyond: 0,
                high: y > b.upl,
            });
        }
    }
    trend_hits(&mut hits, ys, linked, o.trend_length);
    two_of_three_hits(&mut hits, ys, &side, linked, b, kind);
    // (d) Shift: runs of linked points on one side of the mean.
    for (first, last) in side_runs(&side, linked) {
        let len = last - first + 1;
        if len >= o.shift_length {
            for j in first..=last {
                hits.push(Hit {
                    rule: Rule::Shift,
                    first,
                    last,
                    position: j - first + 1,
                    len,
                    beyond: 0,
                    high: side[first] > 0,
                });
            }
        }
    }
    hits.sort_by_key(point_of);
    hits
}

/// (b) Trend: runs of equal non-zero steps between linked points, at least `trend_length`
/// points long.
fn trend_hits(hits: &mut Vec<Hit>, ys: &[f64], linked: &[bool], trend_length: usize) {
    let m = ys.len();
    let step: Vec<i8> = (0..m)
        .map(|j| {
            if j == 0 || !linked[j] {
                0
            } else if ys[j] - ys[j - 1] > 0.0 {
                1
            } else if ys[j] - ys[j - 1] < 0.0 {
                -1
            } else {
                0
            }
        })
        .collect();
    let mut a = 1;
    while a < m {
        if step[a] == 0 {
            a += 1;
            continue;
        }
        let mut e = a;
        while e + 1 < m && step[e + 1] == step[a] {
            e += 1;
        }
        let (first, last) = (a - 1, e);
        let len = last - first + 1;
        if len >= trend_length {
            for j in first..=last {
                hits.push(Hit {
                    rule: Rule::Trend,
                    first,
                    last,
                    position: j - first + 1,
                    len,
                    beyond: 0,
                    high: step[a] > 0,
                });
            }
        }
        a = e + 1;
    }
}

/// (c) Two of three beyond the near band, on one side of the mean (`side` of each point: 1
/// above, -1 below, 0 on it).
fn two_of_three_hits(
    hits: &mut Vec<Hit>,
    ys: &[f64],
    side: &[i8],
    linked: &[bool],
    b: &Bands,
    kind: ProfileKind,
) {
    let m = ys.len();
    let beyond: Vec<bool> = ys
        .iter()
        .zip(side)
        .map(|(&y, &s)| match kind {
            ProfileKind::Ptd022 => {
                ((y > b.near_hi) & (y <= b.upl) & (s > 0))
                    | ((y < b.near_lo) & (y >= b.lpl) & (s < 0))
            }
            ProfileKind::Mdc => ((y > b.near_hi) & (s > 0)) | ((y < b.near_lo) & (s < 0)),
        })
        .collect();
    // The last point given a hit: windows qualify in order and each gives every point of it
    // beyond the band a hit, so a point beyond the band at or before this one has its hit.
    let mut done: Option<usize> = None;
    for w in 0..m.saturating_sub(2) {
        let same = side[w] != 0 && side[w] == side[w + 1] && side[w] == side[w + 2];
        let count = beyond[w..w + 3].iter().filter(|&&x| x).count();
        if !(same && linked[w + 1] && linked[w + 2] && count >= 2) {
            continue;
        }
        for j in w..w + 3 {
            if beyond[j] && done.is_none_or(|d| j > d) {
                done = Some(j);
                hits.push(Hit {
                    rule: Rule::TwoOfThree,
                    first: w,
                    last: w + 2,
                    position: j - w + 1,
                    len: 3,
                    beyond: count,
                    high: side[j] > 0,
                });
            }
        }
    }
}

/// The maximal runs of linked points with the same non-zero side, as (first, last), found
/// as they are read: a series of a million points has half a million runs, which are never
/// held at once.
fn side_runs<'a>(side: &'a [i8], linked: &'a [bool]) -> impl Iterator<Item = (usize, usize)> + 'a {
    let mut j = 0;
    std::iter::from_fn(move || {
        while j < side.len() && side[j] == 0 {
            j += 1;
        }
        if j == side.len() {
            return None;
        }
        let mut e = j;
        while e + 1 < side.len() && linked[e + 1] && side[e + 1] == side[j] {
            e += 1;
        }
        let run = (j, e);
        j = e + 1;
        Some(run)
    })
}

/// The rules of `hits` as their ids, in the order a, b, c, d, separated by `;`.
pub fn rules_text(hits: &[Hit]) -> String {
    let mut text = Vec::new();
    write_rules_text(&mut text, hits);
    // Rule ids are ASCII.
    String::from_utf8(text).unwrap_or_default()
}

/// [`rules_text`] appended to `out`, without a string of its own.
pub fn write_rules_text(out: &mut Vec<u8>, hits: &[Hit]) {
    let mut first = true;
    for r in [
        Rule::OutsideLimits,
        Rule::Trend,
        Rule::TwoOfThree,
        Rule::Shift,
    ] {
        if hits.iter().any(|h| h.rule == r) {
            if !first {
                out.push(b';');
            }
            first = false;
            out.extend_from_slice(rule_id(r).as_bytes());
        }
    }
}

/// A rule's id as outputs write it.
pub fn rule_id(rule: Rule) -> &'static str {
    match rule {
        Rule::OutsideLimits => "outside_limits",
        Rule::Trend => "trend",
        Rule::TwoOfThree => "two_of_three",
        Rule::Shift => "shift",
    }
}

/// "1st", "2nd", "3rd", "4th", "11th", "22nd".
pub fn ordinal(n: usize) -> String {
    format!("{n}{}", ordinal_suffix(n))
}

/// The suffix of [`ordinal`].
fn ordinal_suffix(n: usize) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// One plain sentence per hit, joined by "; ", with dates from `label` (a point's index to
/// its date or period), for example "7th of 9 points in a row above the mean (shift,
/// 2024-04 to 2024-12)".
pub fn explanation(hits: &[Hit], label: impl Fn(usize) -> String) -> String {
    explain(hits, label, rule_id)
}

/// [`explanation`] with each rule named in words ("two of three") rather than by its id, for
/// text that is only read by people (a profile comparison).
pub fn explanation_in_words(hits: &[Hit], label: impl Fn(usize) -> String) -> String {
    explain(hits, label, rule_words)
}

/// A rule in words.
pub fn rule_words(rule: Rule) -> &'static str {
    match rule {
        Rule::OutsideLimits => "outside the limits",
        Rule::Trend => "trend",
        Rule::TwoOfThree => "two of three",
        Rule::Shift => "shift",
    }
}

fn explain(
    hits: &[Hit],
    label: impl Fn(usize) -> String,
    rule_name: fn(Rule) -> &'static str,
) -> String {
    let mut text = Vec::new();
    write_explain(
        &mut text,
        hits,
        |out, k| out.extend_from_slice(label(k).as_bytes()),
        rule_name,
    );
    // Every piece written is a `&str`.
    String::from_utf8(text).unwrap_or_default()
}

/// [`explanation`] appended to `out`, each date written by `label` (a point's index to its
/// date or period, appended to `out`): a series of a million points has tens of thousands of
/// flagged points, and none of their explanations needs a string of its own.
pub fn write_explanation(out: &mut Vec<u8>, hits: &[Hit], label: impl Fn(&mut Vec<u8>, usize)) {
    write_explain(out, hits, label, rule_id);
}

/// The sentences of [`explain`], written into `out`.
fn write_explain(
    out: &mut Vec<u8>,
    hits: &[Hit],
    label: impl Fn(&mut Vec<u8>, usize),
    rule_name: fn(Rule) -> &'static str,
) {
    for (k, h) in hits.iter().enumerate() {
        if k > 0 {
            out.extend_from_slice(b"; ");
        }
        let side: &[u8] = if h.high { b"above" } else { b"below" };
        match h.rule {
            Rule::OutsideLimits => {
                out.extend_from_slice(side);
                out.extend_from_slice(if h.high {
                    b" the upper process limit"
                } else {
                    b" the lower process limit"
                });
            }
            Rule::Trend => {
                push_ordinal(out, h.position);
                out.extend_from_slice(b" of ");
                push_count(out, h.len);
                out.extend_from_slice(if h.high {
                    b" points in a row rising"
                } else {
                    b" points in a row falling"
                });
            }
            Rule::TwoOfThree => {
                push_count(out, h.beyond);
                out.extend_from_slice(b" of 3 points in a row more than two sigma ");
                out.extend_from_slice(side);
                out.extend_from_slice(b" the mean");
            }
            Rule::Shift => {
                push_ordinal(out, h.position);
                out.extend_from_slice(b" of ");
                push_count(out, h.len);
                out.extend_from_slice(b" points in a row ");
                out.extend_from_slice(side);
                out.extend_from_slice(b" the mean");
            }
        }
        out.extend_from_slice(b" (");
        out.extend_from_slice(rule_name(h.rule).as_bytes());
        out.extend_from_slice(b", ");
        label(out, h.first);
        if h.first != h.last {
            out.extend_from_slice(b" to ");
            label(out, h.last);
        }
        out.push(b')');
    }
}

/// A count in decimal digits, as `Display` writes it.
fn push_count(out: &mut Vec<u8>, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// [`ordinal`] appended to `out`.
fn push_ordinal(out: &mut Vec<u8>, n: usize) {
    push_count(out, n);
    out.extend_from_slice(ordinal_suffix(n).as_bytes());
}

/// The indices of the points whose point type differs between two judgements of the same
/// series.
pub fn differences(a: &Judged, b: &Judged) -> Vec<usize> {
    a.result
        .point_type
        .iter()
        .zip(&b.result.point_type)
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .map(|(i, _)| i)
        .collect()
}

/// Points in a row on one side of the mean from which a rebase is suggested.
pub const SUSTAINED_SHIFT: usize = 12;

/// A candidate rebase: a sustained shift, with the evidence. Never applied by `sct`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Index of the first point of the shift, where the new segment would start.
    pub start: usize,
    /// Index of its last point.
    pub last: usize,
    /// Points in the shift.
    pub len: usize,
    /// Above (true) or below the segment's mean.
    pub high: bool,
    /// The segment's mean.
    pub segment_mean: f64,
    /// The mean of the shift's points.
    pub shift_mean: f64,
}

/// Candidate rebases: every run of at least [`SUSTAINED_SHIFT`] consecutive points on one side
/// of its segment's mean that does not already start a segment.
pub fn suggest_rebases(values: &[f64], judged: &Judged) -> Vec<Suggestion> {
    let segments: Vec<(usize, usize, f64)> = judged
        .result
        .segments
        .iter()
        .map(|s| (s.start, s.n, s.mean))
        .collect();
    suggest_rebases_in(values, &segments, &judged.breaks)
}

/// [`suggest_rebases`] for segments given as (start, points, centre line), with gaps before
/// the points at `breaks`.
pub fn suggest_rebases_in(
    values: &[f64],
    segments: &[(usize, usize, f64)],
    breaks: &[usize],
) -> Vec<Suggestion> {
    let n = values.len();
    let mut out = Vec::new();
    let mut breaks = breaks.to_vec();
    breaks.sort_unstable();
    for &(start, len, mean) in segments {
        let end = (start + len).min(n);
        if start >= end {
            continue;
        }
        let side: Vec<i8> = values[start..end]
            .iter()
            .map(|&y| {
                if y - mean > 0.0 {
                    1
                } else if y - mean < 0.0 {
                    -1
                } else {
                    0
                }
            })
            .collect();
        // Each point follows on from the one before but the segment's first and those after
        // a gap: made for the segment alone, not copied from a series-long array.
        let mut seg_linked = vec![true; end - start];
        seg_linked[0] = false;
        let inside = breaks.partition_point(|&b| b <= start)..breaks.partition_point(|&b| b < end);
        for &b in &breaks[inside] {
            seg_linked[b - start] = false;
        }
        for (first, last) in side_runs(&side, &seg_linked) {
            let run = last - first + 1;
            if run >= SUSTAINED_SHIFT && first > 0 {
                out.push(Suggestion {
                    start: start + first,
                    last: start + last,
                    len: run,
                    high: side[first] > 0,
                    segment_mean: mean,
                    shift_mean: accurate_mean(&values[start + first..start + last + 1]),
                });
            }
        }
    }
    out
}

/// A suggestion's evidence in words, with dates from `label`.
pub fn suggestion_text(s: &Suggestion, label: impl Fn(usize) -> String) -> String {
    format!(
        "{} points in a row {} the mean of {} from {} to {} (their mean {}): a candidate rebase at {}, not applied; record it in the rebase log if it reflects a real change",
        s.len,
        if s.high { "above" } else { "below" },
        four_figures(s.segment_mean),
        label(s.start),
        label(s.last),
        four_figures(s.shift_mean),
        label(s.start)
    )
}

/// A mean in words: four significant figures, and no decimals beyond the units for a mean of
/// 1000 or more ("9038", "68.58", "0.8512"): a reader compares the two means, and "9037.6667"
/// claims a precision no count has.
fn four_figures(v: f64) -> String {
    if !v.is_finite() || v == 0.0 {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (3 - magnitude).clamp(0, 6) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_are_given_to_four_figures() {
        assert_eq!(four_figures(9_037.666_666), "9038");
        assert_eq!(four_figures(68.5751), "68.58");
        assert_eq!(four_figures(0.851_234), "0.8512");
        assert_eq!(four_figures(12.5), "12.5");
        assert_eq!(four_figures(-4.567_89), "-4.568");
    }

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111]
            .iter()
            .map(|&n| ordinal(n))
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "111th"
            ]
        );
    }

    #[test]
    fn a_gap_splits_a_sustained_shift_in_any_segment() {
        let values: Vec<f64> = (0..80)
            .map(|i| if i % 40 < 20 { 0.0 } else { 10.0 })
            .collect();
        let segments = [(0, 40, 5.0), (40, 40, 5.0)];
        let starts = |b: &[usize]| -> Vec<usize> {
            suggest_rebases_in(&values, &segments, b)
                .iter()
                .map(|s| s.start)
                .collect()
        };
        assert_eq!(starts(&[]), [20, 60]);
        // Gaps in the middle of either shift leave ten points a side, too few; gaps out of
        // order, at a segment's start or past the end change nothing else.
        assert_eq!(starts(&[70, 30, 40, 500]), Vec::<usize>::new());
        assert_eq!(starts(&[70, 0]), [20]);
        assert_eq!(starts(&[20, 40]), [20, 60]);
    }

    #[test]
    fn names_carry_run_lengths() {
        let mdc = Profile::of(ProfileKind::Mdc);
        assert_eq!(mdc.name(7, 7), "mdc");
        assert_eq!(mdc.name(6, 6), "mdc, 6-point");
        assert_eq!(Profile::default().name(7, 7), "ptd-0.2.2");
        assert!(!mdc.screen_outliers && Profile::default().screen_outliers);
    }
}
