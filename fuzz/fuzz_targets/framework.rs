//! A framework file of any kind: capability toolkit, assessment round, KPI set, theory of
//! change. Parsed, checked on its own, then read as its kind would be; and read as a theory
//! of change cut into batches of a few entries, which must give what parsing it whole gives
//! (the same model at the same offsets, or the same error).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_core::load::registry::Origin;
use sct_core::model::FrameworkKind;
use sct_core::{FrameworkRegistry, LoadedFramework, SourceFile};
use sct_fuzz::{assert_error_located, assert_located};
use sct_kpi::kpiset::KpiSet;

/// The text parsed as a theory of change a few entries at a time and whole agree.
fn batched_as_whole(text: &str) {
    let src = SourceFile::from_text("fuzz.toml", text);
    let whole = sct_core::load::parse_toml::<sct_toc::TheoryOfChange>(&src);
    let batched = sct_toc::load::parse_in_batches_of(&src, 48);
    match (whole, batched) {
        (Ok(w), Ok(b)) => {
            assert_eq!(w, b, "the batched parse differs");
            let spans = |t: &sct_toc::TheoryOfChange| -> Vec<_> {
                t.nodes.iter().map(|n| n.id.span()).chain(t.links.iter().map(|l| l.from.span())).collect()
            };
            assert_eq!(spans(&w), spans(&b), "the batched parse's spans differ");
        }
        (Err(w), Err(b)) => assert_eq!(w.to_string(), b.to_string()),
        (w, b) => panic!("whole {:?} but batched {:?}", w.is_ok(), b.is_ok()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = SourceFile::from_bytes("fuzz.toml".into(), data.to_vec()) else {
        return;
    };
    let text = src.text.clone();
    batched_as_whole(&text);
    let fw = match LoadedFramework::parse(src, Origin::Bundled) {
        Ok(fw) => fw,
        Err(diags) => return assert_located("framework", &text, &diags),
    };
    // The kinds that `sct-core` does not read itself are read by their own crates.
    match fw.header.kind {
        FrameworkKind::KpiSet => {
            if let Err(diags) = KpiSet::from_framework(&fw) {
                assert_located("kpi set", &text, &diags);
            }
        }
        FrameworkKind::TheoryOfChange => {
            let registry = FrameworkRegistry::new();
            if let Err(e) = sct_toc::load::from_framework(&fw, &registry) {
                assert_error_located("theory of change", &text, &e);
            }
        }
        _ => {}
    }
});
