//! Theory-of-change benchmarks on a generated theory of 2,000 nodes and 6,000 links (acyclic,
//! every link forward in the chain): the layout alone, the layout and SVG drawing, and the
//! DOT and Mermaid exports.
//!
//! `cargo bench -p sct-toc --bench toc -- --warm-up-time 1 --measurement-time 2`

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use sct_core::SourceFile;
use sct_report::toc_diagram::toc_svg;
use sct_toc::TheoryOfChange;
use sct_toc::export::{to_dot, to_mermaid};
use sct_toc::graph::Graph;
use sct_toc::layout::{crossings, layout};

const TYPES: [&str; 7] = [
    "input",
    "activity",
    "output",
    "outcome-short",
    "outcome-medium",
    "outcome-long",
    "impact",
];

/// A deterministic theory of change: `nodes` nodes spread over the seven types, `links`
/// distinct links each from one type to the next (four in five) or the one after.
fn generated(nodes: usize, links: usize) -> TheoryOfChange {
    sct_core::load::parse_toml(&SourceFile::from_text(
        "generated.toml",
        generated_text(nodes, links),
    ))
    .expect("the generated theory of change parses")
}

/// The text of [`generated`].
fn generated_text(nodes: usize, links: usize) -> String {
    let mut text = String::from(
        "kind = \"theory-of-change\"\nid = \"generated\"\nversion = \"1\"\ntitle = \"Generated theory of change\"\nsource = \"bench\"\nstatus = \"example\"\n",
    );
    let type_of = |i: usize| i * TYPES.len() / nodes;
    let mut by_type: Vec<Vec<usize>> = vec![Vec::new(); TYPES.len()];
    for i in 0..nodes {
        let t = type_of(i);
        by_type[t].push(i);
        let _ = write!(
            text,
            "[[nodes]]\nid = \"n{i}\"\ntitle = \"Node {i}: a {} with a title long enough to wrap\"\ntype = \"{}\"\n",
            TYPES[t], TYPES[t]
        );
    }
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut seen = BTreeSet::new();
    let evidence = ["none", "weak", "moderate", "strong"];
    while seen.len() < links {
        let a = next(nodes);
        let t = type_of(a);
        if t + 1 >= TYPES.len() {
            continue;
        }
        let step = if next(5) == 0 && t + 2 < TYPES.len() {
            2
        } else {
            1
        };
        let targets = &by_type[t + step];
        let b = targets[next(targets.len())];
        if seen.insert((a, b)) {
            let _ = write!(
                text,
                "[[links]]\nfrom = \"n{a}\"\nto = \"n{b}\"\nassumption = \"Because\"\nevidence = \"{}\"\n",
                evidence[next(4)]
            );
        }
    }
    text
}

fn toc(c: &mut Criterion) {
    let t = generated(2_000, 6_000);
    let g = Graph::new(&t);
    assert!(g.topological_order().is_some(), "acyclic");
    let l = layout(&t, &g);
    eprintln!(
        "generated ToC: {} nodes, {} links, {} crossings after ordering",
        t.nodes.len(),
        t.links.len(),
        crossings(&l)
    );
    let mut group = c.benchmark_group("toc 2000 nodes 6000 links");
    group.sample_size(10);
    group.bench_function("layout", |b| {
        b.iter(|| layout(black_box(&t), black_box(&g)))
    });
    group.bench_function("layout + SVG", |b| {
        b.iter(|| toc_svg(black_box(&t), black_box(&g), None).expect("svg"))
    });
    group.bench_function("DOT + Mermaid", |b| {
        b.iter(|| (to_dot(black_box(&t), None), to_mermaid(black_box(&t), None)))
    });
    // Check and report from the file's text: parse, check (cycles, reachability, every
    // warning), metrics, statuses and the report content.
    let registry = sct_core::load::FrameworkRegistry::bundled().expect("bundled frameworks");
    let text = generated_text(2_000, 6_000);
    group.bench_function(
        "check + report (parse, check, metrics, statuses, report)",
        |b| {
            b.iter(|| {
                let fw = sct_core::load::LoadedFramework::parse(
                    SourceFile::from_text("generated.toml", black_box(text.clone())),
                    sct_core::load::Origin::Bundled,
                )
                .expect("parses");
                let loaded = sct_toc::load::from_framework(&fw, &registry).expect("checks");
                sct_toc::report::build(&loaded, &sct_toc::report::ReportInputs::default())
            })
        },
    );
    group.finish();
}

criterion_group!(benches, toc);
criterion_main!(benches);
