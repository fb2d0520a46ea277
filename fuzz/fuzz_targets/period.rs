//! NHS period strings: a date, an ISO week, a month, a quarter, a financial year. A period
//! that parses prints as text that parses back to itself, and its neighbours and containing
//! periods can be taken without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_kpi::period::Period;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(p) = Period::parse(text) else {
        return;
    };
    let printed = p.to_string();
    assert_eq!(
        Period::parse(&printed),
        Ok(p),
        "{text:?} printed as {printed:?}"
    );
    let _ = (p.next(), p.previous(), p.end(), p.financial_year());
});
