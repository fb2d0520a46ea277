//! Build script: records the git commit `sct` was built from, for `sct --version`.
//!
//! Sets `SCT_VERSION` to `<package version> (<short hash>)` when built from a git checkout,
//! and to the bare package version when git or the checkout's `.git` is absent (a source
//! tarball, say). Reruns when HEAD or the branch it points at moves.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let full = match commit_hash(&manifest_dir) {
        Some(hash) => format!("{version} ({hash})"),
        None => version,
    };
    println!("cargo:rustc-env=SCT_VERSION={full}");
}

/// The short hash of HEAD, if this crate sits in the workspace's own git checkout.
fn commit_hash(manifest_dir: &Path) -> Option<String> {
    // The workspace root is two levels up (crates/sct-cli). Without its own .git (a file in a
    // worktree, a directory otherwise) we are not in a checkout of this project, even if some
    // enclosing directory is a repository.
    let root = manifest_dir.parent()?.parent()?;
    if !root.join(".git").exists() {
        return None;
    }
    // Watch HEAD, the ref it points at and packed-refs, where they exist (a missing path would
    // make cargo rerun the script on every build).
    for file in watched_files(manifest_dir) {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let hash = git(manifest_dir, &["rev-parse", "--short", "HEAD"])?;
    let valid = !hash.is_empty() && hash.chars().all(|c| c.is_ascii_hexdigit());
    valid.then_some(hash)
}

/// HEAD, the branch ref file and packed-refs, as paths that exist.
fn watched_files(dir: &Path) -> Vec<PathBuf> {
    let mut names = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        names.push(branch);
    }
    names
        .iter()
        .filter_map(|name| git(dir, &["rev-parse", "--git-path", name]))
        .map(|p| {
            let p = PathBuf::from(p);
            if p.is_absolute() { p } else { dir.join(p) }
        })
        .filter(|p| p.exists())
        .collect()
}

/// Runs git in `dir`, returning its trimmed standard output on success.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.trim().to_string())
}
