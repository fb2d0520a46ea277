//! A long TOML document parsed a batch of entries at a time gives what parsing it whole gives:
//! the same values at the same byte offsets, or the same error. The documents mix what could
//! fool the cutting: entry headers inside strings, comments and arrays, indented headers,
//! multi-line strings ending in quotes, CRLF lines, and documents that cannot be cut (a table
//! after the entries, an entry name the preamble defines) or do not parse.

use proptest::prelude::*;
use serde::Deserialize;
use toml::Spanned;

use sct_core::SourceFile;
use sct_core::load::{entries_found, parse_in_batches_of, parse_toml};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    title: Spanned<String>,
    #[serde(default)]
    documents: Option<toml::Table>,
    #[serde(default)]
    nodes: Vec<Entry>,
    #[serde(default)]
    links: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: Spanned<String>,
    #[serde(default)]
    text: Option<Spanned<String>>,
    #[serde(default)]
    tags: Option<Vec<Vec<i64>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entries {
    #[serde(default)]
    nodes: Vec<Entry>,
    #[serde(default)]
    links: Vec<Entry>,
}

type Seen = (
    (std::ops::Range<usize>, String),
    Option<String>,
    Vec<
        Vec<(
            std::ops::Range<usize>,
            String,
            Option<(std::ops::Range<usize>, String)>,
            Option<Vec<Vec<i64>>>,
        )>,
    >,
);

/// Every value with its span, to compare two parses.
fn seen(d: Doc) -> Seen {
    let entries = |v: Vec<Entry>| {
        v.into_iter()
            .map(|e| {
                (
                    e.id.span(),
                    e.id.into_inner(),
                    e.text.map(|t| (t.span(), t.into_inner())),
                    e.tags,
                )
            })
            .collect()
    };
    (
        (d.title.span(), d.title.into_inner()),
        d.documents.map(|t| t.to_string()),
        vec![entries(d.nodes), entries(d.links)],
    )
}

/// One entry, with what could fool the cutting inside it.
fn entry() -> impl Strategy<Value = String> {
    let id = "[a-z\\[\\]\"' #]{0,12}".prop_map(|s| format!("id = {}\n", toml::Value::from(s)));
    let text = prop_oneof![
        Just(""),
        Just("text = \"\"\"\n[[nodes]]\nid = \"not an entry\"\n\"\"\"\"\n"),
        Just("text = '''\n[[links]]\n'''''\n"),
        Just("text = \"a \\\" [[nodes]] b\"\r\n"),
    ];
    let tags = prop_oneof![Just(""), Just("tags = [\n[1, 2],\n  [3], # ]\n]\n")];
    let before = prop_oneof![Just(""), Just("# [[nodes]] in a comment\n"), Just("\n\n")];
    (
        before,
        prop_oneof![Just("nodes"), Just("links")],
        prop_oneof![Just(""), Just("  "), Just("\t")],
        id,
        text,
        tags,
    )
        .prop_map(|(before, name, indent, id, text, tags)| {
            format!("{before}{indent}[[{name}]] # entry\n{id}{text}{tags}")
        })
}

/// What makes a document impossible to cut, or to parse.
fn breaker() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("[other]\nx = 1\n"),
        Just("unknown = 1\n"),
        Just("id = \"twice\"\n"),
        Just("text = \"unterminated\n"),
        Just("[[nodes.sub]]\nx = 1\n"),
        Just("x = ]\n"),
    ]
}

fn document() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("title = \"T\"\n"),
            Just("title = \"T\"\n[documents]\nd = { title = \"D\" }\n"),
            Just("title = \"T\"\nnodes = []\n"),
            Just(""),
        ],
        proptest::collection::vec(entry(), 0..40),
        proptest::option::weighted(0.2, (any::<prop::sample::Index>(), breaker())),
    )
        .prop_map(|(head, mut entries, breaker)| {
            if let Some((at, piece)) = breaker {
                let at = at.index(entries.len() + 1);
                entries.insert(at, piece.to_string());
            }
            format!("{head}{}", entries.concat())
        })
}

fn add(doc: &mut Doc, e: Entries) {
    doc.nodes.extend(e.nodes);
    doc.links.extend(e.links);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn a_document_parsed_in_batches_is_the_document_parsed_whole(
        text in document(),
        batch in 1usize..200,
    ) {
        let src = SourceFile::from_text("d.toml", &text);
        let whole = parse_toml::<Doc>(&src);
        let batched = parse_in_batches_of::<Doc, Entries>(&src, batch, add);
        match (whole, batched) {
            (Ok(w), Ok(b)) => {
                // A document the whole parse takes, with no table after its entries and no
                // entry name in its preamble, is cut before every entry.
                let cuttable = !text.contains("[other]") && !text.contains("nodes = []");
                if cuttable {
                    prop_assert_eq!(entries_found(&text), Some(w.nodes.len() + w.links.len()));
                }
                prop_assert_eq!(seen(w), seen(b));
            }
            (Err(w), Err(b)) => prop_assert_eq!(w.to_string(), b.to_string()),
            (w, b) => prop_assert!(false, "whole {:?}, batched {:?}", w.map(seen), b.map(seen)),
        }
    }
}

#[test]
fn a_long_document_is_cut_into_batches_with_every_span_in_place() {
    let mut text = String::from("title = \"T\"\n");
    for i in 0..2_000 {
        text.push_str(&format!(
            "[[nodes]]\nid = \"n{i}\"\n[[links]]\nid = \"l{i}\"\n"
        ));
    }
    let src = SourceFile::from_text("d.toml", &text);
    let doc = parse_in_batches_of::<Doc, Entries>(&src, 1_000, add).unwrap();
    assert_eq!((doc.nodes.len(), doc.links.len()), (2_000, 2_000));
    let last = &doc.links[1_999].id;
    assert_eq!(&text[last.span()], "\"l1999\"");
}
