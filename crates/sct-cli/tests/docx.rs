//! The board papers as Word documents (issue 26): `sct report`, `sct plan`, `sct kpi review`
//! and `sct kpi ipr` write `-o FILE.docx` (or `--format docx`). Each document is unzipped and
//! its structure checked (headings in Word's heading styles with the board summary first,
//! tables with a repeating header row and captions, charts as PNG images with alt text, A4
//! pages numbered in the footer); two runs give the same bytes; an existing file is replaced
//! only with --force; and LibreOffice converts each to PDF where `soffice` is installed.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::Command;

use common::{EXAMPLE, root, sct};
use predicates::str::contains;

const KPIS: &str = "examples/kpi/bnssg-kpis.csv";

/// The four board papers: a name and the arguments that write it (before `-o`).
fn papers() -> Vec<(&'static str, Vec<String>)> {
    let at = |rel: &str| root().join(rel).display().to_string();
    let kpi = |cmd: &str| {
        vec![
            "kpi".into(),
            cmd.into(),
            "--set".into(),
            "scf-three-timeframes".into(),
            "--data".into(),
            at(KPIS),
            "--org".into(),
            "QUY".into(),
        ]
    };
    vec![
        ("report", vec!["report".into(), at(EXAMPLE)]),
        ("plan", vec!["plan".into(), at(EXAMPLE)]),
        ("review", kpi("review")),
        ("ipr", kpi("ipr")),
    ]
}

/// Writes one paper into `dir` as `name.docx`; returns its bytes.
fn write(dir: &Path, name: &str, args: &[String], extra: &[&str]) -> Vec<u8> {
    let file = format!("{name}.docx");
    sct()
        .current_dir(dir)
        .args(args)
        .args(["-o", &file])
        .args(extra)
        .assert()
        .success();
    std::fs::read(dir.join(file)).expect("the document")
}

/// One part of the package as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut s = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("no {name}"))
        .read_to_string(&mut s)
        .expect("UTF-8");
    s
}

/// The text of every `attr="..."` in `xml`.
fn attributes<'a>(xml: &'a str, attr: &str) -> Vec<&'a str> {
    let key = format!(" {attr}=\"");
    xml.match_indices(&key)
        .map(|(i, _)| {
            let rest = &xml[i + key.len()..];
            &rest[..rest.find('"').unwrap_or(0)]
        })
        .collect()
}

/// The texts of the paragraphs in style `style`, in order.
fn styled(xml: &str, style: &str) -> Vec<String> {
    let marker = format!("<w:pStyle w:val=\"{style}\"/>");
    xml.split("<w:p>")
        .filter(|p| p.contains(&marker))
        .map(|p| {
            p.split("<w:t xml:space=\"preserve\">")
                .skip(1)
                .filter_map(|t| t.split("</w:t>").next())
                .collect()
        })
        .collect()
}

fn check_structure(name: &str, bytes: &[u8]) {
    let doc = part(bytes, "word/document.xml");
    let h1 = styled(&doc, "Heading1");
    assert_eq!(h1.len(), 1, "{name}: one title: {h1:?}");
    let h2 = styled(&doc, "Heading2");
    let first = match name {
        "report" | "review" => "Board summary",
        "plan" => "Summary",
        _ => "Rows by icon",
    };
    assert_eq!(
        h2.first().map(String::as_str),
        Some(first),
        "{name}: {h2:?}"
    );
    assert!(h2.iter().any(|h| h == "Method"), "{name}: {h2:?}");
    assert!(!styled(&doc, "Heading3").is_empty(), "{name}");
    // Every table has a header row that repeats on each page, and a numbered caption.
    let tables = doc.matches("<w:tbl>").count();
    assert!(tables >= 2, "{name}: {tables} tables");
    assert_eq!(doc.matches("<w:tblHeader/>").count(), tables, "{name}");
    assert!(doc.contains(r"SEQ Table \* ARABIC"), "{name}");
    // Every image has alt text in words, and a caption.
    let alts = attributes(&doc, "descr");
    let images = doc.matches("<pic:pic>").count();
    assert!(images >= 1, "{name}: no chart");
    assert_eq!(
        alts.len(),
        2 * images,
        "{name}: docPr and cNvPr each carry it"
    );
    assert!(
        alts.iter().all(|a| a.split(' ').count() > 3),
        "{name}: {alts:?}"
    );
    assert!(doc.contains(r"SEQ Figure \* ARABIC"), "{name}");
    let media = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .unwrap()
        .file_names()
        .filter(|f| f.starts_with("word/media/") && f.ends_with(".png"))
        .count();
    assert_eq!(media, images, "{name}");
    // A4, turned for the IPR's wide table as its HTML prints.
    let page = if name == "ipr" {
        r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#
    } else {
        r#"<w:pgSz w:w="11906" w:h="16838"/>"#
    };
    assert!(doc.contains(page), "{name}: not A4");
    assert!(doc.contains(r#"<w:footerReference w:type="default" r:id="rIdFooter"/>"#));
    assert!(
        part(bytes, "word/footer1.xml").contains("> PAGE <"),
        "{name}"
    );
    assert!(part(bytes, "word/styles.xml").contains(r#"<w:outlineLvl w:val="0"/>"#));
}

#[test]
fn each_board_paper_is_a_word_document_with_headings_tables_charts_and_page_numbers() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in papers() {
        let bytes = write(dir.path(), name, &args, &[]);
        check_structure(name, &bytes);
    }
}

#[test]
fn the_same_inputs_give_byte_identical_documents() {
    let dir = tempfile::tempdir().unwrap();
    for (name, args) in papers() {
        let a = write(dir.path(), name, &args, &[]);
        let b = write(dir.path(), name, &args, &["--force"]);
        assert!(a == b, "{name}: two runs differ");
    }
}

#[test]
fn format_docx_is_chosen_by_name_as_well_as_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let args = &papers()[0].1;
    let by_ext = write(dir.path(), "report", args, &[]);
    sct()
        .current_dir(dir.path())
        .args(args)
        .args(["--format", "docx", "-o", "board-paper.out"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(dir.path().join("board-paper.out")).unwrap(),
        by_ext
    );
}

#[test]
fn an_existing_document_is_replaced_only_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.docx");
    std::fs::write(&path, b"yesterday's paper").unwrap();
    let args = &papers()[1].1;
    sct()
        .current_dir(dir.path())
        .args(args)
        .args(["-o", "plan.docx"])
        .assert()
        .code(2)
        .stderr(contains("already exists").and(contains("--force")));
    assert_eq!(std::fs::read(&path).unwrap(), b"yesterday's paper");
    write(dir.path(), "plan", args, &["--force"]);
    assert!(std::fs::read(&path).unwrap().starts_with(b"PK"));
}

use predicates::prelude::PredicateBooleanExt;

#[test]
fn libreoffice_opens_each_board_paper() {
    if !Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!(
            "skipped: LibreOffice (soffice) is not installed; the structure test checks the package (Debian: apt-get install libreoffice-writer)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut files = Vec::new();
    for (name, args) in papers() {
        write(d, name, &args, &[]);
        files.push(d.join(format!("{name}.docx")));
    }
    let out = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            d.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(d.join("pdf"))
        .args(&files)
        .output()
        .expect("run soffice");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, _) in papers() {
        let pdf = std::fs::read(d.join("pdf").join(format!("{name}.pdf")))
            .unwrap_or_else(|_| panic!("LibreOffice could not convert {name}.docx"));
        assert!(pdf.starts_with(b"%PDF"), "{name}");
    }
}
