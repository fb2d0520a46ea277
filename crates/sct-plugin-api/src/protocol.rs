//! The JSON documents a host and a plugin exchange (the same for native and command plugins).
//!
//! - [`Handshake`]: the protocol version the plugin speaks.
//! - [`Description`]: what the plugin is and the measures it offers (`describe`).
//! - [`ComputeRequest`] → [`Reply`] holding a [`ComputeResponse`] or a [`PluginError`]
//!   (`compute`).
//!
//! Unknown fields are ignored when reading, so a newer plugin can add fields without breaking
//! an older host; a change that would break either side changes
//! [`PROTOCOL_VERSION`](crate::PROTOCOL_VERSION).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The first thing a host asks: which protocol the plugin speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Handshake {
    /// The protocol version, [`PROTOCOL_VERSION`](crate::PROTOCOL_VERSION) for this crate.
    pub protocol: u32,
}

/// What a plugin is and what it offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Description {
    /// The plugin's name (kebab-case), as in its manifest.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The protocol version it speaks.
    pub protocol: u32,
    /// One sentence on what it computes and from what.
    #[serde(default)]
    pub description: String,
    /// The measures it offers.
    pub measures: Vec<MeasureInfo>,
}

/// Whether a measure gives a series or capability evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum MeasureKind {
    /// Period/value pairs.
    #[default]
    Series,
    /// Capability evidence items.
    Evidence,
}

/// Which way a measure should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Higher is better.
    Increase,
    /// Lower is better.
    Decrease,
    /// Neither.
    #[default]
    Neutral,
}

/// One measure a plugin offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeasureInfo {
    /// Identifier (kebab-case), unique in the plugin.
    pub id: String,
    /// Title for a reader.
    pub title: String,
    /// Series or evidence.
    #[serde(default)]
    pub kind: MeasureKind,
    /// Unit printed after values ("weeks", "%", "patients"); empty for evidence.
    #[serde(default)]
    pub unit: String,
    /// The framework's timeframe: `leading` (weekly or monthly), `kpi` (quarterly) or
    /// `outcome` (annual); empty for evidence.
    #[serde(default)]
    pub timeframe: String,
    /// The period of its points: `week`, `month`, `quarter`, `year` or `date`.
    #[serde(default)]
    pub period: String,
    /// Which way is better.
    #[serde(default)]
    pub direction: Direction,
    /// The parameters `compute` accepts.
    #[serde(default)]
    pub parameters: Vec<ParameterInfo>,
}

/// One parameter of a measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ParameterInfo {
    /// Name, as given with `--param NAME=VALUE`.
    pub name: String,
    /// What it does.
    #[serde(default)]
    pub description: String,
    /// The value used when it is not given.
    #[serde(default)]
    pub default: Option<String>,
    /// Whether it must be given.
    #[serde(default)]
    pub required: bool,
}

/// What the host asks a plugin to compute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
pub struct ComputeRequest {
    /// The protocol version of the host.
    pub protocol: u32,
    /// The measure id.
    pub measure: String,
    /// Parameters, as text (`--param NAME=VALUE`).
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// The organisation's ODS code, when one was given.
    #[serde(default)]
    pub organisation: Option<String>,
    /// The first period wanted (inclusive), as the measure writes periods; absent: from the
    /// start of the data.
    #[serde(default)]
    pub period_from: Option<String>,
    /// The last period wanted (inclusive); absent: to the end of the data.
    #[serde(default)]
    pub period_to: Option<String>,
    /// Paths of the local data files or folders the user passed (`--data`), as given.
    #[serde(default)]
    pub data: Vec<String>,
}

/// One point of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Point {
    /// The period, as `sct` reads periods: `2025-04-07` (a date), `2025-W15` (an ISO week),
    /// `2025-04` (a month), `2025/26 Q1` (an NHS financial quarter) or `2025/26` (a financial
    /// year).
    pub period: String,
    /// The value.
    pub value: f64,
    /// The numerator, for proportions and rates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numerator: Option<f64>,
    /// The denominator, for proportions and rates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denominator: Option<f64>,
}

/// Whether a piece of evidence was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceStatus {
    /// Found.
    Present,
    /// Looked for and not found.
    Missing,
}

/// One capability evidence item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EvidenceItem {
    /// What the item is (a document id, say).
    pub id: String,
    /// Title for a reader.
    pub title: String,
    /// Found or missing.
    pub status: EvidenceStatus,
    /// The capability or milestone it supports, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supports: Option<String>,
    /// Where it was found, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A note for a reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What a plugin computed: a series, evidence items, or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
pub struct ComputeResponse {
    /// The measure id.
    pub measure: String,
    /// The series, in period order.
    #[serde(default)]
    pub series: Vec<Point>,
    /// Evidence items.
    #[serde(default)]
    pub evidence: Vec<EvidenceItem>,
    /// Notes for a reader (rows skipped, assumptions made).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A failure the plugin reports (bad parameters, a missing data file, a caught panic).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PluginError {
    /// What went wrong, for a reader: what was found and what was expected.
    pub message: String,
}

impl PluginError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        PluginError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for PluginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PluginError {}

/// The answer to `describe` and `compute`: exactly one of `ok` and `error`, with the protocol
/// version, so every reply doubles as a handshake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "{T}Reply")]
pub struct Reply<T> {
    /// The protocol version the plugin speaks.
    pub protocol: u32,
    /// The result, on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ok: Option<T>,
    /// The failure, otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<PluginError>,
}

/// The answer to `describe`.
pub type DescribeReply = Reply<Description>;

/// The answer to `compute`.
pub type ComputeReply = Reply<ComputeResponse>;

impl<T> Reply<T> {
    /// A reply for a result, in this crate's protocol version.
    pub fn from_result(result: Result<T, PluginError>) -> Self {
        let (ok, error) = match result {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e)),
        };
        Reply {
            protocol: crate::PROTOCOL_VERSION,
            ok,
            error,
        }
    }

    /// The result the reply holds; `None` when it holds neither or both.
    pub fn into_result(self) -> Option<Result<T, PluginError>> {
        match (self.ok, self.error) {
            (Some(ok), None) => Some(Ok(ok)),
            (None, Some(e)) => Some(Err(e)),
            _ => None,
        }
    }
}
