//! The content of a theory-of-change report: the chain by column with each node's indicators,
//! live status and roll-up, the capabilities behind each node, the links with their
//! assumptions and evidence, the metrics, and provenance. Presentation is `sct-report`'s job.

use std::collections::BTreeMap;

use serde::Serialize;

use sct_core::provenance::{FileUsed, FrameworkUsed, PluginUsed, SCT_VERSION};

use crate::load::LoadedToc;
use crate::metrics::{TocMetrics, metrics};
use crate::model::{Evidence, Node, NodeType};
use crate::status::{IndicatorState, KpiSource, NodeState, NodeStatus, ROLL_UP_RULE};

/// A capability of the toolkit and what it is meant to move, with its current level when an
/// assessment was given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityInfo {
    /// Capability id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Node ids, or `kpi:<id>`, it is meant to move.
    pub moves: Vec<String>,
    /// Its current level's name, from the assessment.
    pub level: Option<String>,
}

/// A capability behind a node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityLink {
    /// Capability id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its current level's name, when assessed.
    pub level: Option<String>,
    /// Why it is linked: the node id, or the `kpi:<id>` it names.
    pub via: String,
}

/// One node in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeReport {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Type.
    pub node_type: NodeType,
    /// Owner.
    pub owner: String,
    /// Description.
    pub description: String,
    /// Where the framework says so (document, section).
    pub source: Option<String>,
    /// Own status.
    pub status: NodeStatus,
    /// Its words.
    pub status_label: &'static str,
    /// Flagged at risk by the roll-up.
    pub at_risk: bool,
    /// The precursors that make it so.
    pub at_risk_because: Vec<String>,
    /// Indicators and their states.
    pub indicators: Vec<IndicatorState>,
    /// Capabilities behind it.
    pub capabilities: Vec<CapabilityLink>,
}

/// One column of the chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnReport {
    /// The node type.
    pub node_type: NodeType,
    /// Its heading.
    pub heading: &'static str,
    /// Its nodes, in file order.
    pub nodes: Vec<NodeReport>,
}

/// One link in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkReport {
    /// From node id.
    pub from: String,
    /// Its title.
    pub from_title: String,
    /// To node id.
    pub to: String,
    /// Its title.
    pub to_title: String,
    /// The assumption.
    pub assumption: String,
    /// Evidence strength.
    pub evidence: Evidence,
}

/// Counts of nodes by status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusCount {
    /// The status.
    pub status: NodeStatus,
    /// Its words.
    pub label: &'static str,
    /// Nodes with it.
    pub nodes: usize,
}

/// The KPI data a report used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiInfo {
    /// The organisation.
    pub organisation: String,
    /// The review date, if given.
    pub as_of: Option<String>,
}

/// Where a report came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocProvenance {
    /// `sct` version.
    pub sct_version: String,
    /// The theory-of-change file.
    pub theory_of_change: FrameworkUsed,
    /// The KPI set, when used.
    pub kpi_set: Option<FrameworkUsed>,
    /// The KPI data, when given.
    pub kpi_data: Option<FileUsed>,
    /// The assessment response, when given.
    pub assessment: Option<FileUsed>,
    /// The plugins whose measures gave series (filled in by the caller, which runs them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plugins: Vec<PluginUsed>,
}

/// A whole theory-of-change report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocReport {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: String,
    /// Status of the file (draft, example…).
    pub status: String,
    /// Citation.
    pub source: String,
    /// Description.
    pub description: String,
    /// Drafting note.
    pub drafting_note: String,
    /// What it was built from.
    pub based_on: Option<String>,
    /// Metrics.
    pub metrics: TocMetrics,
    /// Whether KPI data gave statuses.
    pub has_status: bool,
    /// The KPI data used.
    pub kpi: Option<KpiInfo>,
    /// Nodes by status.
    pub status_counts: Vec<StatusCount>,
    /// Nodes flagged at risk, in chain order.
    pub at_risk: Vec<String>,
    /// Whether an assessment gave capability levels.
    pub has_assessment: bool,
    /// Whether any node has a capability behind it.
    pub has_capability_links: bool,
    /// The columns, in chain order (empty ones left out).
    pub columns: Vec<ColumnReport>,
    /// The links, in file order.
    pub links: Vec<LinkReport>,
    /// The roll-up rule in words.
    pub roll_up_rule: &'static str,
    /// The checker's warnings, as text.
    pub warnings: Vec<String>,
    /// Provenance.
    pub provenance: TocProvenance,
}

/// What a report is built from besides the theory of change.
#[derive(Debug, Clone, Default)]
pub struct ReportInputs<'a> {
    /// KPI data for statuses.
    pub kpi: Option<KpiSource<'a>>,
    /// The data file, for provenance.
    pub kpi_data_file: Option<FileUsed>,
    /// Capabilities (with levels when an assessment was given).
    pub capabilities: Vec<CapabilityInfo>,
    /// The assessment file, for provenance.
    pub assessment_file: Option<FileUsed>,
    /// Plugin measures' series, for indicators that name them.
    pub measures: Option<crate::status::MeasureSource<'a>>,
}

/// One node of the report: what it is, its status, and the capabilities that move it
/// (directly or through one of its KPIs).
fn node_report(node: &Node, state: &NodeState, capabilities: &[CapabilityInfo]) -> NodeReport {
    let kpis: Vec<String> = node
        .indicators
        .iter()
        .filter_map(|i| i.kpi.as_ref().map(|k| format!("kpi:{}", k.get_ref())))
        .collect();
    let capabilities = capabilities
        .iter()
        .filter_map(|c| {
            let via = c
                .moves
                .iter()
                .find(|m| *m == node.id.get_ref() || kpis.contains(m))?;
            Some(CapabilityLink {
                id: c.id.clone(),
                title: c.title.clone(),
                level: c.level.clone(),
                via: via.clone(),
            })
        })
        .collect();
    NodeReport {
        id: node.id.get_ref().clone(),
        title: node.title.clone(),
        node_type: node.node_type,
        owner: node.owner.clone(),
        description: node.description.clone(),
        source: node
            .source
            .as_ref()
            .map(|s| format!("{} {}", s.doc.get_ref(), s.section)),
        status: state.status,
        status_label: state.status.label(),
        at_risk: state.at_risk,
        at_risk_because: state.at_risk_because.clone(),
        indicators: state.indicators.clone(),
        capabilities,
    }
}

/// How many nodes have each status.
fn status_counts(states: &[NodeState]) -> Vec<StatusCount> {
    [
        NodeStatus::Improving,
        NodeStatus::Deteriorating,
        NodeStatus::NoSignificantChange,
        NodeStatus::NoData,
    ]
    .iter()
    .map(|&s| StatusCount {
        status: s,
        label: s.label(),
        nodes: states.iter().filter(|x| x.status == s).count(),
    })
    .collect()
}

/// Every link with the titles of its ends.
fn link_reports(loaded: &LoadedToc) -> Vec<LinkReport> {
    let toc = &loaded.toc;
    let title_of = |id: &str| {
        loaded
            .graph
            .index
            .get(id)
            .map_or_else(|| id.to_string(), |&i| toc.nodes[i].title.clone())
    };
    toc.links
        .iter()
        .map(|l| LinkReport {
            from: l.from.get_ref().clone(),
            from_title: title_of(l.from.get_ref()),
            to: l.to.get_ref().clone(),
            to_title: title_of(l.to.get_ref()),
            assumption: l.assumption.clone(),
            evidence: l.evidence,
        })
        .collect()
}

/// The checker's warnings, each with its line.
fn warning_lines(loaded: &LoadedToc) -> Vec<String> {
    loaded
        .warnings
        .iter()
        .map(|d| {
            let at = d
                .location
                .as_ref()
                .filter(|l| l.line > 0)
                .map(|l| format!(" (line {})", l.line))
                .unwrap_or_default();
            format!("{}{at}", d.message)
        })
        .collect()
}

/// Builds the report.
pub fn build(loaded: &LoadedToc, inputs: &ReportInputs<'_>) -> TocReport {
    let toc = &loaded.toc;
    let states =
        crate::status::statuses_with_measures(toc, &loaded.graph, inputs.kpi, inputs.measures);
    let mut columns: BTreeMap<NodeType, Vec<NodeReport>> = BTreeMap::new();
    for (node, state) in toc.nodes.iter().zip(&states) {
        columns.entry(node.node_type).or_default().push(node_report(
            node,
            state,
            &inputs.capabilities,
        ));
    }
    let order = loaded.graph.topological_order().unwrap_or_default();
    let at_risk = order
        .iter()
        .filter(|&&i| states[i].at_risk)
        .map(|&i| states[i].id.clone())
        .collect();
    let has_status = inputs.kpi.is_some() || inputs.measures.is_some();
    TocReport {
        id: toc.id.get_ref().clone(),
        version: toc.version.get_ref().clone(),
        title: toc.title.clone(),
        status: format!("{:?}", toc.status).to_lowercase(),
        source: toc.source.clone(),
        description: toc.description.clone(),
        drafting_note: toc.drafting_note.clone(),
        based_on: toc.based_on.clone(),
        metrics: metrics(toc, &loaded.graph),
        has_status,
        kpi: inputs.kpi.map(|k| KpiInfo {
            organisation: k.organisation.to_string(),
            as_of: k.as_of.map(|d| d.to_string()),
        }),
        status_counts: status_counts(&states),
        at_risk,
        has_assessment: inputs.assessment_file.is_some(),
        has_capability_links: columns
            .values()
            .flatten()
            .any(|n| !n.capabilities.is_empty()),
        columns: columns
            .into_iter()
            .map(|(t, nodes)| ColumnReport {
                node_type: t,
                heading: t.heading(),
                nodes,
            })
            .collect(),
        links: link_reports(loaded),
        roll_up_rule: ROLL_UP_RULE,
        warnings: warning_lines(loaded),
        provenance: TocProvenance {
            sct_version: SCT_VERSION.to_string(),
            theory_of_change: loaded.file.clone(),
            kpi_set: inputs
                .kpi
                .is_some()
                .then(|| loaded.kpi_set.as_ref().map(|(_, f)| f.clone()))
                .flatten(),
            kpi_data: inputs.kpi_data_file.clone(),
            assessment: inputs.assessment_file.clone(),
            plugins: Vec::new(),
        },
    }
}

/// Each node's status and at-risk flag by id, for drawing.
pub fn status_map(report: &TocReport) -> BTreeMap<String, (NodeStatus, bool)> {
    report
        .columns
        .iter()
        .flat_map(|c| &c.nodes)
        .map(|n| (n.id.clone(), (n.status, n.at_risk)))
        .collect()
}
