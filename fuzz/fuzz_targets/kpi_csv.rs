//! A long-form KPI data extract, checked against the bundled KPI set.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sct_core::FrameworkRegistry;
use sct_fuzz::{assert_csv_lines, assert_located};
use sct_kpi::data::read_kpi_data;
use sct_kpi::kpiset::KpiSet;

fn set() -> &'static KpiSet {
    static SET: OnceLock<KpiSet> = OnceLock::new();
    SET.get_or_init(|| {
        let registry = FrameworkRegistry::bundled().expect("the bundled frameworks load");
        KpiSet::find("scf-three-timeframes", &registry)
            .expect("the bundled KPI set")
            .0
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(diags) = read_kpi_data(data, "fuzz.csv", set(), None) {
        assert_located("KPI data", &text, &diags);
        assert_csv_lines("KPI data", "fuzz.csv", &text, &diags);
    }
});
