//! Provenance: exactly which framework files, response and reference data an output came
//! from, so any result can be traced and reproduced.

use serde::Serialize;

use crate::load::{LoadedFramework, Origin};
use crate::model::Organisations;

/// The version of `sct` that produced an output.
pub const SCT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// One framework file used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrameworkUsed {
    /// Id.
    pub id: String,
    /// Version.
    pub version: String,
    /// Kind.
    pub kind: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Where it was loaded from (`bundled:...` or a path).
    pub file: String,
}

impl FrameworkUsed {
    /// Describes a loaded framework.
    pub fn of(fw: &LoadedFramework) -> Self {
        FrameworkUsed {
            id: fw.id().to_string(),
            version: fw.version().to_string(),
            kind: fw.header.kind.to_string(),
            sha256: fw.source.sha256.clone(),
            file: match &fw.origin {
                Origin::Bundled => fw.source.name.clone(),
                Origin::File(p) => p.display().to_string(),
            },
        }
    }
}

/// An input file used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileUsed {
    /// Its name as given.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
}

/// Where an output came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// `sct` version.
    pub sct_version: String,
    /// Framework files, toolkit first.
    pub frameworks: Vec<FrameworkUsed>,
    /// The response file.
    pub response: FileUsed,
    /// The organisations table.
    pub organisations: FileUsed,
}

impl Provenance {
    /// Builds the provenance block.
    pub fn new(
        frameworks: &[&LoadedFramework],
        response_name: &str,
        response_sha256: &str,
        orgs: &Organisations,
    ) -> Self {
        Provenance {
            sct_version: SCT_VERSION.to_string(),
            frameworks: frameworks.iter().map(|f| FrameworkUsed::of(f)).collect(),
            response: FileUsed {
                file: response_name.to_string(),
                sha256: response_sha256.to_string(),
            },
            organisations: FileUsed {
                file: orgs.source_name.clone(),
                sha256: orgs.sha256.clone(),
            },
        }
    }
}

/// A plugin whose measures an output used: which build of which plugin computed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PluginUsed {
    /// Its name, as in its manifest.
    pub name: String,
    /// Its version, as in its manifest.
    pub version: String,
    /// `native` or `command`.
    pub kind: String,
    /// SHA-256 of its file, checked against the manifest before it ran.
    pub sha256: String,
    /// The measures it was asked for, as indicators name them (`plugin:NAME/MEASURE`).
    pub measures: Vec<String>,
    /// The local data it was given (`--plugin-data`), with the SHA-256 of each file (empty
    /// for a folder).
    pub data: Vec<FileUsed>,
}
