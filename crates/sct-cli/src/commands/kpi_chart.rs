//! Drawing `sct kpi spc` as a chart (waiting for the SPC chart module).

use sct_kpi::spc_input::SpcRun;

pub fn draw(_run: &SpcRun, _name: &str, _png: bool) -> Result<Vec<u8>, String> {
    Err("SPC charts are not available in this build yet".to_string())
}
