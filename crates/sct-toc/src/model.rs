//! The theory-of-change file: nodes of seven types in chain order, links with assumptions
//! and evidence strength, and indicators on nodes (a KPI of a KPI set, or a plugin measure).

use serde::{Deserialize, Serialize};
use toml::Spanned;

use sct_core::model::{Documents, FrameworkKind, SourceRef, Status};
use sct_kpi::spc::Improvement;

/// A node's place in the chain, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeType {
    /// Resources: money, people, data.
    Input,
    /// What the ICB does with them.
    Activity,
    /// What the activities produce (contracts, pathways, services).
    Output,
    /// Short-term outcomes (months).
    OutcomeShort,
    /// Medium-term outcomes (a year or two).
    OutcomeMedium,
    /// Long-term outcomes (several years).
    OutcomeLong,
    /// The ultimate impact on population health.
    Impact,
}

impl NodeType {
    /// All, in chain order.
    pub const ALL: [NodeType; 7] = [
        NodeType::Input,
        NodeType::Activity,
        NodeType::Output,
        NodeType::OutcomeShort,
        NodeType::OutcomeMedium,
        NodeType::OutcomeLong,
        NodeType::Impact,
    ];

    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeType::Input => "input",
            NodeType::Activity => "activity",
            NodeType::Output => "output",
            NodeType::OutcomeShort => "outcome-short",
            NodeType::OutcomeMedium => "outcome-medium",
            NodeType::OutcomeLong => "outcome-long",
            NodeType::Impact => "impact",
        }
    }

    /// A heading for the node type's column.
    pub fn heading(self) -> &'static str {
        match self {
            NodeType::Input => "Inputs",
            NodeType::Activity => "Activities",
            NodeType::Output => "Outputs",
            NodeType::OutcomeShort => "Short-term outcomes",
            NodeType::OutcomeMedium => "Medium-term outcomes",
            NodeType::OutcomeLong => "Long-term outcomes",
            NodeType::Impact => "Impact",
        }
    }

    /// Position in the chain (0 for inputs).
    pub fn rank(self) -> usize {
        self as usize
    }

    /// Whether this is an outcome of any horizon or the impact.
    pub fn is_outcome(self) -> bool {
        self >= NodeType::OutcomeShort
    }
}

/// How strong the evidence is that a link holds.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// No evidence stated.
    #[default]
    None,
    /// Weak evidence.
    Weak,
    /// Moderate evidence.
    Moderate,
    /// Strong evidence.
    Strong,
}

impl Evidence {
    /// All, weakest first.
    pub const ALL: [Evidence; 4] = [
        Evidence::None,
        Evidence::Weak,
        Evidence::Moderate,
        Evidence::Strong,
    ];

    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::None => "none",
            Evidence::Weak => "weak",
            Evidence::Moderate => "moderate",
            Evidence::Strong => "strong",
        }
    }
}

/// An indicator on a node: a KPI of the ToC's KPI set, or a plugin's measure, with the
/// direction it should move if the theory holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TocIndicator {
    /// A KPI id in the KPI set named by `kpi_set`.
    #[serde(default)]
    pub kpi: Option<Spanned<String>>,
    /// A plugin measure, `plugin-id/measure-id`.
    #[serde(default)]
    pub measure: Option<Spanned<String>>,
    /// Which way it should move.
    pub direction: Improvement,
}

impl TocIndicator {
    /// The KPI id or measure, for display.
    pub fn name(&self) -> String {
        match (&self.kpi, &self.measure) {
            (Some(k), _) => k.get_ref().clone(),
            (None, Some(m)) => m.get_ref().clone(),
            (None, None) => String::new(),
        }
    }
}

/// One node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Identifier, kebab-case, unique in the file.
    pub id: Spanned<String>,
    /// Title.
    pub title: String,
    /// Place in the chain.
    #[serde(rename = "type")]
    pub node_type: NodeType,
    /// Who owns it.
    #[serde(default)]
    pub owner: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Where the framework says so.
    #[serde(default)]
    pub source: Option<SourceRef>,
    /// Indicators that measure it.
    #[serde(default)]
    pub indicators: Vec<TocIndicator>,
}

/// One link: `from` contributes to `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The earlier node.
    pub from: Spanned<String>,
    /// The later node.
    pub to: Spanned<String>,
    /// Why `from` should lead to `to`.
    #[serde(default)]
    pub assumption: String,
    /// How strong the evidence for it is.
    #[serde(default)]
    pub evidence: Evidence,
}

/// A theory of change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TheoryOfChange {
    /// Always `theory-of-change`.
    pub kind: FrameworkKind,
    /// Identifier.
    pub id: Spanned<String>,
    /// Version.
    pub version: Spanned<String>,
    /// Title.
    pub title: String,
    /// Citation.
    pub source: String,
    /// Status.
    pub status: Status,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// What is the authors' drafting.
    #[serde(default)]
    pub drafting_note: String,
    /// The theory of change this one was built from (`id@version`), for information.
    #[serde(default)]
    pub based_on: Option<String>,
    /// The KPI set whose ids `kpi` indicators name.
    #[serde(default)]
    pub kpi_set: Option<Spanned<String>>,
    /// Cited documents.
    #[serde(default)]
    pub documents: Documents,
    /// The nodes.
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// The links.
    #[serde(default)]
    pub links: Vec<Link>,
}

impl TheoryOfChange {
    /// Finds a node by id.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id.get_ref() == id)
    }
}
