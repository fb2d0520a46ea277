//! A theory of change split into parts of a few consecutive columns each, so that a wide
//! chain can be drawn at a size people read (on a screen and on A4) rather than shrunk to
//! fit. Parts overlap by one column: the last column of a part is the first of the next, so
//! every link between neighbouring columns is drawn whole in one part.
//!
//! A link is drawn in the first part that holds both its ends' columns. A link no part holds
//! (it skips past a part's last column) is drawn twice, each time to a **reference**: in the
//! source's last part it runs to a reference box naming its target and the part the target
//! is in, and in the target's first part it comes from a reference box naming its source and
//! that source's part. A reference stands in the part's last (or first) column, whatever
//! its node's type, and the drawing says so in words.
//!
//! A part too tall for a page is cut into **bands** ([`split_bands`]): a link between two
//! bands is drawn once, beside its less linked end, from or to a reference box naming the
//! other end; [`resolve`] then renumbers every reference to the band that draws its node.
//!
//! ```
//! # use sct_core::SourceFile;
//! # let text = "kind = \"theory-of-change\"\nid = \"t\"\nversion = \"1\"\ntitle = \"T\"\nsource = \"s\"\nstatus = \"example\"\n[[nodes]]\nid = \"money\"\ntitle = \"Money\"\ntype = \"input\"\n[[nodes]]\nid = \"plan\"\ntitle = \"Plan\"\ntype = \"activity\"\n[[nodes]]\nid = \"health\"\ntitle = \"Health\"\ntype = \"impact\"\n[[links]]\nfrom = \"money\"\nto = \"plan\"\n[[links]]\nfrom = \"plan\"\nto = \"health\"\n";
//! # let toc: sct_toc::TheoryOfChange = sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).unwrap();
//! use sct_toc::graph::Graph;
//! use sct_toc::parts::split;
//! let parts = split(&toc, &Graph::new(&toc), 2);
//! assert_eq!(parts.len(), 2, "inputs and activities, then activities and impact");
//! assert_eq!(split(&toc, &Graph::new(&toc), 3).len(), 1);
//! ```

use std::collections::HashMap;

use crate::graph::Graph;
use crate::model::{NodeType, TheoryOfChange};

/// What a box of a part stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartNode {
    /// A node of the theory of change (its index).
    Node(usize),
    /// A reference to a node drawn in a later part: links into it continue there.
    To {
        /// The node's index.
        node: usize,
        /// The first part that draws the node.
        part: usize,
    },
    /// A reference to a node drawn in an earlier part: links from it come from there.
    From {
        /// The node's index.
        node: usize,
        /// The last part that draws the node.
        part: usize,
    },
}

/// One part: its columns, its boxes and the links drawn in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The node types of its columns, in chain order.
    pub columns: Vec<NodeType>,
    /// Its boxes: nodes in file order, then references.
    pub nodes: Vec<PartNode>,
    /// The column (node type) each box stands in.
    pub node_types: Vec<NodeType>,
    /// Links drawn in it: (from, to) as indices into `nodes`, and the link's index in the
    /// theory of change.
    pub links: Vec<(usize, usize, usize)>,
}

/// Splits `toc` into parts of at most `max_columns` columns (at least 2), consecutive parts
/// sharing a column. A theory with no more columns than that is one part, as it is.
pub fn split(toc: &TheoryOfChange, graph: &Graph, max_columns: usize) -> Vec<Part> {
    let present: Vec<NodeType> = NodeType::ALL
        .into_iter()
        .filter(|t| toc.nodes.iter().any(|n| n.node_type == *t))
        .collect();
    if present.is_empty() {
        return vec![Part {
            columns: Vec::new(),
            nodes: Vec::new(),
            node_types: Vec::new(),
            links: Vec::new(),
        }];
    }
    let col_of = |t: NodeType| present.iter().position(|p| *p == t).unwrap_or(0);
    let ranges = column_ranges(present.len(), max_columns.max(2));
    let mut parts: Vec<Builder> = ranges
        .iter()
        .map(|&(a, b)| Builder::new(present[a..=b].to_vec()))
        .collect();
    let node_col: Vec<usize> = toc.nodes.iter().map(|n| col_of(n.node_type)).collect();
    for (i, &c) in node_col.iter().enumerate() {
        for (p, &(a, b)) in ranges.iter().enumerate() {
            if (a..=b).contains(&c) {
                parts[p].add(PartNode::Node(i), toc.nodes[i].node_type);
            }
        }
    }
    let mut links: Vec<(usize, usize, usize)> = graph
        .out
        .iter()
        .enumerate()
        .flat_map(|(a, outs)| outs.iter().map(move |&(b, k)| (a, b, k)))
        .collect();
    links.sort_by_key(|&(_, _, k)| k);
    for (u, v, k) in links {
        let (cu, cv) = (node_col[u], node_col[v]);
        let (lo, hi) = (cu.min(cv), cu.max(cv));
        if let Some(p) = ranges.iter().position(|&(a, b)| a <= lo && hi <= b) {
            parts[p].link(PartNode::Node(u), PartNode::Node(v), k);
            continue;
        }
        // The last part holding the earlier end, the first holding the later one.
        let early = ranges.iter().rposition(|&(a, _)| a <= lo).unwrap_or(0);
        let late = ranges.iter().position(|&(_, b)| hi <= b).unwrap_or(0);
        let (lo_node, hi_node) = if cu <= cv { (u, v) } else { (v, u) };
        let last_type = present[ranges[early].1];
        let first_type = present[ranges[late].0];
        let far = PartNode::To {
            node: hi_node,
            part: late,
        };
        let near = PartNode::From {
            node: lo_node,
            part: early,
        };
        parts[early].add(far, last_type);
        parts[late].add(near, first_type);
        let (e_from, e_to) = if cu <= cv {
            (PartNode::Node(lo_node), far)
        } else {
            (far, PartNode::Node(lo_node))
        };
        parts[early].link(e_from, e_to, k);
        let (l_from, l_to) = if cu <= cv {
            (near, PartNode::Node(hi_node))
        } else {
            (PartNode::Node(hi_node), near)
        };
        parts[late].link(l_from, l_to, k);
    }
    parts.into_iter().map(Builder::finish).collect()
}

/// Cuts `part` (drawn as part `home` of [`split`]) into bands, one below the other, so that
/// a column too long for a page is drawn on several: `band[i]` is the band of box `i`. A
/// link between boxes of different bands is drawn once, in the band of the end with fewer
/// such links, from (or to) a reference box naming the other end: a node linked to many
/// nodes of another band is drawn there once as a reference, not each of them here. A
/// reference box of `part` only follows its links into bands. References name column parts
/// until [`resolve`] renumbers them; bands left without a node of their own are dropped.
pub fn split_bands(part: &Part, home: usize, band: &[usize]) -> Vec<Part> {
    let count = band.iter().max().map_or(0, |m| m + 1);
    let mut bands: Vec<Builder> = (0..count)
        .map(|_| Builder::new(part.columns.clone()))
        .collect();
    let is_node = |i: usize| matches!(part.nodes[i], PartNode::Node(_));
    let mut crossing = vec![0usize; part.nodes.len()];
    for &(a, b, _) in &part.links {
        if band.get(a) != band.get(b) {
            crossing[a] += 1;
            crossing[b] += 1;
        }
    }
    for (i, &b) in band.iter().enumerate().take(part.nodes.len()) {
        bands[b].add(part.nodes[i], part.node_types[i]);
    }
    for &(a, b, k) in &part.links {
        let (Some(&ba), Some(&bb)) = (band.get(a), band.get(b)) else {
            continue;
        };
        let (na, nb) = (part.nodes[a], part.nodes[b]);
        if ba == bb {
            bands[ba].link(na, nb, k);
        } else if is_node(b) && (crossing[a] >= crossing[b] || !is_node(a)) {
            // Drawn beside its target, from a reference to its source.
            let near = match na {
                PartNode::Node(node) => PartNode::From { node, part: home },
                other => other,
            };
            bands[bb].add(near, part.node_types[a]);
            bands[bb].link(near, nb, k);
        } else if is_node(a) {
            // Drawn beside its source, to a reference to its target.
            let far = match nb {
                PartNode::Node(node) => PartNode::To { node, part: home },
                other => other,
            };
            bands[ba].add(far, part.node_types[b]);
            bands[ba].link(na, far, k);
        }
    }
    bands
        .into_iter()
        .map(Builder::finish)
        .filter(|p| p.nodes.iter().any(|n| matches!(n, PartNode::Node(_))))
        .collect()
}

/// Renumbers the references of `parts` once column parts are cut into bands: `home[k]` is
/// the part of [`split`] that `parts[k]` was cut from, and a reference naming part `c` comes
/// to name the band of `c` that draws its node.
pub fn resolve(parts: &mut [Part], home: &[usize]) {
    let mut drawn: HashMap<(usize, usize), usize> = HashMap::new();
    for (k, part) in parts.iter().enumerate() {
        for n in &part.nodes {
            if let PartNode::Node(node) = *n {
                drawn.entry((home[k], node)).or_insert(k);
            }
        }
    }
    for part in parts.iter_mut() {
        for n in &mut part.nodes {
            match n {
                PartNode::To { node, part } | PartNode::From { node, part } => {
                    if let Some(&k) = drawn.get(&(*part, *node)) {
                        *part = k;
                    }
                }
                PartNode::Node(_) => {}
            }
        }
    }
}

/// Column ranges (first, last; inclusive) of at most `max` columns, each starting at the
/// last column of the one before.
fn column_ranges(columns: usize, max: usize) -> Vec<(usize, usize)> {
    if columns <= max {
        return vec![(0, columns.saturating_sub(1))];
    }
    let mut ranges = Vec::new();
    let mut a = 0;
    while a + 1 < columns {
        let b = (a + max - 1).min(columns - 1);
        ranges.push((a, b));
        a = b;
    }
    ranges
}

/// A part being built: boxes found by what they stand for.
struct Builder {
    part: Part,
    index: HashMap<PartNode, usize>,
}

impl Builder {
    fn new(columns: Vec<NodeType>) -> Self {
        Builder {
            part: Part {
                columns,
                nodes: Vec::new(),
                node_types: Vec::new(),
                links: Vec::new(),
            },
            index: HashMap::new(),
        }
    }

    /// The box standing for `what` (added in `column` if new).
    fn add(&mut self, what: PartNode, column: NodeType) -> usize {
        *self.index.entry(what).or_insert_with(|| {
            self.part.nodes.push(what);
            self.part.node_types.push(column);
            self.part.nodes.len() - 1
        })
    }

    /// A link between two boxes already added.
    fn link(&mut self, from: PartNode, to: PartNode, k: usize) {
        if let (Some(&a), Some(&b)) = (self.index.get(&from), self.index.get(&to)) {
            self.part.links.push((a, b, k));
        }
    }

    fn finish(self) -> Part {
        self.part
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::tests::toc_of;

    #[test]
    fn ranges_overlap_by_one_column() {
        assert_eq!(column_ranges(7, 3), [(0, 2), (2, 4), (4, 6)]);
        assert_eq!(column_ranges(3, 3), [(0, 2)]);
        assert_eq!(column_ranges(4, 3), [(0, 2), (2, 3)]);
        assert_eq!(column_ranges(5, 2), [(0, 1), (1, 2), (2, 3), (3, 4)]);
        assert_eq!(column_ranges(0, 3), [(0, 0)]);
    }

    #[test]
    fn a_link_past_a_part_runs_to_a_reference_and_on_from_one() {
        let t = toc_of(
            &[
                ("i", "input"),
                ("a", "activity"),
                ("o", "output"),
                ("s", "outcome-short"),
                ("m", "outcome-medium"),
            ],
            &[("i", "a"), ("a", "o"), ("o", "s"), ("s", "m"), ("a", "s")],
        );
        let parts = split(&t, &Graph::new(&t), 3);
        assert_eq!(parts.len(), 2);
        // Part 0: i, a, o and a reference to s (in part 1, in the outputs column).
        let p0 = &parts[0];
        assert_eq!(
            p0.nodes,
            [
                PartNode::Node(0),
                PartNode::Node(1),
                PartNode::Node(2),
                PartNode::To { node: 3, part: 1 }
            ]
        );
        assert_eq!(p0.node_types[3], NodeType::Output);
        assert_eq!(p0.links, [(0, 1, 0), (1, 2, 1), (1, 3, 4)]);
        // Part 1: o, s, m and a reference from a (in part 0), in the outputs column.
        let p1 = &parts[1];
        assert_eq!(
            p1.nodes,
            [
                PartNode::Node(2),
                PartNode::Node(3),
                PartNode::Node(4),
                PartNode::From { node: 1, part: 0 }
            ]
        );
        assert_eq!(p1.links, [(0, 1, 2), (1, 2, 3), (3, 1, 4)]);
    }

    #[test]
    fn a_link_between_bands_is_drawn_once_beside_its_less_linked_end() {
        let t = toc_of(
            &[
                ("i", "input"),
                ("j", "input"),
                ("a", "activity"),
                ("b", "activity"),
                ("c", "activity"),
            ],
            &[("i", "a"), ("j", "b"), ("i", "b"), ("i", "c")],
        );
        let parts = split(&t, &Graph::new(&t), 3);
        assert_eq!(parts.len(), 1);
        // i and a above; j, b and c below: i's links to b and c cross, drawn below from one
        // reference to i.
        let mut bands = split_bands(&parts[0], 0, &[0, 1, 0, 1, 1]);
        assert_eq!(bands.len(), 2);
        resolve(&mut bands, &[0, 0]);
        assert_eq!(bands[0].nodes, [PartNode::Node(0), PartNode::Node(2)]);
        assert_eq!(bands[0].links, [(0, 1, 0)]);
        assert_eq!(
            bands[1].nodes,
            [
                PartNode::Node(1),
                PartNode::Node(3),
                PartNode::Node(4),
                PartNode::From { node: 0, part: 0 }
            ]
        );
        assert_eq!(bands[1].node_types[3], NodeType::Input);
        assert_eq!(bands[1].links, [(0, 1, 1), (3, 1, 2), (3, 2, 3)]);
    }

    #[test]
    fn a_narrow_theory_is_one_part_without_references() {
        let t = toc_of(
            &[("i", "input"), ("a", "activity"), ("b", "activity")],
            &[("i", "a"), ("a", "b")],
        );
        let parts = split(&t, &Graph::new(&t), 3);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].nodes.len(), 3);
        assert_eq!(parts[0].links.len(), 2);
    }
}
