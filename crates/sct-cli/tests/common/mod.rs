//! Helpers for the end-to-end tests of the `sct` binary, shared by every test file here.
//!
//! Cargo builds `sct` before these tests and gives its path as `CARGO_BIN_EXE_sct`, so the
//! tests always run the binary of this build, and run it from the workspace root, as a user
//! would.

// Each test file is its own crate and uses only some of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod browser;
pub mod layout;
pub mod published;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The path of the `sct` binary cargo built for these tests.
pub fn sct_path() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_sct"))
}

/// A command running `sct` in the workspace root with a clean environment for `sct`'s own
/// variables.
pub fn sct() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(sct_path());
    cmd.current_dir(root())
        .env_remove("SCT_FRAMEWORK_PATH")
        .env("NO_COLOR", "1");
    cmd
}

/// The bundled example baseline response, relative to the workspace root.
pub const EXAMPLE: &str = "examples/baseline-2026-03/bnssg-illustrative.toml";

/// Builds a workspace `cdylib` package (in the same profile as the tests) and returns the
/// path of its shared library, for the plugin tests.
pub fn cdylib(package: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>")
        .to_path_buf();
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut build = Command::new(cargo);
    build
        .args(["build", "--quiet", "-p", package, "--lib"])
        .current_dir(root());
    if release {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo build for a plugin");
    assert!(status.success(), "cargo build -p {package} failed");
    profile_dir.join(format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        package.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    ))
}
