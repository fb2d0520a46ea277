//! The integrated performance report (IPR): the table ICB boards read. One row per indicator
//! (and per organisation), grouped by the KPI set's three timeframes: the latest period and
//! value, the plan or target for it and the variance, the last three values, the points for a
//! sparkline, the variation and assurance icons with their names in words, the chart and the
//! rule profile. It is a projection of the KPI review of each organisation
//! ([`crate::review`]), so the two never disagree.

use serde::Serialize;

use crate::data::KpiData;
use crate::kpiset::{KpiSet, Timeframe};
use crate::review::{
    IconDifference, KpiReview, PlanPosition, ReviewError, ReviewOptions, ReviewProvenance, SetInfo,
    review,
};
use sct_core::provenance::FrameworkUsed;

/// One value of the last three.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodValue {
    /// The period.
    pub period: String,
    /// The value.
    pub value: f64,
}

/// One row: an organisation's indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IprRow {
    /// ODS code.
    pub organisation: String,
    /// Indicator id.
    pub indicator: String,
    /// Title.
    pub title: String,
    /// Timeframe.
    pub timeframe: Timeframe,
    /// Unit.
    pub unit: String,
    /// Decimal places to show.
    pub decimals: u32,
    /// Which direction is better.
    pub improvement: &'static str,
    /// The latest period with data.
    pub latest_period: Option<String>,
    /// Its value.
    pub latest_value: Option<f64>,
    /// The plan or target for that period.
    pub plan: Option<f64>,
    /// `plan` or `target`.
    pub plan_kind: Option<&'static str>,
    /// value − plan.
    pub variance: Option<f64>,
    /// Above, on or below plan.
    pub plan_position: Option<PlanPosition>,
    /// Whether that meets the plan.
    pub meets_plan: Option<bool>,
    /// The last three values, oldest first.
    pub last_three: Vec<PeriodValue>,
    /// Every value, oldest first, for the sparkline.
    pub sparkline: Vec<f64>,
    /// The variation icon's name (`concern_low`), if any.
    pub variation_icon: Option<&'static str>,
    /// Its name in words.
    pub variation_label: String,
    /// The assurance icon's name (`fail`), if any.
    pub assurance_icon: Option<&'static str>,
    /// Its name in words.
    pub assurance_label: String,
    /// The chart used (`xmr`, `run`, `pprime`, `uprime`).
    pub chart: Option<&'static str>,
    /// The chart in words.
    pub chart_name: Option<&'static str>,
    /// The XmR rule profile.
    pub profile: String,
    /// The anchor of its full chart in the HTML report.
    pub anchor: String,
    /// Data-quality flags, by label.
    pub flags: Vec<&'static str>,
    /// One sentence a board member can read.
    pub headline: String,
}

/// One timeframe's rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IprSection {
    /// `leading`, `kpi` or `outcome`.
    pub id: Timeframe,
    /// Title.
    pub title: String,
    /// Short title.
    pub short_title: &'static str,
    /// Rows: by indicator in the set's order, then by organisation.
    pub rows: Vec<IprRow>,
}

/// A whole integrated performance report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ipr {
    /// The set.
    pub set: SetInfo,
    /// The date the report is as of.
    pub as_of: String,
    /// The organisations, in order.
    pub organisations: Vec<String>,
    /// The XmR rule profile.
    pub profile: String,
    /// The profile compared with.
    pub compare_profile: Option<String>,
    /// Per organisation, the indicators whose icons differ between the profiles.
    pub icon_differences: Vec<(String, IconDifference)>,
    /// The sections, in the order leading, kpi, outcome.
    pub sections: Vec<IprSection>,
    /// How it was computed.
    pub method: Vec<String>,
    /// Exactly which files (and plugins) it came from: the same for every organisation.
    pub provenance: Option<ReviewProvenance>,
    /// The reviews the rows come from (for each indicator's full chart).
    #[serde(skip)]
    pub reviews: Vec<KpiReview>,
}

/// The anchor of an organisation's indicator in the HTML report (ids are kebab-case and ODS
/// codes alphanumeric, so this is a valid fragment).
pub fn anchor(organisation: &str, indicator: &str) -> String {
    let org: String = organisation
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("chart-{org}-{indicator}")
}

/// Builds the report for `organisations` (each must have rows), all as of the same date:
/// `options.as_of`, else the end of the latest period with data of any of them.
pub fn ipr(
    set: &KpiSet,
    set_file: &FrameworkUsed,
    data: &KpiData,
    organisations: &[String],
    options: &ReviewOptions,
    names: impl Fn(&str) -> Option<String>,
) -> Result<Ipr, ReviewError> {
    let as_of = options.as_of.or_else(|| {
        organisations
            .iter()
            .filter_map(|o| data.latest_end(o))
            .max()
    });
    let mut reviews = Vec::with_capacity(organisations.len());
    for org in organisations {
        let o = ReviewOptions {
            as_of,
            organisation_name: names(org),
            ..options.clone()
        };
        reviews.push(review(set, set_file, data, org, &o)?);
    }
    let mut sections: Vec<IprSection> = Vec::new();
    for tf in Timeframe::ALL {
        let mut rows = Vec::new();
        let mut title = None;
        for ind in set.indicators.iter().filter(|i| i.timeframe == tf) {
            for r in &reviews {
                let Some(t) = r.timeframes.iter().find(|t| t.id == tf) else {
                    continue;
                };
                title.get_or_insert_with(|| (t.title.clone(), t.short_title));
                let Some(x) = t.indicators.iter().find(|x| x.id == *ind.id.get_ref()) else {
                    continue;
                };
                rows.push(row(r, x));
            }
        }
        if let Some((title, short_title)) = title {
            sections.push(IprSection {
                id: tf,
                title,
                short_title,
                rows,
            });
        }
    }
    let first = reviews.first();
    let mut method = first.map(|r| r.method.clone()).unwrap_or_default();
    method.push("The integrated performance report shows one row per indicator and organisation, grouped by the framework's three timeframes; each row is the same judgement as the KPI review's, and links to the indicator's full chart with the explanation of every flagged point.".into());
    Ok(Ipr {
        set: first.map(|r| r.set.clone()).unwrap_or(SetInfo {
            id: set.id.get_ref().clone(),
            version: set.version.get_ref().clone(),
            title: set.title.clone(),
            source: set.source.clone(),
            status: String::new(),
            drafting_note: set.drafting_note.clone(),
        }),
        as_of: first.map(|r| r.as_of.clone()).unwrap_or_default(),
        organisations: organisations.to_vec(),
        profile: first.map(|r| r.profile.clone()).unwrap_or_default(),
        compare_profile: first.and_then(|r| r.compare_profile.clone()),
        icon_differences: reviews
            .iter()
            .flat_map(|r| {
                r.icon_differences
                    .iter()
                    .map(|d| (r.organisation.clone(), d.clone()))
            })
            .collect(),
        sections,
        method,
        provenance: first.map(|r| r.provenance.clone()),
        reviews,
    })
}

fn row(r: &KpiReview, x: &crate::review::IndicatorReview) -> IprRow {
    let latest = x.latest.as_ref();
    let spc = x.spc.as_ref();
    let points = spc.map(|s| s.points.as_slice()).unwrap_or_default();
    let last_three = points
        .iter()
        .skip(points.len().saturating_sub(3))
        .map(|p| PeriodValue {
            period: p.period.clone(),
            value: p.value,
        })
        .collect();
    IprRow {
        organisation: r.organisation.clone(),
        indicator: x.id.clone(),
        title: x.title.clone(),
        timeframe: x.timeframe,
        unit: x.unit.clone(),
        decimals: x.decimals,
        improvement: x.improvement.as_str(),
        latest_period: x.latest_period.clone(),
        latest_value: latest.map(|l| l.value),
        plan: latest.and_then(|l| l.plan),
        plan_kind: latest.and_then(|l| l.plan_kind),
        variance: latest.and_then(|l| l.variance),
        plan_position: latest.and_then(|l| l.plan_position),
        meets_plan: latest.and_then(|l| l.meets_plan),
        last_three,
        sparkline: points.iter().map(|p| p.value).collect(),
        variation_icon: spc.map(|s| s.variation_icon),
        variation_label: spc.map_or_else(
            || "No icon: fewer than 2 points".to_string(),
            |s| s.variation_label.to_string(),
        ),
        assurance_icon: spc.and_then(|s| s.assurance_icon),
        assurance_label: spc.map_or_else(
            || "No assurance: fewer than 2 points".to_string(),
            |s| s.assurance_label.to_string(),
        ),
        chart: spc.map(|s| s.chart),
        chart_name: spc.map(|s| s.chart_name),
        profile: spc.map_or_else(|| r.profile.clone(), |s| s.profile.clone()),
        anchor: anchor(&r.organisation, &x.id),
        flags: x.flags.iter().map(|f| f.kind.label()).collect(),
        headline: x.headline.clone(),
    }
}
