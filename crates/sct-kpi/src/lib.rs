//! # sct-kpi
//!
//! KPI evaluation: NHS periods, statistical process control following NHS England's *Making
//! Data Count* XmR method (to `shared/spec/spc.md`).

pub mod aggregate;
pub mod data;
pub mod kpiset;
pub mod period;
pub mod review;
pub mod spc;
pub mod spc_input;
