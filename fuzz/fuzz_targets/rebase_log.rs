//! The rebase log CSV `sct kpi review` and `sct kpi ipr` read beside KPI data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_core::SourceFile;
use sct_fuzz::{assert_csv_lines, assert_located};
use sct_kpi::rebase_log::read_rebase_log;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = SourceFile::from_bytes("fuzz-rebase-log.csv".into(), data.to_vec()) else {
        return;
    };
    if let Err(diags) = read_rebase_log(&src) {
        assert_located("rebase_log", &src.text, &diags);
        assert_csv_lines("rebase_log", "fuzz-rebase-log.csv", &src.text, &diags);
    }
});
