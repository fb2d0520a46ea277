//! The per-row HTML of the integrated performance report, written straight into the output
//! at the markers the `ipr.html` template prints ([`crate::pieces`]): the rows of each
//! timeframe's table, the items listed under each icon, and each indicator's chart section.
//! With `--orgs all` a report has hundreds of thousands of rows, and rendering each through
//! the template engine cost more than the whole analysis, as holding them all did memory;
//! the page around them (headings, captions, the icon index, the method) stays in the
//! template. Every string from the user's files is HTML-escaped here.

use sct_spc::chart::ChartVariationIcon;
use sct_spc::spc::AssuranceIcon;
use std::fmt::Write;

use sct_kpi::ipr::{Ipr, IprRow};
use sct_kpi::review::{IndicatorReview, ProfileComparison, SpcSummary};

use crate::ipr::{ChartStyle, IconDrawer, shown, sparkline_into};
use crate::kpi_review::indicator_chart;
use crate::render::{ReportError, format_number};
use crate::spc_chart::{self, assurance_icon_svg_noted, variation_icon_svg};

/// Text escaped for HTML content and attribute values (as the templates' autoescaping does).
pub(crate) fn escape_into(out: &mut String, s: &str) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            b'/' => "&#x2F;",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// `s` with its first letter a capital and the rest lower case (the templates' `capitalize`).
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c
            .to_uppercase()
            .chain(chars.as_str().to_lowercase().chars())
            .collect(),
        None => String::new(),
    }
}

/// The per-row pieces of the HTML report, each written at its marker ([`crate::pieces`])
/// straight from the report into the output, row by row: `rows:TIMEFRAME` (a timeframe's
/// table body), `variation:ICON` and `assurance:ICON` (the list items under an icon) and
/// `charts` (every indicator's chart section, in the tables' order).
pub(crate) struct HtmlPieces<'a> {
    ipr: &'a Ipr,
    style: ChartStyle,
    several: bool,
    /// Every icon the rows show, drawn before the page begins (its symbols come first).
    icons: IconDrawer,
    /// Each row's full chart, made when it is drawn.
    charts: crate::ipr::Charts<'a>,
    /// One row or chart section at a time, reused.
    buf: String,
}

impl<'a> HtmlPieces<'a> {
    /// The pieces of `ipr` drawn in `style`; every icon a row shows is drawn now, so the
    /// symbols ([`HtmlPieces::icon_defs`]) can be printed before the rows.
    pub(crate) fn new(
        ipr: &'a Ipr,
        style: ChartStyle,
        charts: crate::ipr::Charts<'a>,
    ) -> HtmlPieces<'a> {
        let mut icons = IconDrawer::new(style);
        for r in ipr.sections.iter().flat_map(|s| &s.rows) {
            row_icons(&mut icons, r);
        }
        HtmlPieces {
            ipr,
            style,
            several: ipr.organisations.len() > 1,
            icons,
            charts,
            buf: String::with_capacity(64 * 1024),
        }
    }

    /// The hidden `<svg>` of the icon symbols a compact report uses (empty in a full one).
    pub(crate) fn icon_defs(&self) -> String {
        self.icons.defs()
    }

    /// Writes the piece `key` into `out` (see [`crate::pieces::PieceWriter`]).
    pub(crate) fn write(
        &mut self,
        key: &str,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<Result<bool, ReportError>> {
        let ipr = self.ipr;
        let rows = || ipr.sections.iter().flat_map(|s| &s.rows);
        if let Some(id) = key.strip_prefix("rows:") {
            let Some(section) = ipr.sections.iter().find(|s| s.id.as_str() == id) else {
                return Ok(Ok(false));
            };
            let mut last: Option<&str> = None;
            for r in section.rows.iter().filter(|r| shown(ipr, r)) {
                self.buf.clear();
                // Several organisations: the indicator once, as a heading row over its
                // organisations' rows, each row headed by the organisation.
                if self.several && last != Some(r.indicator.as_str()) {
                    indicator_row(&mut self.buf, r);
                    last = Some(&r.indicator);
                }
                table_row(&mut self.buf, r, self.several, ipr, &mut self.icons);
                out.write_all(self.buf.as_bytes())?;
            }
        } else if let Some(icon) = key.strip_prefix("variation:") {
            for r in rows().filter(|r| crate::ipr::variation_name(r) == icon && shown(ipr, r)) {
                self.buf.clear();
                list_item(&mut self.buf, r, self.several, ipr, true);
                out.write_all(self.buf.as_bytes())?;
            }
        } else if let Some(icon) = key.strip_prefix("assurance:") {
            for r in rows().filter(|r| crate::ipr::assurance_name(r) == icon && shown(ipr, r)) {
                self.buf.clear();
                list_item(&mut self.buf, r, self.several, ipr, false);
                out.write_all(self.buf.as_bytes())?;
            }
        } else if key == "charts" {
            for r in rows().filter(|r| shown(ipr, r)) {
                let Some(x) = (self.charts)(r) else {
                    continue;
                };
                self.buf.clear();
                if let Err(e) = chart_section(&mut self.buf, r, &x, self.several, ipr, self.style) {
                    return Ok(Err(e));
                }
                out.write_all(self.buf.as_bytes())?;
            }
        } else {
            return Ok(Ok(false));
        }
        Ok(Ok(true))
    }
}

/// The variation and assurance icons of a row with a chart, as the row shows them.
fn row_icons(icons: &mut IconDrawer, r: &IprRow) -> Option<(String, String)> {
    // A row has a variation icon exactly when its indicator has a chart.
    let variation_icon = r.variation_icon?;
    let variation = icons.icon(
        "v",
        variation_icon.as_str(),
        spc_chart::variation_icon_label(variation_icon),
        || variation_icon_svg(variation_icon),
    );
    let note = r.assurance_note.as_ref().map(|n| n.text.as_str());
    let name = r.assurance_icon.map_or("none", AssuranceIcon::as_str);
    // An icon that is not reliable says why in its title: a symbol of its own.
    let (name, label) = match note {
        Some(n) => (
            format!("{name}-not-reliable"),
            format!(
                "{} ({n})",
                spc_chart::assurance_icon_label(r.assurance_icon)
            ),
        ),
        None => (
            name.to_string(),
            spc_chart::assurance_icon_label(r.assurance_icon).to_string(),
        ),
    };
    let assurance = icons.icon("a", &name, &label, || {
        assurance_icon_svg_noted(r.assurance_icon, note)
    });
    Some((variation, assurance))
}

fn num(out: &mut String, v: f64, places: u32) {
    out.push_str(&format_number(v, places as usize));
}

/// The organisation as a reader knows it: its name and code, or the code alone when the
/// organisations table does not name it.
fn organisation_into(out: &mut String, ipr: &Ipr, code: &str) {
    match ipr.organisation_names.get(code) {
        Some(name) => {
            escape_into(out, name);
            out.push_str(" (");
            escape_into(out, code);
            out.push(')');
        }
        None => escape_into(out, code),
    }
}

/// The heading row over an indicator's organisations (a report of several).
fn indicator_row(out: &mut String, r: &IprRow) {
    out.push_str("<tr class=\"indicator\"><th scope=\"colgroup\" colspan=\"9\">");
    escape_into(out, &r.title);
    out.push_str(" <span class=\"muted\">");
    escape_into(out, &r.unit);
    let _ = writeln!(out, "; {} is better</span></th></tr>", r.improvement);
}

/// One `<tr>` of a timeframe's table: headed by the indicator (one organisation) or by the
/// organisation (several, under the indicator's heading row).
fn table_row(out: &mut String, r: &IprRow, several: bool, ipr: &Ipr, icons: &mut IconDrawer) {
    let d = r.decimals;
    out.push_str("<tr>\n  <th scope=\"row\"><a href=\"#");
    escape_into(out, &r.anchor);
    out.push_str("\">");
    if several {
        organisation_into(out, ipr, &r.organisation);
        out.push_str("</a></th>\n  ");
    } else {
        escape_into(out, &r.title);
        out.push_str("</a><br><span class=\"muted\">");
        escape_into(out, &r.unit);
        let _ = write!(out, "; {} is better</span></th>\n  ", r.improvement);
    }
    latest_cells(out, r);
    out.push_str("<td>");
    if r.last_three.is_empty() {
        out.push('—');
    }
    for (i, p) in r.last_three.iter().enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        // A period and its value on one line, never broken apart.
        out.push_str("<span class=\"nowrap\">");
        escape_into(out, &p.period);
        out.push_str(": ");
        num(out, p.value, d);
        out.push_str("</span>");
    }
    out.push_str("</td>\n  <td>");
    sparkline_into(out, &r.sparkline, &r.title);
    out.push_str("</td>\n  <td class=\"icon-cell\">");
    let drawn = row_icons(icons, r);
    if let Some((variation, _)) = &drawn {
        out.push_str(variation);
    }
    out.push_str("<span class=\"icon-label\">");
    escape_into(out, &r.variation_label);
    out.push_str("</span></td>\n  <td class=\"icon-cell\">");
    if let Some((_, assurance)) = &drawn {
        out.push_str(assurance);
    }
    out.push_str("<span class=\"icon-label\">");
    escape_into(out, &r.assurance_label);
    if let Some(n) = &r.assurance_note {
        out.push_str("</span><span class=\"icon-label\" style=\"clear: left\"><strong>");
        escape_into(out, &n.text);
        out.push_str("</strong>");
    }
    out.push_str("</span></td>\n  <td>");
    out.push_str(r.chart_name.unwrap_or("no chart"));
    out.push_str("<br><span class=\"muted\">");
    escape_into(out, &r.profile);
    out.push_str("</span>");
    if !r.flags.is_empty() {
        out.push_str("<br><span class=\"flag-inline\"><span aria-hidden=\"true\">⚑ </span>");
        escape_into(out, &r.flags.join("; "));
        out.push_str("</span>");
    }
    out.push_str("</td>\n</tr>\n");
}

/// The latest value, the plan with its status, and the variance: three cells (one saying
/// "No data" across them when there is no value).
fn latest_cells(out: &mut String, r: &IprRow) {
    let d = r.decimals;
    match r.latest_value {
        Some(v) => {
            // Money reads as the headline writes it: "£19.52 per head", not "19.52 £ per head".
            out.push_str("<td><span class=\"value\">");
            match r.unit.strip_prefix('£') {
                Some(rest) => {
                    out.push('£');
                    num(out, v, d);
                    out.push_str("</span>");
                    escape_into(out, rest);
                }
                None => {
                    num(out, v, d);
                    out.push_str("</span> ");
                    escape_into(out, &r.unit);
                }
            }
            out.push_str("<br><span class=\"muted nowrap\">");
            escape_into(out, r.latest_period.as_deref().unwrap_or_default());
            out.push_str("</span></td>\n  <td>");
            match r.plan {
                Some(p) => {
                    num(out, p, d);
                    let _ = write!(
                        out,
                        " <span class=\"muted\">({})</span>",
                        r.plan_kind.unwrap_or_default()
                    );
                }
                None => out.push_str("<span class=\"muted\">none</span>"),
            }
            out.push_str("<br>");
            if let Some(position) = r.plan_position {
                let name = serde_json::to_value(position)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let (class, mark) = match r.meets_plan {
                    Some(true) => ("status-met", "✓ "),
                    Some(false) => ("status-missed", "✕ "),
                    None => ("status-on-track", ""),
                };
                let _ = write!(
                    out,
                    "<span class=\"status {class}\">{mark}{}</span>",
                    capitalize(&name.replace('-', " "))
                );
            }
            out.push_str("</td>\n  <td class=\"num\">");
            match r.variance {
                Some(v) => {
                    num(out, v, d);
                    if r.unit == "%" {
                        out.push_str(" pp");
                    }
                }
                None => out.push('—'),
            }
            out.push_str("</td>\n  ");
        }
        None => out.push_str("<td colspan=\"3\" class=\"muted\">No data</td>\n  "),
    }
}

/// One `<li>` under an icon: the row's link, organisation and both icons' names.
fn list_item(out: &mut String, r: &IprRow, several: bool, ipr: &Ipr, variation_first: bool) {
    out.push_str("<li><a href=\"#");
    escape_into(out, &r.anchor);
    out.push_str("\">");
    escape_into(out, &r.title);
    out.push_str("</a>");
    if several {
        out.push_str(", ");
        organisation_into(out, ipr, &r.organisation);
    }
    out.push_str(": ");
    let (a, b) = if variation_first {
        (&r.variation_label, &r.assurance_label)
    } else {
        (&r.assurance_label, &r.variation_label)
    };
    escape_into(out, a);
    out.push_str("; ");
    escape_into(out, b);
    if let Some(n) = &r.assurance_note {
        out.push_str(". ");
        escape_into(out, &n.text);
    }
    out.push_str("</li>\n");
}

/// One indicator's chart section: its chart, what is said beside it (warnings, gaps, why
/// points are flagged, rebases, suggested rebases, the profile comparison, data-quality
/// flags) and a link back to its table.
fn chart_section(
    out: &mut String,
    r: &IprRow,
    x: &IndicatorReview,
    several: bool,
    ipr: &Ipr,
    style: ChartStyle,
) -> Result<(), ReportError> {
    out.push_str("<section class=\"chart-section\" id=\"");
    escape_into(out, &r.anchor);
    out.push_str("\" aria-labelledby=\"");
    escape_into(out, &r.anchor);
    out.push_str("-h\">\n<h3 id=\"");
    escape_into(out, &r.anchor);
    out.push_str("-h\">");
    escape_into(out, &r.title);
    if several {
        out.push_str(", ");
        organisation_into(out, ipr, &r.organisation);
    }
    out.push_str("</h3>\n<p>");
    escape_into(out, &r.headline);
    out.push_str("</p>\n");
    match (indicator_chart(x, false), &x.spc) {
        (Some(c), Some(sp)) => {
            out.push_str("<figure>");
            match style {
                ChartStyle::Full => out.push_str(&spc_chart::spc_svg(&c)?),
                ChartStyle::Compact => spc_chart::compact_svg_into(out, &c, &r.anchor),
            }
            out.push_str("<figcaption>");
            escape_into(out, &capitalize(sp.chart_name));
            out.push_str(" (");
            escape_into(out, &sp.chart_reason);
            out.push_str("); XmR rule profile ");
            escape_into(out, &sp.profile);
            out.push_str(". Hover a flagged point for why it is flagged; the reasons are also listed below.</figcaption></figure>\n");
        }
        _ => out.push_str("<p class=\"muted\">No chart: fewer than 2 points.</p>\n"),
    }
    if let Some(sp) = &x.spc {
        for w in &sp.warnings {
            out.push_str("<p class=\"muted\">");
            escape_into(out, w);
            out.push_str("</p>\n");
        }
        gaps_note(out, sp);
        flagged_points(out, sp);
        for e in &sp.rebases {
            out.push_str("<p><span aria-hidden=\"true\">↦ </span>Rebase log: rebased at ");
            escape_into(out, &e.date);
            out.push_str(": ");
            escape_into(out, &e.reason);
            out.push_str(" (approved by ");
            escape_into(out, &e.approved_by);
            let _ = write!(out, " on {}; ", e.approved_on);
            escape_into(out, &e.file);
            let _ = writeln!(out, " line {}).</p>", e.line);
        }
        for t in &sp.suggested_rebases {
            out.push_str("<p class=\"notice\" role=\"note\">Suggested rebase: ");
            escape_into(out, t);
            out.push_str(".</p>\n");
        }
        if let Some(c) = &sp.compare {
            profile_comparison(out, c);
        }
    }
    if !x.flags.is_empty() {
        out.push_str("<ul>");
        for f in &x.flags {
            let kind = serde_json::to_value(f.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            out.push_str("<li><span class=\"flag-inline\"><span aria-hidden=\"true\">⚑ </span>");
            escape_into(out, &kind.replace('-', " "));
            out.push_str("</span>: ");
            escape_into(out, &f.message);
            out.push_str("</li>");
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<p class=\"back\"><a href=\"#tf-");
    out.push_str(r.timeframe.as_str());
    out.push_str("\">Back to the table</a></p>\n</section>\n");
    Ok(())
}

/// The gaps in the series, and whether they were joined.
fn gaps_note(out: &mut String, sp: &SpcSummary) {
    if !sp.gaps.is_empty() {
        out.push_str("<p>Gaps: ");
        for (i, g) in sp.gaps.iter().enumerate() {
            if i > 0 {
                out.push_str("; ");
            }
            escape_into(out, &g.missing.join(", "));
            if g.more > 0 {
                out.push_str(&format!(" and {} more", g.more));
            }
            out.push_str(" missing before ");
            escape_into(out, &g.before);
        }
        out.push_str(if sp.gaps_joined {
            " (joined: --join-gaps).</p>\n"
        } else {
            " (shown, not joined).</p>\n"
        });
    }
}

/// The flagged points, each with why, in a details element.
fn flagged_points(out: &mut String, sp: &SpcSummary) {
    let explained: Vec<_> = sp
        .points
        .iter()
        .filter_map(|p| p.explanation.as_ref().map(|e| (p, e)))
        .collect();
    if !explained.is_empty() {
        let n = explained.len();
        let _ = write!(
            out,
            "<details><summary>Why {n} point{} flagged</summary><ul>",
            if n != 1 { "s are" } else { " is" }
        );
        for (p, e) in explained {
            out.push_str("<li>");
            escape_into(out, &p.period);
            out.push_str(" (");
            escape_into(out, &p.point_type.as_str().replace('_', " "));
            out.push_str("): ");
            escape_into(out, e);
            out.push_str("</li>");
        }
        out.push_str("</ul></details>\n");
    }
}

/// The icons and the points judged differently under the other rule profile.
fn profile_comparison(out: &mut String, c: &ProfileComparison) {
    out.push_str("<p>Under ");
    escape_into(out, &c.profile);
    out.push_str(": variation ");
    let variation = c.variation_icon.map_or("none", ChartVariationIcon::as_str);
    escape_into(out, &variation.replace('_', " "));
    out.push_str(", assurance ");
    escape_into(out, c.assurance_icon.map_or("none", AssuranceIcon::as_str));
    if c.icons_differ {
        out.push_str(" (the icons differ)");
    }
    out.push('.');
    if !c.points.is_empty() {
        out.push_str(" Points judged differently: ");
        escape_into(out, &c.points.join("; "));
        out.push('.');
    }
    out.push_str("</p>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_the_templates() {
        let mut s = String::new();
        escape_into(&mut s, "<a href='x'>&\"/é</a>");
        assert_eq!(
            s,
            "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;&#x2F;é&lt;&#x2F;a&gt;"
        );
    }

    #[test]
    fn capitalize_is_the_templates() {
        assert_eq!(capitalize("below plan"), "Below plan");
        assert_eq!(capitalize("P′ CHART"), "P′ chart");
        assert_eq!(capitalize(""), "");
    }
}
