//! The development plan's timeline: one row per programme date, milestone and group of
//! capability targets, each marked at its date on a shared time axis, with the assessed date as
//! a dashed line. Accessible SVG (or PNG) in the house style of [`crate::charts`]: a title and
//! description for assistive technology, shapes and printed words as well as colour, and the
//! same figures in a table beside it in every report.

use plotters::prelude::*;

use sct_core::Date;
use sct_core::plan::{DevelopmentPlan, TimelineKind};

use crate::charts::{
    Align, Canvas, ChartError, ChartFormat, Fitted, GRID, GRID_DARK, MARGIN, NHS_BLUE, NHS_ORANGE,
    PAPER, Pt, TEXT, TEXT_GREY, accessible_svg, clean, dashes, fit_text, load_fonts, measure,
    render_png, render_svg,
};

/// The timeline to draw.
#[derive(Debug, Clone)]
pub struct TimelineChart {
    /// Heading.
    pub title: String,
    /// A sentence or more for `<desc>`: every entry in words.
    pub description: String,
    /// The rows, in sections, each in date order.
    pub rows: Vec<TimelineRow>,
    /// A date drawn as a dashed line with its label (the assessed date).
    pub marker: Option<(Date, String)>,
}

/// One row of a [`TimelineChart`].
#[derive(Debug, Clone)]
pub struct TimelineRow {
    /// Section heading the row belongs to (rows of a section are consecutive).
    pub section: String,
    /// What happens.
    pub label: String,
    /// When.
    pub date: Date,
    /// The marker's shape.
    pub mark: Mark,
    /// Words printed after the date (a status, a count).
    pub note: String,
}

/// Marker shapes: each kind and status has its own shape, so colour is never the only signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A programme date: a dark diamond.
    Programme,
    /// A milestone met: a filled blue circle.
    Met,
    /// A milestone on track: a hollow blue circle.
    OnTrack,
    /// A milestone at risk: an orange triangle.
    AtRisk,
    /// A milestone missed: a dark cross.
    Missed,
    /// Capability targets: a blue square.
    Target,
}

/// Rows and the assessed date of a plan's timeline.
pub fn timeline_chart(plan: &DevelopmentPlan) -> TimelineChart {
    let round = plan.round.clone().unwrap_or_default();
    let mut rows = Vec::new();
    for (kind, section) in [
        (TimelineKind::Programme, "Programme dates".to_string()),
        (
            TimelineKind::Milestone,
            if round.is_empty() {
                "Milestones".to_string()
            } else {
                format!("Milestones of {round}")
            },
        ),
        (TimelineKind::Target, "Capability targets".to_string()),
    ] {
        for e in plan.timeline.iter().filter(|e| e.kind == kind) {
            let (mark, note) = match (kind, e.status.as_deref()) {
                (TimelineKind::Programme, _) => (Mark::Programme, String::new()),
                (TimelineKind::Target, _) => (Mark::Target, String::new()),
                (_, Some("met")) => (Mark::Met, "met".to_string()),
                (_, Some("at risk")) => (Mark::AtRisk, "at risk".to_string()),
                (_, Some("missed")) => (Mark::Missed, "missed".to_string()),
                (_, s) => (Mark::OnTrack, s.unwrap_or("on track").to_string()),
            };
            rows.push(TimelineRow {
                section: section.clone(),
                label: e.title.clone(),
                date: e.date,
                mark,
                note,
            });
        }
    }
    let words: Vec<String> = rows
        .iter()
        .map(|r| {
            if r.note.is_empty() {
                format!("{} {}", r.date, r.label)
            } else {
                format!("{} {} ({})", r.date, r.label, r.note)
            }
        })
        .collect();
    let marker = plan.assessed.map(|d| (d, format!("Assessed {d}")));
    TimelineChart {
        title: "Timeline: programme dates, milestones and capability targets".to_string(),
        description: format!(
            "Timeline of {} entries{}. {}.",
            rows.len(),
            marker
                .as_ref()
                .map(|(d, _)| format!(", the assessment dated {d} drawn as a dashed line"))
                .unwrap_or_default(),
            words.join("; ")
        ),
        rows,
        marker,
    }
}

/// Draws the timeline as SVG or PNG bytes.
pub fn timeline(chart: &TimelineChart, format: ChartFormat) -> Result<Vec<u8>, ChartError> {
    match format {
        ChartFormat::Svg => timeline_svg(chart).map(String::into_bytes),
        ChartFormat::Png => {
            let l = Layout::new(chart)?;
            render_png(l.size, |cv| draw(cv, &l))
        }
    }
}

/// The timeline's SVG as a String (for inlining in HTML).
pub fn timeline_svg(chart: &TimelineChart) -> Result<String, ChartError> {
    let l = Layout::new(chart)?;
    let svg = render_svg(l.size, |cv| draw(cv, &l))?;
    Ok(accessible_svg(
        svg,
        "timeline",
        "Timeline",
        &chart.title,
        &chart.description,
    ))
}

const WIDTH: u32 = 760;
const TITLE_PX: f64 = 18.0;
const LABEL_PX: f64 = 12.0;
const SMALL_PX: f64 = 11.0;
const LINE: f64 = 14.0;
const ROW_H: f64 = 34.0;
/// The smallest a milestone's label shrinks to before taking a fourth line.
const LABEL_MIN_PX: f64 = 11.0;
/// The smallest the title shrinks to before taking a third line.
const TITLE_MIN_PX: f64 = 14.0;
const SECTION_H: f64 = 26.0;
const LABEL_COL: f64 = 290.0;
const MAX_ROWS: usize = 80;
/// A colour for a missed milestone's cross: dark, so it reads on white like text.
const DARK: RGBColor = RGBColor(0x42, 0x54, 0x63);

enum Item {
    Section(String),
    Row {
        label: Fitted,
        day: i64,
        mark: Mark,
        text: String,
    },
}

struct Layout {
    size: (u32, u32),
    title: Fitted,
    items: Vec<Item>,
    /// Days from `start` to the end of the axis.
    span: i64,
    years: Vec<(i64, String)>,
    marker: Option<(i64, String)>,
    hidden: usize,
    plot_x0: f64,
    plot_x1: f64,
    top: f64,
}

/// How far everything below the title moves down for a title of more than one line.
fn title_extra(title: &Fitted) -> f64 {
    (title.lines.len().max(1) - 1) as f64 * title.px * 1.25
}

/// The height of a label's lines at its size.
fn line_h(label: &Fitted) -> f64 {
    LINE * label.px / LABEL_PX
}

impl Item {
    /// Its height: a section's heading, or a row tall enough for its label's lines.
    fn height(&self) -> f64 {
        match self {
            Item::Section(_) => SECTION_H,
            Item::Row { label, .. } => ROW_H.max(label.lines.len() as f64 * line_h(label) + 8.0),
        }
    }
}

fn days(from: Date, to: Date) -> i64 {
    (to.0 - from.0).num_days()
}

fn month_of(d: Date) -> u32 {
    d.to_string()
        .get(5..7)
        .and_then(|m| m.parse().ok())
        .unwrap_or(1)
}

fn year_of(d: Date) -> i32 {
    d.to_string()
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(2000)
}

impl Layout {
    fn new(chart: &TimelineChart) -> Result<Layout, ChartError> {
        load_fonts()?;
        let w = f64::from(WIDTH);
        let title = fit_text(
            &clean(&chart.title),
            TITLE_PX,
            TITLE_MIN_PX,
            true,
            w - 2.0 * MARGIN,
            2,
        );
        let rows: Vec<&TimelineRow> = chart.rows.iter().take(MAX_ROWS).collect();
        let hidden = chart.rows.len().saturating_sub(MAX_ROWS);
        let dates: Vec<Date> = rows
            .iter()
            .map(|r| r.date)
            .chain(chart.marker.as_ref().map(|(d, _)| *d))
            .collect();
        let first = dates.iter().min().copied();
        let last = dates.iter().max().copied();
        // The axis runs from the first of the earliest month to three months after the latest.
        let (start, end) = match (first, last) {
            (Some(a), Some(b)) => {
                let start = Date::from_ymd(year_of(a), month_of(a), 1).unwrap_or(a);
                // Three months' room after the latest date, for its marker and words.
                let months = year_of(b) * 12 + month_of(b) as i32 - 1 + 3;
                let end = Date::from_ymd(months / 12, (months % 12) as u32 + 1, 1).unwrap_or(b);
                (start, end)
            }
            _ => {
                let d = Date::from_ymd(2026, 1, 1)
                    .ok_or_else(|| ChartError::Draw("no date to start the axis".into()))?;
                (d, d)
            }
        };
        let span = days(start, end).max(1);
        let years = (year_of(start) + 1..=year_of(end))
            .filter_map(|y| Date::from_ymd(y, 1, 1).map(|d| (days(start, d), y.to_string())))
            .filter(|(d, _)| *d >= 0 && *d <= span)
            .collect();
        let plot_x0 = MARGIN + LABEL_COL + 20.0;
        let plot_x1 = w - MARGIN - 10.0;
        let mut items = Vec::new();
        let mut section = None;
        for r in rows {
            if section.as_ref() != Some(&r.section) {
                section = Some(r.section.clone());
                items.push(Item::Section(clean(&r.section)));
            }
            let text = if r.note.is_empty() {
                r.date.to_string()
            } else {
                format!("{}, {}", r.date, clean(&r.note))
            };
            items.push(Item::Row {
                // A long milestone takes a taller row, then shrinks, rather than being cut.
                label: fit_text(
                    &clean(&r.label),
                    LABEL_PX,
                    LABEL_MIN_PX,
                    false,
                    LABEL_COL,
                    3,
                ),
                day: days(start, r.date),
                mark: r.mark,
                text,
            });
        }
        let top = 104.0 + title_extra(&title);
        let body: f64 = items.iter().map(Item::height).sum();
        let body = if items.is_empty() { 60.0 } else { body };
        let extra = if hidden > 0 { 22.0 } else { 0.0 };
        let height = (top + body + 40.0 + extra).ceil() as u32;
        Ok(Layout {
            size: (WIDTH, height),
            title,
            items,
            span,
            years,
            marker: chart
                .marker
                .as_ref()
                .map(|(d, s)| (days(start, *d), clean(s))),
            hidden,
            plot_x0,
            plot_x1,
            top,
        })
    }

    fn x(&self, day: i64) -> f64 {
        let inner0 = self.plot_x0 + 8.0;
        let inner1 = self.plot_x1 - 8.0;
        inner0 + (inner1 - inner0) * (day as f64 / self.span as f64).clamp(0.0, 1.0)
    }

    fn bottom(&self) -> f64 {
        self.size.1 as f64 - 40.0 - if self.hidden > 0 { 22.0 } else { 0.0 }
    }
}

fn draw_mark<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    mark: Mark,
    (x, y): Pt,
) -> Result<(), ChartError> {
    let r = 6.0;
    match mark {
        Mark::Programme => cv.polygon(
            &[
                (x, y - r - 1.0),
                (x + r + 1.0, y),
                (x, y + r + 1.0),
                (x - r - 1.0, y),
            ],
            TEXT.to_rgba(),
        ),
        Mark::Met => cv.circle((x, y), r, NHS_BLUE.to_rgba(), true),
        Mark::OnTrack => {
            cv.circle((x, y), r, PAPER.to_rgba(), true)?;
            cv.circle((x, y), r, NHS_BLUE.to_rgba(), false)?;
            cv.circle((x, y), r - 1.0, NHS_BLUE.to_rgba(), false)
        }
        Mark::AtRisk => cv.polygon(
            &[(x, y - r - 1.0), (x + r + 1.0, y + r), (x - r - 1.0, y + r)],
            NHS_ORANGE.to_rgba(),
        ),
        Mark::Missed => {
            cv.path(&[(x - r, y - r), (x + r, y + r)], DARK.to_rgba(), 2.5)?;
            cv.path(&[(x - r, y + r), (x + r, y - r)], DARK.to_rgba(), 2.5)
        }
        Mark::Target => cv.rect((x - r, y - r), (x + r, y + r), NHS_BLUE.to_rgba()),
    }
}

fn draw<DB: DrawingBackend>(cv: &Canvas<DB>, l: &Layout) -> Result<(), ChartError> {
    let w = f64::from(l.size.0);
    cv.fill(PAPER)?;
    for (i, line) in l.title.lines.iter().enumerate() {
        let y = 32.0 + i as f64 * l.title.px * 1.25;
        cv.text(line, MARGIN, y, l.title.px, true, TEXT, Align::Left)?;
    }
    draw_legend(cv, 60.0 + title_extra(&l.title))?;
    if l.items.is_empty() {
        cv.text(
            "Nothing dated to show",
            w / 2.0,
            l.top + 30.0,
            14.0,
            false,
            TEXT_GREY,
            Align::Center,
        )?;
        return Ok(());
    }
    let bottom = l.bottom();
    draw_grid(cv, l, bottom)?;
    let mut y = l.top;
    for item in &l.items {
        match item {
            Item::Section(name) => {
                cv.text(name, MARGIN, y + 18.0, 13.0, true, TEXT, Align::Left)?;
                y += SECTION_H;
            }
            Item::Row {
                label,
                day,
                mark,
                text,
            } => {
                draw_row(cv, l, (y, item.height()), (label, *day, *mark, text))?;
                y += item.height();
            }
        }
    }
    if l.hidden > 0 {
        cv.text(
            &format!("… and {} more (see the table)", l.hidden),
            MARGIN,
            bottom + 34.0,
            SMALL_PX,
            false,
            TEXT_GREY,
            Align::Left,
        )?;
    }
    Ok(())
}

/// The legend: every shape with its meaning.
fn draw_legend<DB: DrawingBackend>(cv: &Canvas<DB>, y: f64) -> Result<(), ChartError> {
    let mut x = MARGIN + 8.0;
    for (mark, words) in [
        (Mark::Programme, "programme date"),
        (Mark::Met, "met"),
        (Mark::OnTrack, "on track"),
        (Mark::AtRisk, "at risk"),
        (Mark::Missed, "missed"),
        (Mark::Target, "capability targets"),
    ] {
        draw_mark(cv, mark, (x, y - 4.0))?;
        x += 12.0;
        cv.text(words, x, y, SMALL_PX, false, TEXT, Align::Left)?;
        x += measure(words, SMALL_PX, false) + 22.0;
    }
    Ok(())
}

/// The year lines, the axis and the assessed date.
fn draw_grid<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    l: &Layout,
    bottom: f64,
) -> Result<(), ChartError> {
    // Year lines, labelled above the rows.
    for (day, year) in &l.years {
        let gx = l.x(*day);
        cv.path(&[(gx, l.top - 8.0), (gx, bottom)], GRID_DARK.to_rgba(), 1.0)?;
        cv.text(
            year,
            gx,
            l.top - 14.0,
            SMALL_PX,
            true,
            TEXT_GREY,
            Align::Center,
        )?;
    }
    cv.path(
        &[(l.plot_x0, l.top - 8.0), (l.plot_x0, bottom)],
        TEXT_GREY.to_rgba(),
        1.0,
    )?;
    // The assessed date, dashed, labelled below the rows.
    if let Some((day, label)) = &l.marker {
        let mx = l.x(*day);
        for dash in dashes(&[(mx, l.top - 8.0), (mx, bottom)], 5.0, 4.0) {
            cv.path(&dash, TEXT_GREY.to_rgba(), 1.5)?;
        }
        let align = if mx > (l.plot_x0 + l.plot_x1) / 2.0 {
            Align::Right
        } else {
            Align::Left
        };
        cv.text(label, mx, bottom + 16.0, SMALL_PX, false, TEXT, align)?;
    }
    Ok(())
}

/// One dated row at `y`: its label, its gridline, its mark and the words beside the mark.
fn draw_row<DB: DrawingBackend>(
    cv: &Canvas<DB>,
    l: &Layout,
    (y, height): (f64, f64),
    (label, day, mark, text): (&Fitted, i64, Mark, &str),
) -> Result<(), ChartError> {
    let w = f64::from(l.size.0);
    let mid = y + height / 2.0;
    cv.path(&[(l.plot_x0, mid), (l.plot_x1, mid)], GRID.to_rgba(), 1.0)?;
    let lh = line_h(label);
    let block = label.lines.len() as f64 * lh;
    for (j, line) in label.lines.iter().enumerate() {
        let baseline = mid - block / 2.0 + j as f64 * lh + label.px * 0.875;
        cv.text(line, MARGIN, baseline, label.px, false, TEXT, Align::Left)?;
    }
    let mx = l.x(day);
    draw_mark(cv, mark, (mx, mid))?;
    // The words beside the marker, on a white backing so gridlines and the
    // assessed line never run through them.
    let tw = measure(text, SMALL_PX, false);
    let (tx, align) = if mx + 12.0 + tw <= w - MARGIN {
        (mx + 12.0, Align::Left)
    } else {
        (mx - 12.0, Align::Right)
    };
    let x0 = if align == Align::Left { tx } else { tx - tw };
    cv.rect(
        (x0 - 2.0, mid - 7.0),
        (x0 + tw + 2.0, mid + 7.0),
        PAPER.to_rgba(),
    )?;
    cv.text(text, tx, mid + 4.0, SMALL_PX, false, TEXT, align)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_svg_is_accessible_and_names_every_entry() {
        let chart = TimelineChart {
            title: "Timeline".into(),
            description: "Two entries.".into(),
            rows: vec![
                TimelineRow {
                    section: "Programme dates".into(),
                    label: "Programme launched <&>".into(),
                    date: d("2026-04-30"),
                    mark: Mark::Programme,
                    note: String::new(),
                },
                TimelineRow {
                    section: "Milestones".into(),
                    label: "Intelligence function in place".into(),
                    date: d("2027-03-31"),
                    mark: Mark::AtRisk,
                    note: "at risk".into(),
                },
            ],
            marker: Some((d("2026-03-20"), "Assessed 2026-03-20".into())),
        };
        let svg = timeline_svg(&chart).unwrap();
        assert!(svg.contains("role=\"img\"") && svg.contains("<title") && svg.contains("<desc"));
        assert!(
            svg.contains("Programme launched &lt;&amp;&gt;"),
            "text is escaped"
        );
        assert!(svg.contains("2027-03-31, at risk"));
        assert!(svg.contains("\n2027\n</text>"), "year gridline labels");
        assert_eq!(svg, timeline_svg(&chart).unwrap(), "deterministic");
        let png = timeline(&chart, ChartFormat::Png).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
    }

    #[test]
    fn long_titles_and_labels_are_shown_whole() {
        let long = "Strategic commissioning development programme launched (Model ICB implementation support, organisational development, individual development)";
        let chart = TimelineChart {
            title: "Timeline of the development plan: programme dates, milestones of the baseline round and capability targets due".into(),
            description: "One entry.".into(),
            rows: vec![TimelineRow {
                section: "Programme dates".into(),
                label: long.into(),
                date: d("2026-04-30"),
                mark: Mark::Programme,
                note: String::new(),
            }],
            marker: None,
        };
        let l = Layout::new(&chart).unwrap();
        assert_eq!(l.title.lines.join(" "), clean(&chart.title));
        let Item::Row { label, .. } = &l.items[1] else {
            panic!("a row")
        };
        assert_eq!(label.lines.join(" "), long);
        assert!(label.px >= LABEL_MIN_PX && l.items[1].height() >= ROW_H);
        assert!(!timeline_svg(&chart).unwrap().contains('…'));
    }

    #[test]
    fn an_empty_timeline_draws_a_note() {
        let chart = TimelineChart {
            title: String::new(),
            description: String::new(),
            rows: Vec::new(),
            marker: None,
        };
        let svg = timeline_svg(&chart).unwrap();
        assert!(svg.contains("Nothing dated to show"));
    }
}
