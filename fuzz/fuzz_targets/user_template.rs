//! A user's report template (`--template-dir`): loaded (its source scanned, parsed, checked
//! for recursion) and, when it loads, rendered with a small report's data. No template may
//! panic or abort the process: each ends in a report or an error naming the template.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_report::render::Templates;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // One directory per process, its report.md rewritten for each input.
    let dir = std::env::temp_dir().join(format!("sct-fuzz-template-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    std::fs::write(dir.join("report.md"), text).expect("write the template");
    let templates = match Templates::load_only(Some(&dir), &["report.md"]) {
        Ok(t) => t,
        Err(e) => {
            assert!(e.to_string().contains("report.md"), "an error not naming the file: {e}");
            return;
        }
    };
    let data = serde_json::json!({
        "report": {
            "title": "Strategic commissioning <capability>",
            "levels": [1, 2.5, null, "n/a"],
            "domains": [{"id": "d1", "score": 2.25, "items": ["a", "b"]}, {"id": "d2", "score": null}],
            "flags": {"late": true, "note": "line one\nline two"}
        },
        "n": 3
    });
    if let Err(e) = templates.render("report.md", &data, &[]) {
        assert!(e.to_string().contains("report.md"), "an error not naming the file: {e}");
    }
});
