//! An Excel response workbook: read (as `sct validate my.xlsx` does), then resolved against
//! the bundled frameworks. The first byte says what the rest is. Even (as a zip archive's `P`
//! is): a whole workbook, seeded by fuzz/run with a blank template and a filled workbook. Odd:
//! an XML fragment spliced into one part of sct's own template (the second byte chooses the
//! part: a domain sheet's rows, the shared strings, the sheet list, the number formats, the
//! relationships), the archive rebuilt with the part stored, so that mutations reach the
//! workbook reader's XML parsing and bounds rather than stopping at the zip checksum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_core::ResolveOptions;
use sct_fuzz::{assert_error_located, bundled_sct, template_with_fragment};

fuzz_target!(|data: &[u8]| {
    let spliced;
    let workbook = match data {
        [mode, part, fragment @ ..] if mode % 2 == 1 => {
            spliced = template_with_fragment(*part, fragment);
            &spliced[..]
        }
        _ => data,
    };
    let read = match sct_xlsx::read_workbook_bytes("fuzz.xlsx", workbook, &bundled_sct().registry)
    {
        Ok(read) => read,
        // Not a workbook, not one of sct's, or past its bounds: refused naming the file (and
        // the sheet and cell, or the part, in the message).
        Err(e) => return assert_error_located("xlsx", "a workbook", &e),
    };
    if let Err(e) = bundled_sct().validate_read(&read, ResolveOptions::default()) {
        // A workbook's findings carry their sheet!cell; the TOML it became is the "input".
        assert_error_located("xlsx", &read.source.text, &e);
    }
});
