//! # sct-spc
//!
//! Statistical process control on plain numbers, with nothing of the rest of `sct` (no files,
//! no KPI sets, no diagnostics): NHS England's *Making Data Count* XmR chart and its rule
//! profiles ([`spc`], [`profile`]; `docs/methods/spc.md`, `docs/methods/spc-profiles.md`),
//! run charts with the Anhøj rules ([`runchart`]; `docs/methods/run-charts.md`), Laney's p′
//! and u′ charts ([`laney`]; `docs/methods/laney.md`), one result shape for every chart chosen
//! per segment ([`chart`]), funnel plots comparing organisations ([`funnel`];
//! `docs/methods/funnels.md`), the quantiles they need ([`quantile`]), NHS periods
//! ([`period`]) and the numbers the methods accept ([`number`]).
//!
//! ```
//! use sct_spc::chart::{ChartInput, ChartOptions, chart};
//! use sct_spc::spc::{PointType, VariationIcon};
//!
//! let values = [5.0, 6.0, 5.5, 6.2, 5.8, 6.1, 5.9, 6.0, 5.7, 6.3, 5.6, 6.0, 5.9, 14.0];
//! let result = chart(ChartInput::Values(&values), &[], &ChartOptions::default())?;
//! assert_eq!(result.point_type[13], PointType::SpecialCauseImprovement);
//! assert_eq!(result.variation_icon.spc(), Some(VariationIcon::ImprovementHigh));
//! # Ok::<(), sct_spc::chart::ChartError>(())
//! ```

pub mod chart;
pub mod funnel;
pub mod laney;
pub mod number;
pub mod period;
pub mod profile;
pub mod quantile;
pub mod runchart;
pub mod spc;
