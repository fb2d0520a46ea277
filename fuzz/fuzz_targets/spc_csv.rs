//! The dated series `sct kpi spc` reads (date and value columns).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_core::SourceFile;
use sct_fuzz::{assert_csv_lines, assert_located};
use sct_kpi::spc_input::{Columns, read_series};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = SourceFile::from_bytes("fuzz.csv".into(), data.to_vec()) else {
        return;
    };
    if let Err(diags) = read_series(&src, &Columns::default()) {
        assert_located("series", &src.text, &diags);
        assert_csv_lines("series", "fuzz.csv", &src.text, &diags);
    }
});
