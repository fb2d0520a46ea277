//! The plugin host of `sct`: finds plugins ([`discover()`]), checks them before anything of
//! theirs runs ([`manifest::verify`]: protocol version, file inside the plugin's directory,
//! sha256), and calls them: native plugins in-process through libloading ([`native`]) or,
//! with isolation, in a child process; command plugins as child processes ([`process`]) with
//! a timeout, an output cap, standard error captured and the exit status reported. Every reply
//! is checked ([`decode`]): size, UTF-8, JSON, protocol version.

pub mod checked;
pub mod decode;
pub mod discover;
pub mod error;
pub mod install;
pub mod limits;
pub mod manifest;
pub mod measures;
pub mod native;
pub mod process;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

use sct_plugin_api::{ComputeRequest, ComputeResponse, Description};

pub use discover::{Discovery, Found, discover, search_path};
pub use error::{Fault, HostError};
pub use limits::{LimitError, MaxOutput, Timeout};
pub use manifest::{Kind, Manifest};

/// How to run a native plugin in a child process: `program ARGS... DIR VERB`, the request on
/// standard input (`sct` passes itself and `plugins __isolated-call`).
#[derive(Debug, Clone)]
pub struct Isolation {
    /// The program (`sct` itself).
    pub program: PathBuf,
    /// Arguments before the plugin's directory and the verb.
    pub args: Vec<OsString>,
}

/// How plugins are run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Time limit of a command plugin or isolated call.
    pub timeout: Timeout,
    /// Cap on a reply.
    pub max_output: MaxOutput,
    /// Run native plugins in a child process, so a crash is an error rather than the end of
    /// `sct`.
    pub isolate: Option<Isolation>,
}

enum Runner {
    Native(native::NativePlugin),
    Isolated(Isolation),
    /// The checked bytes of the program, run for each verb (never the file again).
    Command(checked::CheckedProgram),
}

/// A plugin that passed the checks before loading, ready to call.
pub struct Plugin {
    /// Its directory.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Its file, resolved inside its directory.
    pub file: PathBuf,
    runner: Runner,
    options: Options,
    /// The description, once asked for and checked: it is fixed for a loaded plugin, so it
    /// is asked once per load rather than once per call.
    description: std::sync::OnceLock<Description>,
}

impl std::fmt::Debug for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plugin")
            .field("dir", &self.dir)
            .field("manifest", &self.manifest)
            .finish()
    }
}

impl Plugin {
    /// Checks a found plugin (manifest, protocol, file inside its directory, sha256) and,
    /// for a native plugin run in-process, loads it and checks its ABI version.
    pub fn open(found: &Found, options: &Options) -> Result<Plugin, HostError> {
        let manifest = match &found.manifest {
            Ok(m) => m.clone(),
            Err(e) => {
                return Err(HostError::new(
                    e.plugin.clone(),
                    clone_manifest_fault(&e.fault),
                ));
            }
        };
        Plugin::open_dir(&found.dir, manifest, options)
    }

    /// As [`Plugin::open`], for a directory and its manifest.
    pub fn open_dir(
        dir: &Path,
        manifest: Manifest,
        options: &Options,
    ) -> Result<Plugin, HostError> {
        let file = manifest::verify(dir, &manifest)?;
        let runner = match (manifest.kind, &options.isolate) {
            (Kind::Command, _) => Runner::Command(
                checked::CheckedProgram::load(&file, &manifest.sha256)
                    .map_err(|f| HostError::new(&manifest.name, f))?,
            ),
            (Kind::Native, Some(iso)) => Runner::Isolated(iso.clone()),
            (Kind::Native, None) => Runner::Native(
                native::NativePlugin::load(&file, &manifest.sha256)
                    .map_err(|f| HostError::new(&manifest.name, f))?,
            ),
        };
        Ok(Plugin {
            dir: dir.to_path_buf(),
            manifest,
            file,
            runner,
            options: options.clone(),
            description: std::sync::OnceLock::new(),
        })
    }

    fn err(&self, fault: Fault) -> HostError {
        HostError::new(&self.manifest.name, fault)
    }

    /// Runs a verb in a child process: the command plugin itself (its checked bytes), or
    /// `sct` isolating a native one.
    fn run_child(&self, verb: &'static str, input: &[u8]) -> Result<Vec<u8>, HostError> {
        let dir_env = || self.dir.as_os_str().to_os_string();
        let runnable;
        let program = match &self.runner {
            Runner::Command(checked) => {
                runnable = checked.runnable().map_err(|source| {
                    self.err(Fault::Spawn {
                        program: self.file.display().to_string(),
                        source,
                    })
                })?;
                let env = vec![(sct_plugin_api::command::PLUGIN_DIR_ENV, dir_env())];
                match &self.manifest.interpreter {
                    Some(interp) => process::Program {
                        program: Path::new(interp),
                        args: vec![runnable.path.as_os_str(), OsStr::new(verb)],
                        env,
                        inherit_fd: runnable.inherit_fd,
                        shown_as: Path::new(interp),
                    },
                    None => process::Program {
                        program: &runnable.path,
                        args: vec![OsStr::new(verb)],
                        env,
                        inherit_fd: runnable.inherit_fd,
                        shown_as: &self.file,
                    },
                }
            }
            Runner::Isolated(iso) => {
                let mut args: Vec<&OsStr> = iso.args.iter().map(|a| a.as_os_str()).collect();
                args.push(self.dir.as_os_str());
                args.push(OsStr::new(verb));
                process::Program {
                    program: &iso.program,
                    args,
                    inherit_fd: None,
                    shown_as: &iso.program,
                    env: vec![(
                        ISOLATED_MAX_OUTPUT_ENV,
                        self.options.max_output.bytes().to_string().into(),
                    )],
                }
            }
            // Native plugins in-process never get here.
            Runner::Native(_) => {
                return Err(self.err(Fault::Reported(
                    "a native plugin loaded in this process has no child to run".into(),
                )));
            }
        };
        process::run(
            &program,
            verb,
            input,
            self.options.timeout,
            self.options.max_output,
        )
        .map_err(|f| self.err(f))
    }

    /// Asks the plugin's protocol version and refuses any other than this host's.
    pub fn handshake(&self) -> Result<(), HostError> {
        match &self.runner {
            // Checked when it was loaded.
            Runner::Native(_) => Ok(()),
            _ => {
                let out = self.run_child(sct_plugin_api::command::HANDSHAKE, &[])?;
                decode::handshake(&out, self.options.max_output.bytes()).map_err(|f| self.err(f))
            }
        }
    }

    /// The plugin's description: asked of the plugin and checked (size, UTF-8, JSON,
    /// protocol version) on the first call after loading, kept for later calls.
    pub fn describe(&self) -> Result<&Description, HostError> {
        if let Some(d) = self.description.get() {
            return Ok(d);
        }
        let limit = self.options.max_output;
        let d: Description = match &self.runner {
            Runner::Native(n) => n
                .describe_with(limit, |b| decode::reply(b, "describe", limit.bytes()))
                .and_then(|r| r)
                .map_err(|f| self.err(f))?,
            _ => {
                let bytes = self.run_child(sct_plugin_api::command::DESCRIBE, &[])?;
                decode::reply(&bytes, "describe", limit.bytes()).map_err(|f| self.err(f))?
            }
        };
        Ok(self.description.get_or_init(|| d))
    }

    /// Computes a measure the manifest lists.
    pub fn compute(&self, request: &ComputeRequest) -> Result<ComputeResponse, HostError> {
        if !self.manifest.measures.contains(&request.measure) {
            return Err(self.err(Fault::UnknownMeasure {
                measure: request.measure.clone(),
                known: self.manifest.measures.join(", "),
            }));
        }
        let input = serde_json::to_vec(request).unwrap_or_default();
        let limit = self.options.max_output;
        let response: ComputeResponse = match &self.runner {
            // Read in place, before the plugin frees its bytes.
            Runner::Native(n) => n
                .compute_with(&input, limit, |b| {
                    decode::reply(b, "compute", limit.bytes())
                })
                .and_then(|r| r),
            _ => decode::reply(&self.compute_bytes(&input)?, "compute", limit.bytes()),
        }
        .map_err(|f| self.err(f))?;
        if response.measure != request.measure {
            return Err(self.err(Fault::InvalidJson {
                call: "compute",
                message: format!(
                    "the reply is for measure \"{}\"; expected \"{}\"",
                    response.measure, request.measure
                ),
            }));
        }
        Ok(response)
    }

    /// The raw reply bytes of `compute` for request bytes, unchecked.
    pub fn compute_bytes(&self, input: &[u8]) -> Result<Vec<u8>, HostError> {
        match &self.runner {
            Runner::Native(n) => n
                .compute_bytes(input, self.options.max_output)
                .map_err(|f| self.err(f)),
            _ => self.run_child(sct_plugin_api::command::COMPUTE, input),
        }
    }

    /// The raw reply bytes of `describe`, unchecked.
    pub fn describe_bytes(&self) -> Result<Vec<u8>, HostError> {
        match &self.runner {
            Runner::Native(n) => n
                .describe_bytes(self.options.max_output)
                .map_err(|f| self.err(f)),
            _ => self.run_child(sct_plugin_api::command::DESCRIBE, &[]),
        }
    }

    /// `sct plugins check`: the handshake and the description, which must agree with the
    /// manifest (name and measures).
    pub fn check(&self) -> Result<Description, HostError> {
        self.handshake()?;
        let d = self.describe()?.clone();
        if d.name != self.manifest.name {
            return Err(self.err(Fault::Mismatch(format!("it calls itself \"{}\"", d.name))));
        }
        let offered: Vec<&str> = d.measures.iter().map(|m| m.id.as_str()).collect();
        let listed: Vec<&str> = self.manifest.measures.iter().map(|m| m.as_str()).collect();
        if offered != listed {
            return Err(self.err(Fault::Mismatch(format!(
                "it offers measures [{}], the manifest lists [{}]",
                offered.join(", "),
                listed.join(", ")
            ))));
        }
        Ok(d)
    }
}

/// A copy of a manifest-reading fault (errors are not `Clone`: they may hold I/O errors).
fn clone_manifest_fault(f: &Fault) -> Fault {
    match f {
        Fault::Manifest {
            path,
            line,
            message,
        } => Fault::Manifest {
            path: path.clone(),
            line: *line,
            message: message.clone(),
        },
        Fault::Io { path, source } => Fault::Io {
            path: path.clone(),
            source: std::io::Error::new(source.kind(), source.to_string()),
        },
        other => Fault::Reported(other.to_string()),
    }
}

/// The environment variable in which the parent of an isolated call passes its reply limit
/// (in bytes) to the child, so the child refuses a plugin's oversized reply (even one whose
/// length is `SIZE_MAX`) before it copies a byte.
pub const ISOLATED_MAX_OUTPUT_ENV: &str = "SCT_ISOLATED_MAX_OUTPUT";

/// The child side of an isolated native call (`sct plugins __isolated-call DIR VERB`): checks
/// and loads the plugin in this process and returns the raw reply of `verb` for `input`, at
/// most `max_output` bytes (the parent's limit), for the parent to check.
pub fn serve_isolated(
    dir: &Path,
    verb: &str,
    input: &[u8],
    max_output: MaxOutput,
) -> Result<Vec<u8>, HostError> {
    let manifest = Manifest::read(dir)?;
    let options = Options {
        max_output,
        ..Options::default()
    };
    let plugin = Plugin::open_dir(dir, manifest, &options)?;
    match verb {
        sct_plugin_api::command::HANDSHAKE => {
            Ok(format!("{{\"protocol\":{}}}", sct_plugin_api::PROTOCOL_VERSION).into_bytes())
        }
        sct_plugin_api::command::DESCRIBE => plugin.describe_bytes(),
        _ => plugin.compute_bytes(input),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A command plugin that notes each verb it is asked in `calls.log` beside it (found
    /// through `SCT_PLUGIN_DIR`: its own path is the sealed copy's).
    fn counting_plugin(dir: &Path) -> Plugin {
        let script = "#!/bin/sh\necho \"$1\" >> \"$SCT_PLUGIN_DIR/calls.log\"\ncase \"$1\" in\n  handshake) echo '{\"protocol\":1}' ;;\n  describe) echo '{\"protocol\":1,\"ok\":{\"name\":\"counting\",\"version\":\"1\",\"protocol\":1,\"measures\":[{\"id\":\"m\",\"title\":\"M\"}]}}' ;;\n  compute) cat >/dev/null; echo '{\"protocol\":1,\"ok\":{\"measure\":\"m\",\"series\":[{\"period\":\"2025-04\",\"value\":1}]}}' ;;\nesac\n";
        let file = dir.join("counting.sh");
        std::fs::write(&file, script).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        let manifest = Manifest {
            name: "counting".into(),
            version: "1".into(),
            kind: Kind::Command,
            file: "counting.sh".into(),
            sha256: manifest::sha256_file(&file).unwrap(),
            protocol: sct_plugin_api::PROTOCOL_VERSION,
            measures: vec!["m".into()],
            interpreter: None,
            description: String::new(),
        };
        Plugin::open_dir(dir, manifest, &Options::default()).unwrap()
    }

    #[test]
    fn describe_is_asked_once_per_load_and_compute_every_call() {
        let dir = tempfile::tempdir().unwrap();
        let plugin = counting_plugin(dir.path());
        let request = ComputeRequest {
            protocol: sct_plugin_api::PROTOCOL_VERSION,
            measure: "m".into(),
            ..Default::default()
        };
        for _ in 0..3 {
            assert_eq!(plugin.describe().unwrap().name, "counting");
            assert_eq!(plugin.compute(&request).unwrap().series.len(), 1);
        }
        let log = std::fs::read_to_string(dir.path().join("calls.log")).unwrap();
        assert_eq!(
            log, "describe\ncompute\ncompute\ncompute\n",
            "the checked description is kept; each compute runs"
        );
        // A plugin opened again asks again.
        let again = counting_plugin(dir.path());
        again.describe().unwrap();
        let log = std::fs::read_to_string(dir.path().join("calls.log")).unwrap();
        assert!(log.ends_with("compute\ndescribe\n"), "{log}");
    }
}
