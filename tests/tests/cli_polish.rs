//! End-to-end tests of the command-line polish: shell completions, the man page and
//! `--version`.

use std::process::{Command, Stdio};

use predicates::str::contains;
use sct_tests::{root, sct};

/// Runs `sct` with `args`, expecting success, and returns what it printed as text.
fn stdout_of(args: &[&str]) -> String {
    let out = sct()
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("UTF-8")
}

#[test]
fn completions_for_bash_zsh_and_fish_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout_of(&["completions", shell]);
        assert!(!script.trim().is_empty(), "{shell}: empty script");
        for word in ["sct", "kpi", "toc", "score", "completions"] {
            assert!(script.contains(word), "{shell}: no {word:?} in the script");
        }
    }
}

#[test]
fn completions_for_powershell_and_elvish_are_produced() {
    for shell in ["powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains("kpi"), "{shell}: no kpi in the script");
    }
}

#[test]
fn completions_write_to_a_file_with_dash_o() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("sct.bash");
    sct()
        .args(["completions", "bash", "-o"])
        .arg(&file)
        .assert()
        .success()
        .stdout("");
    let script = std::fs::read_to_string(&file).expect("script written");
    assert!(script.contains("toc"), "{script}");
    // Refuses to overwrite without --force, as every -o does.
    sct()
        .args(["completions", "bash", "-o"])
        .arg(&file)
        .assert()
        .failure();
}

#[test]
fn a_bad_shell_name_is_a_usage_error() {
    sct()
        .args(["completions", "cmd.exe"])
        .assert()
        .code(2)
        .stderr(contains("possible values"));
}

#[test]
fn the_man_page_is_roff_and_names_sct_and_its_commands() {
    let page = stdout_of(&["man"]);
    assert!(page.starts_with('.'), "not roff: {page:.80}");
    assert!(
        page.lines().any(|l| l.starts_with(".TH sct 1")),
        "no .TH title line: {page:.200}"
    );
    for word in ["sct", "kpi", "toc", "completions"] {
        assert!(page.contains(word), "no {word:?} in the man page");
    }
}

#[test]
fn the_man_page_renders_with_man_dash_l() {
    let have_man = Command::new("which")
        .arg("man")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !have_man {
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("sct.1");
    sct().args(["man", "-o"]).arg(&file).assert().success();
    let out = Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "80")
        .stdin(Stdio::null())
        .output()
        .expect("run man");
    assert!(
        out.status.success(),
        "man -l failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("sct"));
}

#[test]
fn version_names_sct_the_package_version_and_the_commit() {
    let version = stdout_of(&["--version"]);
    let expected = format!("sct {}", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&expected), "{version}");
    // From a git checkout, the short hash of HEAD follows in parentheses.
    let head = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(root())
        .output()
        .ok()
        .filter(|o| o.status.success() && root().join(".git").exists())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let Some(hash) = head {
        assert_eq!(version.trim_end(), format!("{expected} ({hash})"));
    }
}
