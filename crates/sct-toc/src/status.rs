//! Live status of a theory of change from KPI data: each indicator's latest value and SPC
//! variation (run in the direction the theory expects), each node's status from its
//! indicators, and a roll-up along the chain that flags a node at risk when every precursor
//! with a status is deteriorating or at risk.

use serde::Serialize;

/// A node's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeStatus {
    /// At least one indicator shows special-cause improvement and none shows concern.
    Improving,
    /// At least one indicator shows special-cause concern.
    Deteriorating,
    /// Indicators with data show only common-cause variation.
    NoSignificantChange,
    /// No indicator has data (or the node has no indicator).
    NoData,
}

impl NodeStatus {
    /// The name as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Improving => "improving",
            NodeStatus::Deteriorating => "deteriorating",
            NodeStatus::NoSignificantChange => "no-significant-change",
            NodeStatus::NoData => "no-data",
        }
    }

    /// Words for a reader.
    pub fn label(self) -> &'static str {
        match self {
            NodeStatus::Improving => "Improving",
            NodeStatus::Deteriorating => "Deteriorating",
            NodeStatus::NoSignificantChange => "No significant change",
            NodeStatus::NoData => "No data",
        }
    }
}
