//! The integrated performance report (IPR): the table ICB boards read. One row per indicator
//! (and per organisation), grouped by the KPI set's three timeframes: the latest period and
//! value, the plan or target for it and the variance, the last three values, the points for a
//! sparkline, the variation and assurance icons with their names in words, the chart and the
//! rule profile. It is a projection of the KPI review of each organisation
//! ([`crate::review`]), so the two never disagree.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::assurance::AssuranceNote;
use crate::chart::{ChartKind, ChartVariationIcon};
use crate::data::KpiData;
use crate::kpiset::{KpiSet, Timeframe};
use crate::review::{
    IconDifference, IndicatorReview, KpiReview, PlanPosition, ReviewError, ReviewOptions,
    ReviewProvenance, SetInfo, review,
};
use crate::spc::{AssuranceIcon, Improvement};
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
    pub improvement: Improvement,
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
    /// The variation icon (`concern_low`), if any.
    pub variation_icon: Option<ChartVariationIcon>,
    /// Its name in words.
    pub variation_label: String,
    /// The assurance icon (`fail`), if any.
    pub assurance_icon: Option<AssuranceIcon>,
    /// Its name in words.
    pub assurance_label: String,
    /// Whether the assurance icon can be relied on (as the review judges it).
    pub assurance_reliable: bool,
    /// Why it is not reliable, when it is not.
    pub assurance_note: Option<AssuranceNote>,
    /// The chart used (`xmr`, `run`, `pprime`, `uprime`).
    pub chart: Option<ChartKind>,
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

/// An indicator of the set with no data for any organisation of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingIndicator {
    /// Indicator id.
    pub indicator: String,
    /// Title.
    pub title: String,
    /// Timeframe.
    pub timeframe: Timeframe,
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
    /// The names of the organisations the organisations table knows, by code: a report is
    /// titled and its rows labelled by name, with the code beside it.
    pub organisation_names: BTreeMap<String, String>,
    /// The set's indicators that have no data for any of the organisations (not in the data
    /// file, or no point before the review date): said once, not as a row per organisation.
    pub missing: Vec<MissingIndicator>,
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
    /// The review options every row was judged with (the date resolved), so that a row's
    /// full chart can be made again when it is drawn ([`Ipr::chart`]).
    #[serde(skip)]
    pub review_options: ReviewOptions,
}

impl Ipr {
    /// A row's indicator review (its full chart, with the explanation of every flagged
    /// point), made again from the data the report was built from: the HTML report draws
    /// one chart at a time rather than holding every organisation's, so memory grows with
    /// the rows kept, not with the charts. `None` when the row is not of `set`.
    pub fn chart(&self, set: &KpiSet, data: &KpiData, row: &IprRow) -> Option<IndicatorReview> {
        let ind = set
            .indicators
            .iter()
            .find(|i| *i.id.get_ref() == row.indicator)?;
        let options = &self.review_options;
        let as_of = options.as_of?;
        let x = crate::review::indicator_review(set, data, &row.organisation, ind, options, as_of);
        Some(x)
    }
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
/// `options.as_of`, else the end of the latest period with data of any of them. Each
/// organisation's review is dropped once its rows are taken; [`Ipr::chart`] makes a row's
/// chart again when it is drawn.
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
    let mut rows = Rows::new(set);
    let mut first: Option<KpiReview> = None;
    let mut icon_differences = Vec::new();
    // One copy of the options (and of the rebase log they hold) for every organisation.
    let mut o = ReviewOptions {
        as_of,
        ..options.clone()
    };
    let mut organisation_names = BTreeMap::new();
    for org in organisations {
        o.organisation_name = names(org);
        if let Some(name) = &o.organisation_name {
            organisation_names.insert(org.clone(), name.clone());
        }
        let r = review(set, set_file, data, org, &o)?;
        icon_differences.extend(
            r.icon_differences
                .iter()
                .map(|d| (r.organisation.clone(), d.clone())),
        );
        rows.add(&r);
        first.get_or_insert(r);
    }
    let first = first.as_ref();
    let mut method = first.map(|r| r.method.clone()).unwrap_or_default();
    method.push("The integrated performance report shows one row per indicator and organisation, grouped by the framework's three timeframes; each row is the same judgement as the KPI review's, and links to the indicator's full chart with the explanation of every flagged point.".into());
    let sections = rows.sections();
    let missing = missing_indicators(&sections);
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
        organisation_names,
        missing,
        profile: first.map(|r| r.profile.clone()).unwrap_or_default(),
        compare_profile: first.and_then(|r| r.compare_profile.clone()),
        icon_differences,
        sections,
        method,
        provenance: first.map(|r| r.provenance.clone()),
        review_options: o,
    })
}

/// The indicators none of whose rows has a point, in the sections' order.
fn missing_indicators(sections: &[IprSection]) -> Vec<MissingIndicator> {
    let mut missing: Vec<MissingIndicator> = Vec::new();
    for s in sections {
        let mut seen: Vec<(&str, bool)> = Vec::new();
        for r in &s.rows {
            let has = r.latest_value.is_some() || !r.sparkline.is_empty();
            match seen.iter_mut().find(|(id, _)| *id == r.indicator) {
                Some((_, any)) => *any |= has,
                None => seen.push((&r.indicator, has)),
            }
        }
        for (id, _) in seen.into_iter().filter(|(_, any)| !any) {
            let r = s.rows.iter().find(|r| r.indicator == id);
            missing.extend(r.map(|r| MissingIndicator {
                indicator: r.indicator.clone(),
                title: r.title.clone(),
                timeframe: r.timeframe,
            }));
        }
    }
    missing
}

/// The rows of every timeframe as the reviews come in: by indicator in the set's order, then
/// by organisation in the reviews' order. Each review is visited once and its rows put in
/// their indicator's bucket, so nothing scans every review per indicator.
struct Rows<'a> {
    /// Per timeframe (in [`Timeframe::ALL`]'s order), each indicator's place among the set's
    /// indicators of that timeframe.
    position: [HashMap<&'a str, usize>; 3],
    /// Per timeframe, the rows of each indicator.
    buckets: [Vec<Vec<IprRow>>; 3],
    /// Per timeframe, its title and short title, from the first review that has it.
    titles: [Option<(String, &'static str)>; 3],
}

impl<'a> Rows<'a> {
    fn new(set: &'a KpiSet) -> Rows<'a> {
        let position = Timeframe::ALL.map(|tf| {
            set.indicators
                .iter()
                .filter(|i| i.timeframe == tf)
                .enumerate()
                .map(|(k, i)| (i.id.get_ref().as_str(), k))
                .collect::<HashMap<_, _>>()
        });
        let buckets = std::array::from_fn(|t| vec![Vec::new(); position[t].len()]);
        Rows {
            position,
            buckets,
            titles: Default::default(),
        }
    }

    fn add(&mut self, r: &KpiReview) {
        for (t, tf) in Timeframe::ALL.into_iter().enumerate() {
            if self.position[t].is_empty() {
                continue;
            }
            let Some(review) = r.timeframes.iter().find(|x| x.id == tf) else {
                continue;
            };
            self.titles[t].get_or_insert_with(|| (review.title.clone(), review.short_title));
            for x in &review.indicators {
                if let Some(&k) = self.position[t].get(x.id.as_str()) {
                    self.buckets[t][k].push(row(r, x));
                }
            }
        }
    }

    fn sections(self) -> Vec<IprSection> {
        Timeframe::ALL
            .into_iter()
            .zip(self.titles)
            .zip(self.buckets)
            .filter_map(|((id, title), buckets)| {
                let (title, short_title) = title?;
                Some(IprSection {
                    id,
                    title,
                    short_title,
                    rows: buckets.into_iter().flatten().collect(),
                })
            })
            .collect()
    }
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
        improvement: x.improvement,
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
        assurance_reliable: spc.is_none_or(|s| s.assurance_reliable),
        assurance_note: spc.and_then(|s| s.assurance_note.clone()),
        chart: spc.map(|s| s.chart),
        chart_name: spc.map(|s| s.chart_name),
        profile: spc.map_or_else(|| r.profile.clone(), |s| s.profile.clone()),
        anchor: anchor(&r.organisation, &x.id),
        flags: x.flags.iter().map(|f| f.kind.label()).collect(),
        headline: x.headline.clone(),
    }
}
