//! End-to-end tests of outputs written into the file as they are made (reports rendered from
//! templates, CSV and JSON row by row): a template that fails half-way leaves nothing behind,
//! neither the file nor a temporary one nor half a page on standard output, and the command
//! fails naming the template.

mod common;

use common::sct;
use predicates::prelude::*;
use predicates::str::contains;

const EXAMPLE_TOC: &str = "examples/theory-of-change/bnssg-toc.toml";

#[test]
fn a_report_template_that_fails_half_way_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    // Every node is written before the template reaches a variable that does not exist.
    std::fs::write(
        templates.join("toc-report.md"),
        "# {{ title }}\n{% for c in columns %}{% for n in c.nodes %}- {{ n.id }}\n{% endfor %}{% endfor %}{{ no_such_thing.field }}\n",
    )
    .unwrap();
    let out = dir.path().join("out").join("toc.md");
    std::fs::create_dir(out.parent().unwrap()).unwrap();
    sct()
        .args(["toc", "report", EXAMPLE_TOC, "--template-dir"])
        .arg(&templates)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("toc-report.md").and(contains("no_such_thing")));
    assert_eq!(
        std::fs::read_dir(out.parent().unwrap()).unwrap().count(),
        0,
        "neither the output nor a temporary file is left"
    );
    sct()
        .args(["toc", "report", EXAMPLE_TOC, "--template-dir"])
        .arg(&templates)
        .args(["-o", "-"])
        .assert()
        .code(2)
        .stdout("");
    // The same template without the mistake writes the page.
    std::fs::write(
        templates.join("toc-report.md"),
        "# {{ title }}\n{% for c in columns %}{% for n in c.nodes %}- {{ n.id }}\n{% endfor %}{% endfor %}",
    )
    .unwrap();
    sct()
        .args(["toc", "report", EXAMPLE_TOC, "--template-dir"])
        .arg(&templates)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("# BNSSG") && text.contains("\n- "),
        "{text}"
    );
}
