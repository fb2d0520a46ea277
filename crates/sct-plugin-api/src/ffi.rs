//! The C ABI of native plugins, and the helpers [`sct_plugin!`](crate::sct_plugin) builds
//! the exports from.
//!
//! A native plugin is a shared library (`cdylib`) exporting four functions, in C terms:
//!
//! ```c
//! typedef struct { uint8_t *ptr; size_t len; } SctBytes;
//!
//! uint32_t sct_plugin_abi_version(void);
//! SctBytes sct_plugin_describe(void);
//! SctBytes sct_plugin_compute(const uint8_t *request, size_t request_len);
//! void     sct_plugin_free(SctBytes bytes);
//! ```
//!
//! **Ownership and lifetimes of every pointer:**
//!
//! - `sct_plugin_abi_version` returns [`PROTOCOL_VERSION`](crate::PROTOCOL_VERSION) of the
//!   API the plugin was built with. The host calls it first and calls nothing else when the
//!   number differs. No pointers.
//! - `sct_plugin_describe` returns bytes the **plugin** allocated: UTF-8 JSON of a
//!   [`DescribeReply`](crate::DescribeReply), not NUL-terminated (`len` bytes from `ptr`).
//!   The host owns them until it passes the same `SctBytes`, unchanged, to `sct_plugin_free`,
//!   exactly once; it must not free them any other way, nor read them afterwards.
//! - `sct_plugin_compute` takes `request`, `request_len` bytes of UTF-8 JSON (a
//!   [`crate::ComputeRequest`]) that the **host** owns: valid only for the
//!   duration of the call; the plugin must not keep the pointer, write through it nor free
//!   it. It returns bytes the **plugin** allocated, UTF-8 JSON of a
//!   [`ComputeReply`](crate::ComputeReply), owned as for `sct_plugin_describe`.
//! - `sct_plugin_free` releases bytes returned by `sct_plugin_describe` or
//!   `sct_plugin_compute` of the same library. An `SctBytes` with a null `ptr` is returned
//!   for nothing and is ignored by `sct_plugin_free`.
//!
//! The host calls a plugin from one thread at a time. A panic must never cross the boundary
//! (unwinding out of an `extern "C"` function aborts the process): the helpers here catch it
//! and return it as a reply with an `error`. That needs the plugin built with the default
//! `panic = "unwind"`; with `panic = "abort"` a panic aborts `sct` unless it runs the plugin
//! with `--isolate`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::protocol::{ComputeRequest, ComputeResponse, Description, PluginError, Reply};

/// Bytes handed across the boundary: `len` bytes from `ptr`. See the module documentation
/// for who owns them.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SctBytes {
    /// The first byte; null for no bytes.
    pub ptr: *mut u8,
    /// The number of bytes.
    pub len: usize,
}

impl SctBytes {
    /// No bytes.
    pub const NULL: SctBytes = SctBytes {
        ptr: std::ptr::null_mut(),
        len: 0,
    };

    /// Gives a vector's bytes to the other side; [`SctBytes::free`] takes them back.
    pub fn from_vec(bytes: Vec<u8>) -> SctBytes {
        let boxed: Box<[u8]> = bytes.into_boxed_slice();
        let len = boxed.len();
        let ptr = Box::into_raw(boxed) as *mut u8;
        SctBytes { ptr, len }
    }

    /// Frees bytes made by [`SctBytes::from_vec`] in this same library.
    ///
    /// # Safety
    /// `self` must come from [`SctBytes::from_vec`] of this library and not have been freed.
    pub unsafe fn free(self) {
        if self.ptr.is_null() {
            return;
        }
        // SAFETY: the caller promises ptr/len came from Box<[u8]>::into_raw above.
        unsafe {
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
                self.ptr, self.len,
            )));
        }
    }
}

/// The exported symbols' names, NUL-terminated for `dlsym`.
pub mod symbols {
    /// `uint32_t sct_plugin_abi_version(void)`.
    pub const ABI_VERSION: &[u8] = b"sct_plugin_abi_version\0";
    /// `SctBytes sct_plugin_describe(void)`.
    pub const DESCRIBE: &[u8] = b"sct_plugin_describe\0";
    /// `SctBytes sct_plugin_compute(const uint8_t *, size_t)`.
    pub const COMPUTE: &[u8] = b"sct_plugin_compute\0";
    /// `void sct_plugin_free(SctBytes)`.
    pub const FREE: &[u8] = b"sct_plugin_free\0";
}

/// The type of `sct_plugin_abi_version`.
pub type AbiVersionFn = unsafe extern "C" fn() -> u32;
/// The type of `sct_plugin_describe`.
pub type DescribeFn = unsafe extern "C" fn() -> SctBytes;
/// The type of `sct_plugin_compute`.
pub type ComputeFn = unsafe extern "C" fn(*const u8, usize) -> SctBytes;
/// The type of `sct_plugin_free`.
pub type FreeFn = unsafe extern "C" fn(SctBytes);

/// The text of a caught panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a panic without a message)".to_string()
    }
}

fn reply_bytes<T: serde::Serialize>(reply: &Reply<T>) -> Vec<u8> {
    serde_json::to_vec(reply).unwrap_or_else(|e| {
        // Only a value serde_json cannot write (a map with non-string keys) gets here.
        let fallback: Reply<()> = Reply::from_result(Err(PluginError::new(format!(
            "the plugin's reply could not be written as JSON: {e}"
        ))));
        serde_json::to_vec(&fallback).unwrap_or_default()
    })
}

/// The body of `sct_plugin_describe`: calls `describe`, catching a panic.
pub fn export_describe(describe: fn() -> Description) -> SctBytes {
    let result = catch_unwind(describe)
        .map_err(|p| PluginError::new(format!("panicked in describe: {}", panic_message(&*p))));
    SctBytes::from_vec(reply_bytes(&Reply::from_result(result)))
}

/// The body of `sct_plugin_compute`: reads the request, calls `compute`, catching a panic.
///
/// # Safety
/// `request` must point to `len` readable bytes for the duration of the call (or be null
/// with `len` 0).
pub unsafe fn export_compute(
    compute: fn(&ComputeRequest) -> Result<ComputeResponse, PluginError>,
    request: *const u8,
    len: usize,
) -> SctBytes {
    let bytes: &[u8] = if request.is_null() {
        &[]
    } else {
        // SAFETY: the host promises `len` readable bytes at `request` during the call.
        unsafe { std::slice::from_raw_parts(request, len) }
    };
    let result = match serde_json::from_slice::<ComputeRequest>(bytes) {
        Err(e) => Err(PluginError::new(format!(
            "the request is not a valid compute request: {e}"
        ))),
        Ok(req) => catch_unwind(AssertUnwindSafe(|| compute(&req)))
            .map_err(|p| {
                PluginError::new(format!(
                    "panicked computing \"{}\": {}",
                    req.measure,
                    panic_message(&*p)
                ))
            })
            .and_then(|r| r),
    };
    SctBytes::from_vec(reply_bytes(&Reply::from_result(result)))
}

/// Generates a native plugin's C exports from two safe functions:
///
/// ```ignore
/// fn describe() -> sct_plugin_api::Description { /* ... */ }
/// fn compute(req: &sct_plugin_api::ComputeRequest)
///     -> Result<sct_plugin_api::ComputeResponse, sct_plugin_api::PluginError> { /* ... */ }
///
/// sct_plugin_api::sct_plugin!(describe = describe, compute = compute);
/// ```
///
/// The crate must be built as a `cdylib` (`[lib] crate-type = ["cdylib"]`). Panics in either
/// function are caught and returned to `sct` as errors naming the plugin and the panic.
#[macro_export]
macro_rules! sct_plugin {
    (describe = $describe:path, compute = $compute:path $(,)?) => {
        /// The protocol version this plugin was built with.
        #[unsafe(no_mangle)]
        pub extern "C" fn sct_plugin_abi_version() -> u32 {
            $crate::PROTOCOL_VERSION
        }

        /// JSON of the plugin's description; free with `sct_plugin_free`.
        #[unsafe(no_mangle)]
        pub extern "C" fn sct_plugin_describe() -> $crate::ffi::SctBytes {
            $crate::ffi::export_describe($describe)
        }

        /// Computes a measure from a JSON request the host owns; free the reply with
        /// `sct_plugin_free`.
        ///
        /// # Safety
        /// `request` must point to `len` readable bytes during the call.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn sct_plugin_compute(
            request: *const u8,
            len: usize,
        ) -> $crate::ffi::SctBytes {
            // SAFETY: passed on from the caller's promise.
            unsafe { $crate::ffi::export_compute($compute, request, len) }
        }

        /// Frees bytes returned by `sct_plugin_describe` or `sct_plugin_compute`.
        ///
        /// # Safety
        /// `bytes` must be returned by this library and not freed before.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn sct_plugin_free(bytes: $crate::ffi::SctBytes) {
            // SAFETY: passed on from the caller's promise.
            unsafe { bytes.free() }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{ComputeReply, DescribeReply};

    fn describe() -> Description {
        Description {
            name: "t".into(),
            version: "1".into(),
            protocol: crate::PROTOCOL_VERSION,
            description: String::new(),
            measures: vec![],
        }
    }

    fn compute(req: &ComputeRequest) -> Result<ComputeResponse, PluginError> {
        match req.measure.as_str() {
            "panic" => panic!("boom {}", 42),
            "fail" => Err(PluginError::new("no data")),
            _ => Ok(ComputeResponse {
                measure: req.measure.clone(),
                ..Default::default()
            }),
        }
    }

    fn call(measure: &str) -> ComputeReply {
        let req = serde_json::to_vec(&ComputeRequest {
            protocol: 1,
            measure: measure.into(),
            ..Default::default()
        })
        .unwrap();
        let out = unsafe { export_compute(compute, req.as_ptr(), req.len()) };
        let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
        unsafe { out.free() };
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn a_panic_becomes_an_error_reply() {
        let r = call("panic").into_result().unwrap();
        assert_eq!(
            r.unwrap_err().message,
            "panicked computing \"panic\": boom 42"
        );
    }

    #[test]
    fn results_and_errors_cross_as_replies() {
        assert_eq!(call("x").into_result().unwrap().unwrap().measure, "x");
        assert_eq!(
            call("fail").into_result().unwrap().unwrap_err().message,
            "no data"
        );
    }

    #[test]
    fn a_request_that_is_not_json_is_an_error_reply() {
        let bad = b"{not json";
        let out = unsafe { export_compute(compute, bad.as_ptr(), bad.len()) };
        let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
        unsafe { out.free() };
        let r: ComputeReply = serde_json::from_slice(&bytes).unwrap();
        assert!(
            r.error
                .unwrap()
                .message
                .starts_with("the request is not a valid compute request")
        );
    }

    #[test]
    fn describe_replies_with_the_protocol_version() {
        let out = export_describe(describe);
        let bytes = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
        unsafe { out.free() };
        let r: DescribeReply = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(r.protocol, crate::PROTOCOL_VERSION);
        assert_eq!(r.ok.unwrap().name, "t");
    }
}
