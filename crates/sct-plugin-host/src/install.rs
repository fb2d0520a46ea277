//! `sct plugins install`: copies a built library or a script into a plugin directory and
//! writes its manifest, with the checksum of the copy and the measures its `describe` gives.

use std::path::{Path, PathBuf};

use crate::error::{Fault, HostError};
use crate::manifest::{Kind, MANIFEST, Manifest, sha256_file};
use crate::{Options, Plugin};
use sct_plugin_api::Description;

/// What to install.
#[derive(Debug, Clone)]
pub struct Install<'a> {
    /// The built library or the script.
    pub source: &'a Path,
    /// The plugin's name (default: the name its `describe` gives).
    pub name: Option<&'a str>,
    /// The directory holding plugin directories (the plugin goes in `to/NAME/`).
    pub to: &'a Path,
    /// The interpreter of a script (default: `python3` for `.py`, `Rscript` for `.R`).
    pub interpreter: Option<&'a str>,
    /// Replace an installed plugin's manifest and file.
    pub force: bool,
}

/// The kind and interpreter a file implies.
pub fn kind_of(source: &Path, interpreter: Option<&str>) -> (Kind, Option<String>) {
    let ext = source
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    if ext == std::env::consts::DLL_EXTENSION {
        return (Kind::Native, None);
    }
    let interp = interpreter.map(str::to_string).or(match ext {
        "py" => Some("python3".to_string()),
        "R" | "r" => Some("Rscript".to_string()),
        _ => None,
    });
    (Kind::Command, interp)
}

fn io(plugin: &str, path: &Path, source: std::io::Error) -> HostError {
    HostError::new(
        plugin,
        Fault::Io {
            path: path.to_path_buf(),
            source,
        },
    )
}

/// Copies `from` to `to` through a temporary file renamed into place, keeping permissions.
fn copy_atomic(plugin: &str, from: &Path, to: &Path) -> Result<(), HostError> {
    let dir = to.parent().unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io(plugin, dir, e))?;
    std::fs::copy(from, tmp.path()).map_err(|e| io(plugin, from, e))?;
    tmp.persist(to).map_err(|e| io(plugin, to, e.error))?;
    Ok(())
}

/// Refuses to put the plugin's file at `target` when something is there that is not the
/// installed plugin's own file (`replacing`, under --force), the source itself (installing in
/// place) or the same bytes: a user's file in the plugin's directory is never overwritten.
fn refuse_to_clobber(
    plugin: &str,
    target: &Path,
    source: &Path,
    staged: &Path,
    replacing: Option<&str>,
) -> Result<(), HostError> {
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    let refuse = |why: &str| {
        Err(HostError::new(
            plugin,
            Fault::WouldReplace {
                path: target.to_path_buf(),
                why: why.to_string(),
            },
        ))
    };
    if !meta.file_type().is_file() {
        return refuse("which is not a regular file (a directory, a link or a special file)");
    }
    let name = target.file_name().and_then(|n| n.to_str());
    if replacing.is_some() && replacing == name {
        return Ok(());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let same_file = std::fs::metadata(source)
            .is_ok_and(|src| (src.dev(), src.ino()) == (meta.dev(), meta.ino()));
        if same_file {
            return Ok(());
        }
    }
    #[cfg(not(unix))]
    let _ = source;
    let same_bytes = match (std::fs::read(target), std::fs::read(staged)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same_bytes {
        return Ok(());
    }
    refuse("which is not the installed plugin's file")
}

/// Installs a plugin; returns its directory and manifest.
pub fn install(req: &Install<'_>, options: &Options) -> Result<(PathBuf, Manifest), HostError> {
    let source_name = req
        .source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let label = req.name.unwrap_or(&source_name).to_string();
    // Before anything of it runs: installed, it would be overwritten by its own manifest
    // (and on a case-insensitive file system a `Plugin.TOML` would be too).
    if source_name.eq_ignore_ascii_case(MANIFEST) {
        return Err(HostError::new(
            &label,
            Fault::NamedAsManifest {
                file: req.source.to_path_buf(),
            },
        ));
    }
    if !req.source.is_file() {
        return Err(io(
            &label,
            req.source,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        ));
    }
    std::fs::create_dir_all(req.to).map_err(|e| io(&label, req.to, e))?;
    let (kind, interpreter) = kind_of(req.source, req.interpreter);
    // Describe the plugin from a staging copy, with a provisional manifest, so it is checked
    // and loaded exactly as it will be once installed.
    let staging = tempfile::Builder::new()
        .prefix(".sct-install-")
        .tempdir_in(req.to)
        .map_err(|e| io(&label, req.to, e))?;
    let staged = staging.path().join(&source_name);
    copy_atomic(&label, req.source, &staged)?;
    let sha256 = sha256_file(&staged).map_err(|e| io(&label, &staged, e))?;
    let provisional = Manifest {
        name: "installing".into(),
        version: "0".into(),
        kind,
        file: source_name.clone(),
        sha256: sha256.clone(),
        protocol: sct_plugin_api::PROTOCOL_VERSION,
        measures: vec![],
        interpreter: interpreter.clone(),
        description: String::new(),
    };
    let described = describe_staged(&label, staging.path(), provisional, options)?;
    let name = req.name.unwrap_or(&described.name).to_string();
    let manifest = Manifest {
        name: name.clone(),
        version: described.version.clone(),
        kind,
        file: source_name.clone(),
        sha256,
        protocol: sct_plugin_api::PROTOCOL_VERSION,
        measures: described.measures.iter().map(|m| m.id.clone()).collect(),
        interpreter,
        description: described.description.clone(),
    };
    // Checks the name (kebab-case) and the rest as any manifest is checked.
    let text = manifest.to_toml();
    Manifest::parse(&text, Path::new(MANIFEST), &name)?;
    let dir = req.to.join(&name);
    let manifest_path = dir.join(MANIFEST);
    if manifest_path.exists() && !req.force {
        return Err(HostError::new(
            &name,
            Fault::AlreadyInstalled {
                path: manifest_path,
            },
        ));
    }
    let target = dir.join(&source_name);
    // With --force, the installed plugin's own file may be replaced, and nothing else.
    let replacing = Manifest::read(&dir).ok().map(|m| m.file);
    refuse_to_clobber(&name, &target, req.source, &staged, replacing.as_deref())?;
    std::fs::create_dir_all(&dir).map_err(|e| io(&name, &dir, e))?;
    copy_atomic(&name, &staged, &target)?;
    write_manifest(&name, &dir, &manifest_path, &text)?;
    Ok((dir, manifest))
}

/// Describes the plugin staged in `dir` under a provisional manifest, so it is checked and
/// loaded exactly as it will be once installed.
fn describe_staged(
    label: &str,
    dir: &Path,
    provisional: Manifest,
    options: &Options,
) -> Result<Description, HostError> {
    let plugin =
        Plugin::open_dir(dir, provisional, options).map_err(|e| HostError::new(label, e.fault))?;
    plugin
        .handshake()
        .map_err(|e| HostError::new(label, e.fault))?;
    Ok(plugin
        .describe()
        .map_err(|e| HostError::new(label, e.fault))?
        .clone())
}

/// Writes the manifest beside the installed file, atomically.
fn write_manifest(
    name: &str,
    dir: &Path,
    manifest_path: &Path,
    text: &str,
) -> Result<(), HostError> {
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io(name, dir, e))?;
    std::fs::write(
        tmp.path(),
        format!(
            "# Written by `sct plugins install` (the sha256 is of the installed file).\n{text}"
        ),
    )
    .map_err(|e| io(name, tmp.path(), e))?;
    tmp.persist(manifest_path)
        .map_err(|e| io(name, manifest_path, e.error))?;
    Ok(())
}
