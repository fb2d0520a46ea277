//! A KPI data file of either format: the long-form CSV ([`crate::data`]) or, when its first
//! four bytes are Parquet's magic number `PAR1` whatever its name, Parquet
//! (`crate::parquet`, with the `parquet` feature).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use sct_core::diagnostic::{Diagnostic, Diagnostics};

use crate::data::{KpiData, read_kpi_data_with};
use crate::kpiset::KpiSet;

/// The first four bytes of every Parquet file.
pub const PARQUET_MAGIC: &[u8; 4] = b"PAR1";

/// Whether `start`, a file's first bytes, begins as a Parquet file does (`PAR1`).
pub fn is_parquet(start: &[u8]) -> bool {
    start.starts_with(PARQUET_MAGIC)
}

/// Reads KPI data from an open file, CSV or Parquet as its first bytes say, for the
/// organisations in `keep` (all when `None`); `skip_invalid` as in [`read_kpi_data_with`].
/// `name` is the file as messages name it.
pub fn read_kpi_data_file(
    mut file: File,
    name: &str,
    set: &KpiSet,
    keep: Option<&BTreeSet<String>>,
    skip_invalid: bool,
) -> Result<KpiData, Diagnostics> {
    let io_error = |e: std::io::Error| {
        Diagnostics(vec![
            Diagnostic::error(format!("cannot read {name}: {e}")).in_file(name),
        ])
    };
    let mut start = [0u8; 4];
    let mut n = 0;
    while n < start.len() {
        match file.read(&mut start[n..]).map_err(io_error)? {
            0 => break,
            k => n += k,
        }
    }
    file.seek(SeekFrom::Start(0)).map_err(io_error)?;
    if is_parquet(&start[..n]) {
        return read_parquet(file, name, set, keep, skip_invalid);
    }
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    read_kpi_data_with(reader, name, set, keep, skip_invalid)
}

#[cfg(feature = "parquet")]
fn read_parquet(
    file: File,
    name: &str,
    set: &KpiSet,
    keep: Option<&BTreeSet<String>>,
    skip_invalid: bool,
) -> Result<KpiData, Diagnostics> {
    crate::parquet::read_kpi_parquet(file, name, set, keep, skip_invalid)
}

/// Without the `parquet` feature a Parquet file is refused by name, rather than read as a
/// CSV whose header makes no sense.
#[cfg(not(feature = "parquet"))]
fn read_parquet(
    _file: File,
    name: &str,
    _set: &KpiSet,
    _keep: Option<&BTreeSet<String>>,
    _skip_invalid: bool,
) -> Result<KpiData, Diagnostics> {
    Err(Diagnostics(vec![
        Diagnostic::error(format!(
            "{name} is a Parquet file, and this build of sct-kpi reads Parquet only with its `parquet` feature"
        ))
        .in_file(name)
        .expected("the long-form KPI CSV, or a build with Parquet"),
    ]))
}
