//! Writes the synthetic scale fixtures of the benchmarks into a directory:
//! `bench-60.toml` (a KPI set of 60 indicators), `kpis-42x60x120.csv` (302,400 rows) and
//! `toc-2000.toml` (a theory of change of 2,000 nodes and 6,000 links).
//!
//! Usage: `cargo run --release -p sct-cli --example bench_fixtures -- DIR`

#[path = "../benches/fixtures.rs"]
mod fixtures;

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: bench_fixtures DIR");
        return std::process::ExitCode::from(2);
    };
    let write = |name: &str, text: String| {
        std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(dir.join(name), text))
    };
    match write("bench-60.toml", fixtures::kpi_set())
        .and_then(|()| write("kpis-42x60x120.csv", fixtures::kpi_data()))
        .and_then(|()| write("toc-2000.toml", fixtures::theory_of_change()))
    {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write fixtures in {}: {e}", dir.display());
            std::process::ExitCode::FAILURE
        }
    }
}
