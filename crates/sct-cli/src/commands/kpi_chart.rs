//! Drawing `sct kpi spc` as a chart: the run becomes the plain `SpcChart` of `sct-report`
//! ([`sct_report::kpi_spc`]), drawn as SVG or PNG.

use sct_kpi::chart_input::ChartRun;
use sct_kpi::spc_input::SpcRun;
use sct_report::charts::ChartFormat;
use sct_report::kpi_spc::{series_chart, xmr_chart};
use sct_report::spc_chart::spc_chart;

/// SVG, or PNG when `png`.
fn format(png: bool) -> ChartFormat {
    if png {
        ChartFormat::Png
    } else {
        ChartFormat::Svg
    }
}

/// The XmR chart of `run` (read from the file `name`) as SVG, or PNG when `png`.
pub fn draw(run: &SpcRun, name: &str, png: bool) -> Result<Vec<u8>, String> {
    spc_chart(&xmr_chart(run, name), format(png)).map_err(|e| e.to_string())
}

/// The chart of a run of any kind (run chart, p′, u′, or XmR on counts) as SVG, or PNG when
/// `png`: per-point centre and limits, so p′ and u′ limits are drawn as steps.
pub fn draw_any(run: &ChartRun, name: &str, png: bool) -> Result<Vec<u8>, String> {
    spc_chart(&series_chart(run, name), format(png)).map_err(|e| e.to_string())
}
