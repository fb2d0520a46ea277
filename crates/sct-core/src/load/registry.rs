//! The registry of known frameworks: the bundled ones, then any directories the user adds
//! (`SCT_FRAMEWORK_PATH`, `--framework-dir`). A later file with the same id and version
//! overrides an earlier one, so an edited copy of a bundled framework replaces it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::error::Error;
use crate::model::{AssessmentRound, CapabilityToolkit, FrameworkHeader, FrameworkKind, Status};
use crate::source::SourceFile;
use crate::validate;

use super::parse_toml;

/// Where a framework was loaded from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "path", rename_all = "kebab-case")]
pub enum Origin {
    /// Compiled into `sct`, from `frameworks/` at build time.
    Bundled,
    /// A file on disk.
    File(PathBuf),
}

/// The typed content of a framework, for the kinds `sct-core` reads.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameworkContent {
    /// A capability toolkit.
    Capability(Box<CapabilityToolkit>),
    /// An assessment round.
    Round(Box<AssessmentRound>),
    /// A kind read by another crate (`kpi-set`, `theory-of-change`); kept as text.
    Other,
}

/// One framework file, parsed and checked on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedFramework {
    /// The shared header fields.
    pub header: FrameworkHeader,
    /// Where it came from.
    pub origin: Origin,
    /// Its text and checksum.
    pub source: SourceFile,
    /// Its typed content.
    pub content: FrameworkContent,
    /// Warnings found when checking it on its own.
    pub warnings: Diagnostics,
}

impl LoadedFramework {
    /// Id.
    pub fn id(&self) -> &str {
        self.header.id.get_ref()
    }

    /// Version.
    pub fn version(&self) -> &str {
        self.header.version.get_ref()
    }

    /// The toolkit, if this is one.
    pub fn as_toolkit(&self) -> Option<&CapabilityToolkit> {
        match &self.content {
            FrameworkContent::Capability(t) => Some(t),
            _ => None,
        }
    }

    /// The round, if this is one.
    pub fn as_round(&self) -> Option<&AssessmentRound> {
        match &self.content {
            FrameworkContent::Round(r) => Some(r),
            _ => None,
        }
    }

    /// Parses one framework file and checks it on its own (not its references to others).
    pub fn parse(source: SourceFile, origin: Origin) -> Result<Self, Diagnostics> {
        // The header is in the preamble; the entries after it are only checked, a batch at a
        // time, so a long file (a theory of change of 100,000 nodes) is never held as a tree.
        let header = super::parse_toml_in_batches::<LenientHeader, serde::de::IgnoredAny>(
            &source,
            |_, _| {},
        )?
        .into_header(&source)?;
        let (content, diags) = match header.kind {
            FrameworkKind::Capability => {
                let t = parse_toml::<CapabilityToolkit>(&source)?;
                let d = validate::check_toolkit(&t, &source);
                (FrameworkContent::Capability(Box::new(t)), d)
            }
            FrameworkKind::AssessmentRound => {
                let r = parse_toml::<AssessmentRound>(&source)?;
                let d = validate::check_round_alone(&r, &source);
                (FrameworkContent::Round(Box::new(r)), d)
            }
            FrameworkKind::KpiSet | FrameworkKind::TheoryOfChange => {
                (FrameworkContent::Other, Diagnostics::default())
            }
        };
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(LoadedFramework {
            header,
            origin,
            source,
            content,
            warnings: diags,
        })
    }
}

/// The header read leniently, so a file of any kind (or a broken one) can be identified.
#[derive(Deserialize)]
struct LenientHeader {
    kind: Option<toml::Spanned<String>>,
    id: Option<toml::Spanned<String>>,
    version: Option<toml::Spanned<String>>,
    title: Option<String>,
    source: Option<String>,
    status: Option<toml::Spanned<String>>,
}

impl LenientHeader {
    fn into_header(self, src: &SourceFile) -> Result<FrameworkHeader, Diagnostics> {
        let mut diags = Diagnostics::default();
        let kind = self.kind(src, &mut diags);
        let status = self.status(src, &mut diags);
        self.check_text_fields(src, &mut diags);
        if diags.has_errors() {
            return Err(diags);
        }
        match (kind, self.id, self.version, self.title, self.source, status) {
            (Some(kind), Some(id), Some(version), Some(title), Some(source), Some(status)) => {
                Ok(FrameworkHeader {
                    kind,
                    id,
                    version,
                    title,
                    source,
                    status,
                })
            }
            _ => Err(diags),
        }
    }

    /// The framework kind, reported when missing or unknown.
    fn kind(&self, src: &SourceFile, diags: &mut Diagnostics) -> Option<FrameworkKind> {
        let kinds = FrameworkKind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        match &self.kind {
            None => {
                diags.push(missing_field(src, "kind", &kinds));
                None
            }
            Some(k) => match FrameworkKind::ALL
                .iter()
                .find(|x| x.as_str() == k.get_ref())
            {
                Some(kind) => Some(*kind),
                None => {
                    diags.push(
                        src.error_at(
                            k.span(),
                            format!("unknown framework kind \"{}\"", k.get_ref()),
                        )
                        .expected(format!("one of: {kinds}")),
                    );
                    None
                }
            },
        }
    }

    /// The status, reported when missing or unknown.
    fn status(&self, src: &SourceFile, diags: &mut Diagnostics) -> Option<Status> {
        match &self.status {
            None => {
                diags.push(missing_field(
                    src,
                    "status",
                    "draft, official, example or superseded",
                ));
                None
            }
            Some(s) => match s.get_ref().as_str() {
                "draft" => Some(Status::Draft),
                "official" => Some(Status::Official),
                "example" => Some(Status::Example),
                "superseded" => Some(Status::Superseded),
                other => {
                    diags.push(
                        src.error_at(s.span(), format!("unknown status \"{other}\""))
                            .expected("draft, official, example or superseded"),
                    );
                    None
                }
            },
        }
    }

    /// Id and version non-empty, title and source present, and the id kebab-case.
    fn check_text_fields(&self, src: &SourceFile, diags: &mut Diagnostics) {
        for (field, value) in [("id", &self.id), ("version", &self.version)] {
            match value {
                None => diags.push(missing_field(src, field, "a non-empty string")),
                Some(v) if v.get_ref().trim().is_empty() => diags.push(
                    src.error_at(v.span(), format!("`{field}` is empty"))
                        .expected("a non-empty string"),
                ),
                Some(_) => {}
            }
        }
        if self.title.is_none() {
            diags.push(missing_field(src, "title", "a string"));
        }
        if self.source.is_none() {
            diags.push(missing_field(
                src,
                "source",
                "a citation of the publication it is drawn from",
            ));
        }
        if let Some(id) = &self.id
            && !validate::is_kebab_id(id.get_ref())
        {
            diags.push(
                src.error_at(
                    id.span(),
                    format!("id \"{}\" is not kebab-case", id.get_ref()),
                )
                .expected(
                    "lower-case letters, digits and single hyphens, for example capability-toolkit",
                ),
            );
        }
    }
}

/// A header field missing, with what it should hold.
fn missing_field(src: &SourceFile, field: &str, expected: &str) -> Diagnostic {
    Diagnostic::error(format!("missing field `{field}` in the framework header"))
        .in_file(&src.name)
        .expected(expected.to_string())
        .hint("every framework file starts with kind, id, version, title, source and status")
}

/// Frameworks by id and version.
type ByIdAndVersion = BTreeMap<(String, String), LoadedFramework>;

/// All known frameworks, by id and version.
///
/// The registry of the bundled frameworks alone ([`FrameworkRegistry::with_dirs`] with no
/// directory) parses them when first asked for one: a command that never looks at a
/// framework (a KPI review of a set given as a file, an SPC chart) does not pay for parsing
/// them, which is most of the time such a command takes on small data.
#[derive(Debug, Clone)]
pub struct FrameworkRegistry {
    /// The frameworks, or why the bundled ones could not be loaded; unset until first used
    /// when the bundled ones are parsed then.
    frameworks: OnceLock<Result<ByIdAndVersion, Diagnostics>>,
}

impl Default for FrameworkRegistry {
    fn default() -> Self {
        FrameworkRegistry {
            frameworks: OnceLock::from(Ok(BTreeMap::new())),
        }
    }
}

impl FrameworkRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bundled frameworks, parsed and checked when first asked for.
    pub fn bundled_on_first_use() -> Self {
        FrameworkRegistry {
            frameworks: OnceLock::new(),
        }
    }

    /// The frameworks (the bundled ones parsed now if they were left for first use), or
    /// why the bundled ones could not be loaded.
    fn known(&self) -> Result<&ByIdAndVersion, &Diagnostics> {
        let loaded = self
            .frameworks
            .get_or_init(|| match FrameworkRegistry::bundled() {
                Ok(mut reg) => reg.frameworks.take().unwrap_or_else(|| Ok(BTreeMap::new())),
                Err(Error::Invalid(d)) => Err(d),
                Err(e) => Err(Diagnostics(vec![Diagnostic::error(e.to_string())])),
            });
        loaded.as_ref()
    }

    /// Every framework, by id then version (none when the bundled ones could not be
    /// loaded: [`FrameworkRegistry::get`] says why).
    fn values(&self) -> impl Iterator<Item = &LoadedFramework> {
        self.known().ok().into_iter().flat_map(BTreeMap::values)
    }

    /// The frameworks compiled into `sct`.
    pub fn bundled() -> Result<Self, Error> {
        let mut reg = FrameworkRegistry::new();
        let mut diags = Diagnostics::default();
        for (name, text) in sct_assets::frameworks::BUNDLED {
            let src = SourceFile::from_text(format!("bundled:frameworks/{name}"), *text);
            match LoadedFramework::parse(src, Origin::Bundled) {
                Ok(fw) => reg.insert(fw),
                Err(d) => diags.extend(d),
            }
        }
        if diags.has_errors() {
            return Err(Error::Invalid(diags));
        }
        reg.check_references().map(|_| reg)
    }

    /// The bundled frameworks plus every directory in `dirs`, in order (later ones override).
    /// With no directory, the bundled frameworks are parsed when first asked for.
    pub fn with_dirs(dirs: &[PathBuf]) -> Result<Self, Error> {
        if dirs.is_empty() {
            return Ok(FrameworkRegistry::bundled_on_first_use());
        }
        let mut reg = FrameworkRegistry::bundled()?;
        for dir in dirs {
            reg.add_dir(dir)?;
        }
        reg.check_references()?;
        Ok(reg)
    }

    /// Adds every `*.toml` file under `dir` (recursively, in name order).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Error> {
        let meta = std::fs::metadata(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            action: "read",
            source,
        })?;
        if !meta.is_dir() {
            return self.add_file(dir);
        }
        let mut files = Vec::new();
        collect_toml(dir, &mut files)?;
        files.sort();
        let mut diags = Diagnostics::default();
        for file in files {
            match self.add_file(&file) {
                Ok(()) => {}
                Err(Error::Invalid(d)) => diags.extend(d),
                Err(e) => return Err(e),
            }
        }
        if diags.has_errors() {
            return Err(Error::Invalid(diags));
        }
        Ok(())
    }

    /// Adds one framework file.
    pub fn add_file(&mut self, path: &Path) -> Result<(), Error> {
        let src = SourceFile::read(path)?;
        let fw = LoadedFramework::parse(src, Origin::File(path.to_path_buf()))
            .map_err(Error::Invalid)?;
        self.insert(fw);
        Ok(())
    }

    /// Adds a parsed framework, replacing one with the same id and version (the bundled
    /// ones are parsed first if they were left for first use).
    pub fn insert(&mut self, fw: LoadedFramework) {
        let _ = self.known();
        if let Some(Ok(frameworks)) = self.frameworks.get_mut() {
            frameworks.insert((fw.id().to_string(), fw.version().to_string()), fw);
        }
    }

    /// Every framework, by id then version.
    pub fn iter(&self) -> impl Iterator<Item = &LoadedFramework> {
        self.values()
    }

    /// Finds a framework by id and exact version, or the latest version when none is given.
    pub fn get(&self, id: &str, version: Option<&str>) -> Result<&LoadedFramework, Error> {
        let frameworks = self.known().map_err(|d| Error::Invalid(d.clone()))?;
        let found = match version {
            Some(v) => frameworks.get(&(id.to_string(), v.to_string())),
            None => frameworks
                .values()
                .filter(|f| f.id() == id)
                .max_by(|a, b| compare_versions(a.version(), b.version())),
        };
        found.ok_or_else(|| Error::UnknownFramework {
            wanted: match version {
                Some(v) => format!("{id} version {v}"),
                None => id.to_string(),
            },
            known: self.describe_known(),
        })
    }

    /// The versions known for an id, oldest first.
    pub fn versions_of(&self, id: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .values()
            .filter(|f| f.id() == id)
            .map(|f| f.version())
            .collect();
        v.sort_by(|a, b| compare_versions(a, b));
        v
    }

    fn describe_known(&self) -> String {
        let list: Vec<String> = self
            .values()
            .map(|f| format!("{} {} ({})", f.id(), f.version(), f.header.kind))
            .collect();
        if list.is_empty() {
            "none".to_string()
        } else {
            list.join(", ")
        }
    }

    /// Checks references between frameworks (a round's toolkit and its capabilities; a
    /// toolkit's support links and the milestones of the rounds that use it).
    pub fn check_references(&self) -> Result<Diagnostics, Error> {
        let mut diags = Diagnostics::default();
        for fw in self.values() {
            if let Some(round) = fw.as_round() {
                diags.extend(validate::check_round_references(round, &fw.source, self));
            }
            if let Some(toolkit) = fw.as_toolkit() {
                diags.extend(validate::check_toolkit_references(
                    toolkit, &fw.source, self,
                ));
            }
        }
        if diags.has_errors() {
            return Err(Error::Invalid(diags));
        }
        Ok(diags)
    }
}

fn collect_toml(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        action: "read",
        source,
    })?;
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            action: "read",
            source,
        })?;
        let path = entry.path();
        if path.is_dir() {
            collect_toml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Orders versions by their dot-separated parts, numerically where both parts are numbers.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let mut pa = a.split('.');
    let mut pb = b.split('.');
    loop {
        match (pa.next(), pb.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => x.cmp(y),
                };
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("1.10.0", "1.9.0"), Greater);
        assert_eq!(compare_versions("1.0", "1.0.0"), Less);
        assert_eq!(compare_versions("2.0.0", "2.0.0"), Equal);
    }

    #[test]
    fn a_file_without_kind_is_refused_naming_the_field() {
        let src = SourceFile::from_text("x.toml", "id = \"a\"\nversion = \"1\"\n");
        let err = LoadedFramework::parse(src, Origin::Bundled).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("missing field `kind`"), "{text}");
        assert!(text.contains("x.toml"), "{text}");
    }

    #[test]
    fn an_unknown_kind_names_the_line_and_the_kinds() {
        let src = SourceFile::from_text(
            "x.toml",
            "id = \"a\"\nkind = \"capabilty\"\nversion = \"1\"\ntitle = \"t\"\nsource = \"s\"\nstatus = \"draft\"\n",
        );
        let err = LoadedFramework::parse(src, Origin::Bundled).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("x.toml:2:8"), "{text}");
        assert!(text.contains("capability, assessment-round"), "{text}");
    }
}
