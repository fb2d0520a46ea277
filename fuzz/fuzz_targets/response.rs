//! An assessment response, resolved against the bundled frameworks and organisations and
//! scored.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_core::{ResolveOptions, SourceFile};
use sct_fuzz::{assert_error_located, bundled_sct};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = SourceFile::from_bytes("fuzz.toml".into(), data.to_vec()) else {
        return;
    };
    if let Err(e) = bundled_sct().score_source(&src, ResolveOptions::default(), None) {
        assert_error_located("response", &src.text, &e);
    }
});
