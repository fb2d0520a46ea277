//! Nothing lost: `-o FILE --force` never replaces any file the command read (whichever
//! option named it, by whatever path), never replaces anything that is not a regular file,
//! and a command's two outputs never go to one file. Each case checks the file's bytes are
//! untouched and that nothing else was written.

mod common;

use std::path::{Path, PathBuf};

use common::{EXAMPLE, root, sct};
use predicates::str::contains;

/// A private folder holding copies of the bundled inputs a case needs.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Copies `from` (relative to the workspace root) to `to` in the scratch folder.
    fn copy(&self, from: &str, to: &str) -> PathBuf {
        let dest = self.dir.path().join(to);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(root().join(from), &dest).unwrap();
        dest
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Every file under the folder, with its bytes.
    fn snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                let meta = std::fs::symlink_metadata(&p).unwrap();
                if meta.is_dir() {
                    walk(&p, out);
                } else if meta.is_file() {
                    out.push((p.clone(), std::fs::read(&p).unwrap()));
                } else {
                    out.push((p.clone(), Vec::new()));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        out.sort();
        out
    }
}

/// Runs `sct` with `args` in the scratch folder and expects a refusal to overwrite an input,
/// with every file in the folder as it was.
fn refused_as_input(s: &Scratch, args: &[&str]) {
    let before = s.snapshot();
    sct()
        .current_dir(s.dir.path())
        .args(args)
        .assert()
        .code(2)
        .stderr(contains("is one of the inputs").and(contains("refusing to overwrite")));
    assert_eq!(s.snapshot(), before, "sct {args:?} changed a file");
}

use predicates::prelude::PredicateBooleanExt;

fn example(rel: &str) -> String {
    root().join(rel).display().to_string()
}

#[test]
fn forced_output_never_replaces_the_kpi_set_or_the_rebase_log() {
    let s = Scratch::new();
    s.copy("examples/kpi/bnssg-kpis.csv", "data.csv");
    s.copy("frameworks/kpi/scf-three-timeframes.toml", "set.toml");
    s.copy("examples/kpi/bnssg-rebase-log.csv", "log.csv");
    std::fs::create_dir(s.path("sub")).unwrap();
    let review = [
        "kpi", "review", "--set", "set.toml", "--data", "data.csv", "--org", "QUY",
    ];
    refused_as_input(&s, &[&review[..], &["-o", "set.toml", "--force"]].concat());
    refused_as_input(
        &s,
        &[&review[..], &["-o", "./sub/../data.csv", "--force"]].concat(),
    );
    let with_log = [&review[..], &["--rebase-log", "log.csv"]].concat();
    refused_as_input(
        &s,
        &[&with_log[..], &["-o", "sub/../log.csv", "--force"]].concat(),
    );
    let ipr = [
        "kpi", "ipr", "--set", "set.toml", "--data", "data.csv", "--org", "QUY",
    ];
    refused_as_input(&s, &[&ipr[..], &["-o", "set.toml", "--force"]].concat());
}

#[test]
fn forced_output_never_replaces_a_toolkit_template_or_organisations_table() {
    let s = Scratch::new();
    s.copy("frameworks/capability-toolkit.toml", "fw/toolkit.toml");
    s.copy("reports/report.css", "tpl/report.css");
    s.copy("reports/report.html", "tpl/report.html");
    s.copy("data/organisations/icbs.csv", "orgs.csv");
    let response = example(EXAMPLE);
    refused_as_input(
        &s,
        &[
            "--framework-dir",
            "fw",
            "score",
            &response,
            "-o",
            "fw/toolkit.toml",
            "--force",
        ],
    );
    refused_as_input(
        &s,
        &[
            "report",
            &response,
            "--template-dir",
            "tpl",
            "-o",
            "tpl/report.css",
            "--force",
        ],
    );
    refused_as_input(
        &s,
        &[
            "--organisations",
            "orgs.csv",
            "score",
            &response,
            "-o",
            "orgs.csv",
            "--force",
        ],
    );
}

#[test]
fn forced_output_never_replaces_an_individual_response() {
    let s = Scratch::new();
    for entry in std::fs::read_dir(root().join("examples/individuals/bnssg")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        s.copy(
            &format!("examples/individuals/bnssg/{name}"),
            &format!("people/{name}"),
        );
    }
    let response = example(EXAMPLE);
    refused_as_input(
        &s,
        &[
            "report",
            &response,
            "--individuals",
            "people",
            "-o",
            "people/person-01.toml",
            "--force",
        ],
    );
    refused_as_input(
        &s,
        &[
            "plan",
            &response,
            "--individuals",
            "people",
            "-o",
            "people/person-02.toml",
            "--force",
        ],
    );
}

#[cfg(unix)]
#[test]
fn forced_output_never_replaces_an_input_through_a_link() {
    let s = Scratch::new();
    let response = s.copy(EXAMPLE, "response.toml");
    std::os::unix::fs::symlink(&response, s.path("link.toml")).unwrap();
    std::fs::hard_link(&response, s.path("hard.toml")).unwrap();
    refused_as_input(
        &s,
        &["score", "response.toml", "-o", "link.toml", "--force"],
    );
    refused_as_input(&s, &["score", "link.toml", "-o", "hard.toml", "--force"]);
}

#[test]
fn forced_output_never_replaces_a_response_read_from_standard_input() {
    let s = Scratch::new();
    s.copy(EXAMPLE, "response.toml");
    let before = s.snapshot();
    // Standard input is the file itself (as `< response.toml` gives it), not a pipe.
    let out = std::process::Command::new(common::sct_path())
        .current_dir(s.dir.path())
        .env("NO_COLOR", "1")
        .args(["convert", "-", "-o", "response.toml", "--force"])
        .stdin(std::fs::File::open(s.path("response.toml")).unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is one of the inputs"), "{stderr}");
    assert_eq!(s.snapshot(), before);
}

#[test]
fn spc_summary_never_replaces_the_data_or_the_main_output() {
    let s = Scratch::new();
    s.copy("examples/kpi/ae-4-hour.csv", "ae.csv");
    std::fs::create_dir(s.path("sub")).unwrap();
    let spc = [
        "kpi",
        "spc",
        "ae.csv",
        "--improvement",
        "increase",
        "--force",
    ];
    refused_as_input(
        &s,
        &[&spc[..], &["-o", "out.csv", "--summary", "./ae.csv"]].concat(),
    );
    let before = s.snapshot();
    sct()
        .current_dir(s.dir.path())
        .args([&spc[..], &["-o", "out.csv", "--summary", "sub/../out.csv"]].concat())
        .assert()
        .code(2)
        .stderr(contains("refusing to write two outputs to one file"));
    assert_eq!(s.snapshot(), before, "neither output was written");
}

#[cfg(unix)]
#[test]
fn output_at_a_fifo_socket_or_link_to_one_is_refused_and_kept() {
    let s = Scratch::new();
    let fifo = s.path("pipe");
    let fifo_made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|st| st.success());
    let _socket = std::os::unix::net::UnixListener::bind(s.path("socket")).unwrap();
    let mut targets = vec![("socket", "a socket")];
    if fifo_made {
        std::os::unix::fs::symlink(&fifo, s.path("link-to-pipe")).unwrap();
        targets.push(("pipe", "a named pipe (FIFO)"));
        targets.push(("link-to-pipe", "a named pipe (FIFO)"));
    } else {
        eprintln!("skipped the FIFO cases: mkfifo is not available");
    }
    let response = example(EXAMPLE);
    for (name, kind) in targets {
        let before = s.snapshot();
        sct()
            .current_dir(s.dir.path())
            .args(["score", &response, "--force", "-o", name])
            .assert()
            .code(2)
            .stderr(contains(kind).and(contains("not a regular file")));
        assert_eq!(s.snapshot(), before, "-o {name} changed the folder");
        assert!(!std::fs::symlink_metadata(s.path(name)).unwrap().is_file());
    }
}
