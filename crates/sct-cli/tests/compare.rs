//! End-to-end tests of `sct compare`: the bundled synthetic cohort (the acceptance,
//! including the browser check the assessment report passes), every format, bad input, and
//! the fairness rules as the report shows them.

mod common;

use std::path::{Path, PathBuf};

use common::{browser, root, sct};
use predicates::prelude::*;
use predicates::str::contains;

const COHORT: &str = "examples/cohort/";
const HOSTILE: &str =
    "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned2'\">";

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn json_of(args: &[&str]) -> serde_json::Value {
    let out = sct()
        .arg("compare")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A small cohort in `dir`: the first `n` baseline responses of the bundled cohort.
fn small_cohort(dir: &Path, n: usize) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(root().join("examples/cohort/baseline-2026-03"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
    files.sort();
    files
        .into_iter()
        .take(n)
        .map(|f| {
            let to = dir.join(f.file_name().unwrap());
            std::fs::copy(&f, &to).unwrap();
            to
        })
        .collect()
}

#[test]
fn the_bundled_cohort_gives_cohort_longitudinal_and_cluster_views() {
    let v = json_of(&[COHORT]);
    assert_eq!(v["schema"], "sct-compare/1");
    assert_eq!(v["cohort"]["round"], "reassessment-2027-03");
    assert_eq!(v["cohort"]["organisations"].as_array().unwrap().len(), 36);
    let rounds: Vec<(&str, u64)> = v["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["organisations"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rounds,
        vec![("baseline-2026-03", 42), ("reassessment-2027-03", 36)]
    );
    assert!(
        v["notices"][0]
            .as_str()
            .unwrap()
            .starts_with("SYNTHETIC DATA")
    );
    // Clusters, from the cohort's orgs.csv: QUY with QR1 (seed 002), population-weighted.
    assert_eq!(v["groups"]["field"], "cluster");
    let quy = v["groups"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Cluster QUY-QR1")
        .expect("the QUY-QR1 cluster");
    assert_eq!(quy["members"], serde_json::json!(["QR1", "QUY"]));
    assert_eq!(quy["weighting"], "population-weighted");
    // Longitudinal: 31 paired (30 the same ICB, Z9B2Z from its two whole predecessors); the
    // five successors that took part of a split ICB are not comparable, never guessed.
    let l = &v["longitudinal"];
    assert_eq!(l["against"], "baseline-2026-03");
    let paired = l["paired"].as_array().unwrap();
    assert_eq!(paired.len(), 31);
    let z = paired
        .iter()
        .find(|p| p["code"] == "Z9B2Z")
        .expect("Z9B2Z paired");
    assert_eq!(z["baseline"], serde_json::json!(["QMJ", "QRV"]));
    assert!(
        z["relation"]
            .as_str()
            .unwrap()
            .contains("population-weighted")
    );
    let qrl = paired.iter().find(|p| p["code"] == "QRL").unwrap();
    assert!(
        qrl["relation"]
            .as_str()
            .unwrap()
            .contains("gained part of QNQ")
    );
    let unpaired = l["unpaired"].as_array().unwrap();
    for code in ["D7T5G", "S0E4D", "S1Y5D", "S9B9J", "T6Y0W"] {
        let u = unpaired.iter().find(|u| u["code"] == code).expect(code);
        assert!(
            u["reason"].as_str().unwrap().starts_with("not comparable"),
            "{u}"
        );
    }
    // Every baseline ICB that is not in the later round is listed with where it went.
    let qnq = unpaired.iter().find(|u| u["code"] == "QNQ").unwrap();
    assert!(
        qnq["reason"]
            .as_str()
            .unwrap()
            .contains("passed to S0E4D and S9B9J and QRL")
    );
    assert_eq!(
        unpaired.len(),
        5 + 10,
        "five successors and the ten predecessors not merged whole into Z9B2Z"
    );
    // People: QOX has 3 (withheld), QUY 8 and QR1 6.
    let people = v["people"].as_array().unwrap();
    let qox = people.iter().find(|p| p["code"] == "QOX").unwrap();
    assert_eq!(
        (qox["people"].as_u64(), qox["suppressed"].as_bool()),
        (Some(3), Some(true))
    );
    assert!(qox["capabilities"].as_array().unwrap().is_empty());
    let quy = people.iter().find(|p| p["code"] == "QUY").unwrap();
    assert!(
        quy["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["gap"].is_number())
    );
    // KPI funnels for the two proportion indicators in kpis.csv, at 2027-03.
    let kpis = v["kpis"].as_array().unwrap();
    let ids: Vec<&str> = kpis.iter().map(|k| k["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["ae-4-hour", "fds-28-day"]);
    assert_eq!(kpis[0]["period"], "2027-03");
    assert_eq!(kpis[0]["funnel"]["rows"].as_array().unwrap().len(), 36);
    assert_eq!(kpis[0]["series"].as_array().unwrap().len(), 36);
}

#[test]
fn positions_are_quarters_on_whole_levels_and_never_ranks() {
    let v = json_of(&[COHORT]);
    let caps = v["cohort"]["capabilities"].as_array().unwrap();
    for o in v["cohort"]["organisations"].as_array().unwrap() {
        for (i, cell) in o["capabilities"].as_array().unwrap().iter().enumerate() {
            let d = &caps[i]["distribution"];
            match (cell["rank"].as_f64(), cell["position"].as_str()) {
                (Some(r), Some(p)) => {
                    let (q1, q3) = (d["q1"].as_f64().unwrap(), d["q3"].as_f64().unwrap());
                    let want = if r > q3 {
                        "top-quarter"
                    } else if r < q1 {
                        "bottom-quarter"
                    } else {
                        "middle-half"
                    };
                    assert_eq!(p, want);
                }
                (None, p) => {
                    assert_eq!(p, None, "no position without a level");
                    assert!(["n/a", "not answered"].contains(&cell["text"].as_str().unwrap()));
                }
                (Some(_), None) => panic!("an answered cell without a position"),
            }
        }
    }
    assert!(
        !serde_json::to_string(&v)
            .unwrap()
            .contains("\"rank_order\"")
    );
}

#[test]
fn the_html_report_in_a_real_browser() {
    let Some(chromium) = browser::chromium_or_skip() else {
        return;
    };
    let dir = tmp();
    let files = small_cohort(dir.path(), 6);
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let hostile = text.replacen(
        "name = \"NHS",
        &format!("name = {:?} #", format!("{HOSTILE} NHS")),
        1,
    );
    assert!(hostile.contains("<script>"));
    std::fs::write(&files[0], hostile).unwrap();
    let html = dir.path().join("cohort.html");
    sct()
        .arg("compare")
        .arg(dir.path())
        .arg("-o")
        .arg(&html)
        .assert()
        .success();
    let visit = browser::visit(&chromium, dir.path(), &html);
    browser::assert_hostile_text_inert(&visit, "ICB comparison: baseline-2026-03");
    assert!(visit.dom.contains("id=\"domains\"") && visit.dom.contains("id=\"distributions\""));
    browser::assert_self_contained(&chromium, dir.path(), &visit);

    // The acceptance: the bundled cohort's report, with its cohort, cluster and longitudinal
    // views and charts, in the same browser.
    let out = dir.path().join("bundled.html");
    sct()
        .args(["compare", COHORT, "-o"])
        .arg(&out)
        .assert()
        .success();
    let visit = browser::visit(&chromium, dir.path(), &out);
    let dom = &visit.dom;
    for id in [
        "id=\"domains\"",
        "id=\"groups\"",
        "id=\"longitudinal\"",
        "id=\"people\"",
        "id=\"kpis\"",
        "id=\"method\"",
    ] {
        assert!(dom.contains(id), "{id}");
    }
    assert_eq!(
        dom.matches("role=\"img\"").count(),
        2 + 2 * 36,
        "two funnels and 72 small SPC charts"
    );
    assert!(!dom.contains("<script"));
    browser::assert_self_contained(&chromium, dir.path(), &visit);
}

#[test]
fn every_format_is_byte_identical_on_a_rerun() {
    let dir = tmp();
    for ext in ["html", "md", "json", "csv"] {
        let a = dir.path().join(format!("a.{ext}"));
        let b = dir.path().join(format!("b.{ext}"));
        for p in [&a, &b] {
            sct()
                .args(["compare", COHORT, "-o"])
                .arg(p)
                .assert()
                .success();
        }
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{ext}"
        );
    }
    let csv = std::fs::read_to_string(dir.path().join("a.csv")).unwrap();
    assert!(csv.starts_with("round,code,name,group,kind,id,title,state,level,level_name,score,position,change_since,change\n"));
    assert_eq!(csv.lines().count(), 1 + 36 * (11 + 50));
    let md = std::fs::read_to_string(dir.path().join("a.md")).unwrap();
    assert!(md.contains("> ⚠ SYNTHETIC DATA"));
    assert!(md.contains("organisations at ‘Starting out’ in Evaluating impact"));
}

#[test]
fn a_malformed_file_stops_with_exit_2_or_is_skipped_and_listed_with_exit_1() {
    let dir = tmp();
    small_cohort(dir.path(), 5);
    std::fs::write(
        dir.path().join("zz-broken.toml"),
        "round = \"baseline-2026-03\"\nassessed = [\n",
    )
    .unwrap();
    sct()
        .arg("compare")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("zz-broken.toml"));
    let out = dir.path().join("cohort.md");
    sct()
        .arg("compare")
        .arg(dir.path())
        .arg("--skip-invalid")
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains("skipped").and(contains("zz-broken.toml")));
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.contains("## Files skipped (1)") && md.contains("broken.toml"),
        "{md}"
    );
    assert!(md.contains("5 organisations"));
}

#[test]
fn an_organisation_twice_in_a_round_is_an_error_naming_both_files() {
    let dir = tmp();
    let files = small_cohort(dir.path(), 3);
    std::fs::copy(&files[0], dir.path().join("copy-of-first.toml")).unwrap();
    sct()
        .arg("compare")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            contains("twice")
                .and(contains("copy-of-first.toml"))
                .and(contains(files[0].file_name().unwrap().to_str().unwrap())),
        );
}

#[test]
fn group_by_any_column_and_a_missing_column_is_an_error() {
    let v = json_of(&[COHORT, "--group-by", "region"]);
    assert_eq!(v["groups"]["field"], "region");
    assert_eq!(
        v["groups"]["groups"].as_array().unwrap().len(),
        7,
        "NHS England's seven regions"
    );
    sct()
        .args(["compare", COHORT, "--group-by", "colour"])
        .assert()
        .code(2)
        .stderr(contains("cannot group by colour").and(contains("has no such column")));
}

#[test]
fn rounds_can_be_chosen_and_a_toolkit_change_needs_a_mapping() {
    let v = json_of(&[COHORT, "--round", "baseline-2026-03"]);
    assert_eq!(v["cohort"]["organisations"].as_array().unwrap().len(), 42);
    assert!(v["longitudinal"].is_null(), "no earlier round");
    sct()
        .args(["compare", COHORT, "--against", "nope"])
        .assert()
        .code(2)
        .stderr(contains("round nope was asked for to compare against"));
}

#[test]
fn loading_many_files_is_silent_when_not_a_terminal() {
    let dir = tmp();
    let out = dir.path().join("c.json");
    sct()
        .args(["compare", COHORT, "-o"])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::starts_with("wrote ").and(contains("loading").not()));
}

#[test]
fn the_checked_in_cohort_is_what_its_generator_makes() {
    // Needs Python 3.11 or later (tomllib); skipped, and said so, without it.
    let ok = std::process::Command::new("python3")
        .args(["-c", "import tomllib"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: python3 with tomllib (3.11+) is not available");
        return;
    }
    let dir = tmp();
    let status = std::process::Command::new("python3")
        .arg(root().join("examples/cohort/generate-cohort.py"))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    fn files(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(base, &p, out);
            } else if !p.ends_with("generate-cohort.py") && !p.ends_with("README.md") {
                out.push(p.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let (mut made, mut kept) = (Vec::new(), Vec::new());
    files(dir.path(), dir.path(), &mut made);
    let cohort = root().join("examples/cohort");
    files(&cohort, &cohort, &mut kept);
    made.sort();
    kept.sort();
    assert_eq!(made, kept, "the same files");
    assert_eq!(kept.len(), 42 + 36 + 17 + 2);
    for f in &made {
        assert_eq!(
            std::fs::read(dir.path().join(f)).unwrap(),
            std::fs::read(cohort.join(f)).unwrap(),
            "{}",
            f.display()
        );
    }
}

#[test]
fn a_cohort_directory_reads_a_filled_workbook_the_same_as_toml() {
    // Three baseline responses as TOML, then the same three with one converted to .xlsx by
    // `sct convert` (and the TOML removed): the comparison must be the same.
    let toml_dir = tmp();
    let files = small_cohort(toml_dir.path(), 3);
    let xlsx_dir = tmp();
    small_cohort(xlsx_dir.path(), 3);
    let first = files[0].file_name().unwrap().to_str().unwrap().to_string();
    let workbook = xlsx_dir.path().join(first.replace(".toml", ".xlsx"));
    sct()
        .arg("convert")
        .arg(&files[0])
        .arg("-o")
        .arg(&workbook)
        .assert()
        .success();
    std::fs::remove_file(xlsx_dir.path().join(&first)).unwrap();
    // An Office lock file beside it is not a response.
    std::fs::write(xlsx_dir.path().join("~$lock.xlsx"), b"lock").unwrap();
    let from_toml = json_of(&[toml_dir.path().to_str().unwrap()]);
    let from_xlsx = json_of(&[xlsx_dir.path().to_str().unwrap()]);
    assert_eq!(
        from_xlsx["cohort"]["organisations"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let cells = |v: &serde_json::Value| -> Vec<(serde_json::Value, serde_json::Value)> {
        v["cohort"]["organisations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (o["domains"].clone(), o["capabilities"].clone()))
            .collect()
    };
    assert_eq!(cells(&from_toml), cells(&from_xlsx));
    assert_eq!(
        from_toml["cohort"]["domains"],
        from_xlsx["cohort"]["domains"]
    );
    let names: Vec<&str> = from_xlsx["provenance"]["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with(".xlsx")),
        "the workbook is one of the responses read: {names:?}"
    );
}

#[test]
fn the_cohort_as_a_workbook_has_its_tables_and_a_chart_beside_each() {
    use calamine::{Data, Reader, Xlsx};
    let dir = tmp();
    let out = dir.path().join("cohort.xlsx");
    sct()
        .args(["compare", COHORT, "-o"])
        .arg(&out)
        .assert()
        .success();
    let v = json_of(&[COHORT]);
    let mut book: Xlsx<_> = calamine::open_workbook(&out).expect("a workbook");
    let names = book.sheet_names();
    for sheet in [
        "Domain levels",
        "Capability levels",
        "Distributions",
        "Groups",
        "Change",
        "Change by organisation",
        "Method",
        "Provenance",
    ] {
        assert!(names.iter().any(|n| n == sheet), "{sheet} in {names:?}");
    }
    // Levels are numbers, the first organisation's as the JSON has them.
    let levels = book.worksheet_range("Domain levels").unwrap();
    let first = &v["cohort"]["organisations"][0];
    assert_eq!(
        levels.get_value((1, 0)),
        Some(&Data::String(first["code"].as_str().unwrap().into()))
    );
    let cell = &first["domains"][0];
    match cell["rank"].as_u64() {
        Some(rank) => assert_eq!(levels.get_value((1, 4)), Some(&Data::Float(rank as f64))),
        None => assert_eq!(
            levels.get_value((1, 4)),
            Some(&Data::String(cell["text"].as_str().unwrap().into()))
        ),
    }
    assert_eq!(
        levels.height(),
        v["cohort"]["organisations"].as_array().unwrap().len() + 1
    );
    // Distribution counts as the JSON's.
    let dist = book.worksheet_range("Distributions").unwrap();
    let counts = &v["cohort"]["domains"][0]["distribution"]["counts"];
    for (i, n) in counts.as_array().unwrap().iter().enumerate() {
        assert_eq!(
            dist.get_value((1, 3 + i as u32)),
            Some(&Data::Float(n.as_u64().unwrap() as f64))
        );
    }
    // A native chart beside each table: one chart part per table sheet.
    let file = std::fs::File::open(&out).unwrap();
    let zip = zip::ZipArchive::new(file).expect("a zip archive");
    let charts = zip
        .file_names()
        .filter(|n| n.starts_with("xl/charts/chart"))
        .count();
    assert_eq!(
        charts, 6,
        "domain, capability, distribution, group and two change charts"
    );
}
