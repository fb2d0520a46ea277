//! Property tests of the checker on random graphs: it never panics, a reported cycle really
//! is a cycle (each link ends where the next begins, and the last returns to the first), and
//! a graph without cycles reports none and has a topological order.

use proptest::prelude::*;
use sct_core::SourceFile;
use sct_toc::check::check;
use sct_toc::graph::Graph;
use sct_toc::model::TheoryOfChange;

const TYPES: [&str; 7] = [
    "input",
    "activity",
    "output",
    "outcome-short",
    "outcome-medium",
    "outcome-long",
    "impact",
];

fn toc_text(types: &[usize], links: &[(usize, usize)], dangling: bool) -> String {
    let mut s = String::from(
        "kind = \"theory-of-change\"\nid = \"p\"\nversion = \"1\"\ntitle = \"P\"\nsource = \"s\"\nstatus = \"example\"\n",
    );
    for (i, t) in types.iter().enumerate() {
        s.push_str(&format!(
            "[[nodes]]\nid = \"n{i}\"\ntitle = \"N{i}\"\ntype = \"{}\"\n",
            TYPES[*t]
        ));
    }
    for (a, b) in links {
        s.push_str(&format!("[[links]]\nfrom = \"n{a}\"\nto = \"n{b}\"\n"));
    }
    if dangling {
        s.push_str("[[links]]\nfrom = \"n0\"\nto = \"nowhere\"\n");
    }
    s
}

fn graph_case() -> impl Strategy<Value = (Vec<usize>, Vec<(usize, usize)>, bool)> {
    (1usize..25).prop_flat_map(|n| {
        (
            proptest::collection::vec(0usize..7, n),
            proptest::collection::vec((0..n, 0..n), 0..60),
            any::<bool>(),
        )
    })
}

proptest! {
    #[test]
    fn the_checker_never_panics_and_cycles_are_real((types, links, dangling) in graph_case()) {
        let text = toc_text(&types, &links, dangling);
        let src = SourceFile::from_text("p.toml", text);
        let toc: TheoryOfChange = sct_core::load::parse_toml(&src).expect("generated files parse");
        let diags = check(&toc, &src, None);
        let graph = Graph::new(&toc);
        let cycles = graph.cycles();
        for cycle in &cycles {
            prop_assert!(!cycle.is_empty());
            for w in cycle.windows(2) {
                prop_assert_eq!(toc.links[w[0]].to.get_ref(), toc.links[w[1]].from.get_ref());
            }
            let (first, last) = (&toc.links[cycle[0]], &toc.links[*cycle.last().unwrap()]);
            prop_assert_eq!(last.to.get_ref(), first.from.get_ref());
        }
        let reported = diags.iter().filter(|d| d.message.starts_with("cycle: ")).count();
        prop_assert_eq!(reported, cycles.len());
        prop_assert_eq!(cycles.is_empty(), graph.topological_order().is_some());
        if dangling {
            prop_assert!(diags.iter().any(|d| d.message.contains("no node has this id")));
        }
        // Every finding names the file, and every error a line.
        for d in diags.iter() {
            let loc = d.location.as_ref();
            prop_assert_eq!(loc.map(|l| l.file.as_str()), Some("p.toml"));
            if d.is_error() {
                prop_assert!(loc.is_some_and(|l| l.line > 0), "{}", d.message);
            }
        }
    }
}
