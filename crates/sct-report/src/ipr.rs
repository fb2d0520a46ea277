//! The integrated performance report (`sct kpi ipr`) as HTML, Markdown, CSV, xlsx and JSON. The
//! rows are computed by `sct_kpi::ipr`; this module only presents them.
//!
//! The HTML needs no script: rows are grouped by timeframe, then listed again under each
//! variation and each assurance icon (pre-sorted sections in `<details>` elements, reached from
//! an index of icons), so a reader filters by icon by following a link; every row links to its
//! indicator's full chart further down the same file.

use sct_spc::chart::{ChartKind, ChartVariationIcon};
use sct_spc::spc::{AssuranceIcon, VariationIcon};
use std::collections::BTreeMap;
use std::fmt::Write;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, Worksheet, XlsxError};

use crate::workbook::{Formats, fit_row, header, print_setup};
use sct_core::csv_out::CsvWriter;
use sct_kpi::ipr::{Ipr, IprRow, IprSection, MissingIndicator};
use sct_kpi::kpiset::Timeframe;
use sct_kpi::review::{IconDifference, PlanPosition, ReviewProvenance, SetInfo};
use serde::Serialize;
use serde_json::{Value, json};

use crate::pieces::marker;
use crate::render::{ReportError, Templates};
use crate::spc_chart;

/// The order icons are listed in: concerns first, then improvements, neutral, common cause.
const VARIATION_ORDER: [ChartVariationIcon; 8] = [
    ChartVariationIcon::Spc(VariationIcon::ConcernHigh),
    ChartVariationIcon::Spc(VariationIcon::ConcernLow),
    ChartVariationIcon::Spc(VariationIcon::ImprovementHigh),
    ChartVariationIcon::Spc(VariationIcon::ImprovementLow),
    ChartVariationIcon::Spc(VariationIcon::NeutralHigh),
    ChartVariationIcon::Spc(VariationIcon::NeutralLow),
    ChartVariationIcon::TooFewCrossings,
    ChartVariationIcon::Spc(VariationIcon::CommonCause),
];
const ASSURANCE_ORDER: [AssuranceIcon; 3] = [
    AssuranceIcon::Fail,
    AssuranceIcon::Inconsistent,
    AssuranceIcon::Pass,
];

/// The groups of rows by icon: each icon of `order`, then rows without one (`none`), with
/// the name each group is listed under.
pub(crate) fn icon_groups<T: Copy + PartialEq>(
    order: &[T],
    name: fn(T) -> &'static str,
) -> impl Iterator<Item = (Option<T>, &'static str)> + '_ {
    order
        .iter()
        .map(move |&t| (Some(t), name(t)))
        .chain([(None, "none")])
}

/// A sparkline of `values` as a small inline SVG with a text alternative.
pub fn sparkline(values: &[f64], title: &str) -> String {
    let mut out = String::with_capacity(256 + 10 * values.len());
    sparkline_into(&mut out, values, title);
    out
}

/// Appends the sparkline of `values` (see [`sparkline`]) to `out`.
pub fn sparkline_into(out: &mut String, values: &[f64], title: &str) {
    let (w, h, pad) = (120.0, 28.0, 3.0);
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let label = match (finite.first(), finite.last()) {
        (Some(a), Some(b)) => format!(
            "Sparkline of {}: {} values from {} to {}",
            title,
            finite.len(),
            trim(*a),
            trim(*b)
        ),
        _ => format!("Sparkline of {title}: no values"),
    };
    let label = crate::charts::xml_escape(&label);
    let (lo, hi) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let n = finite.len();
    let step = if n > 1 {
        (w - 2.0 * pad) / (n - 1) as f64
    } else {
        0.0
    };
    let _ = write!(
        out,
        "<svg class=\"sparkline\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{label}\"><title>{label}</title><polyline points=\""
    );
    let mut last = None;
    for (i, v) in finite.iter().enumerate() {
        let x = pad + i as f64 * step;
        let y = h - pad - (v - lo) / span * (h - 2.0 * pad);
        if i > 0 {
            out.push(' ');
        }
        spc_chart::coord(out, x);
        out.push(',');
        spc_chart::coord(out, y);
        last = Some((x, y));
    }
    out.push_str("\" fill=\"none\" stroke=\"#425563\" stroke-width=\"1.5\"/>");
    if let Some((x, y)) = last {
        out.push_str("<circle cx=\"");
        spc_chart::coord(out, x);
        out.push_str("\" cy=\"");
        spc_chart::coord(out, y);
        out.push_str("\" r=\"2.5\" fill=\"#005EB8\"/>");
    }
    out.push_str("</svg>");
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// How the HTML report draws each indicator's full chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartStyle {
    /// The full chart of `sct kpi spc` and the KPI review (title, icons, legend): for a report
    /// of one organisation.
    Full,
    /// The compact chart ([`spc_chart::compact_svg_into`]): the same layout and drawing at a
    /// compact size, without title, legend or measured text; for a report of several
    /// organisations, which may hold thousands of charts. Icons are drawn once and referenced
    /// (`<use>`).
    Compact,
}

impl ChartStyle {
    /// The style for `ipr`: full for one organisation, compact for several.
    pub fn for_report(ipr: &Ipr) -> ChartStyle {
        if ipr.organisations.len() > 1 {
            ChartStyle::Compact
        } else {
            ChartStyle::Full
        }
    }
}

/// The id of an icon's `<symbol>` in a compact report.
fn icon_symbol_id(kind: &str, name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("icon-{kind}-{name}")
}

/// A drawn icon (`<svg …>…</svg>`) turned into a `<symbol>` with `id`, its `<title>` and
/// accessibility attributes left to each use.
fn icon_symbol(svg: &str, id: &str) -> String {
    let body = svg
        .find("</title>")
        .map(|t| &svg[t + "</title>".len()..])
        .or_else(|| svg.find('>').map(|e| &svg[e + 1..]))
        .unwrap_or_default();
    let body = body.trim().trim_end_matches("</svg>");
    format!("<symbol id=\"{id}\" viewBox=\"0 0 40 40\">{body}</symbol>\n")
}

/// An icon in a compact report: an accessible image that uses the symbol drawn once.
fn icon_use(id: &str, label: &str) -> String {
    let label = crate::charts::xml_escape(label);
    format!(
        "<svg width=\"40\" height=\"40\" viewBox=\"0 0 40 40\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{label}\"><title>{label}</title><use href=\"#{id}\"/></svg>"
    )
}

/// The drawn icons a row shows (inline in a full report, references in a compact one), and
/// in a compact report the symbols they use.
pub(crate) struct IconDrawer {
    style: ChartStyle,
    drawn: BTreeMap<String, String>,
    symbols: BTreeMap<String, String>,
}

impl IconDrawer {
    /// No icon drawn yet.
    pub(crate) fn new(style: ChartStyle) -> IconDrawer {
        IconDrawer {
            style,
            drawn: BTreeMap::new(),
            symbols: BTreeMap::new(),
        }
    }

    /// The icon `name` of `kind` (`v` variation, `a` assurance) as the row shows it, drawn by
    /// `draw` the first time.
    pub(crate) fn icon(
        &mut self,
        kind: &str,
        name: &str,
        label: &str,
        draw: impl Fn() -> String,
    ) -> String {
        let id = icon_symbol_id(kind, name);
        if let Some(s) = self.drawn.get(&id) {
            return s.clone();
        }
        let svg = draw();
        let shown = match self.style {
            ChartStyle::Full => svg,
            ChartStyle::Compact => {
                self.symbols.insert(id.clone(), icon_symbol(&svg, &id));
                icon_use(&id, label)
            }
        };
        self.drawn.insert(id, shown.clone());
        shown
    }

    /// The hidden `<svg>` holding every symbol used (empty in a full report).
    pub(crate) fn defs(&self) -> String {
        if self.symbols.is_empty() {
            return String::new();
        }
        let mut s = String::from(
            "<svg class=\"icon-defs\" width=\"0\" height=\"0\" aria-hidden=\"true\" focusable=\"false\" xmlns=\"http://www.w3.org/2000/svg\">\n",
        );
        for sym in self.symbols.values() {
            s.push_str(sym);
        }
        s.push_str("</svg>");
        s
    }
}

/// The name a row is listed under by its variation icon (`none` without one).
pub(crate) fn variation_name(r: &IprRow) -> &'static str {
    r.variation_icon.map_or("none", ChartVariationIcon::as_str)
}

/// The name a row is listed under by its assurance icon (`none` without one), or
/// `not-reliable` when the icon is not reliable: such a row is counted apart from passing,
/// failing and hit and miss ([`sct_kpi::assurance::reliability`]).
pub(crate) fn assurance_name(r: &IprRow) -> &'static str {
    match r.assurance_icon {
        Some(_) if !r.assurance_reliable => NOT_RELIABLE,
        icon => icon.map_or("none", AssuranceIcon::as_str),
    }
}

/// The group of rows whose assurance icon is not reliable.
const NOT_RELIABLE: &str = "not-reliable";

/// The assurance groups in order: each icon, then the icons not reliable, then none.
fn assurance_groups() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = ASSURANCE_ORDER.map(AssuranceIcon::as_str).to_vec();
    names.extend([NOT_RELIABLE, "none"]);
    names
}

/// The groups of rows under each icon, in the order of `order` and then `none`, each with how
/// many rows it has; a group without rows is left out.
fn icon_counts<T: Copy + PartialEq>(
    ipr: &Ipr,
    order: &[T],
    name: fn(T) -> &'static str,
    name_of: fn(&IprRow) -> &'static str,
    keep: fn(&Ipr, &IprRow) -> bool,
) -> Vec<(&'static str, usize)> {
    group_counts(
        ipr,
        icon_groups(order, name).map(|(_, n)| n).collect(),
        name_of,
        keep,
    )
}

/// Every row (the Markdown report lists them all).
fn every_row(_: &Ipr, _: &IprRow) -> bool {
    true
}

/// Whether the HTML report shows `r`: with several organisations, an indicator with no data
/// for any of them is said once ([`Ipr::missing`]) rather than as a "No data" row for each.
pub(crate) fn shown(ipr: &Ipr, r: &IprRow) -> bool {
    ipr.organisations.len() <= 1 || !ipr.missing.iter().any(|m| m.indicator == r.indicator)
}

/// How many rows each of the groups `names` has, in their order; a group without rows is
/// left out.
fn group_counts(
    ipr: &Ipr,
    names: Vec<&'static str>,
    name_of: fn(&IprRow) -> &'static str,
    keep: fn(&Ipr, &IprRow) -> bool,
) -> Vec<(&'static str, usize)> {
    let mut counts = vec![0usize; names.len()];
    for r in ipr
        .sections
        .iter()
        .flat_map(|s| &s.rows)
        .filter(|r| keep(ipr, r))
    {
        if let Some(k) = names.iter().position(|n| *n == name_of(r)) {
            counts[k] += 1;
        }
    }
    names
        .into_iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The rows under variation icon `name`, each with only what a list shows (its anchor,
/// indicator, title, organisation, timeframe, icons and their labels, headline): for a
/// user's Markdown template, which may list them itself.
fn variation_rows(ipr: &Ipr, name: &str) -> Value {
    ipr.sections
        .iter()
        .flat_map(|s| &s.rows)
        .filter(|r| variation_name(r) == name)
        .map(|r| {
            json!({
                "anchor": r.anchor,
                "indicator": r.indicator,
                "title": r.title,
                "organisation": r.organisation,
                "timeframe": r.timeframe,
                "variation_icon": r.variation_icon,
                "variation_label": r.variation_label,
                "assurance_icon": r.assurance_icon,
                "assurance_label": r.assurance_label,
                "assurance_reliable": r.assurance_reliable,
                "assurance_note": r.assurance_note,
                "headline": r.headline,
            })
        })
        .collect()
}

/// The report as the templates' context. With `rows` (a user's template, which may loop over
/// them), every row without its sparkline's values (drawn already; the JSON output keeps
/// them); without, each section's id and titles alone: the bundled templates print the rows
/// as pieces ([`crate::pieces`]), and a tree of every row would cost more memory than the
/// report itself.
fn context(ipr: &Ipr, rows: bool) -> Result<Value, ReportError> {
    let data = if rows {
        serde_json::to_value(ipr).map(|mut data| {
            without_sparklines(&mut data);
            data
        })
    } else {
        serde_json::to_value(Shell::of(ipr))
    };
    data.map_err(|e| ReportError::Template {
        file: "ipr".into(),
        message: e.to_string(),
    })
}

fn without_sparklines(data: &mut Value) {
    let sections = data.get_mut("sections").and_then(Value::as_array_mut);
    for section in sections.into_iter().flatten() {
        let rows = section.get_mut("rows").and_then(Value::as_array_mut);
        for row in rows.into_iter().flatten() {
            if let Some(row) = row.as_object_mut() {
                row.remove("sparkline");
            }
        }
    }
}

/// The report without its rows, as the bundled templates' context.
#[derive(Serialize)]
struct Shell<'a> {
    set: &'a SetInfo,
    as_of: &'a str,
    organisations: &'a [String],
    organisation_names: &'a BTreeMap<String, String>,
    missing: &'a [MissingIndicator],
    profile: &'a str,
    compare_profile: &'a Option<String>,
    icon_differences: &'a [(String, IconDifference)],
    sections: Vec<SectionShell<'a>>,
    method: &'a [String],
    provenance: &'a Option<ReviewProvenance>,
}

/// A section without its rows.
#[derive(Serialize)]
struct SectionShell<'a> {
    id: Timeframe,
    title: &'a str,
    short_title: &'a str,
    /// How many of its rows the HTML report shows ([`shown`]): with none, it says so in words
    /// instead of printing a table of headings alone.
    shown_rows: usize,
}

impl<'a> Shell<'a> {
    fn of(ipr: &'a Ipr) -> Shell<'a> {
        // Every field named, so a field added to the report cannot be missed here.
        let Ipr {
            set,
            as_of,
            organisations,
            organisation_names,
            missing,
            profile,
            compare_profile,
            icon_differences,
            sections,
            method,
            provenance,
            review_options: _,
        } = ipr;
        let sections = sections
            .iter()
            .map(|s| {
                let IprSection {
                    id,
                    title,
                    short_title,
                    rows,
                } = s;
                SectionShell {
                    id: *id,
                    title,
                    short_title,
                    shown_rows: rows.iter().filter(|r| shown(ipr, r)).count(),
                }
            })
            .collect();
        Shell {
            set,
            as_of,
            organisations,
            organisation_names,
            missing,
            profile,
            compare_profile,
            icon_differences,
            sections,
            method,
            provenance,
        }
    }
}

/// Each timeframe's piece of table rows, by timeframe id, as the templates print it.
fn row_markers(ipr: &Ipr) -> Value {
    let markers: serde_json::Map<String, Value> = ipr
        .sections
        .iter()
        .map(|s| {
            let id = s.id.as_str();
            (id.to_string(), Value::String(marker(&format!("rows:{id}"))))
        })
        .collect();
    Value::Object(markers)
}

/// The page written by `write` into memory, as a string.
fn page_string(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<Result<(), ReportError>>,
) -> Result<String, ReportError> {
    let mut page = Vec::new();
    let error = |message: String| ReportError::Template {
        file: "ipr".into(),
        message,
    };
    match write(&mut page) {
        Ok(Ok(())) => String::from_utf8(page).map_err(|e| error(e.to_string())),
        Ok(Err(e)) => Err(e),
        // Writing to memory fails only past a user's template's bounds.
        Err(e) => Err(error(e.to_string())),
    }
}

/// The report as one self-contained HTML file, no scripts. The page is the `ipr.html`
/// template; its rows, lists and chart sections are written by `ipr_html`.
pub fn html(templates: &Templates, ipr: &Ipr, charts: Charts<'_>) -> Result<String, ReportError> {
    page_string(|w| write_html(templates, ipr, charts, w))
}

/// Each row's full chart, made when it is drawn (usually [`Ipr::chart`] over the report's
/// data): one at a time, so the page of every organisation never holds every chart.
pub type Charts<'a> = &'a dyn Fn(&IprRow) -> Option<sct_kpi::review::IndicatorReview>;

/// [`html`] written into `out` as it is rendered (the page of every organisation runs to
/// hundreds of megabytes): the template's page, with each timeframe's rows, each icon's list
/// and every chart written at its marker straight from the report, row by row, never held
/// whole. The outer error is `out`'s, the inner the report's.
pub fn write_html(
    templates: &Templates,
    ipr: &Ipr,
    charts: Charts<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<Result<(), ReportError>> {
    let style = ChartStyle::for_report(ipr);
    let mut pieces = crate::ipr_html::HtmlPieces::new(ipr, style, charts);
    let context = match context(ipr, templates.is_users("ipr.html")) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let lists = |kind: &str, groups: Vec<(&str, usize)>| {
        let groups = groups.into_iter().map(|(icon, count)| {
            let items = marker(&format!("{kind}:{icon}"));
            json!({ "icon": icon, "count": count, "items_html": items })
        });
        Value::Array(groups.collect())
    };
    let variation = icon_counts(
        ipr,
        &VARIATION_ORDER,
        ChartVariationIcon::as_str,
        variation_name,
        shown,
    );
    let assurance = group_counts(ipr, assurance_groups(), assurance_name, shown);
    let extra = vec![
        ("rows_html", row_markers(ipr)),
        ("by_variation", lists("variation", variation)),
        ("by_assurance", lists("assurance", assurance)),
        ("charts_html", Value::String(marker("charts"))),
        ("icon_defs", Value::String(pieces.icon_defs())),
        ("compact_charts", Value::Bool(style == ChartStyle::Compact)),
        ("chart_legend", Value::String(spc_chart::LEGEND.to_string())),
    ];
    templates.render_pieces_to(
        "ipr.html",
        context,
        extra,
        &mut |key, w| pieces.write(key, w),
        out,
    )
}

/// The report as GitHub-flavoured Markdown.
pub fn markdown(templates: &Templates, ipr: &Ipr) -> Result<String, ReportError> {
    page_string(|w| write_markdown(templates, ipr, w))
}

/// [`markdown`] written into `out` as it is rendered: the template's page, with each
/// timeframe's table rows and the rows under each variation icon written at their markers
/// straight from the report (`ipr_md`). A user's template gets every row too (it
/// may loop over them, as the bundled template once did).
pub fn write_markdown(
    templates: &Templates,
    ipr: &Ipr,
    out: &mut dyn std::io::Write,
) -> std::io::Result<Result<(), ReportError>> {
    let users = templates.is_users("ipr.md");
    let context = match context(ipr, users) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    let groups = icon_counts(
        ipr,
        &VARIATION_ORDER,
        ChartVariationIcon::as_str,
        variation_name,
        every_row,
    );
    let variation = groups.into_iter().map(|(icon, count)| {
        let items = marker(&format!("variation:{icon}"));
        let mut g = json!({ "icon": icon, "count": count, "items_md": items });
        if users {
            g["rows"] = variation_rows(ipr, icon);
        }
        g
    });
    let extra = vec![
        ("rows_md", row_markers(ipr)),
        ("by_variation", Value::Array(variation.collect())),
    ];
    let mut pieces = crate::ipr_md::MdPieces::new(ipr);
    templates.render_pieces_to(
        "ipr.md",
        context,
        extra,
        &mut |key, w| pieces.write(key, w),
        out,
    )
}

/// The report as JSON (the rows, grouped by timeframe) (schema `sct-kpi-ipr/1`).
pub fn json(ipr: &Ipr) -> String {
    crate::json::with_schema("sct-kpi-ipr/1", ipr)
}

/// [`json()`] written straight into `out`.
pub fn write_json(ipr: &Ipr, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    crate::json::write_with_schema("sct-kpi-ipr/1", ipr, out)
}

/// The columns of the CSV (the xlsx sheet has the same, headed in words).
/// The last three periods are three pairs of columns, oldest first, so each value reads
/// as a number.
pub const COLUMNS: [&str; 28] = [
    "organisation",
    "timeframe",
    "indicator",
    "title",
    "unit",
    "improvement",
    "latest_period",
    "latest_value",
    "plan",
    "plan_kind",
    "variance",
    "plan_position",
    "meets_plan",
    "last_three_period_1",
    "last_three_value_1",
    "last_three_period_2",
    "last_three_value_2",
    "last_three_period_3",
    "last_three_value_3",
    "variation_icon",
    "variation_label",
    "assurance_icon",
    "assurance_label",
    "assurance_reliable",
    "assurance_note",
    "chart",
    "profile",
    "flags",
];

/// A plan position's name as the JSON writes it (`below-plan`).
pub(crate) fn position_name(p: PlanPosition) -> String {
    serde_json::to_value(p)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn num(v: Option<f64>) -> String {
    sct_core::csv_out::opt_number(v)
}

/// How many of the latest periods the report shows, each as a period and a value column.
const LAST_THREE: usize = 3;

fn cells(r: &IprRow) -> Vec<String> {
    let mut cells = vec![
        r.organisation.clone(),
        r.timeframe.as_str().to_string(),
        r.indicator.clone(),
        r.title.clone(),
        r.unit.clone(),
        r.improvement.to_string(),
        r.latest_period.clone().unwrap_or_default(),
        num(r.latest_value),
        num(r.plan),
        r.plan_kind.unwrap_or_default().to_string(),
        num(r.variance),
        r.plan_position.map(position_name).unwrap_or_default(),
        r.meets_plan.map(|m| m.to_string()).unwrap_or_default(),
    ];
    // Always three pairs, empty where fewer periods have data, so the columns line up.
    for i in 0..LAST_THREE {
        let p = r.last_three.get(i);
        cells.push(p.map(|p| p.period.clone()).unwrap_or_default());
        cells.push(num(p.map(|p| p.value)));
    }
    cells.extend([
        r.variation_icon
            .map_or("", ChartVariationIcon::as_str)
            .to_string(),
        r.variation_label.clone(),
        r.assurance_icon
            .map_or("", AssuranceIcon::as_str)
            .to_string(),
        r.assurance_label.clone(),
        r.assurance_reliable.to_string(),
        r.assurance_note
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_default(),
        r.chart.map_or("", ChartKind::as_str).to_string(),
        r.profile.clone(),
        r.flags.join("; "),
    ]);
    cells
}

/// The report as CSV: one row per indicator and organisation, with the icons' names.
pub fn csv(ipr: &Ipr) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_csv(ipr, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// The CSV's header row, into a CSV being written.
pub fn write_csv_header<W: std::io::Write>(w: &mut CsvWriter<W>) -> std::io::Result<()> {
    w.write_row(COLUMNS)
}

/// One row of the CSV ([`write_csv`]), into a CSV being written: for a report written as its
/// rows come ([`sct_kpi::ipr::ipr_each`]), kept as CSV text rather than as rows.
pub fn write_csv_row<W: std::io::Write>(w: &mut CsvWriter<W>, row: &IprRow) -> std::io::Result<()> {
    w.write_row(cells(row))
}

/// [`csv()`] written straight into `out`, row by row.
pub fn write_csv(ipr: &Ipr, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut w = CsvWriter::to_writer(out);
    w.write_row(COLUMNS)?;
    for s in &ipr.sections {
        for r in &s.rows {
            w.write_row(cells(r))?;
        }
    }
    w.flush()
}

fn workbook(ipr: &Ipr) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    // Dated from the report, never the clock: reruns are byte-identical.
    let part = |i: std::ops::Range<usize>, default: u16| {
        ipr.as_of
            .get(i)
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or(default)
    };
    let created =
        ExcelDateTime::from_ymd(part(0..4, 2000), part(5..7, 1) as u8, part(8..10, 1) as u8)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "Integrated performance report, as of {}",
                ipr.as_of
            ))
            .set_author("sct")
            .set_creation_datetime(&created),
    );
    let f = Formats::new();
    let sheet = book.add_worksheet().set_name("IPR")?;
    header(sheet, &f.header, HEADINGS.iter().copied())?;
    let mut r = 1u32;
    for s in &ipr.sections {
        for row in &s.rows {
            ipr_row(sheet, &f, r, row)?;
            r += 1;
        }
    }
    sheet.autofilter(0, 0, r.saturating_sub(1).max(1), COLUMNS.len() as u16 - 1)?;
    let sheet = book.add_worksheet().set_name("Method")?;
    let (bold, wrap) = (&f.bold, &f.wrap);
    sheet.write_string_with_format(0, 0, "Method", bold)?;
    sheet.set_column_width(0, 120)?;
    print_setup(sheet, 1, false)?;
    for (i, m) in ipr.method.iter().enumerate() {
        sheet.write_string_with_format(i as u32 + 1, 0, m, wrap)?;
        fit_row(sheet, i as u32 + 1, &[(m, 120.0)])?;
    }
    if let Some(p) = &ipr.provenance {
        let mut lines = vec![
            format!("sct {}", p.sct_version),
            format!(
                "KPI set {} {} ({}), sha256 {}",
                p.kpi_set.id, p.kpi_set.version, p.kpi_set.file, p.kpi_set.sha256
            ),
            match &p.data {
                Some(d) => format!("data {}, sha256 {}", d.file, d.sha256),
                None => "no data file: every series came from the plugin measures".to_string(),
            },
        ];
        lines.extend(p.plugins.iter().map(plugin_line));
        let top = ipr.method.len() as u32 + 2;
        sheet.write_string_with_format(top, 0, "Provenance", bold)?;
        for (i, line) in lines.iter().enumerate() {
            sheet.write_string_with_format(top + 1 + i as u32, 0, line, wrap)?;
            fit_row(sheet, top + 1 + i as u32, &[(line, 120.0)])?;
        }
    }
    book.save_to_buffer()
}

/// The xlsx sheet's column headings, in words, with their widths: one for each of
/// [`COLUMNS`], in the same order.
const HEADINGS: [(&str, f64); 28] = [
    ("Organisation", 12.0),
    ("Timeframe", 10.0),
    ("Indicator id", 16.0),
    ("Indicator", 36.0),
    ("Unit", 8.0),
    ("Better when", 9.0),
    ("Latest period", 10.0),
    ("Latest value", 10.0),
    ("Plan or target", 10.0),
    ("Plan kind", 11.0),
    ("Variance", 9.0),
    ("Against plan", 11.0),
    ("Meets plan", 7.0),
    ("Period 1 of last three", 10.0),
    ("Value 1 of last three", 10.0),
    ("Period 2 of last three", 10.0),
    ("Value 2 of last three", 10.0),
    ("Period 3 of last three", 10.0),
    ("Value 3 of last three", 10.0),
    ("Variation icon", 14.0),
    ("Variation", 28.0),
    ("Assurance icon", 12.0),
    ("Assurance", 28.0),
    ("Assurance reliable", 9.0),
    ("Assurance note", 36.0),
    ("Chart", 8.0),
    ("Rule profile", 12.0),
    ("Data flags", 16.0),
];

/// One row of the IPR sheet: values as numbers in the indicator's decimals, booleans as
/// booleans, the rest as text, the row as tall as its longest wrapped text.
fn ipr_row(sheet: &mut Worksheet, f: &Formats, r: u32, row: &IprRow) -> Result<(), XlsxError> {
    let value_format = f.plain.clone().set_num_format(number_format(row.decimals));
    let mut numbers: Vec<(usize, Option<f64>)> =
        vec![(7, row.latest_value), (8, row.plan), (10, row.variance)];
    for i in 0..LAST_THREE {
        numbers.push((14 + 2 * i, row.last_three.get(i).map(|p| p.value)));
    }
    let booleans = [(12, row.meets_plan), (23, Some(row.assurance_reliable))];
    let texts = cells(row);
    let mut wrapped = Vec::new();
    for (c, cell) in texts.iter().enumerate() {
        let col = c as u16;
        if let Some((_, v)) = numbers.iter().find(|(k, _)| *k == c) {
            if let Some(v) = v {
                sheet.write_number_with_format(r, col, *v, &value_format)?;
            }
        } else if let Some((_, b)) = booleans.iter().find(|(k, _)| *k == c) {
            if let Some(b) = b {
                sheet.write_boolean_with_format(r, col, *b, &f.boolean)?;
            }
        } else if !cell.is_empty() {
            sheet.write_string_with_format(r, col, cell, &f.wrap)?;
            wrapped.push((cell.as_str(), HEADINGS[c].1));
        }
    }
    fit_row(sheet, r, &wrapped)
}

/// An Excel number format with `decimals` places and thousands separated (`#,##0.0`).
fn number_format(decimals: u32) -> String {
    match decimals {
        0 => "#,##0".to_string(),
        d => format!("#,##0.{}", "0".repeat(d.min(10) as usize)),
    }
}

/// The report as an Excel workbook: the IPR sheet (the CSV's rows, filterable) and Method.
pub fn xlsx(ipr: &Ipr) -> Result<Vec<u8>, ReportError> {
    workbook(ipr).map_err(|e| ReportError::Spreadsheet(e.to_string()))
}

/// A plugin used, in one line: name, version, kind, checksum, measures and data.
fn plugin_line(p: &sct_core::provenance::PluginUsed) -> String {
    let data: String = p
        .data
        .iter()
        .map(|f| {
            if f.sha256.is_empty() {
                format!("; data {}", f.file)
            } else {
                format!("; data {}, sha256 {}", f.file, f.sha256)
            }
        })
        .collect();
    format!(
        "plugin {} {} ({}), sha256 {}: {}{data}",
        p.name,
        p.version,
        p.kind,
        p.sha256,
        p.measures.join(", ")
    )
}
