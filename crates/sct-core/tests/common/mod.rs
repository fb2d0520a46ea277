//! Small frameworks and helpers shared by the integration tests. The numbers in the scoring
//! tests are worked by hand from these files.
#![allow(dead_code)]

use sct_core::load::{LoadedFramework, Origin};
use sct_core::{FrameworkRegistry, Organisations, Sct, SourceFile};

/// A three-level toolkit with two domains. Capability a2 weighs 3; domain b weighs 2.
pub const MINI_TOOLKIT: &str = r#"
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
title = "Domain A"
source = { doc = "t", section = "1" }

[[domains.capabilities]]
id = "a1"
title = "A one"
source = { doc = "t", section = "1" }
descriptors = { low = "l", mid = "m", high = "h" }

[[domains.capabilities]]
id = "a2"
title = "A two"
weight = 3
source = { doc = "t", section = "1" }
descriptors = { low = "l", mid = "m", high = "h" }
individual = { competency = "Two-ness", source = { doc = "t", section = "1" }, descriptors = { low = "l", mid = "m", high = "h" } }

[[domains.capabilities]]
id = "a3"
title = "A three"
source = { doc = "t", section = "1" }
descriptors = { low = "l", mid = "m", high = "h" }

[[domains]]
id = "b"
section = "2"
kind = "enabler"
title = "Domain B"
weight = 2
source = { doc = "t", section = "2" }

[[domains.capabilities]]
id = "b1"
title = "B one"
source = { doc = "t", section = "2" }
descriptors = { low = "l", mid = "m", high = "h" }

[[domains.capabilities]]
id = "b2"
title = "B two"
source = { doc = "t", section = "2" }
descriptors = { low = "l", mid = "m", high = "h" }
"#;

/// A round over the mini toolkit with three milestones; one has two due dates.
pub const MINI_ROUND: &str = r#"
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
due = [
  { date = 2026-03-31, as_written = "March 2026", source = { doc = "t", section = "1" }, used_for_status = true },
  { date = 2026-01-31, as_written = "January 2026", source = { doc = "t", section = "2" } },
]

[[milestones]]
id = "soon"
title = "Soon"
due = [{ date = 2026-05-31, as_written = "May 2026", source = { doc = "t", section = "1" } }]

[[milestones]]
id = "later"
title = "Later"
due = [{ date = 2027-03-31, as_written = "March 2027", source = { doc = "t", section = "1" } }]
"#;

/// An organisations table with one current and one ended organisation.
pub const ORGS: &str = "ods_code,name,region,valid_from,valid_to,population_approx\nAAA,Org A,R,2022-07-01,,\nOLD,Old Org,R,2022-07-01,2026-03-31,\nNEW,New Org,R,2026-04-01,,\n";

/// Replaces `from` with `to` in the mini toolkit (the text must occur).
pub fn toolkit_with(from: &str, to: &str) -> String {
    assert!(
        MINI_TOOLKIT.contains(from),
        "fixture does not contain {from:?}"
    );
    MINI_TOOLKIT.replacen(from, to, 1)
}

/// A registry with the given toolkit and round texts (no bundled frameworks).
pub fn registry(toolkit: &str, round: Option<&str>) -> FrameworkRegistry {
    let mut reg = FrameworkRegistry::new();
    let t = LoadedFramework::parse(SourceFile::from_text("mini.toml", toolkit), Origin::Bundled)
        .unwrap_or_else(|d| panic!("toolkit fixture invalid:\n{d}"));
    reg.insert(t);
    if let Some(r) = round {
        let r = LoadedFramework::parse(SourceFile::from_text("round.toml", r), Origin::Bundled)
            .unwrap_or_else(|d| panic!("round fixture invalid:\n{d}"));
        reg.insert(r);
    }
    reg
}

/// An `Sct` over the mini toolkit and round, with the small organisations table.
pub fn mini_sct(toolkit: &str) -> Sct {
    let orgs =
        Organisations::parse(&SourceFile::from_text("orgs.csv", ORGS), None).expect("orgs fixture");
    Sct {
        registry: registry(toolkit, Some(MINI_ROUND)),
        organisations: orgs,
        readers: Default::default(),
    }
}

/// Parses a framework text, expecting errors; returns them rendered.
pub fn framework_errors(text: &str) -> String {
    match LoadedFramework::parse(SourceFile::from_text("fw.toml", text), Origin::Bundled) {
        Ok(_) => panic!("expected errors, but the framework loaded"),
        Err(d) => d.to_string(),
    }
}
