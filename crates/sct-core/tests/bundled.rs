//! The bundled frameworks: they load, they cover what the framework names, and every
//! citation's quote really is in the source document it names.

use std::path::{Path, PathBuf};

use sct_core::model::{CapabilityToolkit, DomainKind, ResponseType};
use sct_core::template::response_template;
use sct_core::{Sct, SourceFile};

fn bundled_toolkit() -> CapabilityToolkit {
    let sct = Sct::bundled().expect("bundled frameworks load");
    let fw = sct
        .registry
        .get("capability-toolkit", None)
        .expect("bundled toolkit");
    fw.as_toolkit().expect("a capability toolkit").clone()
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn bundled_toolkit_has_the_four_stages_and_seven_enablers() {
    let sct = Sct::bundled().expect("bundled frameworks load");
    let fw = sct.registry.get("capability-toolkit", None).unwrap();
    let t = fw.as_toolkit().unwrap();
    let sections = |kind| {
        t.domains
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| d.section.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(sections(DomainKind::Stage), ["3.1", "3.2", "3.3", "3.4"]);
    assert_eq!(
        sections(DomainKind::Enabler),
        ["4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7"]
    );
    for d in &t.domains {
        assert!(
            d.capabilities.len() >= 3,
            "{} has {} capabilities",
            d.id.get_ref(),
            d.capabilities.len()
        );
    }
    let names: Vec<&str> = t.levels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names.first(), Some(&"Starting out"));
    assert_eq!(names.last(), Some(&"Mastering"));
    assert_eq!(names.len(), 5);
    // The seed names only the two ends; the middle three must say they are our drafting.
    for level in &t.levels[1..4] {
        assert!(
            level.drafted && level.source.is_none(),
            "{} must be marked drafted",
            level.id.get_ref()
        );
    }
    for level in [&t.levels[0], &t.levels[4]] {
        assert!(!level.drafted && level.source.is_some());
    }
    assert!(t.capabilities().any(|(_, c)| c.individual.is_some()));
}

#[test]
fn every_enabler_of_section_2_2_is_covered() {
    let t = bundled_toolkit();
    // Section 2.2 lists eight enablers.
    assert_eq!(t.enabler_crosswalk.len(), 8);
    for e in &t.enabler_crosswalk {
        assert_eq!(e.source.section, "2.2");
        assert!(!e.domains.is_empty());
    }
}

#[test]
fn baseline_round_keeps_both_integrated_needs_assessment_dates() {
    let sct = Sct::bundled().unwrap();
    let r = sct
        .registry
        .get("baseline-2026-03", None)
        .unwrap()
        .as_round()
        .unwrap()
        .clone();
    assert_eq!(r.toolkit.id.get_ref(), "capability-toolkit");
    let ina = r
        .milestones
        .iter()
        .find(|m| m.id.get_ref() == "integrated-needs-assessment")
        .unwrap();
    let dates: Vec<String> = ina
        .due
        .iter()
        .map(|d| d.date.get_ref().to_string())
        .collect();
    assert_eq!(dates, ["2026-03-31", "2026-01-31"]);
    assert_eq!(ina.status_due().unwrap().source.section, "3.1");
    for id in [
        "intelligence-function",
        "co-production-methodology",
        "evaluation-approach",
        "fdp-segmentation-adoption",
    ] {
        let m = r
            .milestones
            .iter()
            .find(|m| m.id.get_ref() == id)
            .unwrap_or_else(|| panic!("{id}"));
        assert_eq!(
            m.status_due().unwrap().date.get_ref().to_string(),
            "2027-03-31",
            "{id}"
        );
    }
}

/// Every `{ doc, section, quote }` table in every bundled framework file and in the example
/// theories of change, with the document's `copy` path; each quote must appear (white space
/// folded) in that copy.
#[test]
fn every_quote_traces_to_its_source_document() {
    let seeds = repo_root().join("../shared/seeds");
    if !seeds.is_dir() {
        eprintln!(
            "skipped: {} is not present (it is beside the clone in CI)",
            seeds.display()
        );
        return;
    }
    let fold = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut checked = 0;
    let mut read_elsewhere = 0;
    let mut files = Vec::new();
    collect(&repo_root().join("frameworks"), &mut files);
    let bundled = files.len();
    collect(
        &repo_root().join("examples").join("theory-of-change"),
        &mut files,
    );
    assert!(bundled > 0 && files.len() > bundled, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let value: toml::Value = toml::from_str(&text).unwrap();
        let docs = value
            .get("documents")
            .and_then(|d| d.as_table())
            .cloned()
            .unwrap_or_default();
        let mut quotes = Vec::new();
        find_quotes(&value, &mut quotes);
        for (doc, quote) in quotes {
            let field = |name: &str| {
                docs.get(&doc)
                    .and_then(|d| d.get(name))
                    .and_then(|c| c.as_str())
                    .map(str::to_string)
            };
            let Some(copy) = field("copy") else {
                // A publication of which no copy is kept (the planning framework) must say
                // where it is read, and its quotes cannot be checked here: count them apart.
                let url = field("url").unwrap_or_else(|| {
                    panic!(
                        "{}: document {doc} has neither a copy nor a url",
                        file.display()
                    )
                });
                assert!(
                    url.starts_with("https://"),
                    "{}: {doc}: {url}",
                    file.display()
                );
                assert!(
                    !quote.trim().is_empty(),
                    "{}: empty quote of {doc}",
                    file.display()
                );
                read_elsewhere += 1;
                continue;
            };
            let copy = copy.as_str();
            let copy = copy.strip_prefix("shared/seeds/").unwrap_or(copy);
            let source =
                std::fs::read_to_string(seeds.join(copy)).unwrap_or_else(|e| panic!("{copy}: {e}"));
            assert!(
                fold(&source).contains(&fold(&quote)),
                "{}: quote not found in {copy}: {quote:?}",
                file.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} quotes checked");
    // Quotes of documents kept nowhere here are the exception: a handful, not a habit.
    assert!(
        read_elsewhere < 20,
        "{read_elsewhere} quotes cite documents with no copy"
    );
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
}

fn find_quotes(v: &toml::Value, out: &mut Vec<(String, String)>) {
    match v {
        toml::Value::Table(t) => {
            if let (Some(doc), Some(quote)) = (
                t.get("doc").and_then(|d| d.as_str()),
                t.get("quote").and_then(|q| q.as_str()),
            ) {
                out.push((doc.to_string(), quote.to_string()));
            }
            t.values().for_each(|x| find_quotes(x, out));
        }
        toml::Value::Array(a) => a.iter().for_each(|x| find_quotes(x, out)),
        _ => {}
    }
}

#[test]
fn every_domain_and_capability_quotes_its_source() {
    let t = bundled_toolkit();
    for (d, c) in t.capabilities() {
        assert!(
            !d.source.quote.trim().is_empty(),
            "domain {} has no quote",
            d.id.get_ref()
        );
        assert!(
            !c.source.quote.trim().is_empty(),
            "capability {} has no quote",
            c.id.get_ref()
        );
    }
}

#[test]
fn blank_templates_validate_with_zero_coverage() {
    let sct = Sct::bundled().unwrap();
    let round_file = sct.registry.get("baseline-2026-03", None).unwrap();
    let round = round_file.as_round().unwrap();
    let tk_file = sct.registry.get("capability-toolkit", None).unwrap();
    let tk = tk_file.as_toolkit().unwrap();
    for (round, kind) in [
        (Some((round_file, round)), ResponseType::Organisation),
        (Some((round_file, round)), ResponseType::Individual),
        (None, ResponseType::Organisation),
    ] {
        let text = response_template(tk_file, tk, round, kind);
        let (a, _) = sct
            .validate_source(&SourceFile::from_text("t.toml", text), Default::default())
            .unwrap_or_else(|e| panic!("template for {kind:?} does not validate:\n{e}"));
        assert!(a.answers.values().all(|x| x.rank().is_none()));
        let expected = match kind {
            ResponseType::Organisation => 50,
            ResponseType::Individual => tk
                .capabilities()
                .filter(|(_, c)| c.individual.is_some())
                .count(),
        };
        assert_eq!(a.answers.len(), expected);
        assert!(!a.warnings.has_errors());
    }
}

#[test]
fn the_bundled_frameworks_left_for_first_use_are_those_loaded_at_once() {
    use sct_core::load::FrameworkRegistry;
    let now = FrameworkRegistry::bundled().expect("bundled frameworks load");
    let later = FrameworkRegistry::with_dirs(&[]).expect("nothing read yet");
    let keys = |r: &FrameworkRegistry| -> Vec<(String, String, String)> {
        r.iter()
            .map(|f| (f.id().into(), f.version().into(), f.source.text.clone()))
            .collect()
    };
    assert!(!keys(&now).is_empty());
    assert_eq!(keys(&later), keys(&now));
    let toolkit = later.get("capability-toolkit", None).unwrap();
    assert_eq!(
        toolkit.version(),
        now.get("capability-toolkit", None).unwrap().version()
    );
    assert_eq!(
        later.versions_of("capability-toolkit"),
        now.versions_of("capability-toolkit")
    );
    // A framework added to one left for first use joins the bundled ones, replacing one of
    // the same id and version.
    let mut added = FrameworkRegistry::with_dirs(&[]).unwrap();
    let mut copy = toolkit.clone();
    copy.header.title = "A local copy".into();
    added.insert(copy);
    assert_eq!(added.iter().count(), now.iter().count());
    assert_eq!(
        added
            .get("capability-toolkit", Some(toolkit.version()))
            .unwrap()
            .header
            .title,
        "A local copy"
    );
}
