//! End-to-end tests that `sct` gives the right result or refuses, never a silent wrong one:
//! error locations in CRLF files, numbers that would overflow or mean nothing, references to
//! nothing, counts that stop short, labels that say what was done.

mod common;

use std::path::{Path, PathBuf};

use common::{EXAMPLE, root, sct};
use predicates::prelude::*;
use predicates::str::contains;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// Writes `text` to `dir/name` with CRLF line endings, as Excel saves CSV.
fn write_crlf(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
    std::fs::write(&path, crlf).unwrap();
    path
}

/// The bundled ICB table (CRLF, as it is checked in) with the row on line `line` broken.
fn broken_icb_table(dir: &Path, line: usize) -> PathBuf {
    let text = std::fs::read_to_string(root().join("data/organisations/icbs.csv")).unwrap();
    assert!(
        text.contains("\r\n"),
        "the bundled ICB table has CRLF line endings"
    );
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_string).collect();
    let row = &mut lines[line - 1];
    let date = row.find(",20").expect("a row with a date") + 1;
    row.replace_range(date..date + 10, "2022-13-01");
    let path = dir.join("icbs.csv");
    std::fs::write(&path, lines.join("\r\n")).unwrap();
    path
}

#[test]
fn an_error_in_the_crlf_icb_table_names_its_own_line() {
    let dir = tmp();
    let table = broken_icb_table(dir.path(), 10);
    sct()
        .args(["validate", EXAMPLE, "--organisations"])
        .arg(&table)
        .assert()
        .code(2)
        .stderr(contains("icbs.csv:10:1"));
}

#[test]
fn an_error_in_crlf_kpi_data_names_its_own_line() {
    let dir = tmp();
    let data = write_crlf(
        dir.path(),
        "k.csv",
        "organisation,indicator,period,value\n\
         QUY,ae-4-hour,2025-04,65\n\
         \n\
         QUY,ae-4-hour,2025-05,abc\n",
    );
    sct()
        .args(["kpi", "review", "--org", "QUY", "--data"])
        .arg(&data)
        .assert()
        .code(2)
        .stderr(contains("k.csv:4:1"));
}

#[test]
fn an_error_in_a_crlf_organisation_attributes_file_names_its_own_line() {
    let dir = tmp();
    let orgs = write_crlf(
        dir.path(),
        "orgs.csv",
        "code,population\nQOX,940000\nQHG,lots\n",
    );
    sct()
        .args(["compare", "examples/cohort/", "--orgs"])
        .arg(&orgs)
        .assert()
        .code(2)
        .stderr(contains("orgs.csv:3:1"));
}

#[test]
fn an_error_in_a_crlf_capability_mapping_names_its_own_line() {
    let dir = tmp();
    let mapping = write_crlf(dir.path(), "map.csv", "from,to\na,b\nc\n");
    sct()
        .args(["compare", "examples/cohort/", "--mapping"])
        .arg(&mapping)
        .assert()
        .code(2)
        .stderr(contains("map.csv:3:1"));
}

#[test]
fn an_error_in_a_crlf_spc_series_or_funnel_names_its_own_line() {
    let dir = tmp();
    let series = write_crlf(
        dir.path(),
        "s.csv",
        "date,value\n2025-01-01,4\n2025-02-01,x\n",
    );
    sct()
        .args(["kpi", "spc", "--improvement", "increase"])
        .arg(&series)
        .assert()
        .code(2)
        .stderr(contains("s.csv:3:1"));
    let funnel = write_crlf(
        dir.path(),
        "f.csv",
        "org,numerator,denominator\nA,1,10\nB,x,10\n",
    );
    sct()
        .args(["kpi", "funnel", "--type", "proportion"])
        .arg(&funnel)
        .assert()
        .code(2)
        .stderr(contains("f.csv:3:1"));
}

/// The bundled capability toolkit's text with `extra` added after the line `after`.
fn toolkit_with(after: &str, extra: &str) -> String {
    let text = std::fs::read_to_string(root().join("frameworks/capability-toolkit.toml")).unwrap();
    assert!(text.contains(after), "the bundled toolkit has {after:?}");
    text.replacen(after, &format!("{after}\n{extra}"), 1)
}

#[test]
fn a_toolkit_weight_too_large_to_add_up_is_refused_where_it_is_written() {
    for weight in ["1e308", "1e-320", "inf"] {
        let dir = tmp();
        let text = toolkit_with(
            "id = \"integrated-needs-assessment\"",
            &format!("weight = {weight}"),
        );
        let line = text
            .lines()
            .position(|l| l == format!("weight = {weight}"))
            .unwrap()
            + 1;
        std::fs::write(dir.path().join("toolkit.toml"), text).unwrap();
        sct()
            .args(["score", EXAMPLE, "--framework-dir"])
            .arg(dir.path())
            .assert()
            .code(2)
            .stdout("")
            .stderr(
                contains(format!("toolkit.toml:{line}:"))
                    .and(contains("capability weight"))
                    .and(contains("from 0.000001 to 1000000")),
            );
    }
}

#[test]
fn a_capability_that_moves_an_unknown_node_or_kpi_is_refused_where_it_is_named() {
    let dir = tmp();
    let text = std::fs::read_to_string(root().join("frameworks/capability-toolkit.toml"))
        .unwrap()
        .replacen(
            "moves = [\"integrated-needs-assessment\"]",
            "moves = [\"integrated-needs-assesment\", \"kpi:ae-4-hours\"]",
            1,
        );
    let line = text
        .lines()
        .position(|l| l.contains("integrated-needs-assesment"))
        .expect("the bundled toolkit's first capability moves its node")
        + 1;
    std::fs::write(dir.path().join("toolkit.toml"), text).unwrap();
    sct()
        .args(["frameworks", "validate"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(
            contains(format!("toolkit.toml:{line}:10"))
                .and(contains("not a node of any theory of change"))
                .and(contains("did you mean \"integrated-needs-assessment\"?"))
                .and(contains(format!("toolkit.toml:{line}:40")))
                .and(contains("not an indicator of any KPI set"))
                .and(contains("did you mean \"kpi:ae-4-hour\"?")),
        );
    // Every command that loads the toolkit refuses it too: nothing is reported as moved by
    // a capability that moves nothing.
    sct()
        .args(["toc", "report", "scf-commissioning-toc", "--framework-dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("not a node of any theory of change"));
}

#[test]
fn a_population_of_0_is_refused_so_a_group_is_never_labelled_population_weighted_without_weights() {
    let dir = tmp();
    // Every member of one cluster with population 0: their weights summed to 0, and the
    // cluster's scores were shown as none, labelled population-weighted.
    let text = std::fs::read_to_string(root().join("examples/cohort/orgs.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let plain = lines.iter().skip(1).find(|l| !l.contains('"')).unwrap();
    let cluster = plain.rsplit(',').nth(1).unwrap().to_string();
    let mut first = None;
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
        let n = fields.len();
        if fields[n - 2] == cluster && !line.contains('"') {
            fields[3] = "0".into();
            *line = fields.join(",");
            first.get_or_insert(i + 1);
        }
    }
    let first = first.expect("a cluster member without a quoted name");
    let orgs = dir.path().join("orgs.csv");
    std::fs::write(&orgs, lines.join("\n")).unwrap();
    sct()
        .args([
            "compare",
            "examples/cohort/",
            "--group-by",
            "cluster",
            "--orgs",
        ])
        .arg(&orgs)
        .assert()
        .code(2)
        .stderr(
            contains(format!("orgs.csv:{first}:1"))
                .and(contains("population \"0\" is not a whole number above 0")),
        );
}

/// Writes `text` to `dir/name` as it is.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_missing_period_count_is_exact_beyond_ten_thousand() {
    let dir = tmp();
    // 12,298 months missing between 1000-05 and 2025-04: the count stopped at 10,001.
    let data = write(
        dir.path(),
        "gap.csv",
        "organisation,indicator,period,value,numerator,denominator\n\
         QUY,ae-4-hour,1000-04,,50,100\n\
         QUY,ae-4-hour,1000-05,,50,100\n\
         QUY,ae-4-hour,2025-04,,60,100\n",
    );
    let out = sct()
        .args([
            "kpi",
            "review",
            "--org",
            "QUY",
            "--as-of",
            "2025-05-31",
            "--format",
            "json",
            "--data",
        ])
        .arg(&data)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let ind = v["timeframes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["indicators"].as_array().unwrap())
        .find(|i| i["id"] == "ae-4-hour")
        .unwrap();
    let flags = ind["flags"].to_string();
    assert!(flags.contains("12298 periods missing"), "{flags}");
    assert!(flags.contains("and 12292 more"), "{flags}");
    let gap = &ind["spc"]["gaps"][0];
    assert_eq!(gap["missing"].as_array().unwrap().len(), 10_000);
    assert_eq!(gap["more"], 2298, "{gap}");
    // The SPC series says so too.
    let series = write(
        dir.path(),
        "s.csv",
        "date,value\n1000-04,5\n2025-04,6\n2025-05,7\n",
    );
    sct()
        .args(["kpi", "spc", "--improvement", "increase"])
        .arg(&series)
        .assert()
        .success()
        .stdout(contains("12299 periods missing (the first 10000 listed)"));
}

#[test]
fn kpi_numbers_that_overflow_or_are_negative_are_refused_at_their_line() {
    let dir = tmp();
    let data = write(
        dir.path(),
        "k.csv",
        "organisation,indicator,period,value,numerator,denominator\n\
         QUY,ae-4-hour,2025-04,,1e308,1e308\n\
         QUY,ae-4-hour,2025-05,,5,-10\n\
         QUY,ae-4-hour,2025-06,,-5,10\n\
         QUY,ae-4-hour,2025-07,,5,1e-300\n\
         QUY,pharmacy-first-consultations,2025-04,-3,,\n\
         QUY,pharmacy-first-consultations,2025-05,inf,,\n",
    );
    sct()
        .args(["kpi", "review", "--org", "QUY", "--data"])
        .arg(&data)
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            contains("k.csv:2:1")
                .and(contains("`numerator` \"1e308\" is beyond ±1e15"))
                .and(contains("k.csv:3:1"))
                .and(contains("denominator -10 is negative"))
                .and(contains("k.csv:4:1"))
                .and(contains("numerator -5 is negative"))
                .and(contains("k.csv:5:1"))
                .and(contains("the value 100 × 5 / 1e-300 is beyond ±1e15"))
                .and(contains("k.csv:6:1"))
                .and(contains("value -3 is negative, and it is a count"))
                .and(contains("k.csv:7:1"))
                .and(contains("`value` \"inf\" is beyond ±1e15")),
        );
}

#[test]
fn kpi_set_numbers_that_cannot_be_used_are_refused_at_their_indicator() {
    let bundled =
        std::fs::read_to_string(root().join("frameworks/kpi/scf-three-timeframes.toml")).unwrap();
    let line = bundled
        .lines()
        .position(|l| l == "id = \"ae-4-hour\"")
        .unwrap()
        + 1;
    for (change, message) in [
        ("target = nan", "target NaN is not a number"),
        ("target = 1e308", "target 1e308 is beyond ±1e15"),
        (
            "target = 70.7\nmultiplier = 1e308",
            "multiplier 1e308 is not allowed",
        ),
        (
            "target = 70.7\ndecimals = 4000000000",
            "decimals = 4000000000 is more than 10",
        ),
        (
            "target = 70.7\npublication_lag = 4000000000",
            "publication_lag = 4000000000 is more than 100 periods",
        ),
    ] {
        let dir = tmp();
        let text = bundled
            .replacen("target = 70.7\n", &format!("{change}\n"), 1)
            .replacen(
                "multiplier = 100\nimprovement = \"increase\"\nchart = \"pprime\"",
                "improvement = \"increase\"\nchart = \"pprime\"",
                usize::from(change.contains("multiplier")),
            );
        let set = write(dir.path(), "set.toml", &text);
        sct()
            .args([
                "kpi",
                "review",
                "--org",
                "QUY",
                "--data",
                "examples/kpi/bnssg-kpis.csv",
            ])
            .arg("--set")
            .arg(&set)
            .assert()
            .code(2)
            .stdout("")
            .stderr(contains(format!("set.toml:{line}:")).and(contains(message)));
    }
    // A plan value is refused at its own line.
    let dir = tmp();
    let text = bundled.replacen(
        "{ period = \"2024-04\", value = 70.7 }",
        "{ period = \"2024-04\", value = inf }",
        1,
    );
    let plan_line = text
        .lines()
        .position(|l| l.contains("value = inf"))
        .unwrap()
        + 1;
    let set = write(dir.path(), "set.toml", &text);
    sct()
        .args([
            "kpi",
            "review",
            "--org",
            "QUY",
            "--data",
            "examples/kpi/bnssg-kpis.csv",
        ])
        .arg("--set")
        .arg(&set)
        .assert()
        .code(2)
        .stderr(
            contains(format!("set.toml:{plan_line}:"))
                .and(contains("plan value inf for 2024-04 is beyond ±1e15")),
        );
}

#[test]
fn funnel_counts_whose_sums_overflow_are_refused_at_their_line() {
    let dir = tmp();
    // Their sums were infinite, the pooled proportion NaN, every organisation "not
    // significant", exit status 0.
    let funnel = write(
        dir.path(),
        "f.csv",
        "org,numerator,denominator\nA,5,10\nB,1e308,1.5e308\nC,1e308,1e308\n",
    );
    sct()
        .args(["kpi", "funnel", "--type", "proportion"])
        .arg(&funnel)
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            contains("f.csv:3:1")
                .and(contains("beyond ±1e15"))
                .and(contains("f.csv:4:1")),
        );
    // An expected count so small that the ratio and its limits are infinite.
    let ratio = write(
        dir.path(),
        "r.csv",
        "org,observed,expected\nA,1,1e-320\nB,5,5\n",
    );
    sct()
        .args(["kpi", "funnel", "--type", "ratio"])
        .arg(&ratio)
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("r.csv:2:1").and(contains("expected 1e-320 is too small")));
    // A multiplier that makes the limits overflow.
    let ok = write(
        dir.path(),
        "ok.csv",
        "org,numerator,denominator\nA,5,10\nB,7,10\n",
    );
    sct()
        .args([
            "kpi",
            "funnel",
            "--type",
            "proportion",
            "--multiplier",
            "1e308",
        ])
        .arg(&ok)
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("--multiplier <M>").and(contains("at most 1000000000")));
}

#[test]
fn an_spc_series_value_too_large_to_add_up_is_refused_at_its_line() {
    let dir = tmp();
    let series = write(
        dir.path(),
        "s.csv",
        "date,value\n2025-01-01,1e308\n2025-02-01,-1e308\n2025-03-01,5\n",
    );
    sct()
        .args(["kpi", "spc", "--improvement", "increase"])
        .arg(&series)
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            contains("s.csv:2:1")
                .and(contains("\"1e308\" is beyond ±1e15"))
                .and(contains("s.csv:3:1")),
        );
}
