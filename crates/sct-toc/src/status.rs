//! Live status of a theory of change from KPI data: each indicator's latest value and SPC
//! variation (run in the direction the theory expects), each node's status from its
//! indicators, and a roll-up along the chain that flags a node at risk when every precursor
//! with a status is deteriorating or at risk.

use chrono::NaiveDate;
use serde::Serialize;

use sct_kpi::chart::ChartVariationIcon;
use sct_kpi::data::{KpiData, Observation};
use sct_kpi::review::chart_summary;
use sct_kpi::spc::{Improvement, PointType};

use crate::graph::Graph;
use crate::model::{NodeType, TheoryOfChange, TocIndicator};

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

/// The roll-up rule, as stated in every report.
pub const ROLL_UP_RULE: &str = "A node's own status comes from its indicators, each read with the same chart as the KPI review (a run chart for a series of fewer than 15 points, else the indicator's chart or the Making Data Count XmR chart) in the direction the theory expects: deteriorating if any indicator's latest point is a special cause of concern; otherwise improving if any is a special cause of improvement; otherwise no significant change if any has data; otherwise no data. Along the chain, a node is flagged at risk when it has at least one precursor (a node linking to it) with a status, and every such precursor is deteriorating or itself at risk; precursors with no data are left out. Statuses are judged in chain order, so risk carries forward from inputs to impact.";

/// One indicator's latest position and variation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorState {
    /// The KPI id or plugin measure.
    pub name: String,
    /// Whether it is a KPI of the KPI set.
    pub is_kpi: bool,
    /// The KPI's title, when known.
    pub title: Option<String>,
    /// The unit, when known.
    pub unit: Option<String>,
    /// Decimal places to show the value with.
    pub decimals: u32,
    /// The direction the theory expects.
    pub direction: Improvement,
    /// Periods with data up to the review date.
    pub points: usize,
    /// The latest period with data.
    pub latest_period: Option<String>,
    /// Its value.
    pub latest_value: Option<f64>,
    /// The variation icon of the XmR chart (in the expected direction), with 2 points or more.
    pub variation_icon: Option<ChartVariationIcon>,
    /// Its label.
    pub variation_label: Option<&'static str>,
    /// The chart it was read with ("run chart", "XmR chart", "p′ chart").
    pub chart: Option<&'static str>,
    /// The indicator's status.
    pub status: NodeStatus,
    /// Why, when there is no data.
    pub note: Option<String>,
}

/// One node's live state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeState {
    /// Node id.
    pub id: String,
    /// Its own status, from its indicators.
    pub status: NodeStatus,
    /// Flagged at risk by the roll-up.
    pub at_risk: bool,
    /// The precursors that make it at risk.
    pub at_risk_because: Vec<String>,
    /// Its indicators' states.
    pub indicators: Vec<IndicatorState>,
}

/// Where the KPI data come from, for statuses.
#[derive(Debug, Clone, Copy)]
pub struct KpiSource<'a> {
    /// The data.
    pub data: &'a KpiData,
    /// The KPI set the ToC's `kpi` indicators name.
    pub set: &'a sct_kpi::kpiset::KpiSet,
    /// The organisation.
    pub organisation: &'a str,
    /// Leave out data after this date.
    pub as_of: Option<NaiveDate>,
}

/// A plugin measure's series, computed by the caller (this crate runs no plugins).
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureSeries {
    /// The measure's title.
    pub title: String,
    /// Its unit.
    pub unit: String,
    /// Its points, in period order (one period type).
    pub observations: Vec<Observation>,
}

/// Plugin measures by the name an indicator gives them (`plugin:NAME/MEASURE` or
/// `NAME/MEASURE`); an `Err` says why a measure has no series (plugin not found, a fault).
pub type MeasureData = std::collections::BTreeMap<String, Result<MeasureSeries, String>>;

/// Where plugin measures come from, for statuses.
#[derive(Debug, Clone, Copy)]
pub struct MeasureSource<'a> {
    /// The series.
    pub data: &'a MeasureData,
    /// Leave out points after this date.
    pub as_of: Option<NaiveDate>,
}

/// A KPI-set indicator standing for a plugin measure, so it is read with the same charts as
/// a KPI: a mean-type value (XmR, or a run chart when short), at its own period.
fn measure_indicator(
    name: &str,
    m: &MeasureSeries,
    period: sct_kpi::period::PeriodType,
    direction: Improvement,
) -> sct_kpi::kpiset::Indicator {
    sct_kpi::kpiset::Indicator {
        id: toml::Spanned::new(0..0, name.to_string()),
        title: m.title.clone(),
        timeframe: sct_kpi::kpiset::Timeframe::Leading,
        period,
        unit: m.unit.clone(),
        value_type: sct_kpi::kpiset::ValueType::Mean,
        multiplier: None,
        aggregation: None,
        decimals: None,
        improvement: direction,
        chart: sct_kpi::kpiset::IndicatorChart::Auto,
        target: None,
        target_note: None,
        target_source: None,
        plan: vec![],
        plausible: None,
        publication_lag: 0,
        data_source: format!("plugin measure {name}"),
        source: sct_core::model::SourceRef {
            doc: toml::Spanned::new(0..0, "plugin".into()),
            section: String::new(),
            quote: String::new(),
        },
        description: String::new(),
        conflict: None,
        measure: None,
        measure_parameters: Default::default(),
    }
}

fn measure_state(
    mut state: IndicatorState,
    name: &str,
    measures: Option<MeasureSource<'_>>,
) -> IndicatorState {
    let Some(src) = measures else {
        state.note = Some("plugin measures were not computed (no plugins given)".into());
        return state;
    };
    let series = match src.data.get(name) {
        None => {
            state.note = Some(format!("plugin measure {name} was not computed"));
            return state;
        }
        Some(Err(why)) => {
            state.note = Some(why.clone());
            return state;
        }
        Some(Ok(s)) => s,
    };
    let obs: Vec<Observation> = series
        .observations
        .iter()
        .filter(|o| src.as_of.is_none_or(|d| o.period.end() <= d))
        .cloned()
        .collect();
    let period = obs
        .first()
        .map(|o| o.period.kind)
        .unwrap_or(sct_kpi::period::PeriodType::Month);
    let def = measure_indicator(name, series, period, state.direction);
    state.title = Some(series.title.clone());
    state.unit = Some(series.unit.clone());
    state.decimals = sct_kpi::review::decimals(&def);
    read_series(state, &def, &obs)
}

fn indicator_state(
    ind: &TocIndicator,
    kpi: Option<KpiSource<'_>>,
    measures: Option<MeasureSource<'_>>,
) -> IndicatorState {
    let name = ind.name();
    let mut state = IndicatorState {
        name: name.clone(),
        is_kpi: ind.kpi.is_some(),
        title: None,
        unit: None,
        decimals: 1,
        direction: ind.direction,
        points: 0,
        latest_period: None,
        latest_value: None,
        variation_icon: None,
        variation_label: None,
        chart: None,
        status: NodeStatus::NoData,
        note: None,
    };
    let Some(k) = ind.kpi.as_ref().map(|k| k.get_ref()) else {
        return measure_state(state, &name, measures);
    };
    let Some(src) = kpi else {
        state.note = Some("no KPI data given".into());
        return state;
    };
    let Some(def) = src.set.indicator(k) else {
        state.note = Some(format!("KPI \"{k}\" is not in the KPI set"));
        return state;
    };
    state.title = Some(def.title.clone());
    state.unit = Some(def.unit.clone());
    state.decimals = sct_kpi::review::decimals(def);
    let obs: Vec<Observation> = src
        .data
        .get(src.organisation, k)
        .map(|s| {
            s.observations
                .iter()
                .filter(|o| src.as_of.is_none_or(|d| o.period.end() <= d))
                .collect()
        })
        .unwrap_or_default();
    read_series(state, def, &obs)
}

/// The indicator's latest point and its status from the chart that suits it.
fn read_series(
    mut state: IndicatorState,
    def: &sct_kpi::kpiset::Indicator,
    obs: &[Observation],
) -> IndicatorState {
    state.points = obs.len();
    if let Some(o) = obs.last() {
        state.latest_period = Some(o.period.to_string());
        state.latest_value = Some(o.value);
    }
    // The same chart as the KPI review (run chart for a short series, the indicator's chart
    // otherwise), judged in the direction the theory expects.
    match chart_summary(def, obs, None, state.direction) {
        Some(summary) => {
            state.variation_icon = Some(summary.variation_icon);
            state.variation_label = Some(summary.variation_label);
            state.chart = Some(summary.chart_name);
            state.status = match summary.points.last().map(|p| p.point_type) {
                Some(PointType::SpecialCauseImprovement) => NodeStatus::Improving,
                Some(PointType::SpecialCauseConcern) => NodeStatus::Deteriorating,
                _ => NodeStatus::NoSignificantChange,
            };
        }
        None => {
            state.note = Some(format!(
                "{} point{} of data: too few for a chart",
                obs.len(),
                if obs.len() == 1 { "" } else { "s" }
            ))
        }
    }
    state
}

/// Each node's status and the roll-up, in node order.
pub fn statuses(toc: &TheoryOfChange, graph: &Graph, kpi: Option<KpiSource<'_>>) -> Vec<NodeState> {
    statuses_with_measures(toc, graph, kpi, None)
}

/// As [`statuses`], with plugin measures' series for indicators that name them.
pub fn statuses_with_measures(
    toc: &TheoryOfChange,
    graph: &Graph,
    kpi: Option<KpiSource<'_>>,
    measures: Option<MeasureSource<'_>>,
) -> Vec<NodeState> {
    let mut states: Vec<NodeState> = toc
        .nodes
        .iter()
        .map(|node| {
            let indicators: Vec<IndicatorState> = node
                .indicators
                .iter()
                .map(|i| indicator_state(i, kpi, measures))
                .collect();
            let status = own_status(&indicators);
            NodeState {
                id: node.id.get_ref().clone(),
                status,
                at_risk: false,
                at_risk_because: Vec::new(),
                indicators,
            }
        })
        .collect();
    // Chain order: topological where the graph allows (the checker refuses cycles), else
    // by node type, so a roll-up is still given.
    let order = graph.topological_order().unwrap_or_else(|| {
        let mut o: Vec<usize> = (0..toc.nodes.len()).collect();
        o.sort_by_key(|&i| (toc.nodes[i].node_type, i));
        o
    });
    for v in order {
        let known: Vec<usize> = graph.inc[v]
            .iter()
            .map(|&(u, _)| u)
            .filter(|&u| states[u].status != NodeStatus::NoData || states[u].at_risk)
            .collect();
        let bad = |u: usize| states[u].status == NodeStatus::Deteriorating || states[u].at_risk;
        if !known.is_empty() && known.iter().all(|&u| bad(u)) {
            let mut because: Vec<String> = known.iter().map(|&u| states[u].id.clone()).collect();
            because.sort();
            because.dedup();
            states[v].at_risk = true;
            states[v].at_risk_because = because;
        }
    }
    states
}

fn own_status(indicators: &[IndicatorState]) -> NodeStatus {
    let has = |s: NodeStatus| indicators.iter().any(|i| i.status == s);
    if has(NodeStatus::Deteriorating) {
        NodeStatus::Deteriorating
    } else if has(NodeStatus::Improving) {
        NodeStatus::Improving
    } else if has(NodeStatus::NoSignificantChange) {
        NodeStatus::NoSignificantChange
    } else {
        NodeStatus::NoData
    }
}

/// Counts of nodes by status, per node type, for summaries.
pub fn count_by_type(
    toc: &TheoryOfChange,
    states: &[NodeState],
    t: NodeType,
    s: NodeStatus,
) -> usize {
    toc.nodes
        .iter()
        .zip(states)
        .filter(|(n, st)| n.node_type == t && st.status == s)
        .count()
}
