//! A native plugin that misbehaves on request, for the fault tests of `sct`'s plugin host.
//! Each measure is one fault; `ok` behaves. `SCT_FAULT_PLUGIN_ABI` makes it report another
//! protocol version. Its exports are written out by hand (rather than with `sct_plugin!`)
//! so the version can be wrong; the bodies are the same helpers the macro uses.

use sct_plugin_api::ffi::{SctBytes, export_compute, export_describe};
use sct_plugin_api::{
    ComputeRequest, ComputeResponse, Description, MeasureInfo, PluginError, Point,
};

const FAULTS: [&str; 10] = [
    "ok",
    "panic",
    "abort",
    "segfault",
    "invalid-json",
    "invalid-utf8",
    "huge",
    "size-max",
    "hang",
    "error",
];

fn describe() -> Description {
    Description {
        name: "fault".into(),
        version: "0.0.1".into(),
        protocol: sct_plugin_api::PROTOCOL_VERSION,
        description: "Misbehaves on request.".into(),
        measures: FAULTS
            .iter()
            .map(|f| MeasureInfo {
                id: (*f).into(),
                title: format!("fault: {f}"),
                kind: Default::default(),
                unit: String::new(),
                timeframe: "leading".into(),
                period: "month".into(),
                direction: Default::default(),
                parameters: vec![],
            })
            .collect(),
    }
}

fn compute(req: &ComputeRequest) -> Result<ComputeResponse, PluginError> {
    match req.measure.as_str() {
        "panic" => panic!("the fault plugin panics on purpose"),
        "error" => Err(PluginError::new("the fault plugin reports an error")),
        _ => Ok(ComputeResponse {
            measure: req.measure.clone(),
            series: vec![
                Point {
                    period: "2025-04".into(),
                    value: 1.0,
                    numerator: None,
                    denominator: None,
                },
                Point {
                    period: "2025-05".into(),
                    value: 2.0,
                    numerator: None,
                    denominator: None,
                },
            ],
            evidence: vec![],
            notes: vec![],
        }),
    }
}

/// The protocol version, or `SCT_FAULT_PLUGIN_ABI` when set.
#[unsafe(no_mangle)]
pub extern "C" fn sct_plugin_abi_version() -> u32 {
    std::env::var("SCT_FAULT_PLUGIN_ABI")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(sct_plugin_api::PROTOCOL_VERSION)
}

/// The description.
#[unsafe(no_mangle)]
pub extern "C" fn sct_plugin_describe() -> SctBytes {
    export_describe(describe)
}

/// Computes, or misbehaves as the measure says.
///
/// # Safety
/// `request` must point to `len` readable bytes during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sct_plugin_compute(request: *const u8, len: usize) -> SctBytes {
    // SAFETY: the host's promise, passed on.
    let bytes = unsafe { std::slice::from_raw_parts(request, len) };
    let measure = serde_json::from_slice::<ComputeRequest>(bytes)
        .map(|r| r.measure)
        .unwrap_or_default();
    match measure.as_str() {
        "abort" => std::process::abort(),
        "segfault" => {
            // SAFETY: not safe at all: the point is to crash.
            unsafe { std::ptr::write_volatile(std::ptr::null_mut::<u64>(), 1) };
            SctBytes::NULL
        }
        "invalid-json" => SctBytes::from_vec(b"{\"protocol\": 1, \"ok\": {".to_vec()),
        "invalid-utf8" => {
            SctBytes::from_vec(b"{\"protocol\": 1, \"error\": \"\xff\xfe\"}".to_vec())
        }
        "huge" => SctBytes::from_vec(vec![b' '; 100 * 1024 * 1024]),
        // A length no allocation can have: the host must refuse it before any slice or copy.
        "size-max" => SctBytes {
            ptr: std::ptr::addr_of!(SIZE_MAX_BYTE).cast_mut(),
            len: usize::MAX,
        },
        "hang" => loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        // SAFETY: the host's promise, passed on.
        _ => unsafe { export_compute(compute, request, len) },
    }
}

/// The byte the `size-max` reply points at (it claims `usize::MAX` of them).
static SIZE_MAX_BYTE: u8 = b'{';

/// Frees what the functions above returned.
///
/// # Safety
/// `bytes` must come from this library and not have been freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sct_plugin_free(bytes: SctBytes) {
    // The `size-max` reply was never allocated.
    if std::ptr::eq(bytes.ptr, std::ptr::addr_of!(SIZE_MAX_BYTE)) {
        return;
    }
    // SAFETY: the caller's promise, passed on.
    unsafe { bytes.free() }
}
