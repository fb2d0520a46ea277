//! An assessment response written as JSON (as `sct convert -o response.json` writes it): read
//! into its TOML equivalent, then resolved against the bundled frameworks and organisations.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_core::load::json::read_json_source;
use sct_core::{ResolveOptions, SourceFile};
use sct_fuzz::{assert_error_located, bundled_sct};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = SourceFile::from_bytes("fuzz.json".into(), data.to_vec()) else {
        return;
    };
    let read = match read_json_source(&src) {
        Ok(read) => read,
        Err(e) => {
            assert_error_located("response_json", &src.text, &e);
            return;
        }
    };
    if let Err(e) = bundled_sct().validate_read(&read, ResolveOptions::default()) {
        assert_error_located("response_json", &src.text, &e);
    }
});
