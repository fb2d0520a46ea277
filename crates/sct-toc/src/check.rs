//! Checking a theory of change: errors make it unusable (duplicate or malformed ids, links to
//! unknown nodes, links that go backwards in the chain, cycles, indicators naming unknown KPIs,
//! citations of unknown documents); warnings point at gaps in the theory (outcomes not
//! reachable from any input, nodes with no path to an impact, outcomes without an indicator,
//! links without an assumption). Every finding names the file and line.

use std::collections::{BTreeSet, HashMap};

use sct_core::SourceFile;
use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::model::SourceRef;
use sct_core::validate::is_kebab_id;
use sct_kpi::kpiset::KpiSet;

use crate::graph::Graph;
use crate::model::{Node, NodeType, TheoryOfChange, TocIndicator};

/// Checks `toc` (read from `src`), with the KPI set its `kpi` indicators refer to when known.
pub fn check(toc: &TheoryOfChange, src: &SourceFile, kpi_set: Option<&KpiSet>) -> Diagnostics {
    let mut d = Diagnostics::default();
    check_ids(toc, src, &mut d);
    if let (Some(name), None) = (&toc.kpi_set, kpi_set) {
        d.push(src.warning_at(
            name.span(),
            format!(
                "KPI set \"{}\" is not known, so KPI ids are not checked",
                name.get_ref()
            ),
        ));
    }
    for node in &toc.nodes {
        for ind in &node.indicators {
            check_indicator(toc, src, kpi_set, node, ind, &mut d);
        }
    }
    let graph = Graph::new(toc);
    check_links(toc, src, &graph, &mut d);
    // Cycles: name every node in order and point at the link that closes the cycle.
    for cycle in graph.cycles() {
        let Some(&closing) = cycle.last() else {
            continue;
        };
        let mut names: Vec<&str> = cycle
            .iter()
            .map(|&k| toc.links[k].from.get_ref().as_str())
            .collect();
        names.push(toc.links[cycle[0]].from.get_ref());
        let link = &toc.links[closing];
        d.push(
            src.error_at(link.from.span(), format!("cycle: {}", names.join(" → ")))
                .expected("a chain without loops; remove or reverse one of these links"),
        );
    }
    check_reachability(toc, src, &graph, &mut d);
    d
}

/// Node ids: kebab-case and unique; and the documents their sources cite.
fn check_ids(toc: &TheoryOfChange, src: &SourceFile, d: &mut Diagnostics) {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for node in &toc.nodes {
        let id = node.id.get_ref().as_str();
        if !is_kebab_id(id) {
            d.push(
                src.error_at(node.id.span(), format!("node id \"{id}\" is not kebab-case"))
                    .expected("lower-case letters, digits and single hyphens, such as \"integrated-needs-assessment\""),
            );
        }
        if let Some(&at) = first.get(id) {
            d.push(
                src.error_at(node.id.span(), format!("duplicate node id \"{id}\""))
                    .expected(format!(
                        "a unique id; first used at line {}",
                        src.line_col(at).0
                    )),
            );
        } else {
            first.insert(id, node.id.span().start);
        }
        if let Some(s) = &node.source {
            known_doc(toc, src, s, d);
        }
    }
}

/// A source must cite a document in `[documents]`.
fn known_doc(toc: &TheoryOfChange, src: &SourceFile, s: &SourceRef, d: &mut Diagnostics) {
    if !toc.documents.contains_key(s.doc.get_ref()) {
        d.push(src.error_at(
            s.doc.span(),
            format!(
                "source cites document \"{}\", which is not in [documents]",
                s.doc.get_ref()
            ),
        ));
    }
}

/// An indicator names exactly one of a KPI of the set and a plugin measure.
fn check_indicator(
    toc: &TheoryOfChange,
    src: &SourceFile,
    kpi_set: Option<&KpiSet>,
    node: &Node,
    ind: &TocIndicator,
    d: &mut Diagnostics,
) {
    match (&ind.kpi, &ind.measure) {
        (Some(k), None) => {
            if let Some(set) = kpi_set
                && set.indicator(k.get_ref()).is_none()
            {
                let known: Vec<&str> = set
                    .indicators
                    .iter()
                    .map(|i| i.id.get_ref().as_str())
                    .collect();
                d.push(
                    src.error_at(
                        k.span(),
                        format!(
                            "indicator names KPI \"{}\", which is not in KPI set \"{}\"",
                            k.get_ref(),
                            set.id.get_ref()
                        ),
                    )
                    .expected(format!("one of: {}", known.join(", "))),
                );
            } else if kpi_set.is_none() && toc.kpi_set.is_none() {
                d.push(
                    src.error_at(
                        k.span(),
                        format!(
                            "indicator names KPI \"{}\" but the theory of change names no kpi_set",
                            k.get_ref()
                        ),
                    )
                    .expected("kpi_set = \"<the id of a KPI set>\" at the top of the file"),
                );
            }
        }
        (None, Some(m)) => {
            let ok = m
                .get_ref()
                .split_once('/')
                .is_some_and(|(p, x)| !p.is_empty() && !x.is_empty());
            if !ok {
                d.push(
                    src.error_at(
                        m.span(),
                        format!(
                            "measure \"{}\" does not name a plugin and a measure",
                            m.get_ref()
                        ),
                    )
                    .expected("\"plugin-id/measure-id\""),
                );
            }
        }
        _ => d.push(
            src.error_at(
                node.id.span(),
                format!(
                    "an indicator of node \"{}\" gives {} of kpi and measure",
                    node.id.get_ref(),
                    if ind.kpi.is_some() { "both" } else { "neither" }
                ),
            )
            .expected("exactly one: kpi = \"<KPI id>\" or measure = \"plugin-id/measure-id\""),
        ),
    }
}

/// Links: both ends known, forwards in the chain, given once, with an assumption.
fn check_links(toc: &TheoryOfChange, src: &SourceFile, graph: &Graph, d: &mut Diagnostics) {
    let mut seen_links: HashMap<(&str, &str), usize> = HashMap::new();
    for link in &toc.links {
        let (from, to) = (link.from.get_ref().as_str(), link.to.get_ref().as_str());
        let a = graph.index.get(from).map(|&i| &toc.nodes[i]);
        let b = graph.index.get(to).map(|&i| &toc.nodes[i]);
        for (name, spanned, node) in [("from", &link.from, a), ("to", &link.to, b)] {
            if node.is_none() {
                d.push(
                    src.error_at(
                        spanned.span(),
                        format!("link {name} \"{}\": no node has this id", spanned.get_ref()),
                    )
                    .expected("the id of a node in [[nodes]]"),
                );
            }
        }
        if let (Some(a), Some(b)) = (a, b)
            && b.node_type < a.node_type
        {
            d.push(
                src.error_at(
                    link.to.span(),
                    format!(
                        "link \"{from}\" → \"{to}\" goes backwards in the chain: from {} to {}",
                        a.node_type.as_str(),
                        b.node_type.as_str()
                    ),
                )
                .expected(format!(
                    "links from a node to one at the same place or later: {}",
                    NodeType::ALL.map(NodeType::as_str).join(" → ")
                )),
            );
        }
        if let Some(&at) = seen_links.get(&(from, to)) {
            d.push(src.warning_at(
                link.from.span(),
                format!(
                    "link \"{from}\" → \"{to}\" is given twice (first at line {})",
                    src.line_col(at).0
                ),
            ));
        } else {
            seen_links.insert((from, to), link.from.span().start);
        }
        if link.assumption.trim().is_empty() {
            d.push(
                src.warning_at(
                    link.from.span(),
                    format!("link \"{from}\" → \"{to}\" states no assumption"),
                )
                .expected("assumption = \"why this leads to that\""),
            );
        }
    }
}

/// Reachability: from inputs forwards, to impacts backwards; and outcomes with indicators.
fn check_reachability(toc: &TheoryOfChange, src: &SourceFile, graph: &Graph, d: &mut Diagnostics) {
    let inputs: Vec<usize> = (0..toc.nodes.len())
        .filter(|&i| toc.nodes[i].node_type == NodeType::Input)
        .collect();
    let impacts: Vec<usize> = (0..toc.nodes.len())
        .filter(|&i| toc.nodes[i].node_type == NodeType::Impact)
        .collect();
    let from_inputs = graph.reachable(inputs.iter().copied(), true);
    let to_impacts = graph.reachable(impacts.iter().copied(), false);
    if !toc.nodes.is_empty() && inputs.is_empty() {
        d.push(Diagnostic::warning("the theory of change has no input node").in_file(&src.name));
    }
    if !toc.nodes.is_empty() && impacts.is_empty() {
        d.push(Diagnostic::warning("the theory of change has no impact node").in_file(&src.name));
    }
    let duplicate: BTreeSet<usize> = (0..toc.nodes.len())
        .filter(|&i| graph.index.get(toc.nodes[i].id.get_ref()) != Some(&i))
        .collect();
    for (i, node) in toc.nodes.iter().enumerate() {
        if duplicate.contains(&i) {
            continue;
        }
        let id = node.id.get_ref();
        if node.node_type.is_outcome() && !inputs.is_empty() && !from_inputs[i] {
            d.push(src.warning_at(
                node.id.span(),
                format!(
                    "{} \"{id}\" is not reachable from any input",
                    node.node_type.as_str()
                ),
            ));
        }
        if node.node_type != NodeType::Impact && !impacts.is_empty() && !to_impacts[i] {
            d.push(src.warning_at(
                node.id.span(),
                format!("node \"{id}\" has no path to an impact"),
            ));
        }
        if node.node_type.is_outcome() && node.indicators.is_empty() {
            d.push(
                src.warning_at(
                    node.id.span(),
                    format!("{} \"{id}\" has no indicator", node.node_type.as_str()),
                )
                .expected("indicators = [{ kpi = \"<KPI id>\", direction = \"increase\" }]"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toc(body: &str) -> (TheoryOfChange, SourceFile) {
        let text = format!(
            "kind = \"theory-of-change\"\nid = \"t\"\nversion = \"1\"\ntitle = \"T\"\nsource = \"s\"\nstatus = \"example\"\n{body}"
        );
        let src = SourceFile::from_text("t.toml", text);
        (sct_core::load::parse_toml(&src).unwrap(), src)
    }

    fn messages(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .map(|x| {
                format!(
                    "{}:{}",
                    x.location.as_ref().map_or(0, |l| l.line),
                    x.message
                )
            })
            .collect()
    }

    const CHAIN: &str = r#"
[[nodes]]
id = "money"
title = "Money"
type = "input"
[[nodes]]
id = "contracts"
title = "Contracts"
type = "output"
[[nodes]]
id = "fewer-admissions"
title = "Fewer admissions"
type = "outcome-medium"
indicators = [{ measure = "local/admissions", direction = "decrease" }]
[[nodes]]
id = "health"
title = "Health"
type = "impact"
indicators = [{ measure = "local/hle", direction = "increase" }]
[[links]]
from = "money"
to = "contracts"
assumption = "a"
[[links]]
from = "contracts"
to = "fewer-admissions"
assumption = "b"
[[links]]
from = "fewer-admissions"
to = "health"
assumption = "c"
"#;

    #[test]
    fn a_clean_chain_has_no_findings() {
        let (t, src) = toc(CHAIN);
        let d = check(&t, &src, None);
        assert!(d.is_empty(), "{:?}", messages(&d));
    }

    #[test]
    fn a_cycle_names_its_nodes_and_the_closing_links_line() {
        let body = format!(
            "{CHAIN}[[links]]\nfrom = \"fewer-admissions\"\nto = \"fewer-admissions\"\nassumption = \"loop\"\n"
        );
        let (t, src) = toc(&body);
        let m = messages(&check(&t, &src, None));
        assert!(
            m.iter()
                .any(|x| x.contains("cycle: fewer-admissions → fewer-admissions")),
            "{m:?}"
        );
    }

    #[test]
    fn backward_links_unknown_nodes_and_missing_assumptions() {
        let body = format!(
            "{CHAIN}[[links]]\nfrom = \"health\"\nto = \"money\"\n[[links]]\nfrom = \"contracts\"\nto = \"nowhere\"\nassumption = \"x\"\n"
        );
        let (t, src) = toc(&body);
        let d = check(&t, &src, None);
        let m = messages(&d);
        assert!(
            m.iter()
                .any(|x| x.contains("goes backwards in the chain: from impact to input")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|x| x.contains("link to \"nowhere\": no node has this id")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|x| x.contains("\"health\" → \"money\" states no assumption")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|x| x.starts_with("38:") || x.starts_with("39:")),
            "lines are given: {m:?}"
        );
    }

    #[test]
    fn unreachable_outcomes_dead_ends_and_unmeasured_outcomes_are_warned() {
        let body = format!(
            "{CHAIN}[[nodes]]\nid = \"orphan\"\ntitle = \"Orphan\"\ntype = \"outcome-short\"\n"
        );
        let (t, src) = toc(&body);
        let d = check(&t, &src, None);
        assert!(!d.has_errors());
        let m = messages(&d);
        assert!(
            m.iter()
                .any(|x| x.contains("outcome-short \"orphan\" is not reachable from any input")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|x| x.contains("node \"orphan\" has no path to an impact")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|x| x.contains("outcome-short \"orphan\" has no indicator")),
            "{m:?}"
        );
    }
}
