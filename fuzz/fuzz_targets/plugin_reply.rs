//! A plugin's reply bytes as the host decodes them: the handshake, `describe` and `compute`
//! replies (size limit, UTF-8, JSON, protocol version, `ok` or `error`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sct_plugin_api::{ComputeResponse, Description};
use sct_plugin_host::decode;

/// The host's default reply limit is far larger; a small one exercises the limit as well.
const LIMIT: usize = 1 << 16;

fuzz_target!(|data: &[u8]| {
    let _ = decode::handshake(data, LIMIT);
    if let Err(fault) = decode::reply::<Description>(data, "describe", LIMIT) {
        // Every fault prints as a sentence (the CLI shows it): it must not be empty.
        assert!(
            !fault.to_string().trim().is_empty(),
            "a fault with no message"
        );
    }
    if let Err(fault) = decode::reply::<ComputeResponse>(data, "compute", LIMIT) {
        assert!(
            !fault.to_string().trim().is_empty(),
            "a fault with no message"
        );
    }
});
