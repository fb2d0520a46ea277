//! Development plans: the toolkit's planning data is checked with file and line, the bundled
//! example plans as the issue asks, and the ranking is a total preorder that never lists an
//! n/a capability and never puts a larger weighted gap below a smaller one under the default
//! rule.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use sct_core::assessment::{Answer, AnswerLevel, Assessment, Confidence};
use sct_core::load::{LoadedFramework, Origin};
use sct_core::model::{PriorityKey, ResponseType};
use sct_core::plan::{self, PlanInputs, compare};
use sct_core::{Date, Sct, SourceFile};

use common::*;

const EXAMPLE: &str = "../../examples/baseline-2026-03/bnssg-illustrative.toml";

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in text"))
}

/// The mini toolkit with strands and support links.
fn planned_toolkit() -> String {
    toolkit_with(
        "[[domains.capabilities]]\nid = \"a1\"",
        "[[domains.support]]\nstrands = [\"org\"]\nsource = { doc = \"t\", section = \"1\" }\n\n[[domains.capabilities]]\nid = \"a1\"",
    )
    .replacen(
        "[[levels]]\nid = \"low\"",
        "[planning]\norder = [\"weighted-gap\", \"milestone-due\"]\n\n[[planning.strands]]\nid = \"org\"\ntitle = \"Organisational\"\nsource = { doc = \"t\", section = \"1\" }\n\n[[planning.strands]]\nid = \"ind\"\ntitle = \"Individual\"\nsource = { doc = \"t\", section = \"1\" }\n\n[[levels]]\nid = \"low\"",
        1,
    )
}

#[test]
fn an_unknown_strand_names_the_file_line_and_the_strands() {
    let text = planned_toolkit().replacen("strands = [\"org\"]", "strands = [\"orgs\"]", 1);
    let err = framework_errors(&text);
    let line = line_of(&text, "strands = [\"orgs\"]");
    assert!(err.contains(&format!("fw.toml:{line}:")), "{err}");
    assert!(
        err.contains("strand \"orgs\", which is not in [[planning.strands]]"),
        "{err}"
    );
    assert!(err.contains("one of: org, ind"), "{err}");
    assert!(err.contains("did you mean \"org\""), "{err}");
}

#[test]
fn an_unknown_milestone_names_the_file_line_and_the_rounds_milestones() {
    let text = planned_toolkit().replacen(
        "strands = [\"org\"]",
        "strands = [\"org\"]\nmilestones = [\"latter\"]",
        1,
    );
    let reg = registry(&text, Some(MINI_ROUND));
    let err = reg.check_references().unwrap_err().to_string();
    let line = line_of(&text, "milestones = [\"latter\"]");
    assert!(err.contains(&format!("mini.toml:{line}:")), "{err}");
    assert!(
        err.contains("milestone \"latter\", which no round using mini 1.0.0 has"),
        "{err}"
    );
    assert!(err.contains("early, later, soon"), "{err}");
    assert!(err.contains("did you mean \"later\""), "{err}");
    // A known milestone passes.
    let ok = text.replace("\"latter\"", "\"later\"");
    registry(&ok, Some(MINI_ROUND)).check_references().unwrap();
}

#[test]
fn planning_keys_and_confidences_are_checked() {
    let text = planned_toolkit().replacen("\"milestone-due\"]", "\"milestone-date\"]", 1);
    let err = framework_errors(&text);
    assert!(
        err.contains(&format!("fw.toml:{}:", line_of(&text, "milestone-date"))),
        "{err}"
    );
    assert!(err.contains("milestone-date"), "{err}");
    let text = planned_toolkit().replacen(
        "order = [",
        "validate_confidence = [\"lowish\"]\norder = [",
        1,
    );
    let err = framework_errors(&text);
    assert!(err.contains("\"lowish\" is not a confidence"), "{err}");
    let text = planned_toolkit().replacen("strands = [\"org\"]\n", "", 1);
    let err = framework_errors(&text);
    assert!(err.contains("names no strand and no milestone"), "{err}");
}

fn bundled_plan(sct: &Sct) -> plan::DevelopmentPlan {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(EXAMPLE);
    let assessed = sct.assess_file(&path, Default::default(), None).unwrap();
    plan::build(PlanInputs {
        frameworks: &assessed.frameworks,
        assessment: &assessed.assessment,
        score: &assessed.score,
        individuals: None,
        previous: None,
        organisations: &sct.organisations,
    })
    .unwrap()
}

#[test]
fn the_bundled_example_plans_with_strands_milestones_and_validation() {
    let sct = Sct::bundled().unwrap();
    let p = bundled_plan(&sct);
    assert_eq!(
        p.rule.order,
        [
            "weighted-gap",
            "milestones-at-risk",
            "milestone-due",
            "target-date",
            "current-level",
            "milestones-open",
            "confirmed"
        ]
    );
    assert!(!p.priorities.is_empty());
    // Ties are broken on what matters to the plan: of the example's 46 priorities, most had
    // shared five ranks under gap and due date alone.
    let distinct: BTreeSet<usize> = p.priorities.iter().map(|x| x.rank).collect();
    assert!(distinct.len() >= 15, "{} distinct ranks", distinct.len());
    // Among equal gaps, a capability with a milestone at risk ranks first.
    let co_production = p
        .priorities
        .iter()
        .find(|x| x.id == "involvement-systematic-coproduction")
        .expect("co-production is a priority");
    assert!(co_production.milestones_at_risk > 0, "{co_production:?}");
    assert!(
        p.priorities
            .iter()
            .filter(|x| x.weighted_gap == co_production.weighted_gap && x.milestones_at_risk == 0)
            .all(|x| x.rank > co_production.rank)
    );
    // Every rank is shown the same way.
    for x in &p.priorities {
        let want = if x.tied {
            format!("={}", x.rank)
        } else {
            x.rank.to_string()
        };
        assert_eq!(x.rank_label, want);
    }
    for s in &p.support {
        for i in &s.items {
            let priority = p.priorities.iter().find(|x| x.id == i.id).unwrap();
            assert_eq!(i.rank_label, priority.rank_label);
        }
    }
    // The top-level rating without evidence, with low confidence and no gap, is listed to
    // validate.
    let pay = p
        .priorities
        .iter()
        .find(|x| x.id == "payor-payment-design")
        .expect("payment design is listed");
    assert!(pay.validate_before_investing, "{pay:?}");
    assert_eq!(pay.gap, 0);
    assert_eq!(
        pay.validate_reasons,
        ["rated with low confidence", "no evidence recorded"]
    );
    // The intelligence function bears on its own milestone and the evaluation approach's.
    let intel = p
        .priorities
        .iter()
        .find(|x| x.id == "intelligence-function")
        .unwrap();
    let ms: Vec<&str> = intel.milestones.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ms, ["evaluation-approach", "intelligence-function"]);
    assert_eq!(intel.gap, 2);
    assert_eq!(intel.strands.len(), 3);
    assert_eq!(intel.next_level.as_ref().unwrap().name, "Developing");
    // The top of the list has the largest weighted gap.
    assert_eq!(p.priorities[0].weighted_gap, 2.0);
    // n/a never appears.
    assert!(
        p.priorities
            .iter()
            .all(|x| x.id != "data-innovation-digital")
    );
    // Every priority below target is under at least one strand.
    for x in p.priorities.iter().filter(|x| x.gap > 0) {
        assert!(
            p.support
                .iter()
                .any(|s| s.items.iter().any(|i| i.id == x.id)),
            "{} is under no strand",
            x.id
        );
    }
}

#[test]
fn a_predecessor_icb_is_recognised_and_an_unrelated_one_refused() {
    let orgs = sct_core::Organisations::bundled();
    let (pred, words) = plan::relation(&orgs, "QHG", "S1Y5D").unwrap();
    assert!(pred && words.contains("whole"), "{words}");
    let (_, words) = plan::relation(&orgs, "QM7", "S1Y5D").unwrap();
    assert!(words.contains("only part"), "{words}");
    assert!(plan::relation(&orgs, "QUY", "S1Y5D").is_none());
    assert!(!plan::relation(&orgs, "QUY", "quy").unwrap().0);
}

// ---------------------------------------------------------------------------------------------
// Property tests of the ranking, on the mini toolkit (weights: a2 = 3, domain b = 2).

#[derive(Debug, Clone)]
enum Ans {
    NotApplicable,
    Unanswered,
    Level {
        level: usize,
        up: usize,
        confidence: Option<Confidence>,
        evidence: bool,
        target_date: Option<u32>,
    },
}

fn ans() -> impl Strategy<Value = Ans> {
    prop_oneof![
        1 => Just(Ans::NotApplicable),
        1 => Just(Ans::Unanswered),
        6 => (
            1usize..=3,
            0usize..=2,
            prop_oneof![Just(None), Just(Some(Confidence::Low)), Just(Some(Confidence::Medium)), Just(Some(Confidence::High))],
            any::<bool>(),
            proptest::option::of(0u32..3),
        )
            .prop_map(|(level, up, confidence, evidence, target_date)| Ans::Level {
                level,
                up,
                confidence,
                evidence,
                target_date,
            }),
    ]
}

fn assessment(answers: &[Ans]) -> Assessment {
    let ids = ["a1", "a2", "a3", "b1", "b2"];
    let mut map = BTreeMap::new();
    for (id, a) in ids.iter().zip(answers) {
        let answer = match a {
            Ans::NotApplicable => Answer {
                level: AnswerLevel::NotApplicable { reason: "r".into() },
                ..Answer::unanswered()
            },
            Ans::Unanswered => Answer::unanswered(),
            Ans::Level {
                level,
                up,
                confidence,
                evidence,
                target_date,
            } => Answer {
                level: AnswerLevel::Level { rank: *level },
                confidence: *confidence,
                evidence: if *evidence { vec!["e".into()] } else { vec![] },
                target: Some((level + up).min(3)),
                target_date: target_date.map(|d| {
                    Date::parse(["2027-03-31", "2026-09-30", "2028-03-31"][d as usize]).unwrap()
                }),
                rationale: String::new(),
                carried_over: false,
            },
        };
        map.insert(id.to_string(), answer);
    }
    Assessment {
        response_type: ResponseType::Organisation,
        organisation_name: "Org A".into(),
        ods_code: "AAA".into(),
        notice: String::new(),
        respondent_role: String::new(),
        signed_off_by: String::new(),
        person: None,
        round: Some("mini-round".into()),
        toolkit_id: "mini".into(),
        toolkit_version: "1.0.0".into(),
        assessed: Some(Date::parse("2026-03-20").unwrap()),
        answers: map,
        milestones: BTreeMap::new(),
        team: Default::default(),
        source_name: "p.toml".into(),
        source_sha256: String::new(),
        warnings: Default::default(),
    }
}

fn key() -> impl Strategy<Value = PriorityKey> {
    prop_oneof![
        Just(PriorityKey::WeightedGap),
        Just(PriorityKey::Gap),
        Just(PriorityKey::MilestoneDue),
        Just(PriorityKey::TargetDate),
        Just(PriorityKey::CurrentLevel),
        Just(PriorityKey::Weight),
    ]
}

/// The mini toolkit with milestones at stake: a1 bears on "soon", b2 on "later".
fn toolkit_and_round() -> (LoadedFramework, LoadedFramework) {
    let text = planned_toolkit()
        .replacen(
            "descriptors = { low = \"l\", mid = \"m\", high = \"h\" }\n\n[[domains.capabilities]]\nid = \"a2\"",
            "descriptors = { low = \"l\", mid = \"m\", high = \"h\" }\nsupport = [{ milestones = [\"soon\"], source = { doc = \"t\", section = \"1\" } }]\n\n[[domains.capabilities]]\nid = \"a2\"",
            1,
        );
    let round = MINI_ROUND.replacen(
        "id = \"later\"\ntitle = \"Later\"",
        "id = \"later\"\ntitle = \"Later\"\ncapabilities = [\"b2\"]",
        1,
    );
    let t = LoadedFramework::parse(SourceFile::from_text("mini.toml", text), Origin::Bundled)
        .unwrap_or_else(|d| panic!("{d}"));
    let r = LoadedFramework::parse(SourceFile::from_text("round.toml", round), Origin::Bundled)
        .unwrap_or_else(|d| panic!("{d}"));
    (t, r)
}

proptest! {
    #[test]
    fn ranking_is_a_total_preorder_without_na_and_respects_the_weighted_gap(
        answers in proptest::collection::vec(ans(), 5),
        order in proptest::collection::vec(key(), 1..4),
    ) {
        let (t, r) = toolkit_and_round();
        let mut toolkit = t.as_toolkit().unwrap().clone();
        let round = r.as_round().unwrap();
        let a = assessment(&answers);
        for rule in [None, Some(order)] {
            if let Some(o) = &rule {
                let mut o = o.clone();
                o.dedup();
                toolkit.planning.order = o;
            }
            let keys = toolkit.planning.order.clone();
            let ps = plan::priorities(&toolkit, Some(round), &a, &BTreeMap::new());
            // Never n/a or unanswered.
            for p in &ps {
                let ans = &a.answers[&p.id];
                prop_assert!(ans.rank().is_some(), "{} listed without a level", p.id);
            }
            // Exactly the capabilities below target or to validate.
            let expected = a.answers.iter().filter(|(_, x)| {
                x.rank().is_some_and(|l| x.target.unwrap_or(l) > l
                    || x.confidence == Some(Confidence::Low)
                    || x.evidence.is_empty())
            }).count();
            prop_assert_eq!(ps.len(), expected);
            for (i, x) in ps.iter().enumerate() {
                // Reflexive, antisymmetric, transitive over the list: sorted, and ranks agree.
                prop_assert_eq!(compare(x, x, &keys), std::cmp::Ordering::Equal);
                for (j, y) in ps.iter().enumerate() {
                    let o = compare(x, y, &keys);
                    prop_assert_eq!(o, compare(y, x, &keys).reverse());
                    if i < j {
                        prop_assert!(o != std::cmp::Ordering::Greater, "not sorted");
                    }
                    prop_assert_eq!(x.rank == y.rank, o == std::cmp::Ordering::Equal);
                    prop_assert_eq!(x.rank < y.rank, o == std::cmp::Ordering::Less);
                    for z in &ps {
                        if o != std::cmp::Ordering::Greater && compare(y, z, &keys) != std::cmp::Ordering::Greater {
                            prop_assert!(compare(x, z, &keys) != std::cmp::Ordering::Greater, "not transitive");
                        }
                    }
                }
                prop_assert_eq!(x.tied, ps.iter().filter(|y| y.rank == x.rank).count() > 1);
                prop_assert!(x.rank >= 1 && x.rank <= i + 1);
            }
            if rule.is_none() {
                // Default rule: a larger weighted gap is never ranked below a smaller one.
                for w in ps.windows(2) {
                    prop_assert!(w[0].weighted_gap >= w[1].weighted_gap);
                }
                for x in &ps {
                    for y in &ps {
                        if x.weighted_gap > y.weighted_gap {
                            prop_assert!(x.rank < y.rank);
                        }
                    }
                }
            }
        }
    }
}
