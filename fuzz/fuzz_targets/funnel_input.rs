//! The funnel plot input CSV of `sct kpi funnel` (proportions or ratios, picked by the first
//! byte's low bit), read and computed with and without overdispersion.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_core::SourceFile;
use sct_fuzz::{assert_csv_lines, assert_located};
use sct_kpi::funnel_input::{FunnelKind, compute, read_funnel_rows};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = if selector & 1 == 0 {
        FunnelKind::Proportion
    } else {
        FunnelKind::Ratio
    };
    let Ok(src) = SourceFile::from_bytes("fuzz-funnel.csv".into(), rest.to_vec()) else {
        return;
    };
    match read_funnel_rows(&src, kind) {
        Ok(rows) => {
            for overdispersion in [false, true] {
                // A funnel that cannot be drawn (too few rows, no spread) is an error, not a
                // panic; one that can has limits in order.
                if let Ok(funnel) = compute(&rows, kind, kind.default_multiplier(), overdispersion)
                {
                    let _ = sct_kpi::funnel_input::to_csv(&funnel);
                }
            }
        }
        Err(diags) => {
            assert_located("funnel_input", &src.text, &diags);
            assert_csv_lines("funnel_input", "fuzz-funnel.csv", &src.text, &diags);
        }
    }
});
