//! A framework file of any kind: capability toolkit, assessment round, KPI set, theory of
//! change. Parsed, checked on its own, then read as its kind would be.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_core::load::registry::Origin;
use sct_core::model::FrameworkKind;
use sct_core::{FrameworkRegistry, LoadedFramework, SourceFile};
use sct_fuzz::{assert_error_located, assert_located};
use sct_kpi::kpiset::KpiSet;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = SourceFile::from_bytes("fuzz.toml".into(), data.to_vec()) else {
        return;
    };
    let text = src.text.clone();
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
