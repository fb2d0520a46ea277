//! Validation: every error names the file, line and column and what was expected.

mod common;

use sct_core::load::{LoadedFramework, Origin};
use sct_core::{Error, SourceFile};

use common::*;

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in text"))
}

#[test]
fn duplicate_capability_id_names_both_lines() {
    let text = toolkit_with("id = \"a3\"", "id = \"a1\"");
    let err = framework_errors(&text);
    let second = text
        .match_indices("id = \"a1\"")
        .nth(1)
        .map(|(i, _)| text[..i].lines().count() + 1)
        .unwrap();
    let first = line_of(&text, "id = \"a1\"");
    assert!(err.contains(&format!("fw.toml:{second}:6")), "{err}");
    assert!(err.contains("duplicate capability id \"a1\""), "{err}");
    assert!(
        err.contains(&format!("first used at line {first}")),
        "{err}"
    );
}

#[test]
fn unknown_level_in_descriptors_lists_the_levels() {
    let text = toolkit_with(
        "descriptors = { low = \"l\", mid = \"m\", high = \"h\" }\n\n[[domains.capabilities]]\nid = \"a2\"",
        "descriptors = { low = \"l\", middle = \"m\", high = \"h\" }\n\n[[domains.capabilities]]\nid = \"a2\"",
    );
    let err = framework_errors(&text);
    let line = line_of(&text, "middle = ");
    assert!(err.contains(&format!("fw.toml:{line}:")), "{err}");
    assert!(
        err.contains("\"middle\" is not a level of this toolkit"),
        "{err}"
    );
    assert!(err.contains("expected: one of: low, mid, high"), "{err}");
    // The same capability now lacks "mid".
    assert!(
        err.contains("capability \"a1\" has no organisational descriptor for level \"mid\""),
        "{err}"
    );
}

#[test]
fn missing_individual_descriptor_is_an_error() {
    let text = toolkit_with(
        "descriptors = { low = \"l\", mid = \"m\", high = \"h\" } }",
        "descriptors = { low = \"l\", high = \"h\" } }",
    );
    let err = framework_errors(&text);
    assert!(
        err.contains("capability \"a2\" has no individual descriptor for level \"mid\""),
        "{err}"
    );
}

#[test]
fn weights_must_be_positive_and_within_a_million_to_one() {
    for bad in ["0", "-1.5", "1e308", "1e-7", "nan"] {
        let text = toolkit_with("weight = 3", &format!("weight = {bad}"));
        let err = framework_errors(&text);
        let line = line_of(&text, &format!("weight = {bad}"));
        assert!(err.contains(&format!("fw.toml:{line}:10")), "{err}");
        assert!(err.contains("a number from 0.000001 to 1000000"), "{err}");
    }
    let text = toolkit_with("weight = 2", "weight = 0");
    assert!(framework_errors(&text).contains("domain weight 0 is not allowed"));
}

#[test]
fn malformed_toml_and_wrong_types_are_located() {
    let err = framework_errors(&toolkit_with("title = \"A one\"", "title = \"A one"));
    assert!(err.contains("fw.toml:"), "{err}");
    let text = toolkit_with("weight = 3", "weight = \"heavy\"");
    let err = framework_errors(&text);
    let line = line_of(&text, "weight = \"heavy\"");
    assert!(err.contains(&format!("fw.toml:{line}:10")), "{err}");
    let err = framework_errors(&toolkit_with(
        "title = \"A one\"",
        "title = \"A one\"\ntitel = \"typo\"",
    ));
    assert!(err.contains("unknown field `titel`"), "{err}");
}

#[test]
fn malformed_dates_in_a_round_are_located() {
    let text = MINI_ROUND.replace("due = 2026-03-31", "due = \"31/03/2026\"");
    let err = framework_errors(&text);
    let line = line_of(&text, "due = \"31/03/2026\"");
    assert!(err.contains(&format!("fw.toml:{line}:7")), "{err}");
    assert!(err.contains("expected YYYY-MM-DD"), "{err}");
    let text = MINI_ROUND.replace("closes = 2026-03-31", "closes = 2026-02-30");
    let err = framework_errors(&text);
    assert!(
        err.contains("invalid date") && err.contains("fw.toml:9:41"),
        "{err}"
    );
}

#[test]
fn round_with_two_due_dates_needs_exactly_one_used_for_status() {
    let text = MINI_ROUND.replace(", used_for_status = true }", " }");
    let err = framework_errors(&text);
    assert!(
        err.contains("milestone \"early\" has 2 due dates and 0 marked used_for_status"),
        "{err}"
    );
}

#[test]
fn round_naming_a_missing_toolkit_or_version_is_an_error() {
    let mut reg = registry(MINI_TOOLKIT, None);
    let text = MINI_ROUND.replace("version = \"1.0.0\" }", "version = \"2.0.0\" }");
    reg.insert(
        LoadedFramework::parse(
            SourceFile::from_text("round.toml", text.clone()),
            Origin::Bundled,
        )
        .unwrap(),
    );
    let err = reg.check_references().unwrap_err().to_string();
    let line = line_of(&text, "toolkit = ");
    assert!(err.contains(&format!("round.toml:{line}:")), "{err}");
    assert!(
        err.contains("mini version 2.0.0, which is not known"),
        "{err}"
    );
    assert!(err.contains("a known version of mini: 1.0.0"), "{err}");

    let mut reg = registry(MINI_TOOLKIT, None);
    let text = MINI_ROUND.replace("id = \"mini\"", "id = \"maxi\"");
    reg.insert(
        LoadedFramework::parse(SourceFile::from_text("round.toml", text), Origin::Bundled).unwrap(),
    );
    let err = reg.check_references().unwrap_err().to_string();
    assert!(
        err.contains("toolkit \"maxi\", which is not a known framework"),
        "{err}"
    );
}

fn response_error(body: &str) -> String {
    let sct = mini_sct(MINI_TOOLKIT);
    let text = format!(
        "round = \"mini-round\"\nassessed = 2026-03-20\n[organisation]\nname = \"Org A\"\nods_code = \"AAA\"\n{body}"
    );
    match sct.validate_source(
        &SourceFile::from_text("resp.toml", text),
        Default::default(),
    ) {
        Ok(_) => panic!("expected an error for {body}"),
        Err(Error::Invalid(d)) => d.to_string(),
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

#[test]
fn an_unknown_level_names_line_column_and_the_valid_levels() {
    let err = response_error("[capabilities.a1]\nlevel = \"mastered\"\n");
    assert!(err.contains("resp.toml:7:9"), "{err}");
    assert!(
        err.contains("\"mastered\" is not a level of mini 1.0.0"),
        "{err}"
    );
    assert!(
        err.contains(
            "expected: one of: Low, Middle, High (or their ids low, mid, high), or n/a (with a reason)"
        ),
        "{err}"
    );
}

#[test]
fn an_unknown_capability_suggests_the_nearest_id() {
    let err = response_error("[capabilities.a11]\nlevel = \"low\"\n");
    assert!(err.contains("resp.toml:6:15"), "{err}");
    assert!(err.contains("did you mean \"a1\"?"), "{err}");
}

#[test]
fn response_rules() {
    assert!(
        response_error("[capabilities.a1]\nlevel = \"high\"\ntarget_level = \"low\"\n")
            .contains("target level \"low\" is below the current level \"high\"")
    );
    assert!(
        response_error("[capabilities.a1]\nlevel = \"n/a\"\n")
            .contains("level is n/a but no reason is given")
    );
    assert!(
        response_error("[capabilities.a1]\nlevel = \"low\"\nconfidence = \"sure\"\n")
            .contains("expected: low, medium or high")
    );
    assert!(
        response_error("[capabilities.a1]\nlevel = \"low\"\ntarget_date = 2025-01-01\n")
            .contains("target date 2025-01-01 is before the assessed date 2026-03-20")
    );
    assert!(
        response_error("[milestones.erly]\nstatus = \"complete\"\n")
            .contains("did you mean \"early\"?")
    );
    assert!(
        response_error("[milestones.early]\nstatus = \"done\"\n")
            .contains("expected: complete, on-track, at-risk or not-started")
    );
    assert!(
        response_error("[milestones.early]\nstatus = \"on-track\"\ncompleted_on = 2026-03-01\n")
            .contains("completed_on is set but the status is \"on-track\"")
    );
    assert!(
        response_error("type = \"individual\"\n").contains("unknown field")
            || response_error("type = \"individual\"\n").contains("needs a [person]")
    );
}

#[test]
fn dates_outside_the_window_and_organisation_codes() {
    let sct = mini_sct(MINI_TOOLKIT);
    let check = |head: &str| match sct.validate_source(
        &SourceFile::from_text("resp.toml", head.to_string()),
        Default::default(),
    ) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    };
    let err = check(
        "round = \"mini-round\"\nassessed = 2026-04-02\n[organisation]\nods_code = \"AAA\"\n",
    );
    assert!(
        err.contains("resp.toml:2:12") && err.contains("outside the mini-round window"),
        "{err}"
    );
    assert!(
        err.contains("a date from 2026-03-01 to 2026-03-31"),
        "{err}"
    );
    let err = check(
        "round = \"mini-round\"\nassessed = 2026-03-20\n[organisation]\nods_code = \"ZZZ\"\n",
    );
    assert!(
        err.contains("resp.toml:4:12")
            && err.contains("\"ZZZ\" is not an organisation in orgs.csv"),
        "{err}"
    );
    // NEW exists only from April 2026; the response is dated March.
    let err = check(
        "round = \"mini-round\"\nassessed = 2026-03-20\n[organisation]\nods_code = \"new\"\n",
    );
    assert!(
        err.contains("NEW (New Org) did not exist on the assessed date 2026-03-20"),
        "{err}"
    );
    assert_eq!(
        check(
            "round = \"mini-round\"\nassessed = 2026-03-20\n[organisation]\nods_code = \"old\"\n"
        ),
        ""
    );
}

#[test]
fn a_response_for_another_toolkit_version_is_refused_naming_both() {
    let sct = mini_sct(MINI_TOOLKIT);
    let text =
        "round = \"mini-round\"\nframework_version = \"0.9\"\n[organisation]\nods_code = \"AAA\"\n";
    let err = sct
        .validate_source(
            &SourceFile::from_text("resp.toml", text),
            Default::default(),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("made for mini version 0.9, but round mini-round uses version 1.0.0"),
        "{err}"
    );
}

#[test]
fn blank_template_answers_are_coverage_not_errors_unless_strict() {
    let sct = mini_sct(MINI_TOOLKIT);
    let text = "round = \"mini-round\"\n[organisation]\nods_code = \"\"\n[capabilities.a1]\nlevel = \"\"\nconfidence = \"\"\ntarget_date = \"\"\n";
    let src = SourceFile::from_text("resp.toml", text);
    let (a, _) = sct.validate_source(&src, Default::default()).unwrap();
    assert_eq!(a.answers.len(), 5);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.message.starts_with("5 of 5 capabilities not answered"))
    );
    let err = sct
        .validate_source(&src, sct_core::ResolveOptions { strict: true })
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("error: 5 of 5 capabilities not answered"),
        "{err}"
    );
}

#[test]
fn individual_self_assessments_cover_only_individual_competencies() {
    let sct = mini_sct(MINI_TOOLKIT);
    let text = "type = \"individual\"\nround = \"mini-round\"\n[organisation]\nods_code = \"AAA\"\n[person]\nid = \"P1\"\nrole_group = \"Analysts\"\n[capabilities.a2]\nlevel = \"mid\"\n";
    let r = sct
        .score_source(
            &SourceFile::from_text("p.toml", text),
            Default::default(),
            None,
        )
        .unwrap();
    assert_eq!(
        r.domains.len(),
        1,
        "only domain A has an individual competency"
    );
    assert_eq!(r.domains[0].capabilities.len(), 1);
    assert!(r.milestones.is_empty());
    let text = text.replace("[capabilities.a2]", "[capabilities.a1]");
    let err = sct
        .validate_source(&SourceFile::from_text("p.toml", text), Default::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("capability \"a1\" has no individual competency"),
        "{err}"
    );
}
