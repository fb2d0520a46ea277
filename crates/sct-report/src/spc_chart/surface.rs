//! The two outputs an SPC chart is drawn on. The chart is drawn once ([`super::draw_spc`]:
//! the same calls at every size) against [`Surface`]; [`SvgSurface`] writes each call as SVG
//! text straight into a String (fast: the compact charts of a report of thousands cost
//! microseconds each), and the chart toolkit's [`Canvas`] draws it on a bitmap for PNG.
//!
//! The primitives are the chart's own: one call draws a whole series of lines as one `<path>`,
//! a group of labels as one `<g>`, and a point's mark with its tooltip, so that the SVG stays
//! small.

use std::cell::RefCell;
use std::fmt::Write;

use plotters::prelude::{DrawingBackend, RGBAColor, RGBColor};

use super::Kind;
use super::compact::{coord, css, polyline, xy};
use super::{GREY, PURPLE};
use crate::charts::{
    Align, Canvas, ChartError, NHS_BLUE, NHS_ORANGE, PAPER, Pt, TEXT, dashes, escape_xml_into,
};

/// How a line is stroked.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stroke {
    pub(super) color: RGBColor,
    pub(super) width: f64,
    /// Dash and gap lengths; `None` for a solid line.
    pub(super) dash: Option<(f64, f64)>,
}

/// How text is set.
#[derive(Debug, Clone, Copy)]
pub(super) struct Font {
    /// Pixels to the em.
    pub(super) px: f64,
    pub(super) bold: bool,
    pub(super) color: RGBColor,
    pub(super) align: Align,
}

/// The text size every SVG's root sets, which texts of that size need not repeat.
const ROOT_PX: f64 = 11.0;

/// A drawing surface in logical pixels, x to the right and y down.
pub(super) trait Surface {
    /// Fills the whole surface.
    fn fill(&self, color: RGBColor) -> Result<(), ChartError>;
    /// A filled rectangle between corners `a` and `b`.
    fn rect(&self, a: Pt, b: Pt, color: RGBColor) -> Result<(), ChartError>;
    /// Open polylines, one stroke.
    fn lines(&self, lines: &[Vec<Pt>], s: Stroke) -> Result<(), ChartError>;
    /// The data's polylines (each point written out, never shortened), one stroke.
    fn trace(&self, lines: &[Vec<Pt>], s: Stroke) -> Result<(), ChartError>;
    /// An axis line from `a` to `b`.
    fn rule(&self, a: Pt, b: Pt, s: Stroke) -> Result<(), ChartError>;
    /// Ticks `len` long down from each point of `at`.
    fn ticks(&self, at: &[Pt], len: f64, s: Stroke) -> Result<(), ChartError>;
    /// A filled circle of radius `r` at `c`.
    fn circle(&self, c: Pt, r: f64, color: RGBColor) -> Result<(), ChartError>;
    /// Round dots `d` across, one at each point.
    fn dots(&self, at: &[Pt], color: RGBColor, d: f64) -> Result<(), ChartError>;
    /// A special-cause point's mark of `kind` at `c`, `k` times the compact chart's size, with
    /// a tooltip (`label: why`) where the output has them.
    fn mark(
        &self,
        kind: Kind,
        c: Pt,
        k: f64,
        title: Option<(&str, &str)>,
    ) -> Result<(), ChartError>;
    /// A tooltip (`label: why`) over a dot `d` across at `c`, where the output has them.
    fn tip(&self, c: Pt, d: f64, title: (&str, &str)) -> Result<(), ChartError>;
    /// Text with its baseline at `at.1`.
    fn text(&self, s: &str, at: Pt, font: Font) -> Result<(), ChartError>;
    /// Texts in one font, each with its own alignment.
    fn texts(&self, items: &[(Pt, &str, Align)], font: Font) -> Result<(), ChartError>;
}

/// The shapes of the marks, `k` times the compact size: the radius of the shape's path and the
/// width of its casing (a stroke centred on the path).
const IMPROVEMENT: (f64, f64) = (4.5, 1.5);
/// A common-cause dot's radius (no casing).
const COMMON_R: f64 = 2.25;
const CONCERN: (f64, f64) = (5.5, 1.2);
const NEUTRAL: (f64, f64) = (6.5, 1.2);

/// A diamond of half-diagonal `r` about `c`.
fn diamond((x, y): Pt, r: f64) -> Vec<Pt> {
    vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)]
}

/// A triangle of circumradius `r` about its centroid `c`, pointing up or down.
fn triangle((x, y): Pt, r: f64, up: bool) -> Vec<Pt> {
    let s = if up { 1.0 } else { -1.0 };
    let h = r * 3f64.sqrt() / 2.0;
    vec![
        (x, y - s * r),
        (x + h, y + s * r / 2.0),
        (x - h, y + s * r / 2.0),
    ]
}

fn rgba(c: RGBColor) -> RGBAColor {
    RGBAColor(c.0, c.1, c.2, 1.0)
}

impl<DB: DrawingBackend> Surface for Canvas<'_, DB> {
    fn fill(&self, color: RGBColor) -> Result<(), ChartError> {
        Canvas::fill(self, color)
    }
    fn rect(&self, a: Pt, b: Pt, color: RGBColor) -> Result<(), ChartError> {
        Canvas::rect(self, a, b, rgba(color))
    }
    fn lines(&self, lines: &[Vec<Pt>], s: Stroke) -> Result<(), ChartError> {
        for line in lines {
            match s.dash {
                None => self.path(line, rgba(s.color), s.width)?,
                Some((dash, gap)) => {
                    for d in dashes(line, dash, gap) {
                        self.path(&d, rgba(s.color), s.width)?;
                    }
                }
            }
        }
        Ok(())
    }
    fn trace(&self, lines: &[Vec<Pt>], s: Stroke) -> Result<(), ChartError> {
        Surface::lines(self, lines, s)
    }
    fn rule(&self, a: Pt, b: Pt, s: Stroke) -> Result<(), ChartError> {
        self.path(&[a, b], rgba(s.color), s.width)
    }
    fn ticks(&self, at: &[Pt], len: f64, s: Stroke) -> Result<(), ChartError> {
        for &(x, y) in at {
            self.path(&[(x, y), (x, y + len)], rgba(s.color), s.width)?;
        }
        Ok(())
    }
    fn circle(&self, c: Pt, r: f64, color: RGBColor) -> Result<(), ChartError> {
        Canvas::circle(self, c, r, rgba(color), true)
    }
    fn dots(&self, at: &[Pt], color: RGBColor, d: f64) -> Result<(), ChartError> {
        for &c in at {
            Canvas::circle(self, c, d / 2.0, rgba(color), true)?;
        }
        Ok(())
    }
    fn mark(&self, kind: Kind, c: Pt, k: f64, _: Option<(&str, &str)>) -> Result<(), ChartError> {
        // The casing, then the fill inside it: a stroke centred on the shape's path.
        match kind {
            Kind::Common => Canvas::circle(self, c, COMMON_R * k, rgba(GREY), true),
            Kind::Improvement => {
                let (r, w) = (IMPROVEMENT.0 * k, IMPROVEMENT.1 * k);
                Canvas::circle(self, c, r + w / 2.0, rgba(PAPER), true)?;
                Canvas::circle(self, c, r - w / 2.0, rgba(NHS_BLUE), true)
            }
            Kind::Concern => {
                // A stroke's mitred corner reaches √2 times its half width further.
                let (r, w) = (CONCERN.0 * k, CONCERN.1 * k * std::f64::consts::SQRT_2);
                Canvas::polygon(self, &diamond(c, r + w / 2.0), rgba(TEXT))?;
                Canvas::polygon(self, &diamond(c, r - w / 2.0), rgba(NHS_ORANGE))
            }
            Kind::NeutralHigh | Kind::NeutralLow => {
                // A triangle's corner moves twice the stroke's offset.
                let (r, w, up) = (NEUTRAL.0 * k, NEUTRAL.1 * k, kind == Kind::NeutralHigh);
                Canvas::polygon(self, &triangle(c, r + w, up), rgba(PAPER))?;
                Canvas::polygon(self, &triangle(c, r - w, up), rgba(PURPLE))
            }
        }
    }
    fn tip(&self, _: Pt, _: f64, _: (&str, &str)) -> Result<(), ChartError> {
        Ok(())
    }
    fn text(&self, s: &str, (x, y): Pt, f: Font) -> Result<(), ChartError> {
        Canvas::text(self, s, x, y, f.px, f.bold, f.color, f.align)
    }
    fn texts(&self, items: &[(Pt, &str, Align)], f: Font) -> Result<(), ChartError> {
        for &(at, s, align) in items {
            Surface::text(self, s, at, Font { align, ..f })?;
        }
        Ok(())
    }
}

/// SVG written as text into a String, coordinates to one decimal place.
pub(super) struct SvgSurface<'a> {
    out: RefCell<&'a mut String>,
    size: (u32, u32),
}

impl<'a> SvgSurface<'a> {
    /// A surface of `size` writing into `out`, after a start tag the caller has written.
    pub(super) fn new(out: &'a mut String, size: (u32, u32)) -> SvgSurface<'a> {
        SvgSurface {
            out: RefCell::new(out),
            size,
        }
    }

    /// Writes `f` into the SVG.
    fn write(&self, f: impl FnOnce(&mut String)) -> Result<(), ChartError> {
        f(&mut self.out.borrow_mut());
        Ok(())
    }
}

/// The `<svg>` start tag of `size` (the caller adds `role` and the `<title>`,
/// [`crate::charts::accessible_svg`]).
pub(super) fn svg_start(size: (u32, u32)) -> String {
    let (w, h) = size;
    let mut out = String::with_capacity(16 * 1024);
    let _ = writeln!(
        out,
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"{ROOT_PX}\">"
    );
    out
}

/// Writes `<path d=…>` of the polylines' data `d`, stroked, if there is anything to draw.
fn stroke_path(out: &mut String, d: &str, s: Stroke) {
    if d.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<path d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"",
        css(s.color)
    );
    coord(out, s.width);
    if let Some((dash, gap)) = s.dash {
        out.push_str("\" stroke-dasharray=\"");
        coord(out, dash);
        out.push(' ');
        coord(out, gap);
    }
    out.push_str("\"/>");
}

/// Writes a text's attributes after `x` and `y`: alignment (unless `inherited`), then colour,
/// size and weight (unless `grouped`, when its `<g>` has them).
fn font_attrs(out: &mut String, f: Font, inherited: Align, grouped: bool) {
    if f.align != inherited {
        out.push_str(match f.align {
            Align::Left => " text-anchor=\"start\"",
            Align::Center => " text-anchor=\"middle\"",
            Align::Right => " text-anchor=\"end\"",
        });
    }
    if grouped {
        return;
    }
    let _ = write!(out, " fill=\"{}\"", css(f.color));
    size_and_weight(out, f);
}

/// Writes a font's size (unless the root's) and weight (if bold).
fn size_and_weight(out: &mut String, f: Font) {
    if f.px != ROOT_PX {
        out.push_str(" font-size=\"");
        coord(out, f.px);
        out.push('"');
    }
    if f.bold {
        out.push_str(" font-weight=\"bold\"");
    }
}

/// Writes `<text x y …>s</text>`.
fn text_element(out: &mut String, s: &str, (x, y): Pt, f: Font, inherited: Align, grouped: bool) {
    out.push_str("<text x=\"");
    coord(out, x);
    out.push_str("\" y=\"");
    coord(out, y);
    out.push('"');
    font_attrs(out, f, inherited, grouped);
    out.push('>');
    escape_xml_into(out, s);
    out.push_str("</text>");
}

/// Writes `(label): (why)` as a `<title>`.
fn title_element(out: &mut String, (label, why): (&str, &str)) {
    out.push_str("<title>");
    escape_xml_into(out, label);
    out.push_str(": ");
    escape_xml_into(out, why);
    out.push_str("</title>");
}

impl Surface for SvgSurface<'_> {
    fn fill(&self, color: RGBColor) -> Result<(), ChartError> {
        let (w, h) = self.size;
        self.write(|out| {
            let _ = writeln!(
                out,
                "<rect width=\"{w}\" height=\"{h}\" fill=\"{}\"/>",
                css(color)
            );
        })
    }
    fn rect(&self, a: Pt, b: Pt, color: RGBColor) -> Result<(), ChartError> {
        self.write(|out| {
            out.push_str("<rect x=\"");
            coord(out, a.0.min(b.0));
            out.push_str("\" y=\"");
            coord(out, a.1.min(b.1));
            out.push_str("\" width=\"");
            coord(out, (b.0 - a.0).abs());
            out.push_str("\" height=\"");
            coord(out, (b.1 - a.1).abs());
            let _ = writeln!(out, "\" fill=\"{}\"/>", css(color));
        })
    }
    fn lines(&self, lines: &[Vec<Pt>], s: Stroke) -> Result<(), ChartError> {
        let mut d = String::new();
        for line in lines.iter().filter(|l| l.len() > 1) {
            polyline(&mut d, line);
        }
        self.write(|out| stroke_path(out, &d, s))
    }
    fn trace(&self, lines: &[Vec<Pt>], s: Stroke) -> Result<(), ChartError> {
        let mut d = String::new();
        for line in lines {
            for (i, &p) in line.iter().enumerate() {
                d.push(if i == 0 { 'M' } else { 'L' });
                xy(&mut d, p);
            }
        }
        self.write(|out| stroke_path(out, &d, s))
    }
    fn rule(&self, a: Pt, b: Pt, s: Stroke) -> Result<(), ChartError> {
        self.write(|out| {
            out.push_str("<path d=\"");
            polyline(out, &[a, b]);
            let _ = write!(out, "\" stroke=\"{}\" stroke-width=\"", css(s.color));
            coord(out, s.width);
            out.push_str("\"/>\n");
        })
    }
    fn ticks(&self, at: &[Pt], len: f64, s: Stroke) -> Result<(), ChartError> {
        let mut d = String::new();
        for &p in at {
            d.push('M');
            xy(&mut d, p);
            d.push('v');
            coord(&mut d, len);
        }
        self.write(|out| stroke_path(out, &d, s))
    }
    fn circle(&self, c: Pt, r: f64, color: RGBColor) -> Result<(), ChartError> {
        self.write(|out| {
            circle_start(out, c, r);
            let _ = writeln!(out, "\" fill=\"{}\"/>", css(color));
        })
    }
    fn dots(&self, at: &[Pt], color: RGBColor, d: f64) -> Result<(), ChartError> {
        // Round dots as zero-length segments of one path.
        self.write(|out| {
            if !at.is_empty() {
                out.push_str("<path d=\"");
                for &p in at {
                    out.push('M');
                    xy(out, p);
                    out.push_str("h0");
                }
                let _ = write!(out, "\" stroke=\"{}\" stroke-width=\"", css(color));
                coord(out, d);
                out.push_str("\" stroke-linecap=\"round\"/>");
            }
            out.push('\n');
        })
    }
    fn mark(
        &self,
        kind: Kind,
        c: Pt,
        k: f64,
        title: Option<(&str, &str)>,
    ) -> Result<(), ChartError> {
        self.write(|out| {
            let element = svg_mark(out, kind, c, k);
            match title {
                Some(t) => {
                    out.push('>');
                    title_element(out, t);
                    let _ = writeln!(out, "</{element}>");
                }
                None => out.push_str("/>\n"),
            }
        })
    }
    fn tip(&self, c: Pt, d: f64, title: (&str, &str)) -> Result<(), ChartError> {
        self.write(|out| {
            circle_start(out, c, d);
            out.push_str("\" fill=\"transparent\">");
            title_element(out, title);
            out.push_str("</circle>\n");
        })
    }
    fn text(&self, s: &str, at: Pt, f: Font) -> Result<(), ChartError> {
        if s.is_empty() {
            return Ok(());
        }
        self.write(|out| {
            text_element(out, s, at, f, Align::Left, false);
            out.push('\n');
        })
    }
    fn texts(&self, items: &[(Pt, &str, Align)], f: Font) -> Result<(), ChartError> {
        self.write(|out| {
            // The group carries the font; each text only an alignment of its own.
            let _ = write!(out, "<g fill=\"{}\"", css(f.color));
            font_attrs(out, f, Align::Left, true);
            size_and_weight(out, f);
            out.push('>');
            for &(at, s, align) in items {
                text_element(out, s, at, Font { align, ..f }, f.align, true);
            }
            out.push_str("</g>\n");
        })
    }
}

/// Writes a mark's element up to its end (`>` or `/>` to come); returns its name.
fn svg_mark(out: &mut String, kind: Kind, c: Pt, k: f64) -> &'static str {
    let casing = |out: &mut String, fill: RGBColor, stroke: RGBColor, w: f64| {
        let _ = write!(
            out,
            "\" fill=\"{}\" stroke=\"{}\" stroke-width=\"",
            css(fill),
            css(stroke)
        );
        coord(out, w * k);
        out.push('"');
    };
    let circle = |out: &mut String, r: f64| circle_start(out, c, r * k);
    match kind {
        Kind::Common => {
            // A dot, as [`Surface::dots`] draws it.
            circle(out, COMMON_R);
            let _ = write!(out, "\" fill=\"{}\"", css(GREY));
            "circle"
        }
        Kind::Improvement => {
            circle(out, IMPROVEMENT.0);
            casing(out, NHS_BLUE, PAPER, IMPROVEMENT.1);
            "circle"
        }
        Kind::Concern => {
            let r = CONCERN.0 * k;
            out.push_str("<path d=\"M");
            xy(out, (c.0, c.1 - r));
            out.push('l');
            let mut rr = String::new();
            coord(&mut rr, r);
            let _ = write!(out, "{rr} {rr}-{rr} {rr}-{rr}-{rr}z");
            casing(out, NHS_ORANGE, TEXT, CONCERN.1);
            "path"
        }
        Kind::NeutralHigh | Kind::NeutralLow => {
            let t = triangle(c, NEUTRAL.0 * k, kind == Kind::NeutralHigh);
            out.push_str("<path d=\"M");
            xy(out, t[0]);
            out.push('L');
            xy(out, t[1]);
            out.push('L');
            xy(out, t[2]);
            out.push('z');
            casing(out, PURPLE, PAPER, NEUTRAL.1);
            "path"
        }
    }
}

/// The start of a `<circle>` centred at `c` with radius `r`, up to the radius's closing quote
/// (left open for the fill and any title).
fn circle_start(out: &mut String, c: Pt, r: f64) {
    out.push_str("<circle cx=\"");
    coord(out, c.0);
    out.push_str("\" cy=\"");
    coord(out, c.1);
    out.push_str("\" r=\"");
    coord(out, r);
}
