//! Times reading a KPI data file in-process, CSV or Parquet as its first bytes say: the
//! median of `RUNS` reads (default 10) of `DATA` against the KPI set `SET`, for every
//! organisation or only `--org CODE`'s.
//!
//! Usage: `cargo run --release -p sct-kpi --example read_kpi_data -- SET.toml DATA [--org CODE] [RUNS]`

use std::collections::BTreeSet;
use std::time::Instant;

use sct_core::SourceFile;
use sct_kpi::data_file::read_kpi_data_file;
use sct_kpi::kpiset::KpiSet;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [set, data, rest @ ..] = args.as_slice() else {
        return Err("usage: read_kpi_data SET.toml DATA [--org CODE] [RUNS]".into());
    };
    let (keep, rest): (Option<BTreeSet<String>>, &[String]) = match rest {
        [flag, org, rest @ ..] if flag == "--org" => (Some([org.clone()].into()), rest),
        _ => (None, rest),
    };
    let runs: usize = rest.first().map_or(Ok(10), |r| r.parse())?;
    let set: KpiSet = sct_core::load::parse_toml(&SourceFile::read(std::path::Path::new(set))?)
        .map_err(|d| format!("{d:?}"))?;
    let mut times = Vec::with_capacity(runs);
    let mut rows = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let file = std::fs::File::open(data)?;
        let read = read_kpi_data_file(file, data, &set, keep.as_ref(), false)
            .map_err(|d| format!("{d:?}"))?;
        times.push(start.elapsed().as_secs_f64());
        rows = read.rows_read;
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{data}: {rows} rows, median {:.1} ms over {runs} reads",
        times[runs / 2] * 1e3
    );
    Ok(())
}
