//! The funnel's JSON written straight into a writer is, for any funnel, the bytes of the value
//! tree it replaced (`to_json`, pretty-printed).

use proptest::prelude::*;
use sct_kpi::funnel_input::{self, FunnelKind, FunnelRow};

fn rows() -> impl Strategy<Value = Vec<(u32, u32)>> {
    proptest::collection::vec((0..2_000u32, 1..2_000u32), 1..40)
}

fn streamed(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

proptest! {
    #[test]
    fn a_streamed_funnel_is_byte_for_byte_the_one_built_in_memory(
        rows in rows(),
        ratio in any::<bool>(),
        overdispersion in any::<bool>(),
        multiplier in prop_oneof![Just(1.0), Just(100.0), Just(1000.0)],
    ) {
        let kind = if ratio { FunnelKind::Ratio } else { FunnelKind::Proportion };
        let rows: Vec<FunnelRow> = rows
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| FunnelRow {
                org: format!("O\"{i}"),
                // Proportions need a ≤ b; ratios take any whole observed count, 0 included.
                a: if ratio { f64::from(a) } else { f64::from(a.min(b)) },
                b: f64::from(b) / if ratio { 7.0 } else { 1.0 },
                line: i + 2,
            })
            .collect();
        let Ok(funnel) = funnel_input::compute(&rows, kind, multiplier, overdispersion) else {
            return Ok(());
        };
        let built = format!("{}\n", serde_json::to_string_pretty(&funnel_input::to_json(&funnel)).unwrap());
        prop_assert_eq!(streamed(|w| funnel_input::write_json(&funnel, w)), built);
    }
}
