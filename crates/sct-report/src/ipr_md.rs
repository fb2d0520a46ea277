//! The per-row Markdown of the integrated performance report, written straight into the
//! output at the markers the `ipr.md` template prints ([`crate::pieces`]): each timeframe's
//! table rows (`rows:TIMEFRAME`) and the rows listed under each variation icon
//! (`variation:ICON`). They are the bytes the template wrote when it looped over the rows
//! itself (every value escaped as Markdown text, numbers with the `num` filter's rounding),
//! without a tree of every row in memory or the template engine's time per row.

use std::fmt::Write as _;

use sct_kpi::ipr::{Ipr, IprRow};

use crate::markdown::text;
use crate::render::{ReportError, format_number};

/// The Markdown pieces of a report.
pub(crate) struct MdPieces<'a> {
    ipr: &'a Ipr,
    /// One row at a time, reused.
    buf: String,
}

impl<'a> MdPieces<'a> {
    /// The pieces of `ipr`.
    pub(crate) fn new(ipr: &'a Ipr) -> MdPieces<'a> {
        MdPieces {
            ipr,
            buf: String::with_capacity(4096),
        }
    }

    /// Writes the piece `key` into `out` (see [`crate::pieces::PieceWriter`]).
    pub(crate) fn write(
        &mut self,
        key: &str,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<Result<bool, ReportError>> {
        let ipr = self.ipr;
        if let Some(id) = key.strip_prefix("rows:") {
            let Some(section) = ipr.sections.iter().find(|s| s.id.as_str() == id) else {
                return Ok(Ok(false));
            };
            for r in &section.rows {
                self.buf.clear();
                table_row(&mut self.buf, r);
                out.write_all(self.buf.as_bytes())?;
            }
        } else if let Some(icon) = key.strip_prefix("variation:") {
            let several = ipr.organisations.len() > 1;
            let rows = ipr.sections.iter().flat_map(|s| &s.rows);
            let listed = rows.filter(|r| crate::ipr::variation_name(r) == icon);
            for (i, r) in listed.enumerate() {
                self.buf.clear();
                if i > 0 {
                    self.buf.push_str("; ");
                }
                list_item(&mut self.buf, r, several);
                out.write_all(self.buf.as_bytes())?;
            }
        } else {
            return Ok(Ok(false));
        }
        Ok(Ok(true))
    }
}

/// A value as the template's `{% if x is number %}{{ x | num(places=d) }}{% else %}—{% endif %}`
/// wrote it: a value that is not finite was no number to the template (JSON has none).
fn number_or_dash(out: &mut String, v: Option<f64>, places: u32) {
    match v.filter(|v| v.is_finite()) {
        Some(v) => out.push_str(&text(&format_number(v, places as usize))),
        None => out.push('—'),
    }
}

/// A value as the `num` filter wrote it (a dash for what is not a number).
fn num(out: &mut String, v: f64, places: u32) {
    number_or_dash(out, Some(v), places);
}

/// One row of a timeframe's table, ending in a line break.
pub(crate) fn table_row(out: &mut String, r: &IprRow) {
    let d = r.decimals;
    let _ = write!(
        out,
        "| {} ({}) | {} | ",
        text(&r.title),
        text(&r.unit),
        text(&r.organisation)
    );
    number_or_dash(out, r.latest_value, d);
    out.push_str(" | ");
    match r.latest_period.as_deref() {
        Some(p) if !p.is_empty() => out.push_str(&text(p)),
        _ => out.push('—'),
    }
    out.push_str(" | ");
    match r.plan.filter(|p| p.is_finite()) {
        Some(p) => {
            num(out, p, d);
            let _ = write!(out, " ({})", text(r.plan_kind.unwrap_or_default()));
        }
        None => out.push('—'),
    }
    out.push_str(" | ");
    number_or_dash(out, r.variance, d);
    out.push_str(" | ");
    match r.plan_position {
        Some(p) => {
            out.push_str(&text(&crate::ipr::position_name(p)));
            match r.meets_plan {
                Some(true) => out.push_str(" (met)"),
                Some(false) => out.push_str(" (not met)"),
                None => {}
            }
        }
        None => out.push('—'),
    }
    out.push_str(" | ");
    if r.last_three.is_empty() {
        out.push('—');
    }
    for (i, p) in r.last_three.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(&text(&p.period));
        out.push_str(": ");
        num(out, p.value, d);
    }
    let _ = writeln!(
        out,
        " | {}: {} | {}: {} | {} | {} |",
        text(crate::ipr::variation_name(r)),
        text(&r.variation_label),
        text(crate::ipr::assurance_name(r)),
        text(&match &r.assurance_note {
            Some(n) => format!("{} ({})", r.assurance_label, n.text),
            None => r.assurance_label.clone(),
        }),
        text(r.chart_name.unwrap_or("none")),
        text(&r.profile)
    );
}

/// One row listed under its variation icon: its title, and its organisation when the report
/// has several.
pub(crate) fn list_item(out: &mut String, r: &IprRow, several: bool) {
    out.push_str(&text(&r.title));
    if several {
        let _ = write!(out, " ({})", text(&r.organisation));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sct_kpi::ipr::PeriodValue;
    use sct_kpi::kpiset::Timeframe;
    use sct_kpi::review::PlanPosition;
    use sct_spc::chart::ChartVariationIcon;
    use sct_spc::spc::{AssuranceIcon, Improvement, VariationIcon};

    /// The rows of a table and the list under an icon as the template wrote them before the
    /// rows were written in code (reports/ipr.md, up to this change).
    const TEMPLATE: &str = r#"{% for r in rows %}| {{ r.title | md }} ({{ r.unit | md }}) | {{ r.organisation | md }} | {% if r.latest_value is number %}{{ r.latest_value | num(places=r.decimals) }}{% else %}—{% endif %} | {{ r.latest_period | or_dash }} | {% if r.plan is number %}{{ r.plan | num(places=r.decimals) }} ({{ r.plan_kind }}){% else %}—{% endif %} | {% if r.variance is number %}{{ r.variance | num(places=r.decimals) }}{% else %}—{% endif %} | {% if r.plan_position %}{{ r.plan_position }}{% if r.meets_plan == true %} (met){% elif r.meets_plan == false %} (not met){% endif %}{% else %}—{% endif %} | {% for p in r.last_three %}{{ p.period }}: {{ p.value | num(places=r.decimals) }}{% if not loop.last %}; {% endif %}{% else %}—{% endfor %} | {{ r.variation_icon | default(value="none") }}: {{ r.variation_label | md }} | {{ r.assurance_icon | default(value="none") }}: {{ r.assurance_label | md }} | {{ r.chart_name | default(value="none") }} | {{ r.profile | md }} |
{% endfor %}LIST {% for r in rows %}{{ r.title | md }}{% if organisations | length > 1 %} ({{ r.organisation | md }}){% endif %}{% if not loop.last %}; {% endif %}{% endfor %}"#;

    /// `rows` through [`TEMPLATE`], in a Markdown file of the bundled templates' engine.
    fn through_template(rows: &[IprRow], organisations: usize) -> String {
        static TEMPLATES: std::sync::OnceLock<crate::render::Templates> =
            std::sync::OnceLock::new();
        let templates = TEMPLATES.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("ipr.md"), TEMPLATE).unwrap();
            crate::render::Templates::load(Some(dir.path())).unwrap()
        });
        let data = serde_json::json!({
            "rows": rows,
            "organisations": vec!["X"; organisations],
        });
        templates.render_value("ipr.md", data, Vec::new()).unwrap()
    }

    /// `rows` written here, as the pieces write them.
    fn in_code(rows: &[IprRow], organisations: usize) -> String {
        let mut out = String::new();
        for r in rows {
            table_row(&mut out, r);
        }
        out.push_str("LIST ");
        for (i, r) in rows.iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            list_item(&mut out, r, organisations > 1);
        }
        out
    }

    /// Text with everything Markdown and HTML give meaning to, line breaks, marker-like
    /// comments and any other character.
    fn hostile() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[-<>&|*_`#~!\\[\\]()\\\\\r\n a-z0-9.:—′]{0,16}",
            Just("<!--sct:piece:rows:kpi-->".to_string()),
            Just(String::new()),
        ]
    }

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            any::<f64>(),
            -1e6f64..1e6,
            Just(-0.0),
            Just(0.004),
            Just(f64::NAN),
            Just(f64::INFINITY),
        ]
    }

    fn row() -> impl Strategy<Value = IprRow> {
        let texts = (
            hostile(),
            hostile(),
            hostile(),
            hostile(),
            hostile(),
            hostile(),
        );
        let values = (
            proptest::option::of(number()),
            proptest::option::of(number()),
            proptest::option::of(number()),
            0u32..9,
            proptest::option::of(prop_oneof![Just("plan"), Just("target")]),
            proptest::option::of(prop_oneof![
                Just(PlanPosition::AbovePlan),
                Just(PlanPosition::OnPlan),
                Just(PlanPosition::BelowPlan),
            ]),
            proptest::option::of(any::<bool>()),
        );
        let icons = (
            proptest::option::of(prop_oneof![
                Just(ChartVariationIcon::Spc(VariationIcon::ConcernHigh)),
                Just(ChartVariationIcon::Spc(VariationIcon::CommonCause)),
            ]),
            proptest::option::of(prop_oneof![
                Just(AssuranceIcon::Fail),
                Just(AssuranceIcon::Pass)
            ]),
            proptest::option::of(prop_oneof![Just("XmR chart"), Just("p′ chart")]),
            proptest::option::of(hostile()),
            proptest::collection::vec((hostile(), number()), 0..4),
        );
        (texts, values, icons).prop_map(|(t, v, i)| IprRow {
            organisation: t.0,
            indicator: "ind".into(),
            title: t.1,
            timeframe: Timeframe::Kpi,
            unit: t.2,
            decimals: v.3,
            improvement: Improvement::Increase,
            latest_period: i.3,
            latest_value: v.0,
            plan: v.1,
            plan_kind: v.4,
            variance: v.2,
            plan_position: v.5,
            meets_plan: v.6,
            last_three: i
                .4
                .into_iter()
                .map(|(period, value)| PeriodValue { period, value })
                .collect(),
            sparkline: Vec::new(),
            variation_icon: i.0,
            variation_label: t.3,
            assurance_icon: i.1,
            assurance_label: t.4,
            assurance_reliable: true,
            assurance_note: None,
            chart: None,
            chart_name: i.2,
            profile: t.5,
            anchor: "chart-X-ind".into(),
            flags: Vec::new(),
            headline: String::new(),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// Whatever a row holds, the rows and the list written in code are the bytes the
        /// template wrote.
        #[test]
        fn rows_written_in_code_are_the_templates_bytes(
            rows in proptest::collection::vec(row(), 0..4),
            organisations in 1usize..3,
        ) {
            prop_assert_eq!(in_code(&rows, organisations), through_template(&rows, organisations));
        }
    }
}
