//! A layered left-to-right layout of a theory of change, for drawing: one column per node type
//! present (inputs, activities, outputs, short, medium and long-term outcomes, impact), the
//! nodes of each column ordered to reduce crossing links, boxes sized from their wrapped titles,
//! and every link routed as a chain of cubic Bézier curves. Nothing is drawn here.
//!
//! The method is the layered (Sugiyama) approach, kept simple and deterministic:
//!
//! 1. **Columns.** Each node goes in its type's column; empty columns are left out. A link that
//!    skips columns gets a waypoint (a "dummy" item) in each column it passes, so it is routed
//!    between the boxes rather than through them and its crossings are counted column by
//!    column. Links between nodes of the same type take no part in the ordering.
//! 2. **Order.** Starting from file order, a few sweeps of the barycentre heuristic, left to
//!    right then right to left: each item moves to the mean position of its neighbours in the
//!    column just swept, ties keeping their current order. After every sweep the links'
//!    crossings are counted; the ordering with the fewest is kept, so the result never has
//!    more crossings than file order.
//! 3. **Position.** Boxes are stacked in order, then moved a few times towards the mean height
//!    of their neighbours (least squares, keeping order and the gaps between boxes), so that
//!    links run as straight as they can.
//! 4. **Routes.** Links leave the right side of their box and enter the left side of the
//!    next, their ports spread along the side in the order of the other end (at least
//!    `port_gap` apart: a box grows to hold its ports), so links into one box do not cross or
//!    touch at the box. A link between two nodes of the same column runs in a channel of its
//!    own to the right of the column: out of the source's right side, along a vertical track,
//!    and back into the target's right side, its arrowhead pointing into the box. Tracks are
//!    given shortest link first, each link the track nearest the boxes that no overlapping
//!    link holds, so distinct links never share a segment and short links nest inside long
//!    ones. Links between columns cross the channel straight and curve only in the gap beyond
//!    it.
//!
//! The same theory of change and options always give the same layout.
//!
//! ```
//! # use sct_core::SourceFile;
//! # let text = "kind = \"theory-of-change\"\nid = \"t\"\nversion = \"1\"\ntitle = \"T\"\nsource = \"s\"\nstatus = \"example\"\n[[nodes]]\nid = \"money\"\ntitle = \"Money\"\ntype = \"input\"\n[[nodes]]\nid = \"health\"\ntitle = \"Health\"\ntype = \"impact\"\n[[links]]\nfrom = \"money\"\nto = \"health\"\n";
//! # let toc: sct_toc::TheoryOfChange = sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).unwrap();
//! use sct_toc::graph::Graph;
//! use sct_toc::layout::{crossings, layout};
//! let l = layout(&toc, &Graph::new(&toc));
//! assert_eq!(l.columns.len(), 2);
//! assert_eq!(crossings(&l), 0);
//! ```

use std::cmp::Ordering;

use crate::graph::Graph;
use crate::model::{Node, NodeType, TheoryOfChange};

/// A point, in pixels from the top left.
pub type Pt = (f64, f64);

/// Sizes and spacing of a layout, in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutOptions {
    /// Width of every box (and so of every column).
    pub box_width: f64,
    /// Height of one line of text in a box.
    pub line_height: f64,
    /// Padding inside a box, around its text.
    pub padding: f64,
    /// Most lines a title takes (the default wrapping; a text function may do otherwise).
    pub max_title_lines: usize,
    /// Average width of a character, for the default wrapping.
    pub char_width: f64,
    /// Horizontal gap between columns.
    pub column_gap: f64,
    /// Vertical gap between boxes.
    pub node_gap: f64,
    /// Vertical room a link takes where it passes through a column.
    pub waypoint_gap: f64,
    /// Where the column headings start (room above them is the drawing's, for a title).
    pub top: f64,
    /// Height of the column headings.
    pub heading_height: f64,
    /// Margin round the drawing.
    pub margin: f64,
    /// Barycentre sweeps (each one left to right and right to left); 0 keeps file order.
    pub sweeps: usize,
    /// Rounds of moving boxes towards their neighbours' height.
    pub straighten: usize,
    /// Least vertical distance between two link ends on one side of a box.
    pub port_gap: f64,
    /// Horizontal distance between the tracks of links within a column.
    pub track_gap: f64,
    /// Room between a box and the first track of its column's channel (and after the last):
    /// long enough for an arrowhead.
    pub channel_pad: f64,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        LayoutOptions {
            box_width: 190.0,
            line_height: 15.0,
            padding: 8.0,
            max_title_lines: 4,
            char_width: 6.8,
            column_gap: 80.0,
            node_gap: 16.0,
            waypoint_gap: 8.0,
            top: 20.0,
            heading_height: 44.0,
            margin: 20.0,
            sweeps: 4,
            straighten: 8,
            port_gap: 9.0,
            track_gap: 9.0,
            channel_pad: 16.0,
        }
    }
}

/// The text a box holds, as the drawing will set it: the title's lines and how many more
/// lines (a status, say) to leave room for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BoxText {
    /// The title, wrapped.
    pub lines: Vec<String>,
    /// Further lines below the title.
    pub extra_lines: usize,
}

/// One thing in a column, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// A node (its index in the theory of change).
    Node(usize),
    /// A link passing through the column (its index in [`Layout::edges`]).
    Edge(usize),
}

/// A column: the nodes of one type.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The node type.
    pub node_type: NodeType,
    /// Left edge.
    pub x: f64,
    /// Width.
    pub width: f64,
    /// Width of the channel to its right where links within the column run (0 without any).
    pub channel: f64,
    /// Nodes and passing links, top to bottom.
    pub items: Vec<Item>,
}

impl Column {
    /// The column's nodes, top to bottom.
    pub fn nodes(&self) -> impl Iterator<Item = usize> + '_ {
        self.items.iter().filter_map(|i| match i {
            Item::Node(n) => Some(*n),
            Item::Edge(_) => None,
        })
    }
}

/// A node's box.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeBox {
    /// Its column (index in [`Layout::columns`]).
    pub column: usize,
    /// Its place in the column's items.
    pub rank: usize,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// The title's lines.
    pub lines: Vec<String>,
    /// Lines left for the drawing below the title.
    pub extra_lines: usize,
}

/// A link, routed.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// The earlier node.
    pub from: usize,
    /// The later node.
    pub to: usize,
    /// The link's index in the theory of change.
    pub link: usize,
    /// The link's rank in each column from `from`'s to `to`'s (empty for a link within one
    /// column).
    pub ranks: Vec<usize>,
    /// A path of cubic Bézier curves: the start, then three points (two controls and an end)
    /// per curve. The first point touches `from`'s box and the last `to`'s box; the last
    /// curve ends straight into the box's side, so an arrowhead drawn along it enters square.
    pub route: Vec<Pt>,
}

/// A laid-out theory of change.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Width of the drawing.
    pub width: f64,
    /// Height of the drawing.
    pub height: f64,
    /// Top of the column headings.
    pub heading_y: f64,
    /// Height of the column headings.
    pub heading_height: f64,
    /// The columns present, in chain order.
    pub columns: Vec<Column>,
    /// One box per node, in file order.
    pub nodes: Vec<NodeBox>,
    /// The links between known nodes, in file order.
    pub edges: Vec<Edge>,
}

/// Lays out `toc` with the default options, wrapping titles by an estimate of character
/// width.
pub fn layout(toc: &TheoryOfChange, graph: &Graph) -> Layout {
    let options = LayoutOptions::default();
    let text = |_: usize, node: &Node| BoxText {
        lines: estimate_wrap(&node.title, &options),
        extra_lines: 0,
    };
    layout_with(toc, graph, &options, text)
}

/// `title` wrapped to the box width of `options` by a fixed estimate of character width, in
/// at most `max_title_lines` lines (the last ending in an ellipsis if the title is longer).
pub fn estimate_wrap(title: &str, options: &LayoutOptions) -> Vec<String> {
    let inner = options.box_width - 2.0 * options.padding;
    let max_chars = if options.char_width > 0.0 && inner.is_finite() {
        ((inner / options.char_width).floor() as usize).max(4)
    } else {
        24
    };
    let max_lines = options.max_title_lines.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut words: std::collections::VecDeque<String> = title
        .split_whitespace()
        .map(|w| w.chars().filter(|c| !c.is_control()).collect())
        .collect();
    while let Some(word) = words.pop_front() {
        let (cur_len, word_len) = (cur.chars().count(), word.chars().count());
        if cur_len == 0 && word_len > max_chars {
            let head: String = word.chars().take(max_chars).collect();
            let tail: String = word.chars().skip(max_chars).collect();
            lines.push(head);
            words.push_front(tail);
        } else if cur_len == 0 {
            cur = word;
        } else if cur_len + 1 + word_len <= max_chars {
            cur.push(' ');
            cur.push_str(&word);
        } else {
            lines.push(std::mem::take(&mut cur));
            words.push_front(word);
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        let mut last: String = rest.chars().take(max_chars.saturating_sub(1)).collect();
        last = last.trim_end().to_string();
        last.push('…');
        lines.push(last);
    }
    lines
}

/// Lays out `toc` with `options`, taking each box's text from `text` (given the node's index
/// and the node), which the drawing side uses to wrap titles with its own font and to leave
/// room for status lines.
pub fn layout_with<F>(
    toc: &TheoryOfChange,
    graph: &Graph,
    options: &LayoutOptions,
    mut text: F,
) -> Layout
where
    F: FnMut(usize, &Node) -> BoxText,
{
    let types: Vec<NodeType> = toc.nodes.iter().map(|node| node.node_type).collect();
    let links = known_links(graph, types.len());
    layout_graph(&types, &links, options, |i| text(i, &toc.nodes[i]))
}

/// Lays out nodes given by their types (one column per type present) and `links` (from, to,
/// the link's own index, which [`Edge::link`] keeps) between them, taking each box's text
/// from `text`. What [`layout_with`] does for a whole theory of change, for any part of one
/// (see [`crate::parts`]).
pub fn layout_graph<F>(
    node_types: &[NodeType],
    links: &[(usize, usize, usize)],
    options: &LayoutOptions,
    mut text: F,
) -> Layout
where
    F: FnMut(usize) -> BoxText,
{
    let o = sane(options);
    let n = node_types.len();
    let (types, node_col) = node_columns(node_types);
    let links: Vec<Link> = links
        .iter()
        .copied()
        .filter(|&(a, b, _)| a < n && b < n)
        .collect();
    let items = LayoutItems::new(&node_col, &links);
    let order = best_order(&items, types.len(), o.sweeps);
    let mut pos = vec![0usize; items.col.len()];
    set_positions(&order, &mut pos);
    let side_ports = port_counts(&links, &items, n);
    let mut boxes: Vec<NodeBox> = (0..n)
        .map(|i| {
            let t = text(i);
            let lines = t.lines.len().max(1) + t.extra_lines;
            let for_text = 2.0 * o.padding + lines as f64 * o.line_height;
            let for_ports = 2.0 * o.padding + side_ports[i].saturating_sub(1) as f64 * o.port_gap;
            NodeBox {
                column: node_col[i],
                rank: pos[i],
                x: 0.0,
                y: 0.0,
                width: o.box_width,
                height: for_text.max(for_ports).round(),
                lines: t.lines,
                extra_lines: t.extra_lines,
            }
        })
        .collect();
    let mut centre = vertical_centres(&o, &items, &order, &boxes);
    place_boxes(&o, &order, &mut boxes, &mut centre);
    let port_y = ports(&o, &links, &items, &boxes, &centre);
    let (track, tracks) = tracks(&o, &links, &items, &node_col, &port_y, types.len());
    let channel: Vec<f64> = tracks
        .iter()
        .map(|&t| {
            if t == 0 {
                0.0
            } else {
                2.0 * o.channel_pad + (t - 1) as f64 * o.track_gap
            }
        })
        .collect();
    let col_x = column_xs(&o, &channel);
    for b in boxes.iter_mut() {
        b.x = col_x[b.column];
    }
    let columns: Vec<Column> = types
        .iter()
        .enumerate()
        .map(|(c, &t)| Column {
            node_type: t,
            x: col_x[c],
            width: o.box_width,
            channel: channel[c],
            items: order[c]
                .iter()
                .map(|&i| {
                    if i < n {
                        Item::Node(i)
                    } else {
                        Item::Edge(items.waypoint_edge[i - n])
                    }
                })
                .collect(),
        })
        .collect();
    let geo = Geometry {
        o: &o,
        items: &items,
        boxes: &boxes,
        centre: &centre,
        col_x: &col_x,
        channel: &channel,
    };
    let edges = routes(&geo, &links, &port_y, &track, &pos);

    let content_top = o.top + o.heading_height;
    let right_edge = columns
        .last()
        .map_or(o.margin, |c| c.x + c.width + c.channel);
    let bottom = boxes
        .iter()
        .map(|b| b.y + b.height)
        .chain(centre.iter().copied())
        .fold(content_top, f64::max);
    Layout {
        width: (right_edge + o.margin).ceil(),
        height: (bottom + o.margin).ceil(),
        heading_y: o.top,
        heading_height: o.heading_height,
        columns,
        nodes: boxes,
        edges,
    }
}

/// A link between known nodes: from, to, and its index among the file's links.
type Link = (usize, usize, usize);

/// The node types present, in chain order (one column each), and each node's column.
fn node_columns(node_types: &[NodeType]) -> (Vec<NodeType>, Vec<usize>) {
    let mut col_of_type = [usize::MAX; 7];
    let mut present = [false; 7];
    for t in node_types {
        present[t.rank()] = true;
    }
    let mut types: Vec<NodeType> = Vec::new();
    for t in NodeType::ALL {
        if present[t.rank()] {
            col_of_type[t.rank()] = types.len();
            types.push(t);
        }
    }
    let node_col = node_types.iter().map(|t| col_of_type[t.rank()]).collect();
    (types, node_col)
}

/// The links between known nodes, in file order.
fn known_links(graph: &Graph, n: usize) -> Vec<Link> {
    let mut links: Vec<Link> = graph
        .out
        .iter()
        .enumerate()
        .flat_map(|(a, outs)| outs.iter().map(move |&(b, k)| (a, b, k)))
        .filter(|&(a, b, _)| a < n && b < n)
        .collect();
    links.sort_by_key(|&(_, _, k)| k);
    links
}

/// What the layout orders: nodes 0..n, then waypoints of links that skip columns. A link
/// from a later to an earlier column (only in a file the checker rejects) is laid out as if
/// reversed.
struct LayoutItems {
    /// Each item's column.
    col: Vec<usize>,
    /// Each item's neighbours in the column to its left.
    left: Vec<Vec<usize>>,
    /// Each item's neighbours in the column to its right.
    right: Vec<Vec<usize>>,
    /// Per edge: its chain of items, first column to last (empty within a column).
    chains: Vec<Vec<usize>>,
    /// Per waypoint item: its edge.
    waypoint_edge: Vec<usize>,
}

impl LayoutItems {
    /// How many of the items are nodes (the rest are waypoints).
    fn nodes(&self) -> usize {
        self.col.len() - self.waypoint_edge.len()
    }

    fn new(node_col: &[usize], links: &[Link]) -> Self {
        let n = node_col.len();
        let mut it = LayoutItems {
            col: node_col.to_vec(),
            left: vec![Vec::new(); n],
            right: vec![Vec::new(); n],
            chains: Vec::with_capacity(links.len()),
            waypoint_edge: Vec::new(),
        };
        for (e, &(a, b, _)) in links.iter().enumerate() {
            let (ca, cb) = (node_col[a], node_col[b]);
            if ca == cb {
                it.chains.push(Vec::new());
                continue;
            }
            let (lo, hi, first, last) = if ca < cb {
                (ca, cb, a, b)
            } else {
                (cb, ca, b, a)
            };
            let mut chain = vec![first];
            for c in lo + 1..hi {
                let id = it.col.len();
                it.col.push(c);
                it.left.push(Vec::new());
                it.right.push(Vec::new());
                it.waypoint_edge.push(e);
                chain.push(id);
            }
            chain.push(last);
            for w in chain.windows(2) {
                it.right[w[0]].push(w[1]);
                it.left[w[1]].push(w[0]);
            }
            it.chains.push(chain);
        }
        it
    }
}

/// The items of each column in the order with the fewest crossings seen over `sweeps`
/// barycentre sweeps, starting from file order (then waypoints in link order).
fn best_order(items: &LayoutItems, columns: usize, sweeps: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for (i, &c) in items.col.iter().enumerate() {
        order[c].push(i);
    }
    let mut pos = vec![0usize; items.col.len()];
    set_positions(&order, &mut pos);
    let mut best = order.clone();
    let mut best_crossings = count_all(&order, &pos, &items.right, &items.col);
    'sweeps: for _ in 0..sweeps {
        for forward in [true, false] {
            if best_crossings == 0 {
                break 'sweeps;
            }
            let cols: Vec<usize> = if forward {
                (1..order.len()).collect()
            } else {
                (0..order.len().saturating_sub(1)).rev().collect()
            };
            let nbrs = if forward { &items.left } else { &items.right };
            for c in cols {
                sort_by_barycentre(&mut order[c], &mut pos, nbrs);
            }
            let cr = count_all(&order, &pos, &items.right, &items.col);
            if cr < best_crossings {
                best_crossings = cr;
                best = order.clone();
            }
        }
    }
    best
}

/// Sorts one column by the mean position of each item's neighbours (its own position when
/// it has none; ties keep the current order), and updates the positions.
fn sort_by_barycentre(col: &mut Vec<usize>, pos: &mut [usize], nbrs: &[Vec<usize>]) {
    let mut keyed: Vec<(f64, usize, usize)> = col
        .iter()
        .map(|&i| {
            let ns = &nbrs[i];
            let bary = if ns.is_empty() {
                pos[i] as f64
            } else {
                ns.iter().map(|&j| pos[j] as f64).sum::<f64>() / ns.len() as f64
            };
            (bary, pos[i], i)
        })
        .collect();
    keyed.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    *col = keyed.into_iter().map(|(_, _, i)| i).collect();
    for (p, &i) in col.iter().enumerate() {
        pos[i] = p;
    }
}

/// The left edge of each column: boxes, each column's channel, then the gap.
fn column_xs(o: &LayoutOptions, channel: &[f64]) -> Vec<f64> {
    let mut x = o.margin;
    channel
        .iter()
        .map(|ch| {
            let left = x;
            x += o.box_width + ch + o.column_gap;
            left
        })
        .collect()
}

/// Each item's vertical centre: stacked, straightened towards its neighbours, then moved up
/// to the content top.
fn vertical_centres(
    o: &LayoutOptions,
    items: &LayoutItems,
    order: &[Vec<usize>],
    boxes: &[NodeBox],
) -> Vec<f64> {
    let n = boxes.len();
    let height_of = |i: usize| if i < n { boxes[i].height } else { 0.0 };
    let content_top = o.top + o.heading_height;
    let mut centre = vec![0.0f64; items.col.len()];
    for col in order {
        let mut y = content_top;
        for (k, &i) in col.iter().enumerate() {
            if k > 0 {
                y += gap(o, col[k - 1], i, n);
            }
            centre[i] = y + height_of(i) / 2.0;
            y += height_of(i);
        }
    }
    for round in 0..o.straighten {
        let cols: Vec<usize> = if round % 2 == 0 {
            (0..order.len()).collect()
        } else {
            (0..order.len()).rev().collect()
        };
        for c in cols {
            straighten(o, items, &order[c], &height_of, &mut centre);
        }
    }
    // Move everything up to the content top.
    let min_top = (0..centre.len())
        .map(|i| centre[i] - height_of(i) / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = if min_top.is_finite() {
        content_top - min_top
    } else {
        0.0
    };
    for c in centre.iter_mut() {
        *c += shift;
    }
    centre
}

/// Moves the items of one column towards the mean centre of their neighbours, keeping
/// their order and the gaps between them.
fn straighten(
    o: &LayoutOptions,
    items: &LayoutItems,
    col: &[usize],
    height_of: &dyn Fn(usize) -> f64,
    centre: &mut [f64],
) {
    let n = items.nodes();
    if col.is_empty() {
        return;
    }
    // Each item's desired centre: the mean of its neighbours' (None without any).
    let desired: Vec<Option<f64>> = col
        .iter()
        .map(|&i| {
            let (l, r) = (&items.left[i], &items.right[i]);
            let count = l.len() + r.len();
            (count > 0).then(|| l.iter().chain(r).map(|&j| centre[j]).sum::<f64>() / count as f64)
        })
        .collect();
    if desired.iter().all(Option::is_none) {
        return;
    }
    // Minimum distance from the first item's centre to each item's centre.
    let mut offset = vec![0.0f64; col.len()];
    for k in 1..col.len() {
        offset[k] = offset[k - 1]
            + height_of(col[k - 1]) / 2.0
            + gap(o, col[k - 1], col[k], n)
            + height_of(col[k]) / 2.0;
    }
    // In the space of z = centre - offset, where order and gaps only ask z to be
    // non-decreasing. Items without neighbours follow the one above them (or the
    // first below), so they pack next to it rather than stay where they were pushed.
    let mut z: Vec<Option<f64>> = desired
        .iter()
        .zip(&offset)
        .map(|(d, off)| d.map(|d| d - off))
        .collect();
    let mut last = None;
    for v in z.iter_mut() {
        match v {
            Some(x) => last = Some(*x),
            None => *v = last,
        }
    }
    let first = z.iter().flatten().next().copied().unwrap_or(0.0);
    let z: Vec<f64> = z.into_iter().map(|v| v.unwrap_or(first)).collect();
    let fitted = isotonic(&z);
    for (k, &i) in col.iter().enumerate() {
        centre[i] = fitted[k] + offset[k];
    }
}

/// Puts the boxes at their heights on whole pixels, kept apart after rounding; the centres
/// follow the boxes (waypoints round to whole pixels).
fn place_boxes(o: &LayoutOptions, order: &[Vec<usize>], boxes: &mut [NodeBox], centre: &mut [f64]) {
    let n = boxes.len();
    for (i, b) in boxes.iter_mut().enumerate() {
        b.y = (centre[i] - b.height / 2.0).round();
    }
    for col in order {
        let mut prev_bottom: Option<(f64, usize)> = None;
        for &i in col {
            if i < n {
                if let Some((bottom, p)) = prev_bottom {
                    let min_y = bottom + gap(o, p, i, n);
                    if boxes[i].y < min_y {
                        boxes[i].y = min_y;
                    }
                }
                prev_bottom = Some((boxes[i].y + boxes[i].height, i));
                centre[i] = boxes[i].y + boxes[i].height / 2.0;
            } else {
                centre[i] = centre[i].round();
            }
        }
    }
}

/// Per edge: the heights where it leaves and enters its boxes ((first item, last item) for
/// chains, (`from`, `to`) within a column). Links leave a box's right side and enter its
/// left side (links within a column use the right side at both ends), spread in the order
/// of the other end's height.
fn ports(
    o: &LayoutOptions,
    links: &[Link],
    items: &LayoutItems,
    boxes: &[NodeBox],
    centre: &[f64],
) -> Vec<(f64, f64)> {
    let n = boxes.len();
    let mut right_ports: Vec<Vec<(f64, usize, usize)>> = vec![Vec::new(); n];
    let mut left_ports: Vec<Vec<(f64, usize, usize)>> = vec![Vec::new(); n];
    for (e, &(a, b, k)) in links.iter().enumerate() {
        let chain = &items.chains[e];
        if chain.is_empty() {
            right_ports[a].push((centre[b], k, e));
            right_ports[b].push((centre[a], k, e));
            continue;
        }
        // The chain runs first column to last; its ends are a and b in some order.
        let (first, last) = (chain[0], chain[chain.len() - 1]);
        let (next_after_first, before_last) = (chain[1], chain[chain.len() - 2]);
        right_ports[first].push((centre[next_after_first], k, e));
        left_ports[last].push((centre[before_last], k, e));
    }
    let mut port_y: Vec<(f64, f64)> = vec![(0.0, 0.0); links.len()];
    let mut port_seen: Vec<(bool, bool)> = vec![(false, false); links.len()];
    for (i, b) in boxes.iter().enumerate() {
        for (ports, is_left) in [(&mut right_ports[i], false), (&mut left_ports[i], true)] {
            ports.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
            let count = ports.len();
            let inner = (b.height - 2.0 * o.padding).max(0.0);
            for (j, &(_, _, e)) in ports.iter().enumerate() {
                let y = if count <= 1 {
                    b.y + b.height / 2.0
                } else {
                    (b.y + o.padding + inner * j as f64 / (count - 1) as f64).round()
                };
                let (a, _, _) = links[e];
                let at_start = if items.chains[e].is_empty() {
                    // Within a column: the first use is `from` unless this is a self-link
                    // seen once already.
                    i == a && !port_seen[e].0
                } else {
                    !is_left
                };
                if at_start {
                    port_y[e].0 = y;
                    port_seen[e].0 = true;
                } else {
                    port_y[e].1 = y;
                    port_seen[e].1 = true;
                }
            }
        }
    }
    port_y
}

/// Where things are, for routing.
struct Geometry<'a> {
    o: &'a LayoutOptions,
    items: &'a LayoutItems,
    boxes: &'a [NodeBox],
    centre: &'a [f64],
    col_x: &'a [f64],
    channel: &'a [f64],
}

impl Geometry<'_> {
    /// The x where column `c`'s channel ends (the gap to the next column starts).
    fn channel_end(&self, c: usize) -> f64 {
        self.col_x[c] + self.o.box_width + self.channel[c]
    }
}

/// Per node: the most link ends on one of its sides (left or right), so the box can be made
/// tall enough to keep them `port_gap` apart.
fn port_counts(links: &[Link], items: &LayoutItems, n: usize) -> Vec<usize> {
    let (mut left, mut right) = (vec![0usize; n], vec![0usize; n]);
    for (e, &(a, b, _)) in links.iter().enumerate() {
        let chain = &items.chains[e];
        if chain.is_empty() {
            right[a] += 1;
            right[b] += 1;
        } else {
            let (first, last) = (chain[0], chain[chain.len() - 1]);
            if first < n {
                right[first] += 1;
            }
            if last < n {
                left[last] += 1;
            }
        }
    }
    left.iter().zip(&right).map(|(l, r)| *l.max(r)).collect()
}

/// Per edge, its track in its column's channel (`usize::MAX` for a link between columns),
/// and per column, how many tracks it needs. Shortest links first, each on the track
/// nearest the boxes whose links all stay `port_gap` clear of it, so that no two links
/// share a stretch of track and shorter links nest inside longer ones.
fn tracks(
    o: &LayoutOptions,
    links: &[Link],
    items: &LayoutItems,
    node_col: &[usize],
    port_y: &[(f64, f64)],
    columns: usize,
) -> (Vec<usize>, Vec<usize>) {
    let mut track = vec![usize::MAX; links.len()];
    let mut per_col: Vec<Vec<(f64, f64, f64, usize)>> = vec![Vec::new(); columns];
    for (e, &(a, _, _)) in links.iter().enumerate() {
        if items.chains[e].is_empty() {
            let (ya, yb) = port_y[e];
            let (lo, hi) = (ya.min(yb), ya.max(yb));
            per_col[node_col[a]].push((hi - lo, lo, hi, e));
        }
    }
    let key = |y: f64| (y * 4.0).round() as i64;
    let sep = o.port_gap.max(1.0);
    let mut counts = vec![0usize; columns];
    for (c, mut col) in per_col.into_iter().enumerate() {
        col.sort_by(|x, y| {
            x.0.total_cmp(&y.0)
                .then(x.1.total_cmp(&y.1))
                .then(x.3.cmp(&y.3))
        });
        // Per track: its intervals by start, disjoint.
        let mut held: Vec<std::collections::BTreeMap<i64, i64>> = Vec::new();
        for (_, lo, hi, e) in col {
            let (lo_k, hi_k) = (key(lo - sep), key(hi + sep));
            let free = |t: &std::collections::BTreeMap<i64, i64>| {
                t.range(..=hi_k)
                    .next_back()
                    .is_none_or(|(_, &end)| end < lo_k)
            };
            let t = match held.iter().position(free) {
                Some(t) => t,
                None => {
                    held.push(std::collections::BTreeMap::new());
                    held.len() - 1
                }
            };
            held[t].insert(key(lo), key(hi));
            track[e] = t;
        }
        counts[c] = held.len();
    }
    (track, counts)
}

/// Each link's route.
fn routes(
    geo: &Geometry,
    links: &[Link],
    port_y: &[(f64, f64)],
    track: &[usize],
    pos: &[usize],
) -> Vec<Edge> {
    links
        .iter()
        .enumerate()
        .map(|(e, &(a, b, k))| {
            let chain = &geo.items.chains[e];
            let route = if chain.is_empty() {
                let x = geo.boxes[a].x + geo.boxes[a].width;
                let xt = x + geo.o.channel_pad + track[e] as f64 * geo.o.track_gap;
                let (ya, yb) = port_y[e];
                orthogonal(&[(x, ya), (xt, ya), (xt, yb), (x, yb)], 4.0)
            } else {
                chain_route(geo, chain, port_y[e], a)
            };
            Edge {
                from: a,
                to: b,
                link: k,
                ranks: chain.iter().map(|&i| pos[i]).collect(),
                route,
            }
        })
        .collect()
}

/// A polyline of horizontal and vertical segments as cubic curves, its corners rounded with
/// radius `r` (less where a segment is too short).
fn orthogonal(pts: &[Pt], r: f64) -> Vec<Pt> {
    let Some(&start) = pts.first() else {
        return Vec::new();
    };
    let mut route = vec![start];
    let mut at = start;
    let dist = |p: Pt, q: Pt| ((q.0 - p.0).powi(2) + (q.1 - p.1).powi(2)).sqrt();
    let towards = |p: Pt, q: Pt, d: f64| {
        let len = dist(p, q);
        if len < 1e-9 {
            p
        } else {
            (p.0 + (q.0 - p.0) * d / len, p.1 + (q.1 - p.1) * d / len)
        }
    };
    let line = |route: &mut Vec<Pt>, p: Pt, q: Pt| {
        let third = ((q.0 - p.0) / 3.0, (q.1 - p.1) / 3.0);
        route.extend([
            (p.0 + third.0, p.1 + third.1),
            (q.0 - third.0, q.1 - third.1),
            q,
        ]);
    };
    // The cubic that best follows a quarter circle.
    const K: f64 = 0.552_284_75;
    for w in pts.windows(3) {
        let (corner, next) = (w[1], w[2]);
        let rr = r
            .min(dist(w[0], corner) / 2.0)
            .min(dist(corner, next) / 2.0);
        let (into, out) = (towards(corner, w[0], rr), towards(corner, next, rr));
        line(&mut route, at, into);
        route.extend([
            towards(into, corner, rr * K),
            towards(out, corner, rr * K),
            out,
        ]);
        at = out;
    }
    if let Some(&end) = pts.last() {
        line(&mut route, at, end);
    }
    route
}

/// The route of a link across columns: straight across the first column's channel, curves
/// between columns, straight through each waypoint's column and its channel; reversed when
/// the link runs right to left (`from` is not first).
fn chain_route(
    geo: &Geometry,
    chain: &[usize],
    (y_first, y_last): (f64, f64),
    from: usize,
) -> Vec<Pt> {
    let (items, boxes, centre) = (geo.items, geo.boxes, geo.centre);
    let (first, last) = (chain[0], chain[chain.len() - 1]);
    // Per stop: where the link enters and leaves it (straight in between).
    let mut stops: Vec<(Pt, Pt)> = Vec::with_capacity(chain.len());
    let out_x = boxes[first].x + boxes[first].width;
    stops.push((
        (out_x, y_first),
        (geo.channel_end(items.col[first]), y_first),
    ));
    for &w in &chain[1..chain.len() - 1] {
        let c = items.col[w];
        stops.push(((geo.col_x[c], centre[w]), (geo.channel_end(c), centre[w])));
    }
    stops.push(((boxes[last].x, y_last), (boxes[last].x, y_last)));
    let straight = |route: &mut Vec<Pt>, (s, t): (Pt, Pt)| {
        if t.0 - s.0 > 1e-9 {
            let third = (t.0 - s.0) / 3.0;
            route.extend([(s.0 + third, s.1), (t.0 - third, t.1), t]);
        }
    };
    let mut route: Vec<Pt> = vec![stops[0].0];
    straight(&mut route, stops[0]);
    for hop in stops.windows(2) {
        let (p, q) = (hop[0].1, hop[1].0);
        let dx = (q.0 - p.0) / 2.0;
        route.extend([(p.0 + dx, p.1), (q.0 - dx, q.1), q]);
        straight(&mut route, hop[1]);
    }
    if first != from {
        route.reverse();
    }
    route
}

/// The number of pairs of links that cross between adjacent columns (links within a column
/// are not counted; links sharing an end do not cross).
pub fn crossings(layout: &Layout) -> usize {
    let gaps = layout.columns.len().saturating_sub(1);
    let mut segments: Vec<Vec<(usize, usize)>> = vec![Vec::new(); gaps];
    for e in &layout.edges {
        if e.ranks.len() < 2 {
            continue;
        }
        let (Some(from), Some(to)) = (layout.nodes.get(e.from), layout.nodes.get(e.to)) else {
            continue;
        };
        let first = from.column.min(to.column);
        for (j, w) in e.ranks.windows(2).enumerate() {
            if let Some(seg) = segments.get_mut(first + j) {
                seg.push((w[0], w[1]));
            }
        }
    }
    let sizes: Vec<usize> = layout.columns.iter().map(|c| c.items.len()).collect();
    segments
        .iter_mut()
        .enumerate()
        .map(|(g, seg)| count_gap(seg, sizes.get(g + 1).copied().unwrap_or(0)))
        .sum()
}

/// Options with every size finite and non-negative.
fn sane(o: &LayoutOptions) -> LayoutOptions {
    let f = |v: f64, d: f64| {
        if v.is_finite() && v >= 0.0 {
            v.min(10_000.0)
        } else {
            d
        }
    };
    let d = LayoutOptions::default();
    LayoutOptions {
        box_width: f(o.box_width, d.box_width).max(20.0),
        line_height: f(o.line_height, d.line_height),
        padding: f(o.padding, d.padding),
        max_title_lines: o.max_title_lines.clamp(1, 50),
        char_width: f(o.char_width, d.char_width),
        column_gap: f(o.column_gap, d.column_gap),
        node_gap: f(o.node_gap, d.node_gap),
        waypoint_gap: f(o.waypoint_gap, d.waypoint_gap),
        top: f(o.top, d.top),
        heading_height: f(o.heading_height, d.heading_height),
        margin: f(o.margin, d.margin),
        sweeps: o.sweeps.min(100),
        straighten: o.straighten.min(100),
        port_gap: f(o.port_gap, d.port_gap),
        track_gap: f(o.track_gap, d.track_gap),
        channel_pad: f(o.channel_pad, d.channel_pad),
    }
}

/// The gap between consecutive items `a` and `b` of a column (items from `n` on are
/// waypoints).
fn gap(o: &LayoutOptions, a: usize, b: usize, n: usize) -> f64 {
    if a < n && b < n {
        o.node_gap
    } else {
        o.waypoint_gap
    }
}

fn set_positions(order: &[Vec<usize>], pos: &mut [usize]) {
    for col in order {
        for (p, &i) in col.iter().enumerate() {
            pos[i] = p;
        }
    }
}

/// Crossings of the whole ordering.
fn count_all(
    order: &[Vec<usize>],
    pos: &[usize],
    right: &[Vec<usize>],
    item_col: &[usize],
) -> usize {
    let mut total = 0;
    for (c, col) in order.iter().enumerate().take(order.len().saturating_sub(1)) {
        let mut seg: Vec<(usize, usize)> = Vec::new();
        for &i in col {
            for &j in &right[i] {
                if item_col[j] == c + 1 {
                    seg.push((pos[i], pos[j]));
                }
            }
        }
        total += count_gap(&mut seg, order[c + 1].len());
    }
    total
}

/// Crossings among segments (upper rank, lower rank) between two columns, the lower column
/// having `size` items: inversions of the lower ranks once sorted by upper then lower rank,
/// counted with a Fenwick tree.
fn count_gap(seg: &mut [(usize, usize)], size: usize) -> usize {
    seg.sort_unstable();
    let size = seg.iter().map(|s| s.1 + 1).max().unwrap_or(0).max(size);
    let mut tree = vec![0usize; size + 1];
    let mut total = 0usize;
    for (seen, &(_, b)) in seg.iter().enumerate() {
        // Earlier segments ending at or above b.
        let mut at_most = 0;
        let mut i = b + 1;
        while i > 0 {
            at_most += tree[i];
            i &= i - 1;
        }
        total += seen - at_most;
        let mut i = b + 1;
        while i <= size {
            tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }
    total
}

/// The non-decreasing sequence nearest to `z` in least squares (pool adjacent violators).
fn isotonic(z: &[f64]) -> Vec<f64> {
    // Blocks of (sum, count).
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(z.len());
    for &v in z {
        blocks.push((if v.is_finite() { v } else { 0.0 }, 1));
        while blocks.len() > 1 {
            let (s1, c1) = blocks[blocks.len() - 1];
            let (s0, c0) = blocks[blocks.len() - 2];
            if (s0 / c0 as f64).partial_cmp(&(s1 / c1 as f64)) == Some(Ordering::Greater) {
                blocks.pop();
                if let Some(last) = blocks.last_mut() {
                    *last = (s0 + s1, c0 + c1);
                }
            } else {
                break;
            }
        }
    }
    blocks
        .into_iter()
        .flat_map(|(s, c)| std::iter::repeat_n(s / c as f64, c))
        .collect()
}

/// The longest stretch of the polyline `a` (in pixels) that runs within `tol` of the polyline
/// `b`: how far two drawn links overlap, which a reader cannot tell apart. The diagram's tests
/// hold every pair of links to a few pixels of it.
pub fn shared_run(a: &[Pt], b: &[Pt], tol: f64) -> f64 {
    let near = |p: Pt| {
        b.windows(2).any(|s| {
            let (q, r) = (s[0], s[1]);
            let (dx, dy) = (r.0 - q.0, r.1 - q.1);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 {
                (((p.0 - q.0) * dx + (p.1 - q.1) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (p.0 - q.0 - t * dx).hypot(p.1 - q.1 - t * dy) <= tol
        })
    };
    let (mut best, mut run) = (0.0f64, 0.0f64);
    for w in a.windows(2) {
        if near(w[1]) {
            run += (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1);
            best = best.max(run);
        } else {
            run = 0.0;
        }
    }
    best
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use sct_core::SourceFile;

    /// A theory of change from (id, type) nodes and (from, to) links.
    pub(crate) fn toc_of(nodes: &[(&str, &str)], links: &[(&str, &str)]) -> TheoryOfChange {
        let mut text = String::from(
            "kind = \"theory-of-change\"\nid = \"t\"\nversion = \"1\"\ntitle = \"T\"\nsource = \"s\"\nstatus = \"example\"\n",
        );
        for (id, t) in nodes {
            text.push_str(&format!(
                "[[nodes]]\nid = \"{id}\"\ntitle = \"Node {id}\"\ntype = \"{t}\"\n"
            ));
        }
        for (a, b) in links {
            text.push_str(&format!("[[links]]\nfrom = \"{a}\"\nto = \"{b}\"\n"));
        }
        sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).expect("test ToC")
    }

    fn file_order(toc: &TheoryOfChange) -> Layout {
        let o = LayoutOptions {
            sweeps: 0,
            ..LayoutOptions::default()
        };
        layout_with(toc, &Graph::new(toc), &o, |_, n| BoxText {
            lines: estimate_wrap(&n.title, &o),
            extra_lines: 0,
        })
    }

    fn assert_no_overlap(l: &Layout) {
        for col in &l.columns {
            let boxes: Vec<&NodeBox> = col.nodes().map(|i| &l.nodes[i]).collect();
            for w in boxes.windows(2) {
                assert!(
                    w[0].y + w[0].height <= w[1].y,
                    "boxes overlap: {:?} and {:?}",
                    w[0],
                    w[1]
                );
            }
            for (r, item) in col.items.iter().enumerate() {
                if let Item::Node(i) = item {
                    assert_eq!(l.nodes[*i].rank, r);
                    assert_eq!(l.nodes[*i].x, col.x);
                }
            }
        }
    }

    /// Two inputs and two activities linked crosswise, and a chain on to an impact.
    fn crossed() -> TheoryOfChange {
        toc_of(
            &[
                ("a", "input"),
                ("b", "input"),
                ("x", "activity"),
                ("y", "activity"),
                ("p", "output"),
                ("q", "output"),
                ("i", "impact"),
            ],
            &[
                ("a", "y"),
                ("b", "x"),
                ("x", "q"),
                ("y", "p"),
                ("p", "i"),
                ("q", "i"),
            ],
        )
    }

    #[test]
    fn columns_follow_the_chain_and_empty_ones_are_left_out() {
        let t = crossed();
        let l = layout(&t, &Graph::new(&t));
        let types: Vec<NodeType> = l.columns.iter().map(|c| c.node_type).collect();
        assert_eq!(
            types,
            [
                NodeType::Input,
                NodeType::Activity,
                NodeType::Output,
                NodeType::Impact
            ]
        );
        assert!(l.columns.windows(2).all(|w| w[0].x + w[0].width < w[1].x));
        assert_eq!(l.edges.len(), 6);
        assert!(l.width > 4.0 * 190.0 && l.height > 0.0);
    }

    #[test]
    fn layout_is_deterministic() {
        let t = crossed();
        let g = Graph::new(&t);
        assert_eq!(layout(&t, &g), layout(&t, &g));
    }

    #[test]
    fn barycentre_ordering_removes_the_crossings_of_file_order() {
        let t = crossed();
        let before = crossings(&file_order(&t));
        let l = layout(&t, &Graph::new(&t));
        assert_eq!(before, 2, "a→y crosses b→x, and x→q crosses y→p");
        assert_eq!(crossings(&l), 0);
        assert_no_overlap(&l);
    }

    #[test]
    fn links_that_skip_columns_pass_between_boxes_and_count_their_crossings() {
        // i1 → o2 skips the activity column; a1 → o1 and i2 → a1 cross it there in file
        // order.
        let t = toc_of(
            &[
                ("i1", "input"),
                ("i2", "input"),
                ("a1", "activity"),
                ("a2", "activity"),
                ("o1", "output"),
                ("o2", "output"),
            ],
            &[
                ("i1", "o2"),
                ("i2", "a1"),
                ("a1", "o1"),
                ("i1", "a2"),
                ("a2", "o2"),
            ],
        );
        let g = Graph::new(&t);
        let l = layout(&t, &g);
        assert!(crossings(&l) <= crossings(&file_order(&t)));
        assert_no_overlap(&l);
        let skip = l.edges.iter().find(|e| e.link == 0).unwrap();
        assert_eq!(skip.ranks.len(), 3, "a waypoint in the activity column");
        assert_eq!(
            skip.route.len(),
            1 + 3 * 3,
            "in, through and out of the activity column"
        );
        let activity = &l.columns[1];
        assert!(activity.items.contains(&Item::Edge(0)));
        // The route starts at i1's right side and ends at o2's left side.
        let (i1, o2) = (&l.nodes[0], &l.nodes[5]);
        assert_eq!(skip.route[0].0, i1.x + i1.width);
        assert_eq!(skip.route[skip.route.len() - 1].0, o2.x);
    }

    #[test]
    fn links_within_a_column_run_in_a_channel_to_its_right_and_are_not_counted() {
        let t = toc_of(
            &[("a", "activity"), ("b", "activity"), ("c", "output")],
            &[("a", "b"), ("b", "c")],
        );
        let l = layout(&t, &Graph::new(&t));
        let e = &l.edges[0];
        assert!(e.ranks.is_empty());
        let right = l.nodes[0].x + l.nodes[0].width;
        assert!(l.columns[0].channel > 0.0 && l.columns[1].channel == 0.0);
        assert!(l.columns[1].x >= right + l.columns[0].channel + 64.0);
        // Out of a's right side, along a track in the channel, back into b's right side.
        assert_eq!(e.route[0].0, right);
        assert!(
            e.route
                .iter()
                .all(|p| p.0 >= right && p.0 <= right + l.columns[0].channel)
        );
        assert_arrow_lands(&l, e);
        assert_eq!(crossings(&l), 0);
        // The link between columns crosses the channel straight.
        let across = &l.edges[1];
        assert_eq!(across.route[0].1, across.route[3].1);
        assert_eq!(across.route[3].0, right + l.columns[0].channel);
    }

    /// The route of `e` ends on a side of its target's box, its last curve running straight
    /// into the box (so the arrowhead drawn along it enters square).
    fn assert_arrow_lands(l: &Layout, e: &Edge) {
        let b = &l.nodes[e.to];
        let n = e.route.len();
        let (tip, before) = (e.route[n - 1], e.route[n - 2]);
        assert!(
            tip.1 >= b.y && tip.1 <= b.y + b.height,
            "{tip:?} beside {b:?}"
        );
        assert_eq!(before.1, tip.1, "the last curve is horizontal into the box");
        if tip.0 == b.x {
            assert!(before.0 < tip.0, "enters the left side from the left");
        } else {
            assert_eq!(tip.0, b.x + b.width, "{tip:?} not on a side of {b:?}");
            assert!(before.0 > tip.0, "enters the right side from the right");
        }
    }

    /// A route as points about a pixel apart.
    fn samples(route: &[Pt]) -> Vec<Pt> {
        let mut pts = vec![route[0]];
        for c in route[1..].chunks_exact(3) {
            let p0 = *pts.last().unwrap_or(&route[0]);
            let (c1, c2, p3) = (c[0], c[1], c[2]);
            let rough = (c1.0 - p0.0).hypot(c1.1 - p0.1)
                + (c2.0 - c1.0).hypot(c2.1 - c1.1)
                + (p3.0 - c2.0).hypot(p3.1 - c2.1);
            let steps = (rough.ceil() as usize).max(1);
            for k in 1..=steps {
                let t = k as f64 / steps as f64;
                let u = 1.0 - t;
                let (a, b, cc, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
                pts.push((
                    a * p0.0 + b * c1.0 + cc * c2.0 + d * p3.0,
                    a * p0.1 + b * c1.1 + cc * c2.1 + d * p3.1,
                ));
            }
        }
        pts
    }

    /// The longest stretch any link shares with another, and the pair.
    pub(crate) fn worst_shared_run(l: &Layout, tol: f64) -> (f64, usize, usize) {
        let pts: Vec<Vec<Pt>> = l.edges.iter().map(|e| samples(&e.route)).collect();
        let mut worst = (0.0, 0, 0);
        for i in 0..pts.len() {
            for j in 0..pts.len() {
                if i != j {
                    let run = shared_run(&pts[i], &pts[j], tol);
                    if run > worst.0 {
                        worst = (run, i, j);
                    }
                }
            }
        }
        worst
    }

    /// The bundled example: 37 nodes, 59 links, nine of them within the activities column.
    fn bundled_example() -> TheoryOfChange {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/theory-of-change/bnssg-toc.toml"
        );
        let text = std::fs::read_to_string(path).expect("the bundled example");
        sct_core::load::parse_toml(&SourceFile::from_text("bnssg-toc.toml", text)).expect("parses")
    }

    #[test]
    fn no_two_links_of_the_bundled_example_share_a_stretch_and_every_arrow_lands() {
        let t = bundled_example();
        let l = layout(&t, &Graph::new(&t));
        let within = l.edges.iter().filter(|e| e.ranks.is_empty()).count();
        assert_eq!((l.nodes.len(), l.edges.len(), within), (37, 59, 9));
        let (run, i, j) = worst_shared_run(&l, 1.5);
        assert!(
            run <= MAX_SHARED_RUN,
            "links {} and {} run together for {run:.0} px",
            l.edges[i].link,
            l.edges[j].link
        );
        for e in &l.edges {
            assert_arrow_lands(&l, e);
        }
    }

    #[test]
    fn links_within_a_column_never_share_a_track() {
        // Every activity linked to every later one: 15 links in one channel.
        let ids = ["a", "b", "c", "d", "e", "f"];
        let nodes: Vec<(&str, &str)> = ids.iter().map(|i| (*i, "activity")).collect();
        let mut links = Vec::new();
        for (k, a) in ids.iter().enumerate() {
            for b in &ids[k + 1..] {
                links.push((*a, *b));
            }
        }
        let t = toc_of(&nodes, &links);
        let l = layout(&t, &Graph::new(&t));
        let (run, i, j) = worst_shared_run(&l, 1.5);
        assert!(run <= MAX_SHARED_RUN, "links {i} and {j} share {run:.0} px");
        for e in &l.edges {
            assert_arrow_lands(&l, e);
        }
        for b in &l.nodes {
            assert!(
                b.height >= 2.0 * 8.0 + 4.0 * 9.0,
                "five ports, 9 px apart: {b:?}"
            );
        }
    }

    #[test]
    fn boxes_grow_with_their_text() {
        let t = toc_of(&[("a", "input"), ("b", "input")], &[]);
        let o = LayoutOptions::default();
        let l = layout_with(&t, &Graph::new(&t), &o, |i, _| BoxText {
            lines: vec!["x".into(); i + 1],
            extra_lines: 1,
        });
        assert_eq!(l.nodes[0].height, 2.0 * o.padding + 2.0 * o.line_height);
        assert_eq!(l.nodes[1].height, 2.0 * o.padding + 3.0 * o.line_height);
        assert_no_overlap(&l);
    }

    #[test]
    fn estimated_wrapping_breaks_at_spaces_and_cuts_long_titles() {
        let o = LayoutOptions::default();
        let lines = estimate_wrap(
            "Integrated needs assessment and commissioning intentions",
            &o,
        );
        assert!(
            lines.len() >= 2 && lines.iter().all(|l| l.chars().count() <= 25),
            "{lines:?}"
        );
        let long = "word ".repeat(200);
        let lines = estimate_wrap(&long, &o);
        assert_eq!(lines.len(), o.max_title_lines);
        assert!(lines[lines.len() - 1].ends_with('…'));
        let unbroken = estimate_wrap(&"x".repeat(60), &o);
        assert!(unbroken.len() >= 2);
        assert!(estimate_wrap("", &o).is_empty());
    }

    #[test]
    fn an_empty_theory_lays_out_empty() {
        let t = toc_of(&[], &[]);
        let l = layout(&t, &Graph::new(&t));
        assert!(l.columns.is_empty() && l.nodes.is_empty() && l.edges.is_empty());
        assert_eq!(crossings(&l), 0);
    }

    #[test]
    fn isotonic_regression_pools_violators() {
        assert_eq!(isotonic(&[1.0, 3.0, 2.0, 4.0]), [1.0, 2.5, 2.5, 4.0]);
        assert_eq!(isotonic(&[3.0, 2.0, 1.0]), [2.0, 2.0, 2.0]);
        assert!(isotonic(&[]).is_empty());
    }

    #[test]
    fn gap_crossings_are_inversions() {
        assert_eq!(count_gap(&mut [(0, 1), (1, 0)], 2), 1);
        assert_eq!(count_gap(&mut [(0, 0), (0, 1), (1, 0)], 2), 1);
        assert_eq!(count_gap(&mut [(0, 2), (1, 1), (2, 0)], 3), 3);
        assert_eq!(count_gap(&mut [(0, 0), (1, 0), (2, 0)], 1), 0);
    }

    /// Longest stretch two links may run within 1.5 px of each other: where they cross at a
    /// shallow angle (a shared segment is far longer).
    const MAX_SHARED_RUN: f64 = 24.0;

    const TYPES: [&str; 7] = [
        "input",
        "activity",
        "output",
        "outcome-short",
        "outcome-medium",
        "outcome-long",
        "impact",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// On random graphs with links forward in the chain, barycentre ordering never has
        /// more crossings than file order, and boxes never overlap.
        #[test]
        fn barycentre_never_adds_crossings(
            types in prop::collection::vec(0usize..7, 2..24),
            raw in prop::collection::vec((0usize..24, 0usize..24), 0..48),
        ) {
            let ids: Vec<String> = (0..types.len()).map(|i| format!("n{i}")).collect();
            let nodes: Vec<(&str, &str)> =
                ids.iter().zip(&types).map(|(id, &t)| (id.as_str(), TYPES[t])).collect();
            let links: Vec<(&str, &str)> = raw
                .iter()
                .map(|&(a, b)| (a % types.len(), b % types.len()))
                .filter(|&(a, b)| a != b && types[a] <= types[b] && (types[a] < types[b] || a < b))
                .map(|(a, b)| (ids[a].as_str(), ids[b].as_str()))
                .collect();
            let t = toc_of(&nodes, &links);
            let g = Graph::new(&t);
            let l = layout(&t, &g);
            prop_assert!(crossings(&l) <= crossings(&file_order(&t)));
            assert_no_overlap(&l);
            prop_assert_eq!(&l, &layout(&t, &g));
            for e in &l.edges {
                prop_assert!(e.route.len() % 3 == 1);
                prop_assert!(e.route.iter().all(|p| p.0.is_finite() && p.1.is_finite()));
            }
        }
    }
}
