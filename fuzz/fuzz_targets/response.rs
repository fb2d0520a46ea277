//! An assessment response, resolved against the bundled frameworks and organisations and
//! scored.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sct_core::{ResolveOptions, Sct, SourceFile};
use sct_fuzz::assert_error_located;

fn sct() -> &'static Sct {
    static SCT: OnceLock<Sct> = OnceLock::new();
    SCT.get_or_init(|| Sct::bundled().expect("the bundled frameworks load"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = SourceFile::from_bytes("fuzz.toml".into(), data.to_vec()) else {
        return;
    };
    if let Err(e) = sct().score_source(&src, ResolveOptions::default(), None) {
        assert_error_located("response", &src.text, &e);
    }
});
