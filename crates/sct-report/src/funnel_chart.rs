//! Funnel plots (`docs/methods/funnels.md`): organisations as labelled points against the
//! centre line and the 95 % and 99.8 % limits drawn as smooth curves over the range of
//! denominators (or expected counts), as accessible SVG or PNG in the house style of
//! [`crate::charts`].
//!
//! Colour is never the only signal: organisations inside the 95 % limits are small grey
//! circles, those outside them triangles pointing up (high) or down (low), larger and orange
//! outside the 99.8 % limits; the 95 % limits are long-dashed, the 99.8 % limits solid; a
//! legend names every mark, and the description lists every organisation outside the limits.

use plotters::prelude::*;
use serde::Serialize;

use sct_kpi::funnel::{
    ArcsineFunnel, OD_Z_95, OD_Z_998, ProportionFunnel, RatioFunnel, Significance, TAIL_95,
    TAIL_998, arcsine_limits, overdispersed_limits, poisson_limits, proportion_limits,
};
use sct_kpi::quantile::normal_quantile;

use crate::charts::{
    Align, Canvas, ChartError, ChartFormat, Fitted, GRID, GRID_DARK, MARGIN, NHS_BLUE, NHS_ORANGE,
    PAPER, Pt, TEXT, TEXT_GREY, accessible_svg, clean, dashes, ellipsize, fit_text, load_fonts,
    measure, render_png, render_svg, wrap,
};
use crate::spc_chart::{nice_step, step_decimals, trimmed};

const SIZE: (u32, u32) = (760, 520);
const TITLE_PX: f64 = 17.0;
/// The smallest a long title shrinks to before taking a third line.
const TITLE_MIN_PX: f64 = 13.5;
const SUB_PX: f64 = 12.0;
const TICK_PX: f64 = 11.0;
const LABEL_PX: f64 = 9.5;
const GREY: RGBColor = crate::charts::hex(0x768692);
/// Above this many organisations only those outside the 95 % limits are labelled.
const LABEL_ALL_UP_TO: usize = 45;
/// Samples along each limit curve.
const CURVE_SAMPLES: usize = 160;

/// Where an organisation lies against the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelClass {
    /// Inside the 95 % limits.
    Within,
    /// Above the 95 % limit (inside the 99.8 %).
    High95,
    /// Below the 95 % limit.
    Low95,
    /// Above the 99.8 % limit.
    High998,
    /// Below the 99.8 % limit.
    Low998,
}

impl FunnelClass {
    /// In words, for tables and descriptions.
    pub fn words(self) -> &'static str {
        match self {
            FunnelClass::Within => "within the 95 % limits",
            FunnelClass::High95 => "above the 95 % limit",
            FunnelClass::Low95 => "below the 95 % limit",
            FunnelClass::High998 => "above the 99.8 % limit",
            FunnelClass::Low998 => "below the 99.8 % limit",
        }
    }

    /// A symbol for tables (so colour is not the only signal).
    pub fn symbol(self) -> &'static str {
        match self {
            FunnelClass::Within => "●",
            FunnelClass::High95 => "▲",
            FunnelClass::Low95 => "▼",
            FunnelClass::High998 => "▲▲",
            FunnelClass::Low998 => "▼▼",
        }
    }
}

/// One organisation on the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelPoint {
    /// The label drawn beside it.
    pub label: String,
    /// Denominator or expected count.
    pub x: f64,
    /// Value or ratio (× M).
    pub y: f64,
    /// Against the limits.
    pub class: FunnelClass,
}

/// A funnel plot, as plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelChart {
    /// The heading.
    pub title: String,
    /// The method and the pooled value in words (shown under the title and in `<desc>`).
    pub method: String,
    /// The x-axis label, e.g. "Denominator".
    pub x_label: String,
    /// The y-axis unit, e.g. "%".
    pub y_label: String,
    /// The centre line.
    pub centre: f64,
    /// The limit curves: 95 % lower, 95 % upper, 99.8 % lower, 99.8 % upper, each as (x, y).
    pub limits: [Vec<(f64, f64)>; 4],
    /// The organisations.
    pub points: Vec<FunnelPoint>,
}

/// The class of a proportion's significance.
pub fn class_of(s: Significance) -> FunnelClass {
    match s {
        Significance::Low001 => FunnelClass::Low998,
        Significance::Low025 => FunnelClass::Low95,
        Significance::High001 => FunnelClass::High998,
        Significance::High025 => FunnelClass::High95,
        Significance::NotSignificant => FunnelClass::Within,
    }
}

/// x positions for limit curves over `lo..=hi`, denser at the narrow end where they bend.
fn curve_xs(lo: f64, hi: f64) -> Vec<f64> {
    (0..=CURVE_SAMPLES)
        .map(|i| {
            let t = i as f64 / CURVE_SAMPLES as f64;
            lo + (hi - lo) * t * t
        })
        .collect()
}

/// The x range the curves cover: from a little below the smallest to a little above the
/// largest denominator.
fn x_range(xs: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = xs.fold((f64::INFINITY, 0.0f64), |(a, b), x| (a.min(x), b.max(x)));
    if !lo.is_finite() {
        return (1.0, 10.0);
    }
    ((lo * 0.8).max(hi * 0.005), hi * 1.05)
}

/// The funnel plot of a proportion funnel.
pub fn proportion_chart(f: &ProportionFunnel, title: &str, unit: &str) -> FunnelChart {
    let (lo, hi) = x_range(f.rows.iter().map(|r| r.denominator));
    let (z95, z998) = (
        normal_quantile(1.0 - TAIL_95),
        normal_quantile(1.0 - TAIL_998),
    );
    let m = f.multiplier;
    let clamp = |v: f64| (v * m).clamp(0.0, m);
    let curve = |z: f64, upper: bool| -> Vec<(f64, f64)> {
        curve_xs(lo, hi)
            .into_iter()
            .map(|n| {
                let (a, b) = proportion_limits(f.pooled, n, z);
                (n, clamp(if upper { b } else { a }))
            })
            .collect()
    };
    FunnelChart {
        title: title.to_string(),
        method: format!(
            "Proportions, Fingertips method (Wilson score limits around the pooled value {} {unit}, 95 % and 99.8 %).",
            trimmed(f.baseline, 2)
        ),
        x_label: "Denominator".into(),
        y_label: unit.to_string(),
        centre: f.baseline,
        limits: [
            curve(z95, false),
            curve(z95, true),
            curve(z998, false),
            curve(z998, true),
        ],
        points: f
            .rows
            .iter()
            .map(|r| FunnelPoint {
                label: r.org.clone(),
                x: r.denominator,
                y: r.value,
                class: class_of(r.significance),
            })
            .collect(),
    }
}

/// Where `y` lies against limits `[lower 95, upper 95, lower 99.8, upper 99.8]`, the limits
/// themselves counting as inside.
fn class_against(y: f64, lim: [f64; 4]) -> FunnelClass {
    if y < lim[2] {
        FunnelClass::Low998
    } else if y > lim[3] {
        FunnelClass::High998
    } else if y < lim[0] {
        FunnelClass::Low95
    } else if y > lim[1] {
        FunnelClass::High95
    } else {
        FunnelClass::Within
    }
}

/// The funnel plot of a proportion funnel with over-dispersion: the adjusted limits (the
/// arcsine method), with φ and τ² stated in the method line and the description.
pub fn overdispersed_proportion_chart(f: &ArcsineFunnel, title: &str, unit: &str) -> FunnelChart {
    let (lo, hi) = x_range(f.rows.iter().map(|r| r.denominator));
    let (m, od) = (f.multiplier, &f.overdispersion);
    let theta0 = f.pooled.sqrt().asin();
    let curve = |z: f64, upper: bool| -> Vec<(f64, f64)> {
        curve_xs(lo, hi)
            .into_iter()
            .map(|n| {
                let (a, b) = arcsine_limits(theta0, n, od.tau2, z);
                (n, m * if upper { b } else { a })
            })
            .collect()
    };
    let adjusted = if od.tau2 > 0.0 {
        "Limits adjusted for over-dispersion"
    } else {
        "No over-dispersion found, so the limits are not widened"
    };
    FunnelChart {
        title: title.to_string(),
        method: format!(
            "Proportions, arcsine method (FunnelPlotR) around the pooled value {} {unit}, 95 % and 99.8 %. {adjusted}: φ = {}, τ² = {} on the arcsine scale, from {} organisations.",
            trimmed(f.baseline, 2),
            trimmed(od.phi, 4),
            trimmed(od.tau2, 6),
            od.organisations
        ),
        x_label: "Denominator".into(),
        y_label: unit.to_string(),
        centre: f.baseline,
        limits: [
            curve(OD_Z_95, false),
            curve(OD_Z_95, true),
            curve(OD_Z_998, false),
            curve(OD_Z_998, true),
        ],
        points: f
            .rows
            .iter()
            .map(|r| FunnelPoint {
                label: r.org.clone(),
                x: r.denominator,
                y: r.value,
                class: class_against(
                    r.value,
                    [r.od_lower_95, r.od_upper_95, r.od_lower_998, r.od_upper_998],
                ),
            })
            .collect(),
    }
}

/// The funnel plot of a ratio funnel (the over-dispersion-adjusted limits when estimated).
pub fn ratio_chart(f: &RatioFunnel, title: &str) -> FunnelChart {
    let (lo, hi) = x_range(f.rows.iter().map(|r| r.expected));
    let m = f.multiplier;
    let curve = |which: usize| -> Vec<(f64, f64)> {
        curve_xs(lo, hi)
            .into_iter()
            .map(|e| {
                let (tail, z) = if which < 2 {
                    (TAIL_95, OD_Z_95)
                } else {
                    (TAIL_998, OD_Z_998)
                };
                let (a, b) = match &f.overdispersion {
                    Some(od) => overdispersed_limits(e, od.tau2, z),
                    None => poisson_limits(e, tail),
                };
                (e, m * if which.is_multiple_of(2) { a } else { b })
            })
            .collect()
    };
    let od_words = match &f.overdispersion {
        Some(od) => format!(
            " Limits adjusted for over-dispersion: φ = {}, τ² = {}.",
            od.phi
                .map_or("not estimated".to_string(), |p| trimmed(p, 4)),
            trimmed(od.tau2, 6)
        ),
        None => String::new(),
    };
    let points = f
        .rows
        .iter()
        .map(|r| {
            let lim = r
                .od_limits
                .unwrap_or([r.lower_95, r.upper_95, r.lower_998, r.upper_998]);
            FunnelPoint {
                label: r.org.clone(),
                x: r.expected,
                y: r.ratio,
                class: class_against(r.ratio, lim),
            }
        })
        .collect();
    FunnelChart {
        title: title.to_string(),
        method: format!(
            "Indirectly standardised ratios, Spiegelhalter's method (exact Poisson limits around {}, 95 % and 99.8 %).{od_words}",
            trimmed(f.centre, 2)
        ),
        x_label: "Expected count".into(),
        y_label: "ratio".into(),
        centre: f.centre,
        limits: [curve(0), curve(1), curve(2), curve(3)],
        points,
    }
}

/// Draws a funnel plot as SVG or PNG bytes.
pub fn funnel_chart(chart: &FunnelChart, format: ChartFormat) -> Result<Vec<u8>, ChartError> {
    match format {
        ChartFormat::Svg => funnel_svg(chart).map(String::into_bytes),
        ChartFormat::Png => {
            let l = Layout::new(chart)?;
            render_png(SIZE, |cv| draw(cv, &l))
        }
    }
}

/// The funnel plot's SVG (for inlining in HTML).
pub fn funnel_svg(chart: &FunnelChart) -> Result<String, ChartError> {
    let l = Layout::new(chart)?;
    let svg = render_svg(SIZE, |cv| draw(cv, &l))?;
    Ok(accessible_svg(
        svg,
        "funnel",
        "Funnel plot",
        &chart.title,
        &describe(chart),
    ))
}

/// The chart in words: the method, how many organisations lie where, and who is outside.
pub fn describe(chart: &FunnelChart) -> String {
    let count = |c: &[FunnelClass]| chart.points.iter().filter(|p| c.contains(&p.class)).count();
    let mut s = format!(
        "Funnel plot of {} organisations. {} {} within the 95 % limits; {} above and {} below them (of which {} above and {} below the 99.8 % limits).",
        chart.points.len(),
        clean(&chart.method),
        count(&[FunnelClass::Within]),
        count(&[FunnelClass::High95, FunnelClass::High998]),
        count(&[FunnelClass::Low95, FunnelClass::Low998]),
        count(&[FunnelClass::High998]),
        count(&[FunnelClass::Low998]),
    );
    let outside: Vec<String> = chart
        .points
        .iter()
        .filter(|p| p.class != FunnelClass::Within)
        .map(|p| {
            format!(
                "{} ({}, {})",
                clean(&p.label),
                trimmed(p.y, 2),
                p.class.words()
            )
        })
        .collect();
    if !outside.is_empty() {
        s.push_str(&format!(" Outside the limits: {}.", outside.join("; ")));
    }
    s
}

struct Layout {
    /// The title, shrunk rather than cut when long.
    title: Fitted,
    method: Vec<String>,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    xmax: f64,
    ymin: f64,
    ymax: f64,
    xticks: Vec<(f64, String)>,
    yticks: Vec<(f64, String)>,
    chart: FunnelChart,
}

impl Layout {
    fn new(chart: &FunnelChart) -> Result<Self, ChartError> {
        load_fonts()?;
        let (w, h) = (SIZE.0 as f64, SIZE.1 as f64);
        let title = fit_text(
            &clean(&chart.title),
            TITLE_PX,
            TITLE_MIN_PX,
            true,
            w - 2.0 * MARGIN,
            2,
        );
        let method = wrap(&clean(&chart.method), SUB_PX, false, w - 2.0 * MARGIN, 3);
        let y0 = 22.0 + title_height(&title) + method.len() as f64 * 15.0 + 18.0;
        let (x0, x1, y1) = (70.0, w - MARGIN - 10.0, h - 78.0);
        let finite = |v: &f64| v.is_finite();
        let xmax = chart
            .points
            .iter()
            .map(|p| p.x)
            .chain(chart.limits.iter().flatten().map(|&(x, _)| x))
            .filter(finite)
            .fold(0.0f64, f64::max)
            .max(1e-9);
        let ys: Vec<f64> = chart
            .points
            .iter()
            .map(|p| p.y)
            .chain(std::iter::once(chart.centre))
            .chain(
                chart
                    .limits
                    .iter()
                    .flat_map(|c| c.iter().skip(c.len() / 20).map(|&(_, y)| y)),
            )
            .filter(finite)
            .collect();
        let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo.is_finite() && hi > lo {
            (lo, hi)
        } else {
            (chart.centre - 1.0, chart.centre + 1.0)
        };
        let ystep = nice_step(hi - lo, 6);
        let (ymin, ymax) = ((lo / ystep).floor() * ystep, (hi / ystep).ceil() * ystep);
        let xstep = nice_step(xmax, 6);
        let xmax = (xmax / xstep).ceil() * xstep;
        let (xd, yd) = (step_decimals(xstep), step_decimals(ystep));
        let ticks = |a: f64, b: f64, step: f64, d: usize| {
            let mut out = Vec::new();
            let mut v = a;
            while v <= b + step * 1e-6 && out.len() < 40 {
                out.push((v, trimmed(v, d)));
                v += step;
            }
            out
        };
        Ok(Layout {
            title,
            method,
            x0,
            x1,
            y0,
            y1,
            xmax,
            ymin,
            ymax,
            xticks: ticks(0.0, xmax, xstep, xd),
            yticks: ticks(ymin, ymax, ystep, yd),
            chart: chart.clone(),
        })
    }

    fn x(&self, v: f64) -> f64 {
        self.x0 + (v / self.xmax) * (self.x1 - self.x0)
    }

    fn y(&self, v: f64) -> f64 {
        let t = (v - self.ymin) / (self.ymax - self.ymin);
        self.y1 - t.clamp(-0.02, 1.02) * (self.y1 - self.y0)
    }
}

/// The height the title's lines take (21 px a line at full size).
fn title_height(title: &Fitted) -> f64 {
    title.lines.len() as f64 * 21.0 * title.px / TITLE_PX
}

fn triangle(c: Pt, r: f64, up: bool) -> Vec<Pt> {
    let s = if up { -1.0 } else { 1.0 };
    vec![
        (c.0, c.1 + s * r),
        (c.0 - r * 0.95, c.1 - s * r * 0.7),
        (c.0 + r * 0.95, c.1 - s * r * 0.7),
    ]
}

fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, l: &Layout) -> Result<(), ChartError> {
    cv.fill(PAPER)?;
    let line = title_height(&l.title) / l.title.lines.len().max(1) as f64;
    for (i, text) in l.title.lines.iter().enumerate() {
        let y = 28.0 + i as f64 * line;
        cv.text(text, MARGIN, y, l.title.px, true, TEXT, Align::Left)?;
    }
    let top = 28.0 + title_height(&l.title);
    for (i, line) in l.method.iter().enumerate() {
        cv.text(
            line,
            MARGIN,
            top + i as f64 * 15.0,
            SUB_PX,
            false,
            TEXT_GREY,
            Align::Left,
        )?;
    }
    draw_axes(cv, l)?;
    draw_limits(cv, l)?;
    draw_points(cv, l)?;
    draw_legend(cv)
}

/// Gridlines, ticks and the axis names.
fn draw_axes<DB: DrawingBackend>(cv: &Canvas<DB>, l: &Layout) -> Result<(), ChartError> {
    for (v, s) in &l.yticks {
        let y = l.y(*v);
        cv.path(&[(l.x0, y), (l.x1, y)], GRID.to_rgba(), 1.0)?;
        cv.text(
            s,
            l.x0 - 8.0,
            y + 4.0,
            TICK_PX,
            false,
            TEXT_GREY,
            Align::Right,
        )?;
    }
    for (v, s) in &l.xticks {
        let x = l.x(*v);
        cv.path(&[(x, l.y1), (x, l.y1 + 4.0)], GRID_DARK.to_rgba(), 1.0)?;
        cv.text(s, x, l.y1 + 17.0, TICK_PX, false, TEXT_GREY, Align::Center)?;
    }
    cv.path(&[(l.x0, l.y1), (l.x1, l.y1)], GRID_DARK.to_rgba(), 1.0)?;
    cv.text(
        &clean(&l.chart.x_label),
        (l.x0 + l.x1) / 2.0,
        l.y1 + 33.0,
        TICK_PX,
        false,
        TEXT,
        Align::Center,
    )?;
    cv.text(
        &clean(&l.chart.y_label),
        MARGIN,
        l.y0 - 8.0,
        TICK_PX,
        false,
        TEXT_GREY,
        Align::Left,
    )?;
    Ok(())
}

/// The centre line, the 95 % limits (dashed) and the 99.8 % limits.
fn draw_limits<DB: DrawingBackend>(cv: &Canvas<DB>, l: &Layout) -> Result<(), ChartError> {
    let yc = l.y(l.chart.centre);
    cv.path(&[(l.x0, yc), (l.x1, yc)], TEXT.to_rgba(), 1.5)?;
    for (i, curve) in l.chart.limits.iter().enumerate() {
        let pts: Vec<Pt> = curve
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|&(x, y)| (l.x(x), l.y(y)))
            .collect();
        if i < 2 {
            for d in dashes(&pts, 8.0, 5.0) {
                cv.path(&d, NHS_BLUE.to_rgba(), 1.5)?;
            }
        } else {
            cv.path(&pts, NHS_ORANGE.to_rgba(), 1.5)?;
        }
    }
    Ok(())
}

/// The radius of an organisation's mark.
fn mark_radius(class: FunnelClass) -> f64 {
    match class {
        FunnelClass::Within => 3.5,
        FunnelClass::High95 | FunnelClass::Low95 => 5.5,
        FunnelClass::High998 | FunnelClass::Low998 => 7.5,
    }
}

/// The organisations, marked by class, then their labels.
fn draw_points<DB: DrawingBackend>(cv: &Canvas<DB>, l: &Layout) -> Result<(), ChartError> {
    for p in &l.chart.points {
        if !(p.x.is_finite() && p.y.is_finite()) {
            continue;
        }
        let c = (l.x(p.x), l.y(p.y));
        let r = mark_radius(p.class);
        match p.class {
            FunnelClass::Within => cv.circle(c, r, GREY.to_rgba(), true)?,
            FunnelClass::High95 | FunnelClass::Low95 => cv.polygon(
                &triangle(c, r, p.class == FunnelClass::High95),
                NHS_BLUE.to_rgba(),
            )?,
            FunnelClass::High998 | FunnelClass::Low998 => cv.polygon(
                &triangle(c, r, p.class == FunnelClass::High998),
                NHS_ORANGE.to_rgba(),
            )?,
        }
    }
    for label in place_labels(l) {
        if let Some((a, b)) = label.leader {
            cv.path(&[a, b], GRID_DARK.to_rgba(), 0.75)?;
        }
        // On a patch of paper, mostly opaque: a label that falls across a limit or the centre
        // line stays legible, and the line still shows through it.
        let w = measure(&label.text, LABEL_PX, false);
        let (x0, y0, x1, y1) = label_box(label.x, label.y, w);
        cv.rect((x0, y0), (x1, y1), PAPER.mix(LABEL_PATCH_OPACITY))?;
        cv.text(
            &label.text,
            label.x,
            label.y,
            LABEL_PX,
            false,
            TEXT,
            Align::Left,
        )?;
    }
    Ok(())
}

/// How opaque the patch behind a label is.
const LABEL_PATCH_OPACITY: f64 = 0.8;

/// A box on the canvas: left, top, right, bottom.
type Rect = (f64, f64, f64, f64);

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// The side of a cell of [`Taken`]'s grid, in pixels.
const CELL: f64 = 16.0;

/// The rectangles taken on the chart (marks, and labels as they are placed), each listed in
/// the cells of a grid over the chart that it crosses, so that a place is checked against
/// the rectangles near it, not against every mark (a national funnel has a million, and
/// each outlier tries many places). A rectangle beyond the chart is listed in the cells at
/// its edge, so that two rectangles that overlap always share a cell.
struct Taken {
    cells: Vec<Vec<Rect>>,
    cols: usize,
    rows: usize,
}

impl Taken {
    fn new() -> Taken {
        let (cols, rows) = (
            (f64::from(SIZE.0) / CELL).ceil() as usize,
            (f64::from(SIZE.1) / CELL).ceil() as usize,
        );
        Taken {
            cells: vec![Vec::new(); cols * rows],
            cols,
            rows,
        }
    }

    /// The cells from `lo` to `hi` along an axis of `n` cells (those at the edge for what is
    /// beyond it).
    fn span(lo: f64, hi: f64, n: usize) -> std::ops::RangeInclusive<usize> {
        let cell = |v: f64| ((v / CELL).floor() as i64).clamp(0, n as i64 - 1) as usize;
        cell(lo)..=cell(hi)
    }

    /// The cells `r` crosses, by index.
    fn cells_of(&self, r: Rect) -> impl Iterator<Item = usize> + use<> {
        let cols = self.cols;
        let xs = Taken::span(r.0, r.2, self.cols);
        Taken::span(r.1, r.3, self.rows)
            .flat_map(move |row| xs.clone().map(move |c| row * cols + c))
    }

    fn push(&mut self, r: Rect) {
        for i in self.cells_of(r) {
            self.cells[i].push(r);
        }
    }

    /// Whether `r` overlaps any rectangle taken.
    fn overlaps(&self, r: Rect) -> bool {
        self.cells_of(r)
            .any(|i| self.cells[i].iter().any(|&t| overlaps(t, r)))
    }
}

/// A label where it is drawn: its text starting at `x` with its baseline at `y`, and a
/// leader line to its mark when it had to move away from it.
#[derive(Debug, Clone, PartialEq)]
struct PlacedLabel {
    text: String,
    x: f64,
    y: f64,
    leader: Option<(Pt, Pt)>,
}

/// Labels placed so that none overlaps another label or a mark: outliers first (the 99.8 %
/// ones before the 95 % ones), each at the first free place of right, left, above, below,
/// then further up or down with a leader line; organisations within the limits are labelled
/// beside their marks where there is room (all of them up to [`LABEL_ALL_UP_TO`]), the rest left to the table
/// and CSV, which list every organisation. An outlier with no free place is labelled to its
/// right regardless, so that every outlier is named on the chart.
fn place_labels(l: &Layout) -> Vec<PlacedLabel> {
    let points: Vec<(Pt, &FunnelPoint)> = l
        .chart
        .points
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .map(|p| ((l.x(p.x), l.y(p.y)), p))
        .collect();
    let mut taken = Taken::new();
    for &((x, y), p) in &points {
        let r = mark_radius(p.class);
        taken.push((x - r, y - r, x + r, y + r));
    }
    let rank = |c: FunnelClass| match c {
        FunnelClass::High998 | FunnelClass::Low998 => 0,
        FunnelClass::High95 | FunnelClass::Low95 => 1,
        FunnelClass::Within => 2,
    };
    let mut order: Vec<usize> = (0..points.len()).collect();
    // Within a rank, the farthest from the centre first: they are the ones a reader looks for.
    let yc = l.y(l.chart.centre);
    order.sort_by(|&a, &b| {
        let (pa, pb) = (points[a], points[b]);
        rank(pa.1.class)
            .cmp(&rank(pb.1.class))
            .then((pb.0.1 - yc).abs().total_cmp(&(pa.0.1 - yc).abs()))
    });
    let label_within = points.len() <= LABEL_ALL_UP_TO;
    let mut placed = Vec::new();
    for i in order {
        let (c, p) = points[i];
        let outlier = p.class != FunnelClass::Within;
        if !(outlier || label_within) {
            continue;
        }
        let text = ellipsize(&clean(&p.label), LABEL_PX, false, 90.0);
        let w = measure(&text, LABEL_PX, false);
        let r = mark_radius(p.class);
        let free = |rect: Rect| {
            rect.0 >= l.x0
                && rect.2 <= SIZE.0 as f64 - 4.0
                && rect.1 >= l.y0 - 4.0
                && rect.3 <= l.y1
                && !taken.overlaps(rect)
        };
        // Only outliers move away from their marks: leader lines for every organisation
        // would turn a crowded funnel into a web.
        let spots = if outlier { usize::MAX } else { ADJACENT_SPOTS };
        let found = label_spots(c, r, w)
            .into_iter()
            .take(spots)
            .find(|spot| free(label_box(spot.x, spot.y, w)));
        let spot = match found {
            Some(spot) => spot,
            None if outlier => label_spots(c, r, w).swap_remove(0),
            None => continue,
        };
        taken.push(label_box(spot.x, spot.y, w));
        placed.push(PlacedLabel { text, ..spot });
    }
    placed
}

/// The box a label of width `w` takes with its text starting at `x` and baseline at `y`
/// (with a pixel to spare around it).
fn label_box(x: f64, y: f64, w: f64) -> Rect {
    (
        x - 1.0,
        y - LABEL_PX * 0.8 - 1.0,
        x + w + 1.0,
        y + LABEL_PX * 0.25 + 1.0,
    )
}

/// How many of [`label_spots`] touch their mark (right, left, above, below).
const ADJACENT_SPOTS: usize = 4;

/// The places tried for a label of width `w` beside a mark of radius `r` at `c`, in order.
fn label_spots(c: Pt, r: f64, w: f64) -> Vec<PlacedLabel> {
    let spot = |x: f64, y: f64, leader: bool| PlacedLabel {
        text: String::new(),
        x,
        y,
        leader: leader.then(|| {
            let end_x = if x > c.0 { x - 1.0 } else { x + w + 1.0 };
            (c, (end_x, y - LABEL_PX * 0.3))
        }),
    };
    let (right, left) = (c.0 + r + 3.0, c.0 - r - 3.0 - w);
    let mid = c.1 + LABEL_PX * 0.3;
    let mut out = vec![
        spot(right, mid, false),
        spot(left, mid, false),
        spot(c.0 - w / 2.0, c.1 - r - 3.0, false),
        spot(c.0 - w / 2.0, c.1 + r + 3.0 + LABEL_PX * 0.8, false),
    ];
    for step in 1..=4 {
        let dy = f64::from(step) * (LABEL_PX + 3.0);
        for y in [mid - dy, mid + dy] {
            out.push(spot(right + 4.0, y, true));
            out.push(spot(left - 4.0, y, true));
        }
    }
    out
}

/// The legend along the foot.
fn draw_legend<DB: DrawingBackend>(cv: &Canvas<DB>) -> Result<(), ChartError> {
    let ly = SIZE.1 as f64 - 22.0;
    let mut x = MARGIN;
    cv.path(&[(x, ly - 4.0), (x + 24.0, ly - 4.0)], TEXT.to_rgba(), 1.5)?;
    cv.text("centre", x + 30.0, ly, TICK_PX, false, TEXT, Align::Left)?;
    x += 85.0;
    for d in dashes(&[(x, ly - 4.0), (x + 24.0, ly - 4.0)], 8.0, 5.0) {
        cv.path(&d, NHS_BLUE.to_rgba(), 1.5)?;
    }
    cv.text(
        "95 % limits",
        x + 30.0,
        ly,
        TICK_PX,
        false,
        TEXT,
        Align::Left,
    )?;
    x += 115.0;
    cv.path(
        &[(x, ly - 4.0), (x + 24.0, ly - 4.0)],
        NHS_ORANGE.to_rgba(),
        1.5,
    )?;
    cv.text(
        "99.8 % limits",
        x + 30.0,
        ly,
        TICK_PX,
        false,
        TEXT,
        Align::Left,
    )?;
    x += 125.0;
    cv.circle((x + 6.0, ly - 4.0), 3.5, GREY.to_rgba(), true)?;
    cv.text("within", x + 16.0, ly, TICK_PX, false, TEXT, Align::Left)?;
    x += 70.0;
    cv.polygon(
        &triangle((x + 6.0, ly - 4.0), 5.5, true),
        NHS_BLUE.to_rgba(),
    )?;
    cv.text(
        "outside 95 %",
        x + 16.0,
        ly,
        TICK_PX,
        false,
        TEXT,
        Align::Left,
    )?;
    x += 110.0;
    cv.polygon(
        &triangle((x + 6.0, ly - 4.0), 7.5, true),
        NHS_ORANGE.to_rgba(),
    )?;
    cv.text(
        "outside 99.8 % (▲ high, ▼ low)",
        x + 18.0,
        ly,
        TICK_PX,
        false,
        TEXT,
        Align::Left,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use sct_kpi::funnel::{
        ProportionInput, RatioInput, proportions, proportions_overdispersed, ratios,
    };

    proptest::proptest! {
        #[test]
        fn taken_places_are_found_by_their_cells_as_by_looking_at_every_one(
            rects in proptest::collection::vec((-100.0f64..900.0, -100.0f64..650.0, 0.0f64..60.0, 0.0f64..20.0), 0..200),
            probes in proptest::collection::vec((-100.0f64..900.0, -100.0f64..650.0, 0.0f64..60.0, 0.0f64..20.0), 1..50),
        ) {
            // Rectangles on, across and beyond the chart's edges, some of no width.
            let rect = |(x, y, w, h): (f64, f64, f64, f64)| (x, y, x + w, y + h);
            let mut taken = Taken::new();
            let all: Vec<Rect> = rects.iter().map(|&r| rect(r)).collect();
            all.iter().for_each(|&r| taken.push(r));
            for p in probes {
                let r = rect(p);
                proptest::prop_assert_eq!(taken.overlaps(r), all.iter().any(|&t| overlaps(t, r)));
            }
        }
    }

    fn sample() -> ProportionFunnel {
        let rows: Vec<ProportionInput> = (0..12)
            .map(|i| ProportionInput {
                org: format!("Org <{i}>"),
                numerator: if i == 3 { 300.0 } else { 200.0 + i as f64 },
                denominator: 1000.0 + 100.0 * i as f64,
            })
            .collect();
        proportions(&rows, 100.0).unwrap()
    }

    #[test]
    fn svg_is_accessible_escaped_and_deterministic() {
        let chart = proportion_chart(&sample(), "A&E <4h>", "%");
        let a = funnel_svg(&chart).unwrap();
        assert_eq!(a, funnel_svg(&chart).unwrap());
        assert!(a.contains(r#"role="img""#));
        assert!(a.contains("A&amp;E &lt;4h&gt;"));
        assert!(!a.contains("Org <3>"));
        assert!(
            a.contains("Outside the limits: ")
                && a.contains("Org &lt;3&gt; (23.08, above the 99.8 % limit)"),
            "{}",
            &a[..900]
        );
        assert!(a.contains("Fingertips method"));
    }

    #[test]
    fn overdispersed_proportion_chart_states_phi_tau2_and_adjusted_limits() {
        let rows: Vec<ProportionInput> = (0..12)
            .map(|i| ProportionInput {
                org: format!("P{i}"),
                numerator: 400.0 + 37.0 * f64::from(i % 5) * f64::from(i),
                denominator: 2000.0 + 150.0 * f64::from(i),
            })
            .collect();
        let f = proportions_overdispersed(&rows, 100.0).unwrap();
        assert!(f.overdispersion.tau2 > 0.0);
        let chart = overdispersed_proportion_chart(&f, "Uptake", "%");
        let svg = funnel_svg(&chart).unwrap();
        assert!(
            svg.contains("Limits adjusted for over-dispersion: φ = ") && svg.contains("τ² = "),
            "{}",
            &svg[..900]
        );
        // The points are judged against the adjusted limits, as the rows are.
        for (p, r) in chart.points.iter().zip(&f.rows) {
            assert_eq!(p.class != FunnelClass::Within, r.outlier_95, "{}", r.org);
        }
    }

    /// 40 organisations crowded into a narrow band of expected counts, many outside the limits.
    fn crowded_ratios() -> RatioFunnel {
        let rows: Vec<RatioInput> = (0..40)
            .map(|i| RatioInput {
                org: format!("ORG{i:02}"),
                observed: f64::from(80 + (i * 37) % 60),
                expected: f64::from(95 + (i * 13) % 20),
            })
            .collect();
        ratios(&rows, 1.0, false).unwrap()
    }

    #[test]
    fn labels_do_not_collide_and_every_outlier_is_named() {
        let chart = ratio_chart(&crowded_ratios(), "Crowded");
        let l = Layout::new(&chart).unwrap();
        let labels = place_labels(&l);
        let boxes: Vec<Rect> = labels
            .iter()
            .map(|p| label_box(p.x, p.y, measure(&p.text, LABEL_PX, false)))
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            for (j, b) in boxes.iter().enumerate().skip(i + 1) {
                assert!(
                    !overlaps(*a, *b),
                    "{} and {} overlap",
                    labels[i].text,
                    labels[j].text
                );
            }
        }
        let outliers: Vec<&str> = chart
            .points
            .iter()
            .filter(|p| p.class != FunnelClass::Within)
            .map(|p| p.label.as_str())
            .collect();
        assert!(outliers.len() >= 5, "{outliers:?}");
        for o in outliers {
            assert!(labels.iter().any(|p| p.text == o), "{o} is not labelled");
        }
        // And every organisation is in the description or is inside the limits.
        assert!(describe(&chart).contains("Outside the limits: "));
    }

    #[test]
    fn every_label_sits_on_a_patch_of_paper_that_covers_it() {
        // A label falling across a limit line stays legible: a mostly opaque white patch is
        // drawn over the lines just before it, as wide as the label.
        let chart = ratio_chart(&crowded_ratios(), "Crowded");
        let l = Layout::new(&chart).unwrap();
        let labels = place_labels(&l);
        let svg = String::from_utf8(funnel_chart(&chart, ChartFormat::Svg).unwrap()).unwrap();
        for label in &labels {
            let at = svg
                .find(&format!(">\n{}\n</text>", label.text))
                .unwrap_or_else(|| panic!("{} is drawn", label.text));
            let text_start = svg[..at].rfind("<text").unwrap();
            let patch = &svg[svg[..text_start].rfind('<').unwrap()..text_start];
            assert!(
                patch.starts_with("<rect")
                    && patch.contains("fill=\"#FFFFFF\"")
                    && patch.contains("opacity=\"0.8\""),
                "{}: {patch}",
                label.text
            );
            let width: f64 = patch
                .split("width=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                width >= measure(&label.text, LABEL_PX, false).floor(),
                "{}: {patch}",
                label.text
            );
        }
    }

    #[test]
    fn ratio_chart_states_overdispersion_and_draws_png() {
        let rows: Vec<RatioInput> = (1..=15)
            .map(|i| RatioInput {
                org: format!("R{i}"),
                observed: (i * 9) as f64,
                expected: (i * 10) as f64,
            })
            .collect();
        let f = ratios(&rows, 1.0, true).unwrap();
        let chart = ratio_chart(&f, "Mortality");
        assert!(chart.method.contains("φ ="));
        assert!(
            funnel_chart(&chart, ChartFormat::Png)
                .unwrap()
                .starts_with(b"\x89PNG")
        );
    }
}
