//! An Excel response workbook: read (as `sct validate my.xlsx` does), then resolved against
//! the bundled frameworks. Seeded by fuzz/run with a blank template and a filled workbook.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_core::ResolveOptions;
use sct_fuzz::{assert_error_located, bundled_sct};

fuzz_target!(|data: &[u8]| {
    let Ok(read) = sct_xlsx::read_workbook_bytes("fuzz.xlsx", data, &bundled_sct().registry) else {
        // Not a workbook, or not one of sct's: a file-level error, named by the file.
        return;
    };
    if let Err(e) = bundled_sct().validate_read(&read, ResolveOptions::default()) {
        // A workbook's findings carry their sheet!cell; the TOML it became is the "input".
        assert_error_located("xlsx", &read.source.text, &e);
    }
});
