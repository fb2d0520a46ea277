//! The bundled theory-of-change template and the BNSSG example: they load without errors or
//! warnings, every link states an assumption, every outcome and the impact are measured, and
//! every capability's `moves` entry names a node of the template or a KPI of its KPI set.

use std::path::{Path, PathBuf};

use sct_core::Sct;
use sct_core::load::FrameworkRegistry;
use sct_toc::load::{LoadedToc, find};
use sct_toc::metrics::metrics;

const TEMPLATE: &str = "scf-commissioning-toc";
const EXAMPLE: &str = "examples/theory-of-change/bnssg-toc.toml";

/// Outcome or impact nodes allowed to have no indicator, by file: none at present.
const UNMEASURED_OUTCOMES_ACCEPTED: &[(&str, &str)] = &[];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn registry() -> FrameworkRegistry {
    FrameworkRegistry::bundled().expect("bundled frameworks load")
}

fn load(spec: &str) -> LoadedToc {
    find(spec, &registry()).unwrap_or_else(|e| panic!("{spec} does not load:\n{e}"))
}

fn template() -> LoadedToc {
    load(TEMPLATE)
}

fn example() -> LoadedToc {
    load(repo_root().join(EXAMPLE).to_str().expect("UTF-8 path"))
}

#[test]
fn template_and_example_load_without_errors_or_warnings() {
    for (name, toc) in [("template", template()), ("example", example())] {
        assert!(!toc.warnings.has_errors(), "{name}:\n{}", toc.warnings);
        assert!(
            toc.warnings.is_empty(),
            "{name} has warnings:\n{}",
            toc.warnings
        );
        assert!(toc.kpi_set.is_some(), "{name}: its KPI set is known");
        assert_eq!(
            toc.kpi_set.as_ref().unwrap().0.id.get_ref(),
            "scf-three-timeframes"
        );
    }
}

#[test]
fn the_example_is_built_on_the_bundled_template() {
    let t = template().toc;
    let e = example().toc;
    assert_eq!(
        e.based_on.as_deref(),
        Some(format!("{}@{}", t.id.get_ref(), t.version.get_ref()).as_str())
    );
    assert_eq!(e.id.get_ref(), "bnssg-commissioning-toc");
    assert_eq!(format!("{:?}", t.status), "Draft");
    assert_eq!(format!("{:?}", e.status), "Example");
}

#[test]
fn every_link_states_an_assumption() {
    for (name, toc) in [("template", template()), ("example", example())] {
        for l in &toc.toc.links {
            assert!(
                !l.assumption.trim().is_empty(),
                "{name}: link {} → {} states no assumption",
                l.from.get_ref(),
                l.to.get_ref()
            );
        }
        let m = metrics(&toc.toc, &toc.graph);
        assert_eq!(m.assumption_share, Some(1.0), "{name}");
    }
}

#[test]
fn every_outcome_and_the_impact_are_measured() {
    for (name, toc) in [("template", template()), ("example", example())] {
        let file = toc.toc.id.get_ref().clone();
        for n in &toc.toc.nodes {
            let accepted = UNMEASURED_OUTCOMES_ACCEPTED
                .iter()
                .any(|&(f, id)| f == file && id == n.id.get_ref());
            if n.node_type.is_outcome() && !accepted {
                assert!(
                    !n.indicators.is_empty(),
                    "{name}: {} {} has no indicator",
                    n.node_type.as_str(),
                    n.id.get_ref()
                );
            }
        }
        let m = metrics(&toc.toc, &toc.graph);
        assert_eq!(m.outcomes_measured_share, Some(1.0), "{name}");
        assert!(
            m.longest_measured_chain.len() >= 4,
            "{name}: {:?}",
            m.longest_measured_chain
        );
    }
}

#[test]
fn every_node_cites_its_source() {
    for (name, toc) in [("template", template()), ("example", example())] {
        for n in &toc.toc.nodes {
            let s = n
                .source
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: node {} cites no source", n.id.get_ref()));
            assert!(
                !s.quote.trim().is_empty(),
                "{name}: node {} has no quote",
                n.id.get_ref()
            );
        }
    }
}

#[test]
fn every_capability_moves_a_template_node_or_a_kpi() {
    let sct = Sct::bundled().expect("bundled frameworks load");
    let toolkit = sct
        .registry
        .iter()
        .find_map(|fw| fw.as_toolkit().filter(|_| fw.id() == "capability-toolkit"))
        .expect("the bundled capability toolkit");
    let t = template();
    let (set, _) = t.kpi_set.as_ref().expect("the template's KPI set");
    let mut named = 0;
    for (_, c) in toolkit.capabilities() {
        for m in c.moves.iter().map(|m| m.get_ref()) {
            let ok = match m.strip_prefix("kpi:") {
                Some(kpi) => set.indicator(kpi).is_some(),
                None => t.toc.node(m).is_some(),
            };
            assert!(
                ok,
                "capability {} moves \"{m}\", which is neither a node of {TEMPLATE} nor kpi:<id> of {}",
                c.id.get_ref(),
                set.id.get_ref()
            );
            named += 1;
        }
    }
    let capabilities = toolkit
        .capabilities()
        .filter(|(_, c)| !c.moves.is_empty())
        .count();
    assert!(
        (10..=25).contains(&capabilities),
        "{capabilities} capabilities name what they move"
    );
    assert!(named >= capabilities);
}
