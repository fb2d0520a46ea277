//! KPI comparison across a cohort: a funnel plot (`docs/methods/funnels.md`) for every
//! proportion indicator of the KPI set with numerators and denominators in the data, at the
//! latest period any organisation reports, each organisation classified against the 95 %
//! and 99.8 % limits; organisations without that period are listed, not dropped silently.

use serde::Serialize;

use sct_kpi::aggregate::aggregate;
use sct_kpi::data::KpiData;
use sct_kpi::funnel::{ProportionFunnel, ProportionInput, proportions};
use sct_kpi::kpiset::{KpiSet, ValueType};

/// One indicator compared across organisations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorFunnel {
    /// Indicator id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Unit.
    pub unit: String,
    /// The period compared.
    pub period: String,
    /// The funnel.
    pub funnel: ProportionFunnel,
    /// Organisations of the cohort with no value for the period (or no numerator and
    /// denominator), with why.
    pub missing: Vec<String>,
    /// Each organisation's series with its XmR chart (Making Data Count), for small
    /// multiples.
    pub series: Vec<OrgSeries>,
}

/// One organisation's series of an indicator, with its XmR results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgSeries {
    /// ODS code.
    pub code: String,
    /// Period labels.
    pub periods: Vec<String>,
    /// Values.
    pub values: Vec<f64>,
    /// The mean of each point's segment.
    pub mean: Vec<f64>,
    /// Lower process limit per point.
    pub lpl: Vec<Option<f64>>,
    /// Upper process limit per point.
    pub upl: Vec<Option<f64>>,
    /// Point types (`common_cause`, `special_cause_improvement`, …).
    pub point_types: Vec<sct_kpi::spc::PointType>,
    /// The variation icon.
    pub variation_icon: sct_kpi::spc::VariationIcon,
}

/// The XmR chart of one organisation's aggregated series (None when too short or invalid).
fn xmr(
    code: &str,
    obs: &[sct_kpi::data::Observation],
    improvement: sct_kpi::spc::Improvement,
) -> Option<OrgSeries> {
    let values: Vec<f64> = obs.iter().map(|o| o.value).collect();
    let options = sct_kpi::spc::SpcOptions {
        improvement,
        ..Default::default()
    };
    let r = sct_kpi::spc::spc(&values, &[], &options).ok()?;
    let seg = |i: usize| r.segments.get(r.segment_of(i).unwrap_or(0));
    Some(OrgSeries {
        code: code.to_string(),
        periods: obs.iter().map(|o| o.period.to_string()).collect(),
        mean: (0..values.len())
            .map(|i| seg(i).map_or(f64::NAN, |s| s.mean))
            .collect(),
        lpl: (0..values.len())
            .map(|i| seg(i).and_then(|s| s.lpl))
            .collect(),
        upl: (0..values.len())
            .map(|i| seg(i).and_then(|s| s.upl))
            .collect(),
        point_types: r.point_type.clone(),
        variation_icon: r.variation_icon,
        values,
    })
}

/// Funnels for every proportion indicator with data, for the organisations `codes`.
pub fn funnels(set: &KpiSet, data: &KpiData, codes: &[String]) -> Vec<IndicatorFunnel> {
    let mut out = Vec::new();
    for ind in set
        .indicators
        .iter()
        .filter(|i| i.value_type == ValueType::Proportion)
    {
        let id = ind.id.get_ref();
        let mult = ind.multiplier.unwrap_or(100.0);
        let mut latest = Vec::new();
        let mut series_out = Vec::new();
        for code in codes {
            let Some(series) = data.get(code, id) else {
                continue;
            };
            if let Ok(agg) = aggregate(
                &series.observations.to_vec(),
                ind.period,
                ind.value_type,
                Some(mult),
                ind.aggregation,
            ) && let Some(last) = agg.last()
            {
                latest.push((code.clone(), last.observation.clone()));
                let obs: Vec<_> = agg.iter().map(|a| a.observation.clone()).collect();
                series_out.extend(xmr(code, &obs, ind.improvement));
            }
        }
        let Some(period) = latest.iter().map(|(_, o)| o.period).max() else {
            continue;
        };
        let mut rows = Vec::new();
        let mut missing = Vec::new();
        for code in codes {
            match latest.iter().find(|(c, _)| c == code) {
                Some((_, o)) if o.period == period => match (o.numerator, o.denominator) {
                    (Some(n), Some(d)) if d > 0.0 && n >= 0.0 && n <= d => {
                        rows.push(ProportionInput {
                            org: code.clone(),
                            numerator: n,
                            denominator: d,
                        })
                    }
                    _ => missing.push(format!(
                        "{code}: no usable numerator and denominator for {period}"
                    )),
                },
                Some((_, o)) => missing.push(format!("{code}: latest data {}", o.period)),
                None => missing.push(format!("{code}: no data")),
            }
        }
        if let Ok(funnel) = proportions(&rows, mult) {
            out.push(IndicatorFunnel {
                id: id.clone(),
                title: ind.title.clone(),
                unit: ind.unit.clone(),
                period: period.to_string(),
                funnel,
                missing,
                series: series_out,
            });
        }
    }
    out
}
