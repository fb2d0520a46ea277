//! An assessment response written as JSON (as `sct convert -o response.json` writes it): read
//! into its TOML equivalent, then resolved against the bundled frameworks and organisations.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sct_core::load::json::read_json_source;
use sct_core::{ResolveOptions, Sct, SourceFile};
use sct_fuzz::assert_error_located;

fn sct() -> &'static Sct {
    static SCT: OnceLock<Sct> = OnceLock::new();
    SCT.get_or_init(|| Sct::bundled().expect("the bundled frameworks load"))
}

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
    if let Err(e) = sct().validate_read(&read, ResolveOptions::default()) {
        assert_error_located("response_json", &src.text, &e);
    }
});
