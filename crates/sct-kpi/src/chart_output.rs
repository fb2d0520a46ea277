//! `sct kpi spc` output: one CSV writer, one JSON writer and one summary for a [`ChartRun`] of
//! any chart, in its [`Layout`]: `--chart xmr` writes the XmR profile's judgement
//! (`date,value,mean,lpl,upl,point_type`, then the rules behind each flag and their
//! explanation; schema `sct-kpi-spc/1`), the other charts the shared layout
//! (`date,value,centre,lpl,upl,point_type`, then the chart and the settings per row; schema
//! `sct-kpi-spc-chart/1`). Columns and fields as `docs/methods/spc.md`,
//! `docs/methods/run-charts.md` and the README describe them.

use std::ops::Range;

use serde_json::{Value, json};

use sct_core::decimal;

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
    let mut out = Vec::new();
    // Writing to memory cannot fail, and every field written is UTF-8.
    let _ = write_csv(run, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`to_csv`] written into `out` row by row, as [`sct_core::csv_out::CsvWriter`] would write
/// it: a series of a million points is never held whole, and no field allocates. The rows
/// of a long series are made a piece at a time on the machine's cores and written in order
/// ([`sct_core::pieces::write_pieces`]).
pub fn write_csv(run: &ChartRun, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_csv_in(run, out, PIECE)
}

/// [`write_csv`] with pieces of `piece` points.
fn write_csv_in(run: &ChartRun, out: &mut dyn std::io::Write, piece: usize) -> std::io::Result<()> {
    let layout = run.layout();
    let mut row = Row::new();
    for name in header(run, layout) {
        row.text(name);
    }
    row.end();
    out.write_all(&row.buf)?;
    let rows =
        |(row, gaps, cached, segment): &mut CsvState, points: Range<usize>, buf: &mut Vec<u8>| {
            std::mem::swap(&mut row.buf, buf);
            for i in points {
                match layout {
                    Layout::Xmr(x) => {
                        let k = segment.of(&x.result.segments, i);
                        xmr_row(run, x, (k, i), gaps, cached, row);
                    }
                    Layout::Chart => chart_row(run, i, row),
                }
                row.end();
            }
            std::mem::swap(&mut row.buf, buf);
        };
    let state = || {
        let row = Row::new();
        (
            row,
            GapCursor::new(run),
            SegmentText::default(),
            SegmentCursor::default(),
        )
    };
    sct_core::pieces::write_pieces(run.len(), piece, out, state, rows)?;
    out.flush()
}

/// What a thread making CSV rows keeps from row to row.
type CsvState = (Row, GapCursor, SegmentText, SegmentCursor);

/// Points made into text per piece: about half a megabyte of CSV, so that handing a piece
/// between threads costs little beside making it.
const PIECE: usize = 1 << 12;

/// Points per piece of the JSON: a point's JSON is about three times its CSV row, so a
/// quarter of [`PIECE`] keeps a piece near 350 KB. Whole megabytes, handed from the thread
/// that made them to the one writing them, measured a few percent slower on two cores.
const JSON_PIECE: usize = PIECE / 4;

/// Rows of CSV written into a buffer: each field is neutralised and quoted as
/// [`sct_core::csv_out::CsvWriter`] does it, numbers and dates written without `core::fmt`
/// in the same bytes as `Display` and `%Y-%m-%d`.
struct Row {
    buf: Vec<u8>,
    /// A field being made before it is quoted into `buf` (an explanation).
    scratch: Vec<u8>,
    /// Whether the next field is the row's first (no comma before it).
    first: bool,
}

impl Row {
    fn new() -> Self {
        Row {
            buf: Vec::new(),
            scratch: Vec::new(),
            first: true,
        }
    }

    /// Starts the next field.
    #[inline]
    fn sep(&mut self) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
    }

    /// A field of text.
    #[inline]
    fn text(&mut self, text: &str) {
        self.sep();
        push_field(&mut self.buf, text);
    }

    /// A field of text written by `write` (into a buffer kept from field to field), then
    /// quoted as [`Row::text`] quotes it.
    #[inline]
    fn text_with(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        self.sep();
        self.scratch.clear();
        write(&mut self.scratch);
        push_field_bytes(&mut self.buf, &self.scratch);
    }

    /// Bytes already made into fields (from [`SegmentText`]), commas included.
    #[inline]
    fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// A number as `Display` writes it.
    #[inline]
    fn show(&mut self, value: f64) {
        self.sep();
        push_number(&mut self.buf, value);
    }

    /// A number, or an empty field.
    #[inline]
    fn number(&mut self, value: Option<f64>) {
        self.sep();
        if let Some(v) = value {
            push_number(&mut self.buf, v);
        }
    }

    /// A count.
    #[inline]
    fn int(&mut self, value: usize) {
        self.sep();
        decimal::push_u64(&mut self.buf, value as u64);
    }

    /// `true` or `false`.
    fn flag(&mut self, value: bool) {
        self.text(if value { "true" } else { "false" });
    }

    /// A point's date (`2024-01-01`), or an empty field.
    #[inline]
    fn date(&mut self, run: &ChartRun, i: usize) {
        self.sep();
        if let Some(d) = run.data.date(i) {
            decimal::push_date(&mut self.buf, d);
        }
    }

    /// Ends the row.
    #[inline]
    fn end(&mut self) {
        self.buf.push(b'\n');
        self.first = true;
    }
}

/// `text` as a CSV field: neutralised and quoted as [`sct_core::csv_out::CsvWriter`] does
/// it.
#[inline]
fn push_field(buf: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let plain = bytes.first().is_none_or(|b| !b"=+-@\t\r".contains(b))
        && !bytes
            .iter()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    if plain {
        buf.extend_from_slice(bytes);
    } else {
        push_quoted(buf, text);
    }
}

/// [`push_field`] of text given as its bytes (UTF-8): a field with a comma but no quote and
/// no formula start, as an explanation is, is quoted here without going through
/// [`push_quoted`].
#[inline]
fn push_field_bytes(buf: &mut Vec<u8>, bytes: &[u8]) {
    let formula = bytes.first().is_some_and(|b| b"=+-@\t\r".contains(b));
    let special = |b: &u8| matches!(b, b',' | b'"' | b'\n' | b'\r');
    if !formula && !bytes.contains(&b'"') {
        let quote = bytes.iter().any(special);
        if quote {
            buf.push(b'"');
        }
        buf.extend_from_slice(bytes);
        if quote {
            buf.push(b'"');
        }
    } else {
        push_quoted(buf, std::str::from_utf8(bytes).unwrap_or_default());
    }
}

/// The segment of each point, met in point order: found by moving forward through the
/// segments (which cover the points one after another), never by a per-point table.
#[derive(Default)]
struct SegmentCursor {
    k: usize,
}

impl SegmentCursor {
    /// The index of point `i`'s segment (points asked for in increasing order).
    #[inline]
    fn of(&mut self, segments: &[crate::spc::Segment], i: usize) -> usize {
        while segments.get(self.k + 1).is_some_and(|s| s.start <= i) {
            self.k += 1;
        }
        self.k
    }
}

/// A field that may need a `'` in front or quotes around it (see `sct_core::csv_out`).
#[cold]
fn push_quoted(buf: &mut Vec<u8>, text: &str) {
    let safe = sct_core::csv_out::neutralise(text);
    let bytes = safe.as_bytes();
    if bytes
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        buf.push(b'"');
        // Runs without a quote copied whole, each quote doubled.
        for (k, part) in bytes.split(|&b| b == b'"').enumerate() {
            if k > 0 {
                buf.extend_from_slice(b"\"\"");
            }
            buf.extend_from_slice(part);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(bytes);
    }
}

/// `v` as `Display` writes it into a CSV field: a finite number is a plain decimal, which
/// never needs quoting; anything else goes through the quoting rules.
#[inline]
fn push_number(buf: &mut Vec<u8>, v: f64) {
    if v.is_finite() {
        decimal::push_f64(buf, v);
    } else {
        let text = v.to_string();
        buf.extend_from_slice(sct_core::csv_out::neutralise(&text).as_bytes());
    }
}

/// The fields a segment's points share, written once per segment rather than once per
/// point: `,mean,lpl,upl` of an XmR row, then `,segment`, then `,warning,shift_length,
/// trend_length`; and the run's `,profile`, written once.
#[derive(Default)]
struct SegmentText {
    segment: Option<usize>,
    bytes: Vec<u8>,
    number: Vec<u8>,
    settings: Vec<u8>,
    profile: Option<Vec<u8>>,
}

impl SegmentText {
    /// Makes the fields of segment `k` of `x`.
    fn make(&mut self, run: &ChartRun, x: &Judged, k: usize) {
        let seg = &x.result.segments[k];
        let o = &run.options;
        self.segment = Some(k);
        self.bytes.clear();
        for v in [Some(seg.mean), seg.lpl, seg.upl] {
            self.bytes.push(b',');
            if let Some(v) = v {
                push_number(&mut self.bytes, v);
            }
        }
        self.number.clear();
        self.number.push(b',');
        decimal::push_u64(&mut self.number, k as u64 + 1);
        self.settings.clear();
        self.settings.push(b',');
        push_field(&mut self.settings, xmr_warning(run, x, k));
        for n in [o.shift_length, o.trend_length] {
            self.settings.push(b',');
            decimal::push_u64(&mut self.settings, n as u64);
        }
        if self.profile.is_none() {
            let mut profile = vec![b','];
            push_field(&mut profile, &x.profile);
            self.profile = Some(profile);
        }
    }
}

/// The gaps met in point order: each point's gap is found by moving forward, not by a search
/// of every gap.
struct GapCursor {
    next: usize,
    /// Whether the gaps are in point order (as `find_gaps` gives them); if not, each point's
    /// gap is searched for.
    sorted: bool,
}

impl GapCursor {
    fn new(run: &ChartRun) -> Self {
        GapCursor {
            next: 0,
            sorted: run.gaps.windows(2).all(|w| w[0].before <= w[1].before),
        }
    }

    /// The gap before point `i` (points asked for in increasing order).
    fn before<'r>(&mut self, run: &'r ChartRun, i: usize) -> Option<&'r crate::spc_input::Gap> {
        if !self.sorted {
            return run.gap_before(i);
        }
        let gaps = &run.gaps;
        while gaps.get(self.next).is_some_and(|g| g.before < i) {
            self.next += 1;
        }
        gaps.get(self.next).filter(|g| g.before == i)
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

/// Point `i`'s row of the XmR layout, `k` being its segment.
fn xmr_row(
    run: &ChartRun,
    x: &Judged,
    (k, i): (usize, usize),
    gaps: &mut GapCursor,
    cached: &mut SegmentText,
    row: &mut Row,
) {
    let r = &x.result;
    row.date(run, i);
    row.show(run.result.values[i]);
    if cached.segment != Some(k) {
        cached.make(run, x, k);
    }
    row.raw(&cached.bytes);
    row.text(r.point_type[i].as_str());
    row.raw(&cached.number);
    row.text(rule_name(r.rule[i]));
    row.raw(&cached.settings);
    let hits = &x.hits[i];
    if hits.is_empty() {
        row.raw(b",,");
    } else {
        row.text_with(|out| profile::write_rules_text(out, hits));
        row.text_with(|out| run.write_explanation(x, i, out));
    }
    row.raw(cached.profile.as_deref().unwrap_or_default());
    row.text(gaps.before(run, i).map_or("", |g| g.reason.as_str()));
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
fn chart_row(run: &ChartRun, i: usize, row: &mut Row) {
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
    row.int(p.segment + 1);
    row.text(rule_name(p.rule));
    row.text(segment_warning(run, p.segment));
    row_settings(run, p.segment, row);
}

/// The warning for the points of segment `k` of an XmR chart, if its limits are unreliable
/// or undefined (§5, §12), or withheld by the profile.
fn xmr_warning(run: &ChartRun, x: &Judged, k: usize) -> &'static str {
    let seg = &x.result.segments[k];
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
fn row_settings(run: &ChartRun, segment: usize, row: &mut Row) {
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
            row.int(o.shift_length);
            row.int(o.trend_length);
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
            row.int(shift_length);
            row.int(trend_length);
        }
    }
    match seg.chart {
        ChartKind::PPrime | ChartKind::UPrime => row.flag(o.laney_screen_outliers),
        ChartKind::Xmr => row.flag(o.xmr_screen_outliers),
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

/// [`to_json`] written into `out` as serde_json's pretty printer writes it, followed by a line
/// break, point by point: the points are never held as a tree of values (a million points
/// would take gigabytes), and an XmR chart's points are written without one at all.
pub fn write_json(run: &ChartRun, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_json_in(run, out, JSON_PIECE)
}

/// [`write_json`] with an XmR chart's points made in pieces of `piece` points (see
/// [`sct_core::pieces::write_pieces`]).
fn write_json_in(
    run: &ChartRun,
    out: &mut dyn std::io::Write,
    piece: usize,
) -> std::io::Result<()> {
    let layout = run.layout();
    let mut buf = Vec::new();
    out.write_all(b"{\n  \"points\": [")?;
    let written = match layout {
        Layout::Xmr(x) => {
            let points = |w: &mut JsonPoints, points: Range<usize>, b: &mut Vec<u8>| {
                for i in points {
                    b.extend_from_slice(if i == 0 { b"\n    " } else { b",\n    " });
                    w.xmr_point(b, run, x, i);
                }
            };
            let state = || JsonPoints::new(run);
            sct_core::pieces::write_pieces(run.len(), piece, out, state, points)?;
            run.len()
        }
        Layout::Chart => chart_json_points(run, out, &mut buf)?,
    };
    if written > 0 {
        buf.extend_from_slice(b"\n  ");
    }
    let schema = match layout {
        Layout::Xmr(_) => "sct-kpi-spc/1",
        Layout::Chart => "sct-kpi-spc-chart/1",
    };
    buf.extend_from_slice(b"],\n  \"schema\": ");
    push_json_str(&mut buf, schema);
    buf.extend_from_slice(b",\n  \"summary\": ");
    indented(&mut buf, &summary(run), 2);
    buf.extend_from_slice(b"\n}\n");
    out.write_all(&buf)?;
    out.flush()
}

/// The points of a chart other than XmR, each through a tree of values, into `buf`, which
/// is handed to `out` as it fills; how many there are.
fn chart_json_points(
    run: &ChartRun,
    out: &mut dyn std::io::Write,
    buf: &mut Vec<u8>,
) -> std::io::Result<usize> {
    let mut written = 0;
    for i in 0..run.len() {
        let Some(point) = chart_point(run, i) else {
            continue;
        };
        buf.extend_from_slice(if written == 0 { b"\n    " } else { b",\n    " });
        written += 1;
        indented(buf, &point, 4);
        if buf.len() >= 1 << 16 {
            out.write_all(buf)?;
            buf.clear();
        }
    }
    Ok(written)
}

/// `value` pretty-printed as it would be `depth` spaces in: serde_json's pretty printer only
/// indents, and never writes a line break inside a string, so each line moves right.
fn indented(buf: &mut Vec<u8>, value: &Value, depth: usize) {
    let text = serde_json::to_vec_pretty(value).unwrap_or_default();
    for (k, line) in text.split(|&b| b == b'\n').enumerate() {
        if k > 0 {
            buf.push(b'\n');
            buf.extend(std::iter::repeat_n(b' ', depth));
        }
        buf.extend_from_slice(line);
    }
}

/// `text` as a JSON string, escaped as serde_json escapes it.
fn push_json_str(buf: &mut Vec<u8>, text: &str) {
    // Writing to memory cannot fail.
    let _ = serde_json::to_writer(&mut *buf, text);
}

/// An optional JSON string, or `null`.
fn push_json_opt(buf: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(t) => push_json_str(buf, t),
        None => buf.extend_from_slice(b"null"),
    }
}

/// An optional JSON number, or `null`.
fn push_json_num(buf: &mut Vec<u8>, v: Option<f64>) {
    match v {
        Some(v) => decimal::push_json_f64(buf, v),
        None => buf.extend_from_slice(b"null"),
    }
}

/// What a thread making the points of [`write_json`] keeps from point to point.
struct JsonPoints {
    /// The segment whose `lpl`, `mean` and `upl` are written in `SegmentText`.
    cached: Option<(usize, [Vec<u8>; 3])>,
    gaps: GapCursor,
    segment: SegmentCursor,
    /// An explanation being made before it is escaped into `buf`.
    scratch: Vec<u8>,
}

impl JsonPoints {
    fn new(run: &ChartRun) -> Self {
        JsonPoints {
            cached: None,
            gaps: GapCursor::new(run),
            segment: SegmentCursor::default(),
            scratch: Vec::new(),
        }
    }

    /// Point `i` of an XmR chart into `b`, as [`xmr_points`] makes it and serde_json writes
    /// it (the fields in the order of their names).
    fn xmr_point(&mut self, b: &mut Vec<u8>, run: &ChartRun, x: &Judged, i: usize) {
        let r = &x.result;
        let k = self.segment.of(&r.segments, i);
        if self.cached.as_ref().is_none_or(|(s, _)| *s != k) {
            let seg = &r.segments[k];
            let mut text: [Vec<u8>; 3] = Default::default();
            for (t, v) in text.iter_mut().zip([seg.lpl, Some(seg.mean), seg.upl]) {
                push_json_num(t, v);
            }
            self.cached = Some((k, text));
        }
        let gap = self.gaps.before(run, i).map(|g| g.reason.as_str());
        b.extend_from_slice(b"{\n      \"date\": \"");
        if let Some(d) = run.data.date(i) {
            decimal::push_date(b, d);
        }
        b.extend_from_slice(b"\",\n      \"explanation\": ");
        let hits = &x.hits[i];
        if hits.is_empty() {
            b.extend_from_slice(b"null");
        } else {
            self.scratch.clear();
            run.write_explanation(x, i, &mut self.scratch);
            // Every piece of an explanation is text.
            push_json_str(b, std::str::from_utf8(&self.scratch).unwrap_or_default());
        }
        b.extend_from_slice(b",\n      \"gap_before\": ");
        push_json_opt(b, gap);
        let (_, [lpl, mean, upl]) = self.cached.as_ref().expect("cached above");
        b.extend_from_slice(b",\n      \"lpl\": ");
        b.extend_from_slice(lpl);
        b.extend_from_slice(b",\n      \"mean\": ");
        b.extend_from_slice(mean);
        b.extend_from_slice(b",\n      \"point_type\": \"");
        b.extend_from_slice(r.point_type[i].as_str().as_bytes());
        b.extend_from_slice(b"\",\n      \"rule\": ");
        push_json_opt(b, r.rule[i].map(profile::rule_id));
        b.extend_from_slice(b",\n      \"rules\": ");
        push_hits(b, run, hits);
        b.extend_from_slice(b",\n      \"segment\": ");
        decimal::push_u64(b, k as u64 + 1);
        b.extend_from_slice(b",\n      \"upl\": ");
        b.extend_from_slice(upl);
        b.extend_from_slice(b",\n      \"value\": ");
        decimal::push_json_f64(b, run.result.values[i]);
        b.extend_from_slice(b",\n      \"warning\": ");
        push_json_opt(b, Some(xmr_warning(run, x, k)).filter(|w| !w.is_empty()));
        b.extend_from_slice(b"\n    }");
    }
}

/// A point's hits as [`hits_json`] makes them, at the depth of a point's field.
fn push_hits(b: &mut Vec<u8>, run: &ChartRun, hits: &[Hit]) {
    if hits.is_empty() {
        b.extend_from_slice(b"[]");
        return;
    }
    b.push(b'[');
    for (k, h) in hits.iter().enumerate() {
        b.extend_from_slice(if k == 0 { b"\n" } else { b",\n" });
        b.extend_from_slice(b"        {\n          \"direction\": ");
        b.extend_from_slice(if h.high { b"\"high\"" } else { b"\"low\"" });
        for (name, at) in [("first", h.first), ("last", h.last)] {
            b.extend_from_slice(b",\n          \"");
            b.extend_from_slice(name.as_bytes());
            b.extend_from_slice(b"\": \"");
            if let Some(d) = run.data.date(at) {
                decimal::push_date(b, d);
            }
            b.push(b'"');
        }
        b.extend_from_slice(b",\n          \"points\": ");
        decimal::push_u64(b, h.len as u64);
        b.extend_from_slice(b",\n          \"position\": ");
        decimal::push_u64(b, h.position as u64);
        b.extend_from_slice(b",\n          \"rule\": \"");
        b.extend_from_slice(profile::rule_id(h.rule).as_bytes());
        b.extend_from_slice(b"\"\n        }");
    }
    b.extend_from_slice(b"\n      ]");
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
            let segment = r.segment_of(i).unwrap_or(0);
            let seg = &r.segments[segment];
            let explanation = run.explanation(x, i);
            json!({
                "date": run.label(i),
                "value": run.result.values[i],
                "mean": seg.mean,
                "lpl": seg.lpl,
                "upl": seg.upl,
                "point_type": r.point_type[i].as_str(),
                "segment": segment + 1,
                "rule": r.rule[i],
                "rules": hits_json(run, &x.hits[i]),
                "explanation": Some(explanation).filter(|e| !e.is_empty()),
                "gap_before": run.gap_before(i).map(|g| g.reason.clone()),
                "warning": Some(xmr_warning(run, x, segment)).filter(|w| !w.is_empty()),
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
    (0..run.len()).filter_map(|i| chart_point(run, i)).collect()
}

/// Point `i` of [`chart_points`], if there is one.
fn chart_point(run: &ChartRun, i: usize) -> Option<Value> {
    let p = run.result.point(i)?;
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
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ChartChoice, ChartOptions};
    use crate::chart_run::{RunSettings, run_chart};
    use crate::period::PeriodType;
    use crate::spc_input::{Gap, SeriesPoint};

    /// A monthly series with shifts, a trend and points outside the limits, a gap, and text
    /// that needs quoting in the gap's reason.
    fn run(chart: ChartChoice, n: usize) -> ChartRun {
        let start = chrono::NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
        let points: Vec<SeriesPoint> = (0..n)
            .map(|i| SeriesPoint {
                date: start + chrono::Months::new(i as u32),
                value: match i {
                    i if i % 37 == 0 => 400.0,
                    i if (50..60).contains(&i) => 10.0 + i as f64,
                    i => 100.0 + ((i * 7919) % 23) as f64 / 4.0 - if i > 120 { 9.0 } else { 0.0 },
                },
                line: i + 2,
                period: PeriodType::Month,
            })
            .collect();
        let gap = (n > 30).then(|| Gap {
            before: 30,
            periods: vec!["2012-06".into()],
            reason: "line 32: value \"n/a, =1\" is not a number, skipped".into(),
        });
        let settings = RunSettings {
            gaps: gap.into_iter().collect(),
            ..RunSettings::default()
        };
        let options = ChartOptions {
            chart,
            target: Some(101.0),
            ..ChartOptions::default()
        };
        let data = crate::chart_input::SeriesData::Values(points);
        let rebase: Vec<String> = (n > 60)
            .then(|| "2015-01".to_string())
            .into_iter()
            .collect();
        run_chart("s.csv", data, &rebase, options, settings).unwrap()
    }

    #[test]
    fn streamed_json_is_the_pretty_printed_tree() {
        for chart in [
            ChartChoice::Only(ChartKind::Xmr),
            ChartChoice::Only(ChartKind::Run),
            ChartChoice::Auto(None),
        ] {
            for n in [1, 2, 20, 200] {
                let run = run(chart, n);
                let mut streamed = Vec::new();
                write_json(&run, &mut streamed).unwrap();
                let tree = format!(
                    "{}\n",
                    serde_json::to_string_pretty(&to_json(&run)).unwrap()
                );
                assert_eq!(String::from_utf8(streamed).unwrap(), tree, "{chart:?} {n}");
            }
        }
    }

    /// Made in pieces of any size, on one thread or on several, the points are the bytes of
    /// making them all at once.
    #[test]
    fn points_made_in_pieces_are_the_same_bytes() {
        for chart in [
            ChartChoice::Only(ChartKind::Xmr),
            ChartChoice::Only(ChartKind::Run),
            ChartChoice::Auto(None),
        ] {
            for n in [1, 2, 20, 200, 1000] {
                let run = run(chart, n);
                let mut whole = Vec::new();
                write_csv_in(&run, &mut whole, n).unwrap();
                let tree = format!(
                    "{}\n",
                    serde_json::to_string_pretty(&to_json(&run)).unwrap()
                );
                for piece in [1, 3, 7, 64] {
                    let mut csv = Vec::new();
                    write_csv_in(&run, &mut csv, piece).unwrap();
                    assert!(csv == whole, "{chart:?} {n} {piece}");
                    let mut json = Vec::new();
                    write_json_in(&run, &mut json, piece).unwrap();
                    assert!(json == tree.as_bytes(), "{chart:?} {n} {piece}");
                }
            }
        }
    }

    /// A sink that fails once it has taken `left` bytes.
    struct Failing {
        left: usize,
    }

    impl std::io::Write for Failing {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if bytes.len() > self.left {
                return Err(std::io::Error::other("disk full"));
            }
            self.left -= bytes.len();
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Writing that fails part way is reported, and the threads making the pieces stop with
    /// it.
    #[test]
    fn a_failed_write_stops_the_threads() {
        let run = run(ChartChoice::Only(ChartKind::Xmr), 1000);
        for left in [0, 100, 5_000, 50_000] {
            let err = write_csv_in(&run, &mut Failing { left }, 7).unwrap_err();
            assert_eq!(err.to_string(), "disk full");
            let err = write_json_in(&run, &mut Failing { left }, 7).unwrap_err();
            assert_eq!(err.to_string(), "disk full");
        }
    }

    #[test]
    fn csv_rows_are_quoted_and_neutralised_as_the_csv_writer_does() {
        let run = run(ChartChoice::Only(ChartKind::Xmr), 200);
        let csv = to_csv(&run);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.as_bytes());
        let mut again = sct_core::csv_out::CsvWriter::new();
        for record in reader.records() {
            again.row(record.unwrap().iter());
        }
        assert_eq!(again.finish(), csv);
        assert!(csv.contains("\"line 32: value \"\"n/a, =1\"\" is not a number, skipped\""));
    }
}
