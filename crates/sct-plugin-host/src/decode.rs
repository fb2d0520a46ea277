//! Reading a plugin's reply bytes: the size limit, UTF-8, JSON, the protocol version, and
//! `ok` or `error`.

use sct_plugin_api::Reply;
use serde::de::DeserializeOwned;

use crate::error::Fault;

/// Decodes reply bytes of `call`, at most `limit` bytes long.
pub fn reply<T: DeserializeOwned>(
    bytes: &[u8],
    call: &'static str,
    limit: usize,
) -> Result<T, Fault> {
    if bytes.len() > limit {
        return Err(Fault::TooLarge { call, limit });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| Fault::InvalidUtf8 {
        call,
        offset: e.valid_up_to(),
        byte: bytes[e.valid_up_to()],
    })?;
    if text.trim().is_empty() {
        return Err(Fault::InvalidJson {
            call,
            message: "the reply is empty; expected a JSON object".into(),
        });
    }
    // One parse on the happy path; when it fails, the version is read on its own, so a
    // plugin of another protocol is named as such rather than as JSON that does not fit.
    #[derive(serde::Deserialize)]
    struct Version {
        protocol: Option<u32>,
    }
    let protocol_fault = |p: u32| Fault::Protocol {
        what: "its reply",
        found: p,
        expected: sct_plugin_api::PROTOCOL_VERSION,
    };
    let reply: Reply<T> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            return Err(match serde_json::from_str::<Version>(text) {
                Ok(Version { protocol: Some(p) }) if p != sct_plugin_api::PROTOCOL_VERSION => {
                    protocol_fault(p)
                }
                Ok(Version { protocol: None }) => Fault::InvalidJson {
                    call,
                    message: "no \"protocol\" field; expected {\"protocol\": N, \"ok\": ...} or {\"protocol\": N, \"error\": {\"message\": ...}}".into(),
                },
                _ => Fault::InvalidJson {
                    call,
                    message: e.to_string(),
                },
            });
        }
    };
    if reply.protocol != sct_plugin_api::PROTOCOL_VERSION {
        return Err(protocol_fault(reply.protocol));
    }
    match reply.into_result() {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(Fault::Reported(e.message)),
        None => Err(Fault::InvalidJson {
            call,
            message:
                "the reply holds neither or both of \"ok\" and \"error\"; expected exactly one"
                    .into(),
        }),
    }
}

/// Decodes a handshake's bytes.
pub fn handshake(bytes: &[u8], limit: usize) -> Result<(), Fault> {
    if bytes.len() > limit {
        return Err(Fault::TooLarge {
            call: "handshake",
            limit,
        });
    }
    let h: sct_plugin_api::Handshake =
        serde_json::from_slice(bytes).map_err(|e| match std::str::from_utf8(bytes) {
            Err(u) => Fault::InvalidUtf8 {
                call: "handshake",
                offset: u.valid_up_to(),
                byte: bytes[u.valid_up_to()],
            },
            Ok(_) => Fault::InvalidJson {
                call: "handshake",
                message: e.to_string(),
            },
        })?;
    if h.protocol != sct_plugin_api::PROTOCOL_VERSION {
        return Err(Fault::Protocol {
            what: "its handshake",
            found: h.protocol,
            expected: sct_plugin_api::PROTOCOL_VERSION,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sct_plugin_api::ComputeResponse;

    fn decode(b: &[u8]) -> Result<ComputeResponse, Fault> {
        reply(b, "compute", 1000)
    }

    #[test]
    fn each_bad_reply_is_named() {
        assert!(matches!(
            decode(b"{\"protocol\":1,\"ok\":{\"measure\":\"\xff\"}}"),
            Err(Fault::InvalidUtf8 {
                offset: 31,
                byte: 0xff,
                ..
            })
        ));
        assert!(matches!(
            decode(b"{\"protocol\":1,"),
            Err(Fault::InvalidJson { .. })
        ));
        assert!(matches!(decode(b""), Err(Fault::InvalidJson { .. })));
        assert!(matches!(
            decode(b"{\"protocol\":2,\"ok\":{}}"),
            Err(Fault::Protocol { found: 2, .. })
        ));
        assert!(matches!(
            decode(b"{\"protocol\":1}"),
            Err(Fault::InvalidJson { .. })
        ));
        assert!(matches!(
            decode(&[b' '; 1001]),
            Err(Fault::TooLarge { limit: 1000, .. })
        ));
        match decode(b"{\"protocol\":1,\"error\":{\"message\":\"no file\"}}") {
            Err(Fault::Reported(m)) => assert_eq!(m, "no file"),
            other => panic!("{other:?}"),
        }
        let ok = decode(b"{\"protocol\":1,\"ok\":{\"measure\":\"m\",\"series\":[{\"period\":\"2025-04\",\"value\":2.5}]}}").unwrap();
        assert_eq!(ok.series[0].value, 2.5);
    }
}
