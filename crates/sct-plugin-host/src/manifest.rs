//! `plugin.toml`: what a plugin is, the file to load or run and its checksum; and the checks
//! made before anything of the plugin is loaded or run.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Fault, HostError};

/// The manifest's file name, in the plugin's directory.
pub const MANIFEST: &str = "plugin.toml";

/// How a plugin runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A shared library with the C ABI, loaded into `sct`.
    Native,
    /// An executable speaking JSON over standard input and output.
    Command,
}

impl Kind {
    /// The name as written in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Native => "native",
            Kind::Command => "command",
        }
    }
}

/// A plugin's `plugin.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Name (kebab-case), used in `sct plugins run NAME` and `plugin:NAME/MEASURE`.
    pub name: String,
    /// Version.
    pub version: String,
    /// `native` or `command`.
    pub kind: Kind,
    /// The library or program, relative to the plugin's directory and inside it.
    pub file: String,
    /// The file's sha256, lower-case hex.
    pub sha256: String,
    /// The protocol version it speaks.
    pub protocol: u32,
    /// The measures it offers (ids).
    pub measures: Vec<String>,
    /// For a command plugin whose file is a script: the program that runs it (`python3`,
    /// `Rscript`), found on PATH. Absent: the file is run itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<String>,
    /// One sentence on what it does.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl Manifest {
    /// Reads and parses the manifest in `dir`, without checking the file it names.
    pub fn read(dir: &Path) -> Result<Manifest, HostError> {
        let path = dir.join(MANIFEST);
        let plugin = dir_name(dir);
        let text = sct_files::read_input(&path)
            .and_then(|bytes| {
                String::from_utf8(bytes)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
            })
            .map_err(|source| {
                HostError::new(
                    &plugin,
                    Fault::Io {
                        path: path.clone(),
                        source,
                    },
                )
            })?;
        Manifest::parse(&text, &path, &plugin)
    }

    /// Parses manifest text; `plugin` names the plugin in errors.
    pub fn parse(text: &str, path: &Path, plugin: &str) -> Result<Manifest, HostError> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
            HostError::new(
                plugin,
                Fault::Manifest {
                    path: path.to_path_buf(),
                    line,
                    message: format!(
                        "{}; expected name, version, kind (native or command), file, sha256, protocol, measures",
                        e.message().trim_end()
                    ),
                },
            )
        })?;
        let bad = |message: String| {
            HostError::new(
                plugin,
                Fault::Manifest {
                    path: path.to_path_buf(),
                    line: None,
                    message,
                },
            )
        };
        if !is_kebab(&manifest.name) {
            return Err(bad(format!(
                "name \"{}\" is not kebab-case; expected lower-case letters, digits and hyphens",
                manifest.name
            )));
        }
        if manifest.sha256.len() != 64 || !manifest.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(format!(
                "sha256 \"{}\" is not 64 hexadecimal digits",
                manifest.sha256
            )));
        }
        if manifest.interpreter.is_some() && manifest.kind == Kind::Native {
            return Err(bad(
                "a native plugin has no interpreter; expected interpreter only with kind = \"command\"".into(),
            ));
        }
        Ok(manifest)
    }

    /// The manifest as TOML text, for `sct plugins install`.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }
}

fn is_kebab(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

/// The last component of a directory, for naming a plugin whose manifest cannot be read.
pub fn dir_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string())
}

/// The manifest's file resolved inside `dir`, refusing any path that leaves it: absolute
/// paths, `..`, and symbolic links (of the file or a directory on the way) that point out.
pub fn resolve_file(dir: &Path, manifest: &Manifest) -> Result<PathBuf, HostError> {
    let out = |why: &str| {
        HostError::new(
            &manifest.name,
            Fault::OutsideDir {
                file: manifest.file.clone(),
                dir: dir.to_path_buf(),
                why: why.to_string(),
            },
        )
    };
    let rel = Path::new(&manifest.file);
    if manifest.file.is_empty() {
        return Err(out("is empty"));
    }
    for c in rel.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => return Err(out("goes up with \"..\"")),
            Component::RootDir | Component::Prefix(_) => return Err(out("is an absolute path")),
        }
    }
    let joined = dir.join(rel);
    let io = |path: &Path, source| {
        HostError::new(
            &manifest.name,
            Fault::Io {
                path: path.to_path_buf(),
                source,
            },
        )
    };
    let real_dir = dir.canonicalize().map_err(|e| io(dir, e))?;
    let real = joined.canonicalize().map_err(|e| io(&joined, e))?;
    if !real.starts_with(&real_dir) {
        return Err(out(&format!(
            "is a symbolic link (or goes through one) to {}, outside the plugin's directory",
            real.display()
        )));
    }
    if !real.is_file() {
        return Err(io(
            &joined,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"),
        ));
    }
    Ok(real)
}

/// The sha256 of a file, lower-case hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = sct_files::open_input(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// The SHA-256 of bytes already read, in lowercase hex (as manifests write it).
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every check made before loading or running a plugin: the manifest's protocol version, its
/// file inside the directory, and the file's checksum. Returns the resolved file.
pub fn verify(dir: &Path, manifest: &Manifest) -> Result<PathBuf, HostError> {
    if manifest.protocol != sct_plugin_api::PROTOCOL_VERSION {
        return Err(HostError::new(
            &manifest.name,
            Fault::Protocol {
                what: "its manifest",
                found: manifest.protocol,
                expected: sct_plugin_api::PROTOCOL_VERSION,
            },
        ));
    }
    let file = resolve_file(dir, manifest)?;
    let actual = sha256_file(&file).map_err(|source| {
        HostError::new(
            &manifest.name,
            Fault::Io {
                path: file.clone(),
                source,
            },
        )
    })?;
    if !actual.eq_ignore_ascii_case(&manifest.sha256) {
        return Err(HostError::new(
            &manifest.name,
            Fault::Checksum {
                file: dir.join(&manifest.file),
                expected: manifest.sha256.clone(),
                actual,
            },
        ));
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(file: &str, sha: &str) -> Manifest {
        Manifest {
            name: "p".into(),
            version: "1".into(),
            kind: Kind::Command,
            file: file.into(),
            sha256: sha.into(),
            protocol: sct_plugin_api::PROTOCOL_VERSION,
            measures: vec!["m".into()],
            interpreter: None,
            description: String::new(),
        }
    }

    #[test]
    fn a_file_outside_the_directory_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("p");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(root.path().join("evil"), "x").unwrap();
        for (file, why) in [
            ("../evil", "goes up"),
            ("/etc/passwd", "absolute"),
            ("", "empty"),
        ] {
            let e = resolve_file(&dir, &manifest(file, "")).unwrap_err();
            assert!(e.to_string().contains(why), "{e}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.path().join("evil"), dir.join("link")).unwrap();
            let e = resolve_file(&dir, &manifest("link", "")).unwrap_err();
            assert!(e.to_string().contains("symbolic link"), "{e}");
        }
    }

    #[test]
    fn a_checksum_mismatch_is_refused_and_a_match_accepted() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), "abc").unwrap();
        let good = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert!(verify(dir.path(), &manifest("f", good)).is_ok());
        let e = verify(dir.path(), &manifest("f", &"0".repeat(64))).unwrap_err();
        assert!(matches!(e.fault, Fault::Checksum { .. }));
        assert!(e.to_string().starts_with("plugin \"p\": sha256 mismatch"));
    }

    #[test]
    fn manifest_errors_give_the_line() {
        let text = "name = \"p\"\nversion = \"1\"\nkind = \"dll\"\n";
        let e = Manifest::parse(text, Path::new("plugin.toml"), "p").unwrap_err();
        assert!(e.to_string().contains("plugin.toml:3:"), "{e}");
    }

    #[test]
    fn a_manifest_round_trips() {
        let m = manifest("f.py", &"a".repeat(64));
        let back = Manifest::parse(&m.to_toml(), Path::new("x"), "p").unwrap();
        assert_eq!(back, m);
    }
}
