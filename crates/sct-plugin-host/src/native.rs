//! Native plugins: a shared library loaded with libloading and called through the C ABI of
//! [`sct_plugin_api::ffi`].

use std::path::Path;

use libloading::Library;
use sct_plugin_api::ffi::{self, AbiVersionFn, ComputeFn, DescribeFn, FreeFn, SctBytes};

use crate::error::Fault;
use crate::limits::MaxOutput;

/// A loaded native plugin. The library stays loaded while this lives.
pub struct NativePlugin {
    describe: DescribeFn,
    compute: ComputeFn,
    free: FreeFn,
    // After the function pointers, so they are never used after the library is unloaded.
    _library: Library,
    // Last: the private copy the library was loaded from, removed once it is unloaded.
    _copy: tempfile::TempDir,
}

impl std::fmt::Debug for NativePlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NativePlugin")
    }
}

impl NativePlugin {
    /// Loads the library at `path` whose SHA-256 must be `expected_sha256` (the manifest's),
    /// checks its ABI version and finds its functions.
    ///
    /// The bytes are read once, checked, and written to a private temporary directory, and
    /// the library is loaded from that copy: what runs is exactly what was checked, even if
    /// the file in the plugin's directory is replaced between the check and the load.
    pub fn load(path: &Path, expected_sha256: &str) -> Result<NativePlugin, Fault> {
        let io = |source: std::io::Error| Fault::Io {
            path: path.to_path_buf(),
            source,
        };
        let (bytes, _) = crate::checked::read_checked(path, expected_sha256)?;
        // tempfile makes the directory readable by this user only.
        let copy_dir = tempfile::Builder::new()
            .prefix("sct-plugin-")
            .tempdir()
            .map_err(io)?;
        let copy = copy_dir
            .path()
            .join(path.file_name().unwrap_or(std::ffi::OsStr::new("plugin")));
        std::fs::write(&copy, &bytes).map_err(io)?;
        let load_err = |e: libloading::Error| Fault::Load {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        // SAFETY: loading a library runs its initialisers. The host only gets here for the
        // private copy of a file whose sha256 matches the manifest the user installed.
        let library = unsafe { Library::new(&copy) }.map_err(load_err)?;
        // SAFETY: the symbol types are the ABI's, documented in sct_plugin_api::ffi.
        unsafe {
            let version: AbiVersionFn = *library
                .get::<AbiVersionFn>(ffi::symbols::ABI_VERSION)
                .map_err(load_err)?;
            let found = version();
            if found != sct_plugin_api::PROTOCOL_VERSION {
                return Err(Fault::Protocol {
                    what: "its sct_plugin_abi_version",
                    found,
                    expected: sct_plugin_api::PROTOCOL_VERSION,
                });
            }
            let describe: DescribeFn = *library
                .get::<DescribeFn>(ffi::symbols::DESCRIBE)
                .map_err(load_err)?;
            let compute: ComputeFn = *library
                .get::<ComputeFn>(ffi::symbols::COMPUTE)
                .map_err(load_err)?;
            let free: FreeFn = *library
                .get::<FreeFn>(ffi::symbols::FREE)
                .map_err(load_err)?;
            Ok(NativePlugin {
                describe,
                compute,
                free,
                _library: library,
                _copy: copy_dir,
            })
        }
    }

    /// Calls `describe`; the bytes are copied and the plugin's freed.
    pub fn describe_bytes(&self, limit: MaxOutput) -> Result<Vec<u8>, Fault> {
        self.describe_with(limit, <[u8]>::to_vec)
    }

    /// Calls `describe` and reads the reply with `read` in place, before the plugin's bytes
    /// are freed (no copy).
    pub fn describe_with<T>(
        &self,
        limit: MaxOutput,
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<T, Fault> {
        // SAFETY: the ABI's describe takes nothing and returns plugin-owned bytes.
        let out = unsafe { (self.describe)() };
        self.take_with(out, "describe", limit, read)
    }

    /// Calls `compute` with request bytes the host owns for the call.
    pub fn compute_bytes(&self, request: &[u8], limit: MaxOutput) -> Result<Vec<u8>, Fault> {
        self.compute_with(request, limit, <[u8]>::to_vec)
    }

    /// Calls `compute` and reads the reply with `read` in place, before the plugin's bytes
    /// are freed (no copy).
    pub fn compute_with<T>(
        &self,
        request: &[u8],
        limit: MaxOutput,
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<T, Fault> {
        // SAFETY: `request` is valid for the call, as the ABI asks.
        let out = unsafe { (self.compute)(request.as_ptr(), request.len()) };
        self.take_with(out, "compute", limit, read)
    }

    /// Reads plugin-owned bytes (at most `limit`) and frees them, exactly once, whatever
    /// `read` does.
    fn take_with<T>(
        &self,
        out: SctBytes,
        call: &'static str,
        limit: MaxOutput,
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<T, Fault> {
        /// Frees the plugin's bytes when dropped, so they are freed even if `read` unwinds.
        struct Owned<'a> {
            free: &'a FreeFn,
            bytes: SctBytes,
        }
        impl Drop for Owned<'_> {
            fn drop(&mut self) {
                // SAFETY: returned by this library, freed once (here).
                unsafe { (self.free)(self.bytes) };
            }
        }
        let owned = Owned {
            free: &self.free,
            bytes: out,
        };
        if out.ptr.is_null() {
            Ok(read(&[]))
        } else if out.len > limit.bytes() {
            // Checked before any slice or copy: a length of SIZE_MAX is refused here, not
            // handed to `from_raw_parts`.
            Err(Fault::TooLarge {
                call,
                limit: limit.bytes(),
            })
        } else {
            // SAFETY: the ABI promises `len` readable bytes at `ptr` until freed, and `owned`
            // frees them only after this borrow ends.
            let bytes = unsafe { std::slice::from_raw_parts(owned.bytes.ptr, owned.bytes.len) };
            Ok(read(bytes))
        }
    }
}
