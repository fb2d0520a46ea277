//! A cancer waiting times extract's rows (as the workflow gives them, CSV text), named
//! explicitly and detected.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_publications::{Publication, PublicationError, read_bytes};

fuzz_target!(|data: &[u8]| {
    for layout in [Some(Publication::CancerWaitingTimes), None] {
        if let Err(PublicationError::BadCell { line, .. }) = read_bytes("fuzz.csv", data, layout) {
            assert!(line >= 1, "a bad cell must name its line");
        }
    }
});
