//! Example native plugin for `sct`: weekly waiting-list measures from a local CSV extract.
//!
//! A template for plugin authors: two safe functions, [`describe`] and [`compute`], and one
//! line, `sct_plugin!`, that exports them through the C ABI `sct` loads.
//!
//! The extract (see `sample/waiting-list.csv`) has one row per open pathway per weekly
//! snapshot: `week_ending,organisation,pathway_id,weeks_waited`. Each week becomes the ISO
//! week holding its `week_ending` date (`2025-W14`).
//!
//! Measures:
//! - `waiting-list-size`: open pathways per week (lower is better);
//! - `long-waits`: the percentage of open pathways waiting more than `weeks` weeks
//!   (parameter, default 52), with the numerator and denominator.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::{Datelike, NaiveDate};
use sct_plugin_api::{
    ComputeRequest, ComputeResponse, Description, Direction, MeasureInfo, MeasureKind,
    ParameterInfo, PluginError, Point,
};

/// The plugin's name, as in its manifest.
pub const NAME: &str = "waiting-list-weekly";

/// What the plugin offers.
pub fn describe() -> Description {
    Description {
        name: NAME.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        protocol: sct_plugin_api::PROTOCOL_VERSION,
        description: "Weekly waiting-list measures from a local CSV extract (week_ending, organisation, pathway_id, weeks_waited).".into(),
        measures: vec![
            MeasureInfo {
                id: "waiting-list-size".into(),
                title: "Open pathways on the waiting list".into(),
                kind: MeasureKind::Series,
                unit: "pathways".into(),
                timeframe: "leading".into(),
                period: "week".into(),
                direction: Direction::Decrease,
                parameters: vec![],
            },
            MeasureInfo {
                id: "long-waits".into(),
                title: "Pathways waiting more than the threshold".into(),
                kind: MeasureKind::Series,
                unit: "%".into(),
                timeframe: "leading".into(),
                period: "week".into(),
                direction: Direction::Decrease,
                parameters: vec![ParameterInfo {
                    name: "weeks".into(),
                    description: "Count pathways waiting more than this many weeks.".into(),
                    default: Some("52".into()),
                    required: false,
                }],
            },
        ],
    }
}

/// Per ISO week: open pathways, and those over the threshold.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WeekCounts {
    /// Open pathways.
    pub open: u64,
    /// Of which waiting more than the threshold.
    pub over: u64,
}

/// Counts pathways per ISO week (`(year, week)`) for one organisation (or all), from CSV text.
pub fn count_weeks<R: Read>(
    reader: R,
    file: &str,
    organisation: Option<&str>,
    threshold: u32,
) -> Result<BTreeMap<(i32, u32), WeekCounts>, PluginError> {
    let mut csv = csv::ReaderBuilder::new().from_reader(reader);
    let headers = csv
        .byte_headers()
        .map_err(|e| PluginError::new(format!("{file}: cannot read the header: {e}")))?
        .clone();
    let col = |name: &str| {
        headers.iter().position(|h| h == name.as_bytes()).ok_or_else(|| {
            PluginError::new(format!(
                "{file}:1: no column \"{name}\"; expected columns week_ending,organisation,pathway_id,weeks_waited"
            ))
        })
    };
    let (c_week, c_org, c_wait) = (
        col("week_ending")?,
        col("organisation")?,
        col("weeks_waited")?,
    );
    let mut weeks: BTreeMap<(i32, u32), WeekCounts> = BTreeMap::new();
    // Consecutive rows usually share a week: remember the last one parsed.
    let mut last: Option<(Vec<u8>, (i32, u32))> = None;
    let mut record = csv::ByteRecord::new();
    let mut line = 1u64;
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(PluginError::new(format!("{file}: {e}"))),
        }
        line += 1;
        if let Some(org) = organisation
            && record.get(c_org) != Some(org.as_bytes())
        {
            continue;
        }
        let week_text = record.get(c_week).unwrap_or_default();
        let week = match &last {
            Some((text, w)) if text == week_text => *w,
            _ => {
                let s = std::str::from_utf8(week_text).unwrap_or("");
                let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                    PluginError::new(format!(
                        "{file}:{line}: week_ending \"{}\" is not a date; expected YYYY-MM-DD",
                        String::from_utf8_lossy(week_text)
                    ))
                })?;
                let iso = date.iso_week();
                let w = (iso.year(), iso.week());
                last = Some((week_text.to_vec(), w));
                w
            }
        };
        let wait_text = record.get(c_wait).unwrap_or_default();
        let waited: u32 = std::str::from_utf8(wait_text)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| {
                PluginError::new(format!(
                    "{file}:{line}: weeks_waited \"{}\" is not a whole number of weeks",
                    String::from_utf8_lossy(wait_text)
                ))
            })?;
        let counts = weeks.entry(week).or_default();
        counts.open += 1;
        counts.over += u64::from(waited > threshold);
    }
    Ok(weeks)
}

fn iso_week_text((year, week): (i32, u32)) -> String {
    format!("{year}-W{week:02}")
}

/// Computes a measure.
pub fn compute(req: &ComputeRequest) -> Result<ComputeResponse, PluginError> {
    match req.measure.as_str() {
        "waiting-list-size" | "long-waits" => {}
        other => {
            return Err(PluginError::new(format!(
                "no measure \"{other}\"; expected waiting-list-size or long-waits"
            )));
        }
    }
    let [path] = req.data.as_slice() else {
        return Err(PluginError::new(format!(
            "{NAME} needs exactly one --data file (a weekly waiting-list CSV), got {}",
            req.data.len()
        )));
    };
    let threshold: u32 = match req.parameters.get("weeks") {
        None => 52,
        Some(v) => v.parse().map_err(|_| {
            PluginError::new(format!(
                "parameter weeks = \"{v}\" is not a whole number of weeks"
            ))
        })?,
    };
    if let Some(unknown) = req.parameters.keys().find(|k| k.as_str() != "weeks") {
        return Err(PluginError::new(format!(
            "unknown parameter \"{unknown}\"; expected: weeks"
        )));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| PluginError::new(format!("cannot read {path}: {e}")))?;
    let weeks = count_weeks(
        std::io::BufReader::with_capacity(1 << 16, file),
        path,
        req.organisation.as_deref(),
        threshold,
    )?;
    let in_range = |p: &str| {
        req.period_from.as_deref().is_none_or(|f| p >= f)
            && req.period_to.as_deref().is_none_or(|t| p <= t)
    };
    let series: Vec<Point> = weeks
        .iter()
        .map(|(&w, c)| (iso_week_text(w), c))
        .filter(|(p, _)| in_range(p))
        .map(|(period, c)| match req.measure.as_str() {
            "long-waits" => Point {
                period,
                value: 100.0 * c.over as f64 / c.open as f64,
                numerator: Some(c.over as f64),
                denominator: Some(c.open as f64),
            },
            _ => Point {
                period,
                value: c.open as f64,
                numerator: None,
                denominator: None,
            },
        })
        .collect();
    let mut notes = Vec::new();
    if series.is_empty() {
        notes.push(format!(
            "no rows{} in {path}",
            req.organisation
                .as_deref()
                .map(|o| format!(" for organisation {o}"))
                .unwrap_or_default()
        ));
    }
    Ok(ComputeResponse {
        measure: req.measure.clone(),
        series,
        evidence: vec![],
        notes,
    })
}

sct_plugin_api::sct_plugin!(describe = describe, compute = compute);

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "week_ending,organisation,pathway_id,weeks_waited\n2025-04-06,A,1,60\n2025-04-06,A,2,3\n2025-04-06,B,3,99\n2025-04-13,A,4,52\n";

    #[test]
    fn counts_per_iso_week_for_one_organisation() {
        let w = count_weeks(TEXT.as_bytes(), "t.csv", Some("A"), 52).unwrap();
        assert_eq!(w[&(2025, 14)], WeekCounts { open: 2, over: 1 });
        // 52 weeks is not more than 52.
        assert_eq!(w[&(2025, 15)], WeekCounts { open: 1, over: 0 });
    }

    #[test]
    fn a_bad_row_names_the_file_and_line() {
        let text = "week_ending,organisation,pathway_id,weeks_waited\n2025-04-06,A,1,x\n";
        let e = count_weeks(text.as_bytes(), "t.csv", None, 52).unwrap_err();
        assert_eq!(
            e.message,
            "t.csv:2: weeks_waited \"x\" is not a whole number of weeks"
        );
    }
}
