//! The README's table of exit statuses, held: each row of the table has a case here that
//! runs `sct` as a user would and gets that row's status. A row added to the table without
//! a case, or a case whose status disagrees with its row, fails.

mod common;

use std::path::Path;

use common::{EXAMPLE, root, sct};

/// The rows of the README's exit status table: (status, meaning).
fn readme_rows() -> Vec<(i32, String)> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let table = readme
        .split("| status | meaning |")
        .nth(1)
        .expect("the README has an exit status table");
    table
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (cells[0].parse().unwrap(), cells[1].to_string())
        })
        .collect()
}

/// Runs one case in a fresh folder and returns its exit status.
fn status_of(meaning: &str) -> i32 {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let example = root().join(EXAMPLE);
    let run = |args: &[&std::ffi::OsStr]| -> i32 {
        let out = sct().current_dir(d).args(args).output().unwrap();
        let code = out.status.code().expect("exited, not killed");
        assert_ne!(
            code,
            101,
            "{meaning}: sct panicked:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        code
    };
    let os = |s: &str| std::ffi::OsString::from(s);
    let ex = example.as_os_str().to_owned();
    let args: Vec<std::ffi::OsString> = match meaning {
        "success" => vec![os("score"), ex],
        m if m.starts_with("an output that could not be written") => {
            vec![os("score"), ex, os("-o"), os("no-such-folder/score.json")]
        }
        m if m.starts_with("a plugin that failed") => failing_plugin(d),
        m if m.starts_with("a comparison with skipped responses") => {
            let cohort = d.join("cohort");
            std::fs::create_dir(&cohort).unwrap();
            std::fs::copy(&example, cohort.join("bnssg.toml")).unwrap();
            std::fs::write(
                cohort.join("broken.toml"),
                "round = \"baseline-2026-03\"\n[",
            )
            .unwrap();
            vec![
                os("compare"),
                cohort.into(),
                os("--skip-invalid"),
                os("-o"),
                os("c.md"),
            ]
        }
        m if m.starts_with("an invalid file") => {
            std::fs::write(d.join("bad.toml"), "round = 3\n").unwrap();
            vec![os("validate"), os("bad.toml")]
        }
        m if m.starts_with("a missing file") => vec![os("score"), os("missing.toml")],
        m if m.starts_with("a bad argument") => {
            let code = run(&[
                os("score").as_os_str(),
                ex.as_os_str(),
                os("--as-of").as_os_str(),
                os("9999-12-31").as_os_str(),
            ]);
            assert_eq!(
                code,
                run(&[os("score").as_os_str(), os("--no-such-option").as_os_str()])
            );
            return code;
        }
        m if m.starts_with("an output that may not be used") => {
            std::fs::write(d.join("exists.json"), "keep").unwrap();
            let exists = run(&[
                os("score").as_os_str(),
                ex.as_os_str(),
                os("-o").as_os_str(),
                os("exists.json").as_os_str(),
            ]);
            let input = run(&[
                os("score").as_os_str(),
                ex.as_os_str(),
                os("--force").as_os_str(),
                os("-o").as_os_str(),
                ex.as_os_str(),
            ]);
            std::fs::copy(
                root().join("crates/sct-cli/tests/fixtures/team/approved.toml"),
                d.join("approved.toml"),
            )
            .unwrap();
            let approved = run(&[
                os("convert").as_os_str(),
                ex.as_os_str(),
                os("--force").as_os_str(),
                os("-o").as_os_str(),
                os("approved.toml").as_os_str(),
            ]);
            assert_eq!(exists, input, "{meaning}: one status for every refusal");
            assert_eq!(exists, approved, "{meaning}: one status for every refusal");
            assert_eq!(
                std::fs::read_to_string(d.join("exists.json")).unwrap(),
                "keep"
            );
            return exists;
        }
        other => {
            panic!("README row \"{other}\" has no case in crates/sct-cli/tests/exit_status.rs")
        }
    };
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    run(&refs)
}

/// `sct plugins run` of a command plugin that crashes when asked to compute.
fn failing_plugin(d: &Path) -> Vec<std::ffi::OsString> {
    let script = d.join("crash.py");
    std::fs::write(
        &script,
        r#"import json, sys
verb = sys.argv[1]
if verb == "handshake":
    print(json.dumps({"protocol": 1}))
elif verb == "describe":
    print(json.dumps({"protocol": 1, "ok": {"name": "crash", "version": "1.0.0", "protocol": 1, "measures": [{"id": "m", "title": "M"}]}}))
else:
    raise SystemExit(3)
"#,
    )
    .unwrap();
    let plugins = d.join("plugins");
    sct()
        .current_dir(d)
        .args(["plugins", "install"])
        .arg(&script)
        .arg("--to")
        .arg(&plugins)
        .assert()
        .success();
    [
        "--plugin-dir",
        plugins.to_str().unwrap(),
        "plugins",
        "run",
        "crash",
        "m",
    ]
    .iter()
    .map(std::ffi::OsString::from)
    .collect()
}

#[test]
fn every_row_of_the_readme_exit_status_table_holds() {
    let rows = readme_rows();
    assert!(rows.len() >= 8, "{rows:?}");
    for (status, meaning) in rows {
        assert_eq!(
            status_of(&meaning),
            status,
            "README row: {status} | {meaning}"
        );
    }
}
