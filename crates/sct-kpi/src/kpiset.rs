//! KPI sets (framework kind `kpi-set`): indicators with their timeframe, period type, value
//! type, better direction, target, plan trajectory and source.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use sct_core::Error;
use sct_core::SourceFile;
use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::load::{FrameworkRegistry, LoadedFramework, Origin, parse_toml};
use sct_core::model::{Documents, FrameworkKind, SourceRef, Status};
use sct_core::provenance::FrameworkUsed;
use sct_core::validate::is_kebab_id;

use crate::chart::{ChartChoice, ChartKind};
use crate::period::{Period, PeriodType};
use crate::spc::Improvement;

/// The three timeframes of the framework's section 3.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Timeframe {
    /// Leading indicators and KPIs, weekly or monthly.
    Leading,
    /// KPIs and outputs, quarterly.
    Kpi,
    /// Longer-term outcomes, annually.
    Outcome,
}

impl Timeframe {
    /// All, in reading order.
    pub const ALL: [Timeframe; 3] = [Timeframe::Leading, Timeframe::Kpi, Timeframe::Outcome];

    /// A short name for tables.
    pub fn short_title(self) -> &'static str {
        match self {
            Timeframe::Leading => "Leading indicators (weekly or monthly)",
            Timeframe::Kpi => "KPIs and outputs (quarterly)",
            Timeframe::Outcome => "Long-term outcomes (annual)",
        }
    }

    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Timeframe::Leading => "leading",
            Timeframe::Kpi => "kpi",
            Timeframe::Outcome => "outcome",
        }
    }
}

/// How an indicator's value is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueType {
    /// A count: periods sum.
    Count,
    /// A mean: periods cannot be summed.
    Mean,
    /// Numerator over denominator × multiplier.
    Proportion,
    /// Per population × multiplier.
    Rate,
}

/// The chart an indicator asks for. `auto` (the default) and every named chart still give a run
/// chart to a series too short for limits (`docs/methods/run-charts.md`, `--chart auto`); `run`
/// always gives a run chart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndicatorChart {
    /// XmR unless the series is short.
    #[default]
    Auto,
    /// XmR (Making Data Count).
    Xmr,
    /// A run chart.
    Run,
    /// Laney's p′ chart (proportions from numerators and denominators).
    Pprime,
    /// Laney's u′ chart (rates from numerators and denominators).
    Uprime,
}

impl IndicatorChart {
    /// The chart choice for the `auto` rule.
    pub fn choice(self) -> ChartChoice {
        match self {
            IndicatorChart::Auto => ChartChoice::Auto(None),
            IndicatorChart::Xmr => ChartChoice::Auto(Some(ChartKind::Xmr)),
            IndicatorChart::Run => ChartChoice::Only(ChartKind::Run),
            IndicatorChart::Pprime => ChartChoice::Auto(Some(ChartKind::PPrime)),
            IndicatorChart::Uprime => ChartChoice::Auto(Some(ChartKind::UPrime)),
        }
    }
}

/// How periods combine when the value type's rule does not fit the measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregation {
    /// The latest period stands for the longer one: a position at the period's end, such as
    /// a rolling 12-month count or a stock.
    Latest,
    /// The mean of the periods: a run rate, such as an annualised cost per head.
    Mean,
}

impl ValueType {
    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::Count => "count",
            ValueType::Mean => "mean",
            ValueType::Proportion => "proportion",
            ValueType::Rate => "rate",
        }
    }
}

/// Where an indicator's target comes from, as the set says (`target_note`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetNote {
    /// Quoted from the seed papers the bundled sets are drafted from (an ICB's own plan).
    Seed,
    /// A national target, quoted from the publication that sets it.
    National,
    /// A national target as reported, which the set's drafting could not confirm against
    /// the publication's own text.
    Unconfirmed,
    /// Illustrative only: neither a national standard nor an ICB's plan.
    Example,
}

impl TargetNote {
    /// The name as written in files.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetNote::Seed => "seed",
            TargetNote::National => "national",
            TargetNote::Unconfirmed => "unconfirmed",
            TargetNote::Example => "example",
        }
    }

    /// How a report says where the target comes from.
    pub fn whence(self) -> &'static str {
        match self {
            TargetNote::Seed => "from the seed board papers",
            TargetNote::National => "a national target",
            TargetNote::Unconfirmed => {
                "a national target as reported, not confirmed against the published text"
            }
            TargetNote::Example => "an example, not a national standard",
        }
    }

    /// Whether the set must say where the target is quoted from.
    pub fn needs_source(self) -> bool {
        matches!(self, TargetNote::Seed | TargetNote::National)
    }
}

/// A timeframe's description.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeframeInfo {
    /// Title.
    pub title: String,
    /// Where the framework names it.
    pub source: SourceRef,
}

/// A target for one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanPoint {
    /// The period, in the indicator's form.
    pub period: Spanned<String>,
    /// The planned value.
    pub value: f64,
}

/// A plausible range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Lowest plausible value.
    pub min: f64,
    /// Highest plausible value.
    pub max: f64,
}

/// One indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Identifier, kebab-case.
    pub id: Spanned<String>,
    /// Title.
    pub title: String,
    /// Timeframe.
    pub timeframe: Timeframe,
    /// Period type of its data.
    pub period: PeriodType,
    /// Unit printed after values.
    #[serde(default)]
    pub unit: String,
    /// Value type.
    pub value_type: ValueType,
    /// value = multiplier × numerator / denominator, for proportions and rates.
    #[serde(default)]
    pub multiplier: Option<f64>,
    /// Overrides how periods combine (counts and rates only; proportions are always
    /// recomputed from numerators and denominators).
    #[serde(default)]
    pub aggregation: Option<Aggregation>,
    /// Decimal places to show values with (default: 0 for counts, 2 for £, else 1).
    #[serde(default)]
    pub decimals: Option<u32>,
    /// Which direction is better.
    pub improvement: Improvement,
    /// The chart to read it with (default `auto`).
    #[serde(default)]
    pub chart: IndicatorChart,
    /// The target, if any.
    #[serde(default)]
    pub target: Option<f64>,
    /// Where the target comes from: the seed papers, a national publication, an unconfirmed
    /// national figure, or an example.
    #[serde(default)]
    pub target_note: Option<TargetNote>,
    /// Where the target comes from, for `seed` and `national` targets.
    #[serde(default)]
    pub target_source: Option<SourceRef>,
    /// A target per period.
    #[serde(default)]
    pub plan: Vec<PlanPoint>,
    /// Values outside this range are flagged.
    #[serde(default)]
    pub plausible: Option<Range>,
    /// Periods the data are published after a period ends (0: by the end of the next
    /// period), so a review does not flag data as late before they could exist.
    #[serde(default)]
    pub publication_lag: u32,
    /// Where the data come from.
    #[serde(default)]
    pub data_source: String,
    /// Where the indicator comes from.
    pub source: SourceRef,
    /// Free-text description.
    #[serde(default)]
    pub description: String,
    /// Under the `mdc` profile, what a point flagged both high and low becomes (default: the
    /// set's `conflict`, else improvement).
    #[serde(default)]
    pub conflict: Option<crate::profile::Conflict>,
    /// A plugin measure that supplies this indicator's series instead of the KPI data file:
    /// `plugin:NAME/MEASURE` (the caller computes it and hands the series to the review).
    #[serde(default)]
    pub measure: Option<Spanned<String>>,
    /// Parameters passed to the plugin measure (`{ weeks = "52" }`), as `--param` would.
    #[serde(default)]
    pub measure_parameters: BTreeMap<String, String>,
}

/// Splits a plugin measure's name, `plugin:NAME/MEASURE` (or `NAME/MEASURE`), into the plugin
/// and the measure; `None` when it is not of that form.
pub fn split_plugin_measure(name: &str) -> Option<(&str, &str)> {
    let bare = name.strip_prefix("plugin:").unwrap_or(name);
    bare.split_once('/')
        .filter(|(p, m)| !p.is_empty() && !m.is_empty() && !m.contains('/'))
}

impl Indicator {
    /// The plugin and measure that supply the series, when a plugin measure does.
    pub fn plugin_measure(&self) -> Option<(&str, &str)> {
        self.measure
            .as_ref()
            .and_then(|m| split_plugin_measure(m.get_ref()))
    }

    /// The plan value for a period, if the trajectory has one.
    pub fn plan_for(&self, period: Period) -> Option<f64> {
        self.plan
            .iter()
            .find(|p| Period::parse(p.period.get_ref()).ok() == Some(period))
            .map(|p| p.value)
    }
}

/// A KPI set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiSet {
    /// Always `kpi-set`.
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
    /// Cited documents.
    #[serde(default)]
    pub documents: Documents,
    /// The timeframes, by name.
    #[serde(default)]
    pub timeframes: BTreeMap<String, TimeframeInfo>,
    /// The SPC rule profile for all its indicators (`ptd-0.2.2`, the default, or `mdc`;
    /// `docs/methods/spc-profiles.md`); `--profile` overrides it.
    #[serde(default)]
    pub profile: Option<crate::profile::ProfileKind>,
    /// Under `mdc`, what a point flagged both high and low becomes, for every indicator that
    /// does not say (default improvement).
    #[serde(default)]
    pub conflict: Option<crate::profile::Conflict>,
    /// The indicators.
    pub indicators: Vec<Indicator>,
}

impl KpiSet {
    /// Finds an indicator.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id.get_ref() == id)
    }

    /// Finds a KPI set by path (a `.toml` file that exists) or else by id (and optional
    /// `@version`) among the known frameworks, parses it and checks it.
    /// Also returns which file it was, for provenance.
    pub fn find(
        spec: &str,
        registry: &FrameworkRegistry,
    ) -> Result<(KpiSet, FrameworkUsed), Error> {
        let path = std::path::Path::new(spec);
        let fw = if path.exists() {
            LoadedFramework::parse(SourceFile::read(path)?, Origin::File(path.to_path_buf()))
                .map_err(Error::Invalid)?
        } else {
            let (id, version) = match spec.split_once('@') {
                Some((i, v)) => (i, Some(v)),
                None => (spec, None),
            };
            registry.get(id, version)?.clone()
        };
        if fw.header.kind != FrameworkKind::KpiSet {
            return Err(Error::Invalid(Diagnostics(vec![
                Diagnostic::error(format!(
                    "{} is a {}, not a kpi-set",
                    fw.source.name,
                    fw.header.kind.as_str()
                ))
                .expected("a KPI set: a framework file with kind = \"kpi-set\""),
            ])));
        }
        let set = KpiSet::from_framework(&fw).map_err(Error::Invalid)?;
        Ok((set, FrameworkUsed::of(&fw)))
    }

    /// Reads a KPI set from a loaded framework file and checks it.
    pub fn from_framework(fw: &LoadedFramework) -> Result<KpiSet, Diagnostics> {
        let set: KpiSet = parse_toml(&fw.source)?;
        let diags = set.check(&fw.source);
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(set)
        }
    }

    /// Checks ids, documents, targets and plans, with locations.
    pub fn check(&self, src: &sct_core::SourceFile) -> Diagnostics {
        let mut d = Diagnostics::default();
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for ind in &self.indicators {
            check_id(ind, src, &mut seen, &mut d);
            self.check_sources(ind, src, &mut d);
            check_numbers(ind, src, &mut d);
            check_value_type(ind, src, &mut d);
            check_measure(ind, src, &mut d);
            check_plan(ind, src, &mut d);
        }
        d
    }

    /// Checks that an indicator's sources cite documents in `[documents]`, and that a seed or
    /// national target says where it comes from.
    fn check_sources(&self, ind: &Indicator, src: &sct_core::SourceFile, d: &mut Diagnostics) {
        let doc_ok = |s: &SourceRef, d: &mut Diagnostics| {
            if !self.documents.contains_key(s.doc.get_ref()) {
                d.push(src.error_at(
                    s.doc.span(),
                    format!(
                        "source cites document \"{}\", which is not in [documents]",
                        s.doc.get_ref()
                    ),
                ));
            }
        };
        doc_ok(&ind.source, d);
        if let Some(ts) = &ind.target_source {
            doc_ok(ts, d);
        }
        let note = ind.target_note.filter(|n| n.needs_source());
        if let (Some(note), None) = (note, &ind.target_source) {
            d.push(
                src.error_at(
                    ind.id.span(),
                    format!(
                        "indicator \"{}\" has a {} target but no target_source",
                        ind.id.get_ref(),
                        note.as_str()
                    ),
                )
                .expected("target_source = { doc, section, quote }"),
            );
        }
    }
}

/// Checks that an indicator's id is kebab-case and not used before (`seen` holds where each
/// id was first used).
fn check_id<'a>(
    ind: &'a Indicator,
    src: &sct_core::SourceFile,
    seen: &mut BTreeMap<&'a str, usize>,
    d: &mut Diagnostics,
) {
    let id = ind.id.get_ref();
    if !is_kebab_id(id) {
        d.push(src.error_at(
            ind.id.span(),
            format!("indicator id \"{id}\" is not kebab-case"),
        ));
    }
    if let Some(first) = seen.insert(id, ind.id.span().start) {
        d.push(
            src.error_at(ind.id.span(), format!("duplicate indicator id \"{id}\""))
                .expected(format!(
                    "a unique id; first used at line {}",
                    src.line_col(first).0
                )),
        );
    }
}

/// Checks what an indicator's value type asks of the rest of it: a positive multiplier for a
/// proportion or rate, a Laney chart that fits it, no aggregation for a proportion, and a
/// plausible range whose minimum is below its maximum.
fn check_value_type(ind: &Indicator, src: &sct_core::SourceFile, d: &mut Diagnostics) {
    let id = ind.id.get_ref();
    if matches!(ind.value_type, ValueType::Proportion | ValueType::Rate)
        && ind.multiplier.is_none_or(|m| !(m.is_finite() && m > 0.0))
    {
        d.push(
            src.error_at(
                ind.id.span(),
                format!(
                    "indicator \"{id}\" is a {:?} without a positive multiplier",
                    ind.value_type
                )
                .to_lowercase(),
            )
            .expected("multiplier = 100 for a percentage"),
        );
    }
    let laney = match ind.chart {
        IndicatorChart::Pprime => Some(ValueType::Proportion),
        IndicatorChart::Uprime => Some(ValueType::Rate),
        _ => None,
    };
    if let Some(needed) = laney
        && ind.value_type != needed
    {
        d.push(
            src.error_at(
                ind.id.span(),
                format!(
                    "indicator \"{id}\" asks for a {} chart but is a {}",
                    if needed == ValueType::Proportion { "p′" } else { "u′" },
                    ind.value_type.as_str()
                ),
            )
            .expected(format!(
                "chart = \"pprime\" for a proportion, \"uprime\" for a rate; value_type = \"{}\" here",
                needed.as_str()
            )),
        );
    }
    if ind.aggregation.is_some() && ind.value_type == ValueType::Proportion {
        d.push(
            src.error_at(
                ind.id.span(),
                format!("indicator \"{id}\" is a proportion and sets aggregation"),
            )
            .expected("no aggregation: proportions are recomputed from summed numerators and denominators, never averaged"),
        );
    }
    if let Some(r) = ind.plausible
        && r.min.partial_cmp(&r.max) != Some(std::cmp::Ordering::Less)
    {
        d.push(src.error_at(
            ind.id.span(),
            format!(
                "indicator \"{id}\": plausible min {} is not below max {}",
                r.min, r.max
            ),
        ));
    }
}

/// Checks that a plugin measure names a plugin and a measure, and that measure parameters
/// come with a measure.
fn check_measure(ind: &Indicator, src: &sct_core::SourceFile, d: &mut Diagnostics) {
    let id = ind.id.get_ref();
    if let Some(m) = &ind.measure
        && split_plugin_measure(m.get_ref()).is_none()
    {
        d.push(
            src.error_at(
                m.span(),
                format!(
                    "indicator \"{id}\": measure \"{}\" does not name a plugin and a measure",
                    m.get_ref()
                ),
            )
            .expected("measure = \"plugin:NAME/MEASURE\", as `sct plugins list` names them"),
        );
    }
    if ind.measure.is_none() && !ind.measure_parameters.is_empty() {
        d.push(
            src.error_at(
                ind.id.span(),
                format!("indicator \"{id}\" sets measure_parameters but no measure"),
            )
            .expected("measure = \"plugin:NAME/MEASURE\" with measure_parameters, or neither"),
        );
    }
}

/// Checks that every plan period parses and is of the indicator's period type.
fn check_plan(ind: &Indicator, src: &sct_core::SourceFile, d: &mut Diagnostics) {
    for p in &ind.plan {
        match Period::parse(p.period.get_ref()) {
            Ok(per) if per.kind == ind.period => {}
            Ok(per) => d.push(src.error_at(
                p.period.span(),
                format!(
                    "plan period \"{}\" is a {}, but indicator \"{}\" is by {}",
                    p.period.get_ref(),
                    per.kind.as_str(),
                    ind.id.get_ref(),
                    ind.period.as_str()
                ),
            )),
            Err(e) => d.push(src.error_at(p.period.span(), e)),
        }
    }
}

/// The most decimal places a value is shown with: an f64 holds about 16 significant digits,
/// and far more made the review's formatting panic.
pub const MAX_DECIMALS: u32 = 10;

/// The longest publication lag, in periods: a review steps back one period at a time, and
/// four billion of them never finished.
pub const MAX_PUBLICATION_LAG: u32 = 100;

/// Checks an indicator's numbers: a target, plan values and a plausible range within
/// ±[`MAX_MAGNITUDE`](crate::number::MAX_MAGNITUDE) (NaN compared false with everything, and
/// was shown as no target at all), a multiplier above 0 and at most
/// [`MAX_MULTIPLIER`](crate::number::MAX_MULTIPLIER), and decimals and a publication lag
/// that can be used. Each error is at the indicator's id, or at a plan point's period.
fn check_numbers(ind: &Indicator, src: &sct_core::SourceFile, d: &mut Diagnostics) {
    use crate::number::{MAX_MULTIPLIER, check, show};
    let id = ind.id.get_ref();
    let at_id = |message: String, expected: &str| {
        src.error_at(ind.id.span(), format!("indicator \"{id}\": {message}"))
            .expected(expected.to_string())
    };
    let mut numbers: Vec<(String, f64)> = Vec::new();
    numbers.extend(ind.target.map(|t| ("target".to_string(), t)));
    if let Some(r) = ind.plausible {
        numbers.push(("plausible min".into(), r.min));
        numbers.push(("plausible max".into(), r.max));
    }
    for (what, v) in numbers {
        if let Err(e) = check(v) {
            d.push(at_id(format!("{what} {} {e}", show(v)), e.expected()));
        }
    }
    for p in &ind.plan {
        if let Err(e) = check(p.value) {
            d.push(
                src.error_at(
                    p.period.span(),
                    format!(
                        "indicator \"{id}\": plan value {} for {} {e}",
                        show(p.value),
                        p.period.get_ref()
                    ),
                )
                .expected(e.expected()),
            );
        }
    }
    // A proportion or rate without a positive multiplier is reported by the caller.
    let ratio = matches!(ind.value_type, ValueType::Proportion | ValueType::Rate);
    if let Some(m) = ind.multiplier
        && !(m > 0.0 && m <= MAX_MULTIPLIER)
        && !(ratio && !(m.is_finite() && m > 0.0))
    {
        d.push(at_id(
            format!("multiplier {} is not allowed", show(m)),
            "a multiplier above 0 and at most 1e9 (100 for a percentage, 100000 per 100,000)",
        ));
    }
    if let Some(places) = ind.decimals.filter(|&p| p > MAX_DECIMALS) {
        d.push(at_id(
            format!("decimals = {places} is more than {MAX_DECIMALS}"),
            "decimals from 0 to 10",
        ));
    }
    if ind.publication_lag > MAX_PUBLICATION_LAG {
        d.push(at_id(
            format!(
                "publication_lag = {} is more than {MAX_PUBLICATION_LAG} periods",
                ind.publication_lag
            ),
            "a publication lag from 0 to 100 periods",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_measure_names_split_into_plugin_and_measure() {
        assert_eq!(
            split_plugin_measure("plugin:waiting-list-weekly/long-waits"),
            Some(("waiting-list-weekly", "long-waits"))
        );
        assert_eq!(split_plugin_measure("local/m"), Some(("local", "m")));
        for bad in ["plugin:p", "plugin:/m", "plugin:p/", "p/m/x", ""] {
            assert_eq!(split_plugin_measure(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_malformed_measure_and_parameters_without_one_are_errors_at_their_line() {
        let text = r#"kind = "kpi-set"
id = "t"
version = "1"
title = "T"
source = "test"
status = "example"
[documents]
d = { title = "D" }
[[indicators]]
id = "a"
title = "A"
timeframe = "leading"
period = "week"
value_type = "count"
improvement = "decrease"
measure = "waiting-list-weekly"
source = { doc = "d", section = "1", quote = "q" }
[[indicators]]
id = "b"
title = "B"
timeframe = "leading"
period = "week"
value_type = "count"
improvement = "decrease"
measure_parameters = { weeks = "52" }
source = { doc = "d", section = "1", quote = "q" }
"#;
        let src = sct_core::SourceFile::from_text("t.toml", text);
        let set: KpiSet = sct_core::load::parse_toml(&src).unwrap();
        let d = set.check(&src);
        let found: Vec<(String, Option<usize>)> = d
            .iter()
            .map(|x| (x.message.clone(), x.location.as_ref().map(|l| l.line)))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "indicator \"a\": measure \"waiting-list-weekly\" does not name a plugin and a measure".to_string(),
                    Some(16)
                ),
                (
                    "indicator \"b\" sets measure_parameters but no measure".to_string(),
                    Some(19)
                ),
            ]
        );
    }
}
