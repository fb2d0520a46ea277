//! Scoring checked against hand-worked examples (see the fixture in `common`).

mod common;

use approx::assert_relative_eq;
use sct_core::milestones::MilestoneStatus;
use sct_core::model::Aggregation;
use sct_core::score::aggregate;
use sct_core::{Date, SourceFile};

use common::*;

/// a1 = low (1) with target mid, a2 = high (3, weight 3), a3 = n/a, b1 = mid (2), b2 blank.
const RESPONSE: &str = r#"
round = "mini-round"
assessed = 2026-03-20
[organisation]
name = "Org A"
ods_code = "AAA"
[capabilities.a1]
level = "low"
confidence = "low"
target_level = "mid"
target_date = 2027-03-31
[capabilities.a2]
level = "High"
confidence = "high"
evidence = ["Board paper"]
[capabilities.a3]
level = "n/a"
reason = "Hosted by a neighbouring ICB"
[capabilities.b1]
level = "mid"
evidence = ["  ", "Plan"]
[capabilities.b2]
level = ""
"#;

fn score_with(toolkit: &str, as_of: Option<Date>) -> sct_core::ScoreReport {
    let sct = mini_sct(toolkit);
    sct.score_source(
        &SourceFile::from_text("r.toml", RESPONSE),
        Default::default(),
        as_of,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn weighted_means_with_na_and_unanswered() {
    let r = score_with(MINI_TOOLKIT, None);
    let a = &r.domains[0].summary;
    // Domain A: (1×1 + 3×3) / (1 + 3) = 2.5; a3 is n/a and left out.
    assert_relative_eq!(a.score.unwrap(), 2.5);
    assert_eq!(a.level.as_deref(), Some("mid"));
    assert_eq!(
        (
            a.coverage.answered,
            a.coverage.not_applicable,
            a.coverage.applicable
        ),
        (2, 1, 2)
    );
    assert_relative_eq!(a.coverage.ratio.unwrap(), 1.0);
    // Target: a1 → mid (2), a2 stays 3: (2×1 + 3×3) / 4 = 2.75, gap 0.25.
    assert_relative_eq!(a.target_score.unwrap(), 2.75);
    assert_relative_eq!(a.gap_to_target.unwrap(), 0.25);
    assert_eq!(
        (
            a.confidence.low,
            a.confidence.medium,
            a.confidence.high,
            a.confidence.unstated
        ),
        (1, 0, 1, 0)
    );
    assert_eq!(a.without_evidence, 1);

    let b = &r.domains[1].summary;
    assert_relative_eq!(b.score.unwrap(), 2.0);
    assert_eq!((b.coverage.answered, b.coverage.unanswered), (1, 1));
    assert_relative_eq!(b.coverage.ratio.unwrap(), 0.5);
    // The blank evidence item is dropped, "Plan" remains.
    assert_eq!(r.domains[1].capabilities[0].evidence_count, 1);
    assert_eq!(b.without_evidence, 0);
    assert_eq!(b.confidence.unstated, 1);

    // Overall: domain weights 1 and 2: (2.5×1 + 2×2) / 3 = 13/6.
    assert_relative_eq!(r.overall.score.unwrap(), 13.0 / 6.0, epsilon = 1e-12);
    assert_relative_eq!(
        r.overall.target_score.unwrap(),
        (2.75 + 4.0) / 3.0,
        epsilon = 1e-12
    );
    assert_eq!(r.overall.level_name.as_deref(), Some("Middle"));
    assert_eq!(
        (
            r.overall.coverage.answered,
            r.overall.coverage.not_applicable,
            r.overall.coverage.unanswered
        ),
        (3, 1, 1)
    );
    assert_relative_eq!(r.overall.coverage.ratio.unwrap(), 0.75);

    let a1 = &r.domains[0].capabilities[0];
    assert_eq!((a1.gap, a1.target_level.as_deref()), (Some(1), Some("mid")));
    assert_eq!(r.domains[0].capabilities[2].state, "n/a");
    assert_eq!(r.domains[1].capabilities[1].state, "unanswered");
}

#[test]
fn mean_median_and_min_aggregations() {
    let with = |method: &str| {
        let toolkit = toolkit_with(
            "status = \"example\"\n",
            &format!(
                "status = \"example\"\n[scoring]\ndomain_aggregation = \"{method}\"\noverall_aggregation = \"{method}\"\n"
            ),
        );
        score_with(&toolkit, None)
    };
    // Domain A has scores 1 and 3 (weights 1 and 3); domain B has 2.
    let mean = with("mean");
    assert_relative_eq!(mean.domains[0].summary.score.unwrap(), 2.0);
    assert_relative_eq!(mean.overall.score.unwrap(), 2.0);
    let median = with("median");
    assert_relative_eq!(median.domains[0].summary.score.unwrap(), 2.0);
    let min = with("min");
    assert_relative_eq!(min.domains[0].summary.score.unwrap(), 1.0);
    assert_relative_eq!(min.overall.score.unwrap(), 1.0);
    assert!(min.method.description.contains("the lowest of its"));
}

#[test]
fn aggregate_by_hand() {
    let items = [(1.0, 1.0), (4.0, 2.0), (2.0, 1.0), (5.0, 0.5)];
    assert_relative_eq!(aggregate(Aggregation::Mean, &items).unwrap(), 3.0);
    assert_relative_eq!(
        aggregate(Aggregation::WeightedMean, &items).unwrap(),
        (1.0 + 8.0 + 2.0 + 2.5) / 4.5
    );
    assert_relative_eq!(aggregate(Aggregation::Median, &items).unwrap(), 3.0);
    assert_relative_eq!(aggregate(Aggregation::Median, &items[..3]).unwrap(), 2.0);
    assert_relative_eq!(aggregate(Aggregation::Min, &items).unwrap(), 1.0);
    assert_eq!(aggregate(Aggregation::Mean, &[]), None);
}

#[test]
fn custom_bands_move_the_level_not_the_score() {
    let toolkit = toolkit_with(
        "status = \"example\"\n",
        "status = \"example\"\n[scoring]\nbands = [{ level = \"low\", min_score = 1.0 }, { level = \"mid\", min_score = 1.5 }, { level = \"high\", min_score = 2.5 }]\n",
    );
    let r = score_with(&toolkit, None);
    assert_relative_eq!(r.domains[0].summary.score.unwrap(), 2.5);
    assert_eq!(r.domains[0].summary.level.as_deref(), Some("high"));
    assert_eq!(r.domains[1].summary.level.as_deref(), Some("mid"));
    assert!(
        r.method.description.contains("High from 2.50"),
        "{}",
        r.method.description
    );
}

#[test]
fn milestone_statuses_as_of_dates() {
    let status = |as_of: &str| {
        let r = score_with(MINI_TOOLKIT, Some(Date::parse(as_of).unwrap()));
        r.milestones
            .iter()
            .map(|m| (m.id.clone(), m.status))
            .collect::<Vec<_>>()
    };
    // Nothing reported. As of 2026-03-20: early due 03-31 (11 days) → at risk; soon due
    // 05-31 (72 days) → at risk; later due 2027 → on track.
    assert_eq!(
        status("2026-03-20"),
        vec![
            ("early".into(), MilestoneStatus::AtRisk),
            ("soon".into(), MilestoneStatus::AtRisk),
            ("later".into(), MilestoneStatus::OnTrack)
        ]
    );
    // As of 2026-04-01 the early milestone has passed its used due date: missed.
    assert_eq!(status("2026-04-01")[0].1, MilestoneStatus::Missed);
    let r = score_with(MINI_TOOLKIT, None);
    assert_eq!(
        r.as_of,
        Date::parse("2026-03-20").ok(),
        "as-of defaults to the assessed date"
    );
    let early = &r.milestones[0];
    assert_eq!(early.due.date.to_string(), "2026-03-31");
    assert_eq!(early.other_due_dates.len(), 1);
    assert_eq!(early.other_due_dates[0].date.to_string(), "2026-01-31");
}

#[test]
fn reported_milestones_follow_the_rule() {
    let sct = mini_sct(MINI_TOOLKIT);
    let text = format!(
        "{RESPONSE}\n[milestones.early]\nstatus = \"complete\"\ncompleted_on = 2026-03-10\n[milestones.soon]\nstatus = \"on-track\"\n[milestones.later]\nstatus = \"at-risk\"\n"
    );
    let r = sct
        .score_source(
            &SourceFile::from_text("r.toml", text),
            Default::default(),
            None,
        )
        .unwrap();
    let got: Vec<_> = r.milestones.iter().map(|m| m.status).collect();
    assert_eq!(
        got,
        vec![
            MilestoneStatus::Met,
            MilestoneStatus::OnTrack,
            MilestoneStatus::AtRisk
        ]
    );
    // Past its due date, "on track" no longer helps: the milestone is missed.
    let r = sct
        .score_source(
            &SourceFile::from_text("r.toml", text_with_as_of()),
            Default::default(),
            Date::parse("2026-06-01").ok(),
        )
        .unwrap();
    assert_eq!(r.milestones[1].status, MilestoneStatus::Missed);
}

fn text_with_as_of() -> String {
    format!("{RESPONSE}\n[milestones.soon]\nstatus = \"on-track\"\n")
}

#[test]
fn scores_are_deterministic() {
    let a = serde_json::to_string(&score_with(MINI_TOOLKIT, None)).unwrap();
    let b = serde_json::to_string(&score_with(MINI_TOOLKIT, None)).unwrap();
    assert_eq!(a, b);
}
