//! Theory-of-change metrics: how much of the theory is measured and argued. The share of
//! outcomes with at least one indicator, per horizon; the share of links with a stated
//! assumption and the spread of their evidence; the longest chain of measured nodes.

use serde::Serialize;

use crate::graph::Graph;
use crate::model::{Evidence, NodeType, TheoryOfChange};

/// Coverage of one horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HorizonCoverage {
    /// `outcome-short`, `outcome-medium`, `outcome-long` or `impact`.
    pub node_type: NodeType,
    /// Nodes of this type.
    pub nodes: usize,
    /// Nodes with at least one indicator.
    pub measured: usize,
    /// measured / nodes, when there are nodes.
    pub share: Option<f64>,
}

/// Links with each strength of evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceCount {
    /// The strength.
    pub evidence: Evidence,
    /// Links with it.
    pub links: usize,
}

/// The metrics of one theory of change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocMetrics {
    /// Nodes.
    pub nodes: usize,
    /// Links.
    pub links: usize,
    /// Per outcome horizon and impact.
    pub outcome_coverage: Vec<HorizonCoverage>,
    /// All outcomes and impact together.
    pub outcomes_measured_share: Option<f64>,
    /// Links with a stated assumption.
    pub links_with_assumption: usize,
    /// Their share.
    pub assumption_share: Option<f64>,
    /// Links by evidence strength, weakest first.
    pub evidence: Vec<EvidenceCount>,
    /// The longest chain of linked nodes that all have an indicator (node ids, in order);
    /// empty when none is measured or the graph has a cycle.
    pub longest_measured_chain: Vec<String>,
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Computes the metrics.
pub fn metrics(toc: &TheoryOfChange, graph: &Graph) -> TocMetrics {
    let outcome_types = [
        NodeType::OutcomeShort,
        NodeType::OutcomeMedium,
        NodeType::OutcomeLong,
        NodeType::Impact,
    ];
    let outcome_coverage: Vec<HorizonCoverage> = outcome_types
        .iter()
        .map(|&t| {
            let of_type = toc.nodes.iter().filter(|n| n.node_type == t);
            let nodes = of_type.clone().count();
            let measured = of_type.filter(|n| !n.indicators.is_empty()).count();
            HorizonCoverage {
                node_type: t,
                nodes,
                measured,
                share: share(measured, nodes),
            }
        })
        .collect();
    let (all, measured) = outcome_coverage
        .iter()
        .fold((0, 0), |(a, m), h| (a + h.nodes, m + h.measured));
    let with_assumption = toc
        .links
        .iter()
        .filter(|l| !l.assumption.trim().is_empty())
        .count();
    let keep: Vec<bool> = toc.nodes.iter().map(|n| !n.indicators.is_empty()).collect();
    let chain = graph
        .longest_path(&keep)
        .unwrap_or_default()
        .into_iter()
        .map(|i| toc.nodes[i].id.get_ref().clone())
        .collect();
    TocMetrics {
        nodes: toc.nodes.len(),
        links: toc.links.len(),
        outcome_coverage,
        outcomes_measured_share: share(measured, all),
        links_with_assumption: with_assumption,
        assumption_share: share(with_assumption, toc.links.len()),
        evidence: Evidence::ALL
            .iter()
            .map(|&e| EvidenceCount {
                evidence: e,
                links: toc.links.iter().filter(|l| l.evidence == e).count(),
            })
            .collect(),
        longest_measured_chain: chain,
    }
}
