//! # sct-kpi
//!
//! KPI evaluation over the statistics of [`sct_spc`]: KPI sets and their data, aggregation to
//! coarser periods, reviews and integrated performance reports, the rebase log, and the file
//! input and output of `sct kpi spc` and `sct kpi funnel`. The statistics' modules ([`spc`],
//! [`chart`], [`funnel`], …) are re-exported here under their old paths.

pub mod aggregate;
pub mod assurance;
pub mod chart_input;
pub mod chart_output;
pub mod chart_run;
pub mod data;
pub mod data_file;
pub mod funnel_input;
pub mod ipr;
pub mod ipr_stream;
pub mod kpiset;
mod lines;
pub mod measures;
pub mod observations;
#[cfg(feature = "parquet")]
pub mod parquet;
mod read_errors;
pub mod rebase_log;
pub mod review;
mod row_batches;
mod series_rows;
mod series_store;
pub mod spc_input;

// The statistics live in their own crate; their module paths stay reachable here.
pub use sct_spc::{chart, funnel, laney, number, period, profile, quantile, runchart, spc};
