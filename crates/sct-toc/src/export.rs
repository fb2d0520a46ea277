//! A theory of change as text for other diagram tools: Graphviz DOT and Mermaid (`flowchart
//! LR`), one column (cluster or subgraph) per node type in chain order, each node's status in
//! words and a symbol as well as colour, and links styled by the strength of their evidence.
//! Every user string is escaped for the target language, and the same input always gives the
//! same text.
//!
//! The status words, symbols and colours here are the ones the drawn diagram uses too.
//!
//! ```
//! # use sct_core::SourceFile;
//! # let text = "kind = \"theory-of-change\"\nid = \"t\"\nversion = \"1\"\ntitle = \"T\"\nsource = \"s\"\nstatus = \"example\"\n[[nodes]]\nid = \"money\"\ntitle = \"Money\"\ntype = \"input\"\n[[nodes]]\nid = \"health\"\ntitle = \"Health\"\ntype = \"impact\"\n[[links]]\nfrom = \"money\"\nto = \"health\"\nevidence = \"strong\"\n";
//! # let toc: sct_toc::TheoryOfChange = sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).unwrap();
//! use sct_toc::export::{to_dot, to_mermaid};
//! assert!(to_dot(&toc, None).contains("\"money\" -> \"health\" [label=\"strong\""));
//! assert!(to_mermaid(&toc, None).contains("n_money ==>|strong| n_health"));
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::layout::{LayoutOptions, estimate_wrap};
use crate::model::{Evidence, NodeType, TheoryOfChange};
use crate::status::NodeStatus;

/// Each node's status and whether it is flagged at risk, by node id.
pub type Statuses = BTreeMap<String, (NodeStatus, bool)>;

/// Words for the at-risk flag, with its symbol.
pub const AT_RISK: &str = "⚠ At risk";

/// The symbol shown before a status's words: ▲ improving, ▼ deteriorating, ● no significant
/// change, ○ no data.
pub fn status_symbol(status: NodeStatus) -> &'static str {
    match status {
        NodeStatus::Improving => "▲",
        NodeStatus::Deteriorating => "▼",
        NodeStatus::NoSignificantChange => "●",
        NodeStatus::NoData => "○",
    }
}

/// A status as shown in a box: its symbol and words, e.g. "▼ Deteriorating".
pub fn status_text(status: NodeStatus) -> String {
    format!("{} {}", status_symbol(status), status.label())
}

/// How a node is drawn: fill and border colours (`0xRRGGBB`) and whether the border is dashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeStyle {
    /// Fill colour.
    pub fill: u32,
    /// Border colour.
    pub stroke: u32,
    /// A dashed border (no data).
    pub dashed: bool,
}

/// The style of a node with `status`, or of a node drawn without statuses (`None`): NHS Blue
/// tint for improving, orange tint for deteriorating, grey tint for no significant change,
/// white with a dashed border for no data, white with a solid border without statuses.
pub fn node_style(status: Option<NodeStatus>) -> NodeStyle {
    let (fill, stroke, dashed) = match status {
        Some(NodeStatus::Improving) => (0xD9E7F4, 0x005EB8, false),
        Some(NodeStatus::Deteriorating) => (0xFBE8CC, 0xB35F00, false),
        Some(NodeStatus::NoSignificantChange) => (0xE8EDEE, 0x768692, false),
        Some(NodeStatus::NoData) => (0xFFFFFF, 0x4C6272, true),
        None => (0xFFFFFF, 0x425563, false),
    };
    NodeStyle {
        fill,
        stroke,
        dashed,
    }
}

/// A colour as `#RRGGBB`.
pub fn css_colour(c: u32) -> String {
    format!("#{:06X}", c & 0xFF_FFFF)
}

/// Evidence strength in words for a legend, e.g. "Strong evidence".
pub fn evidence_label(e: Evidence) -> &'static str {
    match e {
        Evidence::None => "No evidence stated",
        Evidence::Weak => "Weak evidence",
        Evidence::Moderate => "Moderate evidence",
        Evidence::Strong => "Strong evidence",
    }
}

/// The line width (pixels) a link with evidence `e` is drawn with; links without evidence are
/// also dashed.
pub fn evidence_width(e: Evidence) -> f64 {
    match e {
        Evidence::None | Evidence::Weak => 1.0,
        Evidence::Moderate => 2.0,
        Evidence::Strong => 3.5,
    }
}

/// Text on one line: control characters become spaces and runs of whitespace one space.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `s` cut to at most `max` characters, with an ellipsis if cut.
fn bounded(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// `title` broken into lines of about 25 characters at spaces (Graphviz does not wrap
/// labels), with every line kept.
fn wrapped(title: &str) -> String {
    let options = LayoutOptions {
        max_title_lines: 50,
        ..LayoutOptions::default()
    };
    estimate_wrap(title, &options).join("\n")
}

/// The nodes of each node type present, in chain order then file order.
fn columns(toc: &TheoryOfChange) -> Vec<(NodeType, Vec<usize>)> {
    NodeType::ALL
        .iter()
        .map(|&t| {
            let nodes: Vec<usize> = (0..toc.nodes.len())
                .filter(|&i| toc.nodes[i].node_type == t)
                .collect();
            (t, nodes)
        })
        .filter(|(_, nodes)| !nodes.is_empty())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Graphviz DOT.

/// `s` as a DOT double-quoted string: quotes and backslashes escaped, line breaks as `\n`
/// (a centred line break in labels), other control characters as spaces.
pub fn dot_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The theory of change as a Graphviz `digraph`, left to right, a cluster per node type
/// (its nodes on one rank), node labels with their status line when `statuses` are given,
/// link labels the evidence strength and link tooltips the assumption.
pub fn to_dot(toc: &TheoryOfChange, statuses: Option<&Statuses>) -> String {
    let mut s = String::new();
    let title = one_line(&toc.title);
    let _ = writeln!(s, "digraph {} {{", dot_string(&one_line(toc.id.get_ref())));
    let _ = writeln!(
        s,
        "  graph [rankdir=LR, newrank=true, nodesep=0.25, ranksep=0.9, fontname=\"DejaVu Sans\", labelloc=t, label={}];",
        dot_string(&title)
    );
    let neutral = node_style(None);
    let _ = writeln!(
        s,
        "  node [shape=box, style=\"rounded,filled\", fontname=\"DejaVu Sans\", fontsize=11, fillcolor=\"{}\", color=\"{}\"];",
        css_colour(neutral.fill),
        css_colour(neutral.stroke)
    );
    let _ = writeln!(
        s,
        "  edge [color=\"#4C6272\", fontname=\"DejaVu Sans\", fontsize=9, fontcolor=\"#4C6272\"];"
    );
    for (t, nodes) in columns(toc) {
        let _ = writeln!(s, "  subgraph cluster_{} {{", t.as_str().replace('-', "_"));
        let _ = writeln!(
            s,
            "    label={}; rank=same; style=\"rounded\"; color=\"#D8DDE0\";",
            dot_string(t.heading())
        );
        for i in nodes {
            let node = &toc.nodes[i];
            let id = node.id.get_ref();
            let status = statuses.map(|m| {
                m.get(id.as_str())
                    .copied()
                    .unwrap_or((NodeStatus::NoData, false))
            });
            let mut label = wrapped(&node.title);
            let mut attrs = String::new();
            if let Some((st, at_risk)) = status {
                let _ = write!(label, "\n{}", status_text(st));
                if at_risk {
                    let _ = write!(label, "\n{AT_RISK}");
                }
                let style = node_style(Some(st));
                let _ = write!(
                    attrs,
                    ", fillcolor=\"{}\", color=\"{}\"",
                    css_colour(style.fill),
                    css_colour(style.stroke)
                );
                if style.dashed {
                    attrs.push_str(", style=\"rounded,filled,dashed\"");
                }
                if at_risk {
                    attrs.push_str(", penwidth=2.5");
                }
            }
            let tooltip = bounded(&one_line(&node.description), 500);
            if !tooltip.is_empty() {
                let _ = write!(attrs, ", tooltip={}", dot_string(&tooltip));
            }
            let _ = writeln!(
                s,
                "    {} [label={}{}];",
                dot_string(id),
                dot_string(&label),
                attrs
            );
        }
        let _ = writeln!(s, "  }}");
    }
    for link in &toc.links {
        let e = link.evidence;
        let mut attrs = format!("label={}", dot_string(e.as_str()));
        match e {
            Evidence::None => attrs.push_str(", style=dashed"),
            _ => {
                let _ = write!(attrs, ", penwidth={}", evidence_width(e));
            }
        }
        let assumption = bounded(&one_line(&link.assumption), 500);
        let tooltip = if assumption.is_empty() {
            "No assumption stated".to_string()
        } else {
            assumption
        };
        let _ = write!(attrs, ", tooltip={}", dot_string(&tooltip));
        let _ = writeln!(
            s,
            "  {} -> {} [{}];",
            dot_string(link.from.get_ref()),
            dot_string(link.to.get_ref()),
            attrs
        );
    }
    s.push_str("}\n");
    s
}

// ---------------------------------------------------------------------------------------------
// Mermaid.

/// `s` made safe inside a Mermaid `["..."]` label: on one line, with `"`, `#`, `&`, `<`, `>`
/// and backticks as Mermaid entity codes.
pub fn mermaid_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid node id for each node: `n_` and the id with anything but ASCII letters and
/// digits as `_` (so no id is a Mermaid keyword), made unique by a suffix if need be.
fn mermaid_ids(toc: &TheoryOfChange) -> Vec<String> {
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut first: BTreeMap<&str, String> = BTreeMap::new();
    toc.nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let id = node.id.get_ref().as_str();
            if let Some(m) = first.get(id) {
                return m.clone();
            }
            let base: String = std::iter::once("n_".to_string())
                .chain(id.chars().map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_string()
                    } else {
                        "_".to_string()
                    }
                }))
                .collect();
            let mut m = base.clone();
            if used.contains(&m) {
                m = format!("{base}_{i}");
            }
            used.insert(m.clone());
            first.insert(id, m.clone());
            m
        })
        .collect()
}

/// The Mermaid class name of a status.
fn mermaid_class(status: NodeStatus) -> &'static str {
    match status {
        NodeStatus::Improving => "improving",
        NodeStatus::Deteriorating => "deteriorating",
        NodeStatus::NoSignificantChange => "no_change",
        NodeStatus::NoData => "no_data",
    }
}

/// The theory of change as a Mermaid `flowchart LR`: a subgraph per node type, node labels
/// with their status line when `statuses` are given, a class per status, and links drawn
/// dotted (no evidence), normal (weak), wider (moderate) or thick (strong) and labelled with
/// the strength; each link's assumption is kept in a comment (escaped like labels).
pub fn to_mermaid(toc: &TheoryOfChange, statuses: Option<&Statuses>) -> String {
    let mut s = String::new();
    let ids = mermaid_ids(toc);
    let _ = writeln!(
        s,
        "%% {} ({} {}): theory of change",
        mermaid_text(&bounded(&one_line(&toc.title), 200)),
        mermaid_text(toc.id.get_ref()),
        mermaid_text(toc.version.get_ref())
    );
    s.push_str("flowchart LR\n");
    let classes = mermaid_nodes(&mut s, toc, &ids, statuses);
    mermaid_links(&mut s, toc, &ids);
    if statuses.is_some() {
        mermaid_classes(&mut s, &classes);
    }
    s
}

/// A subgraph per node type with its nodes; returns the nodes in each status class.
fn mermaid_nodes<'a>(
    s: &mut String,
    toc: &TheoryOfChange,
    ids: &'a [String],
    statuses: Option<&Statuses>,
) -> BTreeMap<&'static str, Vec<&'a str>> {
    let mut classes: BTreeMap<&'static str, Vec<&str>> = BTreeMap::new();
    for (t, nodes) in columns(toc) {
        let _ = writeln!(
            s,
            "  subgraph col_{}[\"{}\"]",
            t.as_str().replace('-', "_"),
            mermaid_text(t.heading())
        );
        s.push_str("    direction TB\n");
        for i in nodes {
            let node = &toc.nodes[i];
            let mut label = mermaid_text(&node.title);
            if label.is_empty() {
                label.push(' ');
            }
            if let Some(m) = statuses {
                let (st, at_risk) = m
                    .get(node.id.get_ref().as_str())
                    .copied()
                    .unwrap_or((NodeStatus::NoData, false));
                let _ = write!(label, "<br/>{}", mermaid_text(&status_text(st)));
                classes.entry(mermaid_class(st)).or_default().push(&ids[i]);
                if at_risk {
                    let _ = write!(label, "<br/>{}", mermaid_text(AT_RISK));
                    classes.entry("at_risk").or_default().push(&ids[i]);
                }
            }
            let _ = writeln!(s, "    {}[\"{}\"]", ids[i], label);
        }
        s.push_str("  end\n");
    }
    classes
}

/// The links between known nodes, each with its assumption in a comment, then the widths of
/// the moderate ones.
fn mermaid_links(s: &mut String, toc: &TheoryOfChange, ids: &[String]) {
    let index: BTreeMap<&str, usize> = toc
        .nodes
        .iter()
        .enumerate()
        .rev()
        .map(|(i, n)| (n.id.get_ref().as_str(), i))
        .collect();
    let mut widths: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    let mut drawn = 0usize;
    for link in &toc.links {
        let (Some(&a), Some(&b)) = (
            index.get(link.from.get_ref().as_str()),
            index.get(link.to.get_ref().as_str()),
        ) else {
            continue;
        };
        let assumption = mermaid_text(&bounded(&one_line(&link.assumption), 500));
        if !assumption.is_empty() {
            let _ = writeln!(s, "  %% assumption: {assumption}");
        }
        let arrow = match link.evidence {
            Evidence::None => "-.->",
            Evidence::Weak | Evidence::Moderate => "-->",
            Evidence::Strong => "==>",
        };
        let _ = writeln!(
            s,
            "  {} {}|{}| {}",
            ids[a],
            arrow,
            link.evidence.as_str(),
            ids[b]
        );
        if link.evidence == Evidence::Moderate {
            widths.entry(2).or_default().push(drawn);
        }
        drawn += 1;
    }
    for (w, links) in &widths {
        let list: Vec<String> = links.iter().map(usize::to_string).collect();
        let _ = writeln!(s, "  linkStyle {} stroke-width:{w}px", list.join(","));
    }
}

/// The style of each status class and of at-risk nodes, then the nodes in each class.
fn mermaid_classes(s: &mut String, classes: &BTreeMap<&'static str, Vec<&str>>) {
    for st in [
        NodeStatus::Improving,
        NodeStatus::Deteriorating,
        NodeStatus::NoSignificantChange,
        NodeStatus::NoData,
    ] {
        let style = node_style(Some(st));
        let _ = writeln!(
            s,
            "  classDef {} fill:{},stroke:{},color:#212B32{}",
            mermaid_class(st),
            css_colour(style.fill),
            css_colour(style.stroke),
            if style.dashed {
                ",stroke-dasharray:5 3"
            } else {
                ""
            }
        );
    }
    s.push_str("  classDef at_risk stroke-width:3px\n");
    for (class, nodes) in classes {
        let _ = writeln!(s, "  class {} {class}", nodes.join(","));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sct_core::SourceFile;

    const HOSTILE: &str =
        "Say \"hi\" <script>alert('x')</script> & [a] {b} (c) |d| `e` #f \\g\nnew line";

    fn toc() -> TheoryOfChange {
        let text = format!(
            r#"kind = "theory-of-change"
id = "t"
version = "1"
title = "Test \"ToC\""
source = "s"
status = "example"
[[nodes]]
id = "money"
title = {HOSTILE:?}
type = "input"
description = "Line one\nline \"two\""
[[nodes]]
id = "end"
title = "Contracts"
type = "output"
[[nodes]]
id = "outcome"
title = "Fewer admissions"
type = "outcome-medium"
[[nodes]]
id = "health"
title = "Health"
type = "impact"
[[links]]
from = "money"
to = "end"
assumption = "Money buys \"contracts\"\\ and <more>"
evidence = "strong"
[[links]]
from = "end"
to = "outcome"
evidence = "none"
[[links]]
from = "outcome"
to = "health"
evidence = "moderate"
assumption = "x"
"#
        );
        sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).expect("test ToC")
    }

    fn statuses() -> Statuses {
        [
            ("money".to_string(), (NodeStatus::Improving, false)),
            ("end".to_string(), (NodeStatus::Deteriorating, false)),
            (
                "outcome".to_string(),
                (NodeStatus::NoSignificantChange, true),
            ),
        ]
        .into()
    }

    /// The DOT text's structure: every quoted string closed on its line, braces and brackets
    /// balanced outside strings, and the quoted strings (unescaped) in order.
    fn dot_structure(dot: &str) -> Vec<String> {
        let mut strings = Vec::new();
        let mut depth: i32 = 0;
        let mut brackets: i32 = 0;
        for line in dot.lines() {
            let mut chars = line.chars();
            let mut prev = ' ';
            while let Some(c) = chars.next() {
                match c {
                    '"' => {
                        let mut s = String::new();
                        let mut closed = false;
                        while let Some(d) = chars.next() {
                            match d {
                                '\\' => match chars.next() {
                                    Some('n') => s.push('\n'),
                                    Some(e) => s.push(e),
                                    None => panic!("dangling backslash in {line}"),
                                },
                                '"' => {
                                    closed = true;
                                    break;
                                }
                                d => s.push(d),
                            }
                        }
                        assert!(closed, "unclosed string in {line}");
                        strings.push(s);
                    }
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    '[' => brackets += 1,
                    ']' => brackets -= 1,
                    '<' => panic!("markup outside a string in {line}"),
                    '>' if prev != '-' => panic!("markup outside a string in {line}"),
                    _ => {}
                }
                prev = c;
                assert!(depth >= 0 && brackets >= 0, "unbalanced at {line}");
            }
            assert_eq!(brackets, 0, "attribute list not closed on its line: {line}");
        }
        assert_eq!(depth, 0);
        strings
    }

    #[test]
    fn dot_escapes_hostile_titles_and_keeps_the_structure() {
        let t = toc();
        for st in [None, Some(&statuses())] {
            let dot = to_dot(&t, st);
            assert!(dot.starts_with("digraph \"t\" {\n"));
            assert!(dot.contains("rankdir=LR"));
            let strings = dot_structure(&dot);
            let words = |s: &str| s.split_whitespace().collect::<String>();
            let expected = words(HOSTILE);
            assert!(
                strings.iter().any(|s| words(s).starts_with(&expected)),
                "the title survives escaping intact (wrapped): {strings:?}"
            );
            assert!(dot.contains("Say \\\"hi\\\"\\n<script>"), "{dot}");
            assert!(dot.contains("\\\\g new line"), "{dot}");
            assert!(dot.contains("tooltip=\"Money buys \\\"contracts\\\"\\\\ and <more>\""));
            assert!(dot.contains("tooltip=\"No assumption stated\""));
            assert!(dot.contains("tooltip=\"Line one line \\\"two\\\"\""));
            assert!(dot.contains("subgraph cluster_input {"));
            assert!(dot.contains("subgraph cluster_outcome_medium {"));
            assert!(
                !dot.contains("cluster_activity"),
                "empty columns are left out"
            );
            assert!(dot.contains("\"money\" -> \"end\" [label=\"strong\", penwidth=3.5"));
            assert!(dot.contains("\"end\" -> \"outcome\" [label=\"none\", style=dashed"));
        }
        let dot = to_dot(&t, Some(&statuses()));
        assert!(dot.contains("\\n▲ Improving\", fillcolor=\"#D9E7F4\""));
        assert!(dot.contains("Fewer admissions\\n● No significant change\\n⚠ At risk\""));
        assert!(
            dot.contains("Health\\n○ No data\""),
            "nodes without a status have no data"
        );
        assert!(!to_dot(&t, None).contains("No data"));
    }

    #[test]
    fn dot_strings_escape_quotes_backslashes_and_line_breaks() {
        assert_eq!(
            dot_string("a\"b\\c\nd\r\ne\rf\u{7}g"),
            "\"a\\\"b\\\\c\\nd\\ne\\nf g\""
        );
        assert_eq!(dot_string(""), "\"\"");
    }

    #[test]
    fn mermaid_escapes_hostile_titles_and_keeps_the_structure() {
        let t = toc();
        for st in [None, Some(&statuses())] {
            let mmd = to_mermaid(&t, st);
            let mut lines = mmd.lines();
            assert!(
                lines
                    .next()
                    .is_some_and(|l| l.starts_with("%% Test #quot;ToC#quot; (t 1)"))
            );
            assert_eq!(lines.next(), Some("flowchart LR"));
            let mut open = 0i32;
            for line in mmd.lines() {
                let l = line.trim();
                if l.starts_with("%%") {
                    continue;
                }
                if l.starts_with("subgraph ") {
                    open += 1;
                } else if l == "end" {
                    open -= 1;
                }
                assert!((0..=1).contains(&open), "{mmd}");
                if let Some(start) = l.find("[\"") {
                    assert!(l.ends_with("\"]"), "{l}");
                    let inner = &l[start + 2..l.len() - 2];
                    let without_breaks = inner.replace("<br/>", "");
                    assert!(
                        !without_breaks.contains(['"', '<', '>', '`']),
                        "unescaped text in {l}"
                    );
                }
            }
            assert_eq!(open, 0);
            assert!(mmd.contains("n_money[\"Say #quot;hi#quot; #lt;script#gt;alert('x')#lt;/script#gt; #amp; [a] {b} (c) |d| #96;e#96; #35;f \\g new line"));
            assert!(mmd.contains(
                "  subgraph col_outcome_medium[\"Medium-term outcomes\"]\n    direction TB\n"
            ));
            assert!(
                mmd.contains("n_money ==>|strong| n_end"),
                "keywords are not ids"
            );
            assert!(mmd.contains("n_end -.->|none| n_outcome"));
            assert!(mmd.contains("n_outcome -->|moderate| n_health\n"));
            assert!(mmd.contains("linkStyle 2 stroke-width:2px"));
            assert!(
                mmd.contains(
                    "%% assumption: Money buys #quot;contracts#quot;\\ and #lt;more#gt;\n"
                )
            );
            assert!(!mmd.contains('<') || mmd.replace("<br/>", "").find('<').is_none());
        }
        let mmd = to_mermaid(&t, Some(&statuses()));
        assert!(
            mmd.contains(
                "n_outcome[\"Fewer admissions<br/>● No significant change<br/>⚠ At risk\"]"
            )
        );
        assert!(mmd.contains("classDef improving fill:#D9E7F4,stroke:#005EB8,color:#212B32\n"));
        assert!(mmd.contains(
            "classDef no_data fill:#FFFFFF,stroke:#4C6272,color:#212B32,stroke-dasharray:5 3\n"
        ));
        assert!(mmd.contains("class n_health no_data\n"));
        assert!(mmd.contains("class n_outcome at_risk\n"));
        assert!(!to_mermaid(&t, None).contains("classDef"));
    }

    #[test]
    fn mermaid_ids_are_safe_and_unique() {
        let mut t = toc();
        t.nodes[1].id = toml::Spanned::new(0..0, "a b".to_string());
        t.nodes[2].id = toml::Spanned::new(0..0, "a-b".to_string());
        let ids = mermaid_ids(&t);
        assert_eq!(ids[1], "n_a_b");
        assert_eq!(ids[2], "n_a_b_2");
        assert!(
            ids.iter()
                .all(|i| i.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        );
    }

    #[test]
    fn outputs_are_deterministic() {
        let t = toc();
        let s = statuses();
        assert_eq!(to_dot(&t, Some(&s)), to_dot(&t, Some(&s)));
        assert_eq!(to_mermaid(&t, Some(&s)), to_mermaid(&t, Some(&s)));
    }
}
