//! The bundled KPI set and the synthetic BNSSG extract tell the story of the seed board
//! papers: A&E 4-hour below plan in every month of 2024/25 (65.1 % year to date against
//! 70.7 %), Category 2 response above its target, the Faster Diagnosis Standard above plan.

use std::path::PathBuf;

use chrono::NaiveDate;
use sct_core::load::FrameworkRegistry;
use sct_kpi::data::{FlagKind, read_kpi_data};
use sct_kpi::kpiset::KpiSet;
use sct_kpi::review::{IndicatorReview, KpiReview, PlanPosition, ReviewOptions, review};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bnssg(as_of: Option<&str>) -> KpiReview {
    let registry = FrameworkRegistry::bundled().unwrap();
    let (set, used) = KpiSet::find("scf-three-timeframes", &registry).unwrap();
    let file = std::fs::File::open(root().join("examples/kpi/bnssg-kpis.csv")).unwrap();
    let data = read_kpi_data(file, "bnssg-kpis.csv", &set, None).unwrap();
    let options = ReviewOptions {
        as_of: as_of.map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()),
        organisation_name: None,
        ..ReviewOptions::default()
    };
    review(&set, &used, &data, "QUY", &options).unwrap()
}

fn row<'a>(r: &'a KpiReview, id: &str) -> &'a IndicatorReview {
    r.timeframes
        .iter()
        .flat_map(|t| &t.indicators)
        .find(|i| i.id == id)
        .unwrap()
}

#[test]
fn the_bundled_set_has_all_three_timeframes_and_checks_clean() {
    let r = bnssg(None);
    let ids: Vec<&str> = r.timeframes.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["leading", "kpi", "outcome"]);
    assert_eq!(r.summary.indicators, 12);
    assert_eq!(r.summary.with_data, 12);
    assert_eq!(r.as_of, "2025-09-30");
}

#[test]
fn ae_four_hour_is_below_plan_in_every_month_of_2024_25() {
    let r = bnssg(Some("2025-03-31"));
    let ae = row(&r, "ae-4-hour");
    let latest = ae.latest.as_ref().unwrap();
    assert_eq!(ae.latest_period.as_deref(), Some("2025-03"));
    assert_eq!(latest.plan, Some(70.7));
    assert_eq!(latest.plan_kind, Some("plan"));
    assert_eq!(latest.plan_position, Some(PlanPosition::BelowPlan));
    let ytd = ae.year_to_date.as_ref().unwrap();
    assert_eq!(ytd.year, "2024/25");
    assert_eq!(ytd.periods, 12);
    approx::assert_abs_diff_eq!(ytd.against.value, 65.1, epsilon = 0.05);
    assert_eq!(ytd.against.plan, Some(70.7));
    assert_eq!((ytd.periods_meeting_plan, ytd.periods_with_plan), (0, 12));
    assert!(ae.headline.contains("met in 0 of 12"), "{}", ae.headline);
}

#[test]
fn at_the_latest_data_ae_is_still_below_and_last_year_is_kept() {
    let r = bnssg(None);
    let ae = row(&r, "ae-4-hour");
    assert_eq!(ae.latest_period.as_deref(), Some("2025-09"));
    let latest = ae.latest.as_ref().unwrap();
    assert_eq!(latest.plan_kind, Some("target"));
    assert_eq!(latest.plan_position, Some(PlanPosition::BelowPlan));
    assert_eq!(latest.meets_plan, Some(false));
    let last_year = ae.previous_year.as_ref().unwrap();
    approx::assert_abs_diff_eq!(last_year.against.value, 65.1, epsilon = 0.05);
    let spc = ae.spc.as_ref().unwrap();
    assert_eq!(spc.points.len(), 30);
    assert!(spc.assurance_icon.is_some());
}

#[test]
fn cat2_and_fds_tell_the_letters_story() {
    let r = bnssg(Some("2025-03-31"));
    let cat2 = row(&r, "cat2-mean-response");
    let y = cat2.year_to_date.as_ref().unwrap();
    approx::assert_abs_diff_eq!(y.against.value, 38.4, epsilon = 0.05);
    assert_eq!(y.against.meets_plan, Some(false));
    assert!(y.method.contains("average of the period means"));
    let fds = row(&r, "fds-28-day");
    let y = fds.year_to_date.as_ref().unwrap();
    approx::assert_abs_diff_eq!(y.against.value, 81.4, epsilon = 0.05);
    assert_eq!(y.against.meets_plan, Some(true));
}

#[test]
fn annual_outcomes_are_read_with_a_run_chart_and_not_flagged_for_it() {
    let r = bnssg(None);
    let hle = row(&r, "healthy-life-expectancy");
    assert_eq!(hle.points, 6);
    // A short series read with a run chart is read as it should be: its chart's reason says
    // so, and the row carries no data-quality flag for it (the summary counts none either).
    assert!(
        hle.flags.iter().all(|f| f.kind != FlagKind::FewPoints),
        "{:?}",
        hle.flags
    );
    let spc = hle.spc.as_ref().unwrap();
    assert_eq!(
        spc.assurance_label,
        "No assurance: a run chart has no process limits to judge the target by"
    );
    assert_eq!(spc.chart.as_str(), "run");
    assert_eq!(spc.chart_reason, "6 points, fewer than 15: run chart");
    assert!(
        spc.assurance_icon.is_none(),
        "a run chart has no limits to judge a target by"
    );
    assert!(hle.year_to_date.is_none());
}

#[test]
fn a_late_review_date_flags_late_monthly_data() {
    let r = bnssg(Some("2025-11-23"));
    let ae = row(&r, "ae-4-hour");
    let late = ae.flags.iter().find(|f| f.kind == FlagKind::Late).unwrap();
    assert!(
        late.message.contains("2025-10 was expected by 2025-11-23"),
        "{}",
        late.message
    );
    let hle = row(&r, "healthy-life-expectancy");
    assert!(!hle.flags.iter().any(|f| f.kind == FlagKind::Late));
}

#[test]
fn provenance_names_the_set_and_the_streamed_files_checksum() {
    let r = bnssg(None);
    let bytes = std::fs::read(root().join("examples/kpi/bnssg-kpis.csv")).unwrap();
    let data = r.provenance.data.as_ref().expect("a data file was read");
    assert_eq!(data.sha256, sct_core::source::sha256_hex(&bytes));
    assert!(data.file.ends_with("bnssg-kpis.csv"), "{}", data.file);
    assert_eq!(r.provenance.kpi_set.id, "scf-three-timeframes");
    assert_eq!(r.provenance.kpi_set.kind, "kpi-set");
}

/// The review's method states the run-chart threshold and the screening of the profile it
/// was read under (15 and screened under `ptd-0.2.2`, 13 and unscreened under `mdc`), as the
/// charts themselves use them.
#[test]
fn the_method_states_the_profiles_threshold_and_screening() {
    use sct_kpi::profile::{Profile, ProfileKind};
    use sct_kpi::review::method_statements;
    let ptd = method_statements(&Profile::of(ProfileKind::Ptd022)).join("\n");
    assert!(
        ptd.contains("a series of fewer than 15 points gets a run chart"),
        "{ptd}"
    );
    assert!(ptd.contains("after screening out moving ranges"), "{ptd}");
    let mdc = method_statements(&Profile::of(ProfileKind::Mdc)).join("\n");
    assert!(
        mdc.contains("a series of fewer than 13 points gets a run chart"),
        "{mdc}"
    );
    assert!(mdc.contains("with no moving range screened out"), "{mdc}");
    let registry = FrameworkRegistry::bundled().unwrap();
    let (set, used) = KpiSet::find("scf-three-timeframes", &registry).unwrap();
    let file = std::fs::File::open(root().join("examples/kpi/bnssg-kpis.csv")).unwrap();
    let data = read_kpi_data(file, "bnssg-kpis.csv", &set, None).unwrap();
    let options = ReviewOptions {
        profile: Some(ProfileKind::Mdc),
        ..ReviewOptions::default()
    };
    let r = review(&set, &used, &data, "QUY", &options).unwrap();
    assert!(
        r.method[0].contains("fewer than 13 points"),
        "{:?}",
        r.method
    );
}
