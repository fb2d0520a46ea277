//! A compact SPC chart for reports that hold thousands of charts (`sct kpi ipr --orgs all`:
//! 42 organisations × 60 indicators). It is the full chart's plot at 760×200, laid out from the
//! same `Series`, drawn by the same drawing code onto the SVG text writer and described by the
//! same `describe`, written straight into the report's buffer: one `<path>` per series (the
//! values, each segment's centre line, its limits, the target), common-cause points as one
//! path of round dots, and each special-cause point as a small mark with a `<title>` tooltip
//! saying why it is flagged. No text is measured (label widths are estimated from their
//! length), so a chart costs microseconds and a few kilobytes.
//!
//! The markers keep the full chart's shapes (colour is never the only signal): grey dots for
//! common cause, blue circles for improvement, orange diamonds for concern, purple triangles
//! (up high, down low) for neutral special causes; the centre line is solid, the process
//! limits short-dashed, the target long-dashed in red and a rebase a dotted vertical line.
//! [`LEGEND`] says so in words, for the report to print once beside its charts.

use std::fmt::Write;

use plotters::style::RGBColor;

use super::surface::SvgSurface;
use super::{Layout, Series, Size, SpcChart, describe, draw_spc, point_xs, value_ticks};
use crate::charts::{Align, Pt, clean, escape_xml_into as escape_into};

/// The compact chart's size in SVG units (it scales down with the page).
pub const COMPACT_SIZE: (u32, u32) = (760, 200);

/// The key to every compact chart's marks and lines, in words.
pub const LEGEND: &str = "In each chart: grey dots are common cause, blue circles special cause improvement, orange diamonds special cause concern, purple triangles special cause with no better direction (pointing up when high, down when low); the solid line is the centre line (the mean, or the median of a run chart), short dashes the process limits, long red dashes the target and a dotted vertical line a rebase; a shaded band behind a run chart's points marks its longest run on one side of the median (a run longer than expected signals a shift). Hover a marked point for why it is flagged.";

const TICK_PX: f64 = 11.0;
/// An estimate of a tick label's character width at [`TICK_PX`] (digits, '-', '.').
const CHAR_W: f64 = 6.4;
const PLOT_TOP: f64 = 18.0;
const PLOT_BOTTOM: f64 = 172.0;
const RIGHT: f64 = 752.0;

/// A colour as `#RRGGBB` (written per use: a few bytes, no allocation worth caching).
pub(super) fn css(c: RGBColor) -> Css {
    Css(c)
}

/// A colour formatted as `#RRGGBB`.
pub(super) struct Css(RGBColor);

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

/// Writes `x y`.
pub(super) fn xy(out: &mut String, (x, y): Pt) {
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
pub(super) fn polyline(d: &mut String, pts: &[Pt]) {
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

/// Appends the compact chart of `chart` to `out`, as one `<svg>` with `role="img"`, a
/// `<title>` and a `<desc>` whose ids start with `id` (which must be unique in the page, e.g.
/// the row's anchor). Deterministic: the same chart always gives the same bytes.
pub fn compact_svg_into(out: &mut String, chart: &SpcChart, id: &str) {
    let l = Layout::compact(chart);
    open_svg(out, chart, &l.series, &safe_id(id));
    // Writing SVG text does not fail.
    let _ = draw_spc(&SvgSurface::new(out, COMPACT_SIZE), &l);
    out.push_str("</svg>\n");
}

impl Layout {
    /// The compact chart of `chart`: the full chart's plot, lines and marks at 760×200, with
    /// no title, legend or icons, and label widths estimated from their length.
    fn compact(chart: &SpcChart) -> Layout {
        let s = Series::new(chart);
        let (y_min, y_max, ticks) = value_ticks(s.lo, s.hi, 4);
        let widest = ticks
            .iter()
            .map(|(_, t)| t.chars().count())
            .max()
            .unwrap_or(1) as f64;
        let (x0, x1) = (8.0 + widest * CHAR_W + 6.0, RIGHT);
        let plot_w = (x1 - x0).max(1.0);
        let xs = point_xs(s.points.len(), x0, x1, 12.0);
        let (x_labels, x_ticks) = x_labels(&s, &xs, plot_w);
        let unit = clean(&chart.unit);
        let unit = (!unit.is_empty()).then(|| ((4.0, 11.0), unit.chars().take(60).collect()));
        Layout {
            size: COMPACT_SIZE,
            style: Size::Compact.style(),
            title: Vec::new(),
            title_px: super::TITLE_PX,
            subtitle: Vec::new(),
            unit,
            x0,
            y0: PLOT_TOP,
            x1,
            y1: PLOT_BOTTOM,
            y_min,
            y_max,
            ticks,
            xs,
            x_labels,
            x_ticks,
            series: s,
            legend: Vec::new(),
            icons: Vec::new(),
        }
    }
}

/// The `<svg>` start tag, the title and the description.
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
    let desc = describe(chart, s);
    let _ = write!(
        out,
        "<svg class=\"spc-compact\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"{TICK_PX}\">\n<title id=\"{id}-title\">"
    );
    escape_into(out, &title);
    let _ = write!(out, "</title>\n<desc id=\"{id}-desc\">");
    escape_into(out, &desc);
    out.push_str("</desc>\n");
}

/// x labels (left-aligned at their start), thinned from the latest point back so that they
/// never overlap, and the points they label.
fn x_labels(s: &Series, xs: &[f64], plot_w: f64) -> (Vec<(f64, String, Align)>, Vec<usize>) {
    let n = xs.len();
    if n == 0 {
        return (Vec::new(), Vec::new());
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
    labels
        .into_iter()
        .rev()
        .map(|(x, i)| {
            let text = s.points[i].label.chars().take(24).collect();
            ((x, text, Align::Left), i)
        })
        .unzip()
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
    use crate::spc_chart::names::{ai, pt, vi};
    use crate::spc_chart::{GREY, SpcPoint};

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
            assurance_note: None,
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
