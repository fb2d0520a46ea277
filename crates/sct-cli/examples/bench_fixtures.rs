//! Writes the synthetic scale fixtures of the benchmarks into a directory:
//! `bench-60.toml` (a KPI set of 60 indicators), `kpis-42x60x120.csv` (302,400 rows),
//! `toc-2000.toml` (a theory of change of 2,000 nodes and 6,000 links) and `individuals-40/`
//! (40 individual self-assessments for `sct plan`). Run from the workspace root.
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
        .and_then(|()| {
            let people = dir.join("individuals-40");
            std::fs::create_dir_all(&people)?;
            for (name, text) in fixtures::individuals(std::path::Path::new("."))? {
                std::fs::write(people.join(name), text)?;
            }
            Ok(())
        }) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write fixtures in {}: {e}", dir.display());
            std::process::ExitCode::FAILURE
        }
    }
}
