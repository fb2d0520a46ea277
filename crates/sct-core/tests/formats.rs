//! Responses in JSON: read into their TOML equivalent, with errors naming the JSON path of
//! the value at fault; and the reader seam that other formats plug into.

use std::path::Path;
use std::sync::Arc;

use sct_core::derived::DerivedToml;
use sct_core::load::{FrameworkRegistry, ReadResponse, ResponseReader};
use sct_core::{Error, ResolveOptions, Sct};

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

#[test]
fn json_errors_name_the_json_path_and_all_are_reported() {
    let sct = Sct::bundled().expect("bundled");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "r.json",
        r#"{
  "round": "baseline-2026-03",
  "organisation": { "name": "N", "ods_code": "QUY" },
  "assessed": "2026-03-20",
  "capabilities": {
    "integrated-needs-assessment": { "level": "Mastered" },
    "intelligence-function": { "level": "n/a" },
    "linked-person-level-data": { "level": "embedding", "confidence": "sure" }
  }
}"#,
    );
    let Err(Error::Invalid(d)) = sct.validate_file(&path, ResolveOptions::default()) else {
        panic!("expected errors");
    };
    let errors: Vec<&str> = d
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        errors,
        [
            "capabilities.integrated-needs-assessment.level: \"Mastered\" is not a level of capability-toolkit 1.0.0",
            "capabilities.intelligence-function.level: level is n/a but no reason is given",
            "capabilities.linked-person-level-data.confidence: confidence \"sure\" is not known",
        ]
    );
    // No line of the TOML equivalent (which the user never saw) is shown.
    assert!(
        d.iter()
            .all(|d| d.location.as_ref().is_some_and(|l| l.line == 0))
    );
}

#[test]
fn json_of_the_wrong_shape_is_refused_at_its_path_or_line() {
    let sct = Sct::bundled().expect("bundled");
    let dir = tempfile::tempdir().expect("tempdir");
    let wrong_type = write(
        dir.path(),
        "t.json",
        r#"{ "framework": "capability-toolkit", "organisation": { "name": 3 } }"#,
    );
    let err = sct
        .validate_file(&wrong_type, ResolveOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("organisation.name: invalid type: integer `3`"),
        "{err}"
    );
    let broken = write(dir.path(), "b.json", "{\n  \"round\": \n}");
    let err = sct
        .validate_file(&broken, ResolveOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not valid JSON"), "{err}");
    assert!(err.contains("b.json:3:1"), "{err}");
}

/// A reader of a made-up format, to show the seam: whatever it reads is validated and
/// located like any other response.
#[derive(Debug)]
struct KeyValueReader;

impl ResponseReader for KeyValueReader {
    fn extensions(&self) -> &'static [&'static str] {
        &["kv"]
    }

    fn read(&self, path: &Path, _: &FrameworkRegistry) -> Result<ReadResponse, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            action: "read",
            source,
        })?;
        let mut doc = DerivedToml::new();
        doc.table(&["organisation"], "line 0");
        for (n, line) in text.lines().enumerate() {
            if let Some((k, v)) = line.split_once('=') {
                let keys: Vec<&str> = k.trim().split('.').collect();
                doc.set(&keys, v.trim().into(), format!("line {}", n + 1));
            }
        }
        Ok(ReadResponse {
            source: doc.into_source_of(path.display().to_string(), text.as_bytes()),
            diagnostics: Default::default(),
        })
    }
}

#[test]
fn a_registered_reader_is_used_by_extension_and_its_places_name_errors() {
    let sct = Sct::bundled()
        .expect("bundled")
        .with_reader(Arc::new(KeyValueReader));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        dir.path(),
        "r.kv",
        "framework = capability-toolkit\ncapabilities.integrated-needs-assessment.level = embedding\ncapabilities.linked-person-level-data.level = grand\n",
    );
    let err = sct
        .validate_file(&path, ResolveOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("error: line 3: \"grand\" is not a level"),
        "{err}"
    );
    std::fs::write(&path, "framework = capability-toolkit\ncapabilities.integrated-needs-assessment.level = embedding\n").unwrap();
    let report = sct
        .score_file(&path, ResolveOptions::default(), None)
        .expect("scores");
    assert_eq!(report.domains[0].summary.score, Some(3.0));
    assert!(sct.readers.is_response_file(&path));
    assert!(!sct.readers.is_response_file(Path::new("~$r.kv")));
}
