//! `sct kpi spc` output: one CSV writer, one JSON writer and one summary for a [`ChartRun`] of
//! any chart, in its [`Layout`]: `--chart xmr` writes the XmR profile's judgement
//! (`date,value,mean,lpl,upl,point_type`, then the rules behind each flag and their
//! explanation; schema `sct-kpi-spc/1`), the other charts the shared layout
//! (`date,value,centre,lpl,upl,point_type`, then the chart and the settings per row; schema
//! `sct-kpi-spc-chart/1`). Columns and fields as `docs/methods/spc.md`,
//! `docs/methods/run-charts.md` and the README describe them.

use std::fmt::Write as _;

use serde_json::{Value, json};

use sct_core::csv_out::CsvWriter;

use crate::chart::{ChartKind, Limits};
use crate::chart_input::SeriesData;
use crate::chart_run::{ChartRun, Layout};
use crate::profile::{self, Hit, Judged};
use crate::runchart::RunRules;
use crate::spc::{Rule, constants};

/// The printed name of a rule.
fn rule_name(rule: Option<Rule>) -> &'static str {
    rule.map(profile::rule_id).unwrap_or_default()
}

/// The CSV, one row per point. `--chart xmr`: `date,value,mean,lpl,upl,point_type`, then
/// `segment`, `rule` (the first rule), `warning`, the `shift_length` and `trend_length` used,
/// every rule behind the flag (`rules`) and its `explanation`, the `profile`, any gap before
/// the point and the rebase log row that starts a segment there; with a comparison, the other
/// profile's judgement of the points it judges differently. Other charts:
/// `date,value,centre,lpl,upl,point_type` (limits empty for a run chart), then
/// `chart,segment,rule,warning`, and the settings used: `run_rules` (`anhoj` or `fixed`; empty
/// on XmR rows, whose rules are `spc.md`'s), `shift_length`, `trend_length` (fixed rules and
/// XmR), `screen_outliers` (XmR; p′ and u′: of moving ranges of z), `multiplier` (from
/// numerators and denominators).
pub fn to_csv(run: &ChartRun) -> String {
    let layout = run.layout();
    let mut w = CsvWriter::new();
    w.row(header(run, layout));
    let mut row = RowBuffer::default();
    for i in 0..run.len() {
        row.start();
        match layout {
            Layout::Xmr(x) => xmr_row(run, x, i, &mut row),
            Layout::Chart => chart_row(run, i, &mut row),
        }
        w.row(row.fields());
    }
    w.finish()
}

/// One CSV row's fields, kept from row to row: once each field has grown to its width,
/// writing a row allocates nothing (a series of a million points writes a million rows).
#[derive(Default)]
struct RowBuffer {
    fields: Vec<String>,
    used: usize,
}

impl RowBuffer {
    /// Starts the next row.
    fn start(&mut self) {
        self.used = 0;
    }

    /// The next field, empty.
    fn next(&mut self) -> &mut String {
        if self.used == self.fields.len() {
            self.fields.push(String::new());
        }
        let field = &mut self.fields[self.used];
        field.clear();
        self.used += 1;
        field
    }

    /// A field of text.
    fn text(&mut self, text: &str) {
        self.next().push_str(text);
    }

    /// A field as `value` displays itself (as `to_string` would write it).
    fn show(&mut self, value: impl std::fmt::Display) {
        let _ = write!(self.next(), "{value}");
    }

    /// A number, or an empty field.
    fn number(&mut self, value: Option<f64>) {
        let field = self.next();
        if let Some(v) = value {
            let _ = write!(field, "{v}");
        }
    }

    /// A point's date (`2024-01-01`), or an empty field.
    fn date(&mut self, run: &ChartRun, i: usize) {
        let field = self.next();
        if let Some(d) = run.data.date(i) {
            let _ = write!(field, "{}", d.format("%Y-%m-%d"));
        }
    }

    /// The row so far.
    fn fields(&self) -> &[String] {
        &self.fields[..self.used]
    }
}

/// The CSV's header row.
fn header(run: &ChartRun, layout: Layout) -> Vec<&'static str> {
    let (date_to_type, rest): (_, &[&str]) = match layout {
        Layout::Xmr(_) => (
            ["date", "value", "mean", "lpl", "upl", "point_type"],
            &[
                "segment",
                "rule",
                "warning",
                "shift_length",
                "trend_length",
                "rules",
                "explanation",
                "profile",
                "gap_before",
                "rebase_log",
            ],
        ),
        Layout::Chart => (
            ["date", "value", "centre", "lpl", "upl", "point_type"],
            &[
                "chart",
                "segment",
                "rule",
                "warning",
                "run_rules",
                "shift_length",
                "trend_length",
                "screen_outliers",
                "multiplier",
            ],
        ),
    };
    let mut header: Vec<&str> = date_to_type
        .into_iter()
        .chain(rest.iter().copied())
        .collect();
    if let (Layout::Xmr(_), Some(_)) = (layout, &run.compare) {
        header.extend([
            "compare_profile",
            "compare_point_type",
            "compare_rules",
            "compare_explanation",
        ]);
    }
    header
}

/// Point `i`'s row of the XmR layout.
fn xmr_row(run: &ChartRun, x: &Judged, i: usize, row: &mut RowBuffer) {
    let r = &x.result;
    let seg = &r.segments[r.segment_of[i]];
    let o = &run.options;
    row.date(run, i);
    row.show(run.result.values[i]);
    row.show(seg.mean);
    row.number(seg.lpl);
    row.number(seg.upl);
    row.text(r.point_type[i].as_str());
    row.show(r.segment_of[i] + 1);
    row.text(rule_name(r.rule[i]));
    row.text(xmr_warning(run, x, i));
    row.show(o.shift_length);
    row.show(o.trend_length);
    row.text(&profile::rules_text(&x.hits[i]));
    row.text(&run.explanation(x, i));
    row.text(&x.profile);
    row.text(run.gap_before(i).map_or("", |g| g.reason.as_str()));
    match run.rebase_entry(i) {
        Some(e) => row.text(&e.describe()),
        None => row.text(""),
    }
    if let Some(c) = &run.compare {
        if c.differences.binary_search(&i).is_ok() {
            let b = &c.judged;
            row.text(&b.profile);
            row.text(b.result.point_type[i].as_str());
            row.text(&profile::rules_text(&b.hits[i]));
            row.text(&run.explanation(b, i));
        } else {
            for _ in 0..4 {
                row.text("");
            }
        }
    }
}

/// Point `i`'s row of the layout every other chart shares.
fn chart_row(run: &ChartRun, i: usize, row: &mut RowBuffer) {
    let Some(p) = run.result.point(i) else {
        return;
    };
    let chart = run
        .result
        .segments
        .get(p.segment)
        .map_or("", |s| s.chart.as_str());
    row.date(run, i);
    row.show(p.value);
    row.show(p.centre);
    row.number(p.lpl);
    row.number(p.upl);
    row.text(p.point_type.as_str());
    row.text(chart);
    row.show(p.segment + 1);
    row.text(rule_name(p.rule));
    row.text(segment_warning(run, p.segment));
    row_settings(run, p.segment, row);
}

/// The warning for point `i` of an XmR chart, if its segment's limits are unreliable or
/// undefined (§5, §12), or withheld by the profile.
fn xmr_warning(run: &ChartRun, x: &Judged, i: usize) -> &'static str {
    let seg = &x.result.segments[x.result.segment_of[i]];
    let p = &run.options.profile;
    let withheld = p.kind == profile::ProfileKind::Mdc && seg.n < p.min_points;
    match (withheld, seg.amr.is_none(), seg.n < constants::MIN_POINTS) {
        (true, _, _) => "no limits or flags: too few points for the mdc profile",
        (false, true, _) => "limits undefined: no moving range remains",
        (false, false, true) => "limits unreliable: fewer than 13 points in the segment",
        _ => "",
    }
}

/// The warning for a segment's points, if any.
fn segment_warning(run: &ChartRun, segment: usize) -> &'static str {
    let Some(seg) = run.result.segments.get(segment) else {
        return "";
    };
    match seg.chart {
        ChartKind::Xmr => match (seg.amr.is_none(), seg.n < constants::MIN_POINTS) {
            (true, _) => "limits undefined: no moving range remains",
            (false, true) => "limits unreliable: fewer than 13 points in the segment",
            _ => "",
        },
        ChartKind::Run | ChartKind::PPrime | ChartKind::UPrime => {
            if seg.no_sigma.is_some() {
                "limits undefined: no sigma_z"
            } else if seg.runs.is_some_and(|r| r.n_useful == 0) {
                "no runs analysis: every point is on the centre line"
            } else {
                ""
            }
        }
    }
}

/// The per-row settings of a segment: run rules, shift and trend lengths, screening,
/// multiplier (empty where they do not apply).
fn row_settings(run: &ChartRun, segment: usize, row: &mut RowBuffer) {
    let o = &run.options;
    let Some(seg) = run.result.segments.get(segment) else {
        for _ in 0..5 {
            row.text("");
        }
        return;
    };
    match (seg.chart, o.run_rules) {
        (ChartKind::Xmr, _) => {
            row.text("");
            row.show(o.shift_length);
            row.show(o.trend_length);
        }
        (_, RunRules::Anhoj) => {
            row.text("anhoj");
            row.text("");
            row.text("");
        }
        (
            _,
            RunRules::Fixed {
                shift_length,
                trend_length,
            },
        ) => {
            row.text("fixed");
            row.show(shift_length);
            row.show(trend_length);
        }
    }
    match seg.chart {
        ChartKind::PPrime | ChartKind::UPrime => row.show(o.laney_screen_outliers),
        ChartKind::Xmr => row.show(o.xmr_screen_outliers),
        ChartKind::Run => row.text(""),
    }
    match run.data {
        SeriesData::Counts(_) => row.show(o.multiplier),
        SeriesData::Values(_) => row.text(""),
    }
}

/// The settings, in words and values, named in every output.
pub fn settings(run: &ChartRun) -> Value {
    match run.layout() {
        Layout::Xmr(x) => xmr_settings(run, x),
        Layout::Chart => chart_settings(run),
    }
}

/// The rebase dates as printed.
fn rebase_dates(run: &ChartRun) -> Vec<String> {
    run.rebase
        .iter()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect()
}

/// The settings of an XmR chart.
fn xmr_settings(run: &ChartRun, x: &Judged) -> Value {
    let o = &run.options;
    json!({
        "method": "XmR (Making Data Count) as docs/methods/spc.md, with the rule profile of docs/methods/spc-profiles.md",
        "profile": x.profile,
        "profile_description": o.profile.describe(),
        "improvement": o.improvement.as_str(),
        "target": o.target,
        "rebase": rebase_dates(run),
        "rebase_log": run.rebase_log,
        "fix_after": o.fix_after,
        "screen_outliers": o.profile.screen_outliers,
        "shift_length": o.shift_length,
        "trend_length": o.trend_length,
        "gaps": if run.join_gaps { "joined (--join-gaps): values either side of a gap are treated as consecutive" } else { "not joined: no moving range, run or window spans a gap" },
    })
}

/// The settings of the other charts.
fn chart_settings(run: &ChartRun) -> Value {
    let o = &run.options;
    let (fixed_shift, fixed_trend) = match o.run_rules {
        RunRules::Fixed {
            shift_length,
            trend_length,
        } => (Some(shift_length), Some(trend_length)),
        RunRules::Anhoj => (None, None),
    };
    json!({
        "method": "run charts (Anhøj rules) and Laney p′/u′ charts as docs/methods/run-charts.md and laney.md (qicharts2); XmR as docs/methods/spc.md",
        "chart": o.chart.as_str(),
        "min_points": o.min_points,
        "run_rules": o.run_rules.as_str(),
        "run_rules_text": o.run_rules.describe(),
        "run_shift_length": fixed_shift,
        "run_trend_length": fixed_trend,
        "improvement": o.improvement.as_str(),
        "target": o.target,
        "rebase": rebase_dates(run),
        "fix_after": o.fix_after,
        "xmr_screen_outliers": o.xmr_screen_outliers,
        "xmr_shift_length": o.shift_length,
        "xmr_trend_length": o.trend_length,
        "laney_screen_outliers": o.laney_screen_outliers,
        "multiplier": match run.data {
            SeriesData::Counts(_) => Some(o.multiplier),
            SeriesData::Values(_) => None,
        },
    })
}

/// The `--summary` JSON: the icons, one group per segment, the settings and the warnings;
/// for XmR also the gaps, the suggested rebases and any comparison, for the other charts the
/// runs analysis of `docs/methods/run-charts.md` §3–§5 per group (`chart`, `n`, `centre`,
/// `n_useful`, `longest_run`, `longest_run_max`, `crossings`, `crossings_min`,
/// `runs_signal`, …).
pub fn summary(run: &ChartRun) -> Value {
    match run.layout() {
        Layout::Xmr(x) => xmr_summary(run, x),
        Layout::Chart => chart_summary(run),
    }
}

/// `--format json`: the points and the summary together (schema `sct-kpi-spc/1` for XmR,
/// `sct-kpi-spc-chart/1` for the other charts).
pub fn to_json(run: &ChartRun) -> Value {
    let (schema, points) = match run.layout() {
        Layout::Xmr(x) => ("sct-kpi-spc/1", xmr_points(run, x)),
        Layout::Chart => ("sct-kpi-spc-chart/1", chart_points(run)),
    };
    json!({ "schema": schema, "points": points, "summary": summary(run) })
}

/// The summary of an XmR chart.
fn xmr_summary(run: &ChartRun, x: &Judged) -> Value {
    let groups: Vec<Value> = x
        .result
        .segments
        .iter()
        .map(|s| {
            json!({
                "start": run.label(s.start),
                "n": s.n,
                "base": s.base,
                "mean": s.mean,
                "amr": s.amr,
                "lpl": s.lpl,
                "upl": s.upl,
                "screened_moving_ranges": s.screened,
                "common_cause": s.common_cause,
                "improvement": s.improvement,
                "concern": s.concern,
                "neutral": s.neutral,
                "rebase_log": run.rebase_entry(s.start),
            })
        })
        .collect();
    let gaps: Vec<Value> = run
        .gaps
        .iter()
        .map(|g| json!({ "before": run.label(g.before), "periods": g.periods, "reason": g.reason }))
        .collect();
    let mut v = json!({
        "variation_icon": x.variation_icon(),
        "assurance_icon": x.assurance_icon(),
        "profile": x.profile,
        "groups": groups,
        "settings": xmr_settings(run, x),
        "gaps": gaps,
        "suggested_rebases": run.suggestion_texts(),
        "warnings": x.result.warnings,
    });
    if let Some(c) = comparison_json(run, x) {
        v["comparison"] = c;
    }
    v
}

/// The hits of a point as JSON, dated.
fn hits_json(run: &ChartRun, hits: &[Hit]) -> Value {
    Value::Array(
        hits.iter()
            .map(|h| {
                json!({
                    "rule": profile::rule_id(h.rule),
                    "first": run.label(h.first),
                    "last": run.label(h.last),
                    "position": h.position,
                    "points": h.len,
                    "direction": if h.high { "high" } else { "low" },
                })
            })
            .collect(),
    )
}

/// The comparison of an XmR chart with a second profile, if any.
fn comparison_json(run: &ChartRun, x: &Judged) -> Option<Value> {
    let c = run.compare.as_ref()?;
    let b = &c.judged;
    let points: Vec<Value> = c
        .differences
        .iter()
        .map(|&i| {
            json!({
                "date": run.label(i),
                "value": run.result.values[i],
                "point_type": x.result.point_type[i].as_str(),
                "rules": profile::rules_text(&x.hits[i]),
                "explanation": run.explanation(x, i),
                "compare_point_type": b.result.point_type[i].as_str(),
                "compare_rules": profile::rules_text(&b.hits[i]),
                "compare_explanation": run.explanation(b, i),
            })
        })
        .collect();
    Some(json!({
        "profile": x.profile,
        "compare_profile": b.profile,
        "compare_profile_description": c.profile.describe(),
        "variation_icon": x.variation_icon(),
        "compare_variation_icon": b.variation_icon(),
        "assurance_icon": x.assurance_icon(),
        "compare_assurance_icon": b.assurance_icon(),
        "points": points,
    }))
}

/// The points of an XmR chart as JSON.
fn xmr_points(run: &ChartRun, x: &Judged) -> Vec<Value> {
    let r = &x.result;
    (0..run.len())
        .map(|i| {
            let seg = &r.segments[r.segment_of[i]];
            let explanation = run.explanation(x, i);
            json!({
                "date": run.label(i),
                "value": run.result.values[i],
                "mean": seg.mean,
                "lpl": seg.lpl,
                "upl": seg.upl,
                "point_type": r.point_type[i].as_str(),
                "segment": r.segment_of[i] + 1,
                "rule": r.rule[i],
                "rules": hits_json(run, &x.hits[i]),
                "explanation": Some(explanation).filter(|e| !e.is_empty()),
                "gap_before": run.gap_before(i).map(|g| g.reason.clone()),
                "warning": Some(xmr_warning(run, x, i)).filter(|w| !w.is_empty()),
            })
        })
        .collect()
}

/// The summary of the other charts.
fn chart_summary(run: &ChartRun) -> Value {
    let groups: Vec<Value> = run
        .result
        .segments
        .iter()
        .map(|s| {
            let r = s.runs;
            let (lpl, upl) = match &s.limits {
                Limits::Constant { lpl, upl } => (Some(*lpl), Some(*upl)),
                _ => (None, None),
            };
            json!({
                "chart": s.chart.as_str(),
                "chart_reason": s.reason.describe(s.chart),
                "start": run.data.date(s.start).map(|d| d.format("%Y-%m-%d").to_string()),
                "n": s.n,
                "base": s.base,
                "centre": s.centre,
                "n_useful": r.map(|r| r.n_useful),
                "longest_run": r.and_then(|r| r.longest_run),
                "longest_run_max": r.and_then(|r| r.longest_run_max),
                "crossings": r.and_then(|r| r.crossings),
                "crossings_min": r.and_then(|r| r.crossings_min),
                "runs_signal": r.map(|r| r.runs_signal),
                "long_run_signal": r.map(|r| r.long_run_signal),
                "crossings_signal": r.map(|r| r.crossings_signal),
                "trend_signal": r.map(|r| r.trend_signal),
                "lpl": lpl,
                "upl": upl,
                "amr": s.amr,
                "sigma_z": s.sigma_z,
                "screened_moving_ranges": s.screened,
                "common_cause": s.common_cause,
                "improvement": s.improvement,
                "concern": s.concern,
                "neutral": s.neutral,
            })
        })
        .collect();
    json!({
        "chart": run.options.chart.as_str(),
        "variation_icon": run.result.variation_icon.as_str(),
        "variation_text": run.result.variation_icon.text(),
        "assurance_icon": run.result.assurance_icon.map(|a| a.as_str()),
        "groups": groups,
        "settings": chart_settings(run),
        "warnings": run.result.warnings,
    })
}

/// The points of the other charts as JSON, with the numerator and denominator of each when
/// read from counts.
fn chart_points(run: &ChartRun) -> Vec<Value> {
    let points = (0..run.len()).filter_map(|i| Some((i, run.result.point(i)?)));
    points
        .map(|(i, p)| {
            let mut v = json!({
                "date": run.label(i),
                "value": p.value,
                "centre": p.centre,
                "lpl": p.lpl,
                "upl": p.upl,
                "point_type": p.point_type.as_str(),
                "chart": run.result.segments.get(p.segment).map(|s| s.chart.as_str()),
                "segment": p.segment + 1,
                "rule": p.rule,
                "warning": Some(segment_warning(run, p.segment)).filter(|w| !w.is_empty()),
            });
            if let (SeriesData::Counts(c), Some(obj)) = (&run.data, v.as_object_mut())
                && let Some(c) = c.get(i)
            {
                obj.insert("numerator".into(), json!(c.numerator));
                obj.insert("denominator".into(), json!(c.denominator));
            }
            v
        })
        .collect()
}
