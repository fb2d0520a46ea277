//! End-to-end tests of the command-line polish: shell completions, the man page and
//! `--version`.

mod common;

use std::process::{Command, Stdio};

use common::{root, sct};
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

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
fn the_man_page_describes_every_command_and_refers_to_no_other_page() {
    let page = stdout_of(&["man"]);
    // clap_mangen's own list names pages such as sct-kpi(1) that are not installed.
    assert!(!page.contains("(1)"), "refers to another man page");
    for command in [
        "sct kpi review",
        "sct kpi ipr",
        "sct toc report",
        "sct plugins install",
    ] {
        let heading = format!(".SS \"{}\"", command.replace('-', "\\-"));
        assert!(page.contains(&heading), "no section {heading}");
    }
    // A command's own options are listed under it; the global ones once, at the top.
    let review = page.split(".SS \"sct kpi review\"").nth(1).unwrap();
    let review = review.split(".SS ").next().unwrap();
    assert!(review.contains("\\-\\-as\\-of"), "{review}");
    assert!(!review.contains("\\-\\-organisations"), "{review}");
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
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs man-db (.ci/run): man is missing"
        );
        eprintln!("skipped: `man` is not installed (Debian's man-db)");
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

const RESPONSE: &str = "examples/baseline-2026-03/bnssg-illustrative.toml";

/// A response with one unknown level: bad input.
fn invalid_response() -> String {
    let text = std::fs::read_to_string(root().join(RESPONSE)).expect("example response");
    let first_level = text.find("level = \"").expect("a level in the example");
    let end = text[first_level + 9..].find('"').expect("closing quote") + first_level + 9;
    format!("{}level = \"mastered{}", &text[..first_level], &text[end..])
}

/// Runs `sct` with `args` and the given standard input, expecting success; parses stdout as
/// JSON.
fn json_of(args: &[&str], stdin: Option<&str>) -> serde_json::Value {
    let mut cmd = sct();
    cmd.args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out)
        )
    })
}

#[test]
fn every_command_with_a_json_format_prints_json_that_parses() {
    let runs: &[&[&str]] = &[
        &["frameworks", "list", "--format", "json"],
        &[
            "frameworks",
            "show",
            "capability-toolkit",
            "--format",
            "json",
        ],
        &["validate", RESPONSE, "--format", "json"],
        &["score", RESPONSE, "--format", "json"],
        &["plan", RESPONSE, "--format", "json"],
        &["schema", "response"],
        &["plugins", "list", "--format", "json"],
        &[
            "kpi",
            "spc",
            "examples/kpi/ae-4-hour.csv",
            "--improvement",
            "increase",
            "--format",
            "json",
        ],
        &["convert", RESPONSE, "--format", "json", "-o", "-"],
    ];
    for args in runs {
        let value = json_of(args, None);
        assert!(
            value.is_object() || value.is_array(),
            "{args:?}: not an object or array"
        );
    }
}

#[test]
fn validate_and_score_read_standard_input_with_dash() {
    let text = std::fs::read_to_string(root().join(RESPONSE)).expect("example response");
    sct()
        .args(["validate", "-"])
        .write_stdin(text.clone())
        .assert()
        .success()
        .stdout(contains("<stdin>: valid"));
    let from_stdin = json_of(&["score", "-", "--format", "json"], Some(&text));
    let from_file = json_of(&["score", RESPONSE, "--format", "json"], None);
    // The same response scores the same whichever way it came in; only the file name (in
    // the provenance and the warnings) differs, and standard input is named <stdin>.
    let warnings = from_stdin["warnings"].to_string();
    assert!(warnings.contains("--> <stdin>"), "{warnings}");
    let strip = |mut v: serde_json::Value| {
        if let Some(map) = v.as_object_mut() {
            map.remove("provenance");
            map.remove("warnings");
        }
        v
    };
    assert_eq!(strip(from_stdin), strip(from_file));
}

#[test]
fn json_written_to_standard_output_reads_back_through_standard_input() {
    let out = sct()
        .args(["convert", RESPONSE, "--format", "json", "-o", "-"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json = String::from_utf8(out).expect("UTF-8");
    let from_json = json_of(&["score", "-", "--format", "json"], Some(&json));
    let from_toml = json_of(&["score", RESPONSE, "--format", "json"], None);
    assert_eq!(from_json["overall"], from_toml["overall"]);
    assert_eq!(from_json["domains"], from_toml["domains"]);
}

#[test]
fn bad_standard_input_is_named_stdin_with_line_and_column_and_exits_2() {
    sct()
        .args(["validate", "-"])
        .write_stdin(invalid_response())
        .assert()
        .code(2)
        .stderr(contains("error:"))
        .stderr(contains("--> <stdin>:"));
    sct()
        .args(["validate", "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(contains("<stdin>"));
}

#[test]
fn colour_is_off_by_default_with_no_color_and_never_and_on_with_always() {
    let bad = invalid_response();
    let stderr_of = |args: &[&str], no_color: bool| {
        let mut cmd = sct();
        if !no_color {
            cmd.env_remove("NO_COLOR");
        }
        let out = cmd
            .args(args)
            .write_stdin(bad.clone())
            .assert()
            .code(2)
            .get_output()
            .stderr
            .clone();
        String::from_utf8(out).expect("UTF-8")
    };
    // NO_COLOR, --color never, and auto through a pipe: no escape codes at all.
    for (args, no_color) in [
        (&["validate", "-"][..], true),
        (&["validate", "-", "--color", "never"][..], false),
        (&["--color", "auto", "validate", "-"][..], false),
    ] {
        let text = stderr_of(args, no_color);
        assert!(text.contains("error:"), "{text}");
        assert!(!text.contains('\x1b'), "{args:?}: escape codes in {text:?}");
    }
    // --color always wins over NO_COLOR and a pipe: the label is bold red, as rustc's.
    let text = stderr_of(&["validate", "-", "--color", "always"], true);
    assert!(text.contains("\x1b[1;31merror:\x1b[0m"), "{text:?}");
    sct()
        .args(["--color", "sometimes", "frameworks", "list"])
        .assert()
        .code(2);
}

/// Warnings and notes that commands print beside their results (here `sct kpi spc` on a
/// short series) are coloured as the diagnostics are, and only when colour is on.
#[test]
fn warnings_beside_results_follow_the_colour_choice() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let csv = dir.path().join("short.csv");
    std::fs::write(
        &csv,
        "date,value\n2025-01-01,1\n2025-02-01,2\n2025-03-01,3\n2025-04-01,2\n",
    )
    .expect("write the series");
    let stderr_with = |colour: &str| {
        let out = sct()
            .env_remove("NO_COLOR")
            .args(["--color", colour, "kpi", "spc"])
            .arg(&csv)
            .args(["--improvement", "increase"])
            .assert()
            .success()
            .get_output()
            .stderr
            .clone();
        String::from_utf8(out).expect("UTF-8")
    };
    let plain = stderr_with("never");
    assert!(
        plain.starts_with("warning: segment 1 has 4 points, fewer than 13"),
        "{plain:?}"
    );
    let coloured = stderr_with("always");
    assert!(
        coloured.starts_with("\x1b[1;33mwarning:\x1b[0m segment 1 has 4 points"),
        "{coloured:?}"
    );
}

#[test]
fn exit_statuses_are_documented_in_help_and_kept() {
    let help = stdout_of(&["--help"]);
    for line in ["0  success", "1  failure", "2  bad input or usage"] {
        assert!(help.contains(line), "no {line:?} in --help:\n{help}");
    }
    // 0: a valid response.
    sct().args(["validate", RESPONSE]).assert().code(0);
    // 2: bad input, and bad usage.
    sct()
        .args(["validate", "-"])
        .write_stdin(invalid_response())
        .assert()
        .code(2);
    sct().args(["validate", "--no-such-flag"]).assert().code(2);
    sct()
        .args(["validate", "no/such/file.toml"])
        .assert()
        .code(2)
        .stderr(contains("no/such/file.toml"));
    // 1: a failure that is not the input's fault (an output that may not be replaced).
    let dir = tempfile::tempdir().expect("temporary directory");
    let existing = dir.path().join("score.json");
    std::fs::write(&existing, "keep me").expect("write");
    sct()
        .args(["score", RESPONSE, "-o"])
        .arg(&existing)
        .assert()
        .failure();
    assert_eq!(std::fs::read_to_string(&existing).expect("read"), "keep me");
}

#[test]
fn the_checking_commands_report_in_json_with_their_schema() {
    let v = json_of(
        &["frameworks", "validate", "frameworks/", "--format", "json"],
        None,
    );
    assert_eq!(v["schema"], "sct-frameworks-validate/1");
    assert_eq!(v["valid"], true);
    let checked = v["frameworks"].as_array().expect("a list of frameworks");
    assert!(
        checked
            .iter()
            .any(|f| f["id"] == "capability-toolkit" && f["kind"] == "capability"),
        "{v}"
    );

    let v = json_of(
        &[
            "toc",
            "check",
            "examples/theory-of-change/bnssg-toc.toml",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(v["schema"], "sct-toc-check/1");
    assert_eq!(v["valid"], true);
    assert!(v["metrics"]["nodes"].as_u64().is_some_and(|n| n > 0), "{v}");
    assert!(v["diagnostics"].is_array(), "{v}");

    let v = json_of(&["plugins", "check", "--format", "json"], None);
    assert_eq!(v["schema"], "sct-plugins-check/1");
    let plugins = v["plugins"].as_array().expect("a list of plugins");
    let evidence = plugins
        .iter()
        .find(|p| p["name"] == "capability-evidence")
        .expect("the bundled capability-evidence plugin is checked");
    assert_eq!(evidence["ok"], true, "{v}");
    assert!(
        evidence["measures"]
            .as_array()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
}

#[test]
fn the_checking_commands_report_invalid_input_in_json_with_exit_2() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "kind = \"capability-toolkit\"\nid = \n").expect("write");
    for args in [vec!["frameworks", "validate"], vec!["toc", "check"]] {
        let out = sct()
            .args(&args)
            .arg(&bad)
            .args(["--format", "json"])
            .output()
            .expect("run sct");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        });
        assert_eq!(v["valid"], false, "{args:?}: {v}");
        let first = &v["diagnostics"][0];
        assert_eq!(first["severity"], "error", "{args:?}: {v}");
        assert!(
            first["location"]["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("bad.toml")),
            "{args:?}: the error names the file: {v}"
        );
        assert_eq!(first["location"]["line"], 2, "{args:?}: {v}");
    }
}

#[test]
fn a_dash_where_a_folder_is_expected_is_refused_as_a_usage_error() {
    for args in [
        vec!["compare", "-"],
        vec!["report", RESPONSE, "--individuals", "-"],
        vec!["plan", RESPONSE, "--individuals", "-"],
        vec!["frameworks", "validate", "-"],
        vec!["--framework-dir", "-", "frameworks", "list"],
    ] {
        sct()
            .args(&args)
            .assert()
            .code(2)
            .stderr(contains("standard input) cannot stand for a folder"));
    }
}

#[test]
fn json_documents_name_their_schema() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let funnel = dir.path().join("funnel.csv");
    std::fs::write(
        &funnel,
        "org,numerator,denominator\nA,50,100\nB,420,1000\nC,300,500\n",
    )
    .expect("write");
    let funnel = funnel.to_str().expect("UTF-8 path");
    let data = "examples/kpi/bnssg-kpis.csv";
    let spc = "examples/kpi/ae-4-hour.csv";
    let toc = "examples/theory-of-change/bnssg-toc.toml";
    let runs: &[(&[&str], &str)] = &[
        (&["score", RESPONSE, "--format", "json"], "sct-score/1"),
        (
            &[
                "kpi", "review", "--data", data, "--org", "QUY", "--format", "json",
            ],
            "sct-kpi-review/1",
        ),
        (
            &[
                "kpi",
                "ipr",
                "--set",
                "scf-three-timeframes",
                "--data",
                data,
                "--org",
                "QUY",
                "--format",
                "json",
            ],
            "sct-kpi-ipr/1",
        ),
        (
            &[
                "kpi",
                "spc",
                spc,
                "--improvement",
                "increase",
                "--format",
                "json",
            ],
            "sct-kpi-spc/1",
        ),
        (
            &[
                "kpi",
                "spc",
                spc,
                "--improvement",
                "increase",
                "--chart",
                "run",
                "--format",
                "json",
            ],
            "sct-kpi-spc-chart/1",
        ),
        (
            &[
                "kpi",
                "funnel",
                funnel,
                "--type",
                "proportion",
                "--format",
                "json",
            ],
            "sct-kpi-funnel/1",
        ),
        (
            &["toc", "report", toc, "--format", "json"],
            "sct-toc-report/1",
        ),
        (
            &[
                "plugins",
                "run",
                "capability-evidence",
                "milestone-documents",
                "--data",
                "plugins/capability-evidence/sample/evidence",
                "--format",
                "json",
            ],
            "sct-plugins-run/1",
        ),
    ];
    for (args, schema) in runs {
        assert_eq!(json_of(args, None)["schema"], *schema, "{args:?}");
    }
}

/// A file that is not there is named, and the reason is in words, not an operating-system code.
#[test]
fn a_missing_file_is_refused_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    for args in [
        vec!["score".to_string()],
        vec![
            "kpi".into(),
            "spc".into(),
            "--improvement".into(),
            "increase".into(),
        ],
    ] {
        sct()
            .args(&args)
            .arg(&missing)
            .assert()
            .code(2)
            .stderr(contains(format!(
                "cannot read {}: no such file or directory",
                missing.display()
            )))
            .stderr(contains("os error").not());
    }
}

/// Each subcommand's help keeps its own options apart from the global ones, under a heading of
/// their own.
#[test]
fn global_options_have_a_heading_of_their_own() {
    for command in [vec!["man"], vec!["kpi", "spc"], vec!["score"]] {
        let out = sct().args(&command).arg("--help").output().unwrap();
        let help = String::from_utf8(out.stdout).unwrap();
        let (own, global) = help
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{command:?}: no global heading in\n{help}"));
        assert!(!own.contains("--framework-dir"), "{command:?}:\n{help}");
        assert!(global.contains("--framework-dir") && global.contains("--plugin-dir"));
    }
}

#[test]
fn an_output_named_for_a_format_the_command_does_not_write_is_refused_not_filled() {
    // A review has no workbook: `review.xlsx` held Markdown before.
    let dir = tempfile::tempdir().expect("temporary directory");
    let out = dir.path().join("review.xlsx");
    sct()
        .current_dir(root())
        .args(["kpi", "review", "--data", "examples/kpi/bnssg-kpis.csv"])
        .args(["--org", "QUY", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("cannot write a .xlsx file").and(contains(".docx")));
    assert!(!out.exists(), "nothing is written");
    // A name the command does write, or one that names no format at all, is kept.
    let md = dir.path().join("review.txt");
    sct()
        .current_dir(root())
        .args(["kpi", "review", "--data", "examples/kpi/bnssg-kpis.csv"])
        .args(["--org", "QUY", "-o"])
        .arg(&md)
        .assert()
        .success();
    assert!(std::fs::read_to_string(md).unwrap().contains("# "));
}
