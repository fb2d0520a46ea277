//! Consolidating raters' responses: the spread, median, pooled evidence and flags per
//! capability, Krippendorff's alpha over the whole assessment and per domain, and the
//! refusals (one response, no rater, different organisations or rounds, a rater twice).

mod common;

use sct_core::Sct;
use sct_core::SourceFile;
use sct_core::assessment::Assessment;
use sct_core::model::CapabilityToolkit;
use sct_core::moderation::{Flag, ModerationError, consolidate};
use sct_core::team::Rating;

use common::*;

fn toolkit(sct: &Sct) -> CapabilityToolkit {
    sct.registry
        .get("mini", None)
        .ok()
        .and_then(|f| f.as_toolkit())
        .expect("mini toolkit")
        .clone()
}

/// One rater's response: `rater` names them, `ods` the organisation, `body` the answers.
fn rated(sct: &Sct, file: &str, rater: &str, ods: &str, body: &str) -> Assessment {
    let name = if ods == "AAA" { "Org A" } else { "Old Org" };
    let text = format!(
        "round = \"mini-round\"\nassessed = 2026-03-20\n[organisation]\nname = \"{name}\"\nods_code = \"{ods}\"\n[rater]\nname = \"{rater}\"\nrole = \"Director\"\n{body}"
    );
    sct.validate_source(&SourceFile::from_text(file, text), Default::default())
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .0
}

fn level(id: &str, level: &str, evidence: &str) -> String {
    let evidence = if evidence.is_empty() {
        String::new()
    } else {
        format!("evidence = [\"{evidence}\"]\n")
    };
    format!("[capabilities.{id}]\nlevel = \"{level}\"\n{evidence}")
}

fn three_raters(sct: &Sct) -> Vec<Assessment> {
    vec![
        rated(
            sct,
            "ann.toml",
            "Ann",
            "AAA",
            &[
                level("a1", "low", "Needs assessment 2025"),
                level("a2", "mid", "Plan"),
                level("b1", "high", "Board minutes"),
            ]
            .concat(),
        ),
        rated(
            sct,
            "bob.toml",
            "Bob",
            "AAA",
            &[
                level("a1", "high", "needs assessment 2025 "),
                level("a2", "mid", ""),
                level("b1", "high", "Audit"),
            ]
            .concat(),
        ),
        rated(
            sct,
            "cy.toml",
            "Cy",
            "AAA",
            &[
                level("a1", "mid", "Needs assessment 2025"),
                level("b1", "mid", "Board minutes"),
            ]
            .concat(),
        ),
    ]
}

#[test]
fn each_capability_shows_spread_median_pooled_evidence_and_flags() {
    let sct = mini_sct(MINI_TOOLKIT);
    let c = consolidate(&toolkit(&sct), &three_raters(&sct)).unwrap();
    assert_eq!(c.raters.len(), 3);
    assert_eq!(c.raters[1].file, "bob.toml");
    assert_eq!(c.raters[0].sha256.len(), 64);
    let a1 = &c.capabilities[0];
    assert_eq!(a1.id, "a1");
    assert_eq!(a1.spread, Some(2));
    assert_eq!(a1.median, Some(2));
    assert!(a1.flags.contains(&Flag::Disagreement { spread: 2 }));
    // The same evidence, differently spaced and cased, is one item cited by all three.
    assert_eq!(a1.evidence.len(), 1);
    assert_eq!(a1.evidence[0].cited_by, vec![0, 1, 2]);

    let a2 = &c.capabilities[1];
    assert_eq!(a2.answers[2].rating, Rating::Skipped);
    assert!(a2.flags.contains(&Flag::Skipped { raters: vec![2] }));
    assert!(a2.flags.contains(&Flag::NoEvidence { raters: vec![1] }));
    assert!(
        !a2.flags
            .iter()
            .any(|f| matches!(f, Flag::Disagreement { .. }))
    );
    assert_eq!(
        c.disagreements().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["a1"]
    );

    let b1 = c.capabilities.iter().find(|c| c.id == "b1").unwrap();
    assert_eq!(b1.median, Some(3));
    assert_eq!(b1.evidence.len(), 2);
}

#[test]
fn agreement_is_krippendorffs_ordinal_alpha_over_all_and_per_domain() {
    let sct = mini_sct(MINI_TOOLKIT);
    let c = consolidate(&toolkit(&sct), &three_raters(&sct)).unwrap();
    // Units with two or more levels: a1 (1, 3, 2), a2 (2, 2), b1 (3, 3, 2).
    let expected = sct_core::agreement::ordinal_alpha(&[vec![1, 3, 2], vec![2, 2], vec![3, 3, 2]]);
    assert_eq!(c.agreement, expected);
    assert!(c.agreement.unwrap() < 0.5, "{:?}", c.agreement);
    let a = c.domains.iter().find(|d| d.id == "a").unwrap();
    assert_eq!(
        a.alpha,
        sct_core::agreement::ordinal_alpha(&[vec![1, 3, 2], vec![2, 2]])
    );
}

#[test]
fn responses_that_do_not_belong_together_are_refused_naming_both_files() {
    let sct = mini_sct(MINI_TOOLKIT);
    let tk = toolkit(&sct);
    let mut rs = three_raters(&sct);
    assert_eq!(
        consolidate(&tk, &rs[..1]).unwrap_err(),
        ModerationError::TooFew { count: 1 }
    );

    let twice = rated(&sct, "ann-again.toml", " ann ", "AAA", "");
    let err = consolidate(&tk, &[rs[0].clone(), rs[1].clone(), twice]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ann.toml and ann-again.toml are both by ann; expected one response per rater"
    );

    let elsewhere = rated(&sct, "other.toml", "Dee", "OLD", "");
    let err = consolidate(&tk, &[rs[0].clone(), elsewhere]).unwrap_err();
    assert!(
        matches!(&err, ModerationError::DifferentOrganisation { first_file, other_file, .. } if first_file == "ann.toml" && other_file == "other.toml"),
        "{err}"
    );
    assert!(
        err.to_string().contains("AAA") && err.to_string().contains("OLD"),
        "{err}"
    );

    rs[1].round = Some("another-round".into());
    let err = consolidate(&tk, &rs).unwrap_err();
    assert!(
        matches!(err, ModerationError::DifferentRound { .. }),
        "{err}"
    );

    rs[1].round = rs[0].round.clone();
    rs[2].team.rater = None;
    let err = consolidate(&tk, &rs).unwrap_err();
    assert_eq!(
        err,
        ModerationError::NoRater {
            file: "cy.toml".into()
        }
    );
}
