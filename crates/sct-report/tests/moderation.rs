//! The consolidated moderation view: HTML, Markdown and JSON of four raters' responses over a
//! small toolkit (snapshots), every user string escaped, and the bundled toolkit's view.

use sct_core::assessment::Assessment;
use sct_core::load::{LoadedFramework, Origin};
use sct_core::model::CapabilityToolkit;
use sct_core::moderation::{Consolidation, consolidate};
use sct_core::{FrameworkRegistry, Organisations, Sct, SourceFile};
use sct_report::moderation::{self, Reading};
use sct_report::render::Templates;

/// Three levels, two domains: A with three capabilities, B with two.
const TOOLKIT: &str = r#"
kind = "capability"
id = "mini"
version = "1.0.0"
title = "Mini toolkit"
source = "Test"
status = "example"

[documents]
t = { title = "Test document" }

[[levels]]
id = "low"
name = "Low"
[[levels]]
id = "mid"
name = "Middle"
[[levels]]
id = "high"
name = "High"

[[domains]]
id = "a"
section = "1"
kind = "stage"
title = "Understanding need"
source = { doc = "t", section = "1" }

[[domains.capabilities]]
id = "a1"
title = "Needs assessment"
source = { doc = "t", section = "1" }
descriptors = { low = "l", mid = "m", high = "h" }

[[domains.capabilities]]
id = "a2"
title = "Population health data"
source = { doc = "t", section = "1" }
descriptors = { low = "l", mid = "m", high = "h" }

[[domains.capabilities]]
id = "a3"
title = "User insight"
source = { doc = "t", section = "1" }
descriptors = { low = "l", mid = "m", high = "h" }

[[domains]]
id = "b"
section = "2"
kind = "enabler"
title = "Governance"
source = { doc = "t", section = "2" }

[[domains.capabilities]]
id = "b1"
title = "Board assurance"
source = { doc = "t", section = "2" }
descriptors = { low = "l", mid = "m", high = "h" }

[[domains.capabilities]]
id = "b2"
title = "Risk management"
source = { doc = "t", section = "2" }
descriptors = { low = "l", mid = "m", high = "h" }
"#;

const ROUND: &str = r#"
kind = "assessment-round"
id = "mini-round"
version = "1"
title = "Mini round"
source = "Test"
status = "example"
toolkit = { id = "mini", version = "1.0.0" }
window = { opens = 2026-03-01, closes = 2026-03-31 }
due = 2026-03-31
completed_by = "Someone"
signed_off_by = "Board"
at_risk_within_days = 90

[documents]
t = { title = "Test document" }

[[milestones]]
id = "early"
title = "Early"
due = [{ date = 2026-03-31, as_written = "March 2026", source = { doc = "t", section = "1" }, used_for_status = true }]
"#;

const ORGS: &str =
    "ods_code,name,region,valid_from,valid_to,population_approx\nAAA,Org A,R,2022-07-01,,\n";

fn sct() -> Sct {
    let mut registry = FrameworkRegistry::new();
    for (file, text) in [("mini.toml", TOOLKIT), ("round.toml", ROUND)] {
        let f = LoadedFramework::parse(SourceFile::from_text(file, text), Origin::Bundled)
            .unwrap_or_else(|d| panic!("{file}:\n{d}"));
        registry.insert(f);
    }
    Sct {
        registry,
        organisations: Organisations::parse(&SourceFile::from_text("orgs.csv", ORGS), None)
            .expect("organisations"),
        readers: Default::default(),
    }
}

fn toolkit(sct: &Sct) -> CapabilityToolkit {
    sct.registry
        .get("mini", None)
        .ok()
        .and_then(|f| f.as_toolkit())
        .expect("mini toolkit")
        .clone()
}

/// One rater's response: `(capability, level, confidence, evidence)` per answer.
fn rated(
    sct: &Sct,
    file: &str,
    rater: (&str, &str),
    answers: &[(&str, &str, &str, &[&str])],
) -> Assessment {
    let mut text = format!(
        "round = \"mini-round\"\nassessed = 2026-03-20\nnotice = \"ILLUSTRATIVE DATA: written for sct's tests.\"\n[organisation]\nname = \"Org A\"\nods_code = \"AAA\"\n[rater]\nname = {:?}\nrole = {:?}\n",
        rater.0, rater.1
    );
    for (id, level, confidence, evidence) in answers {
        text.push_str(&format!("[capabilities.{id}]\nlevel = {level:?}\n"));
        if *level == "n/a" {
            text.push_str("reason = \"Commissioned by the region\"\n");
        }
        if !confidence.is_empty() {
            text.push_str(&format!("confidence = {confidence:?}\n"));
        }
        text.push_str(&format!("evidence = {evidence:?}\n"));
    }
    sct.validate_source(&SourceFile::from_text(file, text), Default::default())
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .0
}

const LONG_LINK: &str = "https://example.org/board-papers/2026/03/item-7-integrated-needs-assessment-refresh-final-v3.pdf";

/// Four raters. a1: levels two apart (Low to High), the same evidence written three ways;
/// a2: two levels (median the lower middle), one without evidence, one skipped, one n/a;
/// a3: all agree; domain B: all High, so its alpha is undefined (no variation).
fn four_raters(sct: &Sct, ann: (&str, &str)) -> Vec<Assessment> {
    let agreed: [(&str, &str, &str, &[&str]); 3] = [
        ("a3", "mid", "medium", &["Patient panel minutes"]),
        ("b1", "high", "high", &["Board assurance framework"]),
        ("b2", "high", "high", &["Risk register"]),
    ];
    let with = |own: &[(
        &'static str,
        &'static str,
        &'static str,
        &'static [&'static str],
    )]| {
        let mut all = own.to_vec();
        all.extend(agreed.iter().copied());
        all
    };
    vec![
        rated(
            sct,
            "ann.toml",
            ann,
            &with(&[
                ("a1", "low", "high", &["Needs assessment 2025"]),
                (
                    "a2",
                    "mid",
                    "medium",
                    &["Population health plan", LONG_LINK],
                ),
            ]),
        ),
        rated(
            sct,
            "bob.toml",
            ("Bob Okafor", "Chief Finance Officer"),
            &with(&[
                ("a1", "high", "low", &["needs assessment 2025 "]),
                ("a2", "high", "", &[]),
            ]),
        ),
        rated(
            sct,
            "responses/2026/cy-director-of-nursing.toml",
            ("Cy Patel", "Director of Nursing"),
            &with(&[(
                "a1",
                "mid",
                "medium",
                &["NEEDS ASSESSMENT 2025", "JSNA refresh"],
            )]),
        ),
        rated(
            sct,
            "dee.toml",
            ("Dee Lewis", "Chief Digital Officer"),
            &with(&[
                ("a1", "mid", "high", &["JSNA refresh"]),
                ("a2", "n/a", "", &[]),
            ]),
        ),
    ]
}

fn consolidation(ann: (&str, &str)) -> (Consolidation, CapabilityToolkit) {
    let sct = sct();
    let tk = toolkit(&sct);
    let c = consolidate(&tk, &four_raters(&sct, ann)).expect("consolidates");
    (c, tk)
}

const ANN: (&str, &str) = ("Ann Smith", "Director of Strategy");

/// The checksums depend on the response text, which is the test's: shown as they are.
#[test]
fn the_view_as_html_markdown_and_json() {
    let (c, tk) = consolidation(ANN);
    let templates = Templates::builtin().unwrap();
    let html = moderation::html(&templates, &c, &tk).unwrap();
    let md = moderation::markdown(&templates, &c, &tk).unwrap();
    let json = moderation::json(&c, &tk);
    // The same inputs give the same bytes.
    assert_eq!(html, moderation::html(&templates, &c, &tk).unwrap());
    assert_eq!(json, moderation::json(&c, &tk));
    // The version changes with every release; the snapshots need not.
    let unversioned = |s: &str| s.replace(sct_core::provenance::SCT_VERSION, "[version]");
    insta::assert_snapshot!("moderation_html", unversioned(&html));
    insta::assert_snapshot!("moderation_md", unversioned(&md));
    insta::assert_snapshot!("moderation_json", unversioned(&json));
}

#[test]
fn the_page_says_what_was_flagged_and_how_far_the_raters_agree() {
    let (c, tk) = consolidation(ANN);
    let html = moderation::html(&Templates::builtin().unwrap(), &c, &tk).unwrap();
    for words in [
        "Disagree by 2 levels: Low (Ann Smith) to High (Bob Okafor)",
        "Rated without evidence: Bob Okafor",
        "Skipped: Cy Patel",
        "Said it does not apply, where others gave a level: Dee Lewis",
        "Needs assessment 2025 <span class=\"muted\">(Ann Smith, Bob Okafor, Cy Patel)</span>",
        "JSNA refresh <span class=\"muted\">(Cy Patel, Dee Lewis)</span>",
        "not defined, because every rater who gave levels gave High",
        "@page { size: A4 landscape",
        "<tr id=\"cap-a1\" class=\"flagged\">",
        "<tr id=\"cap-a3\">",
    ] {
        assert!(html.contains(words), "missing {words:?}");
    }
    // a2: Middle and High given; the median is the lower middle, Middle.
    let a2 = &c.capabilities[1];
    assert_eq!(a2.median, Some(2));
    assert!(!html.contains("<script"), "the page carries no script");
}

#[test]
fn every_user_string_is_escaped() {
    let hostile = "<script>alert(1)</script> | *x* [l](u)";
    let (c, tk) = consolidation((hostile, "<img src=x onerror=alert(1)>"));
    let templates = Templates::builtin().unwrap();
    let html = moderation::html(&templates, &c, &tk).unwrap();
    assert!(!html.contains("<script"), "unescaped script in the HTML");
    assert!(!html.contains("<img"), "unescaped element in the HTML");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;"),
        "{html}"
    );
    let md = moderation::markdown(&templates, &c, &tk).unwrap();
    assert!(!md.contains("<script") && !md.contains("<img"), "{md}");
    assert!(
        md.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\* \\[l\\](u)"),
        "{md}"
    );
    // JSON holds the strings as they are (it is data, not markup).
    let json: serde_json::Value = serde_json::from_str(&moderation::json(&c, &tk)).unwrap();
    assert_eq!(json["raters"][0]["name"], hostile);
}

#[test]
fn the_json_names_every_level_and_leads_with_its_schema() {
    let (c, tk) = consolidation(ANN);
    let text = moderation::json(&c, &tk);
    assert!(
        text.starts_with("{\n  \"schema\": \"sct-moderation/1\""),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let a1 = &v["capabilities"][0];
    assert_eq!(a1["answers"][0]["rating"]["state"], "level");
    assert_eq!(a1["answers"][0]["rating"]["id"], "low");
    assert_eq!(a1["answers"][0]["rating"]["name"], "Low");
    assert_eq!(a1["answers"][0]["rating"]["rank"], 1);
    assert_eq!(a1["median"]["name"], "Middle");
    assert_eq!(a1["flags"][0]["flag"], "disagreement");
    assert_eq!(a1["flags"][0]["spread"], 2);
    assert_eq!(
        v["capabilities"][1]["answers"][2]["rating"]["state"],
        "skipped"
    );
    assert_eq!(
        v["capabilities"][1]["answers"][3]["rating"]["state"],
        "not-applicable"
    );
    assert_eq!(v["domains"][1]["reading"], "not-defined");
    assert!(
        v["domains"][1]["why_not_defined"]
            .as_str()
            .unwrap()
            .contains("High")
    );
    assert_eq!(v["raters"][0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn alpha_reads_against_krippendorffs_thresholds() {
    assert_eq!(Reading::of(Some(0.8)), Reading::Reliable);
    assert_eq!(Reading::of(Some(0.799)), Reading::Tentative);
    assert_eq!(Reading::of(Some(0.667)), Reading::Tentative);
    assert_eq!(Reading::of(Some(0.666)), Reading::Low);
    assert_eq!(Reading::of(Some(-0.2)), Reading::Low);
    assert_eq!(Reading::of(None), Reading::NotDefined);
}

/// Four raters over the bundled toolkit: the illustrative BNSSG response as one rater's view,
/// and three others moved a level up or down, or left blank, on a fixed pattern.
fn bundled_view() -> (Consolidation, CapabilityToolkit) {
    use sct_core::assessment::AnswerLevel;
    use sct_core::model::Rater;
    let sct = Sct::bundled().unwrap();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/baseline-2026-03/bnssg-illustrative.toml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let base = sct
        .validate_source(
            &SourceFile::from_text("bnssg-illustrative.toml", text),
            Default::default(),
        )
        .unwrap()
        .0;
    let tk = sct
        .registry
        .get(&base.toolkit_id, Some(&base.toolkit_version))
        .ok()
        .and_then(|f| f.as_toolkit())
        .expect("bundled toolkit")
        .clone();
    let top = tk.levels.len();
    let raters = [
        ("Director of Strategy and Transformation", 0),
        ("Chief Finance Officer", 1),
        ("Chief Nursing Officer", 2),
        ("Chief Medical Officer", 3),
    ];
    let responses: Vec<Assessment> = raters
        .iter()
        .enumerate()
        .map(|(k, (role, shift))| {
            let mut r = base.clone();
            r.source_name = format!("rater-{}.toml", k + 1);
            r.source_sha256 = format!("{k:064x}");
            r.team.rater = Some(Rater {
                name: format!("Rater {}", k + 1),
                role: role.to_string(),
                email: String::new(),
            });
            for (i, answer) in r.answers.values_mut().enumerate() {
                if let AnswerLevel::Level { rank } = answer.level {
                    answer.level = match (i + shift) % 7 {
                        _ if *shift == 0 => answer.level.clone(),
                        0 => AnswerLevel::Level {
                            rank: (rank + 2).min(top),
                        },
                        1 | 4 => AnswerLevel::Level {
                            rank: rank.saturating_sub(1).max(1),
                        },
                        3 => AnswerLevel::Unanswered,
                        _ => answer.level.clone(),
                    };
                    if (i + k) % 5 == 0 || answer.level == AnswerLevel::Unanswered {
                        answer.evidence.clear();
                    }
                    if answer.level == AnswerLevel::Unanswered {
                        answer.confidence = None;
                    }
                }
            }
            r
        })
        .collect();
    (consolidate(&tk, &responses).unwrap(), tk)
}

#[test]
fn the_bundled_toolkit_shows_every_capability() {
    let (c, tk) = bundled_view();
    let html = moderation::html(&Templates::builtin().unwrap(), &c, &tk).unwrap();
    for cap in &c.capabilities {
        assert!(
            html.contains(&format!("id=\"cap-{}\"", cap.id)),
            "{}",
            cap.id
        );
    }
    assert!(c.disagreements().count() > 0);
    assert!(c.agreement.is_some());
}

/// Writes the bundled toolkit's view to the temporary directory, to look at:
/// `cargo test -p sct-report --test moderation -- --ignored`.
#[test]
#[ignore]
fn preview() {
    let (c, tk) = bundled_view();
    let templates = Templates::builtin().unwrap();
    let dir = std::env::temp_dir();
    std::fs::write(
        dir.join("sct-moderation.html"),
        moderation::html(&templates, &c, &tk).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.join("sct-moderation.md"),
        moderation::markdown(&templates, &c, &tk).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.join("sct-moderation.json"), moderation::json(&c, &tk)).unwrap();
    println!("written to {}", dir.display());
}

/// No capability rated by two raters: alpha is undefined everywhere, and the view says why.
#[test]
fn alpha_without_a_pair_is_not_defined_and_says_why() {
    let sct = sct();
    let tk = toolkit(&sct);
    let responses = [
        rated(&sct, "ann.toml", ANN, &[("a1", "low", "", &["Plan"])]),
        rated(
            &sct,
            "bob.toml",
            ("Bob Okafor", "CFO"),
            &[("b1", "high", "", &["Audit"])],
        ),
    ];
    let c = consolidate(&tk, &responses).unwrap();
    assert_eq!(c.agreement, None);
    let why = "no capability was given a level by two or more raters";
    let html = moderation::html(&Templates::builtin().unwrap(), &c, &tk).unwrap();
    assert!(
        html.contains(&format!("alpha is not defined, because {why}")),
        "{html}"
    );
    let md = moderation::markdown(&Templates::builtin().unwrap(), &c, &tk).unwrap();
    assert!(
        md.contains(&format!("| not defined | not defined, because {why}")),
        "{md}"
    );
    let json: serde_json::Value = serde_json::from_str(&moderation::json(&c, &tk)).unwrap();
    assert_eq!(json["agreement"]["reading"], "not-defined");
    assert!(
        json["agreement"]["why_not_defined"]
            .as_str()
            .unwrap()
            .starts_with(why)
    );
}
