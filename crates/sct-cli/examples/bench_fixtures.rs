//! Writes the synthetic scale fixtures of the benchmarks into a directory:
//! `bench-60.toml` (a KPI set of 60 indicators), `kpis-42x60x120.csv` (302,400 rows),
//! `toc-2000.toml` (a theory of change of 2,000 nodes and 6,000 links) and `individuals-40/`
//! (40 individual self-assessments for `sct plan`). Run from the workspace root.
//!
//! With `--scale`, also the inputs of the memory benchmarks (each written only when missing,
//! since they take a few seconds): `bench-6.toml` and `kpis-20000x6x17.csv` (2,040,000 rows:
//! 20,000 organisations × 6 indicators × 17 months), `kpis-one-series-10m.csv` (one series
//! of 10,000,000 rows), `toc-100000.toml` (100,000 nodes, 300,000 links) and
//! `funnel-1000000.csv` (1,000,000 organisations), `spc-1000000.csv` (one `sct kpi spc`
//! series of 1,000,000 daily points) and `funnel-ratio-10000.csv` (an indirectly
//! standardised ratio funnel of 10,000 organisations).
//!
//! With `--kpis ORGS INDICATORS MONTHS`, only `bench-INDICATORS.toml` and
//! `kpis-ORGSxINDICATORSxMONTHS.csv` (the extract's generator at any size, streamed: the
//! national runs of `./bench` write 151 million rows this way, and delete them after).
//!
//! Usage: `cargo run --release -p sct-cli --example bench_fixtures -- DIR [--scale | --kpis O I M]`

#[path = "../benches/fixtures.rs"]
mod fixtures;

use std::io::Write;
use std::path::Path;

/// Writes `name` in `dir` with `fill` unless it is already there (through a temporary name,
/// so an interrupted run leaves no half-written fixture behind).
fn write_once(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let path = dir.join(name);
    if path.exists() {
        return Ok(());
    }
    let partial = dir.join(format!("{name}.partial"));
    let mut file = std::fs::File::create(&partial)?;
    fill(&mut file)?;
    file.flush()?;
    std::fs::rename(partial, path)
}

fn scale(dir: &Path) -> std::io::Result<()> {
    write_once(dir, "bench-6.toml", |f| {
        f.write_all(fixtures::kpi_set_of(6).as_bytes())
    })?;
    write_once(dir, "kpis-20000x6x17.csv", |f| {
        fixtures::write_kpi_data(f, 20_000, 6, 17)
    })?;
    write_once(dir, "kpis-one-series-10m.csv", |f| {
        fixtures::write_one_series(f, 10_000_000)
    })?;
    write_once(dir, "toc-100000.toml", |f| {
        f.write_all(fixtures::theory_of_change_of(100_000, 300_000).as_bytes())
    })?;
    write_once(dir, "funnel-1000000.csv", |f| {
        fixtures::write_funnel(f, 1_000_000)
    })?;
    write_once(dir, "spc-1000000.csv", |f| {
        fixtures::write_spc_series(f, 1_000_000)
    })?;
    write_once(dir, "funnel-ratio-10000.csv", |f| {
        fixtures::write_ratio_funnel(f, 10_000)
    })
}

/// `bench-I.toml` and `kpis-OxIxM.csv` for the sizes given, or why not.
fn kpis(dir: &Path, sizes: &[String]) -> std::io::Result<()> {
    let n: Vec<usize> = sizes.iter().filter_map(|s| s.parse().ok()).collect();
    let [orgs, indicators, months] = n[..] else {
        return Err(std::io::Error::other("--kpis takes three numbers"));
    };
    std::fs::create_dir_all(dir)?;
    write_once(dir, &format!("bench-{indicators}.toml"), |f| {
        f.write_all(fixtures::kpi_set_of(indicators).as_bytes())
    })?;
    write_once(
        dir,
        &format!("kpis-{orgs}x{indicators}x{months}.csv"),
        |f| fixtures::write_kpi_data(f, orgs, indicators, months),
    )
}

fn main() -> std::process::ExitCode {
    let all: Vec<String> = std::env::args().skip(1).collect();
    if let [dir, flag, sizes @ ..] = &all[..]
        && flag == "--kpis"
    {
        return match kpis(Path::new(dir), sizes) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("cannot write the extract in {dir}: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), rest) = (args.next().map(std::path::PathBuf::from), args.next()) else {
        eprintln!("usage: bench_fixtures DIR [--scale]");
        return std::process::ExitCode::from(2);
    };
    let with_scale = match rest {
        None => false,
        Some(a) if a == "--scale" => true,
        Some(_) => {
            eprintln!("usage: bench_fixtures DIR [--scale]");
            return std::process::ExitCode::from(2);
        }
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
        })
        .and_then(|()| if with_scale { scale(&dir) } else { Ok(()) })
    {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cannot write fixtures in {}: {e}", dir.display());
            std::process::ExitCode::FAILURE
        }
    }
}
