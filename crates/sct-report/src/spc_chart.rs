//! Statistical process control (SPC) charts in the *Making Data Count* style: an XmR chart of
//! one series with its mean, process limits and target, special-cause points marked, and the
//! variation and assurance icons, as accessible SVG or PNG.
//!
//! The chart takes plain data ([`SpcChart`]): the method itself (`docs/methods/spc.md`) is
//! computed elsewhere and its names (`special_cause_concern`, `improvement_high`, `pass`, …)
//! arrive as strings. It is drawn in the house style of [`crate::charts`] (the bundled DejaVu
//! Sans font, NHS colours, `role="img"` with a `<title>` and a `<desc>` that says in words what
//! the chart shows), and the same input always gives byte-identical output.
//!
//! Colour is never the only signal: common-cause points are small grey dots, improvement a
//! large blue circle, concern an orange diamond, and neutral special causes purple triangles
//! pointing up (high) or down (low); the mean is solid, the process limits short-dashed and the
//! target long-dashed in red; a legend names every marker and line drawn. Lines break at a
//! rebase (a change of segment): limits are never joined across segments.
//!
//! One layout and one drawing serve every size and output: the full chart ([`spc_svg`],
//! [`spc_chart`]), the small one of a table cell (`small`) and the compact one of reports that
//! hold thousands ([`compact_svg_into`]) are laid out alike (scales, ticks, segments broken at
//! rebases and gaps, markers, lines, legend, icons) and drawn by the same code, written as SVG
//! text directly or painted on the chart toolkit's bitmap for PNG.
//!
//! ```
//! use sct_report::spc_chart::{SpcChart, SpcPoint, spc_svg};
//! use sct_spc::chart::ChartVariationIcon;
//! use sct_spc::spc::{AssuranceIcon, PointType, VariationIcon};
//! let points = [66.9, 67.6, 66.9, 67.7, 60.2]
//!     .iter()
//!     .enumerate()
//!     .map(|(i, &value)| SpcPoint {
//!         label: format!("2024-{:02}", i + 1),
//!         value,
//!         mean: 65.9,
//!         lpl: Some(61.2),
//!         upl: Some(70.6),
//!         point_type: if i == 4 {
//!             PointType::SpecialCauseConcern
//!         } else {
//!             PointType::CommonCause
//!         },
//!         segment: 0,
//!         note: None,
//!     })
//!     .collect();
//! let chart = SpcChart {
//!     title: "A&E: 4-hour performance".into(),
//!     description: String::new(),
//!     unit: "%".into(),
//!     points,
//!     target: Some(70.7),
//!     variation_icon: Some(ChartVariationIcon::Spc(VariationIcon::ConcernLow)),
//!     assurance_icon: Some(AssuranceIcon::Fail),
//!     assurance_note: None,
//!     small: false,
//!     centre_name: String::new(),
//! };
//! let svg = spc_svg(&chart)?;
//! assert!(svg.contains(r#"role="img""#) && svg.contains("1 special-cause concern point"));
//! # Ok::<(), sct_report::charts::ChartError>(())
//! ```

use std::ops::Range;

mod compact;
mod surface;
pub(crate) use compact::coord;
pub use compact::{COMPACT_SIZE, LEGEND, compact_svg, compact_svg_into};
use surface::{Font, Stroke, Surface, SvgSurface, svg_start};

use sct_spc::chart::ChartVariationIcon;
use sct_spc::spc::{AssuranceIcon, PointType, VariationIcon};

use plotters::prelude::*;

use crate::charts::{
    Align, ChartError, ChartFormat, Fitted, GRID, GRID_DARK, MARGIN, NHS_BLUE, NHS_ORANGE, PAPER,
    Pt, TEXT, TEXT_GREY, accessible_svg, clean, ellipsize, fit_text, hex, load_fonts, measure,
    render_png, wrap, xml_escape,
};

/// One point of an [`SpcChart`], with the mean and limits of its segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SpcPoint {
    /// The x-axis label: a date or period, e.g. `2024-04-01` or `2024-04`.
    pub label: String,
    /// The value.
    pub value: f64,
    /// The mean of the point's segment.
    pub mean: f64,
    /// The lower process limit of the point's segment, if defined.
    pub lpl: Option<f64>,
    /// The upper process limit of the point's segment, if defined.
    pub upl: Option<f64>,
    /// Its classification.
    pub point_type: PointType,
    /// The point's segment; a change between consecutive points is a rebase.
    pub segment: usize,
    /// Why the point is flagged (e.g. the rule), given in the chart's description.
    pub note: Option<String>,
}

/// An XmR chart of one series.
#[derive(Debug, Clone, PartialEq)]
pub struct SpcChart {
    /// The chart's heading, e.g. "A&E: 4-hour performance".
    pub title: String,
    /// Sentences put before the generated description in `<desc>` (e.g. warnings); may be
    /// empty.
    pub description: String,
    /// The unit of the values, e.g. "%" or "minutes"; may be empty.
    pub unit: String,
    /// The points in order.
    pub points: Vec<SpcPoint>,
    /// The target, drawn as a red dashed line.
    pub target: Option<f64>,
    /// The variation icon (`None`: none drawn).
    pub variation_icon: Option<ChartVariationIcon>,
    /// The assurance icon; `None` when not assessed.
    pub assurance_icon: Option<AssuranceIcon>,
    /// Why the assurance icon is not reliable ("Assurance not reliable: …"), said beside it
    /// in the subtitle and the description; `None` when it stands.
    pub assurance_note: Option<String>,
    /// A compact chart (320×140, no visible title, legend or icons) for a table cell.
    pub small: bool,
    /// What the centre line is, for the legend and description: `mean` (the default when
    /// empty) or `median` (run charts).
    pub centre_name: String,
}

/// Draws an SPC chart as SVG or PNG bytes.
pub fn spc_chart(chart: &SpcChart, format: ChartFormat) -> Result<Vec<u8>, ChartError> {
    match format {
        ChartFormat::Svg => spc_svg(chart).map(String::into_bytes),
        ChartFormat::Png => {
            let layout = Layout::new(chart)?;
            render_png(layout.size, |cv| draw_spc(cv, &layout))
        }
    }
}

/// The SPC chart's SVG as a String (for inlining in HTML).
pub fn spc_svg(chart: &SpcChart) -> Result<String, ChartError> {
    let layout = Layout::new(chart)?;
    let mut svg = svg_start(layout.size);
    draw_spc(&SvgSurface::new(&mut svg, layout.size), &layout)?;
    svg.push_str("</svg>\n");
    let s = &layout.series;
    let description = describe(chart, s);
    Ok(accessible_svg(
        svg,
        "spc",
        "SPC chart",
        &chart.title,
        &description,
    ))
}

/// The variation icon as a 40×40 inline SVG with `role="img"` and a `<title>`.
pub fn variation_icon_svg(icon: ChartVariationIcon) -> String {
    icon_svg(Icon::variation(icon), icon.label())
}

/// The assurance icon (`None` when not assessed) as a 40×40 inline SVG with `role="img"` and
/// a `<title>`.
pub fn assurance_icon_svg(icon: Option<AssuranceIcon>) -> String {
    icon_svg(Icon::assurance(icon), AssuranceIcon::label(icon))
}

/// [`assurance_icon_svg`] with, when the icon is not reliable, the reason after its label in
/// the `<title>` (so that no reader is told the icon alone).
pub fn assurance_icon_svg_noted(icon: Option<AssuranceIcon>, note: Option<&str>) -> String {
    match note {
        Some(n) => icon_svg(
            Icon::assurance(icon),
            &format!("{} ({n})", AssuranceIcon::label(icon)),
        ),
        None => assurance_icon_svg(icon),
    }
}

/// The plain-English label of a variation icon, e.g. "Special cause variation: improvement
/// (higher)": the icon's one label ([`ChartVariationIcon::label`]).
pub fn variation_icon_label(icon: ChartVariationIcon) -> &'static str {
    icon.label()
}

/// The plain-English label of an assurance icon, e.g. "Consistently passing the target": the
/// icon's one label ([`AssuranceIcon::label`]).
pub fn assurance_icon_label(icon: Option<AssuranceIcon>) -> &'static str {
    AssuranceIcon::label(icon)
}

// ---------------------------------------------------------------------------------------------
// Palette beyond the shared one, and sizes.

/// Common-cause points and inconsistent assurance (NHS Mid Grey, 3.6:1 on white).
const GREY: RGBColor = hex(0x768692);
/// Neutral special causes (NHS Purple).
const PURPLE: RGBColor = hex(0x330072);
/// The target line (NHS Red, 4.9:1 on white).
const RED: RGBColor = hex(0xDA291C);

const FULL_WIDTH: u32 = 760;
const SMALL_SIZE: (u32, u32) = (320, 140);
const TITLE_PX: f64 = 18.0;
const TITLE_LINE: f64 = 22.0;
/// The smallest a long title shrinks to before taking a third line.
const TITLE_MIN_PX: f64 = 14.0;
const SUBTITLE_PX: f64 = 12.0;
const SUBTITLE_LINE: f64 = 15.0;
const TICK_PX: f64 = 11.0;
const SMALL_TICK_PX: f64 = 10.0;
const LEGEND_PX: f64 = 12.0;
const LEGEND_ROW: f64 = 22.0;
const LEGEND_SAMPLE: f64 = 28.0;
const PLOT_H: f64 = 240.0;
const ICON: f64 = 40.0;
/// Least space between two x-axis labels.
const LABEL_GAP: f64 = 8.0;
/// Most special-cause points listed by name in the description (the latest are listed).
const MAX_LISTED: usize = 8;
/// Most segments described one by one.
const MAX_SEGMENTS_DESCRIBED: usize = 6;

// ---------------------------------------------------------------------------------------------
// Point kinds and icons.

/// How a point is drawn, from its `point_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Common,
    Improvement,
    Concern,
    NeutralHigh,
    NeutralLow,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Common,
        Kind::Improvement,
        Kind::Concern,
        Kind::NeutralHigh,
        Kind::NeutralLow,
    ];

    fn of(t: PointType) -> Kind {
        match t {
            PointType::SpecialCauseImprovement => Kind::Improvement,
            PointType::SpecialCauseConcern => Kind::Concern,
            PointType::SpecialCauseNeutralHigh => Kind::NeutralHigh,
            PointType::SpecialCauseNeutralLow => Kind::NeutralLow,
            PointType::CommonCause => Kind::Common,
        }
    }

    /// Legend text.
    fn legend(self) -> &'static str {
        match self {
            Kind::Common => "Common cause",
            Kind::Improvement => "Special cause: improvement",
            Kind::Concern => "Special cause: concern",
            Kind::NeutralHigh => "Special cause: high",
            Kind::NeutralLow => "Special cause: low",
        }
    }

    /// The words for counting, e.g. "special-cause concern".
    fn words(self) -> &'static str {
        match self {
            Kind::Common => "common-cause",
            Kind::Improvement => "special-cause improvement",
            Kind::Concern => "special-cause concern",
            Kind::NeutralHigh => "special-cause high (neutral)",
            Kind::NeutralLow => "special-cause low (neutral)",
        }
    }

    /// A short word for listing a point.
    fn short(self) -> &'static str {
        match self {
            Kind::Common => "common cause",
            Kind::Improvement => "improvement",
            Kind::Concern => "concern",
            Kind::NeutralHigh => "high",
            Kind::NeutralLow => "low",
        }
    }
}

/// A variation or assurance icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Icon {
    CommonCause,
    /// A special cause of the kind (not `Common`), high or low.
    Special(Kind, bool),
    Pass,
    Fail,
    Inconsistent,
    /// No assurance: no target, or no direction of improvement.
    NotAssessed,
    /// A run chart's non-random pattern with no direction: too few crossings of the median.
    TooFewCrossings,
}

impl Icon {
    fn variation(icon: ChartVariationIcon) -> Icon {
        match icon {
            ChartVariationIcon::Spc(v) => match v {
                VariationIcon::CommonCause => Icon::CommonCause,
                VariationIcon::ImprovementHigh => Icon::Special(Kind::Improvement, true),
                VariationIcon::ImprovementLow => Icon::Special(Kind::Improvement, false),
                VariationIcon::ConcernHigh => Icon::Special(Kind::Concern, true),
                VariationIcon::ConcernLow => Icon::Special(Kind::Concern, false),
                VariationIcon::NeutralHigh => Icon::Special(Kind::NeutralHigh, true),
                VariationIcon::NeutralLow => Icon::Special(Kind::NeutralLow, false),
            },
            ChartVariationIcon::TooFewCrossings => Icon::TooFewCrossings,
        }
    }

    fn assurance(icon: Option<AssuranceIcon>) -> Icon {
        match icon {
            None => Icon::NotAssessed,
            Some(AssuranceIcon::Pass) => Icon::Pass,
            Some(AssuranceIcon::Fail) => Icon::Fail,
            Some(AssuranceIcon::Inconsistent) => Icon::Inconsistent,
        }
    }

    fn ring(self) -> RGBColor {
        match self {
            Icon::CommonCause | Icon::Inconsistent => GREY,
            Icon::Special(Kind::Improvement, _) | Icon::Pass => NHS_BLUE,
            Icon::Special(Kind::Concern, _) | Icon::Fail => NHS_ORANGE,
            Icon::Special(_, _) | Icon::TooFewCrossings => PURPLE,
            Icon::NotAssessed => GRID_DARK,
        }
    }
}

/// `c` mixed with white: `amount` of the colour.
fn tint(c: RGBColor, amount: f64) -> RGBColor {
    let mix = |v: u8| (255.0 - (255.0 - f64::from(v)) * amount).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// Draws a 40×40 icon centred at `c`: a coloured ring, and inside it a tiny run of points
/// (variation) or a letter (assurance), so that the meaning never rests on colour alone.
fn draw_icon<S: Surface>(cv: &S, icon: Icon, c: Pt) -> Result<(), ChartError> {
    let (cx, cy) = c;
    let ring = icon.ring();
    cv.circle(c, 18.5, ring)?;
    cv.circle(c, 15.5, tint(ring, 0.12))?;
    let letter = |s: &str, px: f64, baseline: f64, color: RGBColor| {
        let font = Font {
            px,
            bold: true,
            color,
            align: Align::Center,
        };
        cv.text(s, (cx, baseline), font)
    };
    let run = |dys: [f64; 5]| icon_run(c, dys);
    let thin = |color| solid(color, 1.0);
    match icon {
        Icon::CommonCause => {
            let pts = run([1.0, -3.0, 2.0, -2.0, 1.0]);
            cv.lines(std::slice::from_ref(&pts), thin(GREY))?;
            for &p in &pts {
                cv.circle(p, 2.2, GREY)?;
            }
        }
        Icon::Special(kind, high) => {
            // H above a rising run in the lower half; L below a falling run in the upper half.
            let (pts, baseline) = if high {
                (run([9.0, 9.5, 7.0, 4.0, 1.0]), cy - 1.5)
            } else {
                (run([-9.0, -9.5, -7.0, -4.0, -1.0]), cy + 12.5)
            };
            cv.lines(std::slice::from_ref(&pts), thin(GREY))?;
            for (i, &p) in pts.iter().enumerate() {
                if i < 2 {
                    cv.circle(p, 2.0, GREY)?;
                } else {
                    cv.mark(kind, p, ICON_MARK, None)?;
                }
            }
            letter(if high { "H" } else { "L" }, 12.0, baseline, TEXT)?;
        }
        Icon::Pass => letter("P", 19.0, cy + 7.0, TEXT)?,
        Icon::Fail => letter("F", 19.0, cy + 7.0, TEXT)?,
        Icon::Inconsistent => {
            letter("?", 15.0, cy + 3.0, TEXT)?;
            // A wave across the target: sometimes above, sometimes below.
            let wave: Vec<Pt> = (0..=16)
                .map(|i| {
                    let t = f64::from(i) / 16.0;
                    (
                        cx - 9.0 + 18.0 * t,
                        cy + 9.0 - 2.5 * (t * 2.0 * std::f64::consts::PI).sin(),
                    )
                })
                .collect();
            cv.lines(&[wave], solid(TEXT, 1.5))?;
        }
        Icon::TooFewCrossings => {
            // Long runs either side of a centre line, crossing it once, and an "X" for
            // crossings.
            cv.lines(&[vec![(cx - 11.0, cy), (cx + 11.0, cy)]], thin(GREY))?;
            let pts = run([-5.0, -6.0, -5.0, 5.0, 6.0]);
            cv.lines(std::slice::from_ref(&pts), thin(GREY))?;
            for &p in &pts {
                cv.circle(p, 2.0, PURPLE)?;
            }
            letter("X", 10.0, cy + 15.0, TEXT)?;
        }
        Icon::NotAssessed => letter("–", 16.0, cy + 5.5, TEXT_GREY)?,
    }
    Ok(())
}

/// Five points 5 apart across an icon centred at `c`, `dys` below its centre.
fn icon_run((cx, cy): Pt, dys: [f64; 5]) -> Vec<Pt> {
    [-10.0, -5.0, 0.0, 5.0, 10.0]
        .iter()
        .zip(dys)
        .map(|(&dx, dy)| (cx + dx, cy + dy))
        .collect()
}

/// The scale of the marks inside an icon.
const ICON_MARK: f64 = 0.525;

/// A standalone icon: its SVG with `role="img"`, `aria-label` and a `<title>` (no ids, so the
/// same icon can appear many times in one page).
fn icon_svg(icon: Icon, label: &str) -> String {
    let label = xml_escape(label);
    let size = (ICON as u32, ICON as u32);
    let mut svg = svg_start(size);
    // Writing SVG text does not fail.
    let _ = draw_icon(
        &SvgSurface::new(&mut svg, size),
        icon,
        (ICON / 2.0, ICON / 2.0),
    );
    svg.push_str("</svg>\n");
    let Some(end) = svg.find('>') else {
        return svg;
    };
    svg.insert_str(end + 1, &format!("\n<title>{label}</title>"));
    svg.insert_str(end, &format!(" role=\"img\" aria-label=\"{label}\""));
    svg
}

// ---------------------------------------------------------------------------------------------
// Numbers.

/// A "nice" step (1, 2, 2.5 or 5 × 10^k) giving about `target` intervals over `range`.
pub(crate) fn nice_step(range: f64, target: usize) -> f64 {
    let raw = range / target.max(1) as f64;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// The fewest decimals (at most 6) that print multiples of `step` exactly.
pub(crate) fn step_decimals(step: f64) -> usize {
    (0..=6)
        .find(|&d| {
            let m = step * 10f64.powi(d as i32);
            (m - m.round()).abs() < 1e-6 * m.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// `v` with `d` decimals, without a negative zero.
pub(crate) fn fixed(v: f64, d: usize) -> String {
    let s = format!("{v:.d$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// `v` to at most `d` decimals, trailing zeros dropped.
pub(crate) fn trimmed(v: f64, d: usize) -> String {
    let s = fixed(v, d);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

// ---------------------------------------------------------------------------------------------
// Layout.

/// A point reduced to what is drawn.
struct Point {
    label: String,
    value: Option<f64>,
    mean: Option<f64>,
    lpl: Option<f64>,
    upl: Option<f64>,
    kind: Kind,
    note: Option<String>,
}

/// A legend entry's sample.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sample {
    Marker(Kind),
    Mean,
    Limits,
    Target,
    Rebase,
    LongestRun,
}

struct LegendItem {
    sample: Sample,
    text: String,
    x: f64,
    /// Baseline of the row.
    y: f64,
}

/// The shading of a run chart's longest run (NHS pale grey-blue).
const RUN_SHADE: RGBColor = crate::charts::hex(0xE8EDEE);

/// The first and last index of the longest run of points on one side of the centre line
/// (points on it neither continue nor break a run), for run charts; the earliest if tied.
fn longest_run(points: &[Point]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut cur: Option<(usize, usize, bool)> = None;
    for (i, p) in points.iter().enumerate() {
        let (Some(v), Some(c)) = (p.value, p.mean) else {
            cur = None;
            continue;
        };
        if v == c {
            continue;
        }
        let above = v > c;
        cur = match cur {
            Some((a, _, side)) if side == above => Some((a, i, side)),
            _ => Some((i, i, above)),
        };
        if let Some((a, b, _)) = cur {
            let len = |r: (usize, usize)| r.1 - r.0;
            if best.is_none_or(|x| len((a, b)) > len(x)) {
                best = Some((a, b));
            }
        }
    }
    best
}

/// The centre line's name with a capital: "Mean" unless the chart says otherwise.
fn centre_word(chart: &SpcChart) -> String {
    let name = clean(&chart.centre_name);
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Mean".into(),
    }
}

/// The chart's data reduced to what is drawn and described, with no text measured: shared by
/// the full chart and the compact one ([`compact`]).
struct Series {
    points: Vec<Point>,
    /// Runs of consecutive points in one segment.
    runs: Vec<Range<usize>>,
    /// A run chart's longest run on one side of the median (first and last index).
    longest_run: Option<(usize, usize)>,
    target: Option<f64>,
    /// The value range to show: values, centre lines, limits and target, padded.
    lo: f64,
    hi: f64,
    /// Decimals for values in words.
    value_decimals: usize,
    empty: bool,
}

impl Series {
    fn new(chart: &SpcChart) -> Series {
        let points: Vec<Point> = chart
            .points
            .iter()
            .map(|p| Point {
                label: clean(&p.label),
                value: finite(p.value),
                mean: finite(p.mean),
                lpl: p.lpl.and_then(finite),
                upl: p.upl.and_then(finite),
                kind: Kind::of(p.point_type),
                note: p.note.as_deref().map(clean).filter(|s| !s.is_empty()),
            })
            .collect();
        let mut runs: Vec<Range<usize>> = Vec::new();
        for (i, p) in chart.points.iter().enumerate() {
            match runs.last_mut() {
                Some(r) if chart.points[r.end - 1].segment == p.segment => r.end = i + 1,
                _ => runs.push(i..i + 1),
            }
        }
        let target = chart.target.and_then(finite);
        // Run charts (a median centre line) mark their longest run.
        let longest_run = if chart.centre_name.trim().eq_ignore_ascii_case("median") {
            longest_run(&points)
        } else {
            None
        };

        // The value range: values, means, limits and the target.
        let empty = points.iter().all(|p| p.value.is_none());
        let (lo, hi) = points
            .iter()
            .flat_map(|p| [p.value, p.mean, p.lpl, p.upl])
            .chain([target])
            .flatten()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (0.0, 1.0) };
        let span = hi - lo;
        let (lo, hi) = if span > 1e-9 * hi.abs().max(lo.abs()).max(1e-300) {
            (lo - span * 0.06, hi + span * 0.06)
        } else {
            let pad = (hi.abs() * 0.1).max(1.0);
            (lo - pad, hi + pad)
        };
        // Values in words to one decimal place finer than the order of a tick step.
        let value_decimals = (1.0 - nice_step(hi - lo, 5).log10().floor()).clamp(0.0, 6.0) as usize;
        Series {
            points,
            runs,
            longest_run,
            target,
            lo,
            hi,
            value_decimals,
            empty,
        }
    }
}

/// Gridlines for the value range `lo..hi`: about `target` nice steps, and the axis' ends.
fn value_ticks(lo: f64, hi: f64, target: usize) -> (f64, f64, Vec<(f64, String)>) {
    let step = nice_step(hi - lo, target);
    let (y_min, y_max) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let n_ticks = ((y_max - y_min) / step).round();
    if n_ticks.is_finite() && (1.0..=50.0).contains(&n_ticks) {
        let d = step_decimals(step);
        let first = (lo / step).floor();
        let ticks = (0..=n_ticks as usize)
            .map(|k| {
                let v = (first + k as f64) * step;
                (v, fixed(v, d))
            })
            .collect();
        (y_min, y_max, ticks)
    } else {
        // Astronomically large or odd values: just the ends.
        (
            lo,
            hi,
            vec![(lo, format!("{lo:e}")), (hi, format!("{hi:e}"))],
        )
    }
}

/// The polylines of one per-segment line (mean or a limit) over points at `xs`: one per run,
/// broken where the value is missing, a step where it changes; a lone point gets a short stub.
fn segment_lines(
    points: &[Point],
    runs: &[Range<usize>],
    xs: &[f64],
    y: impl Fn(f64) -> f64,
    get: impl Fn(&Point) -> Option<f64>,
) -> Vec<Vec<Pt>> {
    let stub = if xs.len() > 1 {
        ((xs[1] - xs[0]) / 2.0).min(8.0)
    } else {
        8.0
    };
    let mut out = Vec::new();
    for run in runs {
        let mut cur: Vec<Pt> = Vec::new();
        for i in run.clone() {
            match get(&points[i]) {
                Some(v) => {
                    let y = y(v);
                    // A step where the value changes within a run.
                    if let Some(&(px, py)) = cur.last()
                        && (py - y).abs() > 1e-9
                    {
                        cur.push(((px + xs[i]) / 2.0, py));
                        cur.push(((px + xs[i]) / 2.0, y));
                    }
                    cur.push((xs[i], y));
                }
                None => out.push(std::mem::take(&mut cur)),
            }
        }
        out.push(cur);
    }
    out.into_iter()
        .filter(|l| !l.is_empty())
        .map(|l| {
            if l.len() == 1 {
                let (x, y) = l[0];
                return vec![(x - stub, y), (x + stub, y)];
            }
            // Only the corners: a level line is one straight segment.
            let mut corners: Vec<Pt> = Vec::with_capacity(l.len());
            for (i, &p) in l.iter().enumerate() {
                let level = |q: Option<&Pt>| q.is_some_and(|q| q.1 == p.1);
                if i == 0 || i == l.len() - 1 || !(level(l.get(i - 1)) && level(l.get(i + 1))) {
                    corners.push(p);
                }
            }
            corners
        })
        .collect()
}

/// The three sizes an SPC chart is drawn at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Size {
    /// The full chart: title, icons, legend (760 wide).
    Full,
    /// A table cell's chart, 320×140: no visible title, legend or icons.
    Small,
    /// The reports of thousands of charts ([`compact`]): 760×200, no text measured.
    Compact,
}

/// What differs between the sizes in how the same things are drawn.
#[derive(Debug, Clone, Copy)]
struct Style {
    tick_px: f64,
    /// The y labels' right edge, left of the plot.
    y_label_dx: f64,
    /// The x labels' baseline, below the plot.
    x_label_dy: f64,
    /// The values, the centre line and the limits.
    line_w: f64,
    target_w: f64,
    /// The diameter of a common-cause dot.
    dot: f64,
    /// The scale of special-cause marks ([`surface::Surface::mark`]).
    mark_k: f64,
    /// The size of "No data to show".
    note_px: f64,
}

impl Size {
    fn style(self) -> Style {
        match self {
            Size::Full => Style {
                tick_px: TICK_PX,
                y_label_dx: 8.0,
                x_label_dy: 17.0,
                line_w: 1.5,
                target_w: 2.0,
                dot: 6.4,
                mark_k: FULL_MARK,
                note_px: 14.0,
            },
            Size::Small => Style {
                tick_px: SMALL_TICK_PX,
                y_label_dx: 5.0,
                x_label_dy: 16.0,
                line_w: 1.2,
                target_w: 1.6,
                dot: 4.5,
                mark_k: 0.875,
                note_px: 12.0,
            },
            Size::Compact => Style {
                tick_px: TICK_PX,
                y_label_dx: 5.0,
                x_label_dy: 16.0,
                line_w: 1.2,
                target_w: 1.6,
                dot: 4.5,
                mark_k: 1.0,
                note_px: 13.0,
            },
        }
    }
}

/// The scale of the full chart's marks (the legend's too).
const FULL_MARK: f64 = 1.25;

/// Everything about an SPC chart that does not depend on the output: what is drawn where.
/// Every size and output draws from it ([`draw_spc`]).
struct Layout {
    size: (u32, u32),
    style: Style,
    title: Vec<String>,
    title_px: f64,
    subtitle: Vec<String>,
    /// The unit and where its text starts (baseline).
    unit: Option<(Pt, String)>,
    /// Plot area: left, top, right, bottom.
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    y_min: f64,
    y_max: f64,
    /// Gridline values and their labels.
    ticks: Vec<(f64, String)>,
    /// x of each point.
    xs: Vec<f64>,
    /// x-axis labels drawn: x, text, alignment.
    x_labels: Vec<(f64, String, Align)>,
    /// Indices of the points with a tick under them.
    x_ticks: Vec<usize>,
    series: Series,
    legend: Vec<LegendItem>,
    icons: Vec<(Icon, Pt)>,
}

impl Layout {
    /// The full or small chart of `chart` (text measured with the bundled font).
    fn new(chart: &SpcChart) -> Result<Self, ChartError> {
        load_fonts()?;
        let small = chart.small;
        let s = Series::new(chart);
        let style = if small { Size::Small } else { Size::Full }.style();
        let (width, tick_target) = if small {
            (f64::from(SMALL_SIZE.0), 3)
        } else {
            (f64::from(FULL_WIDTH), 5)
        };
        let (y_min, y_max, ticks) = value_ticks(s.lo, s.hi, tick_target);
        let tick_w = ticks
            .iter()
            .map(|(_, s)| measure(s, style.tick_px, false))
            .fold(0.0, f64::max);
        let header = Header::new(chart, width, tick_w);
        // x labels, measured; in the full chart the plot ends early enough for the latest
        // label to sit centred under its point.
        let max_label = if small { 90.0 } else { 120.0 };
        let labels = measured_labels(&s.points, style.tick_px, max_label);
        let x1 = match labels.last() {
            Some((_, lw)) if !small => header.x1.min(width - 2.0 - lw / 2.0 + 4.0),
            _ => header.x1,
        };
        // x positions: evenly spaced, inset from the plot's edges.
        let plot_w = (x1 - header.x0).max(1.0);
        let xs = point_xs(s.points.len(), header.x0, x1, 16.0);
        let (x_labels, x_ticks) = if small {
            (small_x_labels(&labels, width), Vec::new())
        } else {
            full_x_labels(&labels, &xs, width, plot_w)
        };
        let (legend, height) = if small {
            (Vec::new(), header.height)
        } else {
            let legend = place_legend(legend_samples(chart, &s), width, header.y1);
            let height = legend.last().map_or(header.y1 + 36.0, |l| l.y + 14.0);
            (legend, height)
        };
        let unit = clean(&chart.unit);
        let unit = (!small && !unit.is_empty()).then(|| {
            let text = ellipsize(&unit, TICK_PX, false, width / 2.0);
            ((MARGIN, header.y0 - 14.0), text)
        });
        Ok(Layout {
            size: (width as u32, height.ceil() as u32),
            style,
            title: header.title,
            title_px: header.title_px,
            subtitle: header.subtitle,
            unit,
            x0: header.x0,
            y0: header.y0,
            x1,
            y1: header.y1,
            y_min,
            y_max,
            ticks,
            xs,
            x_labels,
            x_ticks,
            series: s,
            legend,
            icons: header.icons,
        })
    }

    fn y(&self, v: f64) -> f64 {
        self.y1 - (v - self.y_min) / (self.y_max - self.y_min) * (self.y1 - self.y0)
    }

    /// The polylines of one per-segment line (mean or a limit); see [`segment_lines`].
    fn segment_lines(&self, get: impl Fn(&Point) -> Option<f64>) -> Vec<Vec<Pt>> {
        let s = &self.series;
        segment_lines(&s.points, &s.runs, &self.xs, |v| self.y(v), get)
    }
}

/// The x of each of `n` points, evenly spaced across `x0..x1`, inset from its edges by half
/// a step (at least 4, at most `max_pad`); one point sits in the middle.
fn point_xs(n: usize, x0: f64, x1: f64, max_pad: f64) -> Vec<f64> {
    let plot_w = (x1 - x0).max(1.0);
    let pad = (plot_w / n.max(1) as f64 / 2.0).clamp(4.0, max_pad);
    if n <= 1 {
        vec![(x0 + x1) / 2.0; n]
    } else {
        let step = (plot_w - 2.0 * pad) / (n - 1) as f64;
        (0..n).map(|i| x0 + pad + step * i as f64).collect()
    }
}

/// Each point's x label, shortened to `max_label` wide, and its width.
fn measured_labels(points: &[Point], tick_px: f64, max_label: f64) -> Vec<(String, f64)> {
    points
        .iter()
        .map(|p| {
            let s = ellipsize(&p.label, tick_px, false, max_label);
            let w = measure(&s, tick_px, false);
            (s, w)
        })
        .collect()
}

/// A chart's header (title, icon labels and icons) and the plot area below it.
struct Header {
    icons: Vec<(Icon, Pt)>,
    title: Vec<String>,
    /// The title's size: smaller than [`TITLE_PX`] for a long one, which shrinks rather than
    /// being cut.
    title_px: f64,
    subtitle: Vec<String>,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    /// The small chart's height; 0 for the full chart, whose height follows its legend.
    height: f64,
}

impl Header {
    /// The header of `chart`, `width` wide, with y labels `tick_w` wide.
    fn new(chart: &SpcChart, width: f64, tick_w: f64) -> Header {
        if chart.small {
            return Header {
                icons: Vec::new(),
                title: Vec::new(),
                title_px: TITLE_PX,
                subtitle: Vec::new(),
                x0: 6.0 + tick_w + 5.0,
                x1: width - 8.0,
                y0: 10.0,
                y1: 116.0,
                height: f64::from(SMALL_SIZE.1),
            };
        }
        let variation = chart.variation_icon.map(Icon::variation);
        let assurance = Icon::assurance(chart.assurance_icon);
        let mut icons: Vec<(Icon, Pt)> = Vec::new();
        let shown: Vec<Icon> = variation
            .into_iter()
            .chain((assurance != Icon::NotAssessed).then_some(assurance))
            .collect();
        let icons_w = shown.len() as f64 * (ICON + 8.0);
        for (i, &icon) in shown.iter().enumerate() {
            let cx = width - MARGIN - ICON / 2.0 - (shown.len() - 1 - i) as f64 * (ICON + 8.0);
            icons.push((icon, (cx, 14.0 + ICON / 2.0)));
        }
        let text_w = width - 2.0 * MARGIN - icons_w - 8.0;
        let Fitted {
            lines: title,
            px: title_px,
        } = fit_text(
            &clean(&chart.title),
            TITLE_PX,
            TITLE_MIN_PX,
            true,
            text_w,
            2,
        );
        let title_line = TITLE_LINE * title_px / TITLE_PX;
        let mut words = Vec::new();
        if let Some(v) = chart.variation_icon {
            words.push(format!("{}.", v.label()));
        }
        if chart.assurance_icon.is_some() {
            words.push(format!("{}.", AssuranceIcon::label(chart.assurance_icon)));
        }
        if let Some(n) = &chart.assurance_note {
            words.push(format!("{n}."));
        }
        // A note on the assurance icon gets a third line rather than being cut short.
        let lines = if chart.assurance_note.is_some() { 3 } else { 2 };
        let subtitle = wrap(&words.join(" "), SUBTITLE_PX, false, text_w, lines);
        let title_bottom = 30.0 + title.len().saturating_sub(1) as f64 * title_line;
        let sub_bottom = title_bottom + subtitle.len() as f64 * SUBTITLE_LINE + 4.0;
        let icons_bottom = if icons.is_empty() { 0.0 } else { 14.0 + ICON };
        let header = sub_bottom.max(icons_bottom) + 6.0;
        let y0 = header + 30.0;
        Header {
            icons,
            title,
            title_px,
            subtitle,
            x0: MARGIN + tick_w + 8.0,
            x1: width - MARGIN,
            y0,
            y1: y0 + PLOT_H,
            height: 0.0, // set after the legend
        }
    }
}

/// The small chart's x labels (text and width per point): the first and the latest, if
/// both fit.
fn small_x_labels(labels: &[(String, f64)], width: f64) -> Vec<(f64, String, Align)> {
    let mut x_labels = Vec::new();
    let n = labels.len();
    if n > 0 {
        let (ls, lw) = &labels[n - 1];
        let (fs, fw) = &labels[0];
        if n > 1 && fw + lw + 12.0 <= width - 4.0 {
            x_labels.push((2.0, fs.clone(), Align::Left));
        }
        x_labels.push((width - 2.0, ls.clone(), Align::Right));
    }
    x_labels
}

/// The full chart's x labels and the points they label, thinned from the latest point back
/// so that labels never overlap.
fn full_x_labels(
    labels: &[(String, f64)],
    xs: &[f64],
    width: f64,
    plot_w: f64,
) -> (Vec<(f64, String, Align)>, Vec<usize>) {
    let n = labels.len();
    let mut x_labels = Vec::new();
    let mut x_ticks = Vec::new();
    if n == 0 {
        return (x_labels, x_ticks);
    }
    let place = |i: usize, s: &str, w: f64| {
        let x = xs[i];
        if x - w / 2.0 < 2.0 {
            (2.0, s.to_string(), Align::Left)
        } else if x + w / 2.0 > width - 2.0 {
            (width - 2.0, s.to_string(), Align::Right)
        } else {
            (x, s.to_string(), Align::Center)
        }
    };
    let widest = labels.iter().map(|(_, w)| *w).fold(0.0, f64::max);
    let spacing = if n > 1 { xs[1] - xs[0] } else { plot_w };
    let every = ((widest + LABEL_GAP + 4.0) / spacing.max(1e-9))
        .ceil()
        .max(1.0);
    let every = if every.is_finite() {
        (every as usize).min(n)
    } else {
        n
    };
    // Nudging a label inside an edge can bring it close to its neighbour: a label is kept
    // only if it clears the one kept to its right.
    let mut right_edge = f64::INFINITY;
    for i in (0..n).rev().step_by(every.max(1)) {
        let (s, w) = &labels[i];
        let (x, text, align) = place(i, s, *w);
        let (left, right) = match align {
            Align::Left => (x, x + w),
            Align::Right => (x - w, x),
            Align::Center => (x - w / 2.0, x + w / 2.0),
        };
        if right + LABEL_GAP <= right_edge {
            x_labels.push((x, text, align));
            x_ticks.push(i);
            right_edge = left;
        }
    }
    x_labels.reverse();
    x_ticks.reverse();
    (x_labels, x_ticks)
}

/// The legend's entries: the markers used, then the lines drawn.
fn legend_samples(chart: &SpcChart, s: &Series) -> Vec<(Sample, String)> {
    let points = &s.points;
    let mut samples: Vec<(Sample, String)> = Vec::new();
    for kind in Kind::ALL {
        if points.iter().any(|p| p.kind == kind && p.value.is_some()) {
            samples.push((Sample::Marker(kind), kind.legend().into()));
        }
    }
    if points.iter().any(|p| p.mean.is_some()) {
        samples.push((Sample::Mean, format!("{} (solid)", centre_word(chart))));
    }
    if points.iter().any(|p| p.lpl.is_some() || p.upl.is_some()) {
        samples.push((Sample::Limits, "Process limits (dashed)".into()));
    }
    if let Some(t) = s.target {
        samples.push((
            Sample::Target,
            format!("Target {} (red, long dashes)", trimmed(t, s.value_decimals)),
        ));
    }
    if let Some((a, b)) = s.longest_run {
        samples.push((
            Sample::LongestRun,
            format!(
                "Shaded: longest run, {} points on one side of the median",
                b - a + 1
            ),
        ));
    }
    if s.runs.len() > 1 {
        samples.push((
            Sample::Rebase,
            format!(
                "Rebase (new {} and limits)",
                centre_word(chart).to_lowercase()
            ),
        ));
    }
    samples
}

/// The legend's entries laid out in rows under a plot ending at `y1`.
fn place_legend(samples: Vec<(Sample, String)>, width: f64, y1: f64) -> Vec<LegendItem> {
    let mut legend = Vec::new();
    let mut x = MARGIN;
    let mut y = y1 + 48.0;
    for (sample, text) in samples {
        let w = LEGEND_SAMPLE + 6.0 + measure(&text, LEGEND_PX, false);
        if x > MARGIN && x + w > width - MARGIN {
            x = MARGIN;
            y += LEGEND_ROW;
        }
        legend.push(LegendItem { sample, text, x, y });
        x += w + 20.0;
    }
    legend
}

// ---------------------------------------------------------------------------------------------
// Drawing.

const LIMIT_DASH: (f64, f64) = (5.0, 4.0);
const TARGET_DASH: (f64, f64) = (14.0, 5.0);
const REBASE_DASH: (f64, f64) = (2.0, 3.0);

/// A solid stroke.
fn solid(color: RGBColor, width: f64) -> Stroke {
    Stroke {
        color,
        width,
        dash: None,
    }
}

/// A dashed stroke.
fn dashed(color: RGBColor, width: f64, dash: (f64, f64)) -> Stroke {
    Stroke {
        color,
        width,
        dash: Some(dash),
    }
}

/// Draws the chart laid out in `l`, at any size, on any surface: the one drawing of an SPC
/// chart.
fn draw_spc<S: Surface>(cv: &S, l: &Layout) -> Result<(), ChartError> {
    cv.fill(PAPER)?;
    draw_header(cv, l)?;
    draw_axes(cv, l)?;
    draw_x_axis(cv, l)?;
    draw_lines(cv, l)?;
    draw_data(cv, l)?;
    draw_legend(cv, l)
}

/// The title, the icon labels and the icons.
fn draw_header<S: Surface>(cv: &S, l: &Layout) -> Result<(), ChartError> {
    let font = |px, bold, color| Font {
        px,
        bold,
        color,
        align: Align::Left,
    };
    let title_line = TITLE_LINE * l.title_px / TITLE_PX;
    for (i, line) in l.title.iter().enumerate() {
        let y = 30.0 + i as f64 * title_line;
        cv.text(line, (MARGIN, y), font(l.title_px, true, TEXT))?;
    }
    let sub_top = 30.0 + l.title.len().saturating_sub(1) as f64 * title_line;
    for (i, line) in l.subtitle.iter().enumerate() {
        let y = sub_top + (i + 1) as f64 * SUBTITLE_LINE + 2.0;
        cv.text(line, (MARGIN, y), font(SUBTITLE_PX, false, TEXT_GREY))?;
    }
    for &(icon, c) in &l.icons {
        draw_icon(cv, icon, c)?;
    }
    Ok(())
}

/// The longest run's shade, the grid, the axis, the y labels, the unit and "No data to show".
fn draw_axes<S: Surface>(cv: &S, l: &Layout) -> Result<(), ChartError> {
    let st = l.style;
    // A run chart's longest run, shaded behind everything else.
    if let Some((a, b)) = l.series.longest_run {
        let half = if l.xs.len() > 1 {
            (l.xs[1] - l.xs[0]) / 2.0
        } else {
            6.0
        };
        cv.rect((l.xs[a] - half, l.y0), (l.xs[b] + half, l.y1), RUN_SHADE)?;
    }
    let grid: Vec<Vec<Pt>> = l
        .ticks
        .iter()
        .map(|(v, _)| vec![(l.x0, l.y(*v)), (l.x1, l.y(*v))])
        .collect();
    cv.lines(&grid, solid(GRID, 1.0))?;
    cv.rule((l.x0, l.y1), (l.x1, l.y1), solid(GRID_DARK, 1.0))?;
    let labels: Vec<(Pt, &str, Align)> = l
        .ticks
        .iter()
        .map(|(v, s)| {
            let at = (l.x0 - st.y_label_dx, l.y(*v) + st.tick_px * 0.36);
            (at, s.as_str(), Align::Right)
        })
        .collect();
    let grey = |px, align| Font {
        px,
        bold: false,
        color: TEXT_GREY,
        align,
    };
    cv.texts(&labels, grey(st.tick_px, Align::Right))?;
    if let Some((at, unit)) = &l.unit {
        cv.text(unit, *at, grey(TICK_PX, Align::Left))?;
    }
    if l.series.empty {
        let at = ((l.x0 + l.x1) / 2.0, (l.y0 + l.y1) / 2.0);
        cv.text("No data to show", at, grey(st.note_px, Align::Center))?;
    }
    Ok(())
}

/// The x labels and the ticks of the labelled points (a label may be nudged inside the edge;
/// its tick not).
fn draw_x_axis<S: Surface>(cv: &S, l: &Layout) -> Result<(), ChartError> {
    let st = l.style;
    let y = l.y1 + st.x_label_dy;
    let labels: Vec<(Pt, &str, Align)> = l
        .x_labels
        .iter()
        .map(|(x, s, align)| ((*x, y), s.as_str(), *align))
        .collect();
    let font = Font {
        px: st.tick_px,
        bold: false,
        color: TEXT_GREY,
        align: Align::Left,
    };
    cv.texts(&labels, font)?;
    let ticks: Vec<Pt> = l
        .x_ticks
        .iter()
        .filter_map(|&i| l.xs.get(i).map(|&x| (x, l.y1)))
        .collect();
    cv.ticks(&ticks, 4.0, solid(GRID_DARK, 1.0))
}

/// The rebases, the limits, the centre line and the target.
fn draw_lines<S: Surface>(cv: &S, l: &Layout) -> Result<(), ChartError> {
    let (s, st) = (&l.series, l.style);
    // Rebases: a dotted vertical line between segments.
    let rebases: Vec<Vec<Pt>> = s
        .runs
        .windows(2)
        .filter_map(|pair| {
            let (a, b) = (pair[0].end - 1, pair[1].start);
            let x = (l.xs.get(a)? + l.xs.get(b)?) / 2.0;
            Some(vec![(x, l.y0), (x, l.y1)])
        })
        .collect();
    cv.lines(&rebases, dashed(TEXT_GREY, 1.0, REBASE_DASH))?;
    let mut limits = l.segment_lines(|p| p.lpl);
    limits.extend(l.segment_lines(|p| p.upl));
    cv.lines(&limits, dashed(GREY, st.line_w, LIMIT_DASH))?;
    cv.lines(&l.segment_lines(|p| p.mean), solid(TEXT, st.line_w))?;
    if let Some(t) = s.target {
        let y = l.y(t);
        let line = [vec![(l.x0, y), (l.x1, y)]];
        cv.lines(&line, dashed(RED, st.target_w, TARGET_DASH))?;
    }
    Ok(())
}

/// The line through the values (broken at a missing value), the common-cause dots, then the
/// special-cause marks on top, each with why it is flagged as a tooltip.
fn draw_data<S: Surface>(cv: &S, l: &Layout) -> Result<(), ChartError> {
    let (s, st) = (&l.series, l.style);
    let mut trace: Vec<Vec<Pt>> = vec![Vec::new()];
    for (p, &x) in s.points.iter().zip(&l.xs) {
        match p.value {
            Some(v) => trace
                .last_mut()
                .into_iter()
                .for_each(|t| t.push((x, l.y(v)))),
            None if trace.last().is_some_and(|t| !t.is_empty()) => trace.push(Vec::new()),
            None => {}
        }
    }
    cv.trace(&trace, solid(TEXT_GREY, st.line_w))?;
    let at = |p: &Point, x: f64| p.value.map(|v| (x, l.y(v)));
    let dots: Vec<Pt> = s
        .points
        .iter()
        .zip(&l.xs)
        .filter(|(p, _)| p.kind == Kind::Common)
        .filter_map(|(p, &x)| at(p, x))
        .collect();
    cv.dots(&dots, GREY, st.dot)?;
    for (p, &x) in s.points.iter().zip(&l.xs) {
        let Some(c) = at(p, x) else { continue };
        let why = p.note.as_deref().unwrap_or(p.kind.words());
        if p.kind != Kind::Common {
            cv.mark(p.kind, c, st.mark_k, Some((&p.label, why)))?;
        } else if let Some(note) = &p.note {
            // A common-cause point with a note: its note as a tooltip over the dot.
            cv.tip(c, st.dot, (&p.label, note))?;
        }
    }
    Ok(())
}

/// The legend: a sample of each marker and line, and its words.
fn draw_legend<S: Surface>(cv: &S, l: &Layout) -> Result<(), ChartError> {
    for item in &l.legend {
        let mid = item.y - 4.0;
        let (sx0, sx1) = (item.x, item.x + LEGEND_SAMPLE);
        let across = [vec![(sx0, mid), (sx1, mid)]];
        let c = ((sx0 + sx1) / 2.0, mid);
        match item.sample {
            Sample::Marker(kind) => {
                cv.lines(&across, solid(TEXT_GREY, 1.5))?;
                if kind == Kind::Common {
                    cv.dots(&[c], GREY, Size::Full.style().dot)?;
                } else {
                    cv.mark(kind, c, FULL_MARK, None)?;
                }
            }
            Sample::Mean => cv.lines(&across, solid(TEXT, 1.5))?,
            Sample::Limits => cv.lines(&across, dashed(GREY, 1.5, LIMIT_DASH))?,
            Sample::Target => cv.lines(&across, dashed(RED, 2.0, TARGET_DASH))?,
            Sample::LongestRun => cv.rect((sx0, mid - 7.0), (sx1, mid + 7.0), RUN_SHADE)?,
            Sample::Rebase => {
                let line = [vec![(c.0, mid - 8.0), (c.0, mid + 8.0)]];
                cv.lines(&line, dashed(TEXT_GREY, 1.0, REBASE_DASH))?
            }
        }
        let font = Font {
            px: LEGEND_PX,
            bold: false,
            color: TEXT,
            align: Align::Left,
        };
        cv.text(&item.text, (sx1 + 6.0, item.y), font)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The description in words.

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one} point")
    } else {
        format!("{n} {one} points")
    }
}

/// The limits in words, e.g. "process limits 61.2 to 70.6".
fn limits_words(lpl: Option<f64>, upl: Option<f64>, d: usize) -> String {
    match (lpl, upl) {
        (Some(a), Some(b)) => format!("process limits {} to {}", trimmed(a, d), trimmed(b, d)),
        (Some(a), None) => format!("lower process limit {}", trimmed(a, d)),
        (None, Some(b)) => format!("upper process limit {}", trimmed(b, d)),
        (None, None) => "no process limits".into(),
    }
}

/// The chart in words: the given description, then the points, mean, limits, target,
/// special-cause counts, a run chart's shaded longest run, icons and unit, then the
/// special-cause points by name.
///
/// The caller's description is bounded as any text from an input is ([`clean`]); where that
/// cuts it, it ends at its last whole sentence rather than mid-word (what follows restates the
/// icons and their notes in full).
fn describe(chart: &SpcChart, s: &Series) -> String {
    let (pts, runs, target, d) = (&s.points, &s.runs, s.target, s.value_decimals);
    let mut parts: Vec<String> = Vec::new();
    let given = whole_sentences(&chart.description);
    if !given.is_empty() {
        parts.push(if given.ends_with('.') {
            given
        } else {
            format!("{given}.")
        });
    }
    parts.push(summary(chart, pts, runs, target, d));
    if let Some((a, b)) = s.longest_run {
        parts.push(format!(
            "The shaded band is the longest run: {}.",
            run_words(b - a + 1, &pts[a].label, &pts[b].label)
        ));
    }
    if let Some(last) = pts.last() {
        parts.push(format!(
            "Latest point {}: {}{}.",
            last.label,
            last.value
                .map(|v| trimmed(v, d))
                .unwrap_or_else(|| "no value".into()),
            if last.kind == Kind::Common {
                ", common cause".to_string()
            } else {
                format!(", special cause ({})", last.kind.short())
            }
        ));
    }
    if let Some(v) = chart.variation_icon {
        parts.push(format!("{}.", variation_icon_label(v)));
    }
    if chart.assurance_icon.is_some() || target.is_some() {
        parts.push(format!("{}.", assurance_icon_label(chart.assurance_icon)));
    }
    if let Some(n) = &chart.assurance_note {
        parts.push(format!("{n}."));
    }
    let unit = clean(&chart.unit);
    if !unit.is_empty() {
        parts.push(format!("Values in {unit}."));
    }
    parts.extend(special_points(pts));
    parts.join(" ")
}

/// A run chart's longest run in words: what the shaded band behind its points marks (a run
/// longer than expected is a shift: `docs/methods/run-charts.md`).
fn run_words(n: usize, first: &str, last: &str) -> String {
    let span = if n == 1 {
        format!("at {first}")
    } else {
        format!("from {first} to {last}")
    };
    format!(
        "{n} point{} in a row on one side of the median, {span}",
        if n == 1 { "" } else { "s" }
    )
}

/// `text` cleaned and bounded ([`clean`]); if the bound cut it, up to its last full stop.
fn whole_sentences(text: &str) -> String {
    let cleaned = clean(text);
    let cut = text.chars().count() > sct_chart::MAX_TEXT_CHARS;
    match cleaned.rfind(". ") {
        Some(end) if cut => cleaned[..=end].to_string(),
        _ => cleaned,
    }
}

/// The description's first sentence: the points, the segments with their centre and limits,
/// the target and the count of each kind of special cause.
fn summary(
    chart: &SpcChart,
    pts: &[Point],
    runs: &[Range<usize>],
    target: Option<f64>,
    d: usize,
) -> String {
    let mut s = match pts.len() {
        0 => "No data points".to_string(),
        1 => format!("1 point, {}", pts[0].label),
        n => format!("{n} points from {} to {}", pts[0].label, pts[n - 1].label),
    };
    let seg_words = |r: &Range<usize>| {
        let p = &pts[r.start];
        let mean = p
            .mean
            .map(|m| format!("{} {}", centre_word(chart).to_lowercase(), trimmed(m, d)))
            .unwrap_or_else(|| format!("no {}", centre_word(chart).to_lowercase()));
        format!("{mean}, {}", limits_words(p.lpl, p.upl, d))
    };
    if runs.len() == 1 {
        s.push_str(&format!("; {}", seg_words(&runs[0])));
    } else if runs.len() > 1 {
        let k = runs.len();
        s.push_str(&format!("; {k} segments (rebased)"));
        for r in runs.iter().take(MAX_SEGMENTS_DESCRIBED) {
            s.push_str(&format!("; from {}: {}", pts[r.start].label, seg_words(r)));
        }
        if k > MAX_SEGMENTS_DESCRIBED {
            s.push_str(&format!(
                "; and {} more segments",
                k - MAX_SEGMENTS_DESCRIBED
            ));
        }
    }
    if let Some(t) = target {
        s.push_str(&format!("; target {}", trimmed(t, d)));
    }
    let counts: Vec<String> = Kind::ALL[1..]
        .iter()
        .map(|&k| (k, pts.iter().filter(|p| p.kind == k).count()))
        .filter(|&(_, n)| n > 0)
        .map(|(k, n)| plural(n, k.words()))
        .collect();
    if !pts.is_empty() {
        if counts.is_empty() {
            s.push_str("; no special-cause points");
        } else {
            s.push_str(&format!("; {}", counts.join(", ")));
        }
    }
    s.push('.');
    s
}

/// The sentence listing the special-cause points (the latest few of many), if any.
fn special_points(pts: &[Point]) -> Option<String> {
    let special: Vec<String> = pts
        .iter()
        .filter(|p| p.kind != Kind::Common)
        .map(|p| match &p.note {
            Some(n) => format!("{} ({}, {n})", p.label, p.kind.short()),
            None => format!("{} ({})", p.label, p.kind.short()),
        })
        .collect();
    if special.len() > MAX_LISTED {
        let latest = &special[special.len() - MAX_LISTED..];
        Some(format!(
            "Special-cause points (the latest {MAX_LISTED} of {}): {}.",
            special.len(),
            latest.join("; ")
        ))
    } else if !special.is_empty() {
        Some(format!("Special-cause points: {}.", special.join("; ")))
    } else {
        None
    }
}

/// Point types and icons by the names files print them with, for tests.
#[cfg(test)]
pub(crate) mod names {
    use sct_spc::chart::ChartVariationIcon;
    use sct_spc::spc::{AssuranceIcon, PointType, VariationIcon};

    /// The point type printed `name` (common cause for anything else).
    pub(crate) fn pt(name: &str) -> PointType {
        match name {
            "special_cause_improvement" => PointType::SpecialCauseImprovement,
            "special_cause_concern" => PointType::SpecialCauseConcern,
            "special_cause_neutral_high" => PointType::SpecialCauseNeutralHigh,
            "special_cause_neutral_low" => PointType::SpecialCauseNeutralLow,
            _ => PointType::CommonCause,
        }
    }

    /// The variation icon printed `name` (`None` for anything else).
    pub(crate) fn vi(name: &str) -> Option<ChartVariationIcon> {
        let v = match name {
            "common_cause" => VariationIcon::CommonCause,
            "improvement_high" => VariationIcon::ImprovementHigh,
            "improvement_low" => VariationIcon::ImprovementLow,
            "concern_high" => VariationIcon::ConcernHigh,
            "concern_low" => VariationIcon::ConcernLow,
            "neutral_high" => VariationIcon::NeutralHigh,
            "neutral_low" => VariationIcon::NeutralLow,
            "neutral" => return Some(ChartVariationIcon::TooFewCrossings),
            _ => return None,
        };
        Some(ChartVariationIcon::Spc(v))
    }

    /// The assurance icon printed `name` (`None` for anything else).
    pub(crate) fn ai(name: &str) -> Option<AssuranceIcon> {
        match name {
            "pass" => Some(AssuranceIcon::Pass),
            "fail" => Some(AssuranceIcon::Fail),
            "inconsistent" => Some(AssuranceIcon::Inconsistent),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::names::{ai, pt, vi};
    use super::*;

    /// The synthetic A&E 4-hour series (examples/kpi), with made-up classifications.
    const AE: [(&str, f64); 30] = [
        ("2023-04", 66.9),
        ("2023-05", 67.6),
        ("2023-06", 66.9),
        ("2023-07", 67.7),
        ("2023-08", 67.2),
        ("2023-09", 65.9),
        ("2023-10", 64.7),
        ("2023-11", 63.3),
        ("2023-12", 62.3),
        ("2024-01", 61.7),
        ("2024-02", 63.1),
        ("2024-03", 66.0),
        ("2024-04", 66.6),
        ("2024-05", 67.1),
        ("2024-06", 67.3),
        ("2024-07", 66.7),
        ("2024-08", 66.4),
        ("2024-09", 65.4),
        ("2024-10", 64.4),
        ("2024-11", 63.6),
        ("2024-12", 62.0),
        ("2025-01", 61.5),
        ("2025-02", 63.3),
        ("2025-03", 66.0),
        ("2025-04", 67.6),
        ("2025-05", 68.6),
        ("2025-06", 69.0),
        ("2025-07", 69.8),
        ("2025-08", 69.0),
        ("2025-09", 68.6),
    ];

    fn point(label: &str, value: f64, point_type: &str, segment: usize) -> SpcPoint {
        SpcPoint {
            label: label.into(),
            value,
            mean: 65.9,
            lpl: Some(61.2),
            upl: Some(70.6),
            point_type: pt(point_type),
            segment,
            note: None,
        }
    }

    pub(super) fn sample() -> SpcChart {
        let points = AE
            .iter()
            .enumerate()
            .map(|(i, &(label, value))| {
                let kind = match i {
                    7..=10 => "special_cause_concern",
                    25..=29 => "special_cause_improvement",
                    _ => "common_cause",
                };
                let mut p = point(label, value, kind, 0);
                if kind != "common_cause" {
                    p.note = Some("shift".into());
                }
                p
            })
            .collect();
        SpcChart {
            title: "A&E: patients seen within 4 hours (higher is better)".into(),
            description: String::new(),
            unit: "%".into(),
            points,
            target: Some(70.7),
            variation_icon: vi("improvement_high"),
            assurance_icon: ai("fail"),
            assurance_note: None,
            small: false,
            centre_name: String::new(),
        }
    }

    /// 120 monthly points in two segments, with every kind of point.
    pub(super) fn long() -> SpcChart {
        let kinds = [
            "common_cause",
            "special_cause_improvement",
            "special_cause_concern",
            "special_cause_neutral_high",
            "special_cause_neutral_low",
        ];
        let points = (0..120)
            .map(|i| {
                let seg = usize::from(i >= 60);
                let v = 50.0 + 10.0 * seg as f64 + ((i * 37) % 17) as f64 / 2.0;
                let kind = if i % 11 == 0 {
                    kinds[(i / 11) % 5]
                } else {
                    kinds[0]
                };
                let mut p = point(
                    &format!("{}-{:02}-01", 2015 + i / 12, i % 12 + 1),
                    v,
                    kind,
                    seg,
                );
                p.mean = 54.0 + 10.0 * seg as f64;
                p.lpl = Some(p.mean - 6.0);
                p.upl = Some(p.mean + 6.0);
                p
            })
            .collect();
        SpcChart {
            title: "Ten years of a measure".into(),
            description: String::new(),
            unit: "per 1,000".into(),
            points,
            target: Some(58.0),
            variation_icon: vi("neutral_low"),
            assurance_icon: ai("inconsistent"),
            assurance_note: None,
            small: false,
            centre_name: String::new(),
        }
    }

    fn root(svg: &str) -> &str {
        &svg[..svg.find('>').unwrap()]
    }

    /// Whether the SVG draws `text` (a `<text>` of its own).
    fn draws(svg: &str, text: &str) -> bool {
        svg.contains(&format!(">{text}</text>"))
    }

    #[test]
    fn svg_is_accessible_and_described_in_words() {
        let svg = spc_svg(&sample()).unwrap();
        assert!(svg.starts_with("<svg "));
        assert!(root(&svg).contains(r#"role="img""#));
        assert!(root(&svg).contains("aria-labelledby=\"sct-spc-a-e-patients-seen"));
        let after = svg[svg.find('>').unwrap() + 1..].trim_start();
        assert!(after.starts_with("<title id="), "{after:.120}");
        assert!(
            svg.contains("&gt;A&amp;E: patients seen within 4 hours (higher is better)</title>")
                || svg.contains(
                    "\">A&amp;E: patients seen within 4 hours (higher is better)</title>"
                )
        );
        let desc = svg.split("<desc").nth(1).unwrap();
        let desc = &desc[desc.find('>').unwrap() + 1..desc.find("</desc>").unwrap()];
        assert!(
            desc.starts_with(
                "30 points from 2023-04 to 2025-09; mean 65.9, process limits 61.2 to 70.6; \
                 target 70.7; 5 special-cause improvement points, 4 special-cause concern points."
            ),
            "{desc}"
        );
        assert!(desc.contains("Latest point 2025-09: 68.6, special cause (improvement)."));
        assert!(desc.contains("Special cause variation: improvement (higher)."));
        assert!(desc.contains("Consistently failing the target."));
        assert!(desc.contains("Values in %."));
        assert!(
            desc.ends_with(
                "Special-cause points (the latest 8 of 9): 2023-12 (concern, shift); \
                 2024-01 (concern, shift); 2024-02 (concern, shift); 2025-05 (improvement, shift); \
                 2025-06 (improvement, shift); 2025-07 (improvement, shift); \
                 2025-08 (improvement, shift); 2025-09 (improvement, shift)."
            ),
            "{desc}"
        );
        // The legend names each marker and line used, in words.
        for text in [
            "Common cause",
            "Special cause: improvement",
            "Special cause: concern",
            "Mean (solid)",
            "Process limits (dashed)",
            "Target 70.7 (red, long dashes)",
        ] {
            assert!(draws(&svg, text), "no {text}");
        }
        assert!(!svg.contains("Special cause: high"));
        assert!(!svg.contains("Rebase"));
        // The icons are drawn, with their meaning in words under the title.
        assert!(draws(&svg, "H") && draws(&svg, "F"));
        assert!(svg.contains(
            "Special cause variation: improvement (higher). Consistently failing the target."
        ));
    }

    #[test]
    fn a_long_description_ends_at_a_whole_sentence() {
        let mut c = sample();
        let first = "The first sentence says what the chart shows.";
        c.description = format!("{first} {}", "word ".repeat(80));
        let desc = describe_text(&spc_svg(&c).unwrap());
        assert!(desc.starts_with(first), "{desc}");
        assert!(!desc.contains("word"), "{desc}");
        c.description = first.to_string();
        assert!(describe_text(&spc_svg(&c).unwrap()).starts_with(first));
    }

    /// The text of the chart's `<desc>`.
    fn describe_text(svg: &str) -> String {
        let start = svg
            .find("<desc")
            .and_then(|i| svg[i..].find('>').map(|j| i + j + 1));
        let start = start.expect("a desc");
        svg[start..start + svg[start..].find("</desc>").expect("its end")].to_string()
    }

    #[test]
    fn title_and_labels_are_escaped() {
        let mut c = sample();
        c.title = "<script>alert(1)</script> & co".into();
        c.unit = "<b>&</b>".into();
        c.points[29].label = "<i>x</i> & y".into();
        c.points[8].note = Some("<script>".into());
        c.description = "a < b & c".into();
        for small in [false, true] {
            c.small = small;
            let svg = spc_svg(&c).unwrap();
            assert!(!svg.contains("<script"), "raw markup leaked");
            assert!(!svg.contains("<b>") && !svg.contains("<i>"));
            assert!(svg.contains(">&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>"));
            assert!(svg.contains("a &lt; b &amp; c."));
            if !small {
                // The visible title and the x label.
                assert!(draws(
                    &svg,
                    "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
                ));
                assert!(draws(&svg, "&lt;i&gt;x&lt;/i&gt; &amp; y"));
                assert!(draws(&svg, "&lt;b&gt;&amp;&lt;/b&gt;"));
            }
        }
        c.title = "bell\u{7}and\u{0}nul".into();
        let svg = spc_svg(&c).unwrap();
        assert!(!svg.chars().any(|ch| ch.is_control() && ch != '\n'));
    }

    #[test]
    fn renders_are_deterministic() {
        for chart in [sample(), long()] {
            let mut small = chart.clone();
            small.small = true;
            for c in [&chart, &small] {
                for f in [ChartFormat::Svg, ChartFormat::Png] {
                    assert_eq!(spc_chart(c, f).unwrap(), spc_chart(c, f).unwrap());
                }
                assert_eq!(
                    spc_svg(c).unwrap().into_bytes(),
                    spc_chart(c, ChartFormat::Svg).unwrap()
                );
            }
        }
    }

    fn png_size(png: &[u8]) -> (u32, u32) {
        use image::ImageDecoder;
        let dec = image::codecs::png::PngDecoder::new(std::io::Cursor::new(png)).unwrap();
        dec.dimensions()
    }

    #[test]
    fn png_matches_svg_size_and_small_is_compact() {
        let c = sample();
        let png = spc_chart(&c, ChartFormat::Png).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let (w, h) = png_size(&png);
        assert_eq!(w, FULL_WIDTH);
        let svg = spc_svg(&c).unwrap();
        assert!(root(&svg).contains(&format!("width=\"{w}\" height=\"{h}\"")));
        let mut s = c.clone();
        s.small = true;
        assert_eq!(
            png_size(&spc_chart(&s, ChartFormat::Png).unwrap()),
            SMALL_SIZE
        );
        let svg = spc_svg(&s).unwrap();
        assert!(root(&svg).contains(r#"width="320" height="140""#));
        assert!(root(&svg).contains(r#"role="img""#));
        assert!(svg.contains("<title id=") && svg.contains("<desc id="));
        // Compact: no visible title, legend or icons; the first and latest labels.
        assert!(!svg.contains(">\nA&amp;E: patients"));
        assert!(!svg.contains("Mean (solid)"));
        assert!(!draws(&svg, "H"));
        assert!(draws(&svg, "2023-04") && draws(&svg, "2025-09"));
    }

    #[test]
    fn segments_break_the_lines_and_are_described() {
        let mut c = sample();
        for p in &mut c.points[15..] {
            p.segment = 1;
            p.mean = 66.5;
            p.lpl = Some(60.0);
            p.upl = None;
        }
        c.points[29].point_type = pt("special_cause_neutral_high");
        let l = Layout::new(&c).unwrap();
        assert_eq!(l.series.runs, vec![0..15, 15..30]);
        let means = l.segment_lines(|p| p.mean);
        assert_eq!(means.len(), 2);
        assert_eq!(means[0].last().unwrap().0, l.xs[14]);
        assert_eq!(means[1][0].0, l.xs[15]);
        assert_eq!(l.segment_lines(|p| p.upl).len(), 1, "no upper limit after");
        let desc = describe(&c, &l.series);
        assert!(
            desc.contains(
                "2 segments (rebased); from 2023-04: mean 65.9, process limits 61.2 to 70.6; \
                 from 2024-07: mean 66.5, lower process limit 60;"
            ),
            "{desc}"
        );
        let svg = spc_svg(&c).unwrap();
        assert!(draws(&svg, "Rebase (new mean and limits)"));
        assert!(draws(&svg, "Special cause: high"));
        assert!(desc.contains("1 special-cause high (neutral) point"));
    }

    #[test]
    fn x_labels_never_overlap() {
        let l = Layout::new(&long()).unwrap();
        assert!(
            l.x_labels.len() > 3 && l.x_labels.len() < 20,
            "{}",
            l.x_labels.len()
        );
        assert_eq!(
            l.x_labels.last().unwrap().1,
            "2024-12-01",
            "the latest is labelled"
        );
        let spans: Vec<(f64, f64)> = l
            .x_labels
            .iter()
            .map(|(x, s, a)| {
                let w = measure(s, TICK_PX, false);
                match a {
                    Align::Left => (*x, x + w),
                    Align::Right => (x - w, *x),
                    Align::Center => (x - w / 2.0, x + w / 2.0),
                }
            })
            .collect();
        for pair in spans.windows(2) {
            assert!(pair[0].1 + 8.0 <= pair[1].0, "{spans:?}");
        }
        assert!(
            spans
                .iter()
                .all(|&(a, b)| a >= 0.0 && b <= f64::from(FULL_WIDTH))
        );
    }

    #[test]
    fn numbers_are_free_of_float_noise() {
        assert_eq!(nice_step(10.0, 5), 2.0);
        assert_eq!(nice_step(0.3, 5), 0.1);
        assert_eq!(nice_step(12.0, 5), 2.5);
        assert_eq!(step_decimals(0.1), 1);
        assert_eq!(step_decimals(2.5), 1);
        assert_eq!(step_decimals(20.0), 0);
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(trimmed(70.70000000000002, 2), "70.7");
        assert_eq!(trimmed(-0.001, 1), "0");
        let mut c = sample();
        for p in &mut c.points {
            p.value = p.value * 0.1 + 0.1 + 0.2 - 0.3;
        }
        let l = Layout::new(&c).unwrap();
        for (v, s) in &l.ticks {
            assert!(s.len() <= 5, "{s}");
            assert!((s.parse::<f64>().unwrap() - v).abs() < 1e-9);
        }
    }

    #[test]
    fn icons_are_accessible_and_labelled() {
        let cases = [
            ("common_cause", "Common cause variation", None),
            (
                "improvement_high",
                "Special cause variation: improvement (higher)",
                Some("H"),
            ),
            (
                "improvement_low",
                "Special cause variation: improvement (lower)",
                Some("L"),
            ),
            (
                "concern_high",
                "Special cause variation: concern (higher)",
                Some("H"),
            ),
            (
                "concern_low",
                "Special cause variation: concern (lower)",
                Some("L"),
            ),
            (
                "neutral_high",
                "Special cause variation: neither better nor worse (higher)",
                Some("H"),
            ),
            (
                "neutral_low",
                "Special cause variation: neither better nor worse (lower)",
                Some("L"),
            ),
        ];
        for (name, label, letter) in cases {
            let icon = vi(name).unwrap();
            let svg = variation_icon_svg(icon);
            assert!(root(&svg).contains(r#"role="img""#), "{name}");
            assert!(root(&svg).contains(&format!("aria-label=\"{label}\"")));
            assert!(svg.contains(&format!("<title>{label}</title>")));
            assert!(root(&svg).contains(r#"width="40" height="40""#));
            if let Some(letter) = letter {
                assert!(draws(&svg, letter), "{name}");
            }
            assert_eq!(variation_icon_label(icon), label);
        }
        for (name, label, letter) in [
            (Some("pass"), "Consistently passing the target", "P"),
            (Some("fail"), "Consistently failing the target", "F"),
            (Some("inconsistent"), "Hit and miss", "?"),
            (None, "No assurance", "–"),
        ] {
            let svg = assurance_icon_svg(name.and_then(ai));
            assert!(root(&svg).contains(r#"role="img""#));
            assert!(svg.contains(&format!("<title>{label}")), "{svg}");
            assert!(draws(&svg, letter));
        }
        // Icons differ in shape, not only colour.
        let shapes = |s: &str| s.matches("z\" fill=").count();
        assert!(shapes(&variation_icon_svg(vi("concern_high").unwrap())) >= 3);
        assert_eq!(
            shapes(&variation_icon_svg(vi("improvement_high").unwrap())),
            0
        );
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let empty = SpcChart {
            title: String::new(),
            description: String::new(),
            unit: String::new(),
            points: vec![],
            target: None,
            variation_icon: None,
            assurance_icon: None,
            assurance_note: None,
            small: false,
            centre_name: String::new(),
        };
        let mut charts = vec![empty.clone()];
        let mut one = sample();
        one.points.truncate(1);
        charts.push(one);
        let mut flat = sample();
        for p in &mut flat.points {
            p.value = 5.0;
            p.mean = 5.0;
            p.lpl = None;
            p.upl = None;
        }
        flat.target = Some(f64::NAN);
        charts.push(flat);
        let mut weird = sample();
        let odd = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            -1e300,
            0.0,
        ];
        for (i, p) in weird.points.iter_mut().enumerate() {
            p.value = odd[i % odd.len()];
            p.mean = odd[(i + 1) % odd.len()];
            p.lpl = Some(odd[(i + 2) % odd.len()]);
            p.upl = None;
            p.point_type = pt(["nonsense", "", "special_cause_neutral_low"][i % 3]);
            p.segment = i % 4;
            p.label = "x".repeat(i * 40);
        }
        weird.variation_icon = vi("neutral");
        weird.assurance_icon = None;
        weird.title = "t".repeat(5000);
        weird.unit = "u ".repeat(400);
        charts.push(weird);
        let mut all_nan = sample();
        for p in &mut all_nan.points {
            p.value = f64::NAN;
        }
        charts.push(all_nan);
        let mut tiny = sample();
        for (i, p) in tiny.points.iter_mut().enumerate() {
            p.value = 1e-12 * i as f64;
            p.mean = 1.5e-11;
            p.lpl = Some(-1e-11);
            p.upl = Some(4e-11);
        }
        charts.push(tiny);
        let mut many = long();
        many.points = (0..3000)
            .map(|i| point(&i.to_string(), (i % 7) as f64, "common_cause", i / 500))
            .collect();
        charts.push(many);
        for c in charts {
            for small in [false, true] {
                let mut c = c.clone();
                c.small = small;
                for f in [ChartFormat::Svg, ChartFormat::Png] {
                    spc_chart(&c, f).unwrap();
                }
            }
        }
        let svg = spc_svg(&empty).unwrap();
        assert!(svg.contains("No data to show"));
        assert!(svg.contains("<title id=\"sct-spc-spc-chart-"));
        assert!(svg.contains(">No data points.</desc>"));
    }

    #[test]
    fn small_svg_snapshot() {
        let points = [
            (61.0, "common_cause"),
            (63.5, "common_cause"),
            (62.0, "common_cause"),
            (70.0, "special_cause_improvement"),
            (58.0, "special_cause_concern"),
        ]
        .iter()
        .enumerate()
        .map(|(i, &(v, kind))| SpcPoint {
            label: format!("2025-0{}", i + 1),
            value: v,
            mean: 62.9,
            lpl: Some(57.0),
            upl: Some(68.8),
            point_type: pt(kind),
            segment: 0,
            note: None,
        })
        .collect();
        let chart = SpcChart {
            title: "Small chart".into(),
            description: "Five points.".into(),
            unit: "%".into(),
            points,
            target: Some(65.0),
            variation_icon: vi("concern_low"),
            assurance_icon: ai("inconsistent"),
            assurance_note: None,
            small: true,
            centre_name: String::new(),
        };
        insta::assert_snapshot!(spc_svg(&chart).unwrap());
    }

    #[test]
    fn a_run_chart_says_median_and_shades_its_longest_run() {
        let mut chart = sample();
        chart.centre_name = "median".into();
        for (i, p) in chart.points.iter_mut().enumerate() {
            p.mean = 65.0;
            p.lpl = None;
            p.upl = None;
            // Three below, five above, then alternating: the longest run is 5.
            p.value = match i {
                0..3 => 64.0,
                3..8 => 66.0,
                _ if i % 2 == 0 => 64.0,
                _ => 66.0,
            };
        }
        let svg = spc_svg(&chart).unwrap();
        assert!(svg.contains("Median (solid)"), "the centre is named");
        assert!(svg.contains("Shaded: longest run, 5 points on one side of the median"));
        // The description says what the band is, for a reader who cannot see the legend.
        assert!(describe_text(&svg).contains(
            "The shaded band is the longest run: 5 points in a row on one side of the median, \
             from 2023-07 to 2023-11."
        ));
        chart.centre_name = String::new();
        let svg = spc_svg(&chart).unwrap();
        assert!(svg.contains("Mean (solid)") && !svg.contains("longest run"));
    }
}
