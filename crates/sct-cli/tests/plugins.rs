//! End-to-end tests of `sct plugins`: the three example plugins on their sample data
//! (against hand-computed values), a theory of change reading a plugin measure, and every
//! fault of issue 7: `sct` names the plugin and the fault, exits non-zero and writes nothing,
//! and a good plugin beside a faulty one still works.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use approx::assert_relative_eq;
use common::{cdylib, root, sct};

const WAITING_LIST_CSV: &str = "plugins/waiting-list-weekly/sample/waiting-list.csv";
const NEIGHBOURHOOD_CSV: &str = "plugins/neighbourhood-measures/sample/proactive-care.csv";
const EVIDENCE_DIR: &str = "plugins/capability-evidence/sample/evidence";

/// The native example, built and installed (as the README says) into a directory of its own.
fn native_example_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("sct-native-example-")
            .tempdir()
            .expect("temp dir")
            .keep();
        let lib = cdylib("waiting-list-weekly");
        sct()
            .args(["plugins", "install"])
            .arg(&lib)
            .arg("--to")
            .arg(&dir)
            .assert()
            .success();
        dir
    })
}

/// A fresh directory with the fault plugin installed (as `fault`).
fn fault_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let lib = cdylib("sct-fault-plugin");
    sct()
        .args(["plugins", "install"])
        .arg(&lib)
        .arg("--to")
        .arg(dir.path())
        .env_remove("SCT_FAULT_PLUGIN_ABI")
        .assert()
        .success();
    dir
}

fn sct_with_native() -> assert_cmd::Command {
    let mut cmd = sct();
    cmd.arg("--plugin-dir").arg(native_example_dir());
    cmd
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn list_shows_the_three_examples_and_check_passes_for_each() {
    let out = sct_with_native()
        .args(["plugins", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for (name, kind, measures) in [
        ("capability-evidence", "command", "milestone-documents"),
        (
            "neighbourhood-measures",
            "command",
            "care-plan-coverage, neighbourhood-spread",
        ),
        (
            "waiting-list-weekly",
            "native",
            "waiting-list-size, long-waits",
        ),
    ] {
        let line = text
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} not listed:\n{text}"));
        assert!(line.contains(kind) && line.ends_with(measures), "{line}");
    }
    let out = sct_with_native()
        .args(["plugins", "check"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("ok: ")).count(),
        3,
        "{text}"
    );
    // Isolated, the native example is checked from a child sct process.
    let out = sct_with_native()
        .args(["plugins", "check", "waiting-list-weekly", "--isolate"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("ok: waiting-list-weekly 0.1.0 (native, protocol 1"));
}

#[test]
fn a_clean_clone_says_how_to_install_the_native_example() {
    let out = sct().args(["plugins", "list"]).output().unwrap();
    assert!(out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("plugins/waiting-list-weekly holds a plugin's source but no plugin.toml")
            || stdout(&out).contains("waiting-list-weekly"),
        "{err}"
    );
}

#[test]
fn the_native_example_gives_the_hand_counted_weekly_series() {
    let dir = tempfile::tempdir().unwrap();
    let size = dir.path().join("size.csv");
    sct_with_native()
        .args(["plugins", "run", "waiting-list-weekly", "waiting-list-size"])
        .args(["--data", WAITING_LIST_CSV, "--org", "QUY", "-o"])
        .arg(&size)
        .assert()
        .success();
    // Open pathways per week for QUY, counted by hand from the sample.
    assert_eq!(
        std::fs::read_to_string(&size).unwrap(),
        "period,value,numerator,denominator\n2025-W14,6,,\n2025-W15,5,,\n2025-W16,7,,\n2025-W17,5,,\n2025-W18,6,,\n2025-W19,7,,\n2025-W20,5,,\n2025-W21,6,,\n"
    );
    let waits = dir.path().join("waits.csv");
    sct_with_native()
        .args(["plugins", "run", "waiting-list-weekly", "long-waits"])
        .args([
            "--data",
            WAITING_LIST_CSV,
            "--org",
            "QUY",
            "--param",
            "weeks=52",
        ])
        .args(["--from", "2025-W14", "--to", "2025-W16", "-o"])
        .arg(&waits)
        .assert()
        .success();
    let rows = parse_csv(&std::fs::read_to_string(&waits).unwrap());
    // W14: 53 and 60 weeks of 6 pathways; W15: 54 of 5; W16: 55 and 61 of 7.
    let expected = [
        ("2025-W14", 2.0, 6.0),
        ("2025-W15", 1.0, 5.0),
        ("2025-W16", 2.0, 7.0),
    ];
    assert_eq!(rows.len(), expected.len());
    for (row, (period, num, den)) in rows.iter().zip(expected) {
        assert_eq!(row[0], period);
        assert_relative_eq!(
            row[1].parse::<f64>().unwrap(),
            100.0 * num / den,
            epsilon = 1e-9
        );
        assert_eq!(row[2].parse::<f64>().unwrap(), num);
        assert_eq!(row[3].parse::<f64>().unwrap(), den);
    }
    // The same through a child process.
    let isolated = dir.path().join("isolated.csv");
    sct_with_native()
        .args([
            "plugins",
            "run",
            "waiting-list-weekly",
            "waiting-list-size",
            "--isolate",
        ])
        .args(["--data", WAITING_LIST_CSV, "--org", "QUY", "-o"])
        .arg(&isolated)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&isolated).unwrap(),
        std::fs::read(&size).unwrap()
    );
}

#[test]
fn the_python_example_gives_the_hand_computed_neighbourhood_series() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("coverage.json");
    sct()
        .args([
            "plugins",
            "run",
            "neighbourhood-measures",
            "care-plan-coverage",
        ])
        .args(["--data", NEIGHBOURHOOD_CSV, "--org", "QUY", "-o"])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["plugin"], "neighbourhood-measures");
    let series = v["series"].as_array().unwrap();
    // April 2025: (120 + 60 + 80) of (400 + 300 + 200) eligible; September: 512 of 960.
    assert_eq!(series.len(), 6);
    assert_eq!(series[0]["period"], "2025-04");
    assert_relative_eq!(
        series[0]["value"].as_f64().unwrap(),
        100.0 * 260.0 / 900.0,
        epsilon = 1e-9
    );
    assert_eq!(series[0]["numerator"], 260.0);
    assert_eq!(series[5]["denominator"], 960.0);
    assert_relative_eq!(
        series[5]["value"].as_f64().unwrap(),
        100.0 * 512.0 / 960.0,
        epsilon = 1e-9
    );
    // The spread between neighbourhoods: April 40 % (Yate) - 20 % (Weston) = 20 points.
    let spread = dir.path().join("spread.csv");
    sct()
        .args([
            "plugins",
            "run",
            "neighbourhood-measures",
            "neighbourhood-spread",
        ])
        .args(["--data", NEIGHBOURHOOD_CSV, "--org", "QUY", "-o"])
        .arg(&spread)
        .assert()
        .success();
    let rows = parse_csv(&std::fs::read_to_string(&spread).unwrap());
    assert_eq!(rows[0][0], "2025-04");
    assert_relative_eq!(rows[0][1].parse::<f64>().unwrap(), 20.0, epsilon = 1e-9);
    // July: Bristol Inner City 200/420, Weston 105/300, Yate 96/205.
    let july = [200.0 / 420.0, 105.0 / 300.0, 96.0 / 205.0].map(|x| 100.0 * x);
    let gap = july.iter().copied().fold(f64::MIN, f64::max)
        - july.iter().copied().fold(f64::MAX, f64::min);
    assert_relative_eq!(rows[3][1].parse::<f64>().unwrap(), gap, epsilon = 1e-9);
}

#[test]
fn the_evidence_example_reports_documents_found_and_missing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("evidence.csv");
    let run = sct()
        .args([
            "plugins",
            "run",
            "capability-evidence",
            "milestone-documents",
        ])
        .args(["--data", EVIDENCE_DIR, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("5 of 9 documents found"),
        "{}",
        stderr(&run)
    );
    let rows = parse_csv(&std::fs::read_to_string(&out).unwrap());
    let status: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[2].as_str()))
        .collect();
    assert_eq!(
        status,
        [
            ("ina-report", "present"),
            ("ina-board-approval", "present"),
            ("ina-shared", "missing"),
            ("strategy", "present"),
            ("strategy-board-approval", "present"),
            ("phip", "present"),
            ("phip-board-approval", "missing"),
            ("phip-region", "missing"),
            ("evaluation-framework", "missing"),
        ]
    );
    assert_eq!(rows.len(), 9);
    assert_eq!(
        rows[0][4],
        "needs-assessment/2026-03-integrated-needs-assessment.md"
    );
    // One milestone.
    let one = sct()
        .args([
            "plugins",
            "run",
            "capability-evidence",
            "milestone-documents",
        ])
        .args([
            "--data",
            EVIDENCE_DIR,
            "--param",
            "milestone=five-year-strategy",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(v["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(v["evidence"][0]["supports"], "five-year-strategy");
}

#[test]
fn a_theory_of_change_reads_a_plugin_measure() {
    let dir = tempfile::tempdir().unwrap();
    let toc = dir.path().join("toc.toml");
    std::fs::write(
        &toc,
        r#"kind = "theory-of-change"
id = "plugin-toc"
version = "1.0.0"
title = "A theory of change measured by a plugin"
source = "test"
status = "example"

[[nodes]]
id = "referral-management"
title = "Referral management"
type = "activity"

[[nodes]]
id = "shorter-waits"
title = "Shorter waiting list"
type = "outcome-short"
indicators = [{ measure = "plugin:waiting-list-weekly/waiting-list-size", direction = "decrease" }]

[[links]]
from = "referral-management"
to = "shorter-waits"
assumption = "Managing referrals shortens the list."
evidence = "weak"
"#,
    )
    .unwrap();
    let out = dir.path().join("toc.json");
    let run = sct_with_native()
        .args(["toc", "report"])
        .arg(&toc)
        .args(["--org", "QUY", "--plugin-data"])
        .arg(format!("waiting-list-weekly={WAITING_LIST_CSV}"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let node = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["nodes"].as_array().unwrap())
        .find(|n| n["id"] == "shorter-waits")
        .unwrap()
        .clone();
    let ind = &node["indicators"][0];
    assert_eq!(ind["name"], "plugin:waiting-list-weekly/waiting-list-size");
    assert_eq!(ind["title"], "Open pathways on the waiting list");
    assert_eq!(ind["points"], 8);
    assert_eq!(ind["latest_period"], "2025-W21");
    assert_eq!(ind["latest_value"], 6.0);
    // 8 points: a run chart, with no signal in so short and flat a series.
    assert_eq!(ind["chart"], "run chart");
    assert_eq!(node["status"], "no-significant-change");
    // The report records the plugin that computed the measure, and the checksum of its file.
    let p = &v["provenance"]["plugins"][0];
    assert_eq!(p["name"], "waiting-list-weekly");
    assert_eq!(p["version"], "0.1.0");
    assert_eq!(p["sha256"], native_example_sha256());
    assert_eq!(
        p["measures"][0],
        "plugin:waiting-list-weekly/waiting-list-size"
    );
    let md = sct_with_native()
        .args(["toc", "report"])
        .arg(&toc)
        .args(["--org", "QUY", "--format", "md", "--plugin-data"])
        .arg(format!("waiting-list-weekly={WAITING_LIST_CSV}"))
        .output()
        .unwrap();
    assert!(md.status.success(), "{}", stderr(&md));
    assert!(
        stdout(&md).contains(&format!(
            "- plugin waiting-list-weekly 0.1.0 (native), sha256 {}: plugin:waiting-list-weekly/waiting-list-size; data {WAITING_LIST_CSV}, sha256 ",
            native_example_sha256()
        )),
        "{}",
        stdout(&md)
    );
    // Without the plugin, the indicator has no data and says why; the report is still written.
    let run = sct()
        .args(["toc", "report"])
        .arg(&toc)
        .args(["--org", "QUY", "--format", "json"])
        .output()
        .unwrap();
    assert!(run.status.success());
    assert!(
        stderr(&run).contains("note: plugin \"waiting-list-weekly\" is not installed, so its measures have no data: looked "),
        "{}",
        stderr(&run)
    );
}

// ---- faults ----

/// Runs `sct plugins run fault MEASURE` with extra arguments; asserts a non-zero exit, an
/// error naming the plugin and containing `fault`, and no output file.
fn assert_fault(dir: &Path, measure: &str, extra: &[&str], fault: &str) -> String {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("out.csv");
    let run = sct()
        .arg("--plugin-dir")
        .arg(dir)
        .args(["plugins", "run", "fault", measure])
        .args(extra)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&run);
    assert!(!run.status.success(), "{measure}: exit 0\n{err}");
    assert!(err.contains("plugin \"fault\""), "{measure}: {err}");
    assert!(
        err.contains(fault),
        "{measure}: expected \"{fault}\" in:\n{err}"
    );
    assert!(!out.exists(), "{measure}: an output was written");
    assert_eq!(
        std::fs::read_dir(out_dir.path()).unwrap().count(),
        0,
        "{measure}: a partial file was left"
    );
    err
}

#[test]
fn a_native_plugin_that_panics_is_an_error() {
    let dir = fault_dir();
    let err = assert_fault(
        dir.path(),
        "panic",
        &[],
        "panicked computing \"panic\": the fault plugin panics on purpose",
    );
    // The plugin's own panic message comes first (from its standard library); sct's error
    // names the plugin and the panic.
    assert!(
        err.lines()
            .any(|l| l.starts_with("error: plugin \"fault\": panicked computing")),
        "{err}"
    );
}

#[test]
fn a_native_plugin_that_aborts_or_segfaults_under_isolate_is_an_error() {
    let dir = fault_dir();
    assert_fault(
        dir.path(),
        "abort",
        &["--isolate"],
        "crashed during compute: killed by signal 6 (SIGABRT)",
    );
    assert_fault(
        dir.path(),
        "segfault",
        &["--isolate"],
        "crashed during compute: killed by signal 11 (SIGSEGV)",
    );
}

#[test]
fn invalid_json_invalid_utf8_and_huge_replies_are_errors() {
    let dir = fault_dir();
    assert_fault(
        dir.path(),
        "invalid-json",
        &[],
        "invalid JSON in its compute reply",
    );
    assert_fault(
        dir.path(),
        "invalid-utf8",
        &[],
        "invalid UTF-8 in its compute reply: byte 26 (0xff)",
    );
    assert_fault(
        dir.path(),
        "huge",
        &[],
        "output too large: its compute reply is more than the 33554432-byte limit",
    );
    // The same through a child process: the cap is enforced on the pipe.
    assert_fault(dir.path(), "huge", &["--isolate"], "output too large");
    assert_fault(dir.path(), "invalid-json", &["--isolate"], "invalid JSON");
}

/// A native reply whose length is `SIZE_MAX` is refused on its length, before any slice or
/// copy, in-process and in the isolated child (which once panicked on it): an error naming the
/// plugin and the limit.
#[test]
fn a_native_reply_of_size_max_bytes_is_refused_with_or_without_isolate() {
    let dir = fault_dir();
    assert_fault(
        dir.path(),
        "size-max",
        &[],
        "output too large: its compute reply is more than the 33554432-byte limit",
    );
    let err = assert_fault(
        dir.path(),
        "size-max",
        &["--isolate", "--max-output-mb", "2"],
        "output too large: its compute reply is more than the 2097152-byte limit",
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("crashed"), "{err}");
}

#[test]
fn a_native_plugin_that_never_returns_times_out_under_isolate() {
    let dir = fault_dir();
    assert_fault(
        dir.path(),
        "hang",
        &["--isolate", "--timeout", "1"],
        "timed out: compute did not finish within 1 s",
    );
}

#[test]
fn a_native_plugin_of_another_protocol_version_is_refused() {
    let dir = fault_dir();
    let out = tempfile::tempdir().unwrap();
    let run = sct()
        .arg("--plugin-dir")
        .arg(dir.path())
        .env("SCT_FAULT_PLUGIN_ABI", "99")
        .args(["plugins", "run", "fault", "ok", "-o"])
        .arg(out.path().join("x.csv"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("plugin \"fault\": wrong protocol version: its sct_plugin_abi_version says protocol 99, but this sct speaks protocol 1"), "{}", stderr(&run));
    assert!(!out.path().join("x.csv").exists());
}

#[test]
fn a_checksum_mismatch_is_refused_before_loading() {
    let dir = fault_dir();
    let lib = std::fs::read_dir(dir.path().join("fault"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension()
                .is_some_and(|e| e == std::env::consts::DLL_EXTENSION)
        })
        .unwrap();
    let mut bytes = std::fs::read(&lib).unwrap();
    bytes.push(0);
    std::fs::write(&lib, bytes).unwrap();
    let err = assert_fault(dir.path(), "ok", &[], "sha256 mismatch");
    assert!(err.contains("refusing to load it"), "{err}");
}

#[test]
fn a_manifest_pointing_outside_its_directory_is_refused() {
    let dir = fault_dir();
    let manifest = dir.path().join("fault").join("plugin.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let file_line = text
        .lines()
        .find(|l| l.starts_with("file = "))
        .unwrap()
        .to_string();
    let lib_name = file_line
        .trim_start_matches("file = ")
        .trim_matches('"')
        .to_string();
    // Up and out with "..".
    std::fs::copy(
        dir.path().join("fault").join(&lib_name),
        dir.path().join(&lib_name),
    )
    .unwrap();
    std::fs::write(
        &manifest,
        text.replace(&file_line, &format!("file = \"../{lib_name}\"")),
    )
    .unwrap();
    assert_fault(dir.path(), "ok", &[], "goes up with \"..\"");
    // Absolute.
    let abs = dir.path().join(&lib_name);
    std::fs::write(
        &manifest,
        text.replace(
            &file_line,
            &format!("file = {:?}", abs.display().to_string()),
        ),
    )
    .unwrap();
    assert_fault(dir.path(), "ok", &[], "is an absolute path");
    // Through a symbolic link.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&abs, dir.path().join("fault").join("link.so")).unwrap();
        std::fs::write(&manifest, text.replace(&file_line, "file = \"link.so\"")).unwrap();
        assert_fault(dir.path(), "ok", &[], "is a symbolic link");
    }
}

/// Writes a command plugin (a Python script) with a manifest into `dir/NAME/`.
fn command_plugin(dir: &Path, name: &str, script: &str) {
    let pdir = dir.join(name);
    std::fs::create_dir_all(&pdir).unwrap();
    std::fs::write(pdir.join("plugin.py"), script).unwrap();
    let sha = sha256_hex(&std::fs::read(pdir.join("plugin.py")).unwrap());
    std::fs::write(
        pdir.join("plugin.toml"),
        format!(
            "name = \"{name}\"\nversion = \"1.0.0\"\nkind = \"command\"\nfile = \"plugin.py\"\nsha256 = \"{sha}\"\nprotocol = 1\nmeasures = [\"m\"]\ninterpreter = \"python3\"\n"
        ),
    )
    .unwrap();
}

fn sha256_hex(bytes: &[u8]) -> String {
    // The host's own function is not exported to the tests: use the command line's install
    // path instead would rewrite the manifest, so compute it with Python's hashlib.
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait_with_output()
        })
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

const GOOD_BODY: &str = r#"import json, sys
verb = sys.argv[1]
if verb == "handshake":
    print(json.dumps({"protocol": PROTO}))
elif verb == "describe":
    print(json.dumps({"protocol": PROTO, "ok": {"name": "NAME", "version": "1.0.0", "protocol": PROTO, "measures": [{"id": "m", "title": "M"}]}}))
else:
    req = json.load(sys.stdin)
    BODY
"#;

fn script(name: &str, proto: u32, body: &str) -> String {
    GOOD_BODY
        .replace("PROTO", &proto.to_string())
        .replace("NAME", name)
        .replace("BODY", body)
}

/// Runs `sct plugins run NAME m` over `dir` with extra arguments; the same checks as
/// [`assert_fault`].
fn assert_command_fault(dir: &Path, name: &str, extra: &[&str], fault: &str) -> String {
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("out.json");
    let run = sct()
        .arg("--plugin-dir")
        .arg(dir)
        .args(["plugins", "run", name, "m"])
        .args(extra)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&run);
    assert!(!run.status.success(), "{name}: exit 0\n{err}");
    assert!(err.contains(&format!("plugin \"{name}\"")), "{name}: {err}");
    assert!(
        err.contains(fault),
        "{name}: expected \"{fault}\" in:\n{err}"
    );
    assert_eq!(
        std::fs::read_dir(out_dir.path()).unwrap().count(),
        0,
        "{name}: output written"
    );
    err
}

/// Command plugins that each fail one way (and one that works), installed in `d`.
fn install_faulty_command_plugins(d: &std::path::Path) {
    let plugins: [(&str, u32, &str); 8] = [
        (
            "good",
            1,
            r#"print(json.dumps({"protocol": 1, "ok": {"measure": "m", "series": [{"period": "2025-04", "value": 3}]}}))"#,
        ),
        (
            "exits",
            1,
            r#"sys.stderr.write("cannot open the extract\n"); sys.exit(3)"#,
        ),
        (
            "bad-json",
            1,
            r#"sys.stdout.write("{\"protocol\": 1, \"ok\": [")"#,
        ),
        (
            "bad-utf8",
            1,
            r#"sys.stdout.buffer.write(b'{"protocol": 1, "ok": "\xc3\x28"}')"#,
        ),
        ("huge", 1, r#"sys.stdout.write(" " * (100 * 1024 * 1024))"#),
        ("sleeps", 1, "import time; time.sleep(600)"),
        (
            "old-protocol",
            7,
            r#"print(json.dumps({"protocol": 7, "ok": {"measure": "m"}}))"#,
        ),
        (
            "crashes",
            1,
            "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)",
        ),
    ];
    for (name, protocol, body) in plugins {
        command_plugin(d, name, &script(name, protocol, body));
    }
}

#[test]
fn command_plugin_faults_are_errors_naming_the_plugin_and_the_fault() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    install_faulty_command_plugins(d);

    let err = assert_command_fault(
        d,
        "exits",
        &[],
        "compute failed: exit status 3; its standard error:\n  cannot open the extract",
    );
    assert!(err.starts_with("error: plugin \"exits\""));
    assert_command_fault(d, "bad-json", &[], "invalid JSON in its compute reply");
    assert_command_fault(
        d,
        "bad-utf8",
        &[],
        "invalid UTF-8 in its compute reply: byte 23 (0xc3)",
    );
    assert_command_fault(d, "huge", &[], "output too large");
    assert_command_fault(
        d,
        "sleeps",
        &["--timeout", "1"],
        "timed out: compute did not finish within 1 s",
    );
    assert_command_fault(
        d,
        "old-protocol",
        &[],
        "wrong protocol version: its reply says protocol 7",
    );
    assert_command_fault(d, "crashes", &[], "killed by signal 11 (SIGSEGV)");

    // The handshake of `check` refuses the other protocol too, and check goes on to the
    // good plugin: it is reported ok and the run of it works.
    let check = sct()
        .arg("--plugin-dir")
        .arg(d)
        .args(["plugins", "check"])
        .output()
        .unwrap();
    assert!(!check.status.success());
    let text = stdout(&check);
    assert!(text.contains("ok: good 1.0.0"), "{text}");
    assert!(
        text.contains(
            "FAILED: plugin \"old-protocol\": wrong protocol version: its handshake says protocol 7"
        ),
        "{text}"
    );
    // Only the handshake fails (the other faults are in compute): the error is its own.
    assert!(
        stderr(&check).contains("error: plugin \"old-protocol\": wrong protocol version"),
        "{}",
        stderr(&check)
    );
    let run = sct()
        .arg("--plugin-dir")
        .arg(d)
        .args(["plugins", "run", "good", "m"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(
        stdout(&run),
        "period,value,numerator,denominator\n2025-04,3,,\n"
    );
}

// ---- command plugins: process groups ----

/// The compute reply of the shell plugins below.
const SHELL_REPLY: &str =
    r#"echo '{"protocol":1,"ok":{"measure":"m","series":[{"period":"2025-04","value":1}]}}'"#;

/// The describe reply of the shell plugins below, for plugin `name`.
fn shell_describe(name: &str) -> String {
    format!(
        "echo '{{\"protocol\":1,\"ok\":{{\"name\":\"{name}\",\"version\":\"1\",\"protocol\":1,\"measures\":[{{\"id\":\"m\",\"title\":\"M\"}}]}}}}'"
    )
}

/// Writes a command plugin that is a shell script run itself (no interpreter) into
/// `dir/NAME/`: it answers the handshake and describe, and runs `compute` for compute.
fn shell_plugin(dir: &Path, name: &str, compute: &str) -> PathBuf {
    let script = format!(
        "#!/bin/sh\ncase \"$1\" in\n  handshake) echo '{{\"protocol\":1}}' ;;\n  describe) {} ;;\n  compute) {compute} ;;\nesac\n",
        shell_describe(name)
    );
    write_plugin(dir, name, "plugin.sh", &script, None)
}

/// Writes `script` as `dir/NAME/FILE` (executable) with a manifest naming it, run by
/// `interpreter` or itself; returns the plugin's directory.
fn write_plugin(
    dir: &Path,
    name: &str,
    file: &str,
    script: &str,
    interpreter: Option<&str>,
) -> PathBuf {
    let pdir = dir.join(name);
    std::fs::create_dir_all(&pdir).unwrap();
    let path = pdir.join(file);
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    let sha = sha256_hex(script.as_bytes());
    let interpreter = interpreter
        .map(|i| format!("interpreter = \"{i}\"\n"))
        .unwrap_or_default();
    std::fs::write(
        pdir.join("plugin.toml"),
        format!(
            "name = \"{name}\"\nversion = \"1\"\nkind = \"command\"\nfile = \"{file}\"\nsha256 = \"{sha}\"\nprotocol = 1\nmeasures = [\"m\"]\n{interpreter}"
        ),
    )
    .unwrap();
    pdir
}

/// Whether process `pid` is running: `kill(pid, 0)` succeeds and it is not a zombie (ended,
/// waiting for a parent to reap it).
fn running(pid: i32) -> bool {
    // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
    if unsafe { libc::kill(pid, 0) } != 0 {
        return false;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit(')').next().unwrap_or("").trim_start();
    !(stat.is_empty() || state.starts_with('Z') || state.starts_with('X'))
}

/// Kills, when dropped, the process whose pid a plugin wrote to the file, if it is still
/// running: a test that fails leaves nothing behind.
struct KillOnDrop(PathBuf);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let pid = std::fs::read_to_string(&self.0)
            .ok()
            .and_then(|t| t.trim().parse::<i32>().ok());
        if let Some(pid) = pid.filter(|p| *p > 0 && running(*p)) {
            // SAFETY: only the plugin's own grandchild, by the pid it wrote.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}

/// Asserts the process whose pid a plugin wrote to `file` is gone (a killed process may take
/// a moment to be torn down).
fn assert_gone(pid_file: &Path) {
    let text =
        std::fs::read_to_string(pid_file).unwrap_or_else(|e| panic!("{}: {e}", pid_file.display()));
    let pid: i32 = text.trim().parse().unwrap();
    for _ in 0..2000 {
        if !running(pid) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("process {pid}, started by the plugin, outlived it");
}

#[test]
fn a_command_plugin_that_times_out_is_ended_with_every_process_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let pdir = shell_plugin(
        dir.path(),
        "forks",
        r#"sleep 600 & echo $! > "$SCT_PLUGIN_DIR/grandchild.pid"; exec sleep 600"#,
    );
    let _cleanup = KillOnDrop(pdir.join("grandchild.pid"));
    assert_command_fault(
        dir.path(),
        "forks",
        &["--timeout", "2"],
        "timed out: compute did not finish within 2 s",
    );
    assert_gone(&pdir.join("grandchild.pid"));
}

#[test]
fn a_command_plugin_is_done_when_it_exits_though_a_grandchild_holds_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let pdir = shell_plugin(
        dir.path(),
        "lingers",
        &format!(
            r#"cat >/dev/null; sleep 600 & echo $! > "$SCT_PLUGIN_DIR/grandchild.pid"; {SHELL_REPLY}"#
        ),
    );
    let _cleanup = KillOnDrop(pdir.join("grandchild.pid"));
    let run = sct()
        .arg("--plugin-dir")
        .arg(dir.path())
        .args(["plugins", "run", "lingers", "m", "--timeout", "20"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(
        stdout(&run),
        "period,value,numerator,denominator\n2025-04,1,,\n"
    );
    // And the grandchild was ended with the plugin's group.
    assert_gone(&pdir.join("grandchild.pid"));
}

/// A plugin's group is ended when `sct` is interrupted (Ctrl-C sends SIGINT to the
/// terminal's foreground group, which a plugin's own group is not): neither the plugin nor
/// what it started outlives `sct`.
#[test]
fn interrupting_sct_ends_the_plugin_and_every_process_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let pdir = shell_plugin(
        dir.path(),
        "waits",
        r#"sleep 600 & echo $! > "$SCT_PLUGIN_DIR/grandchild.pid"; echo $$ > "$SCT_PLUGIN_DIR/plugin.pid"; exec sleep 600"#,
    );
    let _cleanup = (
        KillOnDrop(pdir.join("grandchild.pid")),
        KillOnDrop(pdir.join("plugin.pid")),
    );
    let mut run = std::process::Command::new(common::sct_path())
        .current_dir(root())
        .arg("--plugin-dir")
        .arg(dir.path())
        .args(["plugins", "run", "waits", "m"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Once the plugin is running (it has written both pids), interrupt sct.
    for _ in 0..2000 {
        if pdir.join("plugin.pid").exists() && pdir.join("grandchild.pid").exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    let sct_pid = i32::try_from(run.id()).unwrap();
    // SAFETY: signals the sct this test started.
    unsafe { libc::kill(sct_pid, libc::SIGINT) };
    let status = run.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?}");
    assert_gone(&pdir.join("plugin.pid"));
    assert_gone(&pdir.join("grandchild.pid"));
}

// ---- command plugins: what runs is what was checked ----

/// The replacement a plugin below swaps in for its own file: were it ever run, it would leave
/// `swapped-ran` in the plugin's directory and reply 666.
const SWAPPED_SH: &str = "#!/bin/sh\ntouch \"$SCT_PLUGIN_DIR/swapped-ran\"\ncat >/dev/null\necho '{\"protocol\":1,\"ok\":{\"measure\":\"m\",\"series\":[{\"period\":\"2025-04\",\"value\":666}]}}'\n";

/// A shell plugin (run itself) and a Python one (run by its interpreter) whose handshake, the
/// first verb asked, replaces its own file, in place in its directory and through its own
/// path.
fn self_swapping_plugins(dir: &Path) -> Vec<PathBuf> {
    std::fs::write(dir.join("swapped.sh"), SWAPPED_SH).unwrap();
    std::fs::write(
        dir.join("swapped.py"),
        "import json, os, sys\nopen(os.path.join(os.environ['SCT_PLUGIN_DIR'], 'swapped-ran'), 'w').close()\nprint(json.dumps({'protocol': 1, 'ok': {'measure': 'm', 'series': [{'period': '2025-04', 'value': 666}]}}))\n",
    )
    .unwrap();
    let sh = format!(
        "#!/bin/sh\ncase \"$1\" in\n  handshake) cp \"$SCT_PLUGIN_DIR/../swapped.sh\" \"$SCT_PLUGIN_DIR/plugin.sh\"; cp \"$SCT_PLUGIN_DIR/../swapped.sh\" \"$0\" 2>/dev/null; echo '{{\"protocol\":1}}' ;;\n  describe) {} ;;\n  compute) cat >/dev/null; {SHELL_REPLY} ;;\nesac\n",
        shell_describe("swaps-sh")
    );
    let py = r#"import json, os, shutil, sys
here = os.environ["SCT_PLUGIN_DIR"]
verb = sys.argv[1]
if verb == "handshake":
    shutil.copyfile(os.path.join(here, "..", "swapped.py"), os.path.join(here, "plugin.py"))
    try:
        shutil.copyfile(os.path.join(here, "..", "swapped.py"), sys.argv[0])
    except OSError:
        pass
    print(json.dumps({"protocol": 1}))
elif verb == "describe":
    print(json.dumps({"protocol": 1, "ok": {"name": "swaps-py", "version": "1", "protocol": 1, "measures": [{"id": "m", "title": "M"}]}}))
else:
    json.load(sys.stdin)
    print(json.dumps({"protocol": 1, "ok": {"measure": "m", "series": [{"period": "2025-04", "value": 1}]}}))
"#;
    vec![
        write_plugin(dir, "swaps-sh", "plugin.sh", &sh, None),
        write_plugin(dir, "swaps-py", "plugin.py", py, Some("python3")),
    ]
}

/// A command plugin runs the bytes whose sha256 was checked, for every verb: one whose
/// handshake replaces its own file goes on describing and computing with the checked bytes, the replacement
/// never runs, and the replaced file is refused on its checksum at the next load.
#[test]
fn a_command_plugin_file_swapped_between_verbs_never_runs() {
    use sct_plugin_host::{Found, Manifest, Options, Plugin};
    let dir = tempfile::tempdir().unwrap();
    for pdir in self_swapping_plugins(dir.path()) {
        let found = Found {
            dir: pdir.clone(),
            manifest: Manifest::read(&pdir),
        };
        let plugin = Plugin::open(&found, &Options::default()).unwrap();
        plugin.check().unwrap();
        let swapped = std::fs::read_to_string(&plugin.file).unwrap();
        assert!(swapped.contains("swapped-ran"), "the handshake did swap it");
        let request = sct_plugin_api::ComputeRequest {
            protocol: sct_plugin_api::PROTOCOL_VERSION,
            measure: "m".into(),
            ..Default::default()
        };
        let response = plugin.compute(&request).unwrap();
        assert_eq!(response.series[0].value, 1.0, "{}", pdir.display());
        assert!(
            !pdir.join("swapped-ran").exists(),
            "{}: the swapped file ran",
            pdir.display()
        );
        // The next load checks the file again, and refuses it before anything of it runs.
        let again = Plugin::open(&found, &Options::default()).unwrap_err();
        assert!(again.to_string().contains("sha256 mismatch"), "{again}");
        assert!(!pdir.join("swapped-ran").exists());
    }
    // The same through the command line: `plugins check` runs the handshake (which swaps the
    // file), then describe, in one process; the run that follows is refused.
    let dir = tempfile::tempdir().unwrap();
    self_swapping_plugins(dir.path());
    let check = sct()
        .arg("--plugin-dir")
        .arg(dir.path())
        .args(["plugins", "check"])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    let err = assert_command_fault(dir.path(), "swaps-sh", &[], "sha256 mismatch");
    assert!(err.contains("refusing to load it"), "{err}");
    assert!(!dir.path().join("swaps-sh/swapped-ran").exists());
    assert!(!dir.path().join("swaps-py/swapped-ran").exists());
}

#[test]
fn a_good_native_plugin_beside_a_faulty_one_still_works() {
    let dir = fault_dir();
    // A broken manifest and a checksum mismatch beside the native example and the fault plugin.
    std::fs::create_dir(dir.path().join("broken")).unwrap();
    std::fs::write(dir.path().join("broken").join("plugin.toml"), "name = 3\n").unwrap();
    let list = sct_with_native()
        .arg("--plugin-dir")
        .arg(dir.path())
        .args(["plugins", "list"])
        .output()
        .unwrap();
    assert!(list.status.success());
    assert!(stdout(&list).contains("broken"), "{}", stdout(&list));
    assert!(
        stdout(&list).contains("cannot be used"),
        "{}",
        stdout(&list)
    );
    // After a panic in the fault plugin in the same process, the native example still works.
    let run = sct_with_native()
        .arg("--plugin-dir")
        .arg(dir.path())
        .args(["plugins", "run", "waiting-list-weekly", "waiting-list-size"])
        .args(["--data", WAITING_LIST_CSV, "--org", "QOX"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&run)
            .starts_with("period,value,numerator,denominator\n2025-W14,3,,\n2025-W15,2,,\n")
    );
    let check = sct_with_native()
        .arg("--plugin-dir")
        .arg(dir.path())
        .args(["plugins", "check"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2));
    let text = stdout(&check);
    assert!(text.contains("ok: waiting-list-weekly"), "{text}");
    assert!(text.contains("ok: fault"), "{text}");
    assert!(text.contains("FAILED: plugin \"broken\": "), "{text}");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let run = sct()
        .args([
            "plugins",
            "run",
            "neighbourhood-measures",
            "care-plan-coverage",
            "--param",
            "oops",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("plugin parameter \"oops\": expected NAME=VALUE"));
    assert!(
        stderr(&run).contains("= hint: see --param"),
        "{}",
        stderr(&run)
    );
    let run = sct()
        .args(["plugins", "run", "nope", "m"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("plugin \"nope\": not installed: looked in plugins; found: capability-evidence, neighbourhood-measures"), "{}", stderr(&run));
    let run = sct()
        .args(["plugins", "run", "neighbourhood-measures", "nothing"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains(
            "no measure \"nothing\"; it offers: care-plan-coverage, neighbourhood-spread"
        )
    );
    // A failure the plugin reports (a missing data file) names the plugin.
    let run = sct()
        .args([
            "plugins",
            "run",
            "neighbourhood-measures",
            "care-plan-coverage",
            "--data",
            "no-such.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("plugin \"neighbourhood-measures\": cannot read no-such.csv"),
        "{}",
        stderr(&run)
    );
}

/// The timeout and the reply limit go through the host's checked constructors: a value out
/// of range is a usage error naming the option (exit status 2), never a panic.
#[test]
fn out_of_range_plugin_limits_are_usage_errors_never_panics() {
    for (option, value) in [
        ("--timeout", "1e308"),
        ("--timeout", "inf"),
        ("--timeout", "0"),
        ("--timeout", "86401"),
        ("--max-output-mb", "0"),
        ("--max-output-mb", "18446744073709551615"),
    ] {
        let run = sct()
            .args([
                "plugins",
                "run",
                "neighbourhood-measures",
                "care-plan-coverage",
                option,
                value,
            ])
            .output()
            .unwrap();
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(2), "{option} {value}: {err}");
        assert!(err.contains(option), "{option} {value}: {err}");
        assert!(!err.contains("panicked"), "{option} {value}: {err}");
    }
}

#[test]
fn installing_a_file_that_is_not_there_is_bad_input_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("plugins");
    let run = sct()
        .args(["plugins", "install"])
        .arg(dir.path().join("libnothing.so"))
        .arg("--to")
        .arg(&to)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("libnothing.so: no such file"),
        "{}",
        stderr(&run)
    );
    assert!(
        !to.exists(),
        "nothing is created for a file that is not there"
    );
}

#[test]
fn install_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let script = root().join("plugins/neighbourhood-measures/neighbourhood.py");
    sct()
        .args(["plugins", "install"])
        .arg(&script)
        .arg("--to")
        .arg(dir.path())
        .assert()
        .success();
    let again = sct()
        .args(["plugins", "install"])
        .arg(&script)
        .arg("--to")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("refusing to overwrite it (use --force to replace it)"),
        "{}",
        stderr(&again)
    );
    sct()
        .args(["plugins", "install"])
        .arg(&script)
        .arg("--to")
        .arg(dir.path())
        .arg("--force")
        .assert()
        .success();
    let manifest =
        std::fs::read_to_string(dir.path().join("neighbourhood-measures/plugin.toml")).unwrap();
    assert!(manifest.contains("interpreter = \"python3\""));
    assert!(manifest.contains("measures = [\"care-plan-coverage\", \"neighbourhood-spread\"]"));
}

/// A script to install whose describe names it `clobber`.
fn clobber_script(dir: &Path, file: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\ncase \"$1\" in\n  handshake) echo '{{\"protocol\":1}}' ;;\n  describe) {} ;;\n  compute) cat >/dev/null; {SHELL_REPLY} ;;\nesac\n",
            shell_describe("clobber")
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// `sct plugins install` never overwrites a file in the plugin's directory that is not the
/// plugin's own: a script named `plugin.toml` (which its manifest would overwrite) and a
/// file that would replace another file there are refused (exit status 2) and nothing is
/// installed or changed; installing in place, or again with --force, still works.
#[test]
fn install_refuses_a_file_that_would_clobber_the_manifest_or_another_file() {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("plugins");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let install = |file: &Path, force: bool| {
        let mut cmd = sct();
        cmd.args(["plugins", "install"])
            .arg(file)
            .arg("--to")
            .arg(&to);
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    // Named as the manifest.
    let run = install(&clobber_script(&src, "plugin.toml"), false);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("plugin.toml is named plugin.toml, as the manifest"),
        "{}",
        stderr(&run)
    );
    assert!(
        !to.exists() || std::fs::read_dir(&to).unwrap().count() == 0,
        "something was installed"
    );
    // Installed properly, then a file of the user's beside it.
    let run = install(&clobber_script(&src, "plugin.sh"), false);
    assert!(run.status.success(), "{}", stderr(&run));
    let notes = to.join("clobber").join("notes.sh");
    std::fs::write(&notes, "my notes\n").unwrap();
    let manifest_before = std::fs::read(to.join("clobber/plugin.toml")).unwrap();
    let run = install(&clobber_script(&src, "notes.sh"), true);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("notes.sh, which is not the installed plugin's file"),
        "{}",
        stderr(&run)
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes\n");
    assert_eq!(
        std::fs::read(to.join("clobber/plugin.toml")).unwrap(),
        manifest_before
    );
    // A directory in the way is refused too.
    std::fs::remove_file(&notes).unwrap();
    std::fs::create_dir(&notes).unwrap();
    let run = install(&clobber_script(&src, "notes.sh"), true);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("not a regular file"),
        "{}",
        stderr(&run)
    );
    // The plugin's own file may be replaced with --force, and a plugin installed in place.
    let run = install(&clobber_script(&src, "plugin.sh"), true);
    assert!(run.status.success(), "{}", stderr(&run));
    let run = install(&to.join("clobber/plugin.sh"), true);
    assert!(run.status.success(), "{}", stderr(&run));
    let listed = std::fs::read_dir(to.join("clobber")).unwrap().count();
    assert_eq!(listed, 3, "plugin.sh, plugin.toml and the notes directory");
}

// ---- plugin measures in the KPI review and the IPR ----

const PLUGIN_KPI_SET: &str = "examples/kpi/waiting-list-kpis.toml";
const KPI_DATA: &str = "examples/kpi/bnssg-kpis.csv";

/// `sct kpi review|ipr` of the example KPI set whose indicators name plugin measures, with the
/// sample waiting list, as of the end of May 2025.
fn plugin_kpi(command: &str, extra: &[&str]) -> std::process::Output {
    plugin_kpi_with(command, Some(KPI_DATA), extra)
}

/// As [`plugin_kpi`], with the KPI data file given, or none (the plugin measures alone).
fn plugin_kpi_with(command: &str, data: Option<&str>, extra: &[&str]) -> std::process::Output {
    let mut cmd = sct_with_native();
    cmd.args(["kpi", command, "--set", PLUGIN_KPI_SET]);
    if let Some(data) = data {
        cmd.args(["--data", data]);
    }
    cmd.args(["--org", "QUY", "--as-of", "2025-05-31", "--plugin-data"])
        .arg(format!("waiting-list-weekly={WAITING_LIST_CSV}"))
        .args(extra)
        .output()
        .unwrap()
}

fn review_indicator<'a>(v: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    v["timeframes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["indicators"].as_array().unwrap())
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
}

/// The installed native example's checksum, from its manifest, checked against its file.
fn native_example_sha256() -> String {
    let dir = native_example_dir().join("waiting-list-weekly");
    let manifest = std::fs::read_to_string(dir.join("plugin.toml")).unwrap();
    let sha = manifest
        .lines()
        .find_map(|l| l.strip_prefix("sha256 = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap()
        .to_string();
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap() != "plugin.toml")
        .unwrap();
    assert_eq!(sha256_hex(&std::fs::read(file).unwrap()), sha);
    sha
}

#[test]
fn a_kpi_review_reads_plugin_measures_and_records_the_plugin() {
    let run = plugin_kpi("review", &["--format", "json"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();

    // Weekly share over 52 weeks for QUY, counted by hand from the sample (over / open):
    // W14 2/6, W15 1/5, W16 2/7, W17 0/5, W18 1/6, W19 1/7, W20 0/5, W21 0/6.
    let waits = review_indicator(&v, "long-waits-52");
    assert_eq!(
        waits["data_source"],
        "plugin measure plugin:waiting-list-weekly/long-waits"
    );
    assert_eq!(waits["points"], 8);
    assert_eq!(waits["latest_period"], "2025-W21");
    assert_relative_eq!(waits["latest"]["value"].as_f64().unwrap(), 0.0);
    assert_eq!(waits["latest"]["meets_plan"], true);
    // 2025/26 to date is W14 to W21 (W14 starts on Monday 31 March but its Thursday, 3
    // April, is in 2025/26, as it is when weeks are aggregated into months): 7 of 47, from
    // the numerators and denominators, never by averaging the weekly percentages.
    let ytd = &waits["year_to_date"];
    assert_eq!(ytd["year"], "2025/26");
    assert_eq!(ytd["periods"], 8);
    assert_relative_eq!(
        ytd["value"].as_f64().unwrap(),
        100.0 * 7.0 / 47.0,
        epsilon = 1e-9
    );
    assert_eq!(ytd["periods_meeting_plan"], 3);
    // 8 points: a run chart whose centre is the median, (14.29 + 16.67) / 2.
    let spc = &waits["spc"];
    assert_eq!(spc["chart"], "run");
    assert_relative_eq!(
        spc["centre"].as_f64().unwrap(),
        (100.0 / 7.0 + 100.0 / 6.0) / 2.0,
        epsilon = 1e-9
    );

    // Open pathways per week aggregated to months by the latest week (weeks belong to the
    // month of their Thursday): April is W14 to W17 (W17: 5), May is W18 to W21 (W21: 6), and
    // May lacks its fifth week.
    let size = review_indicator(&v, "waiting-list-size");
    let values: Vec<(String, f64)> = size["spc"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap().to_string(),
                p["value"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [("2025-04".to_string(), 5.0), ("2025-05".to_string(), 6.0)]
    );
    assert!(
        size["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["message"] == "aggregated from part of the period: 2025-05 has 4 of 5 weeks"),
        "{}",
        size["flags"]
    );
    // The KPI from the data file is read as before.
    assert_eq!(
        review_indicator(&v, "ae-4-hour")["latest_period"],
        "2025-05"
    );

    // Provenance: the plugin's name, version and the checksum of the file that ran, and the
    // data it was given with theirs.
    let p = &v["provenance"]["plugins"][0];
    assert_eq!(p["name"], "waiting-list-weekly");
    assert_eq!(p["version"], "0.1.0");
    assert_eq!(p["kind"], "native");
    assert_eq!(p["sha256"], native_example_sha256());
    assert_eq!(
        p["measures"],
        serde_json::json!([
            "plugin:waiting-list-weekly/long-waits",
            "plugin:waiting-list-weekly/waiting-list-size"
        ])
    );
    assert_eq!(p["data"][0]["file"], WAITING_LIST_CSV);
    assert_eq!(
        p["data"][0]["sha256"],
        sha256_hex(&std::fs::read(root().join(WAITING_LIST_CSV)).unwrap())
    );
    // And in words, in the Markdown's provenance and method.
    let md = plugin_kpi("review", &["--format", "md"]);
    assert!(md.status.success(), "{}", stderr(&md));
    let text = stdout(&md);
    assert!(
        text.contains(&format!(
            "- plugin waiting-list-weekly 0.1.0 (native), sha256 {}: ",
            native_example_sha256()
        )),
        "{text}"
    );
    assert!(text.contains("Plugin measures (plugin:waiting-list-weekly/long-waits"));
}

#[test]
fn the_ipr_reads_plugin_measures_and_shows_their_provenance() {
    let run = plugin_kpi("ipr", &["--format", "json"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let row = v["sections"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == "long-waits-52")
        .unwrap();
    assert_eq!(row["latest_period"], "2025-W21");
    let last_three: Vec<f64> = row["last_three"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_f64().unwrap())
        .collect();
    // W19 1/7, W20 0/5, W21 0/6.
    assert_eq!(last_three.len(), 3);
    assert_relative_eq!(last_three[0], 100.0 / 7.0, epsilon = 1e-9);
    assert_relative_eq!(last_three[1] + last_three[2], 0.0);
    assert_eq!(
        v["provenance"]["plugins"][0]["sha256"],
        native_example_sha256()
    );
    let md = plugin_kpi("ipr", &["--format", "md"]);
    assert!(md.status.success(), "{}", stderr(&md));
    assert!(
        stdout(&md).contains("## Provenance\n\n- sct "),
        "{}",
        stdout(&md)
    );
    assert!(stdout(&md).contains("- plugin waiting-list-weekly 0.1.0 (native), sha256 "));
}

/// A native plugin runs from a private copy of the bytes whose checksum was checked, so a
/// file replaced after the check is never the one that runs.
#[test]
fn a_native_plugin_runs_the_bytes_that_were_checked() {
    use sct_plugin_host::error::Fault;
    use sct_plugin_host::native::NativePlugin;
    let dir = tempfile::tempdir().unwrap();
    let lib = cdylib("waiting-list-weekly");
    let file = dir.path().join(lib.file_name().unwrap());
    std::fs::copy(&lib, &file).unwrap();
    let sha = sha256_hex(&std::fs::read(&file).unwrap());
    let plugin = NativePlugin::load(&file, &sha).unwrap();
    let before = plugin
        .describe_bytes(sct_plugin_host::MaxOutput::DEFAULT)
        .unwrap();

    // Replaced once loaded: the loaded plugin still answers, from its copy.
    std::fs::write(&file, b"not a library").unwrap();
    assert_eq!(
        plugin
            .describe_bytes(sct_plugin_host::MaxOutput::DEFAULT)
            .unwrap(),
        before
    );
    // And loading the replaced file is refused on its checksum, before anything runs.
    match NativePlugin::load(&file, &sha) {
        Err(Fault::Checksum {
            expected, actual, ..
        }) => {
            assert_eq!(expected, sha);
            assert_eq!(actual, sha256_hex(b"not a library"));
        }
        other => panic!("expected a checksum fault, got {other:?}"),
    }
}

#[test]
fn a_kpi_review_needs_no_data_file_when_plugin_measures_supply_the_series() {
    let run = plugin_kpi_with("review", None, &["--format", "json"]);
    assert!(run.status.success(), "{}", stderr(&run));
    // The one indicator that names no plugin measure is named, since it can have no data.
    assert!(
        stderr(&run).contains("have no data: ae-4-hour"),
        "{}",
        stderr(&run)
    );
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    // The plugin's series are the same as beside a data file.
    let waits = review_indicator(&v, "long-waits-52");
    assert_eq!(waits["points"], 8);
    assert_eq!(waits["latest_period"], "2025-W21");
    assert_relative_eq!(
        waits["year_to_date"]["value"].as_f64().unwrap(),
        100.0 * 7.0 / 47.0,
        epsilon = 1e-9
    );
    assert_eq!(review_indicator(&v, "ae-4-hour")["points"], 0);
    // No data file: null where its name and checksum would be, and the plugin recorded.
    assert!(v["data_file"].is_null(), "{}", v["data_file"]);
    assert!(v["provenance"]["data"].is_null());
    assert_eq!(v["rows_read"], 0);
    assert_eq!(v["provenance"]["plugins"][0]["name"], "waiting-list-weekly");

    let md = plugin_kpi_with("review", None, &["--format", "md"]);
    assert!(md.status.success(), "{}", stderr(&md));
    assert!(
        stdout(&md).contains(
            "- data: no data file, every series came from the plugin measures; 10 points\n"
        ),
        "{}",
        stdout(&md)
    );
    let ipr = plugin_kpi_with("ipr", None, &["--format", "md"]);
    assert!(ipr.status.success(), "{}", stderr(&ipr));
    assert!(
        stdout(&ipr).contains("- data: no data file, every series came from the plugin measures\n")
    );
}

#[test]
fn without_a_data_file_a_set_with_no_plugin_measure_or_every_organisation_is_refused() {
    // The default set's indicators all come from the data file.
    let run = sct()
        .args(["kpi", "review", "--org", "QUY"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(
            "no KPI data given, and no indicator of KPI set \"scf-three-timeframes\" names a plugin measure"
        ) && stderr(&run).contains("= hint: see --data"),
        "{}",
        stderr(&run)
    );
    // `--orgs all` takes its organisations from the data file.
    let run = sct_with_native()
        .args(["kpi", "ipr", "--set", PLUGIN_KPI_SET, "--orgs", "all"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(
        stderr(&run).contains(
            "every organisation in the KPI data was asked for, and no KPI data was given"
        ) && stderr(&run).contains("= hint: see --data, --org"),
        "{}",
        stderr(&run)
    );
    assert!(run.stdout.is_empty());
}

/// The IPR in headless Chromium with a plugin data file whose name is hostile: the
/// provenance section names the plugin, and the name stays text.
#[test]
fn the_ipr_with_plugin_provenance_in_a_real_browser() {
    let Some(chromium) = common::browser::chromium_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hostile = dir.path().join("waits<img src=x onerror=alert(1)>.csv");
    std::fs::copy(root().join(WAITING_LIST_CSV), &hostile).unwrap();
    let html = dir.path().join("ipr.html");
    let run = sct_with_native()
        .args(["kpi", "ipr", "--set", PLUGIN_KPI_SET, "--data", KPI_DATA])
        .args(["--org", "QUY", "--as-of", "2025-05-31", "--plugin-data"])
        .arg(format!("waiting-list-weekly={}", hostile.display()))
        .arg("-o")
        .arg(&html)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let visit = common::browser::visit(&chromium, dir.path(), &html);
    let dom = &visit.dom;
    assert!(!dom.contains("<img"), "an injected element was created");
    assert!(dom.contains("waits&lt;img src=x onerror=alert(1)&gt;.csv"));
    assert!(dom.contains("id=\"provenance-h\">Provenance</h2>"));
    assert!(dom.contains(&format!(
        "waiting-list-weekly 0.1.0 (native), sha256 {}",
        native_example_sha256()
    )));
    common::browser::assert_self_contained(&chromium, dir.path(), &visit);
}

#[test]
fn a_weekly_proportion_from_a_plugin_gets_a_p_prime_chart() {
    // 20 weeks of 100 open pathways, (week number) of them over 52 weeks: p̄ = 210 / 2000.
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("week_ending,organisation,pathway_id,weeks_waited\n");
    // Sundays from 6 April 2025 (ISO weeks 14 to 33).
    let (mut month, mut day) = (4u32, 6u32);
    for w in 0..20u32 {
        let day_text = format!("2025-{month:02}-{day:02}");
        day += 7;
        let days_in_month = if matches!(month, 4 | 6) { 30 } else { 31 };
        if day > days_in_month {
            day -= days_in_month;
            month += 1;
        }
        let day = day_text;
        for p in 0..100u32 {
            let waited = if p <= w { 60 } else { 10 };
            csv.push_str(&format!("{day},QUY,P{w}-{p},{waited}\n"));
        }
    }
    let waits = dir.path().join("waits.csv");
    std::fs::write(&waits, csv).unwrap();
    let set = std::fs::read_to_string(root().join(PLUGIN_KPI_SET))
        .unwrap()
        .replace(
            "measure = \"plugin:waiting-list-weekly/long-waits\"",
            "chart = \"pprime\"\nmeasure = \"plugin:waiting-list-weekly/long-waits\"",
        );
    let set_path = dir.path().join("set.toml");
    std::fs::write(&set_path, set).unwrap();
    let run = sct_with_native()
        .args(["kpi", "review", "--set"])
        .arg(&set_path)
        .args(["--data", KPI_DATA, "--org", "QUY", "--format", "json"])
        .arg("--plugin-data")
        .arg(format!("waiting-list-weekly={}", waits.display()))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let spc = &review_indicator(&v, "long-waits-52")["spc"];
    assert_eq!(spc["chart"], "pprime", "{spc}");
    // 1 + 2 + ... + 20 = 210 of 2,000.
    assert_relative_eq!(
        spc["centre"].as_f64().unwrap(),
        100.0 * 210.0 / 2000.0,
        epsilon = 1e-9
    );
}

#[test]
fn a_missing_or_failing_plugin_leaves_its_kpis_without_data_saying_why() {
    // Missing: the review is still written; the indicators say why they have no data.
    let run = sct()
        .args(["kpi", "review", "--set", PLUGIN_KPI_SET, "--data", KPI_DATA])
        .args(["--org", "QUY", "--as-of", "2025-05-31", "--format", "json"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(
        stderr(&run)
            .matches("warning: plugin \"waiting-list-weekly\" is not installed, so its measures have no data: looked in plugins")
            .count(),
        1,
        "{}",
        stderr(&run)
    );
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let waits = review_indicator(&v, "long-waits-52");
    assert_eq!(waits["points"], 0);
    assert_eq!(waits["flags"].as_array().unwrap().len(), 1, "said once");
    assert_eq!(waits["flags"][0]["kind"], "no-data");
    assert!(
        waits["flags"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("no series from plugin:waiting-list-weekly/long-waits: plugin \"waiting-list-weekly\" is not installed"),
        "{}",
        waits["flags"][0]
    );
    assert!(v["provenance"].get("plugins").is_none(), "no plugin ran");

    // Failing: a plugin's error, invalid JSON or a bad parameter, each named on its indicator.
    let dir = fault_dir();
    let set = std::fs::read_to_string(root().join(PLUGIN_KPI_SET))
        .unwrap()
        .replace(
            "plugin:waiting-list-weekly/long-waits",
            "plugin:fault/invalid-json",
        )
        .replace(
            "plugin:waiting-list-weekly/waiting-list-size",
            "plugin:fault/error",
        );
    let set_path = dir.path().join("set.toml");
    std::fs::write(&set_path, set).unwrap();
    let run = sct()
        .arg("--plugin-dir")
        .arg(dir.path())
        .args(["kpi", "review", "--set"])
        .arg(&set_path)
        .args(["--data", KPI_DATA, "--org", "QUY", "--format", "json"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let message = |id: &str| {
        review_indicator(&v, id)["flags"][0]["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        message("long-waits-52").contains("plugin \"fault\": invalid JSON"),
        "{}",
        message("long-waits-52")
    );
    assert!(
        message("waiting-list-size").contains("the fault plugin reports an error"),
        "{}",
        message("waiting-list-size")
    );
    assert!(stderr(&run).contains("warning: indicator \"long-waits-52\" of QUY has no data"));

    // A bad parameter is the plugin's error, named on the indicator.
    let set = std::fs::read_to_string(root().join(PLUGIN_KPI_SET))
        .unwrap()
        .replace("weeks = \"52\"", "weeks = \"a year\"");
    let set_path = dir.path().join("bad-param.toml");
    std::fs::write(&set_path, set).unwrap();
    let run = sct_with_native()
        .args(["kpi", "review", "--set"])
        .arg(&set_path)
        .args(["--data", KPI_DATA, "--org", "QUY", "--format", "json"])
        .arg("--plugin-data")
        .arg(format!("waiting-list-weekly={WAITING_LIST_CSV}"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert!(
        review_indicator(&v, "long-waits-52")["flags"][0]["message"]
            .as_str()
            .unwrap()
            .contains("parameter weeks = \"a year\" is not a whole number of weeks")
    );
}

#[test]
fn a_theory_of_change_kpi_that_is_a_plugin_measure_is_computed() {
    let dir = tempfile::tempdir().unwrap();
    let frameworks = dir.path().join("frameworks");
    std::fs::create_dir(&frameworks).unwrap();
    std::fs::copy(
        root().join(PLUGIN_KPI_SET),
        frameworks.join("waiting-list-kpis.toml"),
    )
    .unwrap();
    let toc = dir.path().join("toc.toml");
    std::fs::write(
        &toc,
        r#"kind = "theory-of-change"
id = "kpi-plugin-toc"
version = "1.0.0"
title = "A theory of change whose KPI a plugin computes"
source = "test"
status = "example"
kpi_set = "waiting-list-kpis"

[[nodes]]
id = "validation"
title = "Waiting-list validation"
type = "activity"

[[nodes]]
id = "fewer-long-waits"
title = "Fewer long waits"
type = "outcome-short"
indicators = [{ kpi = "long-waits-52", direction = "decrease" }]

[[links]]
from = "validation"
to = "fewer-long-waits"
assumption = "Validation removes pathways that should have closed."
evidence = "weak"
"#,
    )
    .unwrap();
    let run = sct_with_native()
        .arg("--framework-dir")
        .arg(&frameworks)
        .args(["toc", "report"])
        .arg(&toc)
        .args([
            "--kpi-data",
            KPI_DATA,
            "--org",
            "QUY",
            "--as-of",
            "2025-05-31",
        ])
        .args(["--format", "json", "--plugin-data"])
        .arg(format!("waiting-list-weekly={WAITING_LIST_CSV}"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let ind = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["nodes"].as_array().unwrap())
        .find(|n| n["id"] == "fewer-long-waits")
        .unwrap()["indicators"][0]
        .clone();
    assert_eq!(ind["points"], 8, "{ind}");
    assert_eq!(ind["latest_period"], "2025-W21");
    assert_eq!(
        v["provenance"]["plugins"][0]["measures"],
        serde_json::json!([
            "plugin:waiting-list-weekly/long-waits",
            "plugin:waiting-list-weekly/waiting-list-size"
        ])
    );
}

#[test]
fn a_kpi_set_naming_a_malformed_plugin_measure_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let set = std::fs::read_to_string(root().join(PLUGIN_KPI_SET))
        .unwrap()
        .replace(
            "measure = \"plugin:waiting-list-weekly/long-waits\"",
            "measure = \"plugin:waiting-list-weekly\"",
        );
    let line = set
        .lines()
        .position(|l| l == "measure = \"plugin:waiting-list-weekly\"")
        .unwrap()
        + 1;
    let set_path = dir.path().join("set.toml");
    std::fs::write(&set_path, set).unwrap();
    let run = sct()
        .args(["kpi", "review", "--set"])
        .arg(&set_path)
        .args(["--data", KPI_DATA, "--org", "QUY"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.contains("measure \"plugin:waiting-list-weekly\" does not name a plugin and a measure"),
        "{err}"
    );
    assert!(err.contains(&format!("set.toml:{line}")), "{err}");
}

/// The README: a plugin that is missing or fails leaves its indicators without data, with the
/// reason, and the review is still written, also when the plugins were its only source.
#[test]
fn a_review_whose_only_plugin_failed_is_still_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("review.json");
    // No plugin directory holds waiting-list-weekly here: it is not found.
    let run = sct()
        .args(["kpi", "review", "--set", PLUGIN_KPI_SET, "--org", "QUY"])
        .args(["--as-of", "2025-05-31", "--plugin-data"])
        .arg(format!("waiting-list-weekly={WAITING_LIST_CSV}"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(0), "{err}");
    assert!(err.contains("have no data"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let ind = review_indicator(&v, "long-waits-52");
    assert!(ind["latest"].is_null(), "{ind}");
    let flags = ind["flags"].to_string();
    assert!(
        flags.contains("waiting-list-weekly"),
        "the reason is kept: {flags}"
    );
    // Without a review date there is nothing to date it from: a usage error, nothing written.
    let undated = dir.path().join("undated.json");
    let run = sct()
        .args([
            "kpi",
            "review",
            "--set",
            PLUGIN_KPI_SET,
            "--org",
            "QUY",
            "--plugin-data",
        ])
        .arg(format!("waiting-list-weekly={WAITING_LIST_CSV}"))
        .arg("-o")
        .arg(&undated)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("--as-of"), "{}", stderr(&run));
    assert!(!undated.exists());
}
