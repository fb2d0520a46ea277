//! # sct-toc
//!
//! Theories of change (framework kind `theory-of-change`): the chain from inputs through
//! activities and outputs to short, medium and long-term outcomes and impact, with assumptions
//! and evidence on the links and indicators on the nodes. Checked as a graph (cycles, unknown
//! nodes, backward links, reachability, unmeasured outcomes), measured (coverage of indicators
//! and assumptions, the longest measured chain), given live status from KPI data with a stated
//! roll-up rule, and laid out in layers for drawing.

pub mod check;
pub mod export;
pub mod graph;
pub mod layout;
pub mod load;
pub mod metrics;
pub mod model;
pub mod parts;
pub mod report;
pub mod status;

pub use model::{Evidence, Link, Node, NodeType, TheoryOfChange, TocIndicator};
