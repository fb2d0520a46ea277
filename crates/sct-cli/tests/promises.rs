//! The README's table of promises names the tests that hold each promise: every name must
//! be a test in the repository, so the table cannot point at a test that was renamed or
//! removed.

mod common;

use std::path::Path;

use common::root;

/// The test names (in backticks, snake case with an underscore) in the promises table.
fn named_tests() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("## What `sct` promises")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has a promises section");
    let mut names = Vec::new();
    for row in section.lines().filter(|l| l.starts_with("| ")) {
        let held_by = row.trim_end_matches('|').rsplit('|').next().unwrap_or("");
        for (i, part) in held_by.split('`').enumerate() {
            let is_name = i % 2 == 1
                && part.contains('_')
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit());
            if is_name {
                names.push(part.to_string());
            }
        }
    }
    names
}

/// Every Rust source file under `dir`.
fn sources(dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn every_test_the_readme_promises_name_exists() {
    let names = named_tests();
    assert!(names.len() >= 20, "{names:?}");
    let mut texts = Vec::new();
    sources(&root().join("crates"), &mut texts);
    sources(&root().join("tests"), &mut texts);
    for name in names {
        let defined = texts.iter().any(|t| {
            t.match_indices(&format!("fn {name}")).any(|(i, m)| {
                !t[i + m.len()..].starts_with(|c: char| c == '_' || c.is_alphanumeric())
            })
        });
        assert!(
            defined,
            "the README names `{name}`, which is no test in crates/ or tests/"
        );
    }
}
