//! A theory of change long enough to be parsed a batch of nodes and links at a time loads as
//! the same model, every span in place, as parsing the file whole; and a broken one is refused
//! with the same error.

use std::fmt::Write as _;

use sct_core::SourceFile;
use sct_core::load::{
    BATCH_BYTES, FrameworkRegistry, LoadedFramework, Origin, entries_found, parse_toml,
};
use sct_toc::TheoryOfChange;
use sct_toc::load::from_framework;

/// The bundled example's nodes and links, then `extra` activity nodes each linked to the
/// next: past [`BATCH_BYTES`], so the loader cuts it.
fn long_toc(extra: usize) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut text =
        std::fs::read_to_string(root.join("examples/theory-of-change/bnssg-toc.toml")).unwrap();
    for i in 0..extra {
        let _ = write!(
            text,
            "\n[[nodes]]\nid = \"extra-{i}\"\ntitle = \"\"\"An extra activity,\n[[nodes]] on a line of its own\"\"\"\ntype = \"activity\"\n"
        );
    }
    for i in 1..extra {
        let _ = write!(
            text,
            "\n[[links]]\nfrom = \"extra-{}\"\nto = \"extra-{i}\"\nassumption = \"Because # not a comment\"\nevidence = \"weak\"\n",
            i - 1
        );
    }
    text
}

fn load(text: &str) -> Result<TheoryOfChange, String> {
    let src = SourceFile::from_text("long.toml", text);
    let fw =
        LoadedFramework::parse(src, Origin::File("long.toml".into())).map_err(|d| d.to_string())?;
    let registry = FrameworkRegistry::bundled().unwrap();
    from_framework(&fw, &registry)
        .map(|l| l.toc)
        .map_err(|e| e.to_string())
}

#[test]
fn a_long_theory_of_change_loads_as_the_whole_file_parses_with_every_span_in_place() {
    let text = long_toc(12_000);
    assert!(text.len() > BATCH_BYTES, "{} bytes", text.len());
    // Cut before every node and link (not parsed whole after all).
    assert_eq!(entries_found(&text), Some(37 + 59 + 12_000 + 11_999));
    let batched = load(&text).expect("loads");
    let whole: TheoryOfChange = parse_toml(&SourceFile::from_text("long.toml", &text)).unwrap();
    assert_eq!(batched, whole);
    let spans = |t: &TheoryOfChange| -> Vec<std::ops::Range<usize>> {
        t.nodes.iter().map(|n| n.id.span()).collect()
    };
    assert_eq!(spans(&batched), spans(&whole));
    let last = batched.nodes.last().unwrap();
    assert_eq!(&text[last.id.span()], "\"extra-11999\"");
}

#[test]
fn a_long_broken_theory_of_change_is_refused_with_the_whole_files_error() {
    let text = long_toc(12_000).replace("id = \"extra-11000\"", "id = \"extra-11000\"\nwhat = 1");
    let src = SourceFile::from_text("long.toml", &text);
    let whole = parse_toml::<TheoryOfChange>(&src).unwrap_err().to_string();
    let err = load(&text).unwrap_err();
    assert!(err.contains("unknown field `what`"), "{err}");
    assert_eq!(err, whole);
}
