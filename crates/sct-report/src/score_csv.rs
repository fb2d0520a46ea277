//! The score as CSV: one row for the whole assessment, one per domain and one per capability.

use sct_core::ScoreReport;
use sct_core::csv_out::CsvWriter;
use sct_core::score::ScoreSummary;

const HEADER: [&str; 22] = [
    "scope",
    "ods_code",
    "round",
    "domain_id",
    "capability_id",
    "title",
    "state",
    "score",
    "level",
    "target_score",
    "target_level",
    "target_date",
    "gap",
    "answered",
    "not_applicable",
    "unanswered",
    "coverage",
    "confidence_low",
    "confidence_medium",
    "confidence_high",
    "confidence_unstated",
    "without_evidence",
];

fn num(v: Option<f64>) -> String {
    sct_core::csv_out::opt_number(v)
}

fn summary_cells(s: &ScoreSummary) -> [String; 14] {
    let c = &s.confidence;
    [
        num(s.score),
        s.level.clone().unwrap_or_default(),
        num(s.target_score),
        String::new(),
        String::new(),
        num(s.gap_to_target),
        s.coverage.answered.to_string(),
        s.coverage.not_applicable.to_string(),
        s.coverage.unanswered.to_string(),
        num(s.coverage.ratio),
        c.low.to_string(),
        c.medium.to_string(),
        c.high.to_string(),
        c.unstated.to_string(),
    ]
}

/// Renders a score report as CSV (RFC 4180, header row first), through
/// [`CsvWriter`]: quoted as needed, and no field a spreadsheet would run as a formula.
pub fn score_csv(r: &ScoreReport) -> String {
    let mut w = CsvWriter::new();
    let round = r.round.clone().unwrap_or_default();
    let mut rows: Vec<Vec<String>> = vec![HEADER.iter().map(|s| s.to_string()).collect()];
    let mut push = |scope: &str,
                    domain: &str,
                    cap: &str,
                    title: &str,
                    state: &str,
                    cells: Vec<String>,
                    without: String| {
        let mut v = vec![
            scope.to_string(),
            r.subject.ods_code.clone(),
            round.clone(),
            domain.to_string(),
            cap.to_string(),
            title.to_string(),
            state.to_string(),
        ];
        v.extend(cells);
        v.push(without);
        rows.push(v);
    };
    push(
        "overall",
        "",
        "",
        "Overall",
        "",
        summary_cells(&r.overall).to_vec(),
        r.overall.without_evidence.to_string(),
    );
    for d in &r.domains {
        push(
            "domain",
            &d.id,
            "",
            &d.title,
            "",
            summary_cells(&d.summary).to_vec(),
            d.summary.without_evidence.to_string(),
        );
        for c in &d.capabilities {
            let conf =
                |x: sct_core::assessment::Confidence| u8::from(c.confidence == Some(x)).to_string();
            let answered = c.state == "answered";
            let cells = vec![
                num(c.score),
                c.level.clone().unwrap_or_default(),
                String::new(),
                c.target_level.clone().unwrap_or_default(),
                c.target_date.map(|d| d.to_string()).unwrap_or_default(),
                c.gap.map(|g| g.to_string()).unwrap_or_default(),
                u8::from(answered).to_string(),
                u8::from(c.state == "n/a").to_string(),
                u8::from(c.state == "unanswered").to_string(),
                String::new(),
                conf(sct_core::assessment::Confidence::Low),
                conf(sct_core::assessment::Confidence::Medium),
                conf(sct_core::assessment::Confidence::High),
                u8::from(answered && c.confidence.is_none()).to_string(),
            ];
            push(
                "capability",
                &d.id,
                &c.id,
                &c.title,
                c.state,
                cells,
                u8::from(answered && c.evidence_count == 0).to_string(),
            );
        }
    }
    for row in rows {
        w.row(&row);
    }
    w.finish()
}
