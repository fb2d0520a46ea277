//! A published A&E Attendances and Emergency Admissions CSV (and any file whose first row
//! looks like one, or like an organisation lookup).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_publications::lookup::Lookup;
use sct_publications::{Publication, PublicationError, read_bytes};

fuzz_target!(|data: &[u8]| {
    // Detected, and named explicitly: neither may panic, and every cell error names a line.
    for layout in [None, Some(Publication::AeMonthly)] {
        if let Err(PublicationError::BadCell { line, .. }) = read_bytes("fuzz.csv", data, layout) {
            assert!(line >= 1, "a bad cell must name its line");
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Lookup::read("fuzz.csv", text);
    }
});
