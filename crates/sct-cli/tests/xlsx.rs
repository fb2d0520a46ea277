//! End-to-end tests of the Excel round trip (issue 9): `sct template -o x.xlsx`, every command
//! reading a filled workbook, the acceptance's three errors with their cells and exit status 2,
//! `sct convert` both ways without loss, `sct score --format xlsx`, and a workbook saved by
//! LibreOffice (a committed fixture, and a live conversion when `soffice` is installed).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx};
use common::{EXAMPLE, root, sct};
use predicates::str::contains;
use sct_core::model::ResponseType;

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// Runs `sct ARGS` expecting success; returns standard output.
fn ok(args: &[&str], dir: &Path) -> String {
    let out = sct().current_dir(dir).args(args).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

fn example() -> String {
    root().join(EXAMPLE).display().to_string()
}

/// A converted TOML without its first comment line (it names the input file and checksum).
fn body(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("read");
    text.lines()
        .skip_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The score JSON without what names the input file.
fn score_of(path: &Path, dir: &Path) -> serde_json::Value {
    let text = ok(
        &["score", &path.display().to_string(), "--format", "json"],
        dir,
    );
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["provenance"]["response"] = serde_json::Value::Null;
    v["warnings"] = serde_json::Value::Null;
    v
}

#[test]
fn template_xlsx_is_a_protected_workbook_with_a_sheet_per_domain_and_reruns_identically() {
    let dir = tmp();
    ok(
        &["template", "baseline-2026-03", "-o", "a.xlsx"],
        dir.path(),
    );
    ok(
        &[
            "template",
            "baseline-2026-03",
            "--format",
            "xlsx",
            "-o",
            "b.xlsx",
        ],
        dir.path(),
    );
    let a = std::fs::read(dir.path().join("a.xlsx")).unwrap();
    assert_eq!(a, std::fs::read(dir.path().join("b.xlsx")).unwrap());
    let mut book: Xlsx<_> = calamine::open_workbook(dir.path().join("a.xlsx")).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "Instructions");
    assert_eq!(names[1], "Organisation");
    assert_eq!(names[2], "3.1 Understanding local context");
    assert_eq!(names.len(), 2 + 11 + 2, "{names:?}");
    assert!(names.contains(&"Milestones".to_string()));
    let meta = book
        .sheets_metadata()
        .iter()
        .find(|s| s.name == "sct")
        .expect("metadata sheet")
        .clone();
    assert_eq!(meta.visible, calamine::SheetVisible::Hidden);
    let sheet = book
        .worksheet_range("3.1 Understanding local context")
        .unwrap();
    let header: Vec<String> = (0..14)
        .map(|c| {
            sheet
                .get_value((3, c))
                .map(|d| d.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        header,
        [
            "Capability id",
            "Capability",
            "1 Starting out",
            "2 Developing",
            "3 Embedding",
            "4 Advancing",
            "5 Mastering",
            "Level",
            "Confidence",
            "Reason if n/a",
            "Evidence (one item a line)",
            "Target level",
            "Target date",
            "Rationale"
        ]
    );
    assert_eq!(
        sheet.get_value((4, 0)),
        Some(&Data::String("integrated-needs-assessment".into()))
    );
    // The sheet XML carries the protection, the dropdowns and the frozen panes.
    let xml = unzip_entry(&dir.path().join("a.xlsx"), "xl/worksheets/sheet3.xml");
    assert!(xml.contains("<sheetProtection"), "no sheet protection");
    assert!(!xml.contains("password"), "protected with a password");
    assert!(
        xml.contains("\"Starting out,Developing,Embedding,Advancing,Mastering,n/a\""),
        "no level dropdown"
    );
    assert!(xml.contains("type=\"date\""), "no date validation");
    assert!(xml.contains("state=\"frozen\""), "no frozen header");
    let styles = unzip_entry(&dir.path().join("a.xlsx"), "xl/styles.xml");
    assert!(styles.contains("locked=\"0\""), "no unlocked answer cells");
    // The TOML template is still the default.
    ok(
        &["template", "baseline-2026-03", "-o", "t.toml"],
        dir.path(),
    );
    assert!(
        std::fs::read_to_string(dir.path().join("t.toml"))
            .unwrap()
            .contains("[capabilities.integrated-needs-assessment]")
    );
}

/// One part of a workbook (an xlsx file is a zip archive of XML parts), as text.
fn unzip_entry(path: &Path, entry: &str) -> String {
    let file = std::fs::File::open(path).expect("open");
    let mut zip = zip::ZipArchive::new(file).expect("a zip archive");
    let mut part = zip.by_name(entry).unwrap_or_else(|_| panic!("no {entry}"));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut part, &mut text).expect("UTF-8 XML");
    text
}

/// The baseline round's frameworks, for building workbooks in the tests.
fn with_baseline<T>(f: impl FnOnce(&sct_core::validate::ResolvedFrameworks<'_>) -> T) -> T {
    let sct = sct_core::Sct::bundled().expect("bundled");
    let src =
        sct_core::SourceFile::from_text("r.toml", "round = \"baseline-2026-03\"\n[organisation]\n");
    let doc = sct_core::load::parse_toml::<sct_core::model::ResponseDoc>(&src).expect("parses");
    let fw = sct_core::validate::resolve_frameworks(&src, &doc, &sct.registry).expect("resolves");
    f(&fw)
}

/// A blank template with some answers typed in: (capability, field, text).
fn filled(answers: &[(&str, &str, &str)], dir: &Path, name: &str) -> PathBuf {
    let bytes = with_baseline(|fw| {
        let (mut book, _) =
            sct_xlsx::build_workbook(fw, ResponseType::Organisation, None).expect("template");
        let (r, c) =
            sct_xlsx::write::detail_cell(ResponseType::Organisation, "organisation.ods_code")
                .unwrap();
        book.worksheet_from_name("Organisation")
            .unwrap()
            .write_string(r, c, "QUY")
            .unwrap();
        for (cap, field, text) in answers {
            let (sheet, r, c) =
                sct_xlsx::write::answer_cell(fw.toolkit, ResponseType::Organisation, cap, field)
                    .expect("a row");
            book.worksheet_from_name(&sheet)
                .unwrap()
                .write_string(r, c, *text)
                .unwrap();
        }
        book.save_to_buffer().expect("saves")
    });
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn acceptance_one_bad_level_one_bad_date_one_missing_reason_give_three_located_errors_and_exit_2() {
    let dir = tmp();
    filled(
        &[
            ("integrated-needs-assessment", "level", "Mastered"),
            ("linked-person-level-data", "level", "Developing"),
            ("linked-person-level-data", "target_date", "31/13/2027"),
            ("intelligence-function", "level", "n/a"),
        ],
        dir.path(),
        "baseline.xlsx",
    );
    let out = sct()
        .current_dir(dir.path())
        .args(["validate", "baseline.xlsx"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 3, "{stderr}");
    assert!(
        errors
            .iter()
            .all(|e| e.starts_with("error: '3.1 Understanding local context'!")),
        "{stderr}"
    );
    insta::assert_snapshot!("xlsx_three_errors", stderr);

    // The same in JSON, for tools.
    let out = sct()
        .current_dir(dir.path())
        .args(["validate", "baseline.xlsx", "--format", "json"])
        .assert()
        .code(2);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let messages: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 3);
    assert!(
        messages.contains(
            &"'3.1 Understanding local context'!M6: \"31/13/2027\" has no month 13: dates are read day first"
        ),
        "{messages:?}"
    );

    // score and report refuse it the same way.
    sct()
        .current_dir(dir.path())
        .args(["score", "baseline.xlsx"])
        .assert()
        .code(2)
        .stderr(contains("'3.1 Understanding local context'!H5"));
    sct()
        .current_dir(dir.path())
        .args(["report", "baseline.xlsx", "-o", "r.html"])
        .assert()
        .code(2);
    assert!(!dir.path().join("r.html").exists());
}

#[test]
fn every_command_taking_a_response_reads_a_filled_workbook_as_it_reads_the_toml() {
    let dir = tmp();
    let d = dir.path();
    ok(&["convert", &example(), "-o", "bnssg.xlsx"], d);
    let xlsx = d.join("bnssg.xlsx");
    assert_eq!(score_of(&xlsx, d), score_of(&root().join(EXAMPLE), d));
    assert!(
        ok(&["validate", "bnssg.xlsx"], d)
            .contains("bnssg.xlsx: valid (capability-toolkit 1.0.0); coverage 48 of 49")
    );
    ok(&["report", "bnssg.xlsx", "-o", "report.html"], d);
    let html = std::fs::read_to_string(d.join("report.html")).unwrap();
    assert!(html.contains("Bristol"));
    ok(&["plan", "bnssg.xlsx", "-o", "plan.json"], d);
    ok(&["chart", "radar", "bnssg.xlsx", "-o", "radar.svg"], d);
    // Same report as from the TOML, apart from the provenance naming the input.
    ok(&["report", &example(), "-o", "report-toml.md"], d);
    ok(&["report", "bnssg.xlsx", "-o", "report-xlsx.md"], d);
    let strip = |p: &str| {
        std::fs::read_to_string(d.join(p))
            .unwrap()
            .lines()
            .filter(|l| {
                !l.contains("sha256") && !l.contains("bnssg") && !l.contains("bnssg-illustrative")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip("report-toml.md"), strip("report-xlsx.md"));
}

#[test]
fn convert_loses_nothing_between_toml_xlsx_and_json_both_ways() {
    let dir = tmp();
    let d = dir.path();
    ok(&["convert", &example(), "-o", "a.toml"], d);
    ok(&["convert", &example(), "-o", "b.xlsx"], d);
    ok(&["convert", "b.xlsx", "-o", "c.toml"], d);
    ok(&["convert", &example(), "-o", "d.json"], d);
    ok(&["convert", "d.json", "-o", "e.toml"], d);
    ok(&["convert", "c.toml", "-o", "f.xlsx"], d);
    ok(&["convert", "b.xlsx", "-o", "g.json"], d);
    // TOML -> xlsx -> TOML and TOML -> JSON -> TOML give the TOML of the original.
    assert_eq!(body(&d.join("a.toml")), body(&d.join("c.toml")));
    assert_eq!(body(&d.join("a.toml")), body(&d.join("e.toml")));
    // xlsx -> TOML -> xlsx gives the same workbook, byte for byte; xlsx -> JSON the same JSON.
    assert!(std::fs::read(d.join("b.xlsx")).unwrap() == std::fs::read(d.join("f.xlsx")).unwrap());
    assert_eq!(
        std::fs::read_to_string(d.join("d.json")).unwrap(),
        std::fs::read_to_string(d.join("g.json")).unwrap()
    );
    // And every one scores as the original.
    let original = score_of(&root().join(EXAMPLE), d);
    for f in ["a.toml", "b.xlsx", "c.toml", "d.json", "f.xlsx"] {
        assert_eq!(score_of(&d.join(f), d), original, "{f}");
    }
    let toml = std::fs::read_to_string(d.join("c.toml")).unwrap();
    assert!(toml.starts_with("# Converted by sct"), "{toml}");
    assert!(toml.contains("assessed = 2026-03-20\n"), "{toml}");
}

#[test]
fn convert_refuses_invalid_input_unknown_formats_and_overwriting() {
    let dir = tmp();
    let d = dir.path();
    filled(
        &[("integrated-needs-assessment", "level", "Mastered")],
        d,
        "bad.xlsx",
    );
    sct()
        .current_dir(d)
        .args(["convert", "bad.xlsx", "-o", "bad.toml"])
        .assert()
        .code(2)
        .stderr(contains(
            "'3.1 Understanding local context'!H5: \"Mastered\" is not a level",
        ));
    assert!(!d.join("bad.toml").exists());
    sct()
        .current_dir(d)
        .args(["convert", &example(), "-o", "x.txt"])
        .assert()
        .code(2)
        .stderr(contains("cannot tell the output format from \".txt\""));
    ok(&["convert", &example(), "-o", "x.xlsx"], d);
    sct()
        .current_dir(d)
        .args(["convert", &example(), "-o", "x.xlsx"])
        .assert()
        .code(2)
        .stderr(contains("already exists"));
    sct()
        .current_dir(d)
        .args(["convert", "x.xlsx", "-o", "x.xlsx", "--force"])
        .assert()
        .code(2)
        .stderr(contains("one of the inputs"));
    sct()
        .current_dir(d)
        .args(["convert", "missing.xlsx", "-o", "y.toml"])
        .assert()
        .code(2);
    std::fs::write(d.join("junk.xlsx"), b"not a workbook").unwrap();
    sct()
        .current_dir(d)
        .args(["validate", "junk.xlsx"])
        .assert()
        .code(2)
        .stderr(contains("cannot open it as an Excel workbook"));
}

#[test]
fn score_as_xlsx_has_the_scores_as_numbers() {
    let dir = tmp();
    let d = dir.path();
    ok(&["score", &example(), "-o", "score.xlsx"], d);
    ok(
        &["score", &example(), "--format", "xlsx", "-o", "again.xlsx"],
        d,
    );
    assert!(
        std::fs::read(d.join("score.xlsx")).unwrap()
            == std::fs::read(d.join("again.xlsx")).unwrap()
    );
    let json = score_of(&root().join(EXAMPLE), d);
    let mut book: Xlsx<_> = calamine::open_workbook(d.join("score.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Summary",
            "Capabilities",
            "Milestones",
            "Method",
            "Provenance"
        ]
    );
    let summary = book.worksheet_range("Summary").unwrap();
    assert_eq!(
        summary.get_value((0, 5)),
        Some(&Data::String("Score".into()))
    );
    let overall = match summary.get_value((1, 5)) {
        Some(Data::Float(f)) => *f,
        other => panic!("overall score is {other:?}"),
    };
    assert_eq!(Some(overall), json["overall"]["score"].as_f64());
    assert_eq!(
        summary.get_value((2, 1)),
        Some(&Data::String("understanding-context".into()))
    );
    let caps = book.worksheet_range("Capabilities").unwrap();
    assert_eq!(caps.height(), 1 + 50);
    let milestones = book.worksheet_range("Milestones").unwrap();
    assert!(
        matches!(milestones.get_value((1, 2)), Some(Data::DateTime(_))),
        "due dates are dates"
    );
}

#[test]
fn individual_self_assessments_may_be_workbooks() {
    let dir = tmp();
    let d = dir.path();
    let people = d.join("people");
    std::fs::create_dir(&people).unwrap();
    let source = root().join("examples/individuals/bnssg");
    let mut names: Vec<_> = std::fs::read_dir(&source)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for (i, p) in names.iter().enumerate() {
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if i % 2 == 0 {
            ok(
                &[
                    "convert",
                    &p.display().to_string(),
                    "-o",
                    &people.join(format!("{name}.xlsx")).display().to_string(),
                ],
                d,
            );
        } else {
            std::fs::copy(p, people.join(format!("{name}.toml"))).unwrap();
        }
    }
    // An Excel lock file beside them is not a self-assessment.
    std::fs::write(people.join("~$person-01.xlsx"), b"lock").unwrap();
    ok(
        &[
            "report",
            &example(),
            "--individuals",
            "people",
            "-o",
            "mixed.md",
        ],
        d,
    );
    ok(
        &[
            "report",
            &example(),
            "--individuals",
            &source.display().to_string(),
            "-o",
            "toml.md",
        ],
        d,
    );
    let strip = |p: &str| {
        std::fs::read_to_string(d.join(p))
            .unwrap()
            .lines()
            .filter(|l| !l.contains("sha256"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip("mixed.md"), strip("toml.md"));
    ok(
        &[
            "template",
            "baseline-2026-03",
            "--individual",
            "-o",
            "me.xlsx",
        ],
        d,
    );
    assert!(ok(&["validate", "me.xlsx"], d).contains("valid"));
}

/// The score of the committed LibreOffice-saved fixture is the example's.
#[test]
fn a_workbook_saved_by_libreoffice_reads_the_same() {
    let dir = tmp();
    let fixture = root().join("crates/sct-cli/tests/fixtures/xlsx/bnssg-libreoffice.xlsx");
    assert_eq!(
        score_of(&fixture, dir.path()),
        score_of(&root().join(EXAMPLE), dir.path())
    );
    ok(
        &[
            "convert",
            &fixture.display().to_string(),
            "-o",
            "from-libreoffice.toml",
        ],
        dir.path(),
    );
    ok(&["convert", &example(), "-o", "from-toml.toml"], dir.path());
    assert_eq!(
        body(&dir.path().join("from-libreoffice.toml")),
        body(&dir.path().join("from-toml.toml"))
    );
}

/// The same, live: sct writes the workbook, LibreOffice saves it again, sct reads it.
#[test]
fn a_workbook_saved_by_libreoffice_now_reads_the_same() {
    let Some(soffice) = ["soffice", "libreoffice"].iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        eprintln!(
            "skipped: LibreOffice (soffice) is not installed; the committed fixture crates/sct-cli/tests/fixtures/xlsx/bnssg-libreoffice.xlsx covers this (Debian: apt-get install libreoffice-calc)"
        );
        return;
    };
    let dir = tmp();
    let d = dir.path();
    ok(&["convert", &example(), "-o", "bnssg.xlsx"], d);
    let out = d.join("lo");
    let profile = d.join("profile");
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args([
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
        ])
        .arg(&out)
        .arg(d.join("bnssg.xlsx"))
        .output()
        .expect("run soffice");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let saved = out.join("bnssg.xlsx");
    assert!(std::fs::read(&saved).unwrap() != std::fs::read(d.join("bnssg.xlsx")).unwrap());
    assert_eq!(score_of(&saved, d), score_of(&root().join(EXAMPLE), d));
    ok(
        &["convert", &saved.display().to_string(), "-o", "back.toml"],
        d,
    );
    ok(&["convert", &example(), "-o", "direct.toml"], d);
    assert_eq!(body(&d.join("back.toml")), body(&d.join("direct.toml")));
}

/// `path`'s workbook with one part's text changed by `edit` (an xlsx file is a zip archive).
fn edit_part(path: &Path, name: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).expect("open")).expect("a zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).expect("an entry");
        let entry = file.name().to_string();
        let mut content = Vec::new();
        file.read_to_end(&mut content).expect("reads");
        if entry == name {
            let text = String::from_utf8(content).expect("UTF-8 XML");
            content = edit(text).into_bytes();
        }
        out.start_file(entry.as_str(), options).expect("starts");
        out.write_all(&content).expect("writes");
    }
    out.finish().expect("finishes").into_inner()
}

#[test]
fn a_workbook_with_a_cell_past_excels_limits_or_a_bomb_exits_2_naming_the_file_sheet_and_cell() {
    let dir = tmp();
    let d = dir.path();
    ok(&["template", "baseline-2026-03", "-o", "t.xlsx"], d);
    let cells = [
        (
            r#"<row r="40"><c r="XFE40" t="inlineStr"><is><t>x</t></is></c></row>"#,
            "error: '3.1 Understanding local context': cell XFE40 is past Excel's last column (XFD)",
        ),
        (
            r#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>"#,
            "error: '3.1 Understanding local context'!XFD1048576: a value past the last row a response workbook uses",
        ),
        (
            r#"<row r="5"><c r="H40" t="s"><v>-1</v></c></row>"#,
            "error: '3.1 Understanding local context'!H40: \"-1\" is not the index of one of the workbook's",
        ),
    ];
    for (i, (xml, error)) in cells.iter().enumerate() {
        let bytes = edit_part(&d.join("t.xlsx"), "xl/worksheets/sheet3.xml", |sheet| {
            sheet.replace("</sheetData>", &format!("{xml}</sheetData>"))
        });
        let name = format!("bad-{i}.xlsx");
        std::fs::write(d.join(&name), bytes).unwrap();
        sct()
            .current_dir(d)
            .args(["validate", &name])
            .assert()
            .code(2)
            .stderr(contains(*error))
            .stderr(contains(format!("  --> {name}")));
    }
    // A shared-strings part inflating to gigabytes is refused by its size, before it is read.
    let bomb = edit_part(&d.join("t.xlsx"), "xl/sharedStrings.xml", |sst| {
        sst.replace(
            "</sst>",
            &format!("<si><t>{}</t></si></sst>", "a".repeat(40 << 20)),
        )
    });
    assert!(bomb.len() < 1 << 20, "the bomb is {} bytes", bomb.len());
    std::fs::write(d.join("bomb.xlsx"), bomb).unwrap();
    sct()
        .current_dir(d)
        .args(["score", "bomb.xlsx"])
        .assert()
        .code(2)
        .stderr(contains("error: xl/sharedStrings.xml decompresses to"))
        .stderr(contains(
            "a part of a response workbook has at most 33554432",
        ));
}

#[test]
fn convert_keeps_line_breaks_empty_items_and_long_text_through_the_workbook() {
    let dir = tmp();
    let d = dir.path();
    ok(&["convert", &example(), "-o", "a.json"], d);
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("a.json")).unwrap()).unwrap();
    let first = v["capabilities"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .next()
        .unwrap();
    first["evidence"] = serde_json::json!(["one\nitem", "", "  ", "\"quoted\"", "=1+1"]);
    first["rationale"] = serde_json::json!("A reason\r\n".repeat(5000));
    v["notice"] = serde_json::json!("\tDraft\u{7}");
    std::fs::write(d.join("b.json"), serde_json::to_string(&v).unwrap()).unwrap();
    ok(&["convert", "b.json", "-o", "c.xlsx"], d);
    ok(&["convert", "c.xlsx", "-o", "d.json"], d);
    ok(&["convert", "b.json", "-o", "e.json"], d);
    assert_eq!(
        std::fs::read_to_string(d.join("d.json")).unwrap(),
        std::fs::read_to_string(d.join("e.json")).unwrap()
    );
}

#[test]
fn convert_refuses_a_response_no_workbook_can_carry_with_exit_2_naming_the_field() {
    let dir = tmp();
    let d = dir.path();
    ok(&["convert", &example(), "-o", "a.json"], d);
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("a.json")).unwrap()).unwrap();
    let (id, first) = v["capabilities"]
        .as_object_mut()
        .unwrap()
        .iter_mut()
        .next()
        .unwrap();
    let id = id.clone();
    // More than the "More text" sheet's rows can carry, at a cell's worth a row.
    let length = 20_000_000;
    first["rationale"] = serde_json::json!("a".repeat(length));
    std::fs::write(d.join("big.json"), serde_json::to_string(&v).unwrap()).unwrap();
    sct()
        .current_dir(d)
        .args(["convert", "big.json", "-o", "big.xlsx"])
        .assert()
        .code(2)
        .stderr(contains(format!(
            "capabilities.{id}.rationale ({length} characters)"
        )));
    assert!(!d.join("big.xlsx").exists());
}
