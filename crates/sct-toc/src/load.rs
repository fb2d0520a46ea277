//! Finding and reading a theory of change: by path or by id among the known frameworks, with
//! the KPI set it names resolved, and checked.

use std::path::Path;

use sct_core::diagnostic::{Diagnostic, Diagnostics};
use sct_core::load::{FrameworkRegistry, LoadedFramework, Origin, parse_toml_in_batches};
use sct_core::model::FrameworkKind;
use sct_core::provenance::FrameworkUsed;
use sct_core::{Error, SourceFile};
use sct_kpi::kpiset::KpiSet;

use crate::check::check;
use crate::graph::Graph;
use crate::model::{Link, Node, TheoryOfChange};

/// A theory of change read and checked, with its KPI set.
#[derive(Debug, Clone)]
pub struct LoadedToc {
    /// The theory of change.
    pub toc: TheoryOfChange,
    /// Its graph.
    pub graph: Graph,
    /// Its file, for provenance.
    pub file: FrameworkUsed,
    /// Its source text, for locating findings.
    pub source: SourceFile,
    /// The KPI set it names, when known.
    pub kpi_set: Option<(KpiSet, FrameworkUsed)>,
    /// Warnings from the check.
    pub warnings: Diagnostics,
}

/// A batch of a theory of change's entries (see [`parse_toml_in_batches`]).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entries {
    #[serde(default)]
    nodes: Vec<Node>,
    #[serde(default)]
    links: Vec<Link>,
}

/// Parses a theory of change's text. A long one is parsed a batch of nodes and links at a
/// time ([`parse_toml_in_batches`]): its memory grows with the model kept, not with the toml
/// crate's tree of the whole file; the model and errors are those of parsing it whole.
pub fn parse(src: &SourceFile) -> Result<TheoryOfChange, Diagnostics> {
    parse_toml_in_batches(src, add_entries)
}

/// [`parse`] cut into batches of `batch` bytes (small, to cut often, in tests and fuzzing).
#[doc(hidden)]
pub fn parse_in_batches_of(src: &SourceFile, batch: usize) -> Result<TheoryOfChange, Diagnostics> {
    sct_core::load::parse_in_batches_of(src, batch, add_entries)
}

fn add_entries(toc: &mut TheoryOfChange, e: Entries) {
    toc.nodes.extend(e.nodes);
    toc.links.extend(e.links);
}

/// Reads a theory of change from a loaded framework file and checks it, resolving its KPI set
/// among `registry`'s frameworks.
pub fn from_framework(
    fw: &LoadedFramework,
    registry: &FrameworkRegistry,
) -> Result<LoadedToc, Error> {
    if fw.header.kind != FrameworkKind::TheoryOfChange {
        return Err(Error::Invalid(Diagnostics(vec![
            Diagnostic::error(format!(
                "{} is a {}, not a theory-of-change",
                fw.source.name, fw.header.kind
            ))
            .expected("a framework file with kind = \"theory-of-change\""),
        ])));
    }
    let toc = parse(&fw.source).map_err(Error::Invalid)?;
    let kpi_set = match &toc.kpi_set {
        Some(name) => match registry.get(name.get_ref(), None) {
            Ok(set_fw) if set_fw.header.kind == FrameworkKind::KpiSet => {
                let set = KpiSet::from_framework(set_fw).map_err(Error::Invalid)?;
                Some((set, FrameworkUsed::of(set_fw)))
            }
            _ => None,
        },
        None => None,
    };
    let diags = check(&toc, &fw.source, kpi_set.as_ref().map(|(s, _)| s));
    if diags.has_errors() {
        return Err(Error::Invalid(diags));
    }
    let graph = Graph::new(&toc);
    Ok(LoadedToc {
        toc,
        graph,
        file: FrameworkUsed::of(fw),
        source: fw.source.clone(),
        kpi_set,
        warnings: diags,
    })
}

/// Finds a theory of change by path (a file that exists) or by `id[@version]`.
pub fn find(spec: &str, registry: &FrameworkRegistry) -> Result<LoadedToc, Error> {
    let path = Path::new(spec);
    if path.exists() {
        let fw = LoadedFramework::parse(SourceFile::read(path)?, Origin::File(path.to_path_buf()))
            .map_err(Error::Invalid)?;
        from_framework(&fw, registry)
    } else {
        let (id, version) = match spec.split_once('@') {
            Some((i, v)) => (i, Some(v)),
            None => (spec, None),
        };
        from_framework(registry.get(id, version)?, registry)
    }
}
