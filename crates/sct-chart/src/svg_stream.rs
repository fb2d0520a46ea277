//! SVG drawn straight into a stream: a drawing backend that writes the very bytes of
//! plotters' SVG backend (each tag, attribute and number formatted as it formats them), a
//! chunk at a time, so a drawing of hundreds of megabytes (a theory of change of 100,000
//! nodes) is never held whole. The accessible root ([`crate::accessible_svg`]) is written as
//! the drawing starts, and fixed rewrites of an element's text (a stand-in attribute made
//! into what plotters cannot draw) are made element by element.

use std::io::Write;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{FontStyle, FontTransform};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

use crate::{Canvas, ChartError, draw_err, fonts};

/// What is written before the drawing is flushed to the stream: large enough that writes are
/// few, small enough never to matter beside the drawing.
const CHUNK: usize = 32 * 1024;

/// How a streamed SVG's root and elements are written.
#[derive(Debug, Clone, Copy)]
pub struct SvgStyle<'a> {
    /// The root's accessibility attributes and children, as [`crate::accessible_svg`] adds
    /// them: the chart's kind (for the ids), the title used when `title` is empty, the title
    /// and the description.
    pub accessible: (&'a str, &'a str, &'a str, &'a str),
    /// Each element's text with the first of each pair replaced by the second, as
    /// `str::replace` over the whole SVG would (neither may hold `<`, `>` or a line break,
    /// so no match runs across elements; the title and description are not rewritten).
    pub rewrites: &'a [(&'a str, &'a str)],
}

/// Draws with `draw` on an SVG surface of `size` straight into `out`: the same bytes as
/// [`crate::render_svg`], then each rewrite of `style` made, then [`crate::accessible_svg`]
/// with its accessible parts. The outer error is `out`'s, the inner the drawing's; either way
/// what was written is not a whole SVG.
pub fn render_svg_to<F>(
    size: (u32, u32),
    style: SvgStyle<'_>,
    out: &mut dyn Write,
    draw: F,
) -> std::io::Result<Result<(), ChartError>>
where
    F: for<'a, 'b> FnOnce(&Canvas<'a, SvgStream<'b>>) -> Result<(), ChartError>,
{
    if let Err(e) = fonts() {
        return Ok(Err(e));
    }
    let (kind, fallback, title, description) = style.accessible;
    let (attrs, children) = crate::accessible_root(kind, fallback, title, description);
    let mut failed = None;
    let drawn = {
        let mut backend = SvgStream {
            out,
            failed: &mut failed,
            size,
            chunk: String::with_capacity(CHUNK + 1024),
            open: Vec::new(),
            rewrites: style.rewrites,
        };
        backend.start(&attrs, &children);
        let area = backend.into_drawing_area();
        let cv = Canvas {
            area: &area,
            scale: 1.0,
            raster: false,
        };
        draw(&cv).and_then(|()| area.present().map_err(draw_err))
    };
    match failed {
        Some(e) => Err(e),
        None => Ok(drawn),
    }
}

/// A drawing backend writing plotters' SVG into a stream (see [`render_svg_to`]).
pub struct SvgStream<'w> {
    out: &'w mut dyn Write,
    /// The first error writing `out`, kept to hand back as it was.
    failed: &'w mut Option<std::io::Error>,
    size: (u32, u32),
    /// Whole elements written but not yet flushed.
    chunk: String,
    /// The tags opened and not yet closed.
    open: Vec<&'static str>,
    rewrites: &'w [(&'w str, &'w str)],
}

type DrawResult = Result<(), DrawingErrorKind<std::io::Error>>;

impl SvgStream<'_> {
    /// The root's start tag with the accessible `attrs` and `children` (written as
    /// [`crate::accessible_svg`] inserts them into plotters' root).
    fn start(&mut self, attrs: &str, children: &str) {
        let (w, h) = self.size;
        let c = &mut self.chunk;
        c.push_str("<svg");
        for (key, value) in [
            ("width", w.to_string()),
            ("height", h.to_string()),
            ("viewBox", format!("0 0 {w} {h}")),
            ("xmlns", "http://www.w3.org/2000/svg".to_string()),
        ] {
            attr(c, key, &value);
        }
        c.push_str(attrs);
        c.push('>');
        c.push_str(children);
        c.push('\n');
        self.open.push("svg");
    }

    /// Ends an element: flushes the chunk when it is full (or at `end`), rewritten.
    fn done(&mut self, end: bool) -> DrawResult {
        if self.chunk.len() < CHUNK && !end {
            return Ok(());
        }
        let mut rewritten = None;
        for (from, to) in self.rewrites {
            let text = rewritten.as_deref().unwrap_or(self.chunk.as_str());
            if text.contains(from) {
                rewritten = Some(text.replace(from, to));
            }
        }
        let bytes = rewritten
            .as_deref()
            .unwrap_or(self.chunk.as_str())
            .as_bytes();
        let written = self.out.write_all(bytes);
        self.chunk.clear();
        written.map_err(|e| {
            let kind = e.kind();
            let message = e.to_string();
            self.failed.get_or_insert(e);
            DrawingErrorKind::DrawingError(std::io::Error::new(kind, message))
        })
    }

    /// A childless element of `attrs`.
    fn element(&mut self, tag: &str, attrs: &[(&str, &str)]) -> DrawResult {
        let c = &mut self.chunk;
        c.push('<');
        c.push_str(tag);
        for (key, value) in attrs {
            attr(c, key, value);
        }
        c.push_str("/>\n");
        self.done(false)
    }
}

/// ` key="value"`, the value escaped as plotters escapes it.
fn attr(out: &mut String, key: &str, value: &str) {
    out.push(' ');
    out.push_str(key);
    out.push_str("=\"");
    escape(out, value);
    out.push('"');
}

/// Text escaped as plotters' SVG backend escapes it.
fn escape(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            other => out.push(other),
        }
    }
}

/// A colour as plotters writes it.
fn colour(c: BackendColor) -> String {
    let (r, g, b) = c.rgb;
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// Points as plotters writes them: `x,y ` each.
fn points(path: impl IntoIterator<Item = BackendCoord>) -> String {
    use std::fmt::Write as _;
    path.into_iter().fold(String::new(), |mut s, (x, y)| {
        let _ = write!(s, "{x},{y} ");
        s
    })
}

impl DrawingBackend for SvgStream<'_> {
    type ErrorType = std::io::Error;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> DrawResult {
        Ok(())
    }

    fn present(&mut self) -> DrawResult {
        while let Some(tag) = self.open.pop() {
            self.chunk.push_str("</");
            self.chunk.push_str(tag);
            self.chunk.push_str(">\n");
        }
        self.done(true)
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> DrawResult {
        if color.alpha == 0.0 {
            return Ok(());
        }
        self.element(
            "rect",
            &[
                ("x", &point.0.to_string()),
                ("y", &point.1.to_string()),
                ("width", "1"),
                ("height", "1"),
                ("stroke", "none"),
                ("opacity", &color.alpha.to_string()),
                ("fill", &colour(color)),
            ],
        )
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> DrawResult {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        self.element(
            "line",
            &[
                ("opacity", &c.alpha.to_string()),
                ("stroke", &colour(c)),
                ("stroke-width", &style.stroke_width().to_string()),
                ("x1", &from.0.to_string()),
                ("y1", &from.1.to_string()),
                ("x2", &to.0.to_string()),
                ("y2", &to.1.to_string()),
            ],
        )
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        let (fill, stroke) = if fill {
            (colour(c), "none".to_string())
        } else {
            ("none".to_string(), colour(c))
        };
        self.element(
            "rect",
            &[
                ("x", &upper_left.0.to_string()),
                ("y", &upper_left.1.to_string()),
                ("width", &(bottom_right.0 - upper_left.0).to_string()),
                ("height", &(bottom_right.1 - upper_left.1).to_string()),
                ("opacity", &c.alpha.to_string()),
                ("fill", &fill),
                ("stroke", &stroke),
            ],
        )
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        self.element(
            "polyline",
            &[
                ("fill", "none"),
                ("opacity", &c.alpha.to_string()),
                ("stroke", &colour(c)),
                ("stroke-width", &style.stroke_width().to_string()),
                ("points", &points(path)),
            ],
        )
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> DrawResult {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        self.element(
            "polygon",
            &[
                ("opacity", &c.alpha.to_string()),
                ("fill", &colour(c)),
                ("points", &points(path)),
            ],
        )
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> DrawResult {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        let (stroke, fill) = if fill {
            ("none".to_string(), colour(c))
        } else {
            (colour(c), "none".to_string())
        };
        self.element(
            "circle",
            &[
                ("cx", &center.0.to_string()),
                ("cy", &center.1.to_string()),
                ("r", &radius.to_string()),
                ("opacity", &c.alpha.to_string()),
                ("fill", &fill),
                ("stroke", &stroke),
                ("stroke-width", &style.stroke_width().to_string()),
            ],
        )
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> DrawResult {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let (x0, y0) = pos;
        let anchor = match style.anchor().h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "middle",
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => "0.76em",
            VPos::Center => "0.5ex",
            VPos::Bottom => "-0.5ex",
        };
        let mut attrs = vec![
            ("x", x0.to_string()),
            ("y", y0.to_string()),
            ("dy", dy.to_string()),
            ("text-anchor", anchor.to_string()),
            ("font-family", style.family().as_str().to_string()),
            ("font-size", (style.size() / 1.24).to_string()),
            ("opacity", color.alpha.to_string()),
            ("fill", colour(color)),
        ];
        match style.style() {
            FontStyle::Normal => {}
            FontStyle::Bold => attrs.push(("font-weight", "bold".to_string())),
            other => attrs.push(("font-style", other.as_str().to_string())),
        }
        let turn = match style.transform() {
            FontTransform::Rotate90 => Some(90),
            FontTransform::Rotate180 => Some(180),
            FontTransform::Rotate270 => Some(270),
            FontTransform::None => None,
        };
        if let Some(deg) = turn {
            attrs.push(("transform", format!("rotate({deg}, {x0}, {y0})")));
        }
        let c = &mut self.chunk;
        c.push_str("<text");
        for (key, value) in &attrs {
            attr(c, key, value);
        }
        c.push_str(">\n");
        escape(c, text);
        c.push_str("\n</text>\n");
        self.done(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Align, Pt, accessible_svg, render_svg};
    use proptest::prelude::*;

    /// One drawing call on a canvas.
    #[derive(Debug, Clone)]
    enum Op {
        Fill(u32),
        Rect(Pt, Pt, u32, f64),
        Path(Vec<Pt>, u32, f64, f64),
        Polygon(Vec<Pt>, u32, f64),
        Circle(Pt, f64, u32, bool),
        Text(String, Pt, f64, bool, u32, u8),
    }

    fn rgba(c: u32, alpha: f64) -> RGBAColor {
        let [_, r, g, b] = c.to_be_bytes();
        RGBAColor(r, g, b, alpha)
    }

    fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, ops: &[Op]) -> Result<(), ChartError> {
        for op in ops {
            match op {
                Op::Fill(c) => {
                    let [_, r, g, b] = c.to_be_bytes();
                    cv.fill(RGBColor(r, g, b))?;
                }
                Op::Rect(a, b, c, alpha) => cv.rect(*a, *b, rgba(*c, *alpha))?,
                Op::Path(pts, c, alpha, w) => cv.path(pts, rgba(*c, *alpha), *w)?,
                Op::Polygon(pts, c, alpha) => cv.polygon(pts, rgba(*c, *alpha))?,
                Op::Circle(at, r, c, filled) => cv.circle(*at, *r, rgba(*c, 1.0), *filled)?,
                Op::Text(s, (x, y), px, bold, c, align) => {
                    let align = [Align::Left, Align::Center, Align::Right][usize::from(*align % 3)];
                    let [_, r, g, b] = c.to_be_bytes();
                    cv.text(s, *x, *y, *px, *bold, RGBColor(r, g, b), align)?;
                }
            }
        }
        Ok(())
    }

    /// The SVG as it is made whole in memory: plotters' backend, each rewrite over the whole
    /// text, then the accessible root.
    fn whole(size: (u32, u32), style: SvgStyle<'_>, ops: &[Op]) -> String {
        let mut svg = render_svg(size, |cv| draw(cv, ops)).expect("drawn");
        for (from, to) in style.rewrites {
            svg = svg.replace(from, to);
        }
        let (kind, fallback, title, desc) = style.accessible;
        accessible_svg(svg, kind, fallback, title, desc)
    }

    fn streamed(size: (u32, u32), style: SvgStyle<'_>, ops: &[Op]) -> String {
        let mut out = Vec::new();
        render_svg_to(size, style, &mut out, |cv| draw(cv, ops))
            .expect("written")
            .expect("drawn");
        String::from_utf8(out).expect("UTF-8")
    }

    /// Coordinates, odd ones among them (huge, negative, not finite).
    fn coord() -> impl Strategy<Value = f64> {
        prop_oneof![
            8 => -50.0f64..5000.0,
            1 => Just(f64::NAN),
            1 => Just(1e12),
            1 => Just(-1e12),
        ]
    }

    fn point() -> impl Strategy<Value = Pt> {
        (coord(), coord())
    }

    /// Colours, a few of them the stand-in the rewrites look for.
    fn colour_strategy() -> impl Strategy<Value = u32> {
        prop_oneof![3 => 0u32..0xFF_FFFF, 1 => Just(0x4C6273u32)]
    }

    fn alpha() -> impl Strategy<Value = f64> {
        prop_oneof![Just(0.0), Just(1.0), Just(0.5), 0.0f64..1.0]
    }

    fn op() -> impl Strategy<Value = Op> {
        let pts = || proptest::collection::vec(point(), 0..6);
        prop_oneof![
            colour_strategy().prop_map(Op::Fill),
            (point(), point(), colour_strategy(), alpha())
                .prop_map(|(a, b, c, x)| Op::Rect(a, b, c, x)),
            (pts(), colour_strategy(), alpha(), 0.0f64..6.0)
                .prop_map(|(p, c, x, w)| Op::Path(p, c, x, w)),
            (pts(), colour_strategy(), alpha()).prop_map(|(p, c, x)| Op::Polygon(p, c, x)),
            (point(), 0.0f64..40.0, colour_strategy(), any::<bool>())
                .prop_map(|(at, r, c, f)| Op::Circle(at, r, c, f)),
            (
                "[a-z <>&\"'é▲\\n]{0,12}",
                point(),
                1.0f64..40.0,
                any::<bool>(),
                colour_strategy(),
                any::<u8>()
            )
                .prop_map(|(s, at, px, bold, c, a)| Op::Text(s, at, px, bold, c, a)),
        ]
    }

    const REWRITES: &[(&str, &str)] = &[(
        "stroke=\"#4C6273\"",
        "stroke=\"#4C6272\" stroke-dasharray=\"5 4\"",
    )];

    #[test]
    fn a_drawing_larger_than_a_chunk_is_written_as_plotters_writes_it() {
        let ops: Vec<Op> = (0..3000)
            .map(|k| {
                let y = f64::from(k);
                match k % 3 {
                    0 => Op::Path(vec![(0.0, y), (9.5, y + 1.0)], 0x4C6273, 1.0, 1.5),
                    1 => Op::Polygon(vec![(0.0, y), (4.0, y), (2.0, y + 3.0)], 0x212B32, 1.0),
                    _ => Op::Text(
                        format!("Node <{k}> & \"more\""),
                        (8.0, y),
                        12.0,
                        k % 2 == 0,
                        0x212B32,
                        0,
                    ),
                }
            })
            .collect();
        let style = SvgStyle {
            accessible: ("toc", "Theory of change", "A <title>", "Its description."),
            rewrites: REWRITES,
        };
        let svg = streamed((700, 4000), style, &ops);
        assert!(svg.len() > 4 * CHUNK, "{}", svg.len());
        assert_eq!(svg, whole((700, 4000), style, &ops));
    }

    #[test]
    fn a_failing_stream_hands_back_its_error() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::new(std::io::ErrorKind::StorageFull, "full"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let style = SvgStyle {
            accessible: ("t", "T", "", ""),
            rewrites: &[],
        };
        let ops = vec![Op::Fill(0xFFFFFF)];
        let e = render_svg_to((10, 10), style, &mut Full, |cv| draw(cv, &ops)).expect_err("full");
        assert_eq!(e.kind(), std::io::ErrorKind::StorageFull);
    }

    proptest! {
        /// Any drawing, on any size, with any title and description, is written into the
        /// stream byte for byte as plotters writes it whole, rewritten and made accessible.
        #[test]
        fn any_drawing_is_written_as_plotters_writes_it(
            ops in proptest::collection::vec(op(), 0..24),
            size in (0u32..3000, 0u32..3000),
            title in "[a-z <>&\"'\\t]{0,20}",
            desc in "[a-z <>&\"'\\n]{0,40}",
            rewrite in any::<bool>(),
        ) {
            let style = SvgStyle {
                accessible: ("chart", "A chart", &title, &desc),
                rewrites: if rewrite { REWRITES } else { &[] },
            };
            prop_assert_eq!(streamed(size, style, &ops), whole(size, style, &ops));
        }
    }
}
