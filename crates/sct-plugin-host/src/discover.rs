//! Finding plugins: the project's `plugins/`, then `$SCT_PLUGIN_PATH`, then `--plugin-dir`,
//! later places replacing earlier ones' plugins of the same name (so the command line wins).
//! A place is either one plugin's directory (it holds `plugin.toml`) or a directory whose
//! subdirectories are plugins.

use std::path::{Path, PathBuf};

use crate::error::{Fault, HostError};
use crate::manifest::{MANIFEST, Manifest, dir_name};

/// The environment variable listing plugin directories (separated as PATH is).
pub const PATH_ENV: &str = "SCT_PLUGIN_PATH";

/// A plugin found on the search path, whether or not its manifest is valid.
#[derive(Debug)]
pub struct Found {
    /// Its directory.
    pub dir: PathBuf,
    /// Its manifest, or why it cannot be read.
    pub manifest: Result<Manifest, HostError>,
}

impl Found {
    /// The manifest's name, or the directory's when the manifest cannot be read.
    pub fn name(&self) -> String {
        match &self.manifest {
            Ok(m) => m.name.clone(),
            Err(_) => dir_name(&self.dir),
        }
    }
}

/// What a search found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// The places searched, in order.
    pub searched: Vec<PathBuf>,
    /// Plugins by name, in name order.
    pub plugins: Vec<Found>,
    /// Directories that look like plugin sources not yet installed (a `Cargo.toml` and no
    /// `plugin.toml`), for a hint.
    pub not_installed: Vec<PathBuf>,
}

impl Discovery {
    /// The plugin of this name.
    pub fn get(&self, name: &str) -> Option<&Found> {
        self.plugins.iter().find(|f| f.name() == name)
    }

    /// Finds and opens (checks and loads) the plugin of this name; when there is none, the
    /// error lists where it was looked for and the plugins that were found.
    pub fn open(&self, name: &str, options: &crate::Options) -> Result<crate::Plugin, HostError> {
        let Some(found) = self.get(name) else {
            let searched = if self.searched.is_empty() {
                format!(
                    "nowhere (no {PROJECT_PLUGINS}/ folder here, {PATH_ENV} is not set and no plugin folder was given)"
                )
            } else {
                let places: Vec<String> = self
                    .searched
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect();
                format!("in {}", places.join(", "))
            };
            let known: Vec<String> = self.plugins.iter().map(|f| f.name()).collect();
            let known = if known.is_empty() {
                "none".into()
            } else {
                known.join(", ")
            };
            return Err(HostError::new(name, Fault::NotFound { searched, known }));
        };
        crate::Plugin::open(found, options)
    }
}

/// A project's plugin folder, relative to the working directory.
pub const PROJECT_PLUGINS: &str = "plugins";

/// The plugins in the project folder, on `$SCT_PLUGIN_PATH`, then in `extra_dirs`.
pub fn discover_all(extra_dirs: &[PathBuf]) -> Discovery {
    let places = search_path(
        Path::new(PROJECT_PLUGINS),
        std::env::var_os(PATH_ENV),
        extra_dirs,
    );
    discover(&places)
}

/// The places to search: `project_plugins` (when it exists), the entries of
/// `$SCT_PLUGIN_PATH`, then `cli_dirs`.
pub fn search_path(
    project_plugins: &Path,
    env: Option<std::ffi::OsString>,
    cli_dirs: &[PathBuf],
) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if project_plugins.is_dir() {
        dirs.push(project_plugins.to_path_buf());
    }
    if let Some(v) = env {
        dirs.extend(std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()));
    }
    dirs.extend(cli_dirs.iter().cloned());
    dirs
}

/// Finds the plugins in `places`.
pub fn discover(places: &[PathBuf]) -> Discovery {
    let mut found: Vec<Found> = Vec::new();
    let mut not_installed = Vec::new();
    let mut add = |dir: PathBuf| {
        let f = Found {
            manifest: Manifest::read(&dir),
            dir,
        };
        let name = f.name();
        found.retain(|g| g.name() != name);
        found.push(f);
    };
    for place in places {
        if place.join(MANIFEST).is_file() {
            add(place.clone());
            continue;
        }
        let Ok(entries) = std::fs::read_dir(place) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            if dir.join(MANIFEST).is_file() {
                add(dir);
            } else if dir.join("Cargo.toml").is_file() {
                not_installed.push(dir);
            }
        }
    }
    found.sort_by_key(|f| f.name());
    not_installed.retain(|d| !found.iter().any(|f| f.dir == *d));
    Discovery {
        searched: places.to_vec(),
        plugins: found,
        not_installed,
    }
}
