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

/// Where a row goes in the report: its timeframe (by its place in [`Timeframe::ALL`]) and its
/// indicator's place among the set's indicators of that timeframe. The report lists rows in
/// this order, then by organisation in the order they were reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowPlace {
    /// The timeframe's place in [`Timeframe::ALL`].
    pub timeframe: usize,
    /// The indicator's place among the set's indicators of the timeframe.
    pub indicator: usize,
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
    let as_of = report_date(data, organisations, options);
    let mut kept: BTreeMap<RowPlace, Vec<IprRow>> = BTreeMap::new();
    let mut report = report(
        set,
        organisations,
        options,
        as_of,
        names,
        &|org, o| review(set, set_file, data, org, o),
        |place, row| kept.entry(place).or_default().push(row),
        |_| {},
        batches(organisations, &|org| data.series_of(org).count()),
    )?;
    for (place, rows) in kept {
        let id = Timeframe::ALL[place.timeframe];
        if let Some(section) = report.sections.iter_mut().find(|s| s.id == id) {
            section.rows.extend(rows);
        }
    }
    Ok(report)
}

/// [`ipr`] for a report written as its rows come (a table of every organisation in the
/// country): each row is handed to `each` with its place as it is made, and the report
/// returned has no rows in its sections; each organisation's series are dropped from `data`
/// once its rows are made, so memory falls as the report goes. `progress` is told how many
/// organisations are done, of how many.
// The arguments of `ipr` and the two callbacks a streamed report adds.
#[allow(clippy::too_many_arguments)]
pub fn ipr_each(
    set: &KpiSet,
    set_file: &FrameworkUsed,
    data: &mut KpiData,
    organisations: &[String],
    options: &ReviewOptions,
    names: impl Fn(&str) -> Option<String>,
    each: impl FnMut(RowPlace, IprRow),
    progress: Option<&dyn Fn(usize, usize)>,
) -> Result<Ipr, ReviewError> {
    let as_of = report_date(data, organisations, options);
    let total = organisations.len();
    let mut done = 0;
    let batches = batches(organisations, &|org| data.series_of(org).count());
    // The reviews borrow the data while the series of the organisations done are dropped
    // between batches: the data move into a cell the two take turns at.
    let cell = std::sync::RwLock::new(std::mem::replace(data, KpiData::without_file()));
    let result = report(
        set,
        organisations,
        options,
        as_of,
        names,
        &|org, o| {
            let data = cell
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            review(set, set_file, &data, org, o)
        },
        each,
        |batch| {
            let mut data = cell
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for org in batch {
                data.remove_series_of(org);
            }
            done += batch.len();
            if let Some(progress) = progress {
                progress(done, total);
            }
        },
        batches,
    );
    *data = cell
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    result
}

/// Series reviewed together (whole organisations, two at least), shared among the threads,
/// before their rows are taken: enough to share, few enough that the reviews held at once
/// stay small beside the data. A review holds every point of its series, about 130 bytes
/// each, so 512 series of 120 months are about 8 MB, whose memory the next batch reuses; at
/// 4,096, an IPR of 42 x 60 x 120 held all 2,520 reviews at once (62 MB resident, where it
/// is now 29 MB) and spent a third of its time in the kernel, giving it pages.
const BATCH_SERIES: usize = 512;

/// The organisations in batches of about [`BATCH_SERIES`] series (two organisations at
/// least, so two threads have one each), in order.
fn batches<'o>(organisations: &'o [String], series: &dyn Fn(&str) -> usize) -> Vec<&'o [String]> {
    let mut out = Vec::new();
    let (mut from, mut n) = (0, 0);
    for (i, org) in organisations.iter().enumerate() {
        n += series(org);
        if i + 1 - from >= 2 && n >= BATCH_SERIES {
            out.push(&organisations[from..=i]);
            (from, n) = (i + 1, 0);
        }
    }
    if from < organisations.len() {
        out.push(&organisations[from..]);
    }
    out
}

/// The reviews of a batch of organisations, in its order, made on up to two threads (the
/// reviews of organisations are independent; their rows are still taken in order).
fn reviews(
    batch: &[(&String, Option<String>)],
    options: &ReviewOptions,
    review_one: &(dyn Fn(&str, &ReviewOptions) -> Result<KpiReview, ReviewError> + Sync),
) -> Vec<Result<KpiReview, ReviewError>> {
    let run = |part: &[(&String, Option<String>)]| -> Vec<Result<KpiReview, ReviewError>> {
        let mut o = options.clone();
        part.iter()
            .map(|(org, name)| {
                o.organisation_name.clone_from(name);
                review_one(org, &o)
            })
            .collect()
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    if threads < 2 || batch.len() < 2 {
        return run(batch);
    }
    let (a, b) = batch.split_at(batch.len() / 2);
    std::thread::scope(|scope| {
        let second = scope.spawn(|| run(b));
        let mut first = run(a);
        match second.join() {
            Ok(rest) => first.extend(rest),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        first
    })
}

/// The date every organisation's review is as of: the one given, else the end of the latest
/// period with data of any of them.
fn report_date(
    data: &KpiData,
    organisations: &[String],
    options: &ReviewOptions,
) -> Option<chrono::NaiveDate> {
    options.as_of.or_else(|| {
        organisations
            .iter()
            .filter_map(|o| data.latest_end(o))
            .max()
    })
}

/// The report of [`ipr`] and [`ipr_each`]: each organisation reviewed by `review_one` as of
/// `as_of`, its rows handed to `each`, in batches, `done` told of each batch once its rows
/// are taken.
// The parts of a report and the three things the two callers do differently.
#[allow(clippy::too_many_arguments)]
fn report(
    set: &KpiSet,
    organisations: &[String],
    options: &ReviewOptions,
    as_of: Option<chrono::NaiveDate>,
    names: impl Fn(&str) -> Option<String>,
    review_one: &(dyn Fn(&str, &ReviewOptions) -> Result<KpiReview, ReviewError> + Sync),
    mut each: impl FnMut(RowPlace, IprRow),
    mut done: impl FnMut(&[String]),
    batches: Vec<&[String]>,
) -> Result<Ipr, ReviewError> {
    let mut building = Building::new(set, options, as_of);
    for batch in batches {
        building.batch(batch, &names, review_one, &mut each)?;
        done(batch);
    }
    Ok(building.finish(set, organisations.to_vec(), &names))
}

/// A report as its organisations' reviews come in, batch by batch: the rows handed on, and
/// what the report says of them all.
pub(crate) struct Building<'a> {
    rows: Rows<'a>,
    first: Option<KpiReview>,
    icon_differences: Vec<(String, IconDifference)>,
    organisation_names: BTreeMap<String, String>,
    /// One copy of the options (and of the rebase log they hold) for every organisation.
    options: ReviewOptions,
}

impl<'a> Building<'a> {
    /// A report of `set` with every organisation reviewed as of `as_of`.
    pub(crate) fn new(
        set: &'a KpiSet,
        options: &ReviewOptions,
        as_of: Option<chrono::NaiveDate>,
    ) -> Building<'a> {
        Building {
            rows: Rows::new(set),
            first: None,
            icon_differences: Vec::new(),
            organisation_names: BTreeMap::new(),
            options: ReviewOptions {
                as_of,
                ..options.clone()
            },
        }
    }

    /// Reviews a batch of organisations (on up to two threads) and hands on their rows, in
    /// the batch's order.
    pub(crate) fn batch(
        &mut self,
        batch: &[String],
        names: &impl Fn(&str) -> Option<String>,
        review_one: &(dyn Fn(&str, &ReviewOptions) -> Result<KpiReview, ReviewError> + Sync),
        each: &mut impl FnMut(RowPlace, IprRow),
    ) -> Result<(), ReviewError> {
        let named: Vec<(&String, Option<String>)> =
            batch.iter().map(|org| (org, names(org))).collect();
        for ((org, name), r) in named.iter().zip(reviews(&named, &self.options, review_one)) {
            if let Some(name) = name {
                self.organisation_names.insert((*org).clone(), name.clone());
            }
            let r = r?;
            self.icon_differences.extend(
                r.icon_differences
                    .iter()
                    .map(|d| (r.organisation.clone(), d.clone())),
            );
            self.rows.add(&r, each);
            self.first.get_or_insert(r);
        }
        Ok(())
    }

    /// The report of `organisations` (every one reviewed, in order), without its rows.
    pub(crate) fn finish(
        self,
        set: &KpiSet,
        organisations: Vec<String>,
        names: &impl Fn(&str) -> Option<String>,
    ) -> Ipr {
        let mut o = self.options;
        o.organisation_name = organisations.last().and_then(|org| names(org));
        let first = self.first.as_ref();
        let mut method = first.map(|r| r.method.clone()).unwrap_or_default();
        method.push("The integrated performance report shows one row per indicator and organisation, grouped by the framework's three timeframes; each row is the same judgement as the KPI review's, and links to the indicator's full chart with the explanation of every flagged point.".into());
        let missing = self.rows.missing();
        let sections = self.rows.sections();
        Ipr {
            set: first.map(|r| r.set.clone()).unwrap_or(SetInfo {
                id: set.id.get_ref().clone(),
                version: set.version.get_ref().clone(),
                title: set.title.clone(),
                source: set.source.clone(),
                status: String::new(),
                drafting_note: set.drafting_note.clone(),
            }),
            as_of: first.map(|r| r.as_of.clone()).unwrap_or_default(),
            organisations,
            organisation_names: self.organisation_names,
            missing,
            profile: first.map(|r| r.profile.clone()).unwrap_or_default(),
            compare_profile: first.and_then(|r| r.compare_profile.clone()),
            icon_differences: self.icon_differences,
            sections,
            method,
            provenance: first.map(|r| r.provenance.clone()),
            review_options: o,
        }
    }
}

/// What is known of an indicator's rows so far: the first row's indicator, title and
/// timeframe, and whether any row has a point.
struct Seen {
    missing: MissingIndicator,
    any: bool,
}

/// The rows of every timeframe as the reviews come in, each handed on with its place (by
/// indicator in the set's order, then by organisation in the reviews' order). Each review is
/// visited once, so nothing scans every review per indicator.
struct Rows<'a> {
    /// Per timeframe (in [`Timeframe::ALL`]'s order), each indicator's place among the set's
    /// indicators of that timeframe.
    position: [HashMap<&'a str, usize>; 3],
    /// Per timeframe, what is known of each indicator's rows.
    seen: [Vec<Option<Seen>>; 3],
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
        let seen = std::array::from_fn(|t| (0..position[t].len()).map(|_| None).collect());
        Rows {
            position,
            seen,
            titles: Default::default(),
        }
    }

    fn add(&mut self, r: &KpiReview, each: &mut impl FnMut(RowPlace, IprRow)) {
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
                    let row = row(r, x);
                    let has = row.latest_value.is_some() || !row.sparkline.is_empty();
                    let seen = self.seen[t][k].get_or_insert_with(|| Seen {
                        missing: MissingIndicator {
                            indicator: row.indicator.clone(),
                            title: row.title.clone(),
                            timeframe: row.timeframe,
                        },
                        any: false,
                    });
                    seen.any |= has;
                    each(
                        RowPlace {
                            timeframe: t,
                            indicator: k,
                        },
                        row,
                    );
                }
            }
        }
    }

    /// The indicators none of whose rows has a point, in the sections' order.
    fn missing(&self) -> Vec<MissingIndicator> {
        (0..3)
            .filter(|&t| self.titles[t].is_some())
            .flat_map(|t| self.seen[t].iter().flatten())
            .filter(|s| !s.any)
            .map(|s| s.missing.clone())
            .collect()
    }

    /// The sections that have rows, without them.
    fn sections(self) -> Vec<IprSection> {
        Timeframe::ALL
            .into_iter()
            .zip(self.titles)
            .filter_map(|(id, title)| {
                let (title, short_title) = title?;
                Some(IprSection {
                    id,
                    title,
                    short_title,
                    rows: Vec::new(),
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
