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
//! (`--help` prints it; any other option, or a missing or extra argument, is refused with it,
//! exit status 2, before anything is written).

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
fn kpis(dir: &Path, sizes: &[std::ffi::OsString]) -> std::io::Result<()> {
    let n: Vec<usize> = sizes
        .iter()
        .filter_map(|s| s.to_str()?.parse().ok())
        .collect();
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

const USAGE: &str = "usage: bench_fixtures DIR [--scale | --kpis ORGS INDICATORS MONTHS]
  DIR      the directory to write the fixtures in (created if missing); run from the workspace root
  --scale  also the large inputs of the memory benchmarks (about 400 MB)
  --kpis   only bench-INDICATORS.toml and kpis-ORGSxINDICATORSxMONTHS.csv";

/// `arg` if it is an option (begins with `-`).
fn flag(arg: &std::ffi::OsStr) -> Option<&str> {
    arg.to_str().filter(|a| a.starts_with('-'))
}

/// What the command line asks for.
enum Command {
    /// `--help` or `-h`: the usage, on standard output.
    Help,
    /// The fixtures in `dir`, with the scale ones when `scale`.
    Fixtures {
        dir: std::path::PathBuf,
        scale: bool,
    },
    /// Only the KPI extract of the sizes given.
    Kpis {
        dir: std::path::PathBuf,
        sizes: Vec<std::ffi::OsString>,
    },
}

/// The command the arguments give, or `None` when they are not a use of this program: an
/// option other than `--scale`, `--kpis` and `--help` (so that a mistyped option is never
/// taken for the directory, to fill with hundreds of megabytes), or a missing or extra one.
fn parse(args: &[std::ffi::OsString]) -> Option<Command> {
    if args
        .iter()
        .any(|a| matches!(flag(a), Some("--help" | "-h")))
    {
        return Some(Command::Help);
    }
    let (dir, rest) = args.split_first()?;
    if flag(dir).is_some() {
        return None;
    }
    let dir = std::path::PathBuf::from(dir);
    match rest {
        [] => Some(Command::Fixtures { dir, scale: false }),
        [scale] if flag(scale) == Some("--scale") => Some(Command::Fixtures { dir, scale: true }),
        [kpis, sizes @ ..] if flag(kpis) == Some("--kpis") && sizes.len() == 3 => {
            Some(Command::Kpis {
                dir,
                sizes: sizes.to_vec(),
            })
        }
        _ => None,
    }
}

fn main() -> std::process::ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let (dir, with_scale) = match parse(&args) {
        Some(Command::Help) => {
            println!("{USAGE}");
            return std::process::ExitCode::SUCCESS;
        }
        Some(Command::Fixtures { dir, scale }) => (dir, scale),
        Some(Command::Kpis { dir, sizes }) => {
            return match kpis(&dir, &sizes) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("cannot write the extract in {}: {e}", dir.display());
                    std::process::ExitCode::FAILURE
                }
            };
        }
        None => {
            let given: Vec<String> = args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            eprintln!(
                "bench_fixtures: cannot use the arguments given ({}); nothing was written",
                if given.is_empty() {
                    "none".to_string()
                } else {
                    given.join(" ")
                }
            );
            eprintln!("{USAGE}");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Option<Command> {
        let args: Vec<std::ffi::OsString> = args.iter().map(Into::into).collect();
        parse(&args)
    }

    #[test]
    fn help_anywhere_is_the_usage() {
        for args in [
            &["--help"][..],
            &["-h"],
            &["dir", "--help"],
            &["dir", "--scale", "-h"],
        ] {
            assert!(matches!(parsed(args), Some(Command::Help)), "{args:?}");
        }
    }

    #[test]
    fn an_option_is_never_taken_for_the_directory() {
        for args in [
            &[][..],
            &["--scale"],
            &["--kpis", "1", "2", "3"],
            &["-x"],
            &["--"],
            &["dir", "--sclae"],
            &["dir", "--scale", "extra"],
            &["dir", "other"],
            &["dir", "--kpis", "1", "2"],
            &["dir", "--kpis", "1", "2", "3", "4"],
        ] {
            assert!(parsed(args).is_none(), "{args:?}");
        }
    }

    #[test]
    fn the_uses_of_the_bench_script_are_read() {
        assert!(matches!(
            parsed(&["target/w"]),
            Some(Command::Fixtures { scale: false, .. })
        ));
        let Some(Command::Fixtures { dir, scale: true }) = parsed(&["target/w", "--scale"]) else {
            panic!("--scale");
        };
        assert_eq!(dir, Path::new("target/w"));
        let Some(Command::Kpis { dir, sizes }) = parsed(&["w", "--kpis", "6300", "200", "120"])
        else {
            panic!("--kpis");
        };
        assert_eq!((dir.as_path(), sizes.len()), (Path::new("w"), 3));
    }
}
