//! An organisations table (and a successions table), as `--orgs` reads them. The input is
//! split at the first NUL byte: organisations before, successions after.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_core::{Organisations, SourceFile};
use sct_fuzz::{assert_csv_lines, assert_error_located};

fuzz_target!(|data: &[u8]| {
    let (orgs, succ) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(o) = SourceFile::from_bytes("orgs.csv".into(), orgs.to_vec()) else {
        return;
    };
    let s = succ.and_then(|s| SourceFile::from_bytes("successions.csv".into(), s.to_vec()).ok());
    if let Err(e) = Organisations::parse(&o, s.as_ref()) {
        assert_error_located("organisations", &o.text, &e);
        if let sct_core::Error::Invalid(diags) = &e {
            assert_csv_lines("organisations", "orgs.csv", &o.text, diags);
            if let Some(s) = &s {
                assert_csv_lines("successions", "successions.csv", &s.text, diags);
            }
        }
    }
});
