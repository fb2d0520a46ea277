//! # sct-kpi
//!
//! KPI evaluation: NHS periods, statistical process control following NHS England's *Making
//! Data Count* XmR method (to `docs/methods/spc.md`), and run charts with the Anhøj rules and
//! Laney's p′ and u′ charts (to `docs/methods/run-charts.md` and `laney.md`), one chart per
//! segment ([`chart`]); funnel plots comparing organisations ([`funnel`], to
//! `docs/methods/funnels.md`).

pub mod aggregate;
pub mod chart;
pub mod chart_input;
pub mod data;
pub mod funnel;
pub mod funnel_input;
pub mod ipr;
pub mod kpiset;
pub mod laney;
pub mod measures;
pub mod number;
pub mod period;
pub mod profile;
pub mod quantile;
pub mod rebase_log;
pub mod review;
pub mod runchart;
mod series_rows;
pub mod spc;
pub mod spc_input;
