//! Accessible charts over plain data, as SVG or PNG: the drawing toolkit every chart of sct
//! uses (a canvas over both backends, the bundled fonts, the NHS palette, text measuring,
//! wrapping and escaping) and the charts of capability scores, a radar (spider) chart of
//! domain scores against targets and a horizontal bar chart of capability levels against
//! targets. Nothing here knows sct's domain types: callers convert their data to these.
//!
//! Everything is drawn with `plotters` on a plain drawing area, with the bundled DejaVu Sans
//! font (registered once as the `sans-serif` family), so the output never depends on the
//! machine's fonts and the same input always gives byte-identical bytes.
//!
//! The SVG root carries `role="img"` and `aria-labelledby` pointing at a `<title>` and a
//! `<desc>` inserted as its first children; their ids are derived from the chart's title and
//! description, so several charts can be inlined in one HTML page. Colour is never the only
//! signal: the score is solid with circles, the target dashed with squares, and bars print the
//! level's name.
//!
//! ```
//! use sct_chart::{Bar, BarChart, bars_svg};
//! let chart = BarChart {
//!     title: "3.1 Understanding the local context".into(),
//!     description: "Population health: Developing, target Embedded.".into(),
//!     level_names: ["Starting out", "Developing", "Maturing", "Embedded", "Mastering"]
//!         .map(String::from).to_vec(),
//!     bars: vec![Bar {
//!         label: "Population health".into(),
//!         level: Some(2.0),
//!         target: Some(4.0),
//!         note: None,
//!     }],
//! };
//! let svg = bars_svg(&chart)?;
//! assert!(svg.contains("role=\"img\"") && svg.contains("target: Embedded"));
//! # Ok::<(), sct_chart::ChartError>(())
//! ```

use std::f64::consts::PI;
use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, Glyph, GlyphId, PxScale, ScaleFont, point};
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, register_font};

mod svg_stream;
pub use svg_stream::{SvgStream, SvgStyle, render_svg_to};

/// Errors drawing a chart.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The drawing backend failed (in practice: the bundled fonts could not be loaded).
    #[error("cannot draw chart: {0}")]
    Draw(String),
}

/// Output format of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    /// Scalable vector graphics, with a title and description for assistive technology.
    Svg,
    /// A bitmap, drawn at twice the size and downsampled.
    Png,
}

/// A radar (spider) chart of domain scores with a target overlay.
#[derive(Debug, Clone)]
pub struct RadarChart {
    /// The chart's heading, e.g. "Capability by domain".
    pub title: String,
    /// A sentence for `<desc>`, e.g. the scores in words.
    pub description: String,
    /// One label per domain, e.g. "3.1 Understanding the local context".
    pub axes: Vec<String>,
    /// The level names, e.g. `["Starting out", ..., "Mastering"]`; ring k is level k.
    pub level_names: Vec<String>,
    /// Per axis, 1..=levels; `None` = not scored (drawn at the centre, marked hollow).
    pub score: Vec<Option<f64>>,
    /// Per axis target score; `None` = no target (the dashed outline is broken there).
    pub target: Vec<Option<f64>>,
}

/// A horizontal bar chart of each capability's level against its target, for one domain.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// The chart's heading, e.g. the domain's title.
    pub title: String,
    /// A sentence for `<desc>`: the levels and targets in words.
    pub description: String,
    /// The level names, lowest first; gridline k is level k.
    pub level_names: Vec<String>,
    /// One bar per capability, in the order drawn (top to bottom).
    pub bars: Vec<Bar>,
}

/// One row of a [`BarChart`].
#[derive(Debug, Clone)]
pub struct Bar {
    /// The capability's name, wrapped to the label column.
    pub label: String,
    /// The level reached, 1..=levels; `None` draws the note instead of a bar.
    pub level: Option<f64>,
    /// The target level, drawn as a dark marker; `None` = no target.
    pub target: Option<f64>,
    /// E.g. "n/a" or "not answered", printed (in grey) instead of a bar.
    pub note: Option<String>,
}

/// Draws a radar chart as SVG or PNG bytes.
pub fn radar(chart: &RadarChart, format: ChartFormat) -> Result<Vec<u8>, ChartError> {
    match format {
        ChartFormat::Svg => radar_svg(chart).map(String::into_bytes),
        ChartFormat::Png => {
            let layout = RadarLayout::new(chart)?;
            render_png(RADAR_SIZE, |cv| draw_radar(cv, &layout))
        }
    }
}

/// Draws a bar chart as SVG or PNG bytes.
pub fn bars(chart: &BarChart, format: ChartFormat) -> Result<Vec<u8>, ChartError> {
    match format {
        ChartFormat::Svg => bars_svg(chart).map(String::into_bytes),
        ChartFormat::Png => {
            let layout = BarsLayout::new(chart)?;
            render_png(layout.size, |cv| draw_bars(cv, &layout))
        }
    }
}

/// The radar chart's SVG as a String (for inlining in HTML).
pub fn radar_svg(chart: &RadarChart) -> Result<String, ChartError> {
    let layout = RadarLayout::new(chart)?;
    let svg = render_svg(RADAR_SIZE, |cv| draw_radar(cv, &layout))?;
    Ok(accessible_svg(
        svg,
        "radar",
        "Radar chart",
        &chart.title,
        &chart.description,
    ))
}

/// The bar chart's SVG as a String (for inlining in HTML).
pub fn bars_svg(chart: &BarChart) -> Result<String, ChartError> {
    let layout = BarsLayout::new(chart)?;
    let svg = render_svg(layout.size, |cv| draw_bars(cv, &layout))?;
    Ok(accessible_svg(
        svg,
        "bars",
        "Bar chart",
        &chart.title,
        &chart.description,
    ))
}

// ---------------------------------------------------------------------------------------------
// Palette (NHS identity colours) and fixed sizes.

/// A colour from `0xRRGGBB`.
pub const fn hex(c: u32) -> RGBColor {
    RGBColor((c >> 16) as u8, (c >> 8) as u8, c as u8)
}

/// Body text (NHS text colour), 14:1 on white.
pub const TEXT: RGBColor = hex(0x212B32);
/// Secondary text (notes, level names), NHS secondary text colour, 6.4:1 on white (white on
/// NHS Blue is 6.4:1 too).
pub const TEXT_GREY: RGBColor = hex(0x4C6272);
/// NHS Blue: scores, bars, improvement.
pub const NHS_BLUE: RGBColor = hex(0x005EB8);
/// NHS Orange: targets and concern.
pub const NHS_ORANGE: RGBColor = hex(0xED8B00);
/// Grid lines (NHS Grey 4 / Grey 3).
pub const GRID: RGBColor = hex(0xD8DDE0);
/// Axes and the outer ring (NHS Grey 3).
pub const GRID_DARK: RGBColor = hex(0xAEB7BD);
/// Alternate row banding (NHS Grey 5).
const BAND: RGBColor = hex(0xF0F4F5);
/// The background (white).
pub const PAPER: RGBColor = hex(0xFFFFFF);

/// The font family every piece of text uses; the bundled DejaVu Sans is registered under it.
const FAMILY: &str = "sans-serif";
static FONT_REGULAR: &[u8] = sct_assets::fonts::DEJAVU_SANS;
static FONT_BOLD: &[u8] = sct_assets::fonts::DEJAVU_SANS_BOLD;

const RADAR_SIZE: (u32, u32) = (720, 560);
const BARS_WIDTH: u32 = 720;
/// Longest text taken from an input, in characters (longer text is cut; nothing is that long).
pub const MAX_TEXT_CHARS: usize = 300;
/// Most rows a bar chart draws (the rest are summarised in one line).
const MAX_BARS: usize = 60;
/// Most spokes a radar chart draws.
const MAX_AXES: usize = 48;
/// Most levels (rings, gridlines) drawn.
const MAX_LEVELS: usize = 20;

/// The bundled fonts, parsed for measuring and for drawing PNG text.
struct Fonts {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

/// Registers the bundled fonts with plotters (as the `sans-serif` family) and parses them,
/// once; an error if they cannot be parsed (never, in practice).
fn fonts() -> Result<&'static Fonts, ChartError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let registered = register_font(FAMILY, FontStyle::Normal, FONT_REGULAR).is_ok()
                && register_font(FAMILY, FontStyle::Bold, FONT_BOLD).is_ok();
            let fonts = Fonts {
                regular: FontRef::try_from_slice(FONT_REGULAR).ok()?,
                bold: FontRef::try_from_slice(FONT_BOLD).ok()?,
            };
            registered.then_some(fonts)
        })
        .as_ref()
        .ok_or_else(|| ChartError::Draw("the bundled font cannot be loaded".into()))
}

/// Loads the bundled fonts (parsed once and kept) before text is measured for a layout.
pub fn load_fonts() -> Result<(), ChartError> {
    fonts().map(|_| ())
}

fn font(bold: bool) -> Option<&'static FontRef<'static>> {
    fonts()
        .ok()
        .map(|f| if bold { &f.bold } else { &f.regular })
}

fn draw_err(e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw(e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Text: sanitising, measuring, wrapping.

/// Input text made safe to draw: control characters become spaces, runs of whitespace one
/// space, and the length is bounded. (XML escaping is done by the SVG backend.)
pub fn clean(s: &str) -> String {
    // Most text (every period label) is clean already: copy it without splitting.
    let mut prev_space = true;
    let mut already_clean = s.len() <= MAX_TEXT_CHARS;
    for c in s.chars() {
        if c.is_control() || (c.is_whitespace() && (c != ' ' || prev_space)) {
            already_clean = false;
            break;
        }
        prev_space = c == ' ';
    }
    if already_clean && !prev_space {
        return s.to_string();
    }
    let s: String = s
        .chars()
        .take(MAX_TEXT_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// plotters' SVG backend writes `font-size` = size / 1.24 and places top-anchored text with
/// `dy="0.76em"`.
const SVG_FONT_FACTOR: f64 = 1.24;
const SVG_TOP_TO_BASELINE: f64 = 0.76;

/// Glyphs of `text` laid out (with kerning) from the origin at `px` pixels to the em, and the
/// advance width.
fn layout_glyphs(font: &FontRef<'static>, text: &str, px: f64) -> (Vec<Glyph>, f32) {
    // ab_glyph scales by ascent - descent; convert from pixels per em.
    let per_em = font.height_unscaled() / font.units_per_em().unwrap_or(2048.0);
    let scale = PxScale::from(px as f32 * per_em);
    let scaled = font.as_scaled(scale);
    let mut glyphs = Vec::with_capacity(text.len());
    let mut pen = 0.0f32;
    let mut prev: Option<GlyphId> = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        glyphs.push(id.with_scale_and_position(scale, point(pen, 0.0)));
        pen += scaled.h_advance(id);
        prev = Some(id);
    }
    (glyphs, pen)
}

/// The width of `text` in pixels at `px` pixels to the em, measured with the bundled font.
pub fn measure(text: &str, px: f64, bold: bool) -> f64 {
    match font(bold) {
        Some(f) => f64::from(layout_glyphs(f, text, px).1),
        None => text.chars().count() as f64 * px * 0.62,
    }
}

/// The longest prefix of `chars` (at least one character) whose width fits `max_w`.
fn fitting_prefix(chars: &[char], suffix: &str, px: f64, bold: bool, max_w: f64) -> usize {
    let fits = |n: usize| {
        let s: String = chars[..n].iter().collect();
        measure(&format!("{s}{suffix}"), px, bold) <= max_w
    };
    let (mut lo, mut hi) = (1usize, chars.len());
    if hi <= 1 || !fits(1) {
        return hi.min(1);
    }
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) { lo = mid } else { hi = mid - 1 }
    }
    lo
}

/// `text` shortened with an ellipsis to fit `max_w`.
pub fn ellipsize(text: &str, px: f64, bold: bool, max_w: f64) -> String {
    if measure(text, px, bold) <= max_w {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let n = fitting_prefix(&chars, "…", px, bold, max_w);
    let head: String = chars[..n].iter().collect();
    format!("{}…", head.trim_end())
}

/// `text` wrapped into at most `max_lines` lines of at most `max_w` pixels, breaking at spaces
/// (and inside words only when a word alone is too wide); the last line is ellipsized if the
/// text does not fit.
pub fn wrap(text: &str, px: f64, bold: bool, max_w: f64, max_lines: usize) -> Vec<String> {
    let mut words: std::collections::VecDeque<String> =
        text.split_whitespace().map(str::to_string).collect();
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    while let Some(word) = words.pop_front() {
        let candidate = if cur.is_empty() {
            word.clone()
        } else {
            format!("{cur} {word}")
        };
        if measure(&candidate, px, bold) <= max_w {
            cur = candidate;
        } else if cur.is_empty() {
            // A single word wider than a line: break it.
            let chars: Vec<char> = word.chars().collect();
            let n = fitting_prefix(&chars, "", px, bold, max_w);
            lines.push(chars[..n].iter().collect());
            if n < chars.len() {
                words.push_front(chars[n..].iter().collect());
            }
        } else {
            lines.push(std::mem::take(&mut cur));
            words.push_front(word);
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    let max_lines = max_lines.max(1);
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(ellipsize(&format!("{rest}…"), px, bold, max_w));
    }
    lines
}

/// Text fitted to a width without cutting it: its lines and the size they are drawn at.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    /// The lines, every word of the text in order.
    pub lines: Vec<String>,
    /// The size, pixels to the em.
    pub px: f64,
}

/// `text` in lines of at most `max_w` pixels, not cut: at `px` in at most `max_lines` lines
/// if it fits, else at the largest size down to `min_px` (in half-pixel steps) at which it
/// does, else at `min_px` in up to twice `max_lines` lines. Titles and labels use it so that a
/// reader sees the whole name (an ellipsis hides what tells two apart); only text too long
/// for any title (beyond twice the lines at the smallest size) ends in an ellipsis.
pub fn fit_text(
    text: &str,
    px: f64,
    min_px: f64,
    bold: bool,
    max_w: f64,
    max_lines: usize,
) -> Fitted {
    let mut size = px;
    loop {
        if size <= min_px {
            let lines = wrap(text, size, bold, max_w, max_lines.max(1) * 2);
            return Fitted { lines, px: size };
        }
        let lines = wrap(text, size, bold, max_w, usize::MAX);
        if lines.len() <= max_lines.max(1) {
            return Fitted { lines, px: size };
        }
        size = (size - 0.5).max(min_px);
    }
}

/// A number with up to two decimals and no trailing zeros.
fn fmt_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The level names to draw (at least one).
fn level_names(names: &[String]) -> Vec<String> {
    let names: Vec<String> = names.iter().take(MAX_LEVELS).map(|n| clean(n)).collect();
    if names.is_empty() {
        (1..=5).map(|k| format!("Level {k}")).collect()
    } else {
        names
    }
}

/// A value clamped to `1..=levels`; non-finite values count as missing.
fn clamp_level(v: Option<f64>, levels: usize) -> Option<f64> {
    v.filter(|x| x.is_finite())
        .map(|x| x.clamp(1.0, levels.max(1) as f64))
}

/// The name of the level a (clamped) value reaches, with the value when it is fractional.
fn level_label(names: &[String], v: f64) -> String {
    let idx = (v.floor().max(1.0) as usize).min(names.len()).max(1) - 1;
    let name = names.get(idx).map(String::as_str).unwrap_or("");
    if (v - v.round()).abs() < 1e-9 {
        name.to_string()
    } else {
        format!("{name} ({})", fmt_num(v))
    }
}

// ---------------------------------------------------------------------------------------------
// A drawing surface in logical pixels on either backend.

/// A drawing surface in logical pixels on the SVG or the bitmap backend; every chart draws
/// through it, so SVG and PNG show the same picture.
pub struct Canvas<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
    scale: f64,
    /// Draw text as pixels with the bundled font (bitmaps) rather than as `<text>` (SVG).
    raster: bool,
}

/// A point in logical pixels, x to the right and y down.
pub type Pt = (f64, f64);

/// Text alignment relative to the given x.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Align {
    /// Text starts at x.
    Left,
    /// Text is centred on x.
    Center,
    /// Text ends at x.
    Right,
}

impl<DB: DrawingBackend> Canvas<'_, DB> {
    fn px(&self, v: f64) -> i32 {
        // `as` saturates and maps NaN to 0: never panics.
        (v * self.scale).round() as i32
    }

    fn pt(&self, (x, y): Pt) -> (i32, i32) {
        (self.px(x), self.px(y))
    }

    fn width(&self, w: f64) -> u32 {
        ((w * self.scale).round() as u32).max(1)
    }

    fn draw<E>(&self, element: &E) -> Result<(), ChartError>
    where
        for<'b> &'b E: PointCollection<'b, (i32, i32)>,
        E: Drawable<DB>,
    {
        self.area.draw(element).map_err(draw_err)
    }

    /// Fills the whole surface.
    pub fn fill(&self, color: RGBColor) -> Result<(), ChartError> {
        if self.raster && color == PAPER {
            // The bitmap starts out white.
            return Ok(());
        }
        self.area.fill(&color).map_err(draw_err)
    }

    /// A filled rectangle between corners `a` and `b`.
    pub fn rect(&self, a: Pt, b: Pt, color: RGBAColor) -> Result<(), ChartError> {
        self.draw(&Rectangle::new([self.pt(a), self.pt(b)], color.filled()))
    }

    /// An open polyline.
    pub fn path(&self, pts: &[Pt], color: RGBAColor, w: f64) -> Result<(), ChartError> {
        if pts.len() < 2 {
            return Ok(());
        }
        let pts: Vec<(i32, i32)> = pts.iter().map(|&p| self.pt(p)).collect();
        self.draw(&PathElement::new(pts, color.stroke_width(self.width(w))))
    }

    /// A filled polygon.
    pub fn polygon(&self, pts: &[Pt], color: RGBAColor) -> Result<(), ChartError> {
        if pts.len() < 3 {
            return Ok(());
        }
        let pts: Vec<(i32, i32)> = pts.iter().map(|&p| self.pt(p)).collect();
        self.draw(&Polygon::new(pts, color.filled()))
    }

    /// A circle of radius `r` at `c`, filled or outlined.
    pub fn circle(&self, c: Pt, r: f64, color: RGBAColor, filled: bool) -> Result<(), ChartError> {
        let r = (r * self.scale).round().max(1.0) as u32;
        let style = if filled {
            color.filled()
        } else {
            color.stroke_width(self.width(1.0))
        };
        self.draw(&Circle::new(self.pt(c), r, style))
    }

    /// Text with its baseline at `y`, `px` pixels to the em.
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &self,
        s: &str,
        x: f64,
        y: f64,
        px: f64,
        bold: bool,
        color: RGBColor,
        align: Align,
    ) -> Result<(), ChartError> {
        if s.is_empty() {
            return Ok(());
        }
        let h = match align {
            Align::Left => HPos::Left,
            Align::Center => HPos::Center,
            Align::Right => HPos::Right,
        };
        if self.raster {
            return self.raster_text(s, x, y, px, bold, color, align);
        }
        let style = if bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        let font = FontDesc::new(FontFamily::Name(FAMILY), px * SVG_FONT_FACTOR, style)
            .color(&color)
            .pos(Pos::new(h, VPos::Top));
        let top = y - px * SVG_TOP_TO_BASELINE;
        self.draw(&Text::new(s.to_string(), (self.px(x), self.px(top)), font))
    }

    /// Text drawn pixel by pixel with the bundled font, positioned to the sub-pixel (plotters'
    /// own ab_glyph text drops the glyphs' side bearings).
    #[allow(clippy::too_many_arguments)]
    fn raster_text(
        &self,
        s: &str,
        x: f64,
        y: f64,
        px: f64,
        bold: bool,
        color: RGBColor,
        align: Align,
    ) -> Result<(), ChartError> {
        let Some(font) = font(bold) else {
            return Err(ChartError::Draw("the bundled font cannot be loaded".into()));
        };
        let (glyphs, width) = layout_glyphs(font, s, px * self.scale);
        let x = (x * self.scale) as f32;
        let x0 = match align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        let baseline = (y * self.scale) as f32;
        let mut err = None;
        for mut glyph in glyphs {
            glyph.position = point(x0 + glyph.position.x, baseline);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let (bx, by) = (bounds.min.x as i32, bounds.min.y as i32);
            outline.draw(|gx, gy, coverage| {
                if err.is_none() && coverage > 1.0 / 512.0 {
                    let pos = (bx + gx as i32, by + gy as i32);
                    let c = color.mix(f64::from(coverage.min(1.0)));
                    if let Err(e) = self.area.draw_pixel(pos, &c) {
                        err = Some(draw_err(e));
                    }
                }
            });
        }
        err.map_or(Ok(()), Err)
    }
}

/// Cut the path `pts` into dashes of `dash` with gaps of `gap`, continuing the pattern
/// round corners; each dash is a polyline.
pub fn dashes(pts: &[Pt], dash: f64, gap: f64) -> Vec<Vec<Pt>> {
    let mut out = Vec::new();
    let period = dash + gap;
    if !(dash > 0.0 && gap >= 0.0 && period.is_finite()) {
        return out;
    }
    let mut phase = 0.0f64;
    let mut cur: Vec<Pt> = Vec::new();
    for seg in pts.windows(2) {
        let (a, b) = (seg[0], seg[1]);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len = (dx * dx + dy * dy).sqrt();
        if !len.is_finite() || len < 1e-9 {
            continue;
        }
        let at = |t: f64| (a.0 + dx * t / len, a.1 + dy * t / len);
        let mut t = 0.0f64;
        let mut guard = 0;
        while len - t > 1e-6 && guard < 100_000 {
            guard += 1;
            let in_dash = phase < dash;
            let remaining = if in_dash {
                dash - phase
            } else {
                period - phase
            };
            let step = remaining.min(len - t).max(1e-6);
            if in_dash {
                if cur.is_empty() {
                    cur.push(at(t));
                }
                cur.push(at(t + step));
            }
            t += step;
            phase += step;
            if in_dash && phase >= dash - 1e-9 {
                out.push(std::mem::take(&mut cur));
            }
            if phase >= period - 1e-9 {
                phase = 0.0;
            }
        }
    }
    if cur.len() >= 2 {
        out.push(cur);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Rendering to SVG and PNG.

/// Draws with `draw` on an SVG surface of `size` and returns the SVG.
pub fn render_svg<F>(size: (u32, u32), draw: F) -> Result<String, ChartError>
where
    F: for<'a, 'b> FnOnce(&Canvas<'a, SVGBackend<'b>>) -> Result<(), ChartError>,
{
    fonts()?;
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let cv = Canvas {
            area: &area,
            scale: 1.0,
            raster: false,
        };
        draw(&cv)?;
        area.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Draws with `draw` on a bitmap of `size` (drawn at twice the size and downsampled) and
/// returns the PNG.
pub fn render_png<F>(size: (u32, u32), draw: F) -> Result<Vec<u8>, ChartError>
where
    F: for<'a, 'b> FnOnce(&Canvas<'a, BitMapBackend<'b>>) -> Result<(), ChartError>,
{
    fonts()?;
    let (w, h) = size;
    // Drawn at twice the size and box-filtered down, for anti-aliasing.
    let (bw, bh) = (w * 2, h * 2);
    let mut big = vec![255u8; bw as usize * bh as usize * 3];
    {
        let area = BitMapBackend::with_buffer_and_format(&mut big, (bw, bh))
            .map_err(draw_err)?
            .into_drawing_area();
        let cv = Canvas {
            area: &area,
            scale: 2.0,
            raster: true,
        };
        draw(&cv)?;
        area.present().map_err(draw_err)?;
    }
    let small = downsample(&big, bw as usize, bh as usize);
    let mut png = Vec::new();
    use image::ImageEncoder;
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Up,
    )
    .write_image(&small, w, h, image::ColorType::Rgb8)
    .map_err(draw_err)?;
    Ok(png)
}

/// Halve an RGB image of `w`x`h` with a 2x2 box filter.
fn downsample(src: &[u8], w: usize, h: usize) -> Vec<u8> {
    let (ow, oh) = (w / 2, h / 2);
    let mut out = vec![0u8; ow * oh * 3];
    let mut sums = vec![0u16; ow * 6];
    for (oy, o_row) in out.chunks_exact_mut(ow * 3).enumerate() {
        let r0 = &src[2 * oy * w * 3..][..ow * 6];
        let r1 = &src[(2 * oy + 1) * w * 3..][..ow * 6];
        // All-white row pairs (common in a chart) need no arithmetic.
        if r0.iter().chain(r1).fold(255u8, |m, &v| m & v) == 255 {
            o_row.fill(255);
            continue;
        }
        for ((s, &a), &b) in sums.iter_mut().zip(r0).zip(r1) {
            *s = u16::from(a) + u16::from(b);
        }
        for (o, s) in o_row.chunks_exact_mut(3).zip(sums.chunks_exact(6)) {
            o[0] = ((s[0] + s[3] + 2) >> 2) as u8;
            o[1] = ((s[1] + s[4] + 2) >> 2) as u8;
            o[2] = ((s[2] + s[5] + 2) >> 2) as u8;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Accessible SVG.

/// 64-bit FNV-1a.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain(&[0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A lowercase ASCII slug of `s`, at most 32 characters, never empty.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 32 {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "chart".to_string()
    } else {
        out.to_string()
    }
}

/// `s` escaped for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_xml_into(&mut out, s);
    out
}

/// Appends `s` to `out` escaped for XML content and attribute values (the one XML escaper
/// every SVG writer uses).
pub fn escape_xml_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

/// Adds `role="img"`, `aria-labelledby` and a leading `<title>` and `<desc>` to the root of
/// plotters' SVG.
pub fn accessible_svg(
    mut svg: String,
    kind: &str,
    fallback_title: &str,
    title: &str,
    description: &str,
) -> String {
    // plotters escapes attribute values, so the first '>' closes the root tag.
    let Some(end) = svg.find('>') else {
        return svg;
    };
    let (attrs, children) = accessible_root(kind, fallback_title, title, description);
    svg.insert_str(end + 1, &children);
    let at = if svg[..end].ends_with('/') {
        end - 1
    } else {
        end
    };
    svg.insert_str(at, &attrs);
    svg
}

/// What [`accessible_svg`] adds to the root: its attributes (`role`, `aria-labelledby`), and
/// its first children (the `<title>` and `<desc>`, each on a line of its own).
fn accessible_root(
    kind: &str,
    fallback_title: &str,
    title: &str,
    description: &str,
) -> (String, String) {
    let title = clean(title);
    let title = if title.is_empty() {
        fallback_title.to_string()
    } else {
        title
    };
    let desc = {
        let d: String = description
            .chars()
            .take(4 * MAX_TEXT_CHARS)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let d = d.split_whitespace().collect::<Vec<_>>().join(" ");
        if d.is_empty() { title.clone() } else { d }
    };
    let id = format!(
        "sct-{kind}-{}-{:08x}",
        slug(&title),
        fnv1a(&[kind, &title, &desc]) as u32
    );
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    let children = format!(
        "\n<title id=\"{title_id}\">{}</title>\n<desc id=\"{desc_id}\">{}</desc>",
        xml_escape(&title),
        xml_escape(&desc)
    );
    let attrs = format!(" role=\"img\" aria-labelledby=\"{title_id} {desc_id}\"");
    (attrs, children)
}

// ---------------------------------------------------------------------------------------------
// The radar chart.

const RADAR_TITLE_PX: f64 = 18.0;
const RADAR_LABEL_PX: f64 = 12.0;
const RADAR_LABEL_LINE: f64 = 15.0;
const RADAR_LEVEL_PX: f64 = 11.0;
const LEGEND_PX: f64 = 12.0;
/// The margin around every chart, in logical pixels.
pub const MARGIN: f64 = 20.0;

/// Everything about a radar chart that does not depend on the backend.
struct RadarLayout {
    title: Fitted,
    levels: Vec<String>,
    /// Per axis: wrapped label lines, score, target.
    axes: Vec<RadarAxis>,
    centre: Pt,
    radius: f64,
}

struct RadarAxis {
    lines: Vec<String>,
    width: f64,
    score: Option<f64>,
    target: Option<f64>,
    /// Unit direction (screen coordinates, y down), starting at the top, clockwise.
    dir: Pt,
}

/// Gap between the rim and an axis label.
const LABEL_GAP: f64 = 14.0;

impl RadarLayout {
    fn new(chart: &RadarChart) -> Result<Self, ChartError> {
        fonts()?;
        let (w, h) = (f64::from(RADAR_SIZE.0), f64::from(RADAR_SIZE.1));
        let title = fit_text(
            &clean(&chart.title),
            RADAR_TITLE_PX,
            BARS_TITLE_MIN_PX,
            true,
            w - 2.0 * MARGIN,
            2,
        );
        let title_extra = (title.lines.len().max(1) - 1) as f64 * title.px * 1.25;
        let levels = level_names(&chart.level_names);
        let n = chart.axes.len().min(MAX_AXES);
        // Narrower labels when there are many spokes.
        let max_w = if n > 12 { 120.0 } else { 150.0 };
        let axes: Vec<RadarAxis> = chart
            .axes
            .iter()
            .take(n)
            .enumerate()
            .map(|(i, label)| {
                let score = clamp_level(chart.score.get(i).copied().flatten(), levels.len());
                let target = clamp_level(chart.target.get(i).copied().flatten(), levels.len());
                let mut label = clean(label);
                if score.is_none() {
                    label.push_str(" (not scored)");
                }
                let lines = wrap(label.trim(), RADAR_LABEL_PX, false, max_w, 3);
                let width = lines
                    .iter()
                    .map(|l| measure(l, RADAR_LABEL_PX, false))
                    .fold(0.0, f64::max);
                let a = 2.0 * PI * i as f64 / n as f64;
                RadarAxis {
                    lines,
                    width,
                    score,
                    target,
                    dir: (a.sin(), -a.cos()),
                }
            })
            .collect();

        // The plot sits between the title and the legend; the radius is the largest that keeps
        // every label inside.
        let (top, bottom) = (52.0 + title_extra, h - 44.0);
        let (left, right) = (MARGIN, w - MARGIN);
        let centre = (w / 2.0, (top + bottom) / 2.0);
        let mut r: f64 = 200.0;
        for ax in &axes {
            let (sx, sy) = ax.dir;
            let bw = ax.width;
            let bh = ax.lines.len() as f64 * RADAR_LABEL_LINE;
            if sx > 1e-6 {
                r = r.min((right - centre.0 - bw * (1.0 + sx) / 2.0) / sx - LABEL_GAP);
            } else if sx < -1e-6 {
                r = r.min((left - centre.0 + bw * (1.0 - sx) / 2.0) / sx - LABEL_GAP);
            }
            if sy > 1e-6 {
                r = r.min((bottom - centre.1 - bh * (1.0 + sy) / 2.0) / sy - LABEL_GAP);
            } else if sy < -1e-6 {
                r = r.min((top - centre.1 + bh * (1.0 - sy) / 2.0) / sy - LABEL_GAP);
            }
        }
        let radius = if r.is_finite() {
            r.clamp(80.0, 200.0)
        } else {
            80.0
        };
        Ok(Self {
            title,
            levels,
            axes,
            centre,
            radius,
        })
    }

    fn point(&self, dir: Pt, value: f64) -> Pt {
        let r = self.radius * value / self.levels.len() as f64;
        (self.centre.0 + dir.0 * r, self.centre.1 + dir.1 * r)
    }

    /// The outline of ring `k` (a polygon through the spokes, or a circle for fewer than 3).
    fn ring(&self, k: f64) -> Vec<Pt> {
        let mut pts: Vec<Pt> = if self.axes.len() >= 3 {
            self.axes.iter().map(|a| self.point(a.dir, k)).collect()
        } else {
            (0..72)
                .map(|i| {
                    let a = 2.0 * PI * f64::from(i) / 72.0;
                    self.point((a.sin(), -a.cos()), k)
                })
                .collect()
        };
        if let Some(&first) = pts.first() {
            pts.push(first);
        }
        pts
    }
}

/// The target's outline as runs of points, broken where an axis has no target.
fn target_runs(l: &RadarLayout) -> Vec<Vec<Pt>> {
    let n = l.axes.len();
    let pt = |i: usize| l.axes[i].target.map(|t| l.point(l.axes[i].dir, t));
    match l.axes.iter().position(|a| a.target.is_none()) {
        None => {
            let mut run: Vec<Pt> = (0..n).filter_map(pt).collect();
            if n >= 3 {
                run.push(run[0]);
            }
            vec![run]
        }
        Some(gap) => {
            // Start just after a gap so that runs wrapping past the last axis stay whole.
            let mut runs = Vec::new();
            let mut run = Vec::new();
            for k in 1..=n {
                match pt((gap + k) % n) {
                    Some(p) => run.push(p),
                    None => {
                        if run.len() >= 2 {
                            runs.push(std::mem::take(&mut run));
                        }
                        run.clear();
                    }
                }
            }
            if run.len() >= 2 {
                runs.push(run);
            }
            runs
        }
    }
}

fn draw_radar<DB: DrawingBackend>(cv: &Canvas<DB>, l: &RadarLayout) -> Result<(), ChartError> {
    let (w, h) = (f64::from(RADAR_SIZE.0), f64::from(RADAR_SIZE.1));
    cv.fill(PAPER)?;
    for (i, line) in l.title.lines.iter().enumerate() {
        let y = 32.0 + i as f64 * l.title.px * 1.25;
        cv.text(line, MARGIN, y, l.title.px, true, TEXT, Align::Left)?;
    }
    if l.axes.is_empty() {
        cv.text(
            "No domains to show",
            w / 2.0,
            h / 2.0,
            14.0,
            false,
            TEXT_GREY,
            Align::Center,
        )?;
        return Ok(());
    }
    let levels = l.levels.len();

    // Grid: rings (the outermost darker) and spokes.
    for k in 1..=levels {
        let color = if k == levels { GRID_DARK } else { GRID };
        cv.path(&l.ring(k as f64), color.to_rgba(), 1.0)?;
    }
    for ax in &l.axes {
        cv.path(
            &[l.centre, l.point(ax.dir, levels as f64)],
            GRID.to_rgba(),
            1.0,
        )?;
    }

    // Score area.
    let score_pts: Vec<Pt> = l
        .axes
        .iter()
        .map(|a| l.point(a.dir, a.score.unwrap_or(0.0)))
        .collect();
    cv.polygon(&score_pts, NHS_BLUE.mix(0.22))?;

    // Target: a dashed line, dark-cased so it stands out on white and on the blue fill,
    // broken where an axis has no target.
    for run in target_runs(l) {
        draw_target_dashes(cv, &run)?;
    }

    // Score outline.
    let mut outline = score_pts.clone();
    if l.axes.len() >= 3 {
        outline.push(score_pts[0]);
    }
    cv.path(&outline, NHS_BLUE.to_rgba(), 2.5)?;
    draw_radar_level_names(cv, l)?;

    // Markers on top: target squares, then score circles.
    for ax in &l.axes {
        if let Some(t) = ax.target {
            draw_target_marker(cv, l.point(ax.dir, t))?;
        }
    }
    for (ax, &p) in l.axes.iter().zip(&score_pts) {
        if ax.score.is_some() {
            draw_score_marker(cv, p)?;
        } else {
            // Not scored: a hollow marker at the centre.
            cv.circle(p, 5.5, NHS_BLUE.to_rgba(), true)?;
            cv.circle(p, 3.5, PAPER.to_rgba(), true)?;
        }
    }
    draw_radar_axis_labels(cv, l)?;
    draw_radar_legend(cv)
}

/// A run of the target line: dashes, dark-cased.
fn draw_target_dashes<DB: DrawingBackend>(cv: &Canvas<DB>, run: &[Pt]) -> Result<(), ChartError> {
    for dash in dashes(run, 9.0, 6.0) {
        cv.path(&dash, TEXT.to_rgba(), 4.5)?;
        cv.path(&dash, NHS_ORANGE.to_rgba(), 2.5)?;
    }
    Ok(())
}

/// The target marker: an orange square cased in the text colour.
fn draw_target_marker<DB: DrawingBackend>(cv: &Canvas<DB>, (x, y): Pt) -> Result<(), ChartError> {
    let s = 4.5;
    cv.rect((x - s, y - s), (x + s, y + s), TEXT.to_rgba())?;
    cv.rect(
        (x - s + 1.5, y - s + 1.5),
        (x + s - 1.5, y + s - 1.5),
        NHS_ORANGE.to_rgba(),
    )
}

/// The score marker: a blue circle ringed in white.
fn draw_score_marker<DB: DrawingBackend>(cv: &Canvas<DB>, p: Pt) -> Result<(), ChartError> {
    cv.circle(p, 5.5, PAPER.to_rgba(), true)?;
    cv.circle(p, 4.0, NHS_BLUE.to_rgba(), true)
}

/// The level names up the top spoke.
fn draw_radar_level_names<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    l: &RadarLayout,
) -> Result<(), ChartError> {
    let levels = l.levels.len();
    // Level names along the top spoke, just inside each ring, on a translucent backing that
    // keeps them legible over the fill and data lines (which show through faintly); the
    // markers are drawn over them.
    let line_h = RADAR_LEVEL_PX + 3.0;
    for (k, name) in l.levels.iter().enumerate() {
        let (x, y) = l.point((0.0, -1.0), (k + 1) as f64);
        let x = x + 6.0;
        let top = y + 3.0;
        // Skip names that would crowd the previous ring's.
        if l.radius / (levels as f64) < line_h + 2.0 && k % 2 == 1 {
            continue;
        }
        let tw = measure(name, RADAR_LEVEL_PX, false);
        cv.rect((x - 2.0, top), (x + tw + 2.0, top + line_h), PAPER.mix(0.8))?;
        cv.text(
            name,
            x,
            top + RADAR_LEVEL_PX,
            RADAR_LEVEL_PX,
            false,
            TEXT_GREY,
            Align::Left,
        )?;
    }

    Ok(())
}

/// The axis labels, outside the rim.
fn draw_radar_axis_labels<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    l: &RadarLayout,
) -> Result<(), ChartError> {
    let levels = l.levels.len();
    // Axis labels outside the rim.
    for ax in &l.axes {
        let (sx, sy) = ax.dir;
        let (ax_x, ax_y) = l.point(ax.dir, levels as f64);
        let (ax_x, ax_y) = (ax_x + sx * LABEL_GAP, ax_y + sy * LABEL_GAP);
        let bh = ax.lines.len() as f64 * RADAR_LABEL_LINE;
        let left = ax_x - ax.width * (1.0 - sx) / 2.0;
        let top = ax_y - bh * (1.0 - sy) / 2.0;
        let (x, align) = if sx > 0.3 {
            (left, Align::Left)
        } else if sx < -0.3 {
            (left + ax.width, Align::Right)
        } else {
            (left + ax.width / 2.0, Align::Center)
        };
        for (i, line) in ax.lines.iter().enumerate() {
            let baseline = top + i as f64 * RADAR_LABEL_LINE + 11.5;
            cv.text(line, x, baseline, RADAR_LABEL_PX, false, TEXT, align)?;
        }
    }

    Ok(())
}

/// The legend along the foot: shape and line style as well as colour.
fn draw_radar_legend<DB: DrawingBackend>(cv: &Canvas<DB>) -> Result<(), ChartError> {
    let (w, h) = (f64::from(RADAR_SIZE.0), f64::from(RADAR_SIZE.1));
    let y = h - 18.0;
    let sample = 34.0;
    let gap = 8.0;
    let entries = ["Score (solid, circles)", "Target (dashed, squares)"];
    let widths: Vec<f64> = entries
        .iter()
        .map(|e| sample + gap + measure(e, LEGEND_PX, false))
        .collect();
    let spacing = 32.0;
    let total: f64 = widths.iter().sum::<f64>() + spacing;
    let mut x = (w - total) / 2.0;
    let mid = y - 4.0;
    // Score.
    cv.path(&[(x, mid), (x + sample, mid)], NHS_BLUE.to_rgba(), 2.5)?;
    draw_score_marker(cv, (x + sample / 2.0, mid))?;
    cv.text(
        entries[0],
        x + sample + gap,
        y,
        LEGEND_PX,
        false,
        TEXT,
        Align::Left,
    )?;
    x += widths[0] + spacing;
    // Target.
    draw_target_dashes(cv, &[(x, mid), (x + sample, mid)])?;
    draw_target_marker(cv, (x + sample / 2.0, mid))?;
    cv.text(
        entries[1],
        x + sample + gap,
        y,
        LEGEND_PX,
        false,
        TEXT,
        Align::Left,
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The bar chart.

const BARS_TITLE_PX: f64 = 18.0;
/// The smallest a bar chart's title shrinks to before taking a third line.
const BARS_TITLE_MIN_PX: f64 = 14.0;
/// The smallest a bar's label shrinks to before taking a fourth line.
const BARS_LABEL_MIN_PX: f64 = 10.0;
const BARS_LABEL_PX: f64 = 12.0;
const BARS_LABEL_LINE: f64 = 15.0;
const BARS_SMALL_PX: f64 = 11.0;
const ROW_H: f64 = 48.0;
const BAR_H: f64 = 20.0;
const LABEL_COL: f64 = 230.0;

struct BarsLayout {
    size: (u32, u32),
    title: Fitted,
    /// How far the legend and rows move down for a title of more than one line.
    title_extra: f64,
    levels: Vec<String>,
    /// Level-name header lines per level.
    header: Vec<Vec<String>>,
    header_h: f64,
    rows: Vec<BarRow>,
    hidden: usize,
    plot_x0: f64,
    plot_x1: f64,
    rows_top: f64,
}

struct BarRow {
    label: Fitted,
    level: Option<f64>,
    target: Option<f64>,
    note: Option<String>,
}

impl BarsLayout {
    fn new(chart: &BarChart) -> Result<Self, ChartError> {
        fonts()?;
        let w = f64::from(BARS_WIDTH);
        let title = fit_text(
            &clean(&chart.title),
            BARS_TITLE_PX,
            BARS_TITLE_MIN_PX,
            true,
            w - 2.0 * MARGIN,
            2,
        );
        let title_extra = (title.lines.len().max(1) - 1) as f64 * title.px * 1.25;
        let levels = level_names(&chart.level_names);
        let plot_x0 = MARGIN + LABEL_COL + 16.0;
        let last_half = levels
            .last()
            .map(|n| measure(n, BARS_SMALL_PX, false) / 2.0)
            .unwrap_or(0.0)
            .clamp(24.0, 48.0);
        let plot_x1 = w - MARGIN - last_half;
        let step = (plot_x1 - plot_x0) / levels.len() as f64;
        let header: Vec<Vec<String>> = levels
            .iter()
            .map(|n| wrap(n, BARS_SMALL_PX, false, (step - 6.0).max(30.0), 2))
            .collect();
        let header_lines = header.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let header_h = header_lines as f64 * 13.0 + 8.0;
        let rows: Vec<BarRow> = chart
            .bars
            .iter()
            .take(MAX_BARS)
            .map(|b| {
                let level = clamp_level(b.level, levels.len());
                let note = b
                    .note
                    .as_deref()
                    .map(clean)
                    .filter(|s| !s.is_empty())
                    .or_else(|| level.is_none().then(|| "not scored".to_string()))
                    .map(|s| ellipsize(&s, BARS_LABEL_PX, false, plot_x1 - plot_x0 - 16.0));
                BarRow {
                    // Three lines fill a row; a longer name shrinks rather than being cut.
                    label: fit_text(
                        &clean(&b.label),
                        BARS_LABEL_PX,
                        BARS_LABEL_MIN_PX,
                        false,
                        LABEL_COL,
                        3,
                    ),
                    level: if note.is_some() { None } else { level },
                    target: clamp_level(b.target, levels.len()),
                    note,
                }
            })
            .collect();
        let hidden = chart.bars.len().saturating_sub(MAX_BARS);
        let rows_top = 78.0 + title_extra + header_h;
        let body = if rows.is_empty() {
            60.0
        } else {
            rows.len() as f64 * ROW_H
        };
        let extra = if hidden > 0 { 24.0 } else { 0.0 };
        let height = (rows_top + body + extra + 20.0).ceil() as u32;
        Ok(Self {
            size: (BARS_WIDTH, height),
            title,
            title_extra,
            levels,
            header,
            header_h,
            rows,
            hidden,
            plot_x0,
            plot_x1,
            rows_top,
        })
    }

    fn x(&self, v: f64) -> f64 {
        self.plot_x0 + (self.plot_x1 - self.plot_x0) * v / self.levels.len() as f64
    }
}

fn draw_bars<DB: DrawingBackend>(cv: &Canvas<DB>, l: &BarsLayout) -> Result<(), ChartError> {
    let w = f64::from(l.size.0);
    cv.fill(PAPER)?;
    for (i, line) in l.title.lines.iter().enumerate() {
        let y = 32.0 + i as f64 * l.title.px * 1.25;
        cv.text(line, MARGIN, y, l.title.px, true, TEXT, Align::Left)?;
    }
    draw_bars_legend(cv, 58.0 + l.title_extra)?;
    if l.rows.is_empty() {
        cv.text(
            "No capabilities",
            w / 2.0,
            l.rows_top + 30.0,
            14.0,
            false,
            TEXT_GREY,
            Align::Center,
        )?;
        return Ok(());
    }
    let rows_bottom = l.rows_top + l.rows.len() as f64 * ROW_H;
    draw_bars_grid(cv, l, rows_bottom)?;
    for (i, row) in l.rows.iter().enumerate() {
        draw_bar_row(cv, l, i, row)?;
    }
    if l.hidden > 0 {
        cv.text(
            &format!("… and {} more not shown", l.hidden),
            MARGIN,
            rows_bottom + 18.0,
            BARS_LABEL_PX,
            false,
            TEXT_GREY,
            Align::Left,
        )?;
    }
    Ok(())
}

/// The legend under the title: the bar and the target marker.
fn draw_bars_legend<DB: DrawingBackend>(cv: &Canvas<DB>, y: f64) -> Result<(), ChartError> {
    let mut x = MARGIN;
    cv.rect((x, y - 11.0), (x + 22.0, y + 1.0), NHS_BLUE.to_rgba())?;
    x += 30.0;
    let t = "Level reached (bar, named)";
    cv.text(t, x, y, BARS_SMALL_PX, false, TEXT, Align::Left)?;
    x += measure(t, BARS_SMALL_PX, false) + 28.0;
    cv.rect((x, y - 14.0), (x + 3.0, y + 4.0), TEXT.to_rgba())?;
    x += 10.0;
    cv.text(
        "Target (dark marker)",
        x,
        y,
        BARS_SMALL_PX,
        false,
        TEXT,
        Align::Left,
    )?;
    Ok(())
}

/// Row banding, the gridlines with the level names above them, and the axis.
fn draw_bars_grid<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    l: &BarsLayout,
    rows_bottom: f64,
) -> Result<(), ChartError> {
    let w = f64::from(l.size.0);
    // Row banding.
    for (i, _) in l.rows.iter().enumerate().filter(|(i, _)| i % 2 == 1) {
        let top = l.rows_top + i as f64 * ROW_H;
        cv.rect(
            (MARGIN - 8.0, top),
            (w - MARGIN + 8.0, top + ROW_H),
            BAND.to_rgba(),
        )?;
    }
    // Gridlines and level names above them.
    let header_top = l.rows_top - l.header_h;
    for (k, lines) in l.header.iter().enumerate() {
        let gx = l.x((k + 1) as f64);
        cv.path(
            &[(gx, l.rows_top - 4.0), (gx, rows_bottom)],
            GRID_DARK.to_rgba(),
            1.0,
        )?;
        for (i, line) in lines.iter().enumerate() {
            let baseline = header_top + i as f64 * 13.0 + 11.0;
            cv.text(
                line,
                gx,
                baseline,
                BARS_SMALL_PX,
                false,
                TEXT_GREY,
                Align::Center,
            )?;
        }
    }
    cv.path(
        &[(l.plot_x0, l.rows_top - 4.0), (l.plot_x0, rows_bottom)],
        TEXT_GREY.to_rgba(),
        1.0,
    )?;

    Ok(())
}

/// Row `i`: its label, its bar (or the note instead) and its target marker.
fn draw_bar_row<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    l: &BarsLayout,
    i: usize,
    row: &BarRow,
) -> Result<(), ChartError> {
    let top = l.rows_top + i as f64 * ROW_H;
    let bar_top = top + 7.0;
    let bar_mid = bar_top + BAR_H / 2.0;
    // Label, centred on the bar (on the row, for three lines).
    let line_h = BARS_LABEL_LINE * row.label.px / BARS_LABEL_PX;
    let block = row.label.lines.len() as f64 * line_h;
    let label_top = (bar_mid - block / 2.0).max(top + 2.0);
    for (j, line) in row.label.lines.iter().enumerate() {
        let baseline = label_top + j as f64 * line_h + row.label.px * 0.95;
        cv.text(
            line,
            MARGIN,
            baseline,
            row.label.px,
            false,
            TEXT,
            Align::Left,
        )?;
    }
    // Bar, or the note instead.
    if let Some(level) = row.level {
        let x1 = l.x(level);
        cv.rect(
            (l.plot_x0, bar_top),
            (x1, bar_top + BAR_H),
            NHS_BLUE.to_rgba(),
        )?;
        let name = level_label(&l.levels, level);
        let tw = measure(&name, BARS_LABEL_PX, true);
        if tw + 14.0 <= x1 - l.plot_x0 {
            cv.text(
                &name,
                x1 - 7.0,
                bar_mid + 4.5,
                BARS_LABEL_PX,
                true,
                PAPER,
                Align::Right,
            )?;
        } else {
            cv.text(
                &name,
                x1 + 6.0,
                bar_mid + 4.5,
                BARS_LABEL_PX,
                true,
                TEXT,
                Align::Left,
            )?;
        }
    } else if let Some(note) = &row.note {
        cv.text(
            note,
            l.plot_x0 + 8.0,
            bar_mid + 4.5,
            BARS_LABEL_PX,
            false,
            TEXT_GREY,
            Align::Left,
        )?;
    }
    if let Some(t) = row.target {
        let background = if i % 2 == 1 { BAND } else { PAPER };
        draw_bar_target(cv, l, t, bar_top, background)?;
    }
    Ok(())
}

/// The target marker at level `t` on a row whose bar starts at `bar_top`, and its name
/// (to the right of the marker, or to its left where the right has no room) on a patch of
/// the row's `background`, so that no gridline runs through it.
fn draw_bar_target<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    l: &BarsLayout,
    t: f64,
    bar_top: f64,
    background: RGBColor,
) -> Result<(), ChartError> {
    let w = f64::from(l.size.0);
    let tx = l.x(t);
    cv.rect(
        (tx - 1.5, bar_top - 4.0),
        (tx + 1.5, bar_top + BAR_H + 14.0),
        TEXT.to_rgba(),
    )?;
    let text = format!("target: {}", level_label(&l.levels, t));
    let tw = measure(&text, BARS_SMALL_PX, false);
    let baseline = bar_top + BAR_H + 14.0;
    let right = tx + 5.0 + tw <= w - 4.0;
    let x0 = if right { tx + 3.0 } else { tx - 7.0 - tw };
    cv.rect(
        (x0, baseline - BARS_SMALL_PX),
        (x0 + tw + 4.0, baseline + 3.0),
        background.to_rgba(),
    )?;
    if right {
        cv.text(
            &text,
            tx + 5.0,
            baseline,
            BARS_SMALL_PX,
            false,
            TEXT,
            Align::Left,
        )?;
    } else {
        cv.text(
            &text,
            tx - 5.0,
            baseline,
            BARS_SMALL_PX,
            false,
            TEXT,
            Align::Right,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_is_kept_and_messy_text_is_tidied() {
        let slow = |s: &str| -> String {
            let s: String = s
                .chars()
                .take(MAX_TEXT_CHARS)
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            s.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        let long = "x ".repeat(MAX_TEXT_CHARS);
        for s in [
            "",
            " ",
            "2024-04",
            "A&E: 4 hours",
            " lead",
            "trail ",
            "two  spaces",
            "tab\there",
            "nbsp\u{a0}here",
            "bell\u{7}",
            "line\nbreak",
            "é ü",
            long.as_str(),
        ] {
            assert_eq!(clean(s), slow(s), "{s:?}");
        }
    }

    fn names() -> Vec<String> {
        [
            "Starting out",
            "Developing",
            "Maturing",
            "Embedded",
            "Mastering",
        ]
        .map(String::from)
        .to_vec()
    }

    pub(super) fn sample_radar() -> RadarChart {
        let axes = [
            "3.1 Understanding the local context",
            "3.2 Population health management",
            "3.3 Strategic commissioning",
            "3.4 Outcomes-based contracting",
            "3.5 Provider collaboration",
            "4.1 Data and digital infrastructure",
            "4.2 Analytical capability",
            "4.3 Workforce and leadership",
            "4.4 Intelligent healthcare payor",
            "4.5 Financial sustainability",
            "4.6 Public and patient engagement",
        ];
        let score = [2.33, 1.75, 3.0, 2.5, 3.67, 2.0, 2.75, 3.25, 1.8, 2.6, 3.1];
        RadarChart {
            title: "Capability by domain".into(),
            description: "Scores by domain, from 1.75 to 3.67 out of 5, against targets about one level higher.".into(),
            axes: axes.map(String::from).to_vec(),
            level_names: names(),
            score: score.iter().map(|&s| Some(s)).collect(),
            target: score.iter().map(|&s| Some((s + 1.0_f64).round().min(5.0))).collect(),
        }
    }

    pub(super) fn sample_bars() -> BarChart {
        BarChart {
            title: "3.1 Understanding the local context".into(),
            description: "Five capabilities: levels against targets.".into(),
            level_names: names(),
            bars: vec![
                Bar { label: "3.1.1 Population needs assessment".into(), level: Some(2.0), target: Some(4.0), note: None },
                Bar { label: "3.1.2 Using linked data to understand health inequalities across the system".into(), level: Some(3.0), target: Some(4.0), note: None },
                Bar { label: "3.1.3 Community and voluntary sector insight".into(), level: Some(1.0), target: Some(3.0), note: None },
                Bar { label: "3.1.4 Horizon scanning".into(), level: None, target: Some(3.0), note: Some("not answered".into()) },
                Bar { label: "3.1.5 Place-based partnerships".into(), level: Some(4.5), target: Some(5.0), note: None },
            ],
        }
    }

    #[test]
    fn bar_titles_and_labels_are_whole_and_target_names_sit_on_a_patch() {
        let mut chart = sample_bars();
        chart.title = "4.2 Clinical and care professional leadership and governance: capability levels and targets".into();
        chart.bars[0].label =
            "Understanding of biological, psychological and social risk and best practice pathways"
                .into();
        let l = BarsLayout::new(&chart).unwrap();
        assert_eq!(l.title.lines.join(" "), chart.title);
        assert_eq!(l.rows[0].label.lines.join(" "), chart.bars[0].label);
        let svg = bars_svg(&chart).unwrap();
        assert!(!svg.contains('…'), "nothing is cut");
        // Each target's name is drawn on a patch of its row's colour (white on even rows,
        // the band on odd ones), after the gridlines, so that none runs through it.
        let first = svg.find("target: ").unwrap();
        let patch = svg[..first].rfind("<rect").unwrap();
        assert!(
            svg[patch..first].contains("fill=\"#FFFFFF\""),
            "{}",
            &svg[patch..first]
        );
        assert!(svg.contains("fill=\"#F0F4F5\""));
    }

    fn png_size(png: &[u8]) -> (u32, u32) {
        use image::ImageDecoder;
        let dec = image::codecs::png::PngDecoder::new(std::io::Cursor::new(png)).unwrap();
        dec.dimensions()
    }

    const HOSTILE: &str = "<script>alert(1)</script> & \"x\" 'y'";

    #[test]
    fn svg_has_title_and_desc_referenced_by_aria() {
        for (svg, title) in [
            (radar_svg(&sample_radar()).unwrap(), "Capability by domain"),
            (
                bars_svg(&sample_bars()).unwrap(),
                "3.1 Understanding the local context",
            ),
        ] {
            assert!(svg.starts_with("<svg "), "{svg:.200}");
            let root = &svg[..svg.find('>').unwrap()];
            assert!(root.contains(r#"role="img""#), "{root}");
            let ids = root.split("aria-labelledby=\"").nth(1).unwrap();
            let ids: Vec<&str> = ids[..ids.find('"').unwrap()].split(' ').collect();
            assert_eq!(ids.len(), 2);
            assert!(ids[0].ends_with("-title") && ids[1].ends_with("-desc"));
            let after_root = svg[svg.find('>').unwrap() + 1..].trim_start();
            assert!(
                after_root.starts_with(&format!("<title id=\"{}\">{}</title>", ids[0], title)),
                "{after_root:.200}"
            );
            assert!(svg.contains(&format!("<desc id=\"{}\">", ids[1])));
            assert_eq!(svg.matches("<title").count(), 1);
        }
        // Different charts get different ids.
        let a = radar_svg(&sample_radar()).unwrap();
        let mut other = sample_radar();
        other.title = "Capability by domain (2025)".into();
        let b = radar_svg(&other).unwrap();
        let id = |s: &str| {
            s.split("id=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string()
        };
        assert_ne!(id(&a), id(&b));
        assert!(id(&a).starts_with("sct-radar-capability-by-domain-"));
    }

    #[test]
    fn hostile_text_is_escaped() {
        let mut r = sample_radar();
        r.title = HOSTILE.into();
        r.description = HOSTILE.into();
        r.axes[0] = HOSTILE.into();
        r.level_names[0] = HOSTILE.into();
        let mut b = sample_bars();
        b.title = HOSTILE.into();
        b.description = HOSTILE.into();
        b.bars[0].label = HOSTILE.into();
        b.bars[1].level = Some(1.0);
        b.level_names[0] = HOSTILE.into();
        b.bars[3].note = Some(HOSTILE.into());
        for svg in [radar_svg(&r).unwrap(), bars_svg(&b).unwrap()] {
            assert!(!svg.contains("<script"), "raw markup leaked");
            assert!(!svg.contains("\"x\""), "raw quote leaked");
            assert!(svg.contains("&lt;script&gt;"));
            assert!(svg.contains("&amp;"));
            assert!(svg.contains("&quot;x&quot;"));
            assert!(svg.contains("&apos;y&apos;"));
            // Title and desc hold the whole escaped text.
            let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &apos;y&apos;";
            assert!(svg.contains(&format!("\">{escaped}</title>")));
            assert!(svg.contains(&format!("\">{escaped}</desc>")));
        }
        // Control characters (not allowed in XML) never reach the SVG.
        r.axes[1] = "bell\u{7}and\u{0}nul".into();
        let svg = radar_svg(&r).unwrap();
        assert!(!svg.chars().any(|c| c.is_control() && c != '\n'));
    }

    #[test]
    fn renders_are_deterministic() {
        let (r, b) = (sample_radar(), sample_bars());
        for format in [ChartFormat::Svg, ChartFormat::Png] {
            assert_eq!(radar(&r, format).unwrap(), radar(&r, format).unwrap());
            assert_eq!(bars(&b, format).unwrap(), bars(&b, format).unwrap());
        }
        assert_eq!(
            radar_svg(&r).unwrap().into_bytes(),
            radar(&r, ChartFormat::Svg).unwrap()
        );
    }

    #[test]
    fn png_has_signature_and_size() {
        const SIG: &[u8] = b"\x89PNG\r\n\x1a\n";
        let png = radar(&sample_radar(), ChartFormat::Png).unwrap();
        assert!(png.starts_with(SIG));
        assert_eq!(png_size(&png), RADAR_SIZE);
        let b = sample_bars();
        let png = bars(&b, ChartFormat::Png).unwrap();
        assert!(png.starts_with(SIG));
        let (w, h) = png_size(&png);
        assert_eq!(w, 720);
        // Height grows with the number of bars, and matches the SVG.
        let svg = bars_svg(&b).unwrap();
        assert!(svg.contains(&format!("height=\"{h}\"")));
        let mut more = b.clone();
        more.bars.extend(b.bars.iter().cloned());
        let (_, h2) = png_size(&bars(&more, ChartFormat::Png).unwrap());
        assert!(h2 > h);
    }

    #[test]
    fn level_names_appear_in_svg() {
        let svg = radar_svg(&sample_radar()).unwrap();
        for name in names() {
            assert!(svg.contains(&name), "radar lacks {name}");
        }
        let svg = bars_svg(&sample_bars()).unwrap();
        for name in names() {
            assert!(svg.contains(&name), "bars lack {name}");
        }
        assert!(svg.contains("target: Embedded"));
        assert!(svg.contains("not answered"));
        assert!(svg.contains("Embedded (4.5)"));
        assert!(
            radar_svg(&sample_radar())
                .unwrap()
                .contains("Score (solid, circles)")
        );
        assert!(
            radar_svg(&sample_radar())
                .unwrap()
                .contains("Target (dashed, squares)")
        );
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let empty_radar = RadarChart {
            title: String::new(),
            description: String::new(),
            axes: vec![],
            level_names: vec![],
            score: vec![],
            target: vec![],
        };
        let empty_bars = BarChart {
            title: String::new(),
            description: String::new(),
            level_names: vec![],
            bars: vec![],
        };
        let weird = [
            None,
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
            Some(-3.0),
            Some(0.0),
            Some(99.0),
            Some(2.5),
        ];
        let mut radars = vec![empty_radar.clone()];
        for n in 1..=4 {
            let mut r = sample_radar();
            r.axes.truncate(n);
            radars.push(r);
        }
        let mut r = sample_radar();
        r.score = weird.to_vec();
        r.target = weird.iter().rev().copied().collect();
        r.axes.push("x".repeat(5000));
        r.axes.push(String::new());
        radars.push(r.clone());
        r.level_names = vec![];
        r.score.clear();
        radars.push(r.clone());
        r.level_names = vec!["Only".into()];
        radars.push(r);
        let mut r = sample_radar();
        r.axes = (0..200).map(|i| format!("Axis {i}")).collect();
        radars.push(r);
        for r in &radars {
            for f in [ChartFormat::Svg, ChartFormat::Png] {
                radar(r, f).unwrap();
            }
        }
        assert!(
            radar_svg(&empty_radar)
                .unwrap()
                .contains("No domains to show")
        );

        let mut b = sample_bars();
        b.bars = weird
            .iter()
            .zip(weird.iter().rev())
            .map(|(&level, &target)| Bar {
                label: "w".repeat(400),
                level,
                target,
                note: None,
            })
            .collect();
        b.bars.push(Bar {
            label: String::new(),
            level: Some(2.0),
            target: None,
            note: Some(String::new()),
        });
        let mut many = sample_bars();
        many.bars = (0..500)
            .map(|i| Bar {
                label: format!("Row {i}"),
                level: Some(f64::from(i % 5 + 1)),
                target: None,
                note: None,
            })
            .collect();
        let mut no_levels = sample_bars();
        no_levels.level_names.clear();
        for chart in [&empty_bars, &b, &many, &no_levels] {
            for f in [ChartFormat::Svg, ChartFormat::Png] {
                bars(chart, f).unwrap();
            }
        }
        let svg = bars_svg(&empty_bars).unwrap();
        assert!(svg.contains("No capabilities"));
        assert!(bars_svg(&many).unwrap().contains("440 more not shown"));
    }

    #[test]
    fn wrapping_and_dashes() {
        let lines = wrap("3.1 Understanding the local context", 12.0, false, 150.0, 3);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines.iter().all(|l| measure(l, 12.0, false) <= 150.0));
        let long = wrap(&"word ".repeat(100), 12.0, false, 100.0, 2);
        assert_eq!(long.len(), 2);
        assert!(long[1].ends_with('…'));
        assert!(wrap("", 12.0, false, 100.0, 2).is_empty());
        // Fitted text is never cut: it shrinks, then takes more lines.
        let text = "A&E: patients admitted, transferred or discharged within 4 hours (all types)";
        assert!(wrap(text, 18.0, true, 330.0, usize::MAX).len() > 2);
        let fitted = fit_text(text, 18.0, 13.0, true, 330.0, 2);
        assert_eq!(fitted.lines.join(" "), text);
        assert!(fitted.lines.len() <= 2 && fitted.px < 18.0 && fitted.px >= 13.0);
        let tight = fit_text(text, 18.0, 13.0, true, 230.0, 2);
        assert_eq!((tight.lines.join(" ").as_str(), tight.px), (text, 13.0));
        assert!(tight.lines.len() > 2);
        assert_eq!(fit_text("Short", 18.0, 13.0, true, 400.0, 2).px, 18.0);
        let absurd = fit_text(&"word ".repeat(500), 18.0, 13.0, true, 230.0, 2);
        assert_eq!(absurd.lines.len(), 4);
        assert!(absurd.lines[3].ends_with('…'));
        // 0-8, 14-22, 28-36 (round the corner at 30), 42-50, 56-60.
        let d = dashes(&[(0.0, 0.0), (30.0, 0.0), (30.0, 30.0)], 8.0, 6.0);
        assert_eq!(d.len(), 5, "{d:?}");
        assert_eq!(d[2], vec![(28.0, 0.0), (30.0, 0.0), (30.0, 6.0)]);
        assert!(dashes(&[(f64::NAN, 0.0), (1.0, 1.0)], 9.0, 6.0).is_empty());
    }
}
