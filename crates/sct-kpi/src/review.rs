//! A KPI review for one organisation: for each timeframe and indicator of a KPI set, the latest
//! value and period, the target or plan for that period and the variance, the year to date,
//! the SPC variation and assurance icons, the points for a small SPC chart, and data-quality
//! flags; with a board summary of how many indicators are improving, concerning, and reliably
//! passing or failing their targets.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sct_core::provenance::{FileUsed, FrameworkUsed, PluginUsed, SCT_VERSION};
use serde::Serialize;

use crate::aggregate::combine;
use crate::assurance::{AssuranceEvidence, AssuranceNote, reliability};
use crate::chart::{ChartChoice, ChartInput, ChartKind, ChartOptions, ChartVariationIcon, chart};
use crate::data::{Flag, FlagKind, KpiData, Observation, expected_latest, round_for_display};
use crate::kpiset::{Aggregation, Indicator, KpiSet, TargetNote, Timeframe, ValueType};
use crate::observations::Observations;
use crate::period::{Period, PeriodType};
use crate::profile::{Conflict, Profile, ProfileKind};
use crate::rebase_log::{RebaseEntry, RebaseLog};
use crate::runchart::RunsAnalysis;
use crate::spc::{AssuranceIcon, Improvement, PointType, VariationIcon, constants};

/// Where a value stands against its plan or target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanPosition {
    /// Above the plan value.
    AbovePlan,
    /// Equal to the plan value.
    OnPlan,
    /// Below the plan value.
    BelowPlan,
}

impl PlanPosition {
    fn of(value: f64, plan: f64) -> PlanPosition {
        if value > plan {
            PlanPosition::AbovePlan
        } else if value < plan {
            PlanPosition::BelowPlan
        } else {
            PlanPosition::OnPlan
        }
    }

    /// Whether this position meets the plan, given which direction is better.
    fn meets(self, improvement: Improvement) -> Option<bool> {
        match improvement {
            Improvement::Increase => Some(self != PlanPosition::BelowPlan),
            Improvement::Decrease => Some(self != PlanPosition::AbovePlan),
            Improvement::Neutral => None,
        }
    }
}

/// One value against its plan or target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgainstPlan {
    /// The value.
    pub value: f64,
    /// The plan value for the period, or the target when the plan has none.
    pub plan: Option<f64>,
    /// `plan` when the trajectory gives the period's value, `target` otherwise
    /// (`unconfirmed target` for a target the set marks unconfirmed).
    pub plan_kind: Option<&'static str>,
    /// value − plan, in the indicator's unit.
    pub variance: Option<f64>,
    /// Above, on or below the plan.
    pub plan_position: Option<PlanPosition>,
    /// Whether that meets the plan, given the better direction (none when neutral).
    pub meets_plan: Option<bool>,
}

/// A financial year's periods combined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearToDate {
    /// The financial year (`2025/26`).
    pub year: String,
    /// First period included.
    pub from: String,
    /// Last period included.
    pub to: String,
    /// Periods included.
    pub periods: usize,
    /// The combined value against the mean of the periods' plan values.
    #[serde(flatten)]
    pub against: AgainstPlan,
    /// How the periods were combined.
    pub method: String,
    /// Periods that met their plan (with a better direction and a plan).
    pub periods_meeting_plan: usize,
    /// Periods with a plan or target.
    pub periods_with_plan: usize,
}

/// One point of an indicator's SPC chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartPoint {
    /// The period.
    pub period: String,
    /// The value.
    pub value: f64,
    /// The centre line (mean or median).
    pub centre: f64,
    /// Lower process limit.
    pub lpl: Option<f64>,
    /// Upper process limit.
    pub upl: Option<f64>,
    /// The point's classification.
    pub point_type: PointType,
    /// Why it is a special cause: every rule with its run or window, in words.
    pub explanation: Option<String>,
}

/// A point judged differently under another profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileComparison {
    /// The other profile.
    pub profile: String,
    /// Its variation icon.
    pub variation_icon: Option<ChartVariationIcon>,
    /// Its assurance icon.
    pub assurance_icon: Option<AssuranceIcon>,
    /// Whether either icon differs.
    pub icons_differ: bool,
    /// The periods whose point type differs, with both types.
    pub points: Vec<String>,
}

/// A gap in a series: periods missing before a period with data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapNote {
    /// The period after the gap.
    pub before: String,
    /// The periods missing (the first [`MAX_GAP_LISTED`] of a longer gap).
    pub missing: Vec<String>,
    /// How many more periods are missing than `missing` lists (written only when some are).
    #[serde(skip_serializing_if = "is_zero")]
    pub more: u64,
}

/// The most periods of one gap a review lists (and draws as a break); a longer gap is counted
/// exactly in [`GapNote::more`].
pub const MAX_GAP_LISTED: usize = 10_000;

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// An indicator's chart summary (XmR, run, p′ or u′).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpcSummary {
    /// The chart used: `xmr`, `run`, `pprime` or `uprime`.
    pub chart: ChartKind,
    /// Its name in words ("run chart").
    pub chart_name: &'static str,
    /// Why it was chosen, in words ("10 points, fewer than 15: run chart").
    pub chart_reason: String,
    /// What the centre line is: `mean` or `median`.
    pub centre_name: &'static str,
    /// The runs analysis (run, p′ and u′ charts).
    pub runs: Option<RunsAnalysis>,
    /// The variation icon.
    pub variation_icon: ChartVariationIcon,
    /// Its label.
    pub variation_label: &'static str,
    /// The assurance icon, if any.
    pub assurance_icon: Option<AssuranceIcon>,
    /// Its label.
    pub assurance_label: &'static str,
    /// Whether the assurance icon can be relied on ([`crate::assurance::reliability`]): false
    /// when the limits span a shift or the latest periods contradict it; true otherwise
    /// (and when there is no icon).
    pub assurance_reliable: bool,
    /// Why the assurance icon is not reliable, when it is not.
    pub assurance_note: Option<AssuranceNote>,
    /// The latest segment's centre line.
    pub centre: f64,
    /// The latest point's lower process limit (none on a run chart).
    pub lpl: Option<f64>,
    /// Its upper process limit.
    pub upl: Option<f64>,
    /// The target the assurance icon compares the limits with.
    pub target: Option<f64>,
    /// Points of each kind.
    pub improvement_points: usize,
    /// Concern points.
    pub concern_points: usize,
    /// The method's warnings.
    pub warnings: Vec<String>,
    /// The points, for the chart.
    pub points: Vec<ChartPoint>,
    /// The XmR rule profile ("ptd-0.2.2", "mdc").
    pub profile: String,
    /// The rebase log's rows applied (each starts a segment).
    pub rebases: Vec<RebaseEntry>,
    /// Candidate rebases with their evidence, never applied.
    pub suggested_rebases: Vec<String>,
    /// Gaps: periods missing between the first and the latest.
    pub gaps: Vec<GapNote>,
    /// Whether values either side of a gap were treated as consecutive (`--join-gaps`).
    pub gaps_joined: bool,
    /// The same series under another profile (`--compare-profile`).
    pub compare: Option<ProfileComparison>,
}

/// One indicator's row of the review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorReview {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Timeframe.
    pub timeframe: Timeframe,
    /// Period type.
    pub period_type: PeriodType,
    /// Unit.
    pub unit: String,
    /// Value type.
    pub value_type: ValueType,
    /// Better direction.
    pub improvement: Improvement,
    /// The indicator's target.
    pub target: Option<f64>,
    /// Where the target comes from.
    pub target_note: Option<TargetNote>,
    /// Where the data come from.
    pub data_source: String,
    /// Where the indicator comes from (document, section).
    pub source: String,
    /// Number of periods with data (up to the review date).
    pub points: usize,
    /// The latest period with data.
    pub latest_period: Option<String>,
    /// The latest value against its plan.
    pub latest: Option<AgainstPlan>,
    /// The latest financial year to date (periods shorter than a year).
    pub year_to_date: Option<YearToDate>,
    /// The financial year before, in full.
    pub previous_year: Option<YearToDate>,
    /// SPC, when there are at least two points.
    pub spc: Option<SpcSummary>,
    /// Data-quality flags.
    pub flags: Vec<Flag>,
    /// One sentence a board member can read.
    pub headline: String,
    /// Decimal places to show values with.
    pub decimals: u32,
}

/// The board summary's counts for one timeframe (or all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Indicators.
    pub indicators: usize,
    /// With data.
    pub with_data: usize,
    /// Latest point is special cause improvement.
    pub improving: usize,
    /// Latest point is special cause concern.
    pub concerning: usize,
    /// Latest point is common cause.
    pub common_cause: usize,
    /// Latest point is a neutral special cause.
    pub neutral: usize,
    /// Limits lie wholly on the passing side of the target.
    pub consistently_passing: usize,
    /// Limits lie wholly on the failing side of the target.
    pub consistently_failing: usize,
    /// The target lies within the limits.
    pub hit_and_miss: usize,
    /// An assurance icon that is not reliable (the limits span a shift, or the latest periods
    /// contradict it): counted here, not as passing, failing or hit and miss.
    pub assurance_not_reliable: usize,
    /// Latest value meets its plan or target.
    pub meeting_plan: usize,
    /// Latest value misses its plan or target.
    pub missing_plan: usize,
    /// Indicators with at least one data-quality flag.
    pub flagged: usize,
}

impl Counts {
    fn add(&mut self, r: &IndicatorReview) {
        self.indicators += 1;
        if r.points > 0 {
            self.with_data += 1;
        }
        if let Some(s) = &r.spc {
            match s.variation_icon.spc() {
                Some(VariationIcon::CommonCause) => self.common_cause += 1,
                Some(VariationIcon::ImprovementHigh | VariationIcon::ImprovementLow) => {
                    self.improving += 1
                }
                Some(VariationIcon::ConcernHigh | VariationIcon::ConcernLow) => {
                    self.concerning += 1
                }
                _ => self.neutral += 1,
            }
            match s.assurance_icon {
                Some(_) if !s.assurance_reliable => self.assurance_not_reliable += 1,
                Some(AssuranceIcon::Pass) => self.consistently_passing += 1,
                Some(AssuranceIcon::Fail) => self.consistently_failing += 1,
                Some(AssuranceIcon::Inconsistent) => self.hit_and_miss += 1,
                None => {}
            }
        }
        match r.latest.as_ref().and_then(|l| l.meets_plan) {
            Some(true) => self.meeting_plan += 1,
            Some(false) => self.missing_plan += 1,
            None => {}
        }
        if !r.flags.is_empty() {
            self.flagged += 1;
        }
    }
}

/// One timeframe's section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeframeReview {
    /// `leading`, `kpi` or `outcome`.
    pub id: Timeframe,
    /// Title.
    pub title: String,
    /// A short name for tables.
    pub short_title: &'static str,
    /// The framework's words for it.
    pub quote: Option<String>,
    /// Its counts.
    pub counts: Counts,
    /// Its indicators, in the set's order.
    pub indicators: Vec<IndicatorReview>,
}

/// The KPI set a review used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetInfo {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Title.
    pub title: String,
    /// Citation.
    pub source: String,
    /// Status.
    pub status: String,
    /// What is the set's own drafting.
    pub drafting_note: String,
}

/// A whole review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiReview {
    /// The organisation's ODS code.
    pub organisation: String,
    /// Its name, when known.
    pub organisation_name: Option<String>,
    /// The set.
    pub set: SetInfo,
    /// The review date: data after it are left out, and data are late against it.
    pub as_of: String,
    /// `given` (--as-of) or `latest data` (the end of the latest period with data).
    pub as_of_source: &'static str,
    /// The data file; `None` when every series came from plugin measures.
    pub data_file: Option<String>,
    /// Rows read and kept.
    pub rows_read: u64,
    /// Rows for the organisation.
    pub rows_for_organisation: u64,
    /// Counts over all timeframes.
    pub summary: Counts,
    /// Sections in the order leading, kpi, outcome.
    pub timeframes: Vec<TimeframeReview>,
    /// Warnings about the data file as a whole.
    pub warnings: Vec<String>,
    /// How the review was computed, in words.
    pub method: Vec<String>,
    /// Exactly which files it came from.
    pub provenance: ReviewProvenance,
    /// The XmR rule profile.
    pub profile: String,
    /// The profile compared with, if any.
    pub compare_profile: Option<String>,
    /// Indicators whose icons differ between the two profiles.
    pub icon_differences: Vec<IconDifference>,
    /// The rebase log file, if one was used.
    pub rebase_log: Option<String>,
}

/// Where a review came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewProvenance {
    /// `sct` version.
    pub sct_version: String,
    /// The KPI set file.
    pub kpi_set: FrameworkUsed,
    /// The data file; `None` (null in JSON) when every series came from plugin measures.
    pub data: Option<FileUsed>,
    /// The plugins whose measures supplied series: name, version and the SHA-256 of the
    /// file that ran.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plugins: Vec<PluginUsed>,
}

/// Errors building a review.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReviewError {
    /// The organisation has no rows.
    #[error("no rows for organisation {code} in {file}; organisations in it: {known}")]
    NoRows {
        /// The code asked for.
        code: String,
        /// The data file (or that the data are the plugin measures').
        file: String,
        /// Codes in the data.
        known: String,
    },
    /// No review date was given and no series of the organisation has data to date it
    /// from (every series came from plugin measures that gave nothing).
    #[error(
        "no series of organisation {code} has data, so there is no latest period to date the review; give the review date"
    )]
    NothingToDate {
        /// The organisation.
        code: String,
    },
    /// A rebase log row that does not fit the set or the data.
    #[error("{0}")]
    RebaseLog(String),
}

/// Options of a review.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewOptions {
    /// The review date (default: the end of the latest period with data).
    pub as_of: Option<NaiveDate>,
    /// The organisation's name, for the title.
    pub organisation_name: Option<String>,
    /// The XmR rule profile (default: the KPI set's, else `ptd-0.2.2`).
    pub profile: Option<ProfileKind>,
    /// Under `mdc`, the conflict rule for every indicator (default: the indicator's, the
    /// set's, else improvement).
    pub conflict: Option<Conflict>,
    /// A second profile to compare with.
    pub compare: Option<ProfileKind>,
    /// The rebase log.
    pub rebase_log: Option<RebaseLog>,
    /// Treat values either side of a gap as consecutive.
    pub join_gaps: bool,
}

/// An indicator whose icons differ between two profiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IconDifference {
    /// Indicator id.
    pub indicator: String,
    /// Title.
    pub title: String,
    /// The variation icon under the review's profile.
    pub variation_icon: Option<ChartVariationIcon>,
    /// The assurance icon under it.
    pub assurance_icon: Option<AssuranceIcon>,
    /// The variation icon under the other profile.
    pub compare_variation_icon: Option<ChartVariationIcon>,
    /// The assurance icon under the other profile.
    pub compare_assurance_icon: Option<AssuranceIcon>,
}

/// The profile an indicator is read with.
pub fn indicator_profile(
    set: &KpiSet,
    ind: &Indicator,
    kind: Option<ProfileKind>,
    conflict: Option<Conflict>,
) -> Profile {
    let kind = kind.or(set.profile).unwrap_or_default();
    Profile {
        conflict: conflict
            .or(ind.conflict)
            .or(set.conflict)
            .unwrap_or_default(),
        ..Profile::of(kind)
    }
}

/// Checks the rebase log's rows for one organisation against the set and the data: an
/// indicator the set does not have, or a date that is not a period with data, is an error
/// naming the log's file and row.
pub fn check_rebase_log(
    log: &RebaseLog,
    set: &KpiSet,
    data: &KpiData,
    organisation: &str,
) -> Result<(), ReviewError> {
    let mut problems = Vec::new();
    for e in log
        .entries
        .iter()
        .filter(|e| e.organisation == organisation)
    {
        let Some(ind) = set.indicator(&e.indicator) else {
            problems.push(format!(
                "{} line {}: indicator \"{}\" is not in KPI set \"{}\"",
                e.file,
                e.line,
                e.indicator,
                set.id.get_ref()
            ));
            continue;
        };
        let found = data
            .get(organisation, ind.id.get_ref())
            .is_some_and(|s| s.observations.iter().any(|o| o.period.start == e.start));
        if !found {
            problems.push(format!(
                "{} line {}: the rebase at {} is not a period with data for {organisation} \"{}\" in {}",
                e.file, e.line, e.date, e.indicator, data.name()
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ReviewError::RebaseLog(problems.join("; ")))
    }
}

/// Builds the review of one organisation.
pub fn review(
    set: &KpiSet,
    set_file: &FrameworkUsed,
    data: &KpiData,
    organisation: &str,
    options: &ReviewOptions,
) -> Result<KpiReview, ReviewError> {
    let rows_for_organisation = rows_for(data, organisation)?;
    let (as_of, as_of_source) = review_date(data, organisation, options)?;
    if let Some(log) = &options.rebase_log {
        check_rebase_log(log, set, data, organisation)?;
    }
    let (timeframes, summary) = timeframe_reviews(set, data, organisation, options, as_of);
    let profile = options.profile.or(set.profile).unwrap_or_default();
    let icon_differences = icon_differences(&timeframes);
    let method = review_method(set, options, profile);
    Ok(KpiReview {
        profile: profile.as_str().to_string(),
        compare_profile: options.compare.map(|k| k.as_str().to_string()),
        icon_differences,
        rebase_log: options.rebase_log.as_ref().map(|l| l.file.clone()),
        organisation: organisation.to_string(),
        organisation_name: options.organisation_name.clone(),
        set: SetInfo {
            id: set.id.get_ref().clone(),
            version: set.version.get_ref().clone(),
            title: set.title.clone(),
            source: set.source.clone(),
            status: format!("{:?}", set.status).to_lowercase(),
            drafting_note: set.drafting_note.clone(),
        },
        as_of: as_of.to_string(),
        as_of_source,
        data_file: data.source.as_ref().map(|f| f.file.clone()),
        rows_read: data.rows_read,
        rows_for_organisation: rows_for_organisation as u64,
        summary,
        timeframes,
        warnings: data.warnings.clone(),
        method,
        provenance: ReviewProvenance {
            sct_version: SCT_VERSION.to_string(),
            kpi_set: set_file.clone(),
            data: data.source.clone(),
            plugins: data.plugins.clone(),
        },
    })
}

/// The organisation's rows across its series, or an error naming some organisations the data
/// have when it has none. An organisation with series (even series whose plugin measure
/// failed, left without data with the reason) is reviewed; one with none is not in the data.
fn rows_for(data: &KpiData, organisation: &str) -> Result<usize, ReviewError> {
    let (series_count, rows_for_organisation) = data
        .series_of(organisation)
        .fold((0usize, 0usize), |(n, rows), s| {
            (n + 1, rows + s.observations.len())
        });
    if series_count == 0 {
        let known: Vec<&str> = data
            .organisations
            .iter()
            .take(12)
            .map(String::as_str)
            .collect();
        return Err(ReviewError::NoRows {
            code: organisation.to_string(),
            file: data.name().to_string(),
            known: if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            },
        });
    }
    Ok(rows_for_organisation)
}

/// The date the review is as of, and where it came from: the one given, else the end of the
/// organisation's latest period with data.
fn review_date(
    data: &KpiData,
    organisation: &str,
    options: &ReviewOptions,
) -> Result<(NaiveDate, &'static str), ReviewError> {
    let latest = data.latest_end(organisation);
    if options.as_of.is_none() && latest.is_none() {
        return Err(ReviewError::NothingToDate {
            code: organisation.to_string(),
        });
    }
    Ok(match options.as_of {
        Some(d) => (d, "given"),
        None => (latest.unwrap_or_default(), "latest data"),
    })
}

/// Every indicator's review, grouped by timeframe in the order of [`Timeframe::ALL`], with the
/// counts over them all.
fn timeframe_reviews(
    set: &KpiSet,
    data: &KpiData,
    organisation: &str,
    options: &ReviewOptions,
    as_of: NaiveDate,
) -> (Vec<TimeframeReview>, Counts) {
    let mut by_timeframe: BTreeMap<Timeframe, Vec<IndicatorReview>> = BTreeMap::new();
    for ind in &set.indicators {
        by_timeframe
            .entry(ind.timeframe)
            .or_default()
            .push(indicator_review(
                set,
                data,
                organisation,
                ind,
                options,
                as_of,
            ));
    }
    let mut summary = Counts::default();
    let timeframes: Vec<TimeframeReview> = Timeframe::ALL
        .iter()
        .filter_map(|tf| {
            let indicators = by_timeframe.remove(tf)?;
            let info = set.timeframes.get(tf.as_str());
            let mut counts = Counts::default();
            for r in &indicators {
                counts.add(r);
                summary.add(r);
            }
            Some(TimeframeReview {
                id: *tf,
                title: info.map_or_else(|| tf.as_str().to_string(), |i| i.title.clone()),
                short_title: tf.short_title(),
                quote: info.map(|i| i.source.quote.clone()),
                counts,
                indicators,
            })
        })
        .collect();
    (timeframes, summary)
}

/// The indicators whose icons differ under the compared profile.
fn icon_differences(timeframes: &[TimeframeReview]) -> Vec<IconDifference> {
    timeframes
        .iter()
        .flat_map(|tf| &tf.indicators)
        .filter_map(|r| {
            let s = r.spc.as_ref()?;
            let c = s.compare.as_ref()?;
            c.icons_differ.then(|| IconDifference {
                indicator: r.id.clone(),
                title: r.title.clone(),
                variation_icon: Some(s.variation_icon),
                assurance_icon: s.assurance_icon,
                compare_variation_icon: c.variation_icon,
                compare_assurance_icon: c.assurance_icon,
            })
        })
        .collect()
}

/// The review's method statements: the profile's, then the gaps, plugin measures and rebases.
fn review_method(set: &KpiSet, options: &ReviewOptions, profile: ProfileKind) -> Vec<String> {
    let mut method = method_statements(&Profile::of(profile));
    method.push(format!(
        "XmR rule profile: {}.{}",
        Profile::of(profile).describe(),
        options
            .compare
            .map(|k| format!(" Compared with {}.", Profile::of(k).describe()))
            .unwrap_or_default()
    ));
    method.push(if options.join_gaps {
        "Gaps (missing periods) are joined (--join-gaps): values either side of a gap are treated as consecutive.".to_string()
    } else {
        "Gaps (missing periods) are shown and not joined: no moving range, run or window of the XmR chart spans a gap, and on run, p′ and u′ charts no run, crossing, trend or moving range of z spans one (crossings are counted between consecutive points only, and their expected minimum over those pairs).".to_string()
    });
    let measures: Vec<&str> = set
        .indicators
        .iter()
        .filter_map(|i| i.measure.as_ref().map(|m| m.get_ref().as_str()))
        .collect();
    if !measures.is_empty() {
        method.push(format!(
            "Plugin measures ({}) supply their indicators' series instead of the data file: each is computed by its plugin for the organisation (the plugin's name, version and file checksum are under Provenance), and its points are checked, flagged, aggregated and charted as the data file's rows are; a value is recomputed from its numerator and denominator when the plugin gives both.",
            measures.join(", ")
        ));
    }
    method.push(format!(
        "Rebases come only from the rebase log{}; a run of {} or more points on one side of the centre line is suggested as a candidate rebase, with its evidence, and never applied.",
        options
            .rebase_log
            .as_ref()
            .map(|l| format!(" ({})", l.file))
            .unwrap_or_default(),
        crate::profile::SUSTAINED_SHIFT
    ));
    method
}

/// The method, as stated in every review read under `profile`: the run-chart threshold and the
/// XmR chart's screening follow the profile, as the charts themselves do.
pub fn method_statements(profile: &Profile) -> Vec<String> {
    vec![
        format!("Each indicator is read with the chart that suits it: a series of fewer than {} points gets a run chart (median centre line; the Anhøj rules: a run longer than round(log2 n) + 3 points, or fewer crossings of the median than the 5 % quantile of Binomial(n − 1, 0.5), signal non-random variation); otherwise the indicator's chart (Laney's p′ chart for proportions with large denominators, whose limits follow each period's denominator) or, by default, NHS England's Making Data Count XmR chart.", run_chart_below(profile)),
        format!("The XmR chart's centre line is the mean; process limits are the mean ± 2.66 × the average moving range, {}; special causes are a point outside the limits, a run of 7 points rising or falling, 2 of 3 points beyond 2 sigma on one side, or a run of 7 points on one side of the mean.", if profile.screen_outliers {
            "after screening out moving ranges of 3.267 × the average or more"
        } else {
            "with no moving range screened out"
        }),
        "The variation icon describes the latest point; the assurance icon compares the process limits with the target for the latest period: limits wholly on the passing side mean the process will consistently pass, wholly on the failing side that it will consistently fail, and a target within the limits that it will sometimes pass and sometimes fail.".into(),
        format!("The assurance icon is marked not reliable, and counted apart from passing, failing and hit and miss, when the limits span a shift (the series has a candidate rebase: the limits then describe a process that has changed) or when the latest {n} periods contradict it (all {n} meet the target where the icon says consistently failing, or all miss it where it says consistently passing); the icon itself is left as the method computes it.", n = crate::assurance::LATEST_PERIODS),
        format!("Fewer than {} points make the limits unreliable; the review says so for each such indicator.", constants::MIN_POINTS),
        "The plan value for a period is the KPI set's plan trajectory for that period, or else its target. Variance is the latest value minus that plan value, in the indicator's unit (percentage points for percentages).".into(),
        "Year to date combines the financial year's periods by value type: counts are summed; proportions are recomputed from summed numerators and denominators (never by averaging percentages); rates use summed numerators over the mean denominator; means use summed totals over summed counts, or, where only the period means are given, their average (stated). A week counts in the financial year (and the month or quarter) that holds its Thursday, as ISO 8601 assigns weeks to years and as weeks are aggregated into months.".into(),
        "Data after the review date are left out. Data are late when the latest period is older than the last period that ended by the review date, less the indicator's publication lag.".into(),
    ]
}

/// Below how many points a segment of a review is read with a run chart: `mdc`'s minimum for
/// limits, else the default of `--chart auto` (15), as `docs/methods/run-charts.md` says.
fn run_chart_below(profile: &Profile) -> usize {
    match profile.kind {
        ProfileKind::Mdc => profile.min_points,
        ProfileKind::Ptd022 => ChartOptions::default().min_points,
    }
}

fn plan_value(ind: &Indicator, period: Period) -> (Option<f64>, Option<&'static str>) {
    match ind.plan_for(period) {
        Some(p) => (Some(p), Some("plan")),
        None => (ind.target, ind.target.map(|_| target_kind(ind))),
    }
}

/// What a target is called beside its value: a target the set could not confirm against the
/// published text says so wherever it is shown.
fn target_kind(ind: &Indicator) -> &'static str {
    if ind.target_note == Some(TargetNote::Unconfirmed) {
        "unconfirmed target"
    } else {
        "target"
    }
}

fn against(
    ind: &Indicator,
    value: f64,
    plan: Option<f64>,
    kind: Option<&'static str>,
) -> AgainstPlan {
    let position = plan.map(|p| PlanPosition::of(value, p));
    AgainstPlan {
        value,
        plan,
        plan_kind: kind,
        variance: plan.map(|p| round_for_display(value - p)),
        plan_position: position,
        meets_plan: position.and_then(|p| p.meets(ind.improvement)),
    }
}

/// Combines the periods of one financial year to date.
fn year_to_date(ind: &Indicator, obs: &[Observation], year: Period) -> Option<YearToDate> {
    let in_year = in_financial_year(obs, year);
    let (first, last) = (in_year.first()?, in_year.last()?);
    let (value, method) = match combine(&in_year, ind.value_type, ind.multiplier, ind.aggregation) {
        Ok(c) => (
            c.value,
            match (ind.aggregation, ind.value_type) {
                (Some(Aggregation::Latest), _) => "the latest period (a position, not summed)",
                (Some(Aggregation::Mean), _) => "mean of the periods (a run rate)",
                (None, ValueType::Count) => "sum of the periods",
                (None, ValueType::Proportion) => "summed numerators over summed denominators",
                (None, ValueType::Rate) => "summed numerators over the mean denominator",
                (None, ValueType::Mean) => "summed totals over summed counts",
            }
            .to_string(),
        ),
        Err(_) if ind.value_type == ValueType::Mean => (
            in_year.iter().map(|o| o.value).sum::<f64>() / in_year.len() as f64,
            "average of the period means (no totals and counts given)".to_string(),
        ),
        Err(_) => return None,
    };
    let plans: Vec<(f64, &'static str)> = in_year
        .iter()
        .filter_map(|o| {
            let (p, k) = plan_value(ind, o.period);
            Some((p?, k?))
        })
        .collect();
    let meeting = in_year
        .iter()
        .filter(|o| {
            let (p, _) = plan_value(ind, o.period);
            p.and_then(|p| PlanPosition::of(o.value, p).meets(ind.improvement)) == Some(true)
        })
        .count();
    let summed = ind.value_type == ValueType::Count && ind.aggregation.is_none();
    let (plan, kind) = if plans.is_empty() {
        (None, None)
    } else {
        // A summed count is compared with the summed plan; anything else with the plan's mean.
        let total = plans.iter().map(|p| p.0).sum::<f64>();
        let mean = if summed {
            total
        } else {
            total / plans.len() as f64
        };
        let kind = if plans.iter().all(|p| p.1 == "plan") {
            "plan"
        } else {
            target_kind(ind)
        };
        (Some(round_for_display(mean)), Some(kind))
    };
    Some(YearToDate {
        year: year.to_string(),
        from: first.period.to_string(),
        to: last.period.to_string(),
        periods: in_year.len(),
        against: against(ind, value, plan, kind),
        method,
        periods_meeting_plan: meeting,
        periods_with_plan: plans.len(),
    })
}

/// The chart of an indicator's series (`auto`: a run chart for a short series, else the
/// indicator's chart, else XmR), on numerators and denominators when every period has them.
fn spc_summary(
    ind: &Indicator,
    obs: &[Observation],
    target: Option<f64>,
    spc: &SeriesSpc,
) -> Option<SpcSummary> {
    chart_summary_with(ind, obs, target, ind.improvement, spc)
}

/// How one series is read: the XmR profile, a profile to compare with, the rebase log's rows
/// and whether gaps are joined.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeriesSpc<'a> {
    /// The profile.
    pub profile: Profile,
    /// Another profile to compare with.
    pub compare: Option<Profile>,
    /// The rebase log's rows for the series.
    pub rebases: Vec<&'a RebaseEntry>,
    /// Treat values either side of a gap as consecutive.
    pub join_gaps: bool,
}

/// The chart summary of an indicator's observations, judged in `improvement`'s direction
/// (a theory of change may expect a direction of its own). `None` with fewer than 2 points.
pub fn chart_summary(
    ind: &Indicator,
    obs: &[Observation],
    target: Option<f64>,
    improvement: Improvement,
) -> Option<SpcSummary> {
    chart_summary_with(ind, obs, target, improvement, &SeriesSpc::default())
}

/// [`chart_summary`] under a profile, with the rebase log's rows, gaps and a comparison.
pub fn chart_summary_with(
    ind: &Indicator,
    obs: &[Observation],
    target: Option<f64>,
    improvement: Improvement,
    spc: &SeriesSpc,
) -> Option<SpcSummary> {
    if obs.len() < 2 {
        return None;
    }
    let values: Vec<f64> = obs.iter().map(|o| o.value).collect();
    let counts = chart_counts(ind, obs);
    let mut warnings = Vec::new();
    let choice = chart_choice(ind, counts.is_some(), &mut warnings);
    let (gaps, breaks) = gaps_in(obs);
    let (rebases, starts) = rebases_in(spc, obs);
    let options_for = |profile: Profile| ChartOptions {
        chart: choice,
        improvement,
        target,
        multiplier: ind.multiplier.unwrap_or(1.0),
        min_points: run_chart_below(&profile),
        xmr_screen_outliers: profile.screen_outliers,
        profile,
        breaks: if spc.join_gaps {
            Vec::new()
        } else {
            breaks.clone()
        },
        ..ChartOptions::default()
    };
    let options = options_for(spc.profile);
    let input = match &counts {
        Some((x, n)) => ChartInput::Counts {
            numerators: x,
            denominators: n,
        },
        None => ChartInput::Values(&values),
    };
    let r = chart(input, &starts, &options).ok()?;
    let seg = r.segments.last()?;
    // Each period's name once: formatting dates is a good part of the cost of a review.
    let labels: Vec<String> = obs.iter().map(|o| o.period.label()).collect();
    let compare = spc.compare.and_then(|other| {
        let c = chart(input, &starts, &options_for(other)).ok()?;
        Some(profile_comparison(&r, &c, &labels))
    });
    let suggested_rebases = rebases_suggested(&r, &options.breaks, &labels);
    let assurance_note = reliability(&AssuranceEvidence {
        icon: r.assurance_icon,
        target,
        improvement,
        values: &r.values,
        suggested_rebases: suggested_rebases.len(),
    });
    let last = obs.len() - 1;
    let (lpl, upl) = r.point(last).map_or((None, None), |p| (p.lpl, p.upl));
    let points = chart_points(&r, labels);
    warnings.extend(r.warnings.iter().cloned());
    Some(SpcSummary {
        chart: seg.chart,
        chart_name: seg.chart.describe(),
        chart_reason: seg.reason.describe(seg.chart),
        centre_name: seg.chart.centre_name(),
        runs: seg.runs,
        variation_icon: r.variation_icon,
        variation_label: r.variation_icon.label(),
        assurance_icon: r.assurance_icon,
        assurance_label: AssuranceIcon::label_or_why_none(
            r.assurance_icon,
            seg.chart != ChartKind::Run,
            target,
            improvement,
        ),
        assurance_reliable: assurance_note.is_none(),
        assurance_note,
        centre: seg.centre,
        lpl,
        upl,
        target,
        improvement_points: count_of_type(&r, PointType::SpecialCauseImprovement),
        concern_points: count_of_type(&r, PointType::SpecialCauseConcern),
        warnings,
        points,
        profile: r.profile.clone(),
        rebases,
        suggested_rebases,
        gaps,
        gaps_joined: spc.join_gaps,
        compare,
    })
}

/// The rebases the chart's values suggest (a sustained shift within a segment, away from the
/// `breaks` already made), each in words naming its periods by `labels`.
fn rebases_suggested(
    r: &crate::chart::ChartResult,
    breaks: &[usize],
    labels: &[String],
) -> Vec<String> {
    let label = |k: usize| labels.get(k).cloned().unwrap_or_default();
    let segs: Vec<(usize, usize, f64)> = r
        .segments
        .iter()
        .map(|s| (s.start, s.n, s.centre))
        .collect();
    crate::profile::suggest_rebases_in(&r.values, &segs, breaks)
        .iter()
        .map(|s| crate::profile::suggestion_text(s, label))
        .collect()
}

/// Every period's numerator and denominator, for a proportion or rate that gives them all.
fn chart_counts(ind: &Indicator, obs: &[Observation]) -> Option<(Vec<f64>, Vec<f64>)> {
    if matches!(ind.value_type, ValueType::Proportion | ValueType::Rate) {
        obs.iter()
            .map(|o| o.numerator.zip(o.denominator))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().unzip())
    } else {
        None
    }
}

/// The indicator's chart choice, or XmR (with a warning saying why) when it asks for a p′ or
/// u′ chart, which needs every period's numerator and denominator, and the data lack them.
fn chart_choice(ind: &Indicator, has_counts: bool, warnings: &mut Vec<String>) -> ChartChoice {
    let choice = ind.chart.choice();
    if let ChartChoice::Auto(Some(k)) = choice
        && k.needs_counts()
        && !has_counts
    {
        warnings.push(format!(
            "a {} needs every period's numerator and denominator, which the data do not give: read with an XmR chart instead",
            k.describe()
        ));
        return ChartChoice::Auto(Some(ChartKind::Xmr));
    }
    choice
}

/// The gaps between observations (the first few missing periods named) and the index of the
/// observation after each, where the chart breaks its lines.
fn gaps_in(obs: &[Observation]) -> (Vec<GapNote>, Vec<usize>) {
    let mut gaps = Vec::new();
    let mut breaks = Vec::new();
    for (i, w) in obs.windows(2).enumerate() {
        // Neighbours with nothing between them (the usual) are told by arithmetic, without
        // stepping a date.
        if w[0].period.kind == w[1].period.kind && w[0].period.periods_between(w[1].period) == 0 {
            continue;
        }
        let mut p = w[0].period.next();
        let mut missing = Vec::new();
        while p < w[1].period && missing.len() < MAX_GAP_LISTED {
            missing.push(p.to_string());
            p = p.next();
        }
        if !missing.is_empty() {
            let all = w[0].period.periods_between(w[1].period);
            breaks.push(i + 1);
            gaps.push(GapNote {
                before: w[1].period.to_string(),
                more: all.saturating_sub(missing.len() as u64),
                missing,
            });
        }
    }
    (gaps, breaks)
}

/// The rebase log's rows whose period has data up to the review date, dated as the series'
/// periods, and the index of the observation where each starts a segment.
fn rebases_in(spc: &SeriesSpc, obs: &[Observation]) -> (Vec<RebaseEntry>, Vec<usize>) {
    let rebases: Vec<RebaseEntry> = spc
        .rebases
        .iter()
        .filter_map(|e| {
            let o = obs.iter().find(|o| o.period.start == e.start)?;
            Some(RebaseEntry {
                date: o.period.to_string(),
                ..(*e).clone()
            })
        })
        .collect();
    let starts: Vec<usize> = rebases
        .iter()
        .filter_map(|e| obs.iter().position(|o| o.period.start == e.start))
        .collect();
    (rebases, starts)
}

/// The icons under another profile (`c`) and the points it reads differently from `r`.
fn profile_comparison(
    r: &crate::chart::ChartResult,
    c: &crate::chart::ChartResult,
    labels: &[String],
) -> ProfileComparison {
    let label = |k: usize| labels.get(k).cloned().unwrap_or_default();
    let icon_of = |r: &crate::chart::ChartResult| {
        (
            r.icons.then_some(r.variation_icon),
            if r.icons { r.assurance_icon } else { None },
        )
    };
    let mine = icon_of(r);
    let theirs = icon_of(c);
    let points = r
        .point_type
        .iter()
        .zip(&c.point_type)
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| {
            format!(
                "{}: {} under {}, {} under {} ({})",
                label(i),
                a.label(),
                r.profile,
                b.label(),
                c.profile,
                {
                    let (ours, theirs) = (r.hits(i), c.hits(i));
                    crate::profile::explanation_in_words(
                        if theirs.is_empty() { &ours } else { &theirs },
                        label,
                    )
                }
            )
        })
        .collect();
    ProfileComparison {
        profile: c.profile.clone(),
        variation_icon: theirs.0,
        assurance_icon: theirs.1,
        icons_differ: mine != theirs,
        points,
    }
}

/// How many of the chart's points are of this type.
fn count_of_type(r: &crate::chart::ChartResult, kind: PointType) -> usize {
    r.point_type.iter().filter(|p| **p == kind).count()
}

/// Every point of the chart, with its period and, when a rule hit it, why.
fn chart_points(r: &crate::chart::ChartResult, labels: Vec<String>) -> Vec<ChartPoint> {
    // Explanations name other points' periods, so they are written before the labels are
    // moved into the points (no copy of each).
    let explanations: Vec<Option<String>> = {
        let label = |k: usize| labels.get(k).cloned().unwrap_or_default();
        (0..labels.len())
            .map(|i| {
                let text = crate::profile::explanation(&r.hits(i), label);
                (!text.is_empty()).then_some(text)
            })
            .collect()
    };
    labels
        .into_iter()
        .zip(r.points())
        .zip(explanations)
        .map(|((period, p), explanation)| ChartPoint {
            period,
            value: p.value,
            centre: p.centre,
            lpl: p.lpl,
            upl: p.upl,
            point_type: p.point_type,
            explanation,
        })
        .collect()
}

/// Decimal places for an indicator's values: the set's `decimals`, else none for counts, two
/// for money and one otherwise.
pub fn decimals(ind: &Indicator) -> u32 {
    ind.decimals.unwrap_or(match ind.value_type {
        ValueType::Count => 0,
        _ if ind.unit.starts_with('£') => 2,
        _ => 1,
    })
}

fn format_value(v: f64, ind: &Indicator) -> String {
    let places = decimals(ind) as usize;
    let text = format!("{v:.places$}");
    match ind.unit.as_str() {
        "%" => format!("{text} %"),
        u if u.starts_with('£') => format!("£{text}{}", &u['£'.len_utf8()..]),
        "" => text,
        u => format!("{text} {u}"),
    }
}

fn headline(
    ind: &Indicator,
    latest: Option<(&Observation, &AgainstPlan)>,
    ytd: Option<&YearToDate>,
    spc: Option<&SpcSummary>,
) -> String {
    let Some((o, a)) = latest else {
        return "No data up to the review date.".into();
    };
    let mut s = format!("{}: {}", o.period, format_value(o.value, ind));
    if let Some(p) = a.plan {
        let word = match a.plan_position {
            Some(PlanPosition::AbovePlan) => "above",
            Some(PlanPosition::BelowPlan) => "below",
            _ => "on",
        };
        s.push_str(&format!(
            ", {word} the {} of {}",
            a.plan_kind.unwrap_or("target"),
            format_value(p, ind)
        ));
        match a.meets_plan {
            Some(true) => s.push_str(" (met)"),
            Some(false) => s.push_str(" (not met)"),
            None => {}
        }
    }
    s.push('.');
    if let Some(y) = ytd
        && y.periods > 1
    {
        s.push_str(&format!(
            " {} year to date: {}",
            y.year,
            format_value(y.against.value, ind)
        ));
        if let Some(p) = y.against.plan {
            s.push_str(&format!(" against {}", format_value(p, ind)));
        }
        if y.periods_with_plan > 0 && ind.improvement != Improvement::Neutral {
            s.push_str(&format!(
                "; {} met in {} of {} periods",
                y.against.plan_kind.unwrap_or("target"),
                y.periods_meeting_plan,
                y.periods_with_plan
            ));
        }
        s.push('.');
    }
    if let Some(sp) = spc {
        s.push_str(&format!(" {}.", sp.variation_label));
        if sp.assurance_icon.is_some() {
            s.push_str(&format!(" {}.", sp.assurance_label));
        }
        if let Some(n) = &sp.assurance_note {
            s.push_str(&format!(" {}.", n.text));
        }
    }
    s
}
/// One indicator's review for one organisation as of `as_of`: the same judgement a whole
/// review gives it (the integrated performance report draws its chart from this, one
/// indicator at a time, rather than holding every organisation's charts).
pub fn indicator_review(
    set: &KpiSet,
    data: &KpiData,
    organisation: &str,
    ind: &Indicator,
    options: &ReviewOptions,
    as_of: NaiveDate,
) -> IndicatorReview {
    let spc = SeriesSpc {
        profile: indicator_profile(set, ind, options.profile, options.conflict),
        compare: options
            .compare
            .map(|k| indicator_profile(set, ind, Some(k), options.conflict)),
        rebases: options
            .rebase_log
            .as_ref()
            .map(|l| l.for_series(organisation, ind.id.get_ref()))
            .unwrap_or_default(),
        join_gaps: options.join_gaps,
    };
    let series = data.get(organisation, ind.id.get_ref());
    let obs: Vec<Observation> = series
        .map(|s| ended_by(&s.observations, as_of))
        .unwrap_or_default();
    let mut flags = series.map(|s| s.flags.clone()).unwrap_or_default();
    review_indicator(ind, &obs, &mut flags, as_of, &spc)
}

/// The observations whose period has ended by `as_of`. A series of one period type in
/// order (every series read from data) has them first, found by halving; any other is
/// looked through whole.
fn ended_by(observations: &Observations, as_of: NaiveDate) -> Vec<Observation> {
    let ended = |o: &Observation| o.period.end() <= as_of;
    let starts = observations.starts();
    if observations.one_kind().is_none() || !starts.windows(2).all(|w| w[0] < w[1]) {
        return observations.iter().filter(ended).collect();
    }
    // In order and of one type, the periods end in order: those ended come first.
    let (mut lo, mut hi) = (0, observations.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match observations.get(mid).is_some_and(|o| ended(&o)) {
            true => lo = mid + 1,
            false => hi = mid,
        }
    }
    observations.iter().take(lo).collect()
}

/// The observations of financial year `year`: a range of them when they are of one period
/// type in order (as a review's are), else those found by looking at each.
fn in_financial_year(obs: &[Observation], year: Period) -> Vec<Observation> {
    let ordered = obs
        .windows(2)
        .all(|w| w[0].period.kind == w[1].period.kind && w[0].period.start < w[1].period.start);
    if !ordered {
        let of_year = |o: &&Observation| o.period.financial_year() == year;
        return obs.iter().filter(of_year).cloned().collect();
    }
    // Periods in order are in financial years in order.
    let from = obs.partition_point(|o| o.period.financial_year() < year);
    let to = from + obs[from..].partition_point(|o| o.period.financial_year() == year);
    obs[from..to].to_vec()
}

fn review_indicator(
    ind: &Indicator,
    obs: &[Observation],
    flags: &mut Vec<Flag>,
    as_of: NaiveDate,
    series: &SeriesSpc,
) -> IndicatorReview {
    let last = obs.last();
    let latest = last.map(|o| {
        let (p, k) = plan_value(ind, o.period);
        against(ind, o.value, p, k)
    });
    let ytd = match (last, ind.period) {
        (Some(o), p) if p < PeriodType::Year => year_to_date(ind, obs, o.period.financial_year()),
        _ => None,
    };
    let previous_year = match (last, ind.period) {
        (Some(o), p) if p < PeriodType::Year => {
            year_to_date(ind, obs, o.period.financial_year().previous())
        }
        _ => None,
    };
    let target = last.and_then(|o| plan_value(ind, o.period).0);
    let spc = spc_summary(ind, obs, target, series);
    match last {
        // A series without data that already says why (a plugin that failed) says it once.
        None if flags.iter().any(|f| f.kind == FlagKind::NoData) => {}
        None => flags.push(Flag {
            kind: FlagKind::NoData,
            message: format!("no data for this indicator up to {as_of}"),
        }),
        Some(o) => {
            let expected = expected_latest(ind.period, as_of, ind.publication_lag);
            if o.period < expected {
                flags.push(Flag {
                    kind: FlagKind::Late,
                    message: format!(
                        "latest data are for {}; {expected} was expected by {as_of}",
                        o.period
                    ),
                });
            }
            // A short series read with a run chart is read as it should be (its chart says
            // so); too few points is a flag only where no chart can be drawn or where the
            // chart asked for draws process limits from too few points.
            let run_chart = spc.as_ref().is_some_and(|s| s.chart == ChartKind::Run);
            if obs.len() < constants::MIN_POINTS && (obs.len() < 2 || !run_chart) {
                flags.push(Flag {
                    kind: FlagKind::FewPoints,
                    message: format!(
                        "{} point{}: too few for reliable process limits (at least {} are needed){}",
                        obs.len(),
                        if obs.len() == 1 { "" } else { "s" },
                        constants::MIN_POINTS,
                        if obs.len() < 2 {
                            "; no chart drawn"
                        } else {
                            "; read with a run chart"
                        }
                    ),
                });
            }
        }
    }
    flags.sort();
    let headline = headline(ind, last.zip(latest.as_ref()), ytd.as_ref(), spc.as_ref());
    IndicatorReview {
        id: ind.id.get_ref().clone(),
        title: ind.title.clone(),
        timeframe: ind.timeframe,
        period_type: ind.period,
        unit: ind.unit.clone(),
        value_type: ind.value_type,
        improvement: ind.improvement,
        target: ind.target,
        target_note: ind.target_note,
        data_source: match (&ind.measure, ind.data_source.is_empty()) {
            (Some(m), true) => format!("plugin measure {}", m.get_ref()),
            (Some(m), false) => format!("{} (plugin measure {})", ind.data_source, m.get_ref()),
            (None, _) => ind.data_source.clone(),
        },
        source: format!("{} {}", ind.source.doc.get_ref(), ind.source.section),
        points: obs.len(),
        latest_period: last.map(|o| o.period.to_string()),
        latest,
        year_to_date: ytd,
        previous_year,
        spc,
        flags: std::mem::take(flags),
        headline,
        decimals: decimals(ind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Observations of one period type from `steps` (each the periods from the one before,
    /// 0 repeating it), in that order, or shuffled by `swap` when it is given.
    fn observations(kind: usize, steps: &[u8], swap: Option<(usize, usize)>) -> Vec<Observation> {
        let kinds = [
            PeriodType::Day,
            PeriodType::Week,
            PeriodType::Month,
            PeriodType::Quarter,
            PeriodType::Year,
        ];
        let first = NaiveDate::from_ymd_opt(2019, 2, 27).unwrap_or_default();
        let mut period = Period::containing(first, kinds[kind]);
        let mut obs: Vec<Observation> = steps
            .iter()
            .enumerate()
            .map(|(i, &step)| {
                (0..step).for_each(|_| period = period.next());
                Observation {
                    period,
                    value: i as f64,
                    numerator: None,
                    denominator: None,
                    line: i as u64 + 2,
                }
            })
            .collect();
        if let Some((a, b)) = swap.filter(|_| !obs.is_empty()) {
            obs.swap(a % steps.len(), b % steps.len());
        }
        obs
    }

    /// What [`gaps_in`] finds, by stepping from every period to the next.
    fn gaps_by_stepping(obs: &[Observation]) -> Vec<(usize, Vec<String>)> {
        let mut found = Vec::new();
        for (i, w) in obs.windows(2).enumerate() {
            let mut p = w[0].period.next();
            let mut missing = Vec::new();
            while p < w[1].period && missing.len() < MAX_GAP_LISTED {
                missing.push(p.to_string());
                p = p.next();
            }
            if !missing.is_empty() {
                found.push((i + 1, missing));
            }
        }
        found
    }

    proptest! {
        /// Found by halving or by range, the observations are those looking at each finds,
        /// in order or not, with repeated periods or gaps.
        #[test]
        fn cuts_by_date_and_year_are_those_of_each_observation(
            kind in 0usize..5,
            steps in proptest::collection::vec(0u8..4, 0..60),
            swap in proptest::option::of((0usize..60, 0usize..60)),
            as_of_days in 0i64..4000,
        ) {
            let obs = observations(kind, &steps, swap);
            let as_of = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default()
                + chrono::Duration::days(as_of_days);
            let expected: Vec<Observation> =
                obs.iter().filter(|o| o.period.end() <= as_of).cloned().collect();
            let column: Observations = obs.iter().cloned().collect();
            prop_assert_eq!(ended_by(&column, as_of), expected);
            for o in &obs {
                let year = o.period.financial_year();
                let expected: Vec<Observation> =
                    obs.iter().filter(|x| x.period.financial_year() == year).cloned().collect();
                prop_assert_eq!(in_financial_year(&obs, year), expected);
            }
            let (gaps, breaks) = gaps_in(&obs);
            let found: Vec<(usize, Vec<String>)> =
                breaks.into_iter().zip(gaps).map(|(b, g)| (b, g.missing)).collect();
            prop_assert_eq!(found, gaps_by_stepping(&obs));
        }
    }
}
