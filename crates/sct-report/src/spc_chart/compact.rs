//! A compact SPC chart for reports that hold thousands of charts (`sct kpi ipr --orgs all`:
//! 42 organisations × 60 indicators). It shows what the full chart shows, drawn from the
//! same [`Series`] and described by the same [`describe`], but written by hand straight into
//! the report's buffer: one `<path>` per series (the values, each segment's centre line, its
//! limits, the target), common-cause points as one path of round dots, and each special-cause
//! point as a small mark with a `<title>` tooltip saying why it is flagged. No text is
//! measured (label widths are estimated from their length), so a chart costs microseconds and
//! a few kilobytes instead of plotters' tens of kilobytes.
//!
//! The markers keep the full chart's shapes (colour is never the only signal): grey dots for
//! common cause, blue circles for improvement, orange diamonds for concern, purple triangles
//! (up high, down low) for neutral special causes; the centre line is solid, the process
//! limits short-dashed, the target long-dashed in red and a rebase a dotted vertical line.
//! [`LEGEND`] says so in words, for the report to print once beside its charts.

use std::fmt::Write;

use plotters::style::RGBColor;

use super::{
    GREY, Kind, PURPLE, Point, RED, RUN_SHADE, Series, SpcChart, describe, point_xs, segment_lines,
    value_ticks,
};
use crate::charts::{
    GRID, GRID_DARK, NHS_BLUE, NHS_ORANGE, PAPER, Pt, TEXT, TEXT_GREY, clean,
    escape_xml_into as escape_into,
};

/// The compact chart's size in SVG units (it scales down with the page).
pub const COMPACT_SIZE: (u32, u32) = (760, 200);

/// The key to every compact chart's marks and lines, in words.
pub const LEGEND: &str = "In each chart: grey dots are common cause, blue circles special cause improvement, orange diamonds special cause concern, purple triangles special cause with no better direction (pointing up when high, down when low); the solid line is the centre line (the mean, or the median of a run chart), short dashes the process limits, long red dashes the target and a dotted vertical line a rebase. Hover a marked point for why it is flagged.";

const TICK_PX: f64 = 11.0;
/// An estimate of a tick label's character width at [`TICK_PX`] (digits, '-', '.').
const CHAR_W: f64 = 6.4;
const PLOT_TOP: f64 = 18.0;
const PLOT_BOTTOM: f64 = 172.0;
const RIGHT: f64 = 752.0;

/// A colour as `#RRGGBB` (written per use: a few bytes, no allocation worth caching).
fn css(c: RGBColor) -> Css {
    Css(c)
}

/// A colour formatted as `#RRGGBB`.
struct Css(RGBColor);

impl std::fmt::Display for Css {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let RGBColor(r, g, b) = self.0;
        let hex = b"0123456789ABCDEF";
        let digits = [
            b'#',
            hex[usize::from(r >> 4)],
            hex[usize::from(r & 15)],
            hex[usize::from(g >> 4)],
            hex[usize::from(g & 15)],
            hex[usize::from(b >> 4)],
            hex[usize::from(b & 15)],
        ];
        f.write_str(std::str::from_utf8(&digits).unwrap_or("#000000"))
    }
}

/// Writes `v` to one decimal place, without a trailing ".0" and without a negative zero
/// (coordinates). Hand-rolled: a chart has a thousand of them, and `format!` dominated.
pub(crate) fn coord(out: &mut String, v: f64) {
    // `as` saturates and maps NaN to 0: never panics.
    let tenths = (v * 10.0).round() as i64;
    if tenths < 0 {
        out.push('-');
    }
    let abs = tenths.unsigned_abs();
    let (mut whole, frac) = (abs / 10, abs % 10);
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (whole % 10) as u8;
        whole /= 10;
        if whole == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
    if frac != 0 {
        out.push('.');
        out.push(char::from(b'0' + frac as u8));
    }
}

fn xy(out: &mut String, (x, y): Pt) {
    coord(out, x);
    out.push(' ');
    coord(out, y);
}

/// An id made safe for XML and a URL fragment.
fn safe_id(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s
    } else {
        format!("c-{s}")
    }
}

/// A polyline as path data (`M x y`, then `H x`, `V y` or `L x y`), appended to `d`.
fn polyline(d: &mut String, pts: &[Pt]) {
    let mut prev: Option<Pt> = None;
    for &(x, y) in pts {
        match prev {
            None => {
                d.push('M');
                xy(d, (x, y));
            }
            Some((_, py)) if py == y => {
                d.push('H');
                coord(d, x);
            }
            Some((px, _)) if px == x => {
                d.push('V');
                coord(d, y);
            }
            Some(_) => {
                d.push('L');
                xy(d, (x, y));
            }
        }
        prev = Some((x, y));
    }
}

/// Writes a `<path>` of `d` with a stroke (and dashes), if `d` has anything to draw.
fn stroke_path(out: &mut String, d: &str, color: RGBColor, width: f64, dash: Option<&str>) {
    if d.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<path d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"",
        css(color)
    );
    if let Some(dash) = dash {
        let _ = write!(out, " stroke-dasharray=\"{dash}\"");
    }
    out.push_str("/>");
}

/// Appends the compact chart of `chart` to `out`, as one `<svg>` with `role="img"`, a
/// `<title>` and a `<desc>` whose ids start with `id` (which must be unique in the page, e.g.
/// the row's anchor). Deterministic: the same chart always gives the same bytes.
pub fn compact_svg_into(out: &mut String, chart: &SpcChart, id: &str) {
    let s = Series::new(chart);
    let id = safe_id(id);
    let (y_min, y_max, ticks) = value_ticks(s.lo, s.hi, 4);
    let widest = ticks
        .iter()
        .map(|(_, t)| t.chars().count())
        .max()
        .unwrap_or(1) as f64;
    let f = Frame {
        x0: 8.0 + widest * CHAR_W + 6.0,
        x1: RIGHT,
        y0: PLOT_TOP,
        y1: PLOT_BOTTOM,
        y_min,
        y_max,
    };
    let n = s.points.len();
    let plot_w = (f.x1 - f.x0).max(1.0);
    let xs = point_xs(n, f.x0, f.x1, 12.0);

    open_svg(out, chart, &s, &id);
    run_shade(out, &s, &xs, f);
    y_axis(out, chart, &s, &ticks, f);
    x_labels(out, &s, &xs, plot_w, f);
    limit_lines(out, &s, &xs, f);
    values_and_markers(out, &s, &xs, f);
    out.push_str("</svg>\n");
}

/// The plot area of a compact chart and its value scale.
#[derive(Clone, Copy)]
struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    y_min: f64,
    y_max: f64,
}

impl Frame {
    /// The y coordinate of value `v`.
    #[inline]
    fn y(self, v: f64) -> f64 {
        self.y1 - (v - self.y_min) / (self.y_max - self.y_min) * (self.y1 - self.y0)
    }
}

/// The `<svg>` start tag, the title, the description and the paper.
fn open_svg(out: &mut String, chart: &SpcChart, s: &Series, id: &str) {
    let (w, h) = COMPACT_SIZE;
    let title = {
        let t = clean(&chart.title);
        if t.is_empty() {
            "SPC chart".to_string()
        } else {
            t
        }
    };
    let desc = describe(chart, &s.points, &s.runs, s.target, s.value_decimals);
    let _ = write!(
        out,
        "<svg class=\"spc-compact\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"{TICK_PX}\">\n<title id=\"{id}-title\">"
    );
    escape_into(out, &title);
    let _ = write!(out, "</title>\n<desc id=\"{id}-desc\">");
    escape_into(out, &desc);
    let _ = write!(
        out,
        "</desc>\n<rect width=\"{w}\" height=\"{h}\" fill=\"{}\"/>\n",
        css(PAPER)
    );
}

/// A run chart's longest run, shaded behind everything else.
fn run_shade(out: &mut String, s: &Series, xs: &[f64], f: Frame) {
    if let Some((a, b)) = s.longest_run {
        let half = if xs.len() > 1 {
            (xs[1] - xs[0]) / 2.0
        } else {
            6.0
        };
        out.push_str("<rect x=\"");
        coord(out, xs[a] - half);
        let _ = write!(out, "\" y=\"{}\" width=\"", f.y0);
        coord(out, xs[b] - xs[a] + 2.0 * half);
        let _ = writeln!(
            out,
            "\" height=\"{}\" fill=\"{}\"/>",
            f.y1 - f.y0,
            css(RUN_SHADE)
        );
    }
}

/// Grid and y labels; the unit above them; a note when there is nothing to draw.
fn y_axis(out: &mut String, chart: &SpcChart, s: &Series, ticks: &[(f64, String)], f: Frame) {
    let (x0, x1, y0, y1) = (f.x0, f.x1, f.y0, f.y1);
    let mut d = String::new();
    for (v, _) in ticks {
        d.push('M');
        xy(&mut d, (x0, f.y(*v)));
        d.push('H');
        coord(&mut d, x1);
    }
    stroke_path(out, &d, GRID, 1.0, None);
    out.push_str("<path d=\"M");
    xy(out, (x0, y1));
    out.push('H');
    coord(out, x1);
    let _ = write!(
        out,
        "\" stroke=\"{}\" stroke-width=\"1\"/>\n<g fill=\"{}\" text-anchor=\"end\">",
        css(GRID_DARK),
        css(TEXT_GREY)
    );
    for (v, t) in ticks {
        out.push_str("<text x=\"");
        coord(out, x0 - 5.0);
        out.push_str("\" y=\"");
        coord(out, f.y(*v) + TICK_PX * 0.36);
        let _ = write!(out, "\">{t}</text>");
    }
    out.push_str("</g>\n");
    let unit = clean(&chart.unit);
    if !unit.is_empty() {
        let _ = write!(out, "<text x=\"4\" y=\"11\" fill=\"{}\">", css(TEXT_GREY));
        escape_into(out, &unit.chars().take(60).collect::<String>());
        out.push_str("</text>\n");
    }
    if s.empty {
        out.push_str("<text x=\"");
        coord(out, (x0 + x1) / 2.0);
        out.push_str("\" y=\"");
        coord(out, (y0 + y1) / 2.0);
        let _ = writeln!(
            out,
            "\" text-anchor=\"middle\" fill=\"{}\" font-size=\"13\">No data to show</text>",
            css(TEXT_GREY)
        );
    }
}

/// x labels, thinned from the latest point back so that they never overlap, with their ticks.
fn x_labels(out: &mut String, s: &Series, xs: &[f64], plot_w: f64, f: Frame) {
    let n = xs.len();
    if n == 0 {
        return;
    }
    let (w, _) = COMPACT_SIZE;
    let spacing = if n > 1 { xs[1] - xs[0] } else { plot_w };
    let label_w = |i: usize| s.points[i].label.chars().count().min(24) as f64 * CHAR_W;
    let widest = (0..n).map(label_w).fold(0.0, f64::max);
    let every = ((widest + 12.0) / spacing.max(1e-9))
        .ceil()
        .clamp(1.0, n as f64) as usize;
    let mut right_edge = f64::INFINITY;
    let mut labels: Vec<(f64, usize)> = Vec::new();
    for i in (0..n).rev().step_by(every) {
        let lw = label_w(i);
        // Kept inside the chart: the latest label ends at the right edge if need be.
        let x = (xs[i] - lw / 2.0).max(2.0).min(f64::from(w) - 2.0 - lw);
        if x + lw + 8.0 <= right_edge {
            labels.push((x, i));
            right_edge = x;
        }
    }
    let mut ticks_d = String::new();
    let _ = write!(out, "<g fill=\"{}\">", css(TEXT_GREY));
    for &(x, i) in labels.iter().rev() {
        out.push_str("<text x=\"");
        coord(out, x);
        let _ = write!(out, "\" y=\"{}\">", f.y1 + 16.0);
        escape_into(out, &s.points[i].label.chars().take(24).collect::<String>());
        out.push_str("</text>");
        ticks_d.push('M');
        xy(&mut ticks_d, (xs[i], f.y1));
        ticks_d.push_str("v4");
    }
    out.push_str("</g>\n");
    stroke_path(out, &ticks_d, GRID_DARK, 1.0, None);
}

/// Rebases (a dotted vertical line between segments), limits (dashed), centre line (solid),
/// target (long red dashes).
fn limit_lines(out: &mut String, s: &Series, xs: &[f64], f: Frame) {
    let y = |v: f64| f.y(v);
    let mut d = String::new();
    for pair in s.runs.windows(2) {
        let (a, b) = (pair[0].end - 1, pair[1].start);
        if let (Some(&xa), Some(&xb)) = (xs.get(a), xs.get(b)) {
            d.push('M');
            xy(&mut d, ((xa + xb) / 2.0, f.y0));
            d.push('V');
            coord(&mut d, f.y1);
        }
    }
    stroke_path(out, &d, TEXT_GREY, 1.0, Some("2 3"));

    let mut d = String::new();
    for line in segment_lines(&s.points, &s.runs, xs, y, |p| p.lpl)
        .iter()
        .chain(&segment_lines(&s.points, &s.runs, xs, y, |p| p.upl))
    {
        polyline(&mut d, line);
    }
    stroke_path(out, &d, GREY, 1.2, Some("5 4"));
    let mut d = String::new();
    for line in segment_lines(&s.points, &s.runs, xs, y, |p| p.mean) {
        polyline(&mut d, &line);
    }
    stroke_path(out, &d, TEXT, 1.2, None);
    if let Some(t) = s.target {
        let mut d = String::new();
        polyline(&mut d, &[(f.x0, y(t)), (f.x1, y(t))]);
        stroke_path(out, &d, RED, 1.6, Some("14 5"));
    }
}

/// The values: one path, broken at a missing value (a gap); then the markers.
fn values_and_markers(out: &mut String, s: &Series, xs: &[f64], f: Frame) {
    let mut d = String::new();
    let mut pen_down = false;
    for (p, &x) in s.points.iter().zip(xs) {
        match p.value {
            Some(v) => {
                d.push(if pen_down { 'L' } else { 'M' });
                xy(&mut d, (x, f.y(v)));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    stroke_path(out, &d, TEXT_GREY, 1.2, None);
    // Common cause: round dots as zero-length segments of one path.
    let mut d = String::new();
    for (p, &x) in s.points.iter().zip(xs) {
        if let (Some(v), Kind::Common) = (p.value, p.kind) {
            d.push('M');
            xy(&mut d, (x, f.y(v)));
            d.push_str("h0");
        }
    }
    if !d.is_empty() {
        let _ = write!(
            out,
            "<path d=\"{d}\" stroke=\"{}\" stroke-width=\"4.5\" stroke-linecap=\"round\"/>",
            css(GREY)
        );
    }
    out.push('\n');
    // Special causes on top, each with its reason as a tooltip.
    for (p, &x) in s.points.iter().zip(xs) {
        let Some(v) = p.value else { continue };
        if p.kind != Kind::Common {
            special_mark(out, p, (x, f.y(v)));
        }
    }
}

/// A special-cause point's mark at `c`, with its reason as a tooltip.
fn special_mark(out: &mut String, p: &Point, c: Pt) {
    match p.kind {
        Kind::Improvement => {
            out.push_str("<circle cx=\"");
            coord(out, c.0);
            out.push_str("\" cy=\"");
            coord(out, c.1);
            let _ = write!(
                out,
                "\" r=\"4.5\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1.5\">",
                css(NHS_BLUE),
                css(PAPER)
            );
        }
        Kind::Concern => {
            out.push_str("<path d=\"M");
            xy(out, (c.0, c.1 - 5.5));
            let _ = write!(
                out,
                "l5.5 5.5-5.5 5.5-5.5-5.5z\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1.2\">",
                css(NHS_ORANGE),
                css(TEXT)
            );
        }
        _ => {
            let up = p.kind == Kind::NeutralHigh;
            let (r, sgn) = (6.5, if up { 1.0 } else { -1.0 });
            let hw = r * 3f64.sqrt() / 2.0;
            out.push_str("<path d=\"M");
            xy(out, (c.0, c.1 - sgn * r));
            out.push('L');
            xy(out, (c.0 + hw, c.1 + sgn * r / 2.0));
            out.push('L');
            xy(out, (c.0 - hw, c.1 + sgn * r / 2.0));
            let _ = write!(
                out,
                "z\" fill=\"{}\" stroke=\"{}\" stroke-width=\"1.2\">",
                css(PURPLE),
                css(PAPER)
            );
        }
    }
    out.push_str("<title>");
    escape_into(out, &p.label);
    out.push_str(": ");
    match &p.note {
        Some(note) => escape_into(out, note),
        None => escape_into(out, p.kind.words()),
    }
    out.push_str("</title>");
    out.push_str(if p.kind == Kind::Improvement {
        "</circle>\n"
    } else {
        "</path>\n"
    });
}

/// The compact chart of `chart` as a String (see [`compact_svg_into`]).
pub fn compact_svg(chart: &SpcChart, id: &str) -> String {
    let mut out = String::with_capacity(8 * 1024);
    compact_svg_into(&mut out, chart, id);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spc_chart::SpcPoint;
    use crate::spc_chart::names::{ai, pt, vi};

    fn chart(values: &[f64], kinds: &[(usize, &str)]) -> SpcChart {
        let points = values
            .iter()
            .enumerate()
            .map(|(i, &value)| SpcPoint {
                label: format!("2024-{:02}", i + 1),
                value,
                mean: 10.0,
                lpl: Some(4.0),
                upl: Some(16.0),
                point_type: pt(kinds
                    .iter()
                    .find(|(k, _)| *k == i)
                    .map_or("common_cause", |(_, t)| *t)),
                segment: 0,
                note: kinds
                    .iter()
                    .any(|(k, _)| *k == i)
                    .then(|| format!("why <{i}>")),
            })
            .collect();
        SpcChart {
            title: "Waits & <delays>".into(),
            description: String::new(),
            unit: "%".into(),
            points,
            target: Some(12.0),
            variation_icon: vi("concern_high"),
            assurance_icon: ai("fail"),
            small: false,
            centre_name: String::new(),
        }
    }

    #[test]
    fn the_compact_chart_is_accessible_escaped_and_deterministic() {
        let c = chart(
            &[9.0, 11.0, 10.0, 17.0, 9.5, 8.0],
            &[
                (3, "special_cause_concern"),
                (5, "special_cause_improvement"),
            ],
        );
        let svg = compact_svg(&c, "chart-Q1-waits");
        assert_eq!(svg, compact_svg(&c, "chart-Q1-waits"));
        assert!(svg.starts_with("<svg class=\"spc-compact\""));
        assert!(
            svg.contains(
                "role=\"img\" aria-labelledby=\"chart-Q1-waits-title chart-Q1-waits-desc\""
            )
        );
        assert!(
            svg.contains("<title id=\"chart-Q1-waits-title\">Waits &amp; &lt;delays&gt;</title>")
        );
        assert!(svg.contains("1 special-cause improvement point"), "{svg}");
        // Each special cause carries its reason as a tooltip, escaped.
        assert!(
            svg.contains("<title>2024-04: why &lt;3&gt;</title></path>"),
            "{svg}"
        );
        assert!(
            svg.contains("<title>2024-06: why &lt;5&gt;</title></circle>"),
            "{svg}"
        );
        // The target is long-dashed red; the limits short-dashed; four common-cause dots.
        assert!(svg.contains("stroke=\"#DA291C\" stroke-width=\"1.6\" stroke-dasharray=\"14 5\""));
        assert!(svg.contains("stroke-dasharray=\"5 4\""));
        assert_eq!(svg.matches("h0").count(), 4);
        assert!(!svg.contains("<script") && !svg.contains("<delays>"));
        assert!(svg.len() < 6000, "compact: {} bytes", svg.len());
    }

    #[test]
    fn a_gap_breaks_the_line_and_a_rebase_starts_new_limits() {
        let mut c = chart(&[9.0, 11.0, f64::NAN, 10.0, 12.0, 11.0], &[]);
        for p in &mut c.points[4..] {
            p.segment = 1;
            p.mean = 11.5;
        }
        let svg = compact_svg(&c, "x");
        let end = svg
            .find("\" fill=\"none\" stroke=\"#4C6272\" stroke-width=\"1.2\"/>")
            .unwrap_or_else(|| panic!("{svg}"));
        let d = &svg[svg[..end].rfind("d=\"").unwrap()..end];
        assert_eq!(
            d.matches('M').count(),
            2,
            "the values break at the gap: {d}"
        );
        assert!(
            svg.contains("stroke-dasharray=\"2 3\""),
            "a dotted rebase line"
        );
        assert!(svg.contains("2 segments (rebased)"));
    }

    #[test]
    fn coordinates_have_one_decimal_and_no_negative_zero() {
        let mut s = String::new();
        for v in [0.0, -0.04, 1.25, -3.96, 12.0, f64::NAN] {
            coord(&mut s, v);
            s.push(' ');
        }
        assert_eq!(s, "0 0 1.3 -4 12 0 ");
        let mut s = String::new();
        coord(&mut s, -0.06);
        coord(&mut s, 1234567.89);
        assert_eq!(s, "-0.11234567.9");
        assert_eq!(css(GREY).to_string(), "#768692");
    }
}
