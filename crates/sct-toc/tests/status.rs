//! The status roll-up on a hand-built chain with KPI data: a falling "increase is better"
//! series is deteriorating, and its successor is at risk when every precursor with data is
//! deteriorating or at risk.

use sct_core::SourceFile;
use sct_kpi::data::read_kpi_data;
use sct_kpi::kpiset::KpiSet;
use sct_toc::graph::Graph;
use sct_toc::model::TheoryOfChange;
use sct_toc::status::{KpiSource, NodeStatus, statuses};

const SET: &str = r#"
kind = "kpi-set"
id = "s"
version = "1"
title = "S"
source = "test"
status = "example"
[documents]
d = { title = "D" }
[[indicators]]
id = "falling"
title = "Falling"
timeframe = "leading"
period = "month"
value_type = "count"
improvement = "increase"
source = { doc = "d", section = "1", quote = "q" }
[[indicators]]
id = "flat"
title = "Flat"
timeframe = "leading"
period = "month"
value_type = "count"
improvement = "increase"
source = { doc = "d", section = "1", quote = "q" }
[[indicators]]
id = "rising"
title = "Rising"
timeframe = "leading"
period = "month"
value_type = "count"
improvement = "increase"
source = { doc = "d", section = "1", quote = "q" }
"#;

fn toc(extra_links: &str) -> TheoryOfChange {
    let text = format!(
        r#"
kind = "theory-of-change"
id = "t"
version = "1"
title = "T"
source = "s"
status = "example"
kpi_set = "s"
[[nodes]]
id = "a"
title = "A"
type = "outcome-short"
indicators = [{{ kpi = "falling", direction = "increase" }}]
[[nodes]]
id = "b"
title = "B"
type = "outcome-short"
indicators = [{{ kpi = "missing", direction = "increase" }}]
[[nodes]]
id = "c"
title = "C"
type = "outcome-medium"
indicators = [{{ kpi = "flat", direction = "increase" }}]
[[nodes]]
id = "d"
title = "D"
type = "outcome-long"
[[nodes]]
id = "e"
title = "E"
type = "impact"
indicators = [{{ kpi = "rising", direction = "increase" }}]
[[links]]
from = "a"
to = "c"
[[links]]
from = "b"
to = "c"
[[links]]
from = "c"
to = "d"
[[links]]
from = "d"
to = "e"
{extra_links}
"#
    );
    sct_core::load::parse_toml(&SourceFile::from_text("t.toml", text)).unwrap()
}

fn data() -> String {
    let mut csv = String::from("organisation,indicator,period,value\n");
    for m in 0..24 {
        let (y, mo) = (2023 + (m + 3) / 12, (m + 3) % 12 + 1);
        // Falling steadily: a run below the mean at the end (special cause concern).
        csv.push_str(&format!("X,falling,{y}-{mo:02},{}\n", 200 - 5 * m));
        // Alternating: common cause only.
        csv.push_str(&format!("X,flat,{y}-{mo:02},{}\n", 100 + (m % 2) * 3));
        csv.push_str(&format!("X,rising,{y}-{mo:02},{}\n", 100 + 5 * m));
    }
    csv
}

fn run(extra: &str) -> Vec<(String, NodeStatus, bool)> {
    let set: KpiSet = sct_core::load::parse_toml(&SourceFile::from_text("s.toml", SET)).unwrap();
    let data = read_kpi_data(data().as_bytes(), "d.csv", &set, None).unwrap();
    let t = toc(extra);
    let g = Graph::new(&t);
    let src = KpiSource {
        data: &data,
        set: &set,
        organisation: "X",
        as_of: None,
    };
    statuses(&t, &g, Some(src))
        .into_iter()
        .map(|s| (s.id, s.status, s.at_risk))
        .collect()
}

#[test]
fn statuses_come_from_spc_in_the_expected_direction_and_risk_rolls_forward() {
    let s = run("");
    assert_eq!(s[0], ("a".into(), NodeStatus::Deteriorating, false));
    assert_eq!(
        s[1],
        ("b".into(), NodeStatus::NoData, false),
        "no data for \"missing\""
    );
    // c: its only precursor with data (a) is deteriorating, so c is at risk though flat.
    assert_eq!(s[2], ("c".into(), NodeStatus::NoSignificantChange, true));
    // d has no data but its precursor is at risk: risk carries forward.
    assert_eq!(s[3], ("d".into(), NodeStatus::NoData, true));
    assert_eq!(s[4], ("e".into(), NodeStatus::Improving, true));
}

#[test]
fn one_healthy_precursor_is_enough_to_clear_the_risk() {
    // e also gets a direct link from an improving node: not every precursor is bad.
    let s = run(
        "[[nodes]]\nid = \"f\"\ntitle = \"F\"\ntype = \"outcome-long\"\nindicators = [{ kpi = \"rising\", direction = \"increase\" }]\n[[links]]\nfrom = \"f\"\nto = \"e\"\n",
    );
    assert_eq!(s[4], ("e".into(), NodeStatus::Improving, false));
    assert_eq!(s[5], ("f".into(), NodeStatus::Improving, false));
}

#[test]
fn the_expected_direction_decides_improving_or_deteriorating() {
    // The same falling series, expected to decrease, is improving.
    let s = run("").len();
    assert_eq!(s, 5);
    let set: KpiSet = sct_core::load::parse_toml(&SourceFile::from_text("s.toml", SET)).unwrap();
    let data = read_kpi_data(data().as_bytes(), "d.csv", &set, None).unwrap();
    let mut t = toc("");
    t.nodes[0].indicators[0].direction = sct_kpi::spc::Improvement::Decrease;
    let g = Graph::new(&t);
    let st = statuses(
        &t,
        &g,
        Some(KpiSource {
            data: &data,
            set: &set,
            organisation: "X",
            as_of: None,
        }),
    );
    assert_eq!(st[0].status, NodeStatus::Improving);
    assert!(!st[2].at_risk);
}
