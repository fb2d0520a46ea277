//! The theory-of-change diagram: the layered left-to-right layout of
//! [`sct_toc::layout`] drawn as accessible SVG or PNG in the house style of
//! [`crate::charts`] (the bundled DejaVu Sans font, NHS colours, `role="img"` with a
//! `<title>` and a `<desc>` describing the chain in words).
//!
//! One column per node type present, headed with its name; a box per node with its wrapped
//! title; with statuses, the box is filled by status (NHS Blue tint improving, orange tint
//! deteriorating, grey tint no significant change, white with a dashed border no data) **and**
//! carries the status in words with a symbol ("▲ Improving", "▼ Deteriorating", "● No
//! significant change", "○ No data", and "⚠ At risk" when flagged), so colour is never the only
//! signal. Links are arrows whose width shows the strength of their evidence (dashed when none
//! is stated), explained in a legend. The same input always gives byte-identical output.
//!
//! ```
//! # use sct_core::SourceFile;
//! # let text = "kind = \"theory-of-change\"\nid = \"t\"\nversion = \"1\"\ntitle = \"T\"\nsource = \"s\"\nstatus = \"example\"\n[[nodes]]\nid = \"money\"\ntitle = \"Money\"\ntype = \"input\"\n[[nodes]]\nid = \"health\"\ntitle = \"Health\"\ntype = \"impact\"\n[[links]]\nfrom = \"money\"\nto = \"health\"\n";
//! # let toc: sct_toc::TheoryOfChange = sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).unwrap();
//! use sct_report::toc_diagram::toc_svg;
//! use sct_toc::graph::Graph;
//! let svg = toc_svg(&toc, &Graph::new(&toc), None)?;
//! assert!(svg.contains(r#"role="img""#) && svg.contains("Inputs (1): Money."));
//! # Ok::<(), sct_report::charts::ChartError>(())
//! ```

use std::fmt::Write as _;

use plotters::prelude::*;
use sct_toc::export::{
    AT_RISK, NodeStyle, Statuses, evidence_label, evidence_width, node_style, status_text,
};
use sct_toc::graph::Graph;
use sct_toc::layout::{BoxText, Layout, LayoutOptions, NodeBox, Pt, layout_graph};
use sct_toc::parts::{Part, PartNode, resolve, split, split_bands};
use sct_toc::status::NodeStatus;
use sct_toc::{Evidence, TheoryOfChange};

use crate::charts::{
    Align, Canvas, ChartError, ChartFormat, GRID_DARK, MARGIN, PAPER, SvgStyle, TEXT, TEXT_GREY,
    clean, dashes, ellipsize, hex, load_fonts, measure, render_png, render_svg_to, wrap,
};

const TITLE_PX: f64 = 18.0;
const SUBTITLE_PX: f64 = 12.0;
const HEADING_PX: f64 = 13.0;
const NODE_PX: f64 = 12.0;
const STATUS_PX: f64 = 12.0;
const LEGEND_PX: f64 = 12.0;
const LINE: f64 = 15.0;
const BOX_WIDTH: f64 = 180.0;
const COLUMN_GAP: f64 = 64.0;
const PADDING: f64 = 8.0;
const RADIUS: f64 = 6.0;
/// Link colour (NHS secondary text colour).
const LINK: RGBColor = TEXT_GREY;
/// In SVG, dashed lines are drawn whole in this stand-in colour (one unit off [`LINK`]) and
/// given their dash pattern afterwards: a few attributes instead of a polyline per dash.
/// User text cannot produce the attribute, since the SVG backend escapes every `"`.
const DASHED_STANDIN: RGBColor = RGBColor(0x4C, 0x62, 0x73);
const DASHED_STANDIN_ATTR: &str = "stroke=\"#4C6273\"";
const DASHED_ATTR: &str = "stroke=\"#4C6272\" stroke-dasharray=\"5 4\"";
/// Narrowest drawing (room for the legend).
const MIN_WIDTH: f64 = 560.0;
/// Largest PNG drawn, in pixels (it is drawn at twice the size before downsampling).
const MAX_PNG_PIXELS: f64 = 12_000_000.0;
/// Longest side of a PNG.
const MAX_PNG_SIDE: f64 = 16_000.0;
/// Up to this many nodes the description names every node.
const DESCRIBE_NODES: usize = 60;

/// Widest part drawn, in pixels. A page between 12 mm margins on A4 portrait is 703 CSS
/// pixels wide, so a part this wide prints at 703/780 of its size: its smallest text (12 px)
/// at 8.1 pt. On a screen 1280 pixels wide a part is drawn at its own size.
pub const MAX_PART_WIDTH: f64 = 780.0;
/// Tallest part drawn, in pixels. A4 between 12 mm margins is 1,032 CSS pixels tall; a part
/// at most this tall, printed at most at its own size, leaves room on the page for its
/// caption, so no part is cut across pages.
pub const MAX_PART_HEIGHT: f64 = 940.0;
/// Smallest text drawn, in pixels.
pub const MIN_TEXT_PX: f64 = 12.0;

/// Draws the theory-of-change diagram as SVG or PNG bytes, with each node's status when
/// `statuses` are given (nodes missing from them have no data). A theory too wide to read
/// at [`MAX_PART_WIDTH`] is drawn in parts, one below the other (see [`sct_toc::parts`]).
pub fn toc_diagram(
    toc: &TheoryOfChange,
    graph: &Graph,
    statuses: Option<&Statuses>,
    format: ChartFormat,
) -> Result<Vec<u8>, ChartError> {
    match format {
        ChartFormat::Svg => toc_svg(toc, graph, statuses).map(String::into_bytes),
        ChartFormat::Png => {
            let parts = Stack::new(toc, graph, statuses)?.stacked();
            let (w, h) = parts.size;
            if f64::from(w) * f64::from(h) > MAX_PNG_PIXELS || f64::from(w.max(h)) > MAX_PNG_SIDE {
                return Err(ChartError::Draw(format!(
                    "the diagram is {w}×{h} pixels, too large for a PNG; write SVG instead"
                )));
            }
            render_png(parts.size, |cv| parts.draw(cv, false))
        }
    }
}

/// The whole diagram's SVG as a String: its parts one below the other.
pub fn toc_svg(
    toc: &TheoryOfChange,
    graph: &Graph,
    statuses: Option<&Statuses>,
) -> Result<String, ChartError> {
    let drawing = TocDrawing::new(toc, graph, statuses)?;
    in_memory(|out| drawing.write_svg(toc, statuses, out))
}

/// The diagram for an HTML page: one `<figure>` per part, each with its own SVG (a title and
/// description of its own) and a caption, so that a page break can fall between parts.
pub fn toc_figures(
    toc: &TheoryOfChange,
    graph: &Graph,
    statuses: Option<&Statuses>,
) -> Result<String, ChartError> {
    let drawing = TocDrawing::new(toc, graph, statuses)?;
    in_memory(|out| drawing.write_figures(toc, statuses, out))
}

/// What `write` writes, as a String.
fn in_memory(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<Result<(), ChartError>>,
) -> Result<String, ChartError> {
    let mut bytes = Vec::new();
    // Writing to memory fails only past its bounds.
    write(&mut bytes).map_err(|e| ChartError::Draw(e.to_string()))??;
    String::from_utf8(bytes).map_err(|e| ChartError::Draw(e.to_string()))
}

/// How dashed links are written in SVG: the stand-in colour's attribute made into the real
/// colour and a dash pattern.
const SVG_REWRITES: &[(&str, &str)] = &[(DASHED_STANDIN_ATTR, DASHED_ATTR)];

/// A theory of change measured and laid out in parts, ready to be drawn: as one SVG
/// ([`TocDrawing::write_svg`], as [`toc_svg`]) or as an HTML page's figures
/// ([`TocDrawing::write_figures`], as [`toc_figures`]), each written into a stream as it is
/// drawn (the SVG of 100,000 nodes is hundreds of megabytes, never held whole).
pub struct TocDrawing {
    stack: Stack,
}

impl TocDrawing {
    /// Measures and lays out the diagram of `toc` (with each node's status when `statuses`
    /// are given); the fonts failing to load is the only error.
    pub fn new(
        toc: &TheoryOfChange,
        graph: &Graph,
        statuses: Option<&Statuses>,
    ) -> Result<TocDrawing, ChartError> {
        Ok(TocDrawing {
            stack: Stack::new(toc, graph, statuses)?,
        })
    }

    /// Writes [`toc_svg`] into `out` as it is drawn; `toc` and `statuses` are those the
    /// drawing was made from. The outer error is `out`'s, the inner the drawing's.
    pub fn write_svg(
        self,
        toc: &TheoryOfChange,
        statuses: Option<&Statuses>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<Result<(), ChartError>> {
        let mut desc = describe(toc, statuses);
        desc.push_str(&parts_sentence(&self.stack.parts));
        let style = SvgStyle {
            accessible: ("toc", "Theory of change", &toc.title, &desc),
            rewrites: SVG_REWRITES,
        };
        // The parts are drawn one below the other: each moved down by those above it.
        let stack = self.stack.stacked();
        render_svg_to(stack.size, style, out, |cv| stack.draw(cv, true))
    }

    /// Writes [`toc_figures`] into `out` as they are drawn; `toc` and `statuses` are those
    /// the drawing was made from. The outer error is `out`'s, the inner the drawing's.
    pub fn write_figures(
        &self,
        toc: &TheoryOfChange,
        statuses: Option<&Statuses>,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<Result<(), ChartError>> {
        let count = self.stack.parts.len();
        for d in &self.stack.parts {
            let title = if count > 1 {
                format!("{}: {}", toc.title, d.subtitle_part)
            } else {
                toc.title.clone()
            };
            let desc = if count > 1 {
                d.describe_part(toc)
            } else {
                describe(toc, statuses)
            };
            let style = SvgStyle {
                accessible: ("toc", "Theory of change", &title, &desc),
                rewrites: SVG_REWRITES,
            };
            let caption = if count > 1 {
                format!(
                    "{}. Boxes with a dashed grey border stand for nodes drawn in another part.",
                    d.subtitle_part
                )
            } else {
                "The whole chain.".to_string()
            };
            out.write_all(b"<figure class=\"toc-part\">\n")?;
            if let Err(e) = render_svg_to(d.size, style, out, |cv| d.draw(cv, true))? {
                return Ok(Err(e));
            }
            let caption = sct_chart::xml_escape(&caption);
            write!(out, "\n<figcaption>{caption}</figcaption>\n</figure>\n")?;
        }
        Ok(Ok(()))
    }
}

/// How the parts are cut, in words (nothing for one part).
fn parts_sentence(parts: &[Diagram]) -> String {
    if parts.len() < 2 {
        return String::new();
    }
    let list: Vec<String> = parts.iter().map(|d| d.subtitle_part.clone()).collect();
    format!(
        " Drawn in {} parts, each sharing its last column with the next: {}. A link that runs past a part ends at a box naming the node and the part it is drawn in.",
        parts.len(),
        list.join("; ")
    )
}

/// The chain in words, for the diagram's `<desc>`: columns and their node counts, links by
/// strength of evidence, nodes by status and those at risk, then each column's nodes (when
/// there are not too many to list).
pub fn describe(toc: &TheoryOfChange, statuses: Option<&Statuses>) -> String {
    let mut d = String::new();
    let columns: Vec<(&'static str, Vec<&str>)> = sct_toc::NodeType::ALL
        .iter()
        .map(|&t| {
            (
                t.heading(),
                toc.nodes
                    .iter()
                    .filter(|n| n.node_type == t)
                    .map(|n| n.title.as_str())
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, nodes)| !nodes.is_empty())
        .collect();
    let _ = write!(
        d,
        "Theory of change drawn left to right in {} column{}: {}.",
        columns.len(),
        if columns.len() == 1 { "" } else { "s" },
        columns
            .iter()
            .map(|(h, nodes)| format!("{h} {}", nodes.len()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let by_evidence: Vec<String> = Evidence::ALL
        .iter()
        .rev()
        .filter_map(|&e| {
            let n = toc.links.iter().filter(|l| l.evidence == e).count();
            (n > 0).then(|| format!("{n} {}", evidence_label(e).to_lowercase()))
        })
        .collect();
    let _ = write!(
        d,
        " {} link{}{}.",
        toc.links.len(),
        if toc.links.len() == 1 { "" } else { "s" },
        if by_evidence.is_empty() {
            String::new()
        } else {
            format!(": {}", by_evidence.join(", "))
        }
    );
    if let Some(m) = statuses {
        let status_of = |id: &str| m.get(id).copied().unwrap_or((NodeStatus::NoData, false));
        let counts: Vec<String> = [
            NodeStatus::Improving,
            NodeStatus::Deteriorating,
            NodeStatus::NoSignificantChange,
            NodeStatus::NoData,
        ]
        .iter()
        .map(|&s| {
            let n = toc
                .nodes
                .iter()
                .filter(|node| status_of(node.id.get_ref()).0 == s)
                .count();
            format!("{n} {}", s.label().to_lowercase())
        })
        .collect();
        let _ = write!(d, " Status: {}.", counts.join(", "));
        let at_risk: Vec<String> = toc
            .nodes
            .iter()
            .filter(|node| status_of(node.id.get_ref()).1)
            .map(|node| clean(&node.title))
            .collect();
        if at_risk.is_empty() {
            d.push_str(" No node is at risk.");
        } else {
            let _ = write!(d, " At risk: {}.", at_risk.join("; "));
        }
    }
    if toc.nodes.len() <= DESCRIBE_NODES {
        for (h, nodes) in &columns {
            let names: Vec<String> = nodes.iter().map(|t| clean(t)).collect();
            let _ = write!(d, " {h} ({}): {}.", nodes.len(), names.join("; "));
        }
    }
    d
}

/// Everything measured and placed for one part, ready to draw on either backend.
struct Diagram {
    size: (u32, u32),
    /// Top of the drawing (parts are stacked one below the other).
    top: f64,
    title: String,
    subtitle: String,
    /// "Part 1 of 3: Inputs to Outputs" (empty when the diagram is one part).
    subtitle_part: String,
    layout: Layout,
    /// Per box: the status line and whether at risk (with statuses), and its style.
    node_status: Vec<NodeLook>,
    /// Per box: the words of a reference to a node drawn in another part.
    reference: Vec<Option<String>>,
    /// Per box: how many of its first lines say where a referenced node is drawn.
    header_lines: Vec<usize>,
    /// What each box stands for.
    part: Part,
    /// Per edge: its evidence.
    evidence: Vec<Evidence>,
    /// Column headings, wrapped.
    headings: Vec<Vec<String>>,
    legend: Vec<LegendItem>,
}

/// The diagram's parts, one below the other.
struct Stack {
    parts: Vec<Diagram>,
    size: (u32, u32),
}

impl Stack {
    /// Splits the theory into as few parts as keep each at most [`MAX_PART_WIDTH`] wide
    /// (two columns a part at the least), cuts a part taller than [`MAX_PART_HEIGHT`] into
    /// bands, and stacks them.
    fn new(
        toc: &TheoryOfChange,
        graph: &Graph,
        statuses: Option<&Statuses>,
    ) -> Result<Stack, ChartError> {
        load_fonts()?;
        let looks = node_looks(toc, statuses);
        let with = statuses.is_some();
        let fit = (MAX_PART_WIDTH - 2.0 * MARGIN + COLUMN_GAP) / (BOX_WIDTH + COLUMN_GAP);
        // `as` saturates; the quotient is finite and positive.
        let mut columns = (fit.floor() as usize).max(2);
        let wide = loop {
            let split = split(toc, graph, columns);
            let count = split.len();
            let parts: Vec<Diagram> = split
                .into_iter()
                .enumerate()
                .map(|(p, part)| Diagram::part(toc, part, Place::whole(p, count), &looks, with))
                .collect();
            // Channels for links within a column can widen a part: take fewer columns.
            if columns <= 2 || parts.iter().all(|d| d.layout.width <= MAX_PART_WIDTH) {
                break parts;
            }
            columns -= 1;
        };
        let count = wide.len();
        let mut cut = Vec::new();
        for (home, d) in wide.into_iter().enumerate() {
            fit_height(toc, d, home, (&looks, with), 0, &mut cut);
        }
        let parts = if cut.iter().all(|c| !c.2) {
            // Nothing was cut: the parts are drawn as they were measured.
            cut.into_iter().map(|c| c.0).collect()
        } else {
            place_bands(toc, cut, &looks, with)
        };
        debug_assert!(parts.len() >= count);
        let width = parts.iter().map(|d| d.size.0).max().unwrap_or(0);
        let height: u32 = parts.iter().map(|d| d.size.1).sum();
        Ok(Stack {
            parts,
            size: (width, height),
        })
    }

    /// Moves each part below the one before, to draw them as one picture (each part is
    /// drawn from the top of its own picture until then).
    fn stacked(mut self) -> Stack {
        let mut y = 0.0;
        for d in &mut self.parts {
            d.shift(y);
            y += f64::from(d.size.1);
        }
        self
    }

    /// Draws every part, with a rule between parts.
    fn draw<DB: DrawingBackend>(
        &self,
        cv: &Canvas<DB>,
        svg_dashes: bool,
    ) -> Result<(), ChartError> {
        cv.fill(PAPER)?;
        for (k, d) in self.parts.iter().enumerate() {
            if k > 0 {
                cv.path(
                    &[(MARGIN, d.top), (f64::from(self.size.0) - MARGIN, d.top)],
                    GRID_DARK.to_rgba(),
                    1.0,
                )?;
            }
            d.draw(cv, svg_dashes)?;
        }
        Ok(())
    }
}

/// Where a part stands: its number among all parts, and which band of its columns it is.
#[derive(Debug, Clone, Copy)]
struct Place {
    index: usize,
    count: usize,
    /// Band and bands of the part's columns ((0, 1) when they are drawn whole).
    band: (usize, usize),
}

impl Place {
    fn whole(index: usize, count: usize) -> Place {
        Place {
            index,
            count,
            band: (0, 1),
        }
    }
}

/// Deepest cutting of one part into bands: each cut at least halves the height, so this
/// only stops a part whose references alone outgrow the page.
const MAX_CUTS: usize = 12;

/// Most pages a part is cut into (by its height before cutting): a longer part is drawn
/// whole.
const MAX_BANDS: f64 = 12.0;

/// A part laid out, the part of [`split`] it comes from, and whether it is a band of it.
type Cut = (Diagram, usize, bool);

/// Keeps `d` (part `home` of the split) when it is at most [`MAX_PART_HEIGHT`] tall (or
/// longer than [`MAX_BANDS`] pages), else cuts it into bands by the height of its boxes and
/// does the same with each band.
fn fit_height(
    toc: &TheoryOfChange,
    d: Diagram,
    home: usize,
    (looks, with): (&[NodeLook], bool),
    depth: usize,
    out: &mut Vec<Cut>,
) {
    let height = f64::from(d.size.1);
    // A part longer than a dozen pages is a poster to scroll, not pages to print: it is drawn
    // whole rather than in hundreds of bands.
    let poster = depth == 0 && height > MAX_BANDS * MAX_PART_HEIGHT;
    if height <= MAX_PART_HEIGHT || d.part.nodes.len() < 2 || depth >= MAX_CUTS || poster {
        out.push((d, home, depth > 0));
        return;
    }
    let bands = split_bands(&d.part, home, &bands_of(&d.layout, height));
    if bands.len() < 2 {
        out.push((d, home, depth > 0));
        return;
    }
    for band in bands {
        let sub = Diagram::part(toc, band, Place::whole(0, 2), looks, with);
        fit_height(toc, sub, home, (looks, with), depth + 1, out);
    }
}

/// The band of each box of a layout too tall for a page: bands of equal height over the
/// boxes, as many as leave each band (with the part's title, headings and legend, and some
/// room for the references a cut adds) within [`MAX_PART_HEIGHT`]; at least two.
fn bands_of(layout: &Layout, height: f64) -> Vec<usize> {
    let top = layout
        .nodes
        .iter()
        .map(|b| b.y)
        .fold(f64::INFINITY, f64::min);
    let bottom = layout
        .nodes
        .iter()
        .map(|b| b.y + b.height)
        .fold(f64::NEG_INFINITY, f64::max);
    let span = (bottom - top).max(1.0);
    let room = (MAX_PART_HEIGHT - (height - span)).max(MAX_PART_HEIGHT / 4.0) * 0.85;
    // `as` saturates; the quotient is finite and positive.
    let count = ((span / room).ceil() as usize).max(2);
    let step = span / count as f64;
    layout
        .nodes
        .iter()
        .map(|b| (((b.y + b.height / 2.0 - top) / step).floor().max(0.0) as usize).min(count - 1))
        .collect()
}

/// The parts once some are cut into bands: references renumbered to the band that draws
/// their node, each part laid out again with its place among all parts.
fn place_bands(
    toc: &TheoryOfChange,
    cut: Vec<Cut>,
    looks: &[NodeLook],
    with: bool,
) -> Vec<Diagram> {
    let home_of: Vec<usize> = cut.iter().map(|c| c.1).collect();
    let mut parts: Vec<Part> = cut.into_iter().map(|c| c.0.part).collect();
    resolve(&mut parts, &home_of);
    let count = parts.len();
    let bands_in = |h: usize| home_of.iter().filter(|&&x| x == h).count();
    parts
        .into_iter()
        .enumerate()
        .map(|(k, part)| {
            let h = home_of[k];
            let first = home_of.iter().position(|&x| x == h).unwrap_or(k);
            let place = Place {
                index: k,
                count,
                band: (k - first, bands_in(h)),
            };
            Diagram::part(toc, part, place, looks, with)
        })
        .collect()
}

/// A part's title, subtitle (both fitted to `width`) and its place in words ("Part 2 of 6:
/// Inputs to Outputs, band 2 of 3"; empty when the diagram is one part).
fn part_titles(
    toc: &TheoryOfChange,
    part: &Part,
    place: Place,
    width: f64,
) -> (String, String, String) {
    let count = place.count;
    let band = match place.band {
        (_, 1) => String::new(),
        (b, n) => format!(", band {} of {n}", b + 1),
    };
    let subtitle_part = match (part.columns.first(), part.columns.last()) {
        (Some(a), Some(b)) if count > 1 => {
            format!(
                "Part {} of {count}: {} to {}{band}",
                place.index + 1,
                a.heading(),
                b.heading()
            )
        }
        _ => String::new(),
    };
    // A part is headed by its place (the theory's title, which may be long, is below it):
    // a band may be narrow, and the heading is what a reader turning pages looks for.
    let title = if count > 1 {
        subtitle_part.clone()
    } else {
        clean(&toc.title)
    };
    let title = ellipsize(&title, TITLE_PX, true, width - 2.0 * MARGIN);
    let subtitle = if count > 1 {
        format!("{}, version {}", clean(&toc.title), toc.version.get_ref())
    } else {
        format!(
            "Theory of change {} version {}: from inputs (left) to impact (right)",
            toc.id.get_ref(),
            toc.version.get_ref()
        )
    };
    let subtitle = ellipsize(&clean(&subtitle), SUBTITLE_PX, false, width - 2.0 * MARGIN);
    (title, subtitle, subtitle_part)
}

/// Per box of `part`: the words that say where a referenced node is drawn (None for a node
/// of the part).
fn reference_words(toc: &TheoryOfChange, part: &Part) -> Vec<Option<String>> {
    part.nodes
        .iter()
        .map(|n| match *n {
            PartNode::Node(_) => None,
            PartNode::To { node, part } => Some(format!(
                "→ Part {}, {}:",
                part + 1,
                singular(toc.nodes[node].node_type)
            )),
            PartNode::From { node, part } => Some(format!(
                "From part {}, {}:",
                part + 1,
                singular(toc.nodes[node].node_type)
            )),
        })
        .collect()
}

/// The index in the theory of change of the node a box stands for.
fn part_node_index(n: PartNode) -> usize {
    match n {
        PartNode::Node(i) | PartNode::To { node: i, .. } | PartNode::From { node: i, .. } => i,
    }
}

/// A node type in words, singular ("medium-term outcome"), for references.
fn singular(t: sct_toc::NodeType) -> &'static str {
    use sct_toc::NodeType as T;
    match t {
        T::Input => "input",
        T::Activity => "activity",
        T::Output => "output",
        T::OutcomeShort => "short-term outcome",
        T::OutcomeMedium => "medium-term outcome",
        T::OutcomeLong => "long-term outcome",
        T::Impact => "impact",
    }
}

/// The style of a box standing for a node drawn in another part: pale grey, dashed grey
/// border (its words say what it is).
const REFERENCE_STYLE: NodeStyle = NodeStyle {
    fill: 0xF0F4F5,
    stroke: 0x768692,
    dashed: true,
};

#[derive(Clone, Copy)]
enum Sample {
    Link(Evidence),
    Node(Option<NodeStatus>),
}

struct LegendItem {
    sample: Sample,
    text: String,
    x: f64,
    /// Baseline of the text.
    y: f64,
}

const SAMPLE_W: f64 = 34.0;

/// Each node's status, whether it is at risk, and its style (no statuses: all plain).
type NodeLook = (Option<NodeStatus>, bool, NodeStyle);

fn node_looks(toc: &TheoryOfChange, statuses: Option<&Statuses>) -> Vec<NodeLook> {
    toc.nodes
        .iter()
        .map(|n| match statuses {
            Some(m) => {
                let (s, r) = m
                    .get(n.id.get_ref().as_str())
                    .copied()
                    .unwrap_or((NodeStatus::NoData, false));
                (Some(s), r, node_style(Some(s)))
            }
            None => (None, false, node_style(None)),
        })
        .collect()
}

/// The legend flowed into lines below the layout (links on their own lines, then the
/// statuses), and the diagram's height with it.
fn legend(top: f64, width: f64, with_statuses: bool) -> (Vec<LegendItem>, f64) {
    let mut samples: Vec<(Sample, String)> = Evidence::ALL
        .iter()
        .rev()
        .map(|&e| (Sample::Link(e), evidence_label(e).to_string()))
        .collect();
    if with_statuses {
        for s in [
            NodeStatus::Improving,
            NodeStatus::Deteriorating,
            NodeStatus::NoSignificantChange,
            NodeStatus::NoData,
        ] {
            samples.push((Sample::Node(Some(s)), status_text(s)));
        }
    }
    let mut legend = Vec::new();
    let (mut x, mut y) = (MARGIN, top + 12.0);
    let mut row_kind_link = true;
    for (sample, text) in samples {
        let is_link = matches!(sample, Sample::Link(_));
        let w = SAMPLE_W + 6.0 + measure(&text, LEGEND_PX, false) + 22.0;
        if (x > MARGIN && x + w > width - MARGIN) || (is_link != row_kind_link) {
            x = MARGIN;
            y += 22.0;
        }
        row_kind_link = is_link;
        legend.push(LegendItem { sample, text, x, y });
        x += w;
    }
    let mut notes_y = y;
    if with_statuses {
        notes_y += 22.0;
        legend.push(LegendItem {
            sample: Sample::Node(None),
            text: format!("{AT_RISK}: every precursor with a status is deteriorating or at risk"),
            x: MARGIN,
            y: notes_y,
        });
    }
    (legend, notes_y + 16.0)
}

/// A closed outline stroked in `style`, dashed (`dash`, `gap`) when the style says so.
fn stroke_ring<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    outline: &[Pt],
    style: NodeStyle,
    width: f64,
    (dash, gap): (f64, f64),
) -> Result<(), ChartError> {
    let mut ring = outline.to_vec();
    ring.push(outline[0]);
    let stroke = hex(style.stroke).to_rgba();
    if style.dashed {
        for d in dashes(&ring, dash, gap) {
            cv.path(&d, stroke, width)?;
        }
        Ok(())
    } else {
        cv.path(&ring, stroke, width)
    }
}

impl Diagram {
    /// Part `p` of `count`, measured and laid out; `looks` are every node's.
    fn part(
        toc: &TheoryOfChange,
        part: Part,
        place: Place,
        looks: &[NodeLook],
        with_statuses: bool,
    ) -> Diagram {
        let plain = (None, false, node_style(None));
        let node_status: Vec<NodeLook> = part
            .nodes
            .iter()
            .map(|n| match n {
                PartNode::Node(i) => looks.get(*i).copied().unwrap_or(plain),
                _ => (None, false, REFERENCE_STYLE),
            })
            .collect();
        let reference = reference_words(toc, &part);
        let options = LayoutOptions {
            box_width: BOX_WIDTH,
            line_height: LINE,
            padding: PADDING,
            max_title_lines: 4,
            column_gap: COLUMN_GAP,
            top: MARGIN + 46.0,
            heading_height: 40.0,
            margin: MARGIN,
            ..LayoutOptions::default()
        };
        let inner = BOX_WIDTH - 2.0 * PADDING;
        let headers: Vec<Vec<String>> = reference
            .iter()
            .map(|r| {
                r.as_ref()
                    .map_or_else(Vec::new, |w| wrap(w, NODE_PX, true, inner, 2))
            })
            .collect();
        let layout = layout_graph(&part.node_types, &part.links, &options, |i| {
            let node = &toc.nodes[part_node_index(part.nodes[i])];
            let title = clean(&node.title);
            let mut lines = headers[i].clone();
            let max = options.max_title_lines.saturating_sub(lines.len()).max(2);
            if title.is_empty() {
                lines.push(String::new());
            } else {
                lines.extend(wrap(&title, NODE_PX, false, inner, max));
            }
            let extra = match node_status.get(i) {
                Some((Some(_), at_risk, _)) => 1 + usize::from(*at_risk),
                _ => 0,
            };
            BoxText {
                lines,
                extra_lines: extra,
            }
        });
        let evidence = layout
            .edges
            .iter()
            .map(|e| toc.links.get(e.link).map_or(Evidence::None, |l| l.evidence))
            .collect();
        let headings = layout
            .columns
            .iter()
            .map(|c| wrap(c.node_type.heading(), HEADING_PX, true, BOX_WIDTH, 2))
            .collect();
        let width = layout.width.max(MIN_WIDTH);
        let (legend, height) = legend(layout.height + 4.0, width, with_statuses);
        let (title, subtitle, subtitle_part) = part_titles(toc, &part, place, width);
        // `as` saturates; the sizes are finite and positive.
        let size = (width.ceil() as u32, height.ceil() as u32);
        Diagram {
            size,
            top: 0.0,
            title,
            subtitle,
            subtitle_part,
            layout,
            node_status,
            reference,
            header_lines: headers.iter().map(Vec::len).collect(),
            part,
            evidence,
            headings,
            legend,
        }
    }

    /// Moves the drawing down by `dy` (to stack parts).
    fn shift(&mut self, dy: f64) {
        self.top += dy;
        let l = &mut self.layout;
        l.heading_y += dy;
        for b in &mut l.nodes {
            b.y += dy;
        }
        for e in &mut l.edges {
            for p in &mut e.route {
                p.1 += dy;
            }
        }
        for item in &mut self.legend {
            item.y += dy;
        }
    }

    /// This part in words, for its `<desc>`: its columns and nodes, and its references.
    fn describe_part(&self, toc: &TheoryOfChange) -> String {
        let mut d = format!(
            "{} of the theory of change, drawn left to right.",
            self.subtitle_part
        );
        for col in &self.layout.columns {
            let names: Vec<String> = col
                .nodes()
                .filter_map(|i| match self.part.nodes.get(i) {
                    Some(PartNode::Node(n)) => Some(clean(&toc.nodes[*n].title)),
                    _ => None,
                })
                .collect();
            if names.len() <= DESCRIBE_NODES {
                let _ = write!(
                    d,
                    " {} ({}): {}.",
                    col.node_type.heading(),
                    names.len(),
                    names.join("; ")
                );
            }
        }
        let _ = write!(d, " {} links drawn.", self.layout.edges.len());
        let refs: Vec<String> = self
            .part
            .nodes
            .iter()
            .zip(&self.reference)
            .filter_map(|(n, r)| {
                r.as_ref()
                    .map(|r| format!("{r} {}", clean(&toc.nodes[part_node_index(*n)].title)))
            })
            .take(DESCRIBE_NODES)
            .collect();
        if !refs.is_empty() {
            let _ = write!(d, " Links to and from other parts: {}.", refs.join("; "));
        }
        d
    }

    /// Draws on `cv`; `svg_dashes` draws dashed links whole in [`DASHED_STANDIN`] for the SVG
    /// to dash.
    fn draw<DB: DrawingBackend>(
        &self,
        cv: &Canvas<DB>,
        svg_dashes: bool,
    ) -> Result<(), ChartError> {
        let l = &self.layout;
        cv.text(
            &self.title,
            MARGIN,
            self.top + MARGIN + 16.0,
            TITLE_PX,
            true,
            TEXT,
            Align::Left,
        )?;
        cv.text(
            &self.subtitle,
            MARGIN,
            self.top + MARGIN + 36.0,
            SUBTITLE_PX,
            false,
            TEXT_GREY,
            Align::Left,
        )?;
        self.draw_headings(cv)?;
        // Links under the boxes.
        for (e, edge) in l.edges.iter().enumerate() {
            let ev = self.evidence.get(e).copied().unwrap_or(Evidence::None);
            draw_link(cv, &edge.route, ev, svg_dashes)?;
        }
        for (i, b) in l.nodes.iter().enumerate() {
            self.draw_box(cv, i, b)?;
        }
        for item in &self.legend {
            draw_legend_item(cv, item, svg_dashes)?;
        }
        Ok(())
    }

    /// Column headings with a rule below.
    fn draw_headings<DB: DrawingBackend>(&self, cv: &Canvas<DB>) -> Result<(), ChartError> {
        let l = &self.layout;
        for (c, col) in l.columns.iter().enumerate() {
            let lines = self.headings.get(c).map_or(&[][..], Vec::as_slice);
            let base = l.heading_y + 14.0 + if lines.len() > 1 { 0.0 } else { 8.0 };
            for (k, line) in lines.iter().enumerate() {
                cv.text(
                    line,
                    col.x,
                    base + k as f64 * 16.0,
                    HEADING_PX,
                    true,
                    TEXT,
                    Align::Left,
                )?;
            }
            let rule = l.heading_y + l.heading_height - 8.0;
            cv.path(
                &[(col.x, rule), (col.x + col.width, rule)],
                GRID_DARK.to_rgba(),
                1.0,
            )?;
        }
        Ok(())
    }

    /// Node `i`'s box: outline in its status style, title, then the status lines.
    fn draw_box<DB: DrawingBackend>(
        &self,
        cv: &Canvas<DB>,
        i: usize,
        b: &NodeBox,
    ) -> Result<(), ChartError> {
        let (status, at_risk, style) =
            self.node_status
                .get(i)
                .copied()
                .unwrap_or((None, false, node_style(None)));
        let outline = rounded_rect(b.x, b.y, b.width, b.height, RADIUS);
        cv.polygon(&outline, hex(style.fill).to_rgba())?;
        let w = if at_risk { 3.0 } else { 1.5 };
        stroke_ring(cv, &outline, style, w, (5.0, 3.0))?;
        let mut y = b.y + PADDING + 11.0;
        let header = self.header_lines.get(i).copied().unwrap_or(0);
        for (k, line) in b.lines.iter().enumerate() {
            // A reference's first lines say where its node is drawn.
            let (bold, colour) = if k < header {
                (true, TEXT_GREY)
            } else {
                (false, TEXT)
            };
            cv.text(line, b.x + PADDING, y, NODE_PX, bold, colour, Align::Left)?;
            y += LINE;
        }
        if let Some(s) = status {
            cv.text(
                &status_text(s),
                b.x + PADDING,
                y,
                STATUS_PX,
                true,
                TEXT,
                Align::Left,
            )?;
            y += LINE;
            if at_risk {
                cv.text(
                    AT_RISK,
                    b.x + PADDING,
                    y,
                    STATUS_PX,
                    true,
                    TEXT,
                    Align::Left,
                )?;
            }
        }
        Ok(())
    }
}

/// One legend entry: its sample (a link or a box) and its words.
fn draw_legend_item<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    item: &LegendItem,
    svg_dashes: bool,
) -> Result<(), ChartError> {
    let (x, y) = (item.x, item.y);
    let mut text_x = x + SAMPLE_W + 6.0;
    match item.sample {
        Sample::Link(e) => {
            let route = line_route((x, y - 4.0), (x + SAMPLE_W, y - 4.0));
            draw_link(cv, &route, e, svg_dashes)?;
        }
        Sample::Node(Some(s)) => {
            let style = node_style(Some(s));
            let r = rounded_rect(x + 4.0, y - 12.0, SAMPLE_W - 8.0, 14.0, 3.0);
            cv.polygon(&r, hex(style.fill).to_rgba())?;
            stroke_ring(cv, &r, style, 1.5, (4.0, 2.5))?;
        }
        Sample::Node(None) => text_x = x,
    }
    cv.text(&item.text, text_x, y, LEGEND_PX, false, TEXT, Align::Left)
}

/// A straight route from `a` to `b` as one cubic curve.
fn line_route(a: Pt, b: Pt) -> Vec<Pt> {
    let third = ((b.0 - a.0) / 3.0, (b.1 - a.1) / 3.0);
    vec![
        a,
        (a.0 + third.0, a.1 + third.1),
        (b.0 - third.0, b.1 - third.1),
        b,
    ]
}

/// A route of cubic curves flattened to a polyline.
fn flatten(route: &[Pt]) -> Vec<Pt> {
    let Some(&first) = route.first() else {
        return Vec::new();
    };
    let mut pts = vec![first];
    let mut p0 = first;
    for c in route[1..].chunks_exact(3) {
        let (c1, c2, p3) = (c[0], c[1], c[2]);
        let flat =
            (c1.1 - p0.1).abs() < 1e-9 && (c2.1 - p3.1).abs() < 1e-9 && (p0.1 - p3.1).abs() < 1e-9;
        let len = ((p3.0 - p0.0).powi(2) + (p3.1 - p0.1).powi(2)).sqrt();
        let steps = if flat {
            1
        } else {
            (len / 12.0).clamp(4.0, 16.0) as usize
        };
        for k in 1..=steps {
            let t = k as f64 / steps as f64;
            let u = 1.0 - t;
            let (a, b, cc, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
            pts.push((
                a * p0.0 + b * c1.0 + cc * c2.0 + d * p3.0,
                a * p0.1 + b * c1.1 + cc * c2.1 + d * p3.1,
            ));
        }
        p0 = p3;
    }
    pts
}

/// Draws a link along `route` with an arrowhead at its end, its width by evidence (dashed
/// when none is stated: cut into dashes, or whole in the stand-in colour with `svg_dashes`).
fn draw_link<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    route: &[Pt],
    evidence: Evidence,
    svg_dashes: bool,
) -> Result<(), ChartError> {
    let mut pts = flatten(route);
    if pts.len() < 2 {
        return Ok(());
    }
    let w = evidence_width(evidence);
    let tip = pts[pts.len() - 1];
    // The direction into the tip: from the last control point, else the previous point.
    let from = route
        .len()
        .checked_sub(2)
        .and_then(|k| route.get(k))
        .copied()
        .filter(|p| (p.0 - tip.0).abs() + (p.1 - tip.1).abs() > 1e-6)
        .unwrap_or(pts[pts.len() - 2]);
    let (dx, dy) = (tip.0 - from.0, tip.1 - from.1);
    let len = (dx * dx + dy * dy).sqrt();
    let (ux, uy) = if len > 1e-9 {
        (dx / len, dy / len)
    } else {
        (1.0, 0.0)
    };
    let head = 7.0 + 1.5 * w;
    let half = 3.5 + w;
    // End the line inside the arrowhead, so a wide line does not show round its tip.
    if let Some(last) = pts.last_mut() {
        *last = (tip.0 - ux * head * 0.6, tip.1 - uy * head * 0.6);
    }
    let colour = LINK.to_rgba();
    if evidence == Evidence::None && svg_dashes {
        cv.path(&pts, DASHED_STANDIN.to_rgba(), w)?;
    } else if evidence == Evidence::None {
        for dash in dashes(&pts, 5.0, 4.0) {
            cv.path(&dash, colour, w)?;
        }
    } else {
        cv.path(&pts, colour, w)?;
    }
    let base = (tip.0 - ux * head, tip.1 - uy * head);
    cv.polygon(
        &[
            tip,
            (base.0 - uy * half, base.1 + ux * half),
            (base.0 + uy * half, base.1 - ux * half),
        ],
        colour,
    )
}

/// A rectangle with rounded corners as a polygon (three points on each corner's arc).
fn rounded_rect(x: f64, y: f64, w: f64, h: f64, r: f64) -> Vec<Pt> {
    let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
    let corners = [
        (x + w - r, y + r, -90.0f64),
        (x + w - r, y + h - r, 0.0),
        (x + r, y + h - r, 90.0),
        (x + r, y + r, 180.0),
    ];
    let mut pts = Vec::with_capacity(16);
    for (cx, cy, start) in corners {
        for k in 0..=3 {
            let a = (start + 30.0 * k as f64).to_radians();
            pts.push((cx + r * a.cos(), cy + r * a.sin()));
        }
    }
    pts
}

#[cfg(test)]
mod tests {
    use super::*;
    use sct_core::SourceFile;

    fn toc_from(text: &str) -> TheoryOfChange {
        sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).expect("test ToC")
    }

    /// A chain through all seven columns with a crossing, a link within a column, a link
    /// that skips columns and a hostile title.
    fn sample() -> TheoryOfChange {
        toc_from(
            r#"kind = "theory-of-change"
id = "sample"
version = "1"
title = "Sample <script>alert(1)</script> theory"
source = "s"
status = "example"
[[nodes]]
id = "money"
title = "Money and people"
type = "input"
[[nodes]]
id = "data"
title = "Linked data"
type = "input"
[[nodes]]
id = "ina"
title = "Integrated needs assessment"
type = "activity"
[[nodes]]
id = "intentions"
title = "Commissioning intentions </text><script>alert(2)</script>"
type = "activity"
[[nodes]]
id = "contracts"
title = "New contracts and pathways"
type = "output"
[[nodes]]
id = "shift"
title = "Activity moving out of hospital"
type = "outcome-short"
[[nodes]]
id = "admissions"
title = "Fewer emergency admissions"
type = "outcome-medium"
[[nodes]]
id = "hle"
title = "Healthy life expectancy up and inequalities narrower"
type = "outcome-long"
[[nodes]]
id = "health"
title = "Better population health"
type = "impact"
[[links]]
from = "money"
to = "intentions"
evidence = "weak"
[[links]]
from = "data"
to = "ina"
evidence = "strong"
[[links]]
from = "ina"
to = "intentions"
evidence = "moderate"
[[links]]
from = "intentions"
to = "contracts"
[[links]]
from = "contracts"
to = "shift"
evidence = "moderate"
[[links]]
from = "shift"
to = "admissions"
[[links]]
from = "admissions"
to = "hle"
[[links]]
from = "hle"
to = "health"
[[links]]
from = "data"
to = "shift"
evidence = "weak"
"#,
        )
    }

    fn statuses() -> Statuses {
        [
            ("money".to_string(), (NodeStatus::Improving, false)),
            ("shift".to_string(), (NodeStatus::Deteriorating, false)),
            (
                "admissions".to_string(),
                (NodeStatus::NoSignificantChange, true),
            ),
        ]
        .into()
    }

    fn png_size(png: &[u8]) -> (u32, u32) {
        use image::ImageDecoder;
        let dec = image::codecs::png::PngDecoder::new(std::io::Cursor::new(png)).expect("a PNG");
        dec.dimensions()
    }

    #[test]
    fn svg_is_accessible_and_escapes_user_text() {
        let t = sample();
        let g = Graph::new(&t);
        let svg = toc_svg(&t, &g, Some(&statuses())).expect("svg");
        assert!(svg.starts_with("<svg "));
        let root = &svg[..svg.find('>').expect("root")];
        assert!(root.contains(r#"role="img""#) && root.contains("aria-labelledby=\"sct-toc-"));
        assert!(svg.contains("<title id=\"sct-toc-sample-script-alert-1-script-"));
        assert!(!svg.contains("<script"), "user text is escaped");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!svg.contains("</text><script"));
        let desc = &svg[svg.find("<desc").expect("desc")..svg.find("</desc>").expect("desc end")];
        for part in [
            "drawn left to right in 7 columns: Inputs 2, Activities 2, Outputs 1, Short-term outcomes 1, Medium-term outcomes 1, Long-term outcomes 1, Impact 1.",
            "9 links: 1 strong evidence, 2 moderate evidence, 2 weak evidence, 4 no evidence stated.",
            "Status: 1 improving, 1 deteriorating, 1 no significant change, 6 no data.",
            "At risk: Fewer emergency admissions.",
            "Inputs (2): Money and people; Linked data.",
        ] {
            assert!(desc.contains(part), "{part} in {desc}");
        }
        // Headings, statuses in words and symbols, the legend.
        for text in [
            "Inputs",
            "Medium-term outcomes",
            "▲ Improving",
            "▼ Deteriorating",
            "● No significant change",
            "○ No data",
            "⚠ At risk",
            "Strong evidence",
            "No evidence stated",
        ] {
            assert!(svg.contains(text), "{text}");
        }
    }

    /// The SVG as it was made whole before it was streamed: plotters' backend into a
    /// String, the dashes' stand-in replaced, the accessible root added.
    fn whole_svg(toc: &TheoryOfChange, statuses: Option<&Statuses>) -> String {
        let parts = Stack::new(toc, &Graph::new(toc), statuses)
            .expect("laid out")
            .stacked();
        let svg = crate::charts::render_svg(parts.size, |cv| parts.draw(cv, true)).expect("svg");
        let svg = svg.replace(DASHED_STANDIN_ATTR, DASHED_ATTR);
        let mut desc = describe(toc, statuses);
        desc.push_str(&parts_sentence(&parts.parts));
        crate::charts::accessible_svg(svg, "toc", "Theory of change", &toc.title, &desc)
    }

    /// The figures as they were made whole before they were streamed.
    fn whole_figures(toc: &TheoryOfChange, statuses: Option<&Statuses>) -> String {
        let parts = Stack::new(toc, &Graph::new(toc), statuses).expect("laid out");
        let count = parts.parts.len();
        let mut html = String::new();
        for d in &parts.parts {
            let svg = crate::charts::render_svg(d.size, |cv| d.draw(cv, true)).expect("svg");
            let svg = svg.replace(DASHED_STANDIN_ATTR, DASHED_ATTR);
            let (title, desc, caption) = if count > 1 {
                (
                    format!("{}: {}", toc.title, d.subtitle_part),
                    d.describe_part(toc),
                    format!(
                        "{}. Boxes with a dashed grey border stand for nodes drawn in another part.",
                        d.subtitle_part
                    ),
                )
            } else {
                let whole = "The whole chain.".to_string();
                (toc.title.clone(), describe(toc, statuses), whole)
            };
            let svg = crate::charts::accessible_svg(svg, "toc", "Theory of change", &title, &desc);
            let caption = sct_chart::xml_escape(&caption);
            let _ = write!(
                html,
                "<figure class=\"toc-part\">\n{svg}\n<figcaption>{caption}</figcaption>\n</figure>\n"
            );
        }
        html
    }

    #[test]
    fn the_streamed_svg_and_figures_are_those_made_whole() {
        let bundled = sct_assets::frameworks::BUNDLED
            .iter()
            .filter(|(name, _)| name.starts_with("theory-of-change/"))
            .map(|(_, text)| toc_from(text));
        let example = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/theory-of-change/bnssg-toc.toml"
        ))
        .expect("the example");
        let tocs: Vec<TheoryOfChange> = [sample(), toc_from(&example)]
            .into_iter()
            .chain(bundled)
            .collect();
        let s = statuses();
        for t in &tocs {
            for st in [None, Some(&s)] {
                let g = Graph::new(t);
                assert!(
                    toc_svg(t, &g, st).expect("svg") == whole_svg(t, st),
                    "{}",
                    t.title
                );
                let figures = toc_figures(t, &g, st).expect("figures");
                assert!(figures == whole_figures(t, st), "{}", t.title);
            }
        }
    }

    #[test]
    fn links_without_evidence_are_dashed_whole_in_svg() {
        let t = sample();
        let svg = toc_svg(&t, &Graph::new(&t), None).expect("svg");
        // Four links (each between neighbouring columns, so drawn once) and the legend's
        // sample in each of the three parts.
        assert_eq!(svg.matches("stroke-dasharray=\"5 4\"").count(), 4 + 3);
        assert!(!svg.contains(DASHED_STANDIN_ATTR));
    }

    #[test]
    fn without_statuses_boxes_are_neutral_and_no_status_is_drawn() {
        let t = sample();
        let svg = toc_svg(&t, &Graph::new(&t), None).expect("svg");
        assert!(!svg.contains("No data") && !svg.contains("Improving"));
        assert!(!svg.contains("Status:"));
        assert!(svg.contains("Weak evidence"));
    }

    #[test]
    fn the_font_has_every_status_symbol() {
        load_fonts().expect("fonts");
        for s in ["▲", "▼", "●", "○", "⚠"] {
            // A missing glyph would measure as the notdef box or nothing; these are drawn.
            assert!(measure(s, 12.0, true) > 4.0, "{s}");
        }
    }

    #[test]
    fn output_is_deterministic() {
        let t = sample();
        let g = Graph::new(&t);
        let s = statuses();
        for format in [ChartFormat::Svg, ChartFormat::Png] {
            let a = toc_diagram(&t, &g, Some(&s), format).expect("draw");
            let b = toc_diagram(&t, &g, Some(&s), format).expect("draw");
            assert!(a == b, "two renders differ");
        }
    }

    #[test]
    fn png_of_the_sample_has_a_sensible_size() {
        let t = sample();
        let png =
            toc_diagram(&t, &Graph::new(&t), Some(&statuses()), ChartFormat::Png).expect("png");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let (w, h) = png_size(&png);
        // Seven columns in three parts of three, one below the other.
        assert!(
            (MIN_WIDTH as u32..=MAX_PART_WIDTH as u32).contains(&w),
            "{w}"
        );
        assert!((600..2400).contains(&h), "{h}");
    }

    #[test]
    fn the_bundled_template_draws_as_png() {
        let tocs: Vec<TheoryOfChange> = sct_assets::frameworks::BUNDLED
            .iter()
            .filter(|(name, _)| name.starts_with("theory-of-change/"))
            .map(|(_, text)| toc_from(text))
            .collect();
        assert!(!tocs.is_empty(), "a theory of change is bundled");
        for t in tocs {
            let png = toc_diagram(&t, &Graph::new(&t), None, ChartFormat::Png).expect("png");
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
            let (w, h) = png_size(&png);
            assert!((MIN_WIDTH as u32..4000).contains(&w), "{w}");
            assert!((200..6000).contains(&h), "{h}");
        }
    }

    #[test]
    fn huge_diagrams_refuse_png_but_draw_svg() {
        let mut text = String::from(
            "kind = \"theory-of-change\"\nid = \"big\"\nversion = \"1\"\ntitle = \"Big\"\nsource = \"s\"\nstatus = \"example\"\n",
        );
        for i in 0..1200 {
            let _ = write!(
                text,
                "[[nodes]]\nid = \"n{i}\"\ntitle = \"Node {i}\"\ntype = \"input\"\n"
            );
        }
        let t = toc_from(&text);
        let g = Graph::new(&t);
        let err = toc_diagram(&t, &g, None, ChartFormat::Png).expect_err("too large");
        assert!(err.to_string().contains("too large for a PNG"), "{err}");
        assert!(toc_svg(&t, &g, None).is_ok());
    }

    #[test]
    fn empty_theory_draws() {
        let t = toc_from(
            "kind = \"theory-of-change\"\nid = \"e\"\nversion = \"1\"\ntitle = \"\"\nsource = \"s\"\nstatus = \"example\"\n",
        );
        let svg = toc_svg(&t, &Graph::new(&t), None).expect("svg");
        assert!(svg.contains("<title id=") && svg.contains(">Theory of change</title>"));
    }

    #[test]
    fn flattened_routes_follow_the_curve() {
        let flat = flatten(&line_route((0.0, 5.0), (30.0, 5.0)));
        assert_eq!(flat, [(0.0, 5.0), (30.0, 5.0)]);
        let curve = flatten(&[(0.0, 0.0), (50.0, 0.0), (50.0, 100.0), (100.0, 100.0)]);
        assert!(curve.len() > 4);
        assert_eq!(curve[curve.len() - 1], (100.0, 100.0));
        assert!(flatten(&[]).is_empty());
    }
}
